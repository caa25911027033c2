#!/usr/bin/env bash
# harden.sh — what a security reviewer checks in the emitted stack set:
# the account assertion, retained evidence, names that survive an account
# rename, customer keys on the log group, bucket and topics, Object Lock and
# the break-glass statement, S3 data events and Insights, outputs, tags,
# extra subscriptions, the least IAM capability, and cfn-lint with
# informational checks on every variant.
. "$(dirname "$0")/lib.sh"

need_tool harden-python python3 || exit 0
if ! python3 -c 'import yaml' 2>/dev/null; then
  if [ "${CI:-}" = true ]; then fail harden-python "python3 yaml is missing (required under CI)"; else skip harden-python "python3 yaml is missing"; fi
  exit 0
fi

export HARDENGEN_SHARE=$HG_TOP   # filters and skeletons of this tree
T=$(tmpdir)
R=$T/root
mkdir -p "$R/profiles"
cp "$HG_TOP"/profiles/*.yaml "$R/profiles/"
# Variants of prod: no account id, no hardening options, every option, and
# a renamed account.
sed -e '/^  id: /d' "$R/profiles/prod.yaml" >"$R/profiles/noid.yaml"
grep -v -e object_lock -e break_glass -e s3_data_events -e insights -e '^cloudtrail:' \
  "$R/profiles/prod.yaml" >"$R/profiles/plain.yaml"
sed -e 's/^  name: acme-prod$/  name: acme-production/' "$R/profiles/prod.yaml" >"$R/profiles/renamed.yaml"
cat >"$R/profiles/full.yaml" <<'EOF'
extends: prod
notify:
  infosec:
    - secops@example.com
    - oncall@example.com
    - https://hooks.example.com/alarms
    - arn:aws:sqs:eu-west-1:123456789012:security-alarms
    - arn:aws:lambda:eu-west-1:123456789012:function:page-oncall
  devops: [devops@example.com]
logs:
  object_lock: { mode: COMPLIANCE, days: 2555 }
cloudtrail:
  s3_data_events: all
EOF
for mode in read none; do
  printf 'extends: prod\ncloudtrail:\n  s3_data_events: %s\n  insights: false\n' "$mode" >"$R/profiles/data-$mode.yaml"
done

envs="prod dev noid plain renamed full data-read data-none"
ok=1
for env in $envs; do
  if ! "$HG_BIN" build --env "$env" --root "$R" --out "$T/out" >"$T/$env.log" 2>&1; then
    fail "harden-build-$env" "$(head -5 "$T/$env.log")"
    ok=0
  fi
done
[ $ok = 1 ] && pass harden-build

python3 - "$T/out" <<'PY' >"$T/checks" 2>&1
import json, sys, yaml
out = sys.argv[1]

def load(env, name):
    return yaml.safe_load(open(f"{out}/{env}/{name}"))

def manifest(env):
    return json.load(open(f"{out}/{env}/manifest.json"))

results = []
def check(name, cond, why=""):
    results.append((name, bool(cond), why))

def resources(doc, type_):
    return {k: v for k, v in doc["Resources"].items() if v["Type"] == type_}

prod_parent = load("prod", "security.global.yaml")
trail = load("prod", "cloudtrail.global.yaml")
config = load("prod", "config.global.yaml")
cw = load("prod", "cloudwatch.global.yaml")

# 1. The account assertion, and the manifest records the account.
rule = prod_parent.get("Rules", {}).get("ExpectedAccount", {})
a = (rule.get("Assertions") or [{}])[0]
check("harden-rules-account",
      a.get("Fn::Equals") == [{"Ref": "AWS::AccountId"}, "123456789012"] and "123456789012" in a.get("AssertDescription", ""),
      json.dumps(rule))
check("harden-rules-order", list(prod_parent).index("Rules") < list(prod_parent).index("Resources"))
check("harden-rules-absent-without-id", "Rules" not in load("noid", "security.global.yaml"))
check("harden-manifest-account", manifest("prod")["account_id"] == "123456789012" and manifest("noid")["account_id"] is None)

# 2. Evidence is retained; a rename of the account is an update.
stateful = ["AWS::CloudTrail::Trail", "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup"]
missing = [f"{doc_name}:{k}" for doc_name, doc in (("trail", trail), ("cw", cw))
           for t in stateful for k, v in resources(doc, t).items()
           if v.get("DeletionPolicy") != "Retain" or v.get("UpdateReplacePolicy") != "Retain"]
check("harden-retain", not missing, " ".join(missing))
keys = [k for d in (trail, cw) for k in resources(d, "AWS::KMS::Key")]
check("harden-three-keys", len(keys) == 3, " ".join(keys))
renamed = load("renamed", "cloudtrail.global.yaml")
same = all(json.dumps(trail["Resources"][k]["Properties"].get(p)) == json.dumps(renamed["Resources"][k]["Properties"].get(p))
           for k, p in (("Trail", "TrailName"), ("TrailLogGroup", "LogGroupName"), ("LogBucket", "BucketName")))
check("harden-rename-is-update", same and "AWSAccountName" not in json.dumps(trail["Resources"]["Trail"]["Properties"]["TrailName"]))

# 3. Customer keys.
lg = trail["Resources"]["TrailLogGroup"]["Properties"]
check("harden-loggroup-cmk", lg.get("KmsKeyId") == {"Fn::GetAtt": ["LogGroupKey", "Arn"]}, json.dumps(lg))
st = {s["Sid"]: s for s in trail["Resources"]["LogGroupKey"]["Properties"]["KeyPolicy"]["Statement"]}
logs = st.get("AllowCloudWatchLogs", {})
check("harden-loggroup-key-policy",
      logs.get("Principal") == {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}}
      and "kms:EncryptionContext:aws:logs:arn" in logs.get("Condition", {}).get("ArnEquals", {}), json.dumps(logs))
enc = trail["Resources"]["LogBucket"]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
check("harden-bucket-sse-kms",
      enc["ServerSideEncryptionByDefault"].get("SSEAlgorithm") == "aws:kms" and enc.get("BucketKeyEnabled") is True, json.dumps(enc))
role = json.dumps(config["Resources"]["ConfigRole"]["Properties"]["Policies"])
check("harden-config-kms", "kms:GenerateDataKey" in role and "alias/hardengen-cloudtrail" in role)
sns = {s["Sid"]: s for s in cw["Resources"]["AlarmTopicKey"]["Properties"]["KeyPolicy"]["Statement"]}
check("harden-sns-key-source-account",
      sns["AllowCloudWatchAlarms"].get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount") == {"Ref": "AWS::AccountId"})

# 4. Object Lock and the break-glass statement.
bp = trail["Resources"]["LogBucket"]["Properties"]
check("harden-object-lock",
      bp.get("ObjectLockEnabled") is True and bp["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 365})
full_bp = load("full", "cloudtrail.global.yaml")["Resources"]["LogBucket"]["Properties"]
check("harden-object-lock-compliance", full_bp["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == {"Mode": "COMPLIANCE", "Days": 2555})
check("harden-no-object-lock", "ObjectLockEnabled" not in load("plain", "cloudtrail.global.yaml")["Resources"]["LogBucket"]["Properties"])
pol = {s["Sid"]: s for s in trail["Resources"]["LogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]}
bg = pol.get("DenyTamperingExceptBreakGlass", {})
check("harden-break-glass",
      bg.get("Effect") == "Deny" and "s3:DeleteObject" in bg.get("Action", []) and "s3:PutBucketPolicy" in bg.get("Action", [])
      and bg.get("Condition", {}).get("ArnNotEquals", {}).get("aws:PrincipalArn") == "arn:aws:iam::123456789012:role/security-break-glass",
      json.dumps(bg))
plain_pol = {s["Sid"]: s for s in load("plain", "cloudtrail.global.yaml")["Resources"]["LogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]}
dl = plain_pol.get("DenyLogDeletion", {})
check("harden-deny-deletion-without-break-glass",
      dl.get("Action") == ["s3:DeleteObject", "s3:DeleteObjectVersion"] and "Condition" not in dl and "DenyTamperingExceptBreakGlass" not in plain_pol)

# 5. Data events and Insights.
def selectors(env):
    return load(env, "cloudtrail.global.yaml")["Resources"]["Trail"]["Properties"].get("AdvancedEventSelectors")
def readonly(sel):
    data = sel[1]["FieldSelectors"]
    ro = [f["Equals"] for f in data if f["Field"] == "readOnly"]
    return ro[0] if ro else None
w, r, al = selectors("prod"), selectors("data-read"), selectors("full")
check("harden-data-events-write", w and w[0]["FieldSelectors"] == [{"Field": "eventCategory", "Equals": ["Management"]}] and readonly(w) == ["false"], json.dumps(w))
check("harden-data-events-read", r and readonly(r) == ["true"])
check("harden-data-events-all", al and readonly(al) is None and any(f["Field"] == "resources.ARN" and "NotStartsWith" in f for f in al[1]["FieldSelectors"]))
check("harden-data-events-none", selectors("data-none") is None and selectors("plain") is None)
ins = trail["Resources"]["Trail"]["Properties"].get("InsightSelectors")
check("harden-insights", ins == [{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}]
      and "InsightSelectors" not in load("data-none", "cloudtrail.global.yaml")["Resources"]["Trail"]["Properties"])

# 6. Outputs: exported by the children, surfaced by the parent.
want = {"TrailArn", "TrailKeyArn", "LogBucketName", "LogGroupName", "LogGroupArn", "LogGroupKeyArn"}
check("harden-trail-outputs", want <= set(trail.get("Outputs", {})) and all("Export" in o for o in trail["Outputs"].values()))
check("harden-cw-outputs", {"InfosecTopicArn", "DevOpsTopicArn", "AlarmTopicKeyArn"} <= set(cw.get("Outputs", {})))
po = prod_parent.get("Outputs", {})
check("harden-parent-outputs", (want | {"InfosecTopicArn", "DevOpsTopicArn"}) <= set(po)
      and po["TrailArn"]["Value"] == {"Fn::GetAtt": ["CloudTrailStack", "Outputs.TrailArn"]})

# 6b. Tags on every taggable resource and on the stacks.
taggable = {"AWS::CloudFormation::Stack", "AWS::CloudTrail::Trail", "AWS::CloudWatch::Alarm", "AWS::IAM::Role",
            "AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::SNS::Topic"}
untagged = []
for name in ("security.global.yaml", "cloudtrail.global.yaml", "config.global.yaml", "cloudwatch.global.yaml"):
    for k, v in load("prod", name)["Resources"].items():
        if v["Type"] in taggable:
            tags = {t["Key"]: t["Value"] for t in v.get("Properties", {}).get("Tags", [])}
            if tags.get("owner") != "security" or tags.get("managed-by") != "hardengen":
                untagged.append(f"{name}:{k}")
check("harden-tags", not untagged, " ".join(untagged[:5]))
check("harden-no-tags-without-profile-tags", "Tags" not in load("dev", "cloudtrail.global.yaml")["Resources"]["LogBucket"]["Properties"])

# 7. The least capability.
check("harden-capability-iam", manifest("prod")["capabilities"] == ["CAPABILITY_IAM"])

# 8. Subscriptions from the notify lists.
fcw = load("full", "cloudwatch.global.yaml")["Resources"]
subs = [(v["Properties"]["Protocol"], v["Properties"]["Endpoint"]) for v in fcw.values() if v["Type"] == "AWS::SNS::Subscription"]
extra = sorted(s for s in subs if not isinstance(s[1], dict))
check("harden-subscriptions", extra == sorted([
    ("email", "oncall@example.com"),
    ("https", "https://hooks.example.com/alarms"),
    ("lambda", "arn:aws:lambda:eu-west-1:123456789012:function:page-oncall"),
    ("sqs", "arn:aws:sqs:eu-west-1:123456789012:security-alarms")])
    and fcw["InfosecSubscription"]["Properties"]["Endpoint"] == {"Ref": "InfosecEmail"}, json.dumps(subs))
perm = [v for v in fcw.values() if v["Type"] == "AWS::Lambda::Permission"]
check("harden-lambda-permission", len(perm) == 1 and perm[0]["Properties"]["Principal"] == "sns.amazonaws.com"
      and perm[0]["Properties"]["SourceArn"] == {"Ref": "InfosecTopic"})
check("harden-manifest-emails", manifest("full")["email_subscriptions"] == 3 and manifest("prod")["email_subscriptions"] == 2)

for name, ok, why in results:
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + why[:300]))
PY
cat "$T/checks"; grep -q Traceback "$T/checks" && tail -5 "$T/checks"
grep -q '^PASS harden-tags' "$T/checks" || fail harden-python-checks "the checks did not run: $(tail -3 "$T/checks")"

# A named IAM resource in a user skeleton asks for CAPABILITY_NAMED_IAM.
mkdir -p "$R/templates"
sed -e 's/^  ConfigRole:$/  ConfigRole:/' -e '0,/      Description: Lets AWS Config/s//      RoleName: hardengen-config\n      Description: Lets AWS Config/' \
  "$HG_TOP/templates/config.global.yaml" >"$R/templates/config.global.yaml"
if "$HG_BIN" build --env prod --root "$R" --out "$T/named" >"$T/named.log" 2>&1 &&
  [ "$(jq -c .capabilities "$T/named/prod/manifest.json")" = '["CAPABILITY_NAMED_IAM"]' ]; then
  pass harden-capability-named-iam
else
  fail harden-capability-named-iam "$(head -3 "$T/named.log") $(jq -c .capabilities "$T/named/prod/manifest.json" 2>&1)"
fi
rm -rf "$R/templates"

# Object Lock added to an env whose previous build had none: a warning at the profile line.
mkdir -p "$T/lockout" && cp -r "$T/out/plain" "$T/lockout/prod"
"$HG_BIN" build --env prod --root "$R" --out "$T/lockout" >"$T/lock.out" 2>"$T/lock.err"
if grep -q "/profiles/prod.yaml:[0-9]*:[0-9]*: warning: logs.object_lock is new for this env.*\[object-lock-existing-bucket\]" "$T/lock.err"; then
  pass harden-object-lock-existing
else
  fail harden-object-lock-existing "$(head -3 "$T/lock.err")"
fi

# Bad values: file:line:col diagnostics.
bad() {
  local name=$1 text=$2 want=$3
  mkdir -p "$T/bad-$name/profiles"
  cp "$HG_TOP"/profiles/base.yaml "$T/bad-$name/profiles/"
  local logs="logs: { bucket: acme-x-logs }"
  case $text in logs:*) logs= ;; esac
  printf '%s\n' "extends: base" "account: { name: acme-x }" "$text" "$logs" >"$T/bad-$name/profiles/x.yaml"
  if "$HG_BIN" check --env x --root "$T/bad-$name" >/dev/null 2>"$T/bad-$name.err"; then
    fail "harden-bad-$name" "accepted"
  elif grep -q "$want" "$T/bad-$name.err"; then
    pass "harden-bad-$name"
  else
    fail "harden-bad-$name" "$(head -3 "$T/bad-$name.err")"
  fi
}
bad lock-mode 'logs: { bucket: acme-x-logs, object_lock: { mode: GOVERNANSE, days: 30 } }' "profiles/x.yaml:3:.*must be GOVERNANCE or COMPLIANCE"
bad lock-days 'logs: { bucket: acme-x-logs, object_lock: { mode: COMPLIANCE, days: 0 } }' "profiles/x.yaml:3:.*from 1 to 36500 days"
bad role-arn 'logs: { bucket: acme-x-logs, break_glass_role: "arn:aws:iam::12345:role/x" }' "profiles/x.yaml:3:.*not an IAM role ARN"
bad data-events 'cloudtrail: { s3_data_events: wrte }' "did you mean 'write'"
bad insights 'cloudtrail: { insights: "yes" }' "profiles/x.yaml:3:.*must be a boolean"
bad tag-reserved 'tags: { "aws:owner": x }' "reserved prefix 'aws:'"
bad tag-number 'tags: { cost-center: 1234 }' 'quote it to keep it a string'
bad endpoint 'notify: { infosec: [secops@example.com, "ftp://x"] }' "profiles/x.yaml:3:.*not an email address, https URL"
bad no-email 'notify: { infosec: ["https://hooks.example.com/a"] }' "needs at least one email address"
bad endpoint-dup 'notify: { devops: [a@example.com, a@example.com] }' "lists 'a@example.com' twice"
bad lambda-arn 'notify: { devops: [a@example.com, "arn:aws:lambda:eu-west-1:123456789012:layer:x"] }' "a Lambda endpoint is arn"

# cfn-lint with informational checks: nothing on any variant (no I3011 on
# stateful resources).
if need_tool harden-cfnlint cfn-lint; then
  for env in prod dev full plain; do
    if cfn-lint --include-checks I -- "$T/out/$env"/*.yaml >"$T/lint-$env" 2>&1; then
      pass "harden-cfnlint-$env"
    else
      fail "harden-cfnlint-$env" "$(head -6 "$T/lint-$env")"
    fi
  done
fi
