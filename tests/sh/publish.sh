#!/usr/bin/env bash
# tests/sh/publish.sh — `hardengen publish` against a local moto_server that
# checks request signatures, then a deployment of the published set to
# moto's CloudFormation.
#
# moto runs on 127.0.0.1 with INITIAL_NO_AUTH_ACTION_COUNT=4: the first four
# calls (an IAM user, its access key, its policy, the bucket) need no
# signature; every later request must be signed with the user's key.
# TemplateURLs use `localhost` (moto reads 127.0.0.1 as a bucket name).
. "$(dirname "$0")/lib.sh"

need_tool publish-python python3 || exit 0

T=$(tmpdir)

# Keep the caller's AWS configuration out of every command.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_REGION
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=$T/no-credentials
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=

PORT=$(free_port)
E=http://localhost:$PORT
BUCKET=hardengen-publish-test
ENV_NAME=dev
PREFIX=hardening/

# ---------------------------------------------------------------- the build
OUT=$T/out
DIR=$OUT/$ENV_NAME
if ! "$HG_BIN" build --env "$ENV_NAME" --root "$HG_TOP" --out "$OUT" >"$T/build.out" 2>&1; then
  fail publish-build "hardengen build --env $ENV_NAME failed: $(head -3 "$T/build.out")"
  exit 0
fi
if [ ! -f "$DIR/manifest.json" ]; then
  fail publish-build "no $DIR/manifest.json"
  exit 0
fi
pass publish-build
manifest_field() {
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$DIR/manifest.json" "$1"
}
DIGEST=$(manifest_field 'm["digest"]')
PARENT=$(manifest_field 'm["parent"]')
CHILDREN=$(manifest_field '" ".join(t["name"] for t in m["templates"] if t["name"] != m["parent"])')
N_CHILDREN=$(echo "$CHILDREN" | wc -w)
FOLDER=$PREFIX$ENV_NAME/$DIGEST/
EXPECTED_KEYS=$(for f in $CHILDREN "$PARENT" manifest.json; do echo "$FOLDER$f"; done | sort)

# ---------------------------------------------------------------- offline checks
expect_fail publish-usage-env 2 '^hardengen: --env ENV is required$' -- "$HG_BIN" publish
expect_fail publish-usage-flag 2 "^hardengen: unknown option '--bukket'$" -- \
  "$HG_BIN" publish --env "$ENV_NAME" --bukket x
expect_fail publish-usage-bucket 2 "error: invalid bucket name 'My_Bucket'" -- \
  "$HG_BIN" publish --env "$ENV_NAME" --root "$HG_TOP" --out "$OUT" --bucket My_Bucket --dry-run
expect_fail publish-no-build 1 "error: $T/none/$ENV_NAME/manifest.json does not exist \[manifest-missing\]" -- \
  "$HG_BIN" publish --env "$ENV_NAME" --root "$HG_TOP" --out "$T/none" --dry-run
# A template edited after the build is refused before anything is sent.
mkdir -p "$T/stale"
cp -r "$DIR" "$T/stale/$ENV_NAME"
first=$(echo $CHILDREN | cut -d' ' -f1)
echo "# edited" >>"$T/stale/$ENV_NAME/$first"
expect_fail publish-stale 1 "error: $T/stale/$ENV_NAME/$first does not match manifest.json (size differs): it changed after the build \[publish-stale\]" -- \
  "$HG_BIN" publish --env "$ENV_NAME" --root "$HG_TOP" --out "$T/stale" --dry-run

need_tool publish-moto moto_server || exit 0
need_tool publish-aws aws || exit 0

# ---------------------------------------------------------------- moto
start_moto publish-moto "$PORT" "$T/moto.log" INITIAL_NO_AUTH_ACTION_COUNT=4 || exit 0
pass publish-moto

# The four unauthenticated calls.
export AWS_ACCESS_KEY_ID=bootstrap AWS_SECRET_ACCESS_KEY=bootstrap
aws --endpoint-url "$E" iam create-user --user-name publisher >/dev/null &&
  keys=$(aws --endpoint-url "$E" iam create-access-key --user-name publisher \
    --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text) &&
  aws --endpoint-url "$E" iam put-user-policy --user-name publisher --policy-name all \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' &&
  aws --endpoint-url "$E" s3api create-bucket --bucket "$BUCKET" >/dev/null
if [ $? -ne 0 ] || [ -z "${keys:-}" ]; then
  fail publish-setup "could not create the IAM user, key, policy and bucket"
  exit 0
