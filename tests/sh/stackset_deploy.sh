#!/usr/bin/env bash
# tests/sh/stackset_deploy.sh — `hardengen deploy` against a local
# moto_server with an organization of 3 OUs and 50 member accounts:
# deploy to two OUs x two Regions, every instance CURRENT, the resources
# seen from a member account through its role, no new operation when
# nothing changed, one update operation (and no new instance) after a
# profile change, an unknown OU refused; then the flattened template as a
# plain stack in moto's CloudFormation.
#
# moto 5.2.1 does not report OrganizationalUnitId in ListStackInstances
# and runs operations synchronously; it ignores AWS::KMS::Key Tags only
# by crashing, so the env here (dev) has no tags.
. "$(dirname "$0")/lib.sh"

need_tool stackset-deploy-python python3 || exit 0
need_tool stackset-deploy-moto moto_server || exit 0

T=$(tmpdir)

unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_REGION AWS_ENDPOINT_URL
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=$T/no-credentials
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export HARDENGEN_SHARE=$HG_TOP
PORT=$(free_port)
export E=http://localhost:$PORT
PY="python3 $HG_TOP/tests/sh/stackset_org.py"

start_moto stackset-deploy-moto "$PORT" "$T/moto.log" || exit 0

if ! $PY setup "$T/org.json" >"$T/setup.log" 2>&1; then
  fail stackset-deploy-setup "$(tail -3 "$T/setup.log")"
  exit 0
fi
ou() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ous"][sys.argv[2]])' "$T/org.json" "$1"; }
accounts() { python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["accounts"][sys.argv[2]]))' "$T/org.json" "$1"; }
OU1=$(ou security) OU2=$(ou workloads)
n_org=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["ous"]), sum(map(len, d["accounts"].values())))' "$T/org.json")
[ "$n_org" = "3 50" ] && pass stackset-deploy-setup || fail stackset-deploy-setup "organization is '$n_org', want 3 OUs and 50 accounts"

# A root with the shipped base and dev profiles, the test bucket, an org: block.
R=$T/root
mkdir -p "$R/profiles"
sed -e 's/^  bucket: acme-cfn$/  bucket: hardengen-stackset-test/' -e 's/^  region: eu-west-1$/  region: us-east-1/' \
  "$HG_TOP/profiles/base.yaml" >"$R/profiles/base.yaml"
cp "$HG_TOP/profiles/dev.yaml" "$R/profiles/dev.yaml"
# moto runs no custom resource: the preflight audit (a Custom:: resource
# that never answers there) is left out of the deployed set.
echo "moto runs no custom resource: the deployed env sets preflight: false (tests/sh/preflight_lambda.sh tests the audit)"
cat >>"$R/profiles/dev.yaml" <<EOF2
preflight: false
org:
  ou_ids: [$OU1, $OU2]
  regions: [us-east-1, eu-west-1]
  home_region: us-east-1
  call_as: SELF
  preferences: { region_concurrency: PARALLEL, max_concurrent_percentage: 100, failure_tolerance_count: 0 }
EOF2

deploy() {
  "$HG_BIN" build --root "$R" --env "$1" --out "$R/out" >"$T/build.out" 2>&1 || { cat "$T/build.out"; return 9; }
  "$HG_BIN" deploy --root "$R" --env "$1" --out "$R/out" --endpoint-url "$E" --timeout 300
}

# ---------------------------------------------------------------- dry run
"$HG_BIN" build --root "$R" --env dev --out "$R/out" >/dev/null 2>&1
if "$HG_BIN" deploy --root "$R" --env dev --out "$R/out" --dry-run >"$T/dry.out" 2>"$T/dry.err" &&
   grep -q '^CreateStackInstances' "$T/dry.out" && grep -q "DeploymentTargets.OrganizationalUnitIds.member.2=$OU2" "$T/dry.out" &&
   [ "$($PY operations hardengen-dev 2>/dev/null || echo none)" = none ]; then
  pass stackset-deploy-dry-run
else
  fail stackset-deploy-dry-run "$(head -5 "$T/dry.out" "$T/dry.err")"
fi

# ---------------------------------------------------------------- first deploy
want=$( (accounts security; accounts workloads) | while read -r a; do echo "$a eu-west-1"; echo "$a us-east-1"; done | sort)
if deploy dev >"$T/d1.out" 2>"$T/d1.err"; then
  got=$($PY instances hardengen-dev | awk '$3 == "CURRENT" {print $1, $2}' | sort)
  all=$($PY instances hardengen-dev | wc -l)
  if [ "$got" = "$want" ] && [ "$all" -eq 68 ] && grep -q '^68 stack instance(s), 68 CURRENT$' "$T/d1.out"; then
    pass stackset-deploy-create
  else
    fail stackset-deploy-create "instances differ from 34 accounts x 2 Regions CURRENT ($all listed): $(tail -3 "$T/d1.out")"
  fi
else
  fail stackset-deploy-create "exit $?: $(tail -5 "$T/d1.err")"
fi

