#!/usr/bin/env bash
# sql_escape.sh — no input changes the structure of a `hardengen sql` query:
#   - hostile strings as pattern values, member names and regexes give, once
#     every SQL string literal is blanked, the same query as a plain value;
#   - the hostile env (profile vars with quotes, comment markers, LIKE
#     characters, non-ASCII) and the rawtext env run under DuckDB over
#     tests/data/sql/hostile.jsonl and count exactly what `test --events` counts;
#   - a bad --table or --where is refused.
. "$(dirname "$0")/lib.sh"
name=sql_escape
cd "$HG_TOP" || exit 1
export HARDENGEN_SHARE=.
d=$(tmpdir)

# Blank every '...' literal ('' inside one included).
blank() { sed -E "s/'([^']|'')*'/''/g" "$1"; }

shape() { # PATTERN DIALECT -> stripped query on stdout
  local extra=()
  [ "$2" = duckdb ] && extra=(--events x.jsonl)
  "$HG_BIN" sql --pattern "$1" --dialect "$2" "${extra[@]}" >"$d/q" 2>"$d/err" || return 1
  blank "$d/q"
}

ok=1
# (no '*' at either end and not only number characters: those change the
# comparison itself, by design)
hostile=("x' OR '1'='1" "a''b" "a--" "/*x" "x*/" ";" "%" "_" "\\\\" "\\\"" "é" "' || chr(39) || '" "\$1" "?")
for dialect in athena duckdb; do
  for sel in '$.eventName' '$.requestParameters.k' '$.requestParameters.k[*].v'; do
    base=$(shape "{ $sel = \"plain\" }" $dialect) || { fail $name "plain $sel: $(cat "$d/err")"; ok=0; continue; }
    for h in "${hostile[@]}"; do
      got=$(shape "{ $sel = \"$h\" }" $dialect) || { fail $name "$dialect $sel = \"$h\": $(head -2 "$d/err")"; ok=0; continue; }
      if [ "$got" != "$base" ]; then
        fail $name "$dialect: the value \"$h\" of $sel changes the query's structure"; ok=0
      fi
    done
  done
  # member names
  base=$(shape "{ \$.requestParameters.['plain'] = 1 }" $dialect)
  for h in "x' OR '1'='1" "a''b" "--x" "a.b" "a;b" "/*x*/"; do
    got=$(shape "{ \$.requestParameters.['$h'] = 1 }" $dialect) || { fail $name "member $h: $(head -2 "$d/err")"; ok=0; continue; }
    [ "$got" = "$base" ] || { fail $name "$dialect: the member name '$h' changes the query's structure"; ok=0; }
  done
done
# term and regex patterns (DuckDB)
base=$(shape '"plain" -"other"' duckdb)
for h in "x' OR '1'='1" "--" "/*" ";" "%_"; do
  got=$(shape "\"$h\" -\"other\"" duckdb) || { fail $name "term $h: $(head -2 "$d/err")"; ok=0; continue; }
  [ "$got" = "$base" ] || { fail $name "the term \"$h\" changes the query's structure"; ok=0; }
done
[ $ok = 1 ] && pass "$name: hostile values, member names and terms keep the query's structure"

# refused options
"$HG_BIN" sql --env prod --table "t where 1=1" >/dev/null 2>"$d/err"
[ $? = 1 ] && grep -q sql-bad-table "$d/err" && pass "$name: a bad --table is refused" ||
  fail $name "--table 't where 1=1' was not refused: $(head -1 "$d/err")"
bad=0
for w in "1=1; DROP TABLE t" "1=1 -- c" "1=1 /* c */" "(1=1" "1=1)" "x = 'open" "1=1) OR (1=1"; do
  if "$HG_BIN" sql --env prod --where "$w" >/dev/null 2>"$d/err" || ! grep -q sql-bad-where "$d/err"; then
    fail $name "--where \"$w\" was not refused"; bad=1
  fi
done
"$HG_BIN" sql --env prod --where "\"timestamp\" >= '2024/01/01' AND x = 'a;b--c)'" >/dev/null 2>"$d/err" ||
  { fail $name "a fine --where was refused: $(head -1 "$d/err")"; bad=1; }
[ $bad = 0 ] && pass "$name: --where must be one balanced predicate without ';' or comments"

# semantics under DuckDB
if ! command -v node >/dev/null 2>&1 || [ ! -d "${HG_DUCKDB_DIR:-build/node}/node_modules/@duckdb/node-api" ]; then
  if [ "${CI:-}" = true ]; then fail $name "DuckDB is not installed (make deps)"
  else skip $name "DuckDB (@duckdb/node-api) is not installed in build/node: run make deps"; fi
  exit 0
fi
for env in hostile rawtext; do
  "$HG_BIN" sql --env $env --root tests/sql/inputs --dialect duckdb --events "$HG_DATA/sql/hostile.jsonl" >"$d/q.sql" 2>"$d/err" ||
    { fail "$name $env" "hardengen sql: $(head -2 "$d/err")"; continue; }
  if ! node tools/duckdb-query.cjs "$d/q.sql" >"$d/out.tsv" 2>"$d/err"; then
    fail "$name $env" "DuckDB: $(head -2 "$d/err")"; continue
  fi
  awk -F'\t' '$2 == "NULL" { print $1, $3 }' "$d/out.tsv" >"$d/got"
  "$HG_BIN" test --env $env --root tests/sql/inputs --events "$HG_DATA/sql/hostile.jsonl" --format json 2>/dev/null |
    jq -r '.filters[] | "\(.id) \(.matches)"' >"$d/want"
  if [ -s "$d/want" ] && diff "$d/want" "$d/got" >"$d/diff"; then
    pass "$name $env: DuckDB counts equal test --events ($(awk '{ s += $2 } END { print s }' "$d/got") matches)"
  else
    fail "$name $env" "counts differ (want < > got): $(head -6 "$d/diff" | tr '\n' ' ')"
  fi
done
# A regex with '.' over non-ASCII text: the query stops and names the filter.
"$HG_BIN" sql --pattern '%Get.b%' --dialect duckdb --events "$HG_DATA/sql/hostile.jsonl" >"$d/q.sql" 2>"$d/err"
if node tools/duckdb-query.cjs "$d/q.sql" >/dev/null 2>"$d/err"; then
  fail "$name" "a byte-level regex over non-ASCII text did not stop the query"
elif grep -q "hardengen: filter 'p1': a regex that can match any byte meets non-ASCII text" "$d/err"; then
  pass "$name: a byte-level regex over non-ASCII text stops the query, naming the filter"
else
  fail "$name" "unexpected DuckDB error: $(head -2 "$d/err")"
fi
exit 0