fi
AK=$(printf '%s' "$keys" | cut -f1)
SK=$(printf '%s' "$keys" | cut -f2)
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK
# Signatures are checked from here on: a bad one is refused.
if AWS_SECRET_ACCESS_KEY=not-the-secret aws --endpoint-url "$E" s3api list-objects-v2 \
  --bucket "$BUCKET" >/dev/null 2>&1; then
  fail publish-setup "moto accepted a wrong signature: signature checks are off"
  exit 0
fi
pass publish-setup

object_count() {
  aws --endpoint-url "$E" s3api list-objects-v2 --bucket "$BUCKET" \
    --query 'length(Contents || `[]`)' --output text
}

publish() {
  "$HG_BIN" publish --env "$ENV_NAME" --root "$HG_TOP" --out "$OUT" --bucket "$BUCKET" \
    --prefix "$PREFIX" --endpoint-url "$E" --region us-east-1 "$@"
}

# ---------------------------------------------------------------- dry run
if env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$HG_BIN" publish --env "$ENV_NAME" \
  --root "$HG_TOP" --out "$OUT" --bucket "$BUCKET" --prefix "$PREFIX" --endpoint-url "$E" --region us-east-1 \
  --dry-run >"$T/dry.out" 2>"$T/dry.err"; then
  n=$(object_count)
  if [ "$n" != 0 ]; then
    fail publish-dry-run "the dry run wrote $n objects"
  elif ! grep -q "^dry run: would upload $((N_CHILDREN + 2)) objects to s3://$BUCKET/$FOLDER " "$T/dry.out"; then
    fail publish-dry-run "unexpected listing: $(head -1 "$T/dry.out")"
  else
    pass publish-dry-run
  fi
else
  fail publish-dry-run "exit status $?: $(head -3 "$T/dry.err")"
fi

# Bucket, prefix and Region from the profile's publish: block.
want=$(python3 - "$HG_TOP/profiles" "$ENV_NAME" <<'EOF'
import os, sys, yaml
folder, env = sys.argv[1:3]
pub = {}
while env:
  doc = yaml.safe_load(open(os.path.join(folder, env + ".yaml"))) or {}
  pub = {**doc.get("publish", {}), **pub}
  env = doc.get("extends")
prefix = pub.get("prefix", "")
if prefix and not prefix.endswith("/"):
  prefix += "/"
print(pub["bucket"], prefix, pub["region"])
EOF
)
read -r pb pp pr <<<"$want"
if env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$HG_BIN" publish --env "$ENV_NAME" \
  --root "$HG_TOP" --out "$OUT" --dry-run >"$T/prof.out" 2>"$T/prof.err" &&
  grep -q "^dry run: would upload $((N_CHILDREN + 2)) objects to s3://$pb/$pp$ENV_NAME/$DIGEST/ (Region $pr)$" "$T/prof.out" &&
  grep -q "  https://$pb\.s3\.$pr\.amazonaws\.com/$pp$ENV_NAME/$DIGEST/manifest\.json$" "$T/prof.out"; then
  pass publish-profile-defaults
else
  fail publish-profile-defaults "expected s3://$pb/$pp in $pr: $(head -2 "$T/prof.out" "$T/prof.err")"
fi

# ---------------------------------------------------------------- wrong secret
WRONG=WrongSecretKey0000000000000000000000000
AWS_SECRET_ACCESS_KEY=$WRONG publish >"$T/wrong.out" 2>"$T/wrong.err"
status=$?
n=$(object_count)
if [ $status -ne 3 ]; then
  fail publish-wrong-secret "exit status $status, expected 3"
elif ! grep -q "error: cannot upload s3://$BUCKET/$FOLDER.*: 403 SignatureDoesNotMatch: the secret access key is wrong \[s3-auth\]" "$T/wrong.err"; then
  fail publish-wrong-secret "unexpected message: $(head -3 "$T/wrong.err")"
elif ! grep -q "note: nothing was published" "$T/wrong.err"; then
  fail publish-wrong-secret "no 'nothing was published' note"
elif [ "$n" != 0 ]; then
  fail publish-wrong-secret "$n objects were written"
elif grep -q "$WRONG" "$T/wrong.out" "$T/wrong.err"; then
  fail publish-wrong-secret "the secret appears in the output"
else
  pass publish-wrong-secret
fi

