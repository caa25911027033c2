#!/usr/bin/env bash
# events_hostile.sh — `match` and `test --events` on hostile or careless
# input: a FIFO named as input (refused at once, never blocks), an empty
# folder, a gzip bomb of a Records file (bounded memory, every element
# counted), and event fields holding ESC, NUL, C1 controls and invalid
# UTF-8 (escaped or replaced in text, JSON and JSON lines output).
. "$(dirname "$0")/lib.sh"
name=events_hostile
need_tool $name python3 || exit 0
need_tool $name timeout || exit 0
d=$(tmpdir)
ok=1
env_ok=1
"$HG_BIN" test --env prod --root "$HG_TOP" >/dev/null 2>&1 || env_ok=0

# A FIFO nobody writes to.
mkfifo "$d/pipe"
timeout 20 "$HG_BIN" match x "$d/pipe" >"$d/out" 2>"$d/err"; rc=$?
[ $rc -eq 3 ] || { fail $name "match FIFO: exit $rc, want 3"; ok=0; }
grep -q "pipe: error: not a regular file" "$d/err" || { fail $name "match FIFO: $(head -2 "$d/err")"; ok=0; }
if [ $env_ok = 1 ]; then
  timeout 20 "$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/pipe" --format json >"$d/out" 2>"$d/err"; rc=$?
  [ $rc -eq 0 ] || { fail $name "test FIFO: exit $rc, want 0"; ok=0; }
  grep -q "pipe: warning: not a regular file" "$d/err" || { fail $name "test FIFO: $(head -2 "$d/err")"; ok=0; }
  grep -q '"skipped":{"files":1' "$d/out" || { fail $name "test FIFO not counted as skipped"; ok=0; }
fi
# Standard input still works.
printf '{"eventName":"A"}\n' | timeout 20 "$HG_BIN" match '{ $.eventName = "A" }' - >"$d/out" 2>&1
[ "$(cat "$d/out")" = '{"eventName":"A"}' ] || { fail $name "stdin: $(head -2 "$d/out")"; ok=0; }

# An empty folder.
mkdir "$d/empty"
"$HG_BIN" match x "$d/empty" >"$d/out" 2>"$d/err"; rc=$?
[ $rc -eq 1 ] && [ ! -s "$d/out" ] || { fail $name "match empty folder: exit $rc $(head -2 "$d/err")"; ok=0; }
if [ $env_ok = 1 ]; then
  "$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/empty" --format json >"$d/out" 2>"$d/err"; rc=$?
  [ $rc -eq 0 ] && grep -q '"events":0,"files":0' "$d/out" ||
    { fail $name "test empty folder: exit $rc $(head -2 "$d/err")"; ok=0; }
fi

# A gzip bomb: 100 MB of {"Records":[1,1,...]} in about 100 KB.
python3 - "$d/bomb.json.gz" <<'PY'
import gzip, sys
n = 50_000_000
with gzip.open(sys.argv[1], "wb", compresslevel=9) as f:
    f.write(b'{"Records":[1')
    chunk = b",1" * 500_000
    for _ in range(n // 500_000 - 1):
        f.write(chunk)
    f.write(b",1" * (500_000 - 1) + b"]}")
PY
if [ -x /usr/bin/time ] && [ -z "${HG_SANITIZED:-}" ] && [ "$(basename "$(dirname "$HG_BIN")")" != build-check ]; then
  /usr/bin/time -f %M -o "$d/rss" "$HG_BIN" match x "$d/bomb.json.gz" -c >"$d/out" 2>"$d/err"
  rss=$(tail -1 "$d/rss")
  [ "$rss" -lt 65536 ] || { fail $name "gzip bomb: peak RSS $rss KB, want < 64 MB"; ok=0; }
else
  "$HG_BIN" match x "$d/bomb.json.gz" -c >"$d/out" 2>"$d/err"
fi
[ "$(cat "$d/out")" = 0 ] || { fail $name "gzip bomb: $(head -2 "$d/out")"; ok=0; }
grep -q "49999980 more malformed records not shown" "$d/err" ||
  { fail $name "gzip bomb: elements not all counted: $(tail -1 "$d/err")"; ok=0; }

# Event fields with controls and invalid UTF-8.
python3 - "$d/evil.jsonl" <<'PY'
import sys
recs = [
    b'{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z\\u001b[31mRED","eventID":"a\\u0000b",'
    b'"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","x":"\xc2\x9b2J"}',
    b'{"eventVersion":"1.08","eventTime":"2024-01-02T00:00:00Z","eventID":"bad\xff\xfeutf8\xc3",'
    b'"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","y":"\xed\xa0\x80"}',
]
open(sys.argv[1], "wb").write(b"\n".join(recs) + b"\n")
PY
"$HG_BIN" match '{ $.eventName = "StopLogging" }' "$d/evil.jsonl" >"$d/m.out" 2>"$d/err"
python3 - "$d/m.out" <<'PY' || { fail $name "match output: $(cat "$d/py" 2>/dev/null)"; ok=0; }
import json, sys
data = open(sys.argv[1], "rb").read()
text = data.decode("utf-8")              # valid UTF-8
assert "\x1b" not in text and "\x9b" not in text, "raw ESC/CSI"
lines = text.splitlines()
assert len(lines) == 2, lines
a, b = (json.loads(l) for l in lines)    # still JSON
assert a["x"] == "\x9b2J" and "\\u009b" in lines[0], lines[0]
assert b["eventID"] == "bad\ufffd\ufffdutf8\ufffd", b["eventID"]
assert b["y"] == "\ufffd\ufffd\ufffd", b["y"]
PY
if [ $env_ok = 1 ]; then
  "$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/evil.jsonl" --format json >"$d/t.json" 2>/dev/null
  "$HG_BIN" test --env prod --root "$HG_TOP" --events "$d/evil.jsonl" >"$d/t.txt" 2>/dev/null
  python3 - "$d/t.json" "$d/t.txt" <<'PY' || { fail $name "test output not clean"; ok=0; }
import json, sys
doc = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
f = [x for x in doc["filters"] if x["matches"] == 2]
assert f, "no filter matched both events"
x = f[0]
assert x["first"] == "2024-01-01T00:00:00Z\ufffd[31mRED", x["first"]
assert x["samples"] == ["a\ufffdb", "bad\ufffd\ufffdutf8\ufffd"], x["samples"]
txt = open(sys.argv[2], "rb").read()
txt.decode("utf-8")
assert b"\x1b" not in txt and b"\x00" not in txt, "raw ESC or NUL in the text table"
assert "a\ufffdb".encode() in txt
PY
fi
[ $ok = 1 ] && pass $name
exit 0
