#!/usr/bin/env bash
# match_datasets.sh — `hardengen match` on the CloudTrail data sets of tests/data:
# counts for several patterns agree with independent jq selections over the
# same records (JSON lines), the Records-file and JSON-lines copies of the
# invictus-ir set give the same count, and -c / --format count / stdin agree.
. "$(dirname "$0")/lib.sh"
name=match_datasets
ds=$HG_DATA/datasets/cloudtrail
if [ ! -r "$ds/panther/events.jsonl" ]; then skip $name "data sets not found"; exit 0; fi
need_tool $name jq || exit 0
jl=("$ds/invictus-ir/events.jsonl" "$ds/panther/events.jsonl" "$ds/stratus-red-team/events.jsonl")

ok=1
check() { # pattern, jq filter
  local want got
  want=$(jq -c "select($2)" "${jl[@]}" | wc -l)
  got=$("$HG_BIN" match "$1" "${jl[@]}" -c 2>/dev/null)
  if [ "$got" != "$want" ]; then fail $name "$1: $got matches, jq says $want"; ok=0; fi
  [ "$want" -gt 0 ] || { fail $name "$1: jq finds nothing, a weak check"; ok=0; }
}
check '{ $.eventName = ConsoleLogin }' '.eventName == "ConsoleLogin"'
check '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }' \
  '(.errorCode|type) == "string" and (.errorCode|endswith("UnauthorizedOperation") or startswith("AccessDenied"))'
check '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }' \
  '.userIdentity.type == "Root" and (.userIdentity|has("invokedBy")|not) and (.eventType|type) == "string" and .eventType != "AwsServiceEvent"'
check '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }' \
  '.eventName == "ConsoleLogin" and (.additionalEventData|type) == "object" and (.additionalEventData.MFAUsed|type) == "string" and .additionalEventData.MFAUsed != "Yes"'
check '{ $.eventSource = s3.amazonaws.com && $.requestParameters IS NULL }' \
  '.eventSource == "s3.amazonaws.com" and has("requestParameters") and .requestParameters == null'
check '{ $.resources[*].type = "AWS::S3::Bucket" }' \
  '(.resources|type) == "array" and any(.resources[]; type == "object" and .type == "AWS::S3::Bucket")'
check '{ $.sourceIPAddress = %^\d+\.\d+\.\d+\.\d+$% }' \
  '(.sourceIPAddress|type) == "string" and (.sourceIPAddress|test("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$"))'
check '{ $.eventVersion = 1.08 }' '.eventVersion == "1.08"'
check 'AccessDenied -s3.amazonaws.com' 'tojson | contains("AccessDenied") and (contains("s3.amazonaws.com")|not)'

# The Records files and the JSON lines copy of invictus-ir hold the same records.
a=$("$HG_BIN" match '{ $.errorCode = * }' "$ds/invictus-ir/CloudTrail" -c 2>/dev/null)
b=$("$HG_BIN" match '{ $.errorCode = * }' "$ds/invictus-ir/events.jsonl" -c 2>/dev/null)
[ -n "$a" ] && [ "$a" = "$b" ] || { fail $name "Records files give $a, JSON lines $b"; ok=0; }

# Printed records are one compact JSON object per line; -c, --format count and stdin agree.
p='{ $.eventName = ConsoleLogin }'
lines=$("$HG_BIN" match "$p" "${jl[@]}" | jq -c . | wc -l)
cnt=$("$HG_BIN" match "$p" "${jl[@]}" --format count)
stdin=$(cat "${jl[@]}" | "$HG_BIN" match "$p" -c)
[ "$lines" = "$cnt" ] && [ "$cnt" = "$stdin" ] || { fail $name "lines $lines, count $cnt, stdin $stdin"; ok=0; }
[ $ok = 1 ] && pass $name
exit 0
