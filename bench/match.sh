#!/usr/bin/env bash
# bench/match.sh — `hardengen match` against grep, measured in one run on one
# core (taskset -c 0).
#
#   bench/match.sh            (from the source tree, after `make`)
#
# 1. Pathological regex: %a*a*a*a*a*a*a*b% over 200 lines of 100 KB of 'a'
#    (no match), against `grep -cE` (a DFA, the floor). A backtracking
#    engine does not finish this; the NFA simulation is linear.
# 2. Terms: `AccessDenied -s3.amazonaws.com` over the data sets' (tests/data)
#    JSON lines (x20), against `grep -F AccessDenied | grep -vcF s3...`.
# Reports seconds and our time as a multiple of grep's; counts must agree.
set -eu
cd "$(dirname "$0")/.."
bin=$PWD/hardengen
data=${HG_DATA:-$PWD/tests/data}
out=$PWD/build/bench
mkdir -p "$out"
for t in grep taskset python3; do
  command -v "$t" >/dev/null || { echo "match bench: $t is not installed; skipped"; exit 0; }
done
[ -x "$bin" ] || { echo "match bench: build ./hardengen first (make)"; exit 1; }

secs() { # command... -> elapsed seconds on stdout, command output in $out/last
  local s e
  s=$(date +%s.%N)
  taskset -c 0 "$@" > "$out/last" 2>/dev/null || true
  e=$(date +%s.%N)
  python3 -c "print(f'{$e - $s:.3f}')"
}

python3 - "$out/aaa.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(200):
        f.write(json.dumps({"eventName": "x", "v": "a" * 100000}) + "\n")
PY
t1=$(secs "$bin" match '%a*a*a*a*a*a*a*b%' "$out/aaa.jsonl" -c); c1=$(cat "$out/last")
t2=$(secs grep -cE 'a*a*a*a*a*a*a*b' "$out/aaa.jsonl"); c2=$(cat "$out/last")
echo "regex %a*a*a*a*a*a*a*b% on 200 x 100 KB: hardengen ${t1}s ($c1), grep -E ${t2}s ($c2)," \
  "ratio $(python3 -c "print(f'{$t1 / max($t2, 0.001):.1f}x')")"

ds=$data/datasets/cloudtrail
if [ -r "$ds/panther/events.jsonl" ]; then
  for i in $(seq 20); do cat "$ds"/*/events.jsonl; done > "$out/x20.jsonl"
  t3=$(secs "$bin" match 'AccessDenied -s3.amazonaws.com' "$out/x20.jsonl" -c); c3=$(cat "$out/last")
  s=$(date +%s.%N)
  c4=$(taskset -c 0 grep -F AccessDenied "$out/x20.jsonl" | taskset -c 0 grep -vcF s3.amazonaws.com || true)
  e=$(date +%s.%N)
  t4=$(python3 -c "print(f'{$e - $s:.3f}')")
  echo "terms on $(wc -l < "$out/x20.jsonl") records: hardengen ${t3}s ($c3), grep ${t4}s ($c4)," \
    "ratio $(python3 -c "print(f'{$t3 / max($t4, 0.001):.1f}x')")"
  [ "$c3" = "$c4" ] || echo "match bench: counts differ"
fi
