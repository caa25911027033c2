#!/usr/bin/env bash
# tests/sh/creds.sh — the credentials chain (doc/credentials.md) end to end:
# every source hands `hardengen publish` credentials that a moto_server
# checking signatures accepts, plus precedence, endpoint and Region
# resolution, and the failure cases (cycles, expired SSO login, malformed
# files, credential_process that fails, hangs or prints garbage, header
# injection, hostile --prefix and --endpoint-url values).
#
# moto serves IAM, STS and S3 on 127.0.0.1; tests/data/creds/fake_aws.py
# serves the IAM Identity Center portal, container credentials and IMDSv2 on
# another loopback port, handing out credentials moto issued (AssumeRole).
. "$(dirname "$0")/lib.sh"

need_tool creds-python python3 || exit 0

T=$(tmpdir)
MOTO_PID=
FAKE_PID=
stop_servers() {
  for pid in $MOTO_PID $FAKE_PID; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  MOTO_PID=
  FAKE_PID=
}
trap 'stop_servers; rm -rf "${_hg_tmps[@]}"' EXIT

# Nothing of the caller's AWS setup may leak in.
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export HOME=$T/home
mkdir -p "$HOME"
export AWS_CONFIG_FILE=$T/config AWS_SHARED_CREDENTIALS_FILE=$T/credentials
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"
PROC=$HG_DATA/creds/process.sh

ENV_NAME=dev
OUT=$T/out
if ! "$HG_BIN" build --env "$ENV_NAME" --root "$HG_TOP" --out "$OUT" >"$T/build.out" 2>&1; then
  fail creds-build "hardengen build failed: $(head -3 "$T/build.out")"
  exit 0
fi

CLOSED=$(free_port)
# publish with a closed endpoint unless the caller gives one; credentials are
# resolved before any upload, so offline failures never reach the network.
# (--root without profiles/: nothing comes from the profile's publish: block)
PUB=("$HG_BIN" publish --env "$ENV_NAME" --root "$T" --out "$OUT" --bucket creds-test --region us-east-1)

# check NAME WANT_STATUS PATTERN [-- command...]: run, compare, grep stderr.
check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >"$T/x.out" 2>"$T/x.err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$name" "exit status $got, expected $want: $(head -3 "$T/x.err")"
    return 1
  elif ! grep -q -e "$pattern" "$T/x.err"; then
    fail "$name" "no '$pattern' in: $(head -4 "$T/x.err")"
    return 1
  fi
  return 0
}
re() { printf '%s' "$1" | sed 's/[][\.*^$]/\\&/g'; } # a literal as a grep pattern
no_leak() { # NAME STRING...: none of the strings appears in the last output
  local name=$1
  shift
  for s in "$@"; do
    if grep -qF -e "$s" "$T/x.out" "$T/x.err"; then
      fail "$name" "'$s' appears in the output"
      return 1
    fi
  done
  pass "$name"
}

# ---------------------------------------------------------------- offline failures
# Nothing anywhere: one block listing each source and why it did not apply.
# expect_notes NAME PATTERN...: every pattern is in the last stderr.
expect_notes() {
  local name=$1
  shift
  for p in "$@"; do
    if ! grep -q -e "$p" "$T/x.err"; then
      fail "$name" "no '$p' in: $(head -8 "$T/x.err")"
      return 1
    fi
  done
  pass "$name"
}
if check creds-none 3 'error: no AWS credentials found; looked at: \[creds-missing\]' -- \
  "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED"; then
  expect_notes creds-none \
    'note: environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set' \
    'note: web identity: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set' \
    "note: profile \\[default\\]: in neither $T/config nor $T/credentials" \
    'note: container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set' \
    'note: EC2 instance metadata: AWS_EC2_METADATA_DISABLED=true'
fi

# A malformed config file: file:line:col, the value never shown.
printf '[profile broken]\nregion = eu-west-1\naws_secret_access_key wJalrXUtnFEMISECRETVALUE\n' >"$T/config.bad"
check creds-malformed-config 2 "^$T/config.bad:3:1: error: expected 'name = value' \[awscfg-syntax\]" -- \
  env AWS_CONFIG_FILE="$T/config.bad" AWS_PROFILE=broken "${PUB[@]}" --dry-run &&
  no_leak creds-malformed-config wJalrXUtnFEMISECRETVALUE
