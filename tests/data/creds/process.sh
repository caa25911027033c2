#!/bin/sh
# A credential_process for tests/sh/creds.sh. MODE (first argument):
#   ok       print credentials (PROC_AK, PROC_SK, PROC_TOKEN, PROC_EXP) as JSON
#            Version 1, and the secret on stderr (it must not be echoed)
#   fail     print a message and the secret on stderr, exit 3
#   hang     start a child that sleeps, and sleep (must be killed)
#   garbage  print text that is not JSON
#   version2 print JSON with "Version": 2
# Each run appends a line to PROC_COUNT when it is set.
[ -n "${PROC_COUNT:-}" ] && echo run >>"$PROC_COUNT"
case $1 in
ok)
  echo "issuing credentials, secret $PROC_SK" >&2
  if [ -n "${PROC_TOKEN:-}" ]; then
    printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s", "Expiration": "%s"}\n' \
      "$PROC_AK" "$PROC_SK" "$PROC_TOKEN" "$PROC_EXP"
  else
    printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\n' "$PROC_AK" "$PROC_SK"
  fi
  ;;
fail)
  echo "token service unreachable; last secret was wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12" >&2
  exit 3
  ;;
hang)
  sleep 300 &
  sleep 300
  ;;
garbage)
  echo "hello, this is not JSON"
  ;;
version2)
  echo '{"Version": 2, "AccessKeyId": "AKIAEXAMPLE", "SecretAccessKey": "x"}'
  ;;
esac
