#!/usr/bin/env bash
# backtest_fast_docs.sh — `hardengen test --events` with the reader's fast
# path for documents (the default) against the checked reader
# (HARDENGEN_READ=checked): stdout, stderr and exit status byte-identical
# over the data sets as Records files and arrays, plain, gzip and
# pretty-printed, and over damaged documents: a bad record in the middle of
# a gzip Records file, a truncated gzip, trailing garbage, elements that are
# not objects, a document followed by another, escapes; -j 1 against -j 4.
. "$(dirname "$0")/lib.sh"
name=backtest_fast_docs
ds=$HG_DATA/datasets/cloudtrail
if [ ! -r "$ds/panther/events.jsonl" ]; then skip $name "data sets not found"; exit 0; fi
need_tool $name python3 || exit 0
if ! "$HG_BIN" test --env prod --root "$HG_TOP" >/dev/null 2>&1; then
  skip $name "hardengen test --env prod does not run"; exit 0
fi
d=$(tmpdir)
in=$d/in
mkdir -p "$in/plain" "$in/gz" "$in/pretty" "$in/bad"
cp "$ds"/invictus-ir/CloudTrail/* "$ds"/stratus-red-team/detonation-logs/*.json "$in/plain/"
for f in "$in"/plain/*; do gzip -c "$f" > "$in/gz/$(basename "$f").gz"; done
python3 - "$in" <<'PY'
import glob, gzip, json, os, sys
top = sys.argv[1]
files = sorted(glob.glob(top + "/plain/*"))
for f in files:
    doc = json.load(open(f))
    with open(top + "/pretty/" + os.path.basename(f), "w") as o:
        json.dump(doc, o, indent=2)
recs = []
for f in files:
    doc = json.load(open(f))
    recs += doc["Records"] if isinstance(doc, dict) else doc
recs = [r for r in recs if isinstance(r, dict)][:60]
def compact(v):
    return json.dumps(v, separators=(",", ":"))
def gz(name, text):
    with open(top + "/bad/" + name, "wb") as o:
        o.write(gzip.compress(text.encode()))
body = [compact(r) for r in recs]
# a bad record in the middle of a gzip Records file
bad = body[:]
bad[30] = bad[30][:-1] + ',"x":tru}'
gz("middle.json.gz", '{"Records":[' + ",".join(bad) + "]}")
# a truncated gzip, and trailing garbage after one
whole = gzip.compress(('{"Records":[' + ",".join(body) + "]}").encode())
open(top + "/bad/truncated.json.gz", "wb").write(whole[: len(whole) // 2])
open(top + "/bad/garbage.json.gz", "wb").write(whole + b"garbage")
# elements that are not objects, among good ones
gz("notobj.json.gz", '{"Records":[' + ",".join(body[:5] + ["2", '"x"', "null"] + body[5:9] + ["[1]"]) + "]}")
# documents one after the other, and one that breaks off the file
gz("several.json.gz", '{"Records":[' + ",".join(body[:7]) + ']}{"Records":[' + ",".join(body[7:12]) + ']}\n[' + ",".join(body[12:14]) + "]")
gz("several-bad.json.gz", '{"Records":[' + ",".join(body[:3]) + ']}[' + ",".join(body[3:6]) + ",{]")
# escapes, brackets and quotes inside strings, spaces inside one record
esc = [dict(recs[0], userAgent='a"]}\\\\" [{ \\u00e9 \u00e9 \\'), dict(recs[1], eventName="\\\"")]
gz("escapes.json.gz", '{"Records":[' + ",".join(compact(r) for r in esc) + "," + json.dumps(recs[2]) + "]}")
PY
ok=1
for fmt in text json; do
  capture "$d/c$fmt" env HARDENGEN_READ=checked "$HG_BIN" test --env prod --root "$HG_TOP" --events "$in" -j 1 --format $fmt
  capture "$d/f$fmt" "$HG_BIN" test --env prod --root "$HG_TOP" --events "$in" -j 1 --format $fmt
  same_capture $name "fast against checked ($fmt)" "$d/c$fmt" "$d/f$fmt" || ok=0
  capture "$d/j$fmt" "$HG_BIN" test --env prod --root "$HG_TOP" --events "$in" -j 4 --format $fmt
  same_capture $name "fast -j 4 against -j 1 ($fmt)" "$d/f$fmt" "$d/j$fmt" || ok=0
done
# the damage was seen: each bad file named, the good records counted
for f in middle truncated garbage notobj several-bad; do
  grep -Eq "/$f.json.gz(:[0-9]+)?: warning: " "$d/ftext.err" || { fail $name "no warning for $f.json.gz"; ok=0; }
done
grep -q '"events":' "$d/fjson.out" || { fail $name "no result: $(head -3 "$d/fjson.err")"; ok=0; }
"$HG_BIN" test --env prod --root "$HG_TOP" --events "$in" -j 1 >/dev/null 2>&1
HARDENGEN_READ=sometimes "$HG_BIN" test --env prod --root "$HG_TOP" --events "$in" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || { fail $name "HARDENGEN_READ=sometimes: exit $rc, want 2"; ok=0; }
[ $ok = 1 ] && pass $name
exit 0