# The resources, seen from a member account through its role.
A=$(accounts workloads | head -1)
$PY member "$A" >"$T/member.txt" 2>&1
if grep -q "^identity - $A$" "$T/member.txt" && grep -q "^bucket - acme-dev-security-logs-$A$" "$T/member.txt" &&
   [ "$(grep -c '^bucket - acme-dev-security-logs-' "$T/member.txt")" -eq 1 ]; then
  pass stackset-deploy-member
else
  fail stackset-deploy-member "$(head -5 "$T/member.txt")"
fi
S=$(accounts sandbox | head -1)
if $PY member "$S" | grep -q '^bucket - acme-dev'; then
  fail stackset-deploy-other-ou "an account outside the target OUs got the resources"
else
  pass stackset-deploy-other-ou
fi

# ---------------------------------------------------------------- nothing changed
ops1=$($PY operations hardengen-dev)
if deploy dev >"$T/d2.out" 2>"$T/d2.err" && grep -q 'is up to date' "$T/d2.out" &&
   [ "$($PY operations hardengen-dev)" = "$ops1" ]; then
  pass stackset-deploy-unchanged
else
  fail stackset-deploy-unchanged "$(tail -3 "$T/d2.out" "$T/d2.err")"
fi

# ---------------------------------------------------------------- a profile change
sed -i 's/^  retention_days: 365$/  retention_days: 400/' "$R/profiles/dev.yaml"
if deploy dev >"$T/d3.out" 2>"$T/d3.err"; then
  ops2=$($PY operations hardengen-dev)
  dups=$($PY instances hardengen-dev | awk '{print $1, $2}' | sort | uniq -d | wc -l)
  all=$($PY instances hardengen-dev | wc -l)
  body=$(python3 -c 'import boto3,os; print(boto3.client("cloudformation", endpoint_url=os.environ["E"]).describe_stack_set(StackSetName="hardengen-dev")["StackSet"]["Parameters"])')
  if grep -q '^updated hardengen-dev' "$T/d3.out" && [ "$ops2" -eq $((ops1 + 1)) ] && [ "$dups" -eq 0 ] &&
     [ "$all" -eq 68 ] && ! grep -q '^creating instances' "$T/d3.out" && [[ $body == *"'400'"* ]]; then
    pass stackset-deploy-update
  else
    fail stackset-deploy-update "ops $ops1 -> $ops2, $all instances, $dups duplicates: $(cat "$T/d3.out")"
  fi
else
  fail stackset-deploy-update "exit $?: $(tail -5 "$T/d3.err")"
fi

# ---------------------------------------------------------------- an unknown OU
sed -e "s/^  ou_ids: .*/  ou_ids: [ou-zz99-zz99zz99]/" -e 's/^org:$/org:\n  stack_set_name: hardengen-ghost/' \
  "$R/profiles/dev.yaml" >"$R/profiles/ghost.yaml"
deploy ghost >"$T/g.out" 2>"$T/g.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'OU ou-zz99-zz99zz99 is not part of the organization' "$T/g.err" &&
   ! grep -q 'CURRENT' "$T/g.out"; then
  pass stackset-deploy-unknown-ou
else
  fail stackset-deploy-unknown-ou "exit $rc: $(cat "$T/g.out" "$T/g.err" | head -5)"
fi

# ---------------------------------------------------------------- an unknown root
# Roots are checked with ListRoots: only a root the answer names passes.
sed -e "s/^  ou_ids: .*/  ou_ids: [r-zz99]/" -e 's/^org:$/org:\n  stack_set_name: hardengen-ghost-root/' \
  "$R/profiles/dev.yaml" >"$R/profiles/ghostroot.yaml"
deploy ghostroot >"$T/gr.out" 2>"$T/gr.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'root r-zz99 is not part of the organization' "$T/gr.err" &&
   ! grep -q 'CURRENT' "$T/gr.out"; then
  pass stackset-deploy-unknown-root
else
  fail stackset-deploy-unknown-root "exit $rc: $(cat "$T/gr.out" "$T/gr.err" | head -5)"
fi

# ---------------------------------------------------------------- a plain stack
# The flattened template also deploys as one ordinary stack (home Region).
if python3 - "$R/out/dev/stackset/member.yaml" >"$T/plain.out" 2>&1 <<'PY'
import os, sys, time
import boto3
cfn = boto3.client("cloudformation", endpoint_url=os.environ["E"], region_name="us-east-1")
cfn.create_stack(StackName="hardengen-plain", TemplateBody=open(sys.argv[1]).read(),
                 Capabilities=["CAPABILITY_IAM"],
                 Parameters=[{"ParameterKey": "Bucket4Logs", "ParameterValue": "plain-logs"}])
for _ in range(120):
    st = cfn.describe_stacks(StackName="hardengen-plain")["Stacks"][0]["StackStatus"]
    if not st.endswith("IN_PROGRESS"):
        break
    time.sleep(0.5)
print(st)
s3 = boto3.client("s3", endpoint_url=os.environ["E"], region_name="us-east-1")
names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
print("plain-logs-123456789012" in names)
sys.exit(0 if st == "CREATE_COMPLETE" and "plain-logs-123456789012" in names else 1)
PY
then
  pass stackset-deploy-plain-stack
else
  fail stackset-deploy-plain-stack "$(tail -3 "$T/plain.out")"
fi
stop_moto