# ---------------------------------------------------------------- publish
# Credentials from a shared credentials file and a named profile, with a
# request trace that must not show them.
cat >"$T/credentials" <<EOF
[default]
aws_access_key_id = AKIAWRONGDEFAULT0000
aws_secret_access_key = not-this-one

# the publisher
[publisher]
aws_access_key_id = $AK
aws_secret_access_key=$SK
EOF
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_SHARED_CREDENTIALS_FILE="$T/credentials" \
  AWS_PROFILE=publisher "$HG_BIN" publish --env "$ENV_NAME" --root "$HG_TOP" --out "$OUT" \
  --bucket "$BUCKET" --prefix "$PREFIX" --endpoint-url "$E" --region us-east-1 -v >"$T/pub.out" 2>"$T/pub.err"
status=$?
if [ $status -ne 0 ]; then
  fail publish-upload "exit status $status: $(grep -v '^[*<>]' "$T/pub.err" | head -5)"
else
  keys=$(aws --endpoint-url "$E" s3api list-objects-v2 --bucket "$BUCKET" \
    --query 'Contents[].Key' --output text | tr '\t' '\n' | sort)
  if [ "$keys" != "$EXPECTED_KEYS" ]; then
    fail publish-upload "keys differ: got $(echo $keys), expected $(echo $EXPECTED_KEYS)"
  else
    pass publish-upload
  fi
fi

# Upload order: children, then the parent, then the manifest.
order=$(grep -o '^> PUT /[^ ]*' "$T/pub.err" | sed 's|.*/||' | tr '\n' ' ')
if [ "$order" != "$(echo $CHILDREN "$PARENT" manifest.json) " ]; then
  fail publish-order "PUT order: $order"
else
  pass publish-order
fi

if grep -q -e "$SK" -e 'Signature=' "$T/pub.out" "$T/pub.err"; then
  fail publish-redaction "the secret or a signature appears in the -v trace"
elif ! grep -q '^> Authorization: \[redacted\]' "$T/pub.err"; then
  fail publish-redaction "no redacted Authorization header in the -v trace"
elif ! grep -q '^> x-amz-content-sha256: [0-9a-f]\{64\}' "$T/pub.err" ||
  ! grep -q '^> Content-MD5: ' "$T/pub.err" ||
  ! grep -q '^> Content-Type: application/x-yaml' "$T/pub.err"; then
  fail publish-redaction "x-amz-content-sha256, Content-MD5 or Content-Type missing"
else
  pass publish-redaction
fi

# Read every object back and compare bytes.
mkdir -p "$T/back"
bad=
for f in $CHILDREN "$PARENT" manifest.json; do
  if ! aws --endpoint-url "$E" s3 cp --quiet "s3://$BUCKET/$FOLDER$f" "$T/back/$f" ||
    ! cmp -s "$T/back/$f" "$DIR/$f"; then
    bad="$bad $f"
  fi
done
ctype=$(aws --endpoint-url "$E" s3api head-object --bucket "$BUCKET" --key "${FOLDER}manifest.json" \
  --query ContentType --output text)
if [ -n "$bad" ]; then
  fail publish-readback "objects differ from $DIR:$bad"
elif [ "$ctype" != application/json ]; then
  fail publish-readback "manifest.json has Content-Type $ctype"
else
  pass publish-readback
fi

# The launch link and the CLI line.
FOLDER_URL=$E/$BUCKET/$FOLDER
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
want_link="https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/create/review?templateURL=$(enc "$FOLDER_URL$PARENT")&stackName=hardengen-$ENV_NAME&param_CFtemplateBucketURL=$(enc "$FOLDER_URL")&"
if ! grep -qF "  $want_link" "$T/pub.out"; then
  fail publish-launch-link "no link starting $want_link"
elif ! grep -q "^  aws --endpoint-url $E cloudformation create-stack .* --capabilities CAPABILITY_IAM --enable-termination-protection$" "$T/pub.out"; then
  fail publish-launch-link "no aws cloudformation create-stack line"
else
  pass publish-launch-link
fi

