#!/usr/bin/env bash
# preflight_lambda.sh — the preflight audit handler (share/lambda/preflight.py)
# under unittest: moto's mock_aws for the AWS calls, a loopback HTTP server
# as the ResponseURL. tests/lambda/test_preflight.py prints one PASS/FAIL
# line per test case.
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
need_tool preflight-lambda python3 || exit 0
if ! python3 -c 'import boto3, moto' 2>/dev/null; then
  if [ "${CI:-}" = true ]; then
    fail preflight-lambda "python3 cannot import boto3 and moto (required under CI)"
  else
    skip preflight-lambda "python3 cannot import boto3 and moto"
  fi
  exit 0
fi
out=$(HG_TOP=$HG_TOP python3 tests/lambda/test_preflight.py 2>&1)
status=$?
printf '%s\n' "$out" | grep -E '^(PASS|FAIL) '
if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
  fail preflight-lambda "the test program exited with status $status: $(printf '%s\n' "$out" | tail -3)"
fi
n=$(printf '%s\n' "$out" | grep -c '^PASS ')
if [ "$n" -lt 40 ]; then
  fail preflight-lambda-count "only $n test cases passed; expected every case of tests/lambda/test_preflight.py to run"
fi
exit 0
