#!/usr/bin/env bash
# detective_bad_input.sh — bad exceptions and detective: blocks through the
# CLI: exit status 1, the file:line:col diagnostic with its caret, and the
# previous out/ENV/ left as it was (SPEC §9).
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
export HARDENGEN_SHARE=$HG_TOP
T=$(tmpdir)
ROOT=$T/root
cp -r tests/golden/detective-root "$ROOT"
cp -r tests/golden/detective-root "$T/pristine"
OUT=$T/out
if ! "$HG_BIN" build --env security --root "$ROOT" --out "$OUT" >/dev/null 2>"$T/err"; then
  fail detective-bad-setup "the fixture does not build: $(head -3 "$T/err")"
  exit 0
fi
before=$(cd "$OUT/security" && sha256sum * | sha256sum)

# expect NAME -- then the file's new content on stdin; the build must fail
# with stderr containing each line of WANT.
expect() {
  local name=$1 file=$2 want=$3
  cat >"$ROOT/$file"
  "$HG_BIN" build --env security --root "$ROOT" --out "$OUT" >"$T/out.txt" 2>"$T/err"
  local st=$?
  local after
  after=$(cd "$OUT/security" && sha256sum * | sha256sum)
  if [ $st -ne 1 ]; then
    fail "$name" "exit status $st, expected 1: $(head -3 "$T/err")"
  elif ! grep -qF -- "$want" "$T/err"; then
    fail "$name" "no '$want' in: $(head -4 "$T/err")"
  elif [ "$after" != "$before" ]; then
    fail "$name" "out/security changed after a failed build"
  else
    pass "$name"
  fi
  if [ -e "$T/pristine/$file" ]; then cp "$T/pristine/$file" "$ROOT/$file"; else rm -f "$ROOT/$file"; fi
}

expect detective-bad-unknown-rule exceptions/extra.yaml "$ROOT/exceptions/extra.yaml:1:9: error: unknown rule 'restricted-shh' [exception-unknown-rule]" <<'EOF'
- rule: restricted-shh
  arn: arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1
  reason: typo
  approved_by: secops@example.com
  expires: 2099-01-01
EOF
grep -q "note: did you mean 'restricted-ssh'?" "$T/err" && pass detective-bad-did-you-mean ||
  fail detective-bad-did-you-mean "no did-you-mean: $(head -4 "$T/err")"

expect detective-bad-duplicate-across-files exceptions/extra.yaml "$ROOT/exceptions/extra.yaml:2:9: error: duplicate exception for rule 's3-bucket-public-read-prohibited' and arn:arn:aws:s3:::acme-public-website [exception-duplicate]" <<'EOF'
# the same resource as buckets.yaml
- rule: s3-bucket-public-read-prohibited
  arn: arn:aws:s3:::acme-public-website
  reason: again
  approved_by: secops@example.com
  expires: 2099-01-01
EOF

expect detective-bad-date exceptions/extra.yaml "$ROOT/exceptions/extra.yaml:5:12: error: 'expires' 2099-13-01 is not a date: the month is not 01 to 12 [exception-bad-date]" <<'EOF'
- rule: restricted-ssh
  tag: { team: x }
  reason: r
  approved_by: secops@example.com
  expires: 2099-13-01
EOF

expect detective-bad-arn exceptions/extra.yaml "$ROOT/exceptions/extra.yaml:2:8: error: 'arn:aws:s3:bucket' is not a valid ARN: it has fewer than six ':'-separated parts (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) [exception-bad-arn]" <<'EOF'
- rule: restricted-ssh
  arn: arn:aws:s3:bucket
  reason: r
  approved_by: secops@example.com
  expires: 2099-01-01
EOF

expect detective-bad-yaml exceptions/extra.yaml "$ROOT/exceptions/extra.yaml:3:1: error: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)" <<'EOF'
- rule: restricted-ssh
  arn: [unclosed
EOF

sed 's/org_id: o-a1b2c3d4e5/org_id: o-A1/' tests/golden/detective-root/profiles/security.yaml |
  expect detective-bad-org-id profiles/security.yaml "$ROOT/profiles/security.yaml:29:13: error: detective.central.org_id 'o-A1' is not an organization id [profile-bad-org-id]"

# The central account's env built fine again afterwards.
if "$HG_BIN" build --env security --root "$ROOT" --out "$OUT" >/dev/null 2>"$T/err"; then
  pass detective-bad-recovers
else
  fail detective-bad-recovers "$(head -3 "$T/err")"
fi