# ---------------------------------------------------------------- session token
# Temporary credentials of an assumed role: x-amz-security-token is sent
# (and redacted from the trace); a token that is not theirs is refused.
aws --endpoint-url "$E" iam create-role --role-name publisher-role --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}' >/dev/null &&
  aws --endpoint-url "$E" iam put-role-policy --role-name publisher-role --policy-name all \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' &&
  session=$(aws --endpoint-url "$E" sts assume-role --role-session-name publish-test \
    --role-arn "arn:aws:iam::123456789012:role/publisher-role" \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
if [ $? -ne 0 ] || [ -z "${session:-}" ]; then
  fail publish-session-token "could not assume a role"
else
  read -r SAK SSK STOK <<<"$session"
  AWS_ACCESS_KEY_ID=$SAK AWS_SECRET_ACCESS_KEY=$SSK AWS_SESSION_TOKEN=$STOK \
    publish --prefix session/ -v >"$T/sess.out" 2>"$T/sess.err"
  status=$?
  # (no --prefix: moto 5.2.1 miscomputes the signature of an encoded '/' in the query)
  n=$(aws --endpoint-url "$E" s3api list-objects-v2 --bucket "$BUCKET" \
    --query "length(Contents[?starts_with(Key, 'session/')])" --output text)
  AWS_ACCESS_KEY_ID=$SAK AWS_SECRET_ACCESS_KEY=$SSK AWS_SESSION_TOKEN=not-the-token \
    publish --prefix session-bad/ >"$T/sessbad.out" 2>"$T/sessbad.err"
  bad_status=$?
  if [ $status -ne 0 ] || [ "$n" != $((N_CHILDREN + 2)) ]; then
    fail publish-session-token "exit status $status, $n objects: $(grep -v '^[*<>]' "$T/sess.err" | head -3)"
  elif ! grep -q '^> x-amz-security-token: \[redacted\]$' "$T/sess.err"; then
    fail publish-session-token "no redacted x-amz-security-token in the trace"
  elif grep -qF -e "$STOK" -e "$SSK" "$T/sess.out" "$T/sess.err"; then
    fail publish-session-token "the token or secret appears in the output"
  elif [ $bad_status -ne 3 ] || ! grep -q ': 400 InvalidToken: the session token is malformed or does not belong to these keys \[s3-auth\]' "$T/sessbad.err"; then
    fail publish-session-token "a wrong token gave status $bad_status: $(head -2 "$T/sessbad.err")"
  else
    pass publish-session-token
  fi
fi

# ---------------------------------------------------------------- closed port
CLOSED=$(free_port)
start=$SECONDS
"$HG_BIN" publish --env "$ENV_NAME" --root "$HG_TOP" --out "$OUT" --bucket "$BUCKET" \
  --endpoint-url "http://localhost:$CLOSED" --region us-east-1 >"$T/closed.out" 2>"$T/closed.err"
status=$?
elapsed=$((SECONDS - start))
if [ $status -ne 3 ]; then
  fail publish-closed-port "exit status $status, expected 3"
elif ! grep -q "error: cannot upload s3://$BUCKET/.*Couldn't connect to server \[s3-network\]" "$T/closed.err" ||
  ! grep -q "note: gave up after [0-9]* attempts" "$T/closed.err"; then
  fail publish-closed-port "unexpected message: $(head -3 "$T/closed.err")"
elif [ "$elapsed" -ge 30 ]; then
  fail publish-closed-port "took ${elapsed}s (bound: 30 s)"
else
  pass publish-closed-port
fi

# ---------------------------------------------------------------- deploy
STACK=hardengen-$ENV_NAME
cmd=$(sed -n 's/^  \(aws --endpoint-url .* cloudformation create-stack .*\)$/\1/p' "$T/pub.out")
if ! eval "$cmd" >"$T/create.out" 2>"$T/create.err"; then
  fail publish-deploy "create-stack failed: $(tail -c 600 "$T/create.err")"
  stop_moto
  exit 0
fi
stack_status=
deadline=$((SECONDS + 90))
while [ $SECONDS -lt $deadline ]; do
  stack_status=$(aws --endpoint-url "$E" cloudformation describe-stacks --stack-name "$STACK" \
    --query 'Stacks[0].StackStatus' --output text 2>&1) || break
  case $stack_status in
  CREATE_COMPLETE | *FAILED | ROLLBACK*) break ;;
  esac
  sleep 0.5
done
if [ "$stack_status" != CREATE_COMPLETE ]; then
  reason=$(aws --endpoint-url "$E" cloudformation describe-stack-events --stack-name "$STACK" \
    --query 'StackEvents[?ResourceStatusReason!=`null`].[LogicalResourceId,ResourceStatusReason]' \
    --output text 2>/dev/null | head -5)
  fail publish-deploy "stack status $stack_status: $reason"
  stop_moto
  exit 0
