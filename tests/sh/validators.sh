#!/usr/bin/env bash
# validators.sh — one rule for AWS names in every command (validate.h):
# a bucket or Region the profile refuses, `publish --bucket/--region`
# refuses too, and what one accepts the other accepts. Each refusal in a
# profile is a file:line:col diagnostic with a caret.
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
unset AWS_PROFILE AWS_REGION
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=$T/none AWS_DEFAULT_REGION=us-east-1 \
  AWS_EC2_METADATA_DISABLED=true

# A root with dev.yaml and a build of it, for `publish --dry-run`.
R=$T/root
mkdir -p "$R/profiles"
cp "$HG_TOP/profiles/base.yaml" "$HG_TOP/profiles/dev.yaml" "$R/profiles/"
ln -s "$HG_TOP/templates" "$HG_TOP/filters" "$R/"
if ! "$HG_BIN" build --root "$R" --env dev --out "$T/out" >"$T/build.txt" 2>&1; then
  fail validators-build "$(head -3 "$T/build.txt")"
  exit 0
fi

# profile KEY VALUE -> the profile's check result: a profile with that one
# change (logs.bucket or publish.region), checked.
profile_with() { # NAME SED-EXPR
  local r=$T/p-$1
  mkdir -p "$r/profiles"
  ln -s "$HG_TOP/templates" "$HG_TOP/filters" "$r/"
  cp "$HG_TOP/profiles/base.yaml" "$r/profiles/"
  sed "$2" "$HG_TOP/profiles/dev.yaml" >"$r/profiles/dev.yaml"
  "$HG_BIN" check --root "$r" --env dev >"$r/out.txt" 2>"$r/err.txt"
  echo $? >"$r/status"
  echo "$r"
}
profile_rejects() { # NAME SED-EXPR WANT-DIAGNOSTIC-LINE
  local r
  r=$(profile_with "$1" "$2")
  if [ "$(cat "$r/status")" -eq 0 ]; then
    fail "profile-rejects-$1" "check accepted it"
  elif ! grep -qxF "$3" "$r/err.txt"; then
    fail "profile-rejects-$1" "want '$3', got: $(head -3 "$r/err.txt")"
  elif ! grep -q '^ *\^' "$r/err.txt"; then
    fail "profile-rejects-$1" "no caret line: $(head -4 "$r/err.txt")"
  else
    pass "profile-rejects-$1"
  fi
}
profile_accepts() { # NAME SED-EXPR
  local r
  r=$(profile_with "$1" "$2")
  if [ "$(cat "$r/status")" -eq 0 ]; then pass "profile-accepts-$1"; else
    fail "profile-accepts-$1" "$(head -3 "$r/err.txt")"; fi
}
publish_rejects() { # NAME WANT-MESSAGE -- publish options...
  local name=$1 want=$2
  shift 3
  "$HG_BIN" publish --root "$R" --env dev --out "$T/out" --dry-run "$@" >"$T/pub.out" 2>"$T/pub.err"
  local st=$?
  if [ $st -eq 0 ]; then
    fail "publish-rejects-$name" "publish accepted it"
  elif ! grep -qF -- "$want" "$T/pub.err"; then
    fail "publish-rejects-$name" "want '$want', got: $(head -3 "$T/pub.err")"
  else
    pass "publish-rejects-$name"
  fi
}
publish_accepts() { # NAME -- publish options...
  local name=$1
  shift 2
  if "$HG_BIN" publish --root "$R" --env dev --out "$T/out" --dry-run "$@" >"$T/pub.out" 2>"$T/pub.err"; then
    pass "publish-accepts-$name"
  else
    fail "publish-accepts-$name" "$(head -3 "$T/pub.err")"
  fi
}

