#!/usr/bin/env bash
# detective_lambda.sh — the detective controls Lambda (share/lambda/detective.py)
# under Python's unittest with moto's mock_aws: one PASS/FAIL line per test
# case of tests/lambda/test_detective.py. Needs python3 with boto3, moto and
# PyYAML: without them the cases are SKIPped (FAIL under CI=true).
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
need_tool detective_lambda python3 || exit 0
if ! missing=$(python3 -c 'import boto3, moto, yaml; from moto import mock_aws' 2>&1); then
  why="python3 lacks boto3/moto/PyYAML: $(printf '%s' "$missing" | tail -1)"
  if [ "${CI:-}" = true ]; then fail detective_lambda "$why"; else skip detective_lambda "$why"; fi
  exit 0
fi
# Keep the caller's AWS configuration and credentials out of the tests.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export PYTHONDONTWRITEBYTECODE=1
T=$(tmpdir)
# The tables come from the compiled central template of a test env: the
# central account of tests/golden/detective-root, with the default table and
# role names the fixture data and the handler tests are written for.
cp -r tests/golden/detective-root "$T/root"
sed -i -e '/^    rules_table:/d' -e '/^    exceptions_table:/d' -e '/^    reader_role:/d' "$T/root/profiles"/*.yaml
if [ -x "$HG_BIN" ] && HARDENGEN_SHARE=$HG_TOP "$HG_BIN" build --env security --root "$T/root" \
  --out "$T/build" >/dev/null 2>&1 && [ -f "$T/build/security/central.global.yaml" ]; then
  export HG_DETECTIVE_CENTRAL=$T/build/security/central.global.yaml
  pass detective_lambda.central_from_build
else
  fail detective_lambda.central_from_build "cannot build tests/golden/detective-root with $HG_BIN"
fi
python3 tests/lambda/test_detective.py --lines > "$T/out" 2> "$T/err"
status=$?
cat "$T/out"
if [ "$status" -ne 0 ] && ! grep -q '^FAIL' "$T/out"; then
  fail detective_lambda "the test runner exited with status $status: $(tail -1 "$T/err")"
  tail -20 "$T/err"
fi
# The central template fixture the tables come from must itself be clean.
if need_tool detective_lambda.fixture_cfnlint cfn-lint; then
  if out=$(cfn-lint -- tests/lambda/fixtures/central.global.yaml 2>&1); then
    pass detective_lambda.fixture_cfnlint
  else
    fail detective_lambda.fixture_cfnlint "cfn-lint reported findings on tests/lambda/fixtures/central.global.yaml"
    printf '%s\n' "$out" | head -20
  fi
fi