printf 'aws_access_key_id = AKIA\n[default]\n' >"$T/credentials.bad"
check creds-malformed-credentials 2 "^$T/credentials.bad:1:1: error: a setting outside any section" -- \
  env AWS_SHARED_CREDENTIALS_FILE="$T/credentials.bad" "${PUB[@]}" --dry-run && pass creds-malformed-credentials
check creds-config-directory 2 "error: the config file $T is a directory \[creds-file\]" -- \
  env AWS_CONFIG_FILE="$T" "${PUB[@]}" --dry-run && pass creds-config-directory

# A source_profile cycle.
cat >"$T/config.cycle" <<EOF
[profile a]
role_arn = arn:aws:iam::123456789012:role/a
source_profile = b
[profile b]
role_arn = arn:aws:iam::123456789012:role/b
source_profile = c
[profile c]
role_arn = arn:aws:iam::123456789012:role/c
source_profile = a
EOF
check creds-cycle 3 'error: the source_profile chain loops: a -> b -> c -> a \[creds-cycle\]' -- \
  env AWS_CONFIG_FILE="$T/config.cycle" AWS_PROFILE=a "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  expect_notes creds-cycle "^$T/config.cycle:9:"

# An AWS_PROFILE no file has.
check creds-profile-missing 3 "error: the profile 'nosuch' (AWS_PROFILE) is in neither $T/config nor $T/credentials \[creds-profile\]" -- \
  env AWS_PROFILE=nosuch "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" && pass creds-profile-missing

# IAM Identity Center with an expired cached login.
cat >"$T/config.sso" <<EOF
[profile sso-old]
sso_session = old-session
sso_account_id = 123456789012
sso_role_name = Publisher
[sso-session old-session]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
EOF
mkdir -p "$HOME/.aws/sso/cache"
cache=$HOME/.aws/sso/cache/$(printf '%s' old-session | sha1sum | cut -d' ' -f1).json
printf '{"startUrl": "https://example.awsapps.com/start", "region": "us-east-1", "accessToken": "expired-token-value", "expiresAt": "2020-01-01T00:00:00Z"}' >"$cache"
check creds-sso-expired 3 'error: the IAM Identity Center login for old-session expired at 2020-01-01T00:00:00Z \[creds-sso-expired\]' -- \
  env AWS_CONFIG_FILE="$T/config.sso" AWS_PROFILE=sso-old "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  expect_notes creds-sso-expired 'note: run `aws sso login --profile sso-old` and try again' &&
  no_leak creds-sso-expired-secret expired-token-value
# The cache is read by the one JSON reader: a repeated member keeps its last
# value (here the expired time), and a token holding U+0000 or text after
# the object makes the cache unreadable (never a token cut short at the NUL).
printf '{"accessToken": "dup-token-value", "expiresAt": "2099-01-01T00:00:00Z", "expiresAt": "2020-01-01T00:00:00Z"}' >"$cache"
check creds-sso-cache-repeated 3 'error: the IAM Identity Center login for old-session expired at 2020-01-01T00:00:00Z \[creds-sso-expired\]' -- \
  env AWS_CONFIG_FILE="$T/config.sso" AWS_PROFILE=sso-old "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  no_leak creds-sso-cache-repeated dup-token-value
printf '{"accessToken": "nul-token\\u0000-value", "expiresAt": "2099-01-01T00:00:00Z"}' >"$cache"
check creds-sso-cache-nul 3 "^$(re "$cache"): error: the cached IAM Identity Center token is unreadable (no accessToken or expiresAt) \\[creds-sso\\]" -- \
  env AWS_CONFIG_FILE="$T/config.sso" AWS_PROFILE=sso-old "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  no_leak creds-sso-cache-nul nul-token
printf '{"accessToken": "trailing-token-value", "expiresAt": "2099-01-01T00:00:00Z"} {}' >"$cache"
check creds-sso-cache-trailing 3 'the cached IAM Identity Center token is unreadable' -- \
  env AWS_CONFIG_FILE="$T/config.sso" AWS_PROFILE=sso-old "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  no_leak creds-sso-cache-trailing trailing-token-value
rm -f "$cache"
check creds-sso-no-login 3 "error: profile \[sso-old\]: no IAM Identity Center login for old-session ($cache: no such file) \[creds-sso\]" -- \
  env AWS_CONFIG_FILE="$T/config.sso" AWS_PROFILE=sso-old "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  pass creds-sso-no-login