fi
pass publish-deploy
# dev's account.id (210987654321) is not moto's (123456789012): CloudFormation
# would stop at the parent's Rules assertion; moto does not evaluate Rules.
# tests/sh/harden.sh checks the assertion's text instead.
echo "moto does not evaluate the parent's Rules: the launch into account 123456789012 of a set compiled for 210987654321 completed (tests/sh/harden.sh checks the assertion)"
echo "moto 5.2.1 fails on AWS::KMS::Key Tags (it expects TagKey): the deployed env (dev) has no profile tags; tests/sh/harden.sh checks tags"

nested=$(aws --endpoint-url "$E" cloudformation list-stack-resources --stack-name "$STACK" \
  --query "StackResourceSummaries[?ResourceType=='AWS::CloudFormation::Stack'].PhysicalResourceId" \
  --output text | tr '\t' '\n' | grep -c .)
if [ "$nested" -ne "$N_CHILDREN" ]; then
  fail publish-nested-stacks "$nested nested stacks, expected $N_CHILDREN"
else
  pass publish-nested-stacks
fi

# What moto created, and which resource types of the templates it skipped
# (declared in a template, listed by no stack).
python3 - "$E" "$STACK" "$DIR" >"$T/listing" 2>&1 <<'EOF'
import boto3, glob, re, sys
endpoint, stack, folder = sys.argv[1:4]
c = lambda name: boto3.client(name, endpoint_url=endpoint, region_name="us-east-1")
cfn = c("cloudformation")
stacks = cfn.describe_stacks()["Stacks"]
created = set()
for st in stacks:
    for r in cfn.list_stack_resources(StackName=st["StackId"])["StackResourceSummaries"]:
        created.add(r["ResourceType"])
declared = set()
for path in glob.glob(folder + "/*.yaml"):
    declared |= set(re.findall(r'^    Type: *"?(AWS::[A-Za-z0-9:]+)"?\s*$', open(path).read(), re.M))
topics = [t["TopicArn"] for t in c("sns").list_topics()["Topics"]]
keys = [k["KeyId"] for k in c("kms").list_keys()["Keys"]]
groups = [g["logGroupName"] for g in c("logs").describe_log_groups()["logGroups"]]
buckets = [b["Name"] for b in c("s3").list_buckets()["Buckets"]]
roles = [r["RoleName"] for r in c("iam").list_roles()["Roles"] if r["RoleName"] != "publisher-role"]
print("nested stacks:", " ".join(sorted(s["StackName"] for s in stacks if s["StackName"] != stack)))
print("SNS topics:", " ".join(sorted(topics)))
print("KMS keys:", len(keys))
print("log groups:", " ".join(sorted(groups)))
print("buckets:", " ".join(sorted(buckets)))
print("IAM roles:", " ".join(sorted(roles)))
print("skipped:", " ".join(sorted(declared - created)) or "none")
print("counts:", len(topics), len(keys), len(groups), len(buckets), len(roles))
EOF
if ! grep -q '^counts:' "$T/listing"; then
  fail publish-resources "cannot list moto's resources: $(tail -3 "$T/listing")"
else
  echo "moto created:"
  grep -v -e '^counts:' -e '^skipped:' "$T/listing" | sed 's/^/  /'
  echo "moto skipped these resource types (the stack still completes):$(sed -n 's/^skipped://p' "$T/listing")"
  read -r _ topics keys groups buckets roles < <(grep '^counts:' "$T/listing")
  # At least the two alarm topics, a key, the trail's log group, the log
  # bucket beside the template bucket, and a role.
  if [ "$topics" -lt 2 ] || [ "$keys" -lt 1 ] || [ "$groups" -lt 1 ] || [ "$buckets" -lt 2 ] || [ "$roles" -lt 1 ]; then
    fail publish-resources "topics=$topics keys=$keys log groups=$groups buckets=$buckets roles=$roles"
  else
    pass publish-resources
  fi
fi

# ---------------------------------------------------------------- preflight
# moto's CloudFormation does not run custom resources (it would need a
# Docker-run Lambda, and it ignores FAILED answers): the preflight stack
# stays CREATE_IN_PROGRESS waiting for an answer while the parent completes.
# The test plays CloudFormation's part: it runs the code inlined in
# preflight.global.yaml against moto's APIs with the Create request and
# checks the answer it PUTs to a loopback ResponseURL.
echo "moto does not run custom resources: the preflight stack waits; the inlined handler runs here against moto with the Create request"
python3 - "$E" "$STACK" "$DIR" "$T" >"$T/preflight" 2>&1 <<'EOF'
import importlib.util, json, os, sys, threading, time, urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
import boto3, yaml
endpoint, stack, folder, tmp = sys.argv[1:5]
cfn = boto3.client("cloudformation", endpoint_url=endpoint, region_name="us-east-1")
pid = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="PreflightStack")[
    "StackResourceDetail"]["PhysicalResourceId"]
