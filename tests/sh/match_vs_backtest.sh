#!/usr/bin/env bash
# match_vs_backtest.sh — for every filter the prod profile deploys, the
# number of records `hardengen match PATTERN` finds in the data sets of tests/data
# (whole-record parse) equals the per-filter count of `hardengen test
# --events` (one pruned parse per record for all filters). Two evaluation
# paths over the same engine, so a pruning or selector bug shows up here.
. "$(dirname "$0")/lib.sh"
name=match_vs_backtest
ds=$HG_DATA/datasets/cloudtrail
if [ ! -r "$ds/panther/events.jsonl" ]; then skip $name "data sets not found"; exit 0; fi
need_tool $name jq || exit 0
d=$(tmpdir)
if ! "$HG_BIN" list --env prod --root "$HG_TOP" --format json >"$d/list.json" 2>"$d/err" ||
  [ "$(jq '.filters | length' "$d/list.json")" -eq 0 ]; then
  skip $name "hardengen list --env prod gives no filters yet: $(head -1 "$d/err")"
  exit 0
fi
in=("$ds/invictus-ir/events.jsonl" "$ds/panther/events.jsonl" "$ds/stratus-red-team/events.jsonl")
"$HG_BIN" test --env prod --root "$HG_TOP" --events "${in[@]}" --format json >"$d/bt.json" 2>/dev/null
ok=1
n=0
count=$(jq '.filters | length' "$d/list.json")
for ((i = 0; i < count; i++)); do
  id=$(jq -r ".filters[$i].id" "$d/list.json")
  pattern=$(jq -r ".filters[$i].pattern" "$d/list.json")
  want=$(jq -r --arg id "$id" '.filters[] | select(.id == $id) | .matches' "$d/bt.json")
  got=$("$HG_BIN" match "$pattern" "${in[@]}" -c 2>/dev/null)
  n=$((n + 1))
  if [ -z "$want" ] || [ "$got" != "$want" ]; then
    fail $name "$id: match counts ${got:-nothing}, test --events counts ${want:-nothing}"
    ok=0
  fi
done
[ $ok = 1 ] && pass "$name ($n filters)"
exit 0