# credential_process that fails, hangs, or prints garbage.
cat >"$T/config.proc" <<EOF
[profile fails]
credential_process = $PROC fail
[profile hangs]
credential_process = "$PROC" hang
[profile garbage]
credential_process = $PROC garbage
[profile v2]
credential_process = $PROC version2
[profile unquoted]
credential_process = $PROC 'ok
[profile missing]
credential_process = $T/no-such-program --flag
EOF
check creds-process-fails 3 "error: profile \[fails\]: credential_process $PROC failed with exit status 3 \[creds-process\]" -- \
  env AWS_CONFIG_FILE="$T/config.proc" AWS_PROFILE=fails "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  expect_notes creds-process-fails 'note: stderr: token service unreachable; last secret was \[redacted\]' &&
  no_leak creds-process-fails-secret wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12
start=$SECONDS
check creds-process-hangs 3 "error: profile \[hangs\]: credential_process $PROC did not finish within 1 s; killed it \[creds-process\]" -- \
  env HARDENGEN_PROCESS_TIMEOUT=1 AWS_CONFIG_FILE="$T/config.proc" AWS_PROFILE=hangs "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  { if [ $((SECONDS - start)) -ge 30 ]; then fail creds-process-hangs "took $((SECONDS - start)) s"; else pass creds-process-hangs; fi; }
check creds-process-garbage 3 "error: profile \[garbage\]: credential_process $PROC: its output is not a JSON object \[creds-process\]" -- \
  env AWS_CONFIG_FILE="$T/config.proc" AWS_PROFILE=garbage "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  no_leak creds-process-garbage "hello, this is not JSON"
check creds-process-version 3 'its output has no "Version": 1 \[creds-process\]' -- \
  env AWS_CONFIG_FILE="$T/config.proc" AWS_PROFILE=v2 "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  pass creds-process-version
check creds-process-quote 3 "error: profile \[unquoted\]: credential_process cannot be read: a quote is not closed \[creds-process\]" -- \
  env AWS_CONFIG_FILE="$T/config.proc" AWS_PROFILE=unquoted "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  pass creds-process-quote
check creds-process-missing 3 "note: stderr: cannot run $T/no-such-program: No such file or directory" -- \
  env AWS_CONFIG_FILE="$T/config.proc" AWS_PROFILE=missing "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  pass creds-process-missing

# A session token with CR/LF would inject a header: refused, never shown.
check creds-header-injection 3 'error: the session token from environment holds a control character \[creds-invalid\]' -- \
  env AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_SESSION_TOKEN=$'tok\r\nX-Injected: yes' \
  "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" -v &&
  no_leak creds-header-injection X-Injected

# --prefix with dot or empty segments: usage error, nothing sent.
ok=1
for p in ../../x/ a/./b/ ./ a/../b; do
  check creds-prefix-dots 2 "error: invalid prefix '$(re "$p")' \[publish-option\]" -- "${PUB[@]}" --prefix "$p" --dry-run ||
    { ok=; break; }
done
[ -n "$ok" ] && expect_notes creds-prefix-dots "no empty, '.' or '..' segment"