P=profiles/dev.yaml
for b in sthree-logs my.-bucket; do
  case $b in
  sthree-logs) why="a bucket name does not start with 'sthree-'" ;;
  my.-bucket) why="a bucket name has no dash next to a dot" ;;
  esac
  profile_rejects "bucket-$b" "s/bucket: acme-dev-security-logs/bucket: $b/" \
    "$T/p-bucket-$b/$P:9:11: error: logs.bucket '$b' is not a valid S3 bucket name: $why [profile-bad-bucket]"
  publish_rejects "bucket-$b" "error: invalid bucket name '$b': $why" -- --bucket "$b" --region eu-west-1
done
for b in amzn-s3-demo-logs logs--x-s3 logs.mrap logs--table-s3; do
  r=$(profile_with "bucket-$b" "s/bucket: acme-dev-security-logs/bucket: $b/")
  if [ "$(cat "$r/status")" -ne 0 ] && grep -q "\[profile-bad-bucket\]" "$r/err.txt"; then
    pass "profile-rejects-bucket-$b"; else fail "profile-rejects-bucket-$b" "$(head -2 "$r/err.txt")"; fi
  publish_rejects "bucket-$b" "error: invalid bucket name '$b'" -- --bucket "$b" --region eu-west-1
done

profile_rejects region-eu-west "s/^cis:/publish: { region: eu-west }\ncis:/" \
  "$T/p-region-eu-west/$P:11:20: error: publish.region 'eu-west' is not a region name like eu-west-1 [profile-bad-region]"
publish_rejects region-eu-west "error: invalid Region 'eu-west'" -- --bucket acme-cfn --region eu-west
profile_rejects region-typo "s/^cis:/publish: { region: eu-wset-2 }\ncis:/" \
  "$T/p-region-typo/$P:11:20: error: publish.region 'eu-wset-2' is not a region name like eu-west-1 [profile-bad-region]"
publish_rejects region-typo "error: invalid Region 'eu-wset-2'" -- --bucket acme-cfn --region eu-wset-2

# What one accepts, the other accepts.
profile_accepts bucket-and-region "s/bucket: acme-dev-security-logs/bucket: acme-dev-logs-2/; s/^cis:/publish: { bucket: acme-cfn-2, region: eu-central-2 }\ncis:/"
publish_accepts bucket-and-region -- --bucket acme-cfn-2 --region eu-central-2
profile_accepts region-govcloud "s/^cis:/publish: { region: us-gov-west-1 }\ncis:/"
publish_accepts region-govcloud -- --bucket acme-cfn --region us-gov-west-1

# sync and deploy take --region too: the same rule.
if AWS_CONFIG_FILE=/dev/null "$HG_BIN" sync --root "$HG_TOP/tests/golden/detective-root" --env security \
  --out "$T/none" --region eu-west --dry-run >"$T/sync.out" 2>"$T/sync.err"; then
  fail sync-rejects-region "sync accepted --region eu-west"
elif grep -qF "error: invalid Region 'eu-west' [sync-option]" "$T/sync.err"; then pass sync-rejects-region
else fail sync-rejects-region "$(head -3 "$T/sync.err")"; fi

S=$T/org
mkdir -p "$S/profiles"
ln -s "$HG_TOP/templates" "$HG_TOP/filters" "$S/"
cp "$HG_TOP/profiles/base.yaml" "$HG_TOP/profiles/dev.yaml" "$S/profiles/"
printf 'org:\n  ou_ids: [r-ab12]\n  regions: [eu-west-1]\n  home_region: eu-west-1\n' >>"$S/profiles/dev.yaml"
if ! "$HG_BIN" build --root "$S" --env dev --out "$S/out" >"$S/build.txt" 2>&1; then
  fail deploy-rejects-region "build with org: failed: $(head -3 "$S/build.txt")"
elif "$HG_BIN" deploy --root "$S" --env dev --out "$S/out" --region eu-west --dry-run >"$S/dep.out" 2>"$S/dep.err"; then
  fail deploy-rejects-region "deploy accepted --region eu-west"
elif grep -qF "error: invalid Region 'eu-west' [deploy-option]" "$S/dep.err"; then pass deploy-rejects-region
else fail deploy-rejects-region "$(head -3 "$S/dep.err")"; fi
