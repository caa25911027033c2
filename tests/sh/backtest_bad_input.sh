#!/usr/bin/env bash
# backtest_bad_input.sh — `hardengen test --events` over a folder holding a
# corrupt .gz, a truncated JSON file, a binary file and an empty file next to
# good ones: exit 0, each bad file reported with its name, the good events
# counted exactly, the skipped files counted in the summary.
. "$(dirname "$0")/lib.sh"
name=backtest_bad_input
ds=$HG_DATA/datasets/cloudtrail
if [ ! -r "$ds/panther/events.jsonl" ]; then skip $name "data sets not found"; exit 0; fi

# The front half (profile, Lua filters, patterns) must load for `test` to run.
if ! "$HG_BIN" test --env prod --root "$HG_TOP" >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then fail $name "hardengen test --env prod does not run"; else
    skip $name "hardengen test --env prod does not run yet (profile/Lua modules missing)"; fi
  exit 0
fi

d=$(tmpdir)
mkdir -p "$d/in/AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10"
s3=$d/in/AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10
# good: 453 panther records as JSON lines, 310 stratus records as gzip arrays
cp "$ds/panther/events.jsonl" "$d/in/panther.jsonl"
for f in "$ds"/stratus-red-team/detonation-logs/*.json; do gzip -c "$f" > "$s3/$(basename "$f").gz"; done
# bad: corrupt gzip (valid header, garbage deflate data), truncated Records
# file, binary file, empty file
printf '\037\213\010\000\000\000\000\000\000\003this is not deflate data' > "$s3/corrupt.json.gz"
head -c 3000 "$ds/invictus-ir/CloudTrail/$(ls "$ds/invictus-ir/CloudTrail" | head -1)" > "$d/in/truncated.json"
head -c 4096 "$HG_BIN" > "$d/in/binary.json"
: > "$d/in/empty.json"

"$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/in" --format json >"$d/out" 2>"$d/err"
rc=$?
ok=1
[ $rc -eq 0 ] || { fail $name "exit $rc, want 0"; ok=0; }
for f in corrupt.json.gz truncated.json binary.json empty.json; do
  grep -Eq "/$f(:[0-9]+)?: warning: " "$d/err" || { fail $name "no warning for $f"; ok=0; }
done
grep -q "corrupt.json.gz: warning: bad gzip data" "$d/err" || { fail $name "corrupt gzip not named"; ok=0; }
grep -q "truncated.json:1: warning: malformed JSON" "$d/err" || { fail $name "truncated JSON not named"; ok=0; }
grep -q "binary.json: warning: not a JSON file" "$d/err" || { fail $name "binary file not named"; ok=0; }
grep -q "empty.json: warning: empty file" "$d/err" || { fail $name "empty file not named"; ok=0; }
want='"events":763,"files":40,"skipped":{"files":4,"records":0}'
grep -q "$want" "$d/out" || { fail $name "want $want in $(head -c 200 "$d/out")"; ok=0; }
# the text summary says the same
"$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/in" >"$d/txt" 2>/dev/null
grep -q '^763 events in 40 files (.*); skipped 4 files, 0 records$' "$d/txt" ||
  { fail $name "text summary: $(grep events "$d/txt")"; ok=0; }
[ $ok = 1 ] && pass $name
exit 0
