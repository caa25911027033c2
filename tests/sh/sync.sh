#!/usr/bin/env bash
# tests/sh/sync.sh — `hardengen sync` against a local moto_server that checks
# request signatures: the central tables are created from the definitions
# in the built central.global.yaml, the items read back must equal
# detective-data.json, an edited exception file gives one change and one
# removal, a second run changes nothing, and a wrong secret writes nothing.
#
# moto runs on 127.0.0.1 with INITIAL_NO_AUTH_ACTION_COUNT=3: the first
# three calls (an IAM user, its access key, its policy) need no signature;
# every later request must be signed with the user's key.
. "$(dirname "$0")/lib.sh"

need_tool sync-python python3 || exit 0

T=$(tmpdir)

# Keep the caller's AWS configuration out of every command.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=$T/no-credentials
export AWS_DEFAULT_REGION=eu-west-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
# Templates and the handler source come from this tree.
export HARDENGEN_SHARE=$HG_TOP

ROOT=$T/root
cp -r "$HG_TOP/tests/golden/detective-root" "$ROOT"
ENV_NAME=security
OUT=$T/out
DIR=$OUT/$ENV_NAME

build() {
  "$HG_BIN" build --env "$ENV_NAME" --root "$ROOT" --out "$OUT" >"$T/build.out" 2>"$T/build.err"
}
if ! build || [ ! -f "$DIR/detective-data.json" ] || [ ! -f "$DIR/central.global.yaml" ]; then
  fail sync-build "hardengen build --env $ENV_NAME failed: $(head -3 "$T/build.err")"
  exit 0
fi
pass sync-build

# ---------------------------------------------------------------- offline checks
expect_fail sync-usage-env 2 '^hardengen: --env ENV is required$' -- "$HG_BIN" sync
expect_fail sync-usage-endpoint 2 "error: invalid endpoint URL 'ftp://x' (--endpoint-url): the scheme must be http or https \[endpoint-invalid\]" -- \
  "$HG_BIN" sync --env "$ENV_NAME" --root "$ROOT" --out "$OUT" --endpoint-url ftp://x
expect_fail sync-not-built 1 "error: $T/none/$ENV_NAME/manifest.json: No such file or directory \[sync-not-built\]" -- \
  "$HG_BIN" sync --env "$ENV_NAME" --root "$ROOT" --out "$T/none"
expect_fail sync-no-detective 1 "error: the profile has no detective: block, so there is nothing to sync \[sync-no-detective\]" -- \
  "$HG_BIN" sync --env dev --root "$HG_TOP" --out "$OUT"
mkdir -p "$T/stale"
cp -r "$DIR" "$T/stale/$ENV_NAME"
sed -i 's/bastion host/a host/' "$T/stale/$ENV_NAME/detective-data.json"
expect_fail sync-stale 1 "detective-data.json: error: does not match manifest.json: it changed after the build \[sync-stale\]" -- \
  "$HG_BIN" sync --env "$ENV_NAME" --root "$ROOT" --out "$T/stale" --endpoint-url http://localhost:9
# A manifest that is not JSON: its position, read by the one JSON reader.
mkdir -p "$T/badmanifest"
cp -r "$DIR" "$T/badmanifest/$ENV_NAME"
printf '{\n  "data": [oops]\n}\n' >"$T/badmanifest/$ENV_NAME/manifest.json"
expect_fail sync-manifest-not-json 1 "$T/badmanifest/$ENV_NAME/manifest.json:2:12: error: not valid JSON: .* \[sync-not-built\]" -- \
  "$HG_BIN" sync --env "$ENV_NAME" --root "$ROOT" --out "$T/badmanifest" --endpoint-url http://localhost:9

need_tool sync-moto moto_server || exit 0

# ---------------------------------------------------------------- moto
PORT=$(free_port)
E=http://127.0.0.1:$PORT
start_moto sync-moto "$PORT" "$T/moto.log" INITIAL_NO_AUTH_ACTION_COUNT=3 || exit 0
pass sync-moto

# py ARGS... <<SCRIPT: python with the endpoint as argv[1].
py() {
  python3 - "$E" "$@"
}

# The three unauthenticated calls, then the tables from central.global.yaml.
keys=$(py <<'EOF'
import boto3, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="syncer")
k = iam.create_access_key(UserName="syncer")["AccessKey"]
iam.put_user_policy(UserName="syncer", PolicyName="all", PolicyDocument=
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}')
print(k["AccessKeyId"], k["SecretAccessKey"])
EOF
)
read -r AK SK <<<"$keys"
if [ -z "${SK:-}" ]; then
  fail sync-setup "could not create the IAM user and key"
  exit 0
fi
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK

