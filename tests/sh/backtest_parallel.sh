#!/usr/bin/env bash
# backtest_parallel.sh — differential runs of `hardengen test --events` and
# `hardengen match`: -j 1 against -j 2 and -j 4, and the portable scanner
# against the SIMD one (HARDENGEN_SCAN), over the data sets in every layout
# (Records files, arrays, JSON lines, gzip) plus bad files: stdout and
# stderr must be byte-identical.
. "$(dirname "$0")/lib.sh"
name=backtest_parallel
ds=$HG_DATA/datasets/cloudtrail
if [ ! -r "$ds/panther/events.jsonl" ]; then skip $name "data sets not found"; exit 0; fi
if ! "$HG_BIN" test --env prod --root "$HG_TOP" >/dev/null 2>&1; then
  skip $name "hardengen test --env prod does not run"; exit 0
fi
d=$(tmpdir)
mkdir -p "$d/in/gz" "$d/in/bad"
cp -r "$ds/invictus-ir" "$ds/stratus-red-team" "$ds/panther" "$d/in/"
for f in "$ds"/stratus-red-team/detonation-logs/*.json; do gzip -c "$f" > "$d/in/gz/$(basename "$f").gz"; done
gzip -c "$ds/panther/events.jsonl" > "$d/in/gz/panther.jsonl.gz"
printf '\037\213\010\000\000\000\000\000\000\003not deflate' > "$d/in/bad/corrupt.json.gz"
printf '{"Records":[{"eventName":"x"},' > "$d/in/bad/truncated.json"
printf '{"eventName":"ok"}\nnot json\n{"eventName":"ok2"' > "$d/in/bad/lines.jsonl"
: > "$d/in/bad/empty.json"
ok=1
capture "$d/t1" "$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/in" -j 1 --format json
grep -q '"events":' "$d/t1.out" || { fail $name "no result: $(head -3 "$d/t1.err")"; ok=0; }
for j in 2 4; do
  capture "$d/t$j" "$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/in" -j $j --format json
  same_capture $name "test --events -j $j" "$d/t1" "$d/t$j" || ok=0
done
capture "$d/tt1" "$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/in" -j 1
capture "$d/tt4" "$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/in" --jobs 4
same_capture $name "test --events text -j 4" "$d/tt1" "$d/tt4" || ok=0
for level in portable sse2 avx2; do
  HARDENGEN_SCAN=$level capture "$d/s$level" "$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/in" -j 3 --format json
  same_capture $name "test --events HARDENGEN_SCAN=$level" "$d/t1" "$d/s$level" || ok=0
done
pat='{ ($.eventSource = "iam.amazonaws.com") || ($.errorCode = "*Unauthorized*") || ($.eventName = %^Describe%) }'
capture "$d/m1" "$HG_BIN" match "$pat" "$d/in" -j 1
[ "$(wc -l < "$d/m1.out")" -gt 100 ] || { fail $name "match found too little: $(wc -l < "$d/m1.out")"; ok=0; }
for j in 2 4; do
  capture "$d/m$j" "$HG_BIN" match "$pat" "$d/in" -j$j
  same_capture $name "match -j$j" "$d/m1" "$d/m$j" || ok=0
done
HARDENGEN_SCAN=portable capture "$d/mp" "$HG_BIN" match "$pat" "$d/in" -j 4
same_capture $name "match HARDENGEN_SCAN=portable" "$d/m1" "$d/mp" || ok=0
capture "$d/c1" "$HG_BIN" match AccessDenied "$d/in" -c -j 1
capture "$d/c4" "$HG_BIN" match AccessDenied "$d/in" -c --jobs=4
same_capture $name "match -c" "$d/c1" "$d/c4" || ok=0
"$HG_BIN" match x -j 0 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || { fail $name "-j 0: exit $rc, want 2"; ok=0; }
[ $ok = 1 ] && pass $name
exit 0
