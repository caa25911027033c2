#!/usr/bin/env bash
# backtest_cis_counts.sh — the match count of every CIS filter of the prod
# profile on each data set of tests/data, pinned in tests/backtest/expected_counts.txt
# (where each number is explained), and each pinned number checked again
# with the hand-written jq of tests/backtest/cis_counts.jq, which shares no
# code with hardengen's pattern engine.
. "$(dirname "$0")/lib.sh"
name=backtest_cis_counts
ds=$HG_DATA/datasets/cloudtrail
pinned=$HG_TOP/tests/backtest/expected_counts.txt
if [ ! -r "$ds/panther/events.jsonl" ]; then skip $name "data sets not found"; exit 0; fi
need_tool $name jq || exit 0
if ! "$HG_BIN" test --env prod --root "$HG_TOP" >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then fail $name "hardengen test --env prod does not run"; else
    skip $name "hardengen test --env prod does not run yet (profile/Lua modules missing)"; fi
  exit 0
fi
d=$(tmpdir)
ok=1
col=2
# Each data set in another layout: Records files, bare arrays, JSON lines.
for set in invictus-ir:CloudTrail stratus-red-team:detonation-logs panther:events.jsonl; do
  dir=${set%%:*}
  input=$ds/$dir/${set#*:}
  "$HG_BIN" test --env prod --root "$HG_TOP" --events "$input" --format json >"$d/out.json" 2>"$d/err" ||
    { fail $name "$dir: exit $?: $(head -3 "$d/err")"; ok=0; continue; }
  jq -r '.filters[] | select(.cis != null) | "\(.id) \(.matches)"' "$d/out.json" | sort >"$d/ours"
  grep -v '^#' "$pinned" | awk -v c=$col 'NF > 3 {print $1, $c}' | sort >"$d/want"
  jq -n -r -f "$HG_TOP/tests/backtest/cis_counts.jq" "$ds/$dir/events.jsonl" |
    jq -r 'to_entries[] | "\(.key) \(.value)"' | sort >"$d/jq_all"
  # the jq definitions cover every variant; keep the filters the profile emits
  join "$d/want" "$d/jq_all" | awk '{print $1, $3}' >"$d/jq"
  if ! diff -u "$d/want" "$d/ours" >"$d/diff"; then
    fail $name "$dir: hardengen differs from the pinned counts"; sed 's/^/    /' "$d/diff"; ok=0
  fi
  if ! diff -u "$d/want" "$d/jq" >"$d/diff"; then
    fail $name "$dir: the jq cross-check differs from the pinned counts"; sed 's/^/    /' "$d/diff"; ok=0
  fi
  col=$((col + 1))
done
[ $ok = 1 ] && pass $name
exit 0