TABLES=$(py "$DIR/central.global.yaml" <<'EOF'
import boto3, sys, yaml
endpoint, path = sys.argv[1:3]
ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-west-1")
doc = yaml.safe_load(open(path))
names = []
for rid, res in doc["Resources"].items():
    if res["Type"] != "AWS::DynamoDB::Table":
        continue
    p = res["Properties"]
    assert p["BillingMode"] == "PAY_PER_REQUEST", rid
    assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, rid
    assert p["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}, rid
    assert p["DeletionProtectionEnabled"] is True, rid
    ddb.create_table(TableName=p["TableName"], AttributeDefinitions=p["AttributeDefinitions"],
                     KeySchema=p["KeySchema"], BillingMode=p["BillingMode"])
    names.append(p["TableName"])
print(" ".join(sorted(names)))
EOF
)
if [ "$TABLES" != "acme-config-rules acme-exceptions" ]; then
  fail sync-setup "tables from central.global.yaml: '$TABLES'"
  exit 0
fi
# Signatures are checked from here on: a bad one is refused.
if AWS_SECRET_ACCESS_KEY=not-the-secret py 2>/dev/null <<'EOF'
import boto3, sys
boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="eu-west-1").list_tables()
EOF
then
  fail sync-setup "moto accepted a wrong signature: signature checks are off"
  exit 0
fi
pass sync-setup

count_items() {
  py <<'EOF'
import boto3, sys
ddb = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="eu-west-1")
print(sum(ddb.scan(TableName=t)["Count"] for t in ("acme-config-rules", "acme-exceptions")))
EOF
}

# The tables hold exactly the items of detective-data.json.
same_as_data() {
  py "$DIR/detective-data.json" <<'EOF'
import boto3, json, sys
endpoint, path = sys.argv[1:3]
ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-west-1")
data = json.load(open(path))
canon = lambda items: sorted(json.dumps(i, sort_keys=True) for i in items)
for t in data["tables"]:
    got = ddb.scan(TableName=t["name"], ConsistentRead=True)["Items"]
    if canon(got) != canon(t["items"]):
        print("table %s differs: %d items, %d declared" % (t["name"], len(got), len(t["items"])))
        sys.exit(1)
print("ok")
EOF
}

sync() {
  "$HG_BIN" sync --env "$ENV_NAME" --root "$ROOT" --out "$OUT" --endpoint-url "$E" "$@"
}
N_ITEMS=$(python3 -c 'import json,sys; print(sum(len(t["items"]) for t in json.load(open(sys.argv[1]))["tables"]))' "$DIR/detective-data.json")

# ---------------------------------------------------------------- wrong secret
WRONG=WrongSecretKey0000000000000000000000000
AWS_SECRET_ACCESS_KEY=$WRONG sync >"$T/wrong.out" 2>"$T/wrong.err"
status=$?
n=$(count_items)
if [ $status -ne 3 ]; then
  fail sync-wrong-secret "exit status $status, expected 3: $(head -2 "$T/wrong.err")"
elif ! grep -q "error: cannot read table acme-config-rules: 40[03] .*\[dynamodb-auth\]" "$T/wrong.err"; then
  fail sync-wrong-secret "unexpected message: $(head -3 "$T/wrong.err")"
elif ! grep -q "note: nothing was written" "$T/wrong.err"; then
  fail sync-wrong-secret "no 'nothing was written' note"
elif [ "$n" != 0 ]; then
  fail sync-wrong-secret "$n items were written"
elif grep -q "$WRONG" "$T/wrong.out" "$T/wrong.err"; then
  fail sync-wrong-secret "the secret appears in the output"
else
  pass sync-wrong-secret
fi

# ---------------------------------------------------------------- dry run
if sync --dry-run >"$T/dry.out" 2>"$T/dry.err"; then
  n=$(count_items)
  lines=$(grep -c '^  would add ' "$T/dry.out")
  if [ "$n" != 0 ]; then
    fail sync-dry-run "the dry run wrote $n items"
  elif [ "$lines" != "$N_ITEMS" ] ||
    ! grep -q "^dry run: $N_ITEMS to add, 0 to change, 0 to remove, 0 unchanged (acme-config-rules, acme-exceptions at $E)$" "$T/dry.out"; then
    fail sync-dry-run "unexpected listing: $(tail -1 "$T/dry.out")"
  else
    pass sync-dry-run
  fi
else
  fail sync-dry-run "exit status $?: $(head -3 "$T/dry.err")"
fi

# ---------------------------------------------------------------- first sync
if ! sync -v >"$T/s1.out" 2>"$T/s1.err"; then
  fail sync-first "exit status $?: $(grep -v '^[<>]' "$T/s1.err" | head -3)"
elif ! grep -q "^sync: $N_ITEMS added, 0 changed, 0 removed, 0 unchanged " "$T/s1.out"; then
  fail sync-first "unexpected summary: $(tail -1 "$T/s1.out")"
elif [ "$(grep -c '^  added ' "$T/s1.out")" != "$N_ITEMS" ]; then
  fail sync-first "not one 'added' line per item"
elif ! res=$(same_as_data) || [ "$res" != ok ]; then
  fail sync-first "read back: $res"
else
  pass sync-first
fi
if grep -q -e "$SK" -e 'Signature=' "$T/s1.out" "$T/s1.err"; then
  fail sync-redaction "the secret or a signature appears in the -v trace"
