#!/usr/bin/env bash
# preflight_build.sh — the preflight stack as `build` emits it: the shipped
# handler inlined byte for byte and valid Python; a missing or empty
# handler is an error that writes nothing; `preflight: false` needs no
# handler at all.
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
T=$(tmpdir)

# The inlined code is the shipped file, and it compiles.
if ! "$HG_BIN" build --env prod --out "$T/out" >/dev/null 2>"$T/err"; then
  fail preflight-build-inline "build --env prod failed: $(head -3 "$T/err")"
elif ! need_tool preflight-build-inline python3; then
  :
elif out=$(python3 - "$T/out/prod/preflight.global.yaml" share/lambda/preflight.py 2>&1 <<'PY'
import sys, yaml
t = yaml.safe_load(open(sys.argv[1]))
code = t["Resources"]["PreflightFunction"]["Properties"]["Code"]["ZipFile"]
assert code == open(sys.argv[2]).read(), "ZipFile differs from the shipped handler"
compile(code, "index.py", "exec")
fn = t["Resources"]["PreflightFunction"]["Properties"]
cr = t["Resources"]["Preflight"]["Properties"]
assert fn["Handler"] == "index.handler" and fn["Runtime"] == "python3.12", fn
assert 2 * fn["Timeout"] <= cr["ServiceTimeout"], (fn["Timeout"], cr["ServiceTimeout"])
PY
); then
  pass preflight-build-inline
else
  fail preflight-build-inline "$out"
fi

# A share folder without the handler: the build fails with a diagnostic and
# leaves out/ alone. The binary is copied away from the source tree so it
# cannot find share/lambda beside itself.
mkdir -p "$T/bin" "$T/share" "$T/out2"
cp "$HG_BIN" "$T/bin/hardengen"
cp -r filters templates "$T/share/"
cp share/iam-actions.txt "$T/share/"
HARDENGEN_SHARE=$T/share "$T/bin/hardengen" build --env prod --out "$T/out2" >/dev/null 2>"$T/err2"
status=$?
if [ $status -ne 1 ]; then
  fail preflight-build-missing "exit status $status, expected 1: $(head -3 "$T/err2")"
elif ! grep -q "error: cannot find the Lambda handler lambda/preflight.py \[lambda-missing\]" "$T/err2"; then
  fail preflight-build-missing "unexpected message: $(head -3 "$T/err2")"
elif [ -e "$T/out2/prod" ]; then
  fail preflight-build-missing "out/prod was written"
else
  pass preflight-build-missing
fi

# An empty handler file.
mkdir -p "$T/share/lambda"
: >"$T/share/lambda/preflight.py"
HARDENGEN_SHARE=$T/share "$T/bin/hardengen" build --env prod --out "$T/out2" >/dev/null 2>"$T/err3"
status=$?
if [ $status -ne 1 ] || ! grep -q "lambda/preflight.py: error: the Lambda handler preflight.py is empty \[lambda-empty\]" "$T/err3"; then
  fail preflight-build-empty "exit status $status: $(head -3 "$T/err3")"
else
  pass preflight-build-empty
fi

# preflight: false needs no handler.
rm -rf "$T/share/lambda"
if HARDENGEN_SHARE=$T/share "$T/bin/hardengen" build --env no-preflight --root tests/golden/inputs \
  --out "$T/out3" >/dev/null 2>"$T/err4" && [ ! -e "$T/out3/no-preflight/preflight.global.yaml" ] &&
  ! grep -q Preflight "$T/out3/no-preflight/security.global.yaml"; then
  pass preflight-build-off
else
  fail preflight-build-off "$(head -3 "$T/err4")"
fi