st = cfn.describe_stacks(StackName=pid)["Stacks"][0]
print("before:", st["StackStatus"])
params = {p["ParameterKey"]: p["ParameterValue"] for p in st.get("Parameters", [])}
stack_id = st["StackId"]
account = stack_id.split(":")[4]
tmpl = yaml.safe_load(open(os.path.join(folder, "preflight.global.yaml")))

def resolve(v):
    """The property values CloudFormation would send (all scalars as strings)."""
    if isinstance(v, dict) and list(v) == ["Ref"]:
        return account if v["Ref"] == "AWS::AccountId" else params[v["Ref"]]
    if isinstance(v, dict) and list(v) == ["Fn::Sub"]:
        s = v["Fn::Sub"]
        for k, x in params.items():
            s = s.replace("${%s}" % k, x)
        return s
    if isinstance(v, dict) and list(v) == ["Fn::GetAtt"]:
        return "arn:aws:lambda:us-east-1:%s:function:%s-preflight" % (account, params["AWSAccountName"])
    if isinstance(v, dict):
        return {k: resolve(x) for k, x in v.items()}
    return str(v).lower() if isinstance(v, bool) else str(v)

# The pre-signed ResponseURL stand-in: a loopback server that keeps the
# handler's answer. (moto's own callback URL checks a SigV4 signature on
# every request once authentication is on, which a pre-signed PUT never
# carries, so the answer cannot complete moto's stack.)
got = []
class Sink(BaseHTTPRequestHandler):
    def do_PUT(self):
        got.append((dict(self.headers), self.rfile.read(int(self.headers["content-length"]))))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
srv = HTTPServer(("127.0.0.1", 0), Sink)
threading.Thread(target=srv.serve_forever, daemon=True).start()

props = resolve(tmpl["Resources"]["Preflight"]["Properties"])
with open(os.path.join(tmp, "index.py"), "w") as f:
    f.write(tmpl["Resources"]["PreflightFunction"]["Properties"]["Code"]["ZipFile"])
os.environ.update({"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1"})
spec = importlib.util.spec_from_file_location("index", os.path.join(tmp, "index.py"))
index = importlib.util.module_from_spec(spec)
spec.loader.exec_module(index)
index.handler({"RequestType": "Create", "ServiceToken": props["ServiceToken"],
               "ResponseURL": "http://127.0.0.1:%d/presigned" % srv.server_address[1],
               "StackId": stack_id, "RequestId": "publish-test", "ResourceType": "Custom::HardengenPreflight",
               "LogicalResourceId": "Preflight", "ResourceProperties": props}, None)
srv.shutdown()
srv.server_close()
print("answers:", len(got))
headers, body = got[0]
print("answer:", body.decode())
EOF
sed 's/^/  /' "$T/preflight"
if ! grep -q '^before: CREATE_IN_PROGRESS$' "$T/preflight"; then
  fail publish-preflight "the preflight stack did not wait for its custom resource: $(head -3 "$T/preflight")"
elif ! grep -q '^answers: 1$' "$T/preflight" || ! grep -q '^answer: {"Status":"SUCCESS","Reason":"preflight passed with [0-9] warnings\?","PhysicalResourceId":"hardengen-preflight",' "$T/preflight"; then
  fail publish-preflight "no SUCCESS answer from the handler: $(tail -3 "$T/preflight")"
elif sed 's/s3-account-public-access-block: not checked[^;]*;//' "$T/preflight" | grep -q '^answer: .*not checked' ||
  ! grep -q '^answer: .*"Checked":"8"' "$T/preflight"; then
  # (botocore sends S3 Control to ACCOUNT.HOST even with an endpoint URL,
  # which does not resolve for localhost: that one check cannot reach moto.)
  fail publish-preflight "a check did not run against moto: $(grep '^answer:' "$T/preflight")"
else
  pass publish-preflight
fi

stop_moto
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  fail publish-stop "moto_server still answers on port $PORT"
else
  pass publish-stop
fi
