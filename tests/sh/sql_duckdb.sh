#!/usr/bin/env bash
# sql_duckdb.sh — the DuckDB query of `hardengen sql --env prod` gives, per
# filter, exactly what `hardengen test --events` gives on the same files
# (matches, first and last eventTime), and per alarm period the counts an
# independent computation (the records `hardengen match` prints, bucketed by
# jq) gives. Inputs: the CloudTrail data sets of tests/data in all three
# shapes (JSON lines, pretty-printed arrays, {"Records":[...]} files), gzip
# copies, and a generated corpus of 100,000 records split across the three
# shapes and gzip.
. "$(dirname "$0")/lib.sh"
name=sql_duckdb
ds=$HG_DATA/datasets/cloudtrail
if [ ! -r "$ds/panther/events.jsonl" ]; then skip $name "data sets not found"; exit 0; fi
need_tool $name node || exit 0
need_tool $name jq || exit 0
need_tool $name gzip || exit 0
duckdir=${HG_DUCKDB_DIR:-$HG_TOP/build/node}
if [ ! -d "$duckdir/node_modules/@duckdb/node-api" ]; then
  if [ "${CI:-}" = true ]; then fail $name "DuckDB is not installed in $duckdir (make deps)"
  else skip $name "DuckDB (@duckdb/node-api) is not installed in $duckdir: run make deps"; fi
  exit 0
fi
export HG_DUCKDB_DIR=$duckdir
d=$(tmpdir)

# Per-period counts of the records `match` prints, as "id period count".
periods_of() { # ID PERIOD (records on stdin)
  jq -r --arg id "$1" --argjson p "$2" '
    .eventTime
    | select(type == "string")
    | capture("^(?<d>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})([.][0-9]+)?(?<z>Z|[+-][0-9]{2}:[0-9]{2})$")
    | ((.d + "Z") | try fromdateiso8601 catch null) as $s
    | select($s != null)
    | (if .z == "Z" then 0
       else ((.z[1:3] | tonumber) * 3600 + (.z[4:6] | tonumber) * 60) * (if .z[0:1] == "-" then -1 else 1 end)
       end) as $off
    | (($s - $off) / $p | floor) * $p | todate
    | "\($id) \(.)"' | sort | uniq -c | awk '{ print $2, $3, $1 }'
}

# check LABEL HGPATHS... -- DUCKPATHS...
check() {
  local label=$1; shift
  local hg=() duckp=()
  while [ "$1" != -- ]; do hg+=("$1"); shift; done
  shift
  duckp=("$@")
  if ! "$HG_BIN" sql --env prod --root "$HG_TOP" --dialect duckdb --events "${duckp[@]}" \
      >"$d/q.sql" 2>"$d/err"; then
    fail "$name $label" "hardengen sql: $(head -3 "$d/err")"; return
  fi
  if ! node "$HG_TOP/tools/duckdb-query.cjs" "$d/q.sql" >"$d/out.tsv" 2>"$d/err"; then
    fail "$name $label" "DuckDB: $(head -3 "$d/err")"; return
  fi
  "$HG_BIN" test --env prod --root "$HG_TOP" --events "${hg[@]}" --format json 2>/dev/null |
    jq -r '.filters[] | "\(.id) \(.matches) \(.first // "NULL") \(.last // "NULL")"' >"$d/want"
  awk -F'\t' '$2 == "NULL" { print $1, $3, $4, $5 }' "$d/out.tsv" >"$d/got"
  if [ ! -s "$d/want" ] || ! diff "$d/want" "$d/got" >"$d/diff"; then
    fail "$name $label" "totals differ from test --events (want < > got): $(head -6 "$d/diff" | tr '\n' ' ')"
    return
  fi
  # per period: every filter with matches
  awk -F'\t' '$2 != "NULL" { print $1, $2, $3 }' "$d/out.tsv" | sort >"$d/pgot"
  : >"$d/pwant"
  "$HG_BIN" list --env prod --root "$HG_TOP" --format json |
    jq -r '.filters[] | "\(.id)\t\(.period // 300)\t\(.pattern)"' >"$d/filters"
  while IFS=$'\t' read -r id period pattern; do
    grep -q "^$id [1-9]" "$d/want" || continue
    "$HG_BIN" match -- "$pattern" "${hg[@]}" 2>/dev/null | periods_of "$id" "$period" >>"$d/pwant"
  done <"$d/filters"
  sort -o "$d/pwant" "$d/pwant"
  if ! diff "$d/pwant" "$d/pgot" >"$d/diff"; then
    fail "$name $label" "per-period counts differ (want < > got): $(head -6 "$d/diff" | tr '\n' ' ')"
    return
  fi
  pass "$name $label ($(awk '{ s += $2 } END { print s }' "$d/got") matches, $(wc -l <"$d/pgot") periods)"
}

ct=$ds/invictus-ir/CloudTrail
det=$ds/stratus-red-team/detonation-logs
check "data sets (JSON lines, Records files, arrays)" \
  "$ds/invictus-ir/events.jsonl" "$ds/panther/events.jsonl" "$ds/stratus-red-team/events.jsonl" "$ct" "$det" -- \
  "$ds/invictus-ir/events.jsonl" "$ds/panther/events.jsonl" "$ds/stratus-red-team/events.jsonl" "$ct/*.json" "$det/*.json"

mkdir -p "$d/gz/ct" "$d/gz/det"
gzip -c "$ds/panther/events.jsonl" >"$d/gz/panther.jsonl.gz"
for f in "$ct"/*.json; do gzip -c "$f" >"$d/gz/ct/$(basename "$f").gz"; done
for f in "$det"/*.json; do gzip -c "$f" >"$d/gz/det/$(basename "$f").gz"; done
check "data sets, gzip, as a folder" "$d/gz" -- "$d/gz"

# The generated corpus: 100,000 records, a quarter in each shape.
cat "$ds"/*/events.jsonl >"$d/base.jsonl"
jq -n -c --argjson n 100000 --slurpfile base "$d/base.jsonl" -f "$HG_TOP/tests/sql/corpus.jq" >"$d/corpus.jsonl"
mkdir -p "$d/c"
split -l 25000 -d "$d/corpus.jsonl" "$d/part."
mv "$d/part.00" "$d/c/lines.jsonl"
jq -s . "$d/part.01" >"$d/c/array.json"
jq -s '{Records: .}' "$d/part.02" >"$d/c/records.json"
jq -s -c '{Records: .}' "$d/part.03" | gzip >"$d/c/records.json.gz"
rm -f "$d"/part.*
check "generated corpus of $(wc -l <"$d/corpus.jsonl") records (lines, array, Records, gzip)" \
  "$d/c/lines.jsonl" "$d/c/array.json" "$d/c/records.json" "$d/c/records.json.gz" -- \
  "$d/c/lines.jsonl" "$d/c/array.json" "$d/c/records.json" "$d/c/records.json.gz"
exit 0