# --endpoint-url parsed with libcurl's URL API.
ok=1
for bad in 'http://localhost:9/?x=1|it must not have a query' \
  'http://localhost:9/#frag|it must not have a fragment' \
  'http://[::1|' 'ftp://localhost/|the scheme must be http or https' \
  'localhost:9000|' 'http://user:hunter2pass@localhost:9/|it must not hold a user name or password'; do
  url=${bad%%|*}
  why=${bad#*|}
  shown=${url/user:hunter2pass@/***@}
  check creds-endpoint-invalid 2 "error: invalid endpoint URL '$(re "$shown")' (--endpoint-url): $why.*\[endpoint-invalid\]" -- \
    "${PUB[@]}" --endpoint-url "$url" --dry-run || { ok=; break; }
  if grep -qF hunter2pass "$T/x.out" "$T/x.err"; then
    fail creds-endpoint-invalid "the password appears in the output"
    ok=
    break
  fi
done
[ -n "$ok" ] && pass creds-endpoint-invalid
check creds-endpoint-env-invalid 2 "error: invalid endpoint URL 'http://localhost:9/?q' (AWS_ENDPOINT_URL_S3): it must not have a query" -- \
  env AWS_ENDPOINT_URL_S3='http://localhost:9/?q' "${PUB[@]}" --dry-run && pass creds-endpoint-env-invalid

# Endpoint precedence, shown by a dry run's URLs: --endpoint-url,
# AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the services section, endpoint_url.
cat >"$T/config.ep" <<EOF
[default]
endpoint_url = http://profile-global:1
services = local
region = eu-north-1
[services local]
s3 =
  endpoint_url = http://services-s3:2
sts =
  endpoint_url = http://services-sts:3
EOF
ep_case() { # NAME EXPECTED-HOST env... : dry run, check the first object URL
  local name=$1 want=$2
  shift 2
  env AWS_CONFIG_FILE="$T/config.ep" "$@" "$HG_BIN" publish --env "$ENV_NAME" --root "$T" --out "$OUT" \
    --bucket creds-test --dry-run >"$T/ep.out" 2>"$T/ep.err"
  if grep -q " $want/creds-test/$ENV_NAME/" "$T/ep.out"; then
    pass "$name"
  else
    fail "$name" "expected $want: $(grep -m1 'bytes' "$T/ep.out") $(head -2 "$T/ep.err")"
  fi
}
ep_case creds-endpoint-services http://services-s3:2
ep_case creds-endpoint-global-env http://env-global:4 AWS_ENDPOINT_URL=http://env-global:4
ep_case creds-endpoint-service-env http://env-s3:5 AWS_ENDPOINT_URL=http://env-global:4 AWS_ENDPOINT_URL_S3=http://env-s3:5
sed -i 's/^services = local$//' "$T/config.ep"
ep_case creds-endpoint-profile http://profile-global:1
# (the ignore case needs the flag: run it by hand)
env AWS_CONFIG_FILE="$T/config.ep" AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true "$HG_BIN" publish --env "$ENV_NAME" \
  --root "$T" --out "$OUT" --bucket creds-test --region us-east-1 --dry-run >"$T/ep.out" 2>&1
if grep -q 'https://creds-test.s3.us-east-1.amazonaws.com/' "$T/ep.out"; then
  pass creds-endpoint-ignored
else
  fail creds-endpoint-ignored "$(grep -m1 bytes "$T/ep.out")"
fi
# Region from the profile when no flag or variable gives one.
env AWS_CONFIG_FILE="$T/config.ep" "$HG_BIN" publish --env "$ENV_NAME" --root "$T" --out "$OUT" \
  --bucket creds-test --dry-run >"$T/rg.out" 2>&1
if grep -q '(Region eu-north-1)' "$T/rg.out"; then
  pass creds-region-profile
else
  fail creds-region-profile "$(head -1 "$T/rg.out")"
fi
env AWS_CONFIG_FILE="$T/config.ep" AWS_DEFAULT_REGION=ap-south-1 "$HG_BIN" publish --env "$ENV_NAME" \
  --root "$T" --out "$OUT" --bucket creds-test --dry-run >"$T/rg.out" 2>&1
if grep -q '(Region ap-south-1)' "$T/rg.out"; then
  pass creds-region-env
else
  fail creds-region-env "$(head -1 "$T/rg.out")"
fi

# ---------------------------------------------------------------- moto
need_tool creds-moto moto_server || exit 0

PORT=$(free_port)
E=http://localhost:$PORT
start_moto creds-moto "$PORT" "$T/moto.log" INITIAL_NO_AUTH_ACTION_COUNT=4 || exit 0

BUCKET=creds-test
# Setup in one boto3 process (much faster than one aws CLI per call): the
# four unsigned calls (user, key, policy, bucket), then, signed with the
# user's key, the roles, a check that a wrong signature is refused, and
# temporary credentials moto issued, for the fakes to hand out.
python3 - "$E" "$BUCKET" "$T" >"$T/setup.log" 2>&1 <<'PY'
import json, sys
import boto3, botocore
endpoint, bucket, tmp = sys.argv[1:4]
def client(name, ak="bootstrap", sk="bootstrap"):
    return boto3.client(name, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=ak, aws_secret_access_key=sk)
iam = client("iam")
iam.create_user(UserName="publisher")
key = iam.create_access_key(UserName="publisher")["AccessKey"]
allow = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
iam.put_user_policy(UserName="publisher", PolicyName="all", PolicyDocument=allow)
client("s3").create_bucket(Bucket=bucket)
ak, sk = key["AccessKeyId"], key["SecretAccessKey"]
iam = client("iam", ak, sk)
trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                    "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]}]})
for r in ("role-a", "role-b", "role-ci", "publisher-role"):
    iam.create_role(RoleName=r, AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName=r, PolicyName="all", PolicyDocument=allow)
try:
    client("s3", ak, "not-the-secret").list_objects_v2(Bucket=bucket)
    sys.exit("moto accepted a wrong signature: signature checks are off")
except botocore.exceptions.ClientError:
    pass
temp = client("sts", ak, sk).assume_role(RoleArn="arn:aws:iam::123456789012:role/publisher-role",
                                          RoleSessionName="fakes")["Credentials"]
temp["Expiration"] = temp["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump(temp, open(tmp + "/temp.json", "w"))
open(tmp + "/keys", "w").write(ak + " " + sk + "\n")
PY
if [ $? -ne 0 ] || [ ! -s "$T/keys" ]; then
  fail creds-setup "moto setup failed: $(tail -3 "$T/setup.log")"
  exit 0
fi
read -r AK SK <"$T/keys"
TEMP_SK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretAccessKey"])' "$T/temp.json")
TEMP_TOK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SessionToken"])' "$T/temp.json")
pass creds-setup

python3 "$HG_DATA/creds/fake_aws.py" "$T/fake.port" "$T/temp.json" "$T/fake.log" 2>"$T/fake.err" &
FAKE_PID=$!
for _ in $(seq 1 100); do [ -s "$T/fake.port" ] && break; sleep 0.1; done
FAKE=http://127.0.0.1:$(cat "$T/fake.port" 2>/dev/null)

count_objects() { # PREFIX
  python3 -c '
import sys, boto3
endpoint, bucket, prefix, ak, sk = sys.argv[1:6]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=ak, aws_secret_access_key=sk)
# (no Prefix=: moto 5.2.1 miscomputes the signature of an encoded "/" in the query)
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
print(sum(k.startswith(prefix) for k in keys))' "$E" "$BUCKET" "$1" "$AK" "$SK"
}
N_OBJ=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["templates"]) + 1)' "$OUT/$ENV_NAME/manifest.json")

# publish_ok NAME PREFIX env...: publish -v with the given environment, expect
# every object under PREFIX, and no secret in the output.
publish_ok() {
  local name=$1 prefix=$2
  shift 2
  env AWS_ENDPOINT_URL="$E" "$@" "$HG_BIN" publish --env "$ENV_NAME" --root "$T" --out "$OUT" \
    --bucket "$BUCKET" --prefix "$prefix" -v >"$T/x.out" 2>"$T/x.err"
  local status=$?
  local n
  n=$(count_objects "$prefix")
  if [ $status -ne 0 ]; then
    fail "$name" "exit status $status: $(grep -v '^[*<>]' "$T/x.err" | head -4)"
    return 1
  elif [ "$n" != "$N_OBJ" ]; then
    fail "$name" "$n objects under $prefix, expected $N_OBJ"
    return 1
  elif grep -qF -e "$SK" -e "$TEMP_SK" -e "$TEMP_TOK" -e 'Signature=' "$T/x.out" "$T/x.err"; then
    fail "$name" "a secret or signature appears in the output"
    return 1
  fi
  return 0
}

# Static keys of a named profile; the credentials file wins over a
# credential_process in the config file (the AWS CLI's order).
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[base]
aws_access_key_id = $AK
aws_secret_access_key = $SK
EOF
cat >"$AWS_CONFIG_FILE" <<EOF
[profile base]
credential_process = /bin/false
[profile role-a]
role_arn = arn:aws:iam::123456789012:role/role-a
source_profile = base
role_session_name = first-hop
[profile role-b]
role_arn = arn:aws:iam::123456789012:role/role-b
source_profile = role-a
external_id = acme-external
duration_seconds = 900
[profile broken]
credential_process = /bin/false
[profile proc]
credential_process = $PROC ok
[profile sso]
sso_session = acme
sso_account_id = 123456789012
sso_role_name = Publisher
[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = Publisher
EOF
publish_ok creds-static-profile static/ AWS_PROFILE=base && pass creds-static-profile

# AssumeRole chained twice: two signed STS calls, then temporary credentials.
if publish_ok creds-assume-role-chain chain/ AWS_PROFILE=role-b; then
  posts=$(grep -c '^> POST / HTTP' "$T/x.err")
  if [ "$posts" != 2 ]; then
    fail creds-assume-role-chain "$posts STS calls, expected 2"
  elif ! grep -q '^> x-amz-security-token: \[redacted\]$' "$T/x.err"; then
    fail creds-assume-role-chain "the uploads were not signed with temporary credentials"
  else
    pass creds-assume-role-chain
  fi
fi

# Web identity (OIDC): AssumeRoleWithWebIdentity is unsigned, so moto is told
# to let exactly one call through without a signature; the uploads after it
# are checked.
printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvaW5mcmE6cmVmOnJlZnMvaGVhZHMvbWFpbiJ9.c2lnbmF0dXJl\n' >"$T/oidc-token"
curl -s -X POST "$E/moto-api/reset-auth" -H 'Content-Type: text/plain' --data-binary 1 >/dev/null
if publish_ok creds-web-identity oidc/ AWS_ROLE_ARN=arn:aws:iam::123456789012:role/role-ci \
  AWS_WEB_IDENTITY_TOKEN_FILE="$T/oidc-token" AWS_ROLE_SESSION_NAME=github-actions AWS_PROFILE=broken; then
  # (AWS_PROFILE=broken: web identity from the environment comes before the profile)
  if ! grep -q '^> POST / HTTP' "$T/x.err" || grep -q '^> Authorization: .*' <(sed -n '/^> POST \/ HTTP/,/^> $/p' "$T/x.err" | head -12); then
    fail creds-web-identity "no unsigned STS call in the trace"
  elif grep -qF 'c2lnbmF0dXJl' "$T/x.out" "$T/x.err"; then
    fail creds-web-identity "the web identity token appears in the output"
  else
    pass creds-web-identity
  fi
fi

# credential_process: run without a shell, its stderr shown without the
# secret; short-lived credentials are renewed before every upload.
: >"$T/proc.count"
if publish_ok creds-process process/ AWS_PROFILE=proc PROC_AK="$AK" PROC_SK="$SK" PROC_COUNT="$T/proc.count"; then
  if ! grep -q 'note: stderr: issuing credentials, secret \[redacted\]' "$T/x.err"; then
    fail creds-process "its stderr is not shown: $(grep -v '^[*<>]' "$T/x.err" | head -3)"
  else
    pass creds-process
  fi
fi
# Expiring in 2 minutes (inside the 5-minute renewal margin): every upload
# asks the process again.
temp_ak=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$T/temp.json")
soon=$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)
: >"$T/proc.count"
if publish_ok creds-refresh refresh/ AWS_PROFILE=proc PROC_AK="$temp_ak" PROC_SK="$TEMP_SK" \
  PROC_TOKEN="$TEMP_TOK" PROC_EXP="$soon" PROC_COUNT="$T/proc.count"; then
  runs=$(wc -l <"$T/proc.count")
  if [ "$runs" -le 1 ]; then
    fail creds-refresh "the process ran $runs time(s): credentials near expiry were not renewed"
  else
    pass creds-refresh
  fi
fi

# IAM Identity Center: the cached token of the sso-session (SHA-1 of its
# name), the portal's GetRoleCredentials on the loopback fake.
future=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$HOME/.aws/sso/cache"
printf '{"startUrl": "https://acme.awsapps.com/start", "region": "eu-west-1", "accessToken": "sso-access-token-for-tests", "expiresAt": "%s"}' \
  "$future" >"$HOME/.aws/sso/cache/$(printf '%s' acme | sha1sum | cut -d' ' -f1).json"
printf '{"startUrl": "https://legacy.awsapps.com/start", "region": "us-east-1", "accessToken": "sso-access-token-for-tests", "expiresAt": "%s"}' \
  "$future" >"$HOME/.aws/sso/cache/$(printf '%s' https://legacy.awsapps.com/start | sha1sum | cut -d' ' -f1).json"
if publish_ok creds-sso sso/ AWS_PROFILE=sso AWS_ENDPOINT_URL_SSO="$FAKE"; then
  if grep -q '^GET /federation/credentials x-amz-sso_bearer_token$' "$T/fake.log" &&
    ! grep -qF 'sso-access-token-for-tests' "$T/x.out" "$T/x.err" &&
    grep -q '^> x-amz-sso_bearer_token: \[redacted\]$' "$T/x.err"; then
    pass creds-sso
  else
    fail creds-sso "the portal was not asked with the bearer token, or the token shows"
  fi
fi
publish_ok creds-sso-legacy sso-legacy/ AWS_PROFILE=sso-legacy AWS_ENDPOINT_URL_SSO="$FAKE" &&
  pass creds-sso-legacy
# A token the portal refuses: run `aws sso login`.
printf '{"accessToken": "revoked", "expiresAt": "%s"}' "$future" \
  >"$HOME/.aws/sso/cache/$(printf '%s' acme | sha1sum | cut -d' ' -f1).json"
check creds-sso-refused 3 'error: cannot get credentials for role Publisher in account 123456789012 (profile \[sso\]): 401 UnauthorizedException: the portal refused the cached token \[creds-sso-auth\]' -- \
  env AWS_PROFILE=sso AWS_ENDPOINT_URL="$E" AWS_ENDPOINT_URL_SSO="$FAKE" "${PUB[@]}" &&
  expect_notes creds-sso-refused 'run `aws sso login --profile sso`'

# Container credentials with a token file.
printf 'container-auth-token-for-tests\n' >"$T/container-token"
: >"$T/fake.log"
if publish_ok creds-container container/ AWS_CONTAINER_CREDENTIALS_FULL_URI="$FAKE/container/credentials" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/container-token" \
  AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKE" AWS_EC2_METADATA_DISABLED=false; then
  if grep -q '^GET /container/credentials Authorization$' "$T/fake.log" &&
    ! grep -q '/latest/' "$T/fake.log"; then
    pass creds-container
  else
    fail creds-container "fake log: $(tr '\n' ';' <"$T/fake.log")"
  fi
fi
check creds-container-http-remote 3 'uses http to a host that is not a loopback or container-agent address' -- \
  env AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.10/creds "${PUB[@]}" --endpoint-url "http://localhost:$CLOSED" &&
  pass creds-container-http-remote

# EC2 instance metadata, IMDSv2: PUT a token, GET the role, GET its credentials.
: >"$T/fake.log"
if publish_ok creds-imds imds/ AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKE"; then
  want=$'PUT /latest/api/token X-aws-ec2-metadata-token-ttl-seconds\nGET /latest/meta-data/iam/security-credentials/ X-aws-ec2-metadata-token\nGET /latest/meta-data/iam/security-credentials/publisher-role X-aws-ec2-metadata-token'
  if [ "$(cat "$T/fake.log")" = "$want" ] && ! grep -qF imds-session-token-for-tests "$T/x.err"; then
    pass creds-imds
  else
    fail creds-imds "fake log: $(tr '\n' ';' <"$T/fake.log")"
  fi
fi

# Precedence: the environment beats a profile; a profile beats the container
# endpoint (never asked).
publish_ok creds-precedence-env env/ AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_PROFILE=broken &&
  pass creds-precedence-env
: >"$T/fake.log"
publish_ok creds-precedence-profile profile/ AWS_PROFILE=base \
  AWS_CONTAINER_CREDENTIALS_FULL_URI="$FAKE/container/credentials" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/container-token" &&
  { if [ -s "$T/fake.log" ]; then fail creds-precedence-profile "the container endpoint was asked"; else pass creds-precedence-profile; fi; }
# A profile whose credential_process fails stops the chain (no fall-through
# to the container).
check creds-precedence-failure 3 "credential_process /bin/false failed with exit status 1" -- \
  env AWS_PROFILE=broken AWS_CONTAINER_CREDENTIALS_FULL_URI="$FAKE/container/credentials" "${PUB[@]}" \
  --endpoint-url "$E" && pass creds-precedence-failure

# STS refusing: the answer's code and the role in one message.
printf '[base]\naws_access_key_id = AKIANOTKNOWN00000000\naws_secret_access_key = wrong\n' >"$T/credentials.unknown"
check creds-sts-refused 3 'error: cannot assume role arn:aws:iam::123456789012:role/role-a (profile \[role-a\]): 403 InvalidClientTokenId' -- \
  env AWS_PROFILE=role-a AWS_SHARED_CREDENTIALS_FILE="$T/credentials.unknown" AWS_ENDPOINT_URL="$E" \
  "${PUB[@]}" && pass creds-sts-refused

stop_servers