elif ! grep -q '^> Authorization: \[redacted\]' "$T/s1.err" ||
  ! grep -q '^> X-Amz-Target: DynamoDB_20120810.PutItem' "$T/s1.err" ||
  ! grep -q '^> Content-Type: application/x-amz-json-1.0' "$T/s1.err"; then
  fail sync-redaction "no redacted Authorization, X-Amz-Target or Content-Type in the trace"
else
  pass sync-redaction
fi

# ---------------------------------------------------------------- an edited exception
# One exception gets a new reason, the buckets file goes away: one change
# and one removal.
sed -i 's/reachable only through the VPN/reachable only through the VPN and the jump account/' "$ROOT/exceptions/network.yaml"
rm "$ROOT/exceptions/buckets.yaml"
if ! build; then
  fail sync-edit "the build after the edit failed: $(head -3 "$T/build.err")"
elif ! sync >"$T/s2.out" 2>"$T/s2.err"; then
  fail sync-edit "exit status $?: $(head -3 "$T/s2.err")"
else
  want="  changed      acme-exceptions rule=restricted-ssh match=arn:arn:aws:ec2:eu-west-1:210987654321:security-group/sg-0a1b2c3d4e5f60718
  removed      acme-exceptions rule=s3-bucket-public-read-prohibited match=arn:arn:aws:s3:::acme-public-website
sync: 0 added, 1 changed, 1 removed, $((N_ITEMS - 2)) unchanged (acme-config-rules, acme-exceptions at $E)"
  if [ "$(cat "$T/s2.out")" != "$want" ]; then
    fail sync-edit "output: $(cat "$T/s2.out")"
  elif ! res=$(same_as_data) || [ "$res" != ok ]; then
    fail sync-edit "read back: $res"
  else
    pass sync-edit
  fi
fi

# ---------------------------------------------------------------- idempotent
# (the endpoint from the environment this time, as the AWS CLI reads it)
if ! AWS_ENDPOINT_URL_DYNAMODB=$E "$HG_BIN" sync --env "$ENV_NAME" --root "$ROOT" --out "$OUT" \
  >"$T/s3.out" 2>"$T/s3.err"; then
  fail sync-idempotent "exit status $?: $(head -3 "$T/s3.err")"
elif [ "$(cat "$T/s3.out")" != "sync: 0 added, 0 changed, 0 removed, $((N_ITEMS - 1)) unchanged (acme-config-rules, acme-exceptions at $E)" ]; then
  fail sync-idempotent "output: $(cat "$T/s3.out")"
else
  pass sync-idempotent
fi

# An item written by hand (not declared) is removed; nothing else moves.
py <<'EOF'
import boto3, sys
ddb = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="eu-west-1")
ddb.put_item(TableName="acme-config-rules", Item={"rule": {"S": "hand-made"}, "severity": {"S": "LOW"}})
EOF
if sync >"$T/s4.out" 2>"$T/s4.err" && grep -q '^  removed      acme-config-rules rule=hand-made$' "$T/s4.out" &&
  grep -q "^sync: 0 added, 0 changed, 1 removed, $((N_ITEMS - 1)) unchanged " "$T/s4.out" &&
  res=$(same_as_data) && [ "$res" = ok ]; then
  pass sync-undeclared
else
  fail sync-undeclared "output: $(cat "$T/s4.out" "$T/s4.err" | head -4)"
fi

# ---------------------------------------------------------------- missing table
py <<'EOF'
import boto3, sys
boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="eu-west-1").delete_table(TableName="acme-exceptions")
EOF
sync >"$T/s5.out" 2>"$T/s5.err"
status=$?
if [ $status -ne 3 ]; then
  fail sync-missing-table "exit status $status, expected 3"
elif ! grep -q "error: cannot read table acme-exceptions: 400 ResourceNotFoundException: the table does not exist: deploy central.global.yaml first \[dynamodb-http\]" "$T/s5.err"; then
  fail sync-missing-table "unexpected message: $(head -3 "$T/s5.err")"
else
  pass sync-missing-table
fi

# ---------------------------------------------------------------- closed port
CLOSED=$(free_port)
start=$SECONDS
"$HG_BIN" sync --env "$ENV_NAME" --root "$ROOT" --out "$OUT" --endpoint-url "http://127.0.0.1:$CLOSED" \
  >"$T/closed.out" 2>"$T/closed.err"
status=$?
elapsed=$((SECONDS - start))
if [ $status -ne 3 ]; then
  fail sync-closed-port "exit status $status, expected 3"
elif ! grep -q "error: cannot read table acme-config-rules: .*Couldn't connect to server \[dynamodb-network\]" "$T/closed.err" ||
  ! grep -q "note: gave up after [0-9]* attempts" "$T/closed.err"; then
  fail sync-closed-port "unexpected message: $(head -4 "$T/closed.err")"
elif [ "$elapsed" -ge 30 ]; then
  fail sync-closed-port "took ${elapsed}s (bound: 30 s)"
else
  pass sync-closed-port
fi

stop_moto
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  fail sync-stop "moto_server still answers on port $PORT"
else
  pass sync-stop
fi
