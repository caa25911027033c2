#!/usr/bin/env bash
# events_ahead.sh — differential runs of the sequential reader with and
# without the inflater thread: with more than one CPU, -j 1 inflates the
# next gzip file on a second thread while the current one is scanned;
# pinned to one CPU (taskset -c 0) it reads each file itself. Over good and
# bad gzip files (corrupt, truncated, trailing garbage, multi-member, empty,
# not gzip at all, a folder named .gz) stdout, stderr and the exit status
# must be byte-identical between the two, -j 3 and standard input.
. "$(dirname "$0")/lib.sh"
name=events_ahead
ds=$HG_DATA/datasets/cloudtrail
need_tool $name taskset || exit 0
if [ ! -r "$ds/panther/events.jsonl" ]; then skip $name "data sets not found"; exit 0; fi
if [ "$(nproc)" -lt 2 ]; then skip $name "one CPU: the inflater thread never runs"; exit 0; fi
if ! "$HG_BIN" test --env prod --root "$HG_TOP" >/dev/null 2>&1; then
  skip $name "hardengen test --env prod does not run"; exit 0
fi
d=$(tmpdir)
in=$d/in
mkdir -p "$in/a" "$in/b.gz"
i=0
for f in "$ds"/stratus-red-team/detonation-logs/*.json; do
  i=$((i + 1)); gzip -c "$f" > "$in/a/$(printf '%03d' $i).json.gz"
done
gzip -c "$ds/panther/events.jsonl" > "$in/a/panther.jsonl.gz"
gzip -c "$ds/invictus-ir/events.jsonl" > "$in/a/invictus.jsonl.gz"
# multi-member (cat a.gz b.gz), then the bad ones between good ones
cat "$in/a/panther.jsonl.gz" "$in/a/invictus.jsonl.gz" > "$in/a/100-multi.jsonl.gz"
printf '\037\213\010\000\000\000\000\000\000\003not deflate' > "$in/a/101-corrupt.json.gz"
sz=$(wc -c < "$in/a/panther.jsonl.gz")
head -c $((sz / 2)) "$in/a/panther.jsonl.gz" > "$in/a/102-truncated.jsonl.gz"
head -c $((sz - 3)) "$in/a/panther.jsonl.gz" > "$in/a/103-no-trailer.jsonl.gz"
{ cat "$in/a/001.json.gz"; printf 'garbage'; } > "$in/a/104-trailing.json.gz"
: > "$in/a/105-empty.json.gz"
printf '\037\213' > "$in/a/106-magic-only.json.gz"
printf '{"eventName":"plain","eventSource":"iam.amazonaws.com"}\n' > "$in/a/107-not-gzip.json.gz"
printf '{"Records":[{"eventName":"x"},' | gzip -c > "$in/a/108-bad-json.json.gz"
gzip -c "$ds/panther/events.jsonl" > "$in/b.gz/in-folder.jsonl.gz"
ok=1
t=("$HG_BIN" test --env prod --root "$HG_TOP" --format json --events)
capture "$d/ahead" "${t[@]}" "$in" -j 1
capture "$d/pinned" taskset -c 0 "${t[@]}" "$in" -j 1
capture "$d/j3" "${t[@]}" "$in" -j 3
grep -q '"events":' "$d/ahead.out" || { fail $name "no result: $(head -3 "$d/ahead.err")"; ok=0; }
# every bad file was seen and reported
for f in 101-corrupt 102-truncated 103-no-trailer 104-trailing 105-empty 108-bad-json; do
  grep -q "$f" "$d/ahead.err" || { fail $name "no warning for $f"; ok=0; }
done
same_capture $name "test -j 1: inflater against pinned" "$d/pinned" "$d/ahead" || ok=0
same_capture $name "test -j 1 against -j 3" "$d/ahead" "$d/j3" || ok=0
# each file alone: named (the inflater prepares the first file too),
# pinned, and on standard input (never prepared): the same stdout, and the
# same warnings but for the file's name
for f in "$in"/a/*.gz; do
  b=$(basename "$f")
  capture "$d/f-$b" "${t[@]}" "$f" -j 1
  capture "$d/p-$b" taskset -c 0 "${t[@]}" "$f" -j 1
  same_capture $name "$b: inflater against pinned" "$d/p-$b" "$d/f-$b" || ok=0
  capture "$d/s-$b" "${t[@]}" - < "$f"
  sed "s|$f|<stdin>|g" "$d/f-$b.err" > "$d/f-$b.err.named"
  mv "$d/f-$b.err.named" "$d/n-$b.err"; cp "$d/f-$b.out" "$d/n-$b.out"; cp "$d/f-$b.rc" "$d/n-$b.rc"
  same_capture $name "$b: named against standard input" "$d/n-$b" "$d/s-$b" || ok=0
done
pat='{ ($.eventSource = "iam.amazonaws.com") || ($.errorCode = "*Unauthorized*") }'
capture "$d/m-ahead" "$HG_BIN" match "$pat" "$in" -j 1
capture "$d/m-pinned" taskset -c 0 "$HG_BIN" match "$pat" "$in" -j 1
[ "$(wc -l < "$d/m-ahead.out")" -gt 10 ] || { fail $name "match found too little"; ok=0; }
same_capture $name "match -j 1: inflater against pinned" "$d/m-pinned" "$d/m-ahead" || ok=0
[ $ok = 1 ] && pass $name
