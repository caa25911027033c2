#!/usr/bin/env bash
# sql_golden.sh — `hardengen sql` output for fixed cases equals
# tests/golden/sql/NAME.{sql,stderr,status} (HG_GOLDEN_UPDATE=1 rewrites
# them), and every query DuckDB's parser accepts: DuckDB queries as they
# are; Athena queries after spelling Trino's ARRAY(JSON) type as JSON[], the
# one type name the two dialects write differently (json_serialize_sql
# parses without binding, so Trino-only functions are fine).
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
export HARDENGEN_SHARE=.
update=${HG_GOLDEN_UPDATE:-}
want=tests/golden/sql
work=$(tmpdir)
inputs=tests/sql/inputs
ct=tests/data/datasets/cloudtrail/invictus-ir/CloudTrail

# One case per line: NAME~ARG~ARG~... (fields separated by '~').
cases() {
  cat <<CASES
prod-athena~--env~prod
prod-athena-where~--env~prod~--table~security.cloudtrail_logs~--where~"timestamp" >= '2024/01/01' AND "timestamp" < '2024/02/01'
dev-athena~--env~dev~--table~ct
prod-duckdb~--env~prod~--dialect~duckdb~--events~$ct/*.json~ct/*.jsonl.gz
hostile-athena~--env~hostile~--root~$inputs
hostile-duckdb~--env~hostile~--root~$inputs~--dialect~duckdb~--events~it's.jsonl
rawtext-duckdb~--env~rawtext~--root~$inputs~--dialect~duckdb~--events~ct.jsonl
rawtext-athena~--env~rawtext~--root~$inputs
athena-constructs~--pattern~{ \$.requestParameters.bucketName = "b" && \$.resources[0].ARN = "arn:*" && \$.resources[*].type != "AWS::S3::Object" && \$.readOnly IS TRUE && \$.userIdentity.sessionContext.attributes.mfaAuthenticated = "false" && \$.eventName.x NOT EXISTS && \$.requestParameters.items[*].size > 10 }
athena-untranslatable~--pattern~{ \$.errorCode IS NULL }~--pattern~{ \$.requestParameters NOT EXISTS }~--pattern~{ \$.managementEvent IS TRUE }~--pattern~{ \$.* = x }~--pattern~{ \$.userIdentity.* = x }~--pattern~[ip, user, status = 4*]~--pattern~ERROR~--pattern~%ERR.R%
duckdb-constructs~--pattern~{ \$.a[*].b = "x*" || \$.n >= 1.5e3 || \$.s = %^[45]\d\d\$% || \$.z IS NULL || \$.o.* NOT EXISTS }~--pattern~?ERROR ?WARN~--pattern~%[^a]b%~--dialect~duckdb~--events~x.jsonl
duckdb-untranslatable~--pattern~[ip, user, status = 4*]~--dialect~duckdb~--events~x.jsonl
bad-table~--env~prod~--table~x;drop
bad-where~--env~prod~--where~1=1) OR (1=1
CASES
}

have_duck=0
if command -v node >/dev/null 2>&1 && [ -d "${HG_DUCKDB_DIR:-build/node}/node_modules/@duckdb/node-api" ]; then
  have_duck=1
fi
[ -n "$update" ] && mkdir -p "$want"
while IFS='~' read -r -a fields; do
  name=${fields[0]}
  args=("${fields[@]:1}")
  "$HG_BIN" sql "${args[@]}" >"$work/$name.sql" 2>"$work/$name.stderr"
  echo $? >"$work/$name.status"
  if [ -n "$update" ]; then
    cp "$work/$name.sql" "$work/$name.stderr" "$work/$name.status" "$want/"
    pass "sql-golden-$name (updated)"
    continue
  fi
  ok=1
  for ext in sql stderr status; do
    if [ ! -e "$want/$name.$ext" ]; then
      fail "sql-golden-$name" "no $want/$name.$ext (run make golden-update)"; ok=0; break
    fi
    if ! cmp -s "$want/$name.$ext" "$work/$name.$ext"; then
      diff -u "$want/$name.$ext" "$work/$name.$ext" | head -30
      fail "sql-golden-$name" "$ext differs from $want/$name.$ext"; ok=0; break
    fi
  done
  [ $ok = 1 ] || continue
  if [ -s "$work/$name.sql" ]; then
    if [ $have_duck = 1 ]; then
      sed 's/ARRAY(JSON)/JSON[]/g' "$work/$name.sql" >"$work/$name.parse.sql"
      if ! node tools/duckdb-query.cjs --parse "$work/$name.parse.sql" 2>"$work/perr"; then
        fail "sql-golden-$name" "DuckDB does not parse it: $(cat "$work/perr")"; continue
      fi
      pass "sql-golden-$name (DuckDB parses it)"
    else
      pass "sql-golden-$name (not parsed: DuckDB is not installed, make deps)"
    fi
  else
    pass "sql-golden-$name"
  fi
done < <(cases)
exit 0
