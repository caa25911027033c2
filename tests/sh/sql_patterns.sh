#!/usr/bin/env bash
# sql_patterns.sh — every pattern of tests/patterns/*.test that parses either
# translates to DuckDB SQL or gets the documented diagnostic
# (sql-untranslatable: space-delimited patterns), and every translated
# pattern counts, over all the JSON-object events of all the cases, exactly
# the records `hardengen match` counts. Each pattern meets every event, not
# only its own case's. A query DuckDB stops with "hardengen: filter ..."
# (a record SQL cannot answer exactly) is reported by name and not counted.
. "$(dirname "$0")/lib.sh"
name=sql_patterns
need_tool $name node || exit 0
need_tool $name jq || exit 0
duckdir=${HG_DUCKDB_DIR:-$HG_TOP/build/node}
if [ ! -d "$duckdir/node_modules/@duckdb/node-api" ]; then
  if [ "${CI:-}" = true ]; then fail $name "DuckDB is not installed in $duckdir (make deps)"
  else skip $name "DuckDB (@duckdb/node-api) is not installed in $duckdir: run make deps"; fi
  exit 0
fi
export HG_DUCKDB_DIR=$duckdir
d=$(tmpdir)
ev=$d/events.jsonl
: >"$d/cand"
pats=()
for f in "$HG_TOP"/tests/patterns/*.test; do
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      "pattern") pats+=("") ;;
      "pattern "*) pats+=("${line#pattern }") ;;
      "event "*)
        printf '%s\n' "${line#event }" >>"$d/cand" ;;
    esac
  done <"$f"
done
# keep the events that are JSON objects, byte for byte
jq -R 'try (fromjson | type == "object") catch false' "$d/cand" | paste - "$d/cand" |
  sed -n 's/^true\t//p' >"$ev"
nev=$(wc -l <"$ev")
ok=1
ntr=0 ndiag=0 nparse=0
tr=()
declare -A seen
for p in "${pats[@]}"; do
  [ -n "${seen["x$p"]:-}" ] && continue
  seen["x$p"]=1
  "$HG_BIN" sql --pattern "$p" --dialect duckdb --events "$ev" >"$d/one.sql" 2>"$d/one.err"
  rc=$?
  case $rc in
    0) tr+=("$p"); ntr=$((ntr + 1)) ;;
    1)
      if grep -q 'sql-untranslatable' "$d/one.err" && grep -q 'space-delimited pattern' "$d/one.err"; then
        ndiag=$((ndiag + 1))
      else
        fail $name "pattern $p: unexpected diagnostic: $(head -3 "$d/one.err")"; ok=0
      fi ;;
    2) nparse=$((nparse + 1)) ;; # an error case of the conformance suite
    *) fail $name "pattern $p: exit $rc: $(head -3 "$d/one.err")"; ok=0 ;;
  esac
done
# One query for every translated pattern; a pattern the query stops on is
# dropped (and named) and the query run again.
refused=()
for attempt in 1 2 3 4 5 6 7 8; do
  args=()
  for p in "${tr[@]}"; do args+=(--pattern "$p"); done
  "$HG_BIN" sql "${args[@]}" --dialect duckdb --events "$ev" >"$d/all.sql" 2>"$d/all.err" ||
    { fail $name "batch translation failed: $(head -3 "$d/all.err")"; ok=0; break; }
  if node "$HG_TOP/tools/duckdb-query.cjs" "$d/all.sql" >"$d/all.tsv" 2>"$d/run.err"; then
    break
  fi
  k=$(sed -n "s/.*hardengen: filter 'p\([0-9]*\)'.*/\1/p" "$d/run.err" | head -1)
  if [ -z "$k" ]; then
    fail $name "DuckDB: $(head -3 "$d/run.err")"; ok=0; break
  fi
  refused+=("${tr[$((k - 1))]}")
  unset "tr[$((k - 1))]"
  tr=("${tr[@]}")
done
if [ $ok = 1 ]; then
  i=0
  for p in "${tr[@]}"; do
    i=$((i + 1))
    want=$("$HG_BIN" match -c -- "$p" "$ev" 2>/dev/null)
    got=$(awk -F'\t' -v id="p$i" '$1 == id && $2 == "NULL" { print $3 }' "$d/all.tsv")
    if [ "$got" != "$want" ]; then
      fail $name "pattern $p: SQL counts ${got:-nothing}, match counts $want (of $nev events)"
      ok=0
    fi
  done
fi
for p in "${refused[@]}"; do echo "     note: the query stops on these events for pattern $p"; done
[ $ok = 1 ] && pass "$name ($ntr patterns agree with match over $nev events; $ndiag space-delimited diagnosed; ${#refused[@]} stopped; $nparse invalid skipped)"
exit 0
