#!/usr/bin/env bash
# tests/sh/stackset_build.sh — the StackSet output of `build` (SPEC §12):
# member.yaml cfn-lint clean for prod and dev, no nested stack, Region
# conditions, byte-stable stackset.json; bad org: blocks give a diagnostic
# at the profile line and no output.
. "$(dirname "$0")/lib.sh"

T=$(tmpdir)
ROOT=$HG_DATA/org
export HARDENGEN_SHARE=$HG_TOP

for env in dev prod; do
  name=stackset-build-$env
  if ! "$HG_BIN" build --root "$ROOT" --env "$env" --out "$T/out" >"$T/$env.out" 2>"$T/$env.err"; then
    fail "$name" "build failed: $(head -5 "$T/$env.err")"
    continue
  fi
  M=$T/out/$env/stackset/member.yaml
  J=$T/out/$env/stackset/stackset.json
  if [ ! -s "$M" ] || [ ! -s "$J" ]; then
    fail "$name" "no stackset/member.yaml or stackset.json"
    continue
  fi
  if grep -q 'AWS::CloudFormation::Stack' "$M"; then
    fail "$name" "member.yaml holds a nested stack"
  elif ! grep -q 'Condition: IsHomeRegion' "$M"; then
    fail "$name" "no resource is kept to the home Region"
  elif ! python3 - "$M" "$J" <<'PY'
import json, sys, yaml
m = yaml.safe_load(open(sys.argv[1]))
j = json.load(open(sys.argv[2]))
res = m["Resources"]
def cond(t):
    return {k: v.get("Condition") for k, v in res.items() if v["Type"] == t}
# The multi-Region trail, its bucket and the alarms: home Region only.
for t in ("AWS::CloudTrail::Trail", "AWS::S3::Bucket", "AWS::CloudWatch::Alarm",
          "AWS::Logs::MetricFilter", "AWS::Logs::LogGroup"):
    for k, c in cond(t).items():
        assert c == "IsHomeRegion", (k, c)
# AWS Config in every Region, global resources recorded only at home.
rec = [v for v in res.values() if v["Type"] == "AWS::Config::ConfigurationRecorder"]
assert len(rec) == 1 and "Condition" not in rec[0], rec
inc = rec[0]["Properties"]["RecordingGroup"]["IncludeGlobalResourceTypes"]
assert inc == {"Fn::If": ["IsHomeRegion", True, False]}, inc
for k, v in res.items():
    if v["Type"].startswith("AWS::Config::"):
        assert "Condition" not in v, k
# No account pinned: a StackSet deploys to many accounts.
assert "Rules" not in m or "AWS::AccountId" not in json.dumps(m["Rules"])
# The log bucket is named per account.
lb = [v for v in res.values() if v["Type"] == "AWS::S3::Bucket" and "BucketName" in v["Properties"]]
assert lb and all("${AWS::AccountId}" in json.dumps(v["Properties"]["BucketName"]) for v in lb)
# Every parameter the StackSet passes exists, HomeRegion is the profile's.
params = {p["ParameterKey"]: p["ParameterValue"] for p in j["CreateStackSet"]["Parameters"]}
assert set(params) == set(m["Parameters"]), (params, list(m["Parameters"]))
assert params["HomeRegion"] == "eu-west-1"
cs, ci = j["CreateStackSet"], j["CreateStackInstances"]
assert cs["PermissionModel"] == "SERVICE_MANAGED" and cs["AutoDeployment"]["Enabled"] is True
assert cs["CallAs"] == ci["CallAs"] == "DELEGATED_ADMIN"
assert ci["DeploymentTargets"]["OrganizationalUnitIds"] == ["ou-ab12-34cd56ef", "ou-ab12-9f8e7d6c"]
assert ci["Regions"] == ["eu-west-1", "eu-central-1", "us-east-1"]
assert ci["OperationPreferences"] == {"RegionConcurrencyType": "PARALLEL",
    "FailureTolerancePercentage": 10, "MaxConcurrentPercentage": 25}
assert cs["TemplateURL"].endswith("/stackset/member.yaml")
PY
  then
    fail "$name" "member.yaml or stackset.json is not as expected"
  else
    pass "$name"
  fi
  # Byte-stable: a second build gives the same bytes.
  "$HG_BIN" build --root "$ROOT" --env "$env" --out "$T/again" >/dev/null 2>&1
  if cmp -s "$M" "$T/again/$env/stackset/member.yaml" && cmp -s "$J" "$T/again/$env/stackset/stackset.json"; then
    pass "$name-stable"
  else
    fail "$name-stable" "a second build changed the StackSet files"
  fi
  if need_tool "$name-cfnlint" cfn-lint; then
    if cfn-lint "$M" >"$T/$env.lint" 2>&1; then
      pass "$name-cfnlint"
    else
      fail "$name-cfnlint" "$(head -10 "$T/$env.lint")"
    fi
  fi
done

# ---------------------------------------------------------------- bad input
# Each case: an org: block, the expected line:col, and a word of the message.
bad() {
  local name=$1 want=$2 word=$3
  local r=$T/bad-$name
  mkdir -p "$r/profiles"
  cp "$HG_TOP/profiles/base.yaml" "$HG_TOP/profiles/dev.yaml" "$r/profiles/"
  cat >>"$r/profiles/dev.yaml"
  if "$HG_BIN" build --root "$r" --env dev --out "$r/out" >"$r/out.txt" 2>"$r/err.txt"; then
    fail "stackset-bad-$name" "build succeeded"
  elif [ -e "$r/out/dev" ]; then
    fail "stackset-bad-$name" "partial output written"
  elif ! grep -q "profiles/dev.yaml:$want: error: .*$word" "$r/err.txt"; then
    fail "stackset-bad-$name" "want dev.yaml:$want ... $word, got: $(head -4 "$r/err.txt")"
  elif ! grep -q '\^' "$r/err.txt"; then
    fail "stackset-bad-$name" "no caret line: $(head -4 "$r/err.txt")"
  else
    pass "stackset-bad-$name"
  fi
}
# dev.yaml has 15 lines; the org: block starts at line 16.
bad ou 17:30 "not an organizational unit id" <<'EOF'
org:
  ou_ids: [ou-ab12-34cd56ef, ou-x]
  regions: [eu-west-1]
  home_region: eu-west-1
EOF
bad region 18:24 "not a known Region" <<'EOF'
org:
  ou_ids: [r-ab12]
  regions: [eu-west-1, eu-wset-2]
  home_region: eu-west-1
EOF
bad home 19:16 "not one of org.regions" <<'EOF'
org:
  ou_ids: [r-ab12]
  regions: [eu-west-1]
  home_region: us-east-1
EOF
bad call-as 20:12 "must be one of SELF, DELEGATED_ADMIN" <<'EOF'
org:
  ou_ids: [r-ab12]
  regions: [eu-west-1]
  home_region: eu-west-1
  call_as: ADMIN
EOF
bad both-tolerances 20:76 "both failure_tolerance_count and failure_tolerance_percentage" <<'EOF'
org:
  ou_ids: [r-ab12]
  regions: [eu-west-1]
  home_region: eu-west-1
  preferences: { failure_tolerance_count: 1, failure_tolerance_percentage: 10 }
EOF
bad percentage 20:45 "between 1 and 100" <<'EOF'
org:
  ou_ids: [r-ab12]
  regions: [eu-west-1]
  home_region: eu-west-1
  preferences: { max_concurrent_percentage: 0 }
EOF
bad self-managed 20:20 "auto_deployment needs permission_model SERVICE_MANAGED" <<'EOF'
org:
  ou_ids: [r-ab12]
  regions: [eu-west-1]
  home_region: eu-west-1
  auto_deployment: true
  permission_model: SELF_MANAGED
EOF
bad strict 20:40 "more than failure_tolerance_count" <<'EOF'
org:
  ou_ids: [r-ab12]
  regions: [eu-west-1]
  home_region: eu-west-1
  preferences: { max_concurrent_count: 5, failure_tolerance_count: 1 }
EOF
bad unknown-key 20:3 "unknown key 'region'" <<'EOF'
org:
  ou_ids: [r-ab12]
  regions: [eu-west-1]
  home_region: eu-west-1
  region: eu-west-1
EOF
bad no-ous 17:3 "org needs ou_ids" <<'EOF'
org:
  regions: [eu-west-1]
  home_region: eu-west-1
EOF
many=$(for i in $(seq 10 60); do printf 'ou-ab12-%08d, ' "$i"; done)
bad too-many-ous 17:11 "at most 50 per call" <<EOF
org:
  ou_ids: [${many%, }]
  regions: [eu-west-1]
  home_region: eu-west-1
EOF
bad duplicate 17:38 "lists 'r-ab12' twice" <<'EOF'
org:
  ou_ids: [r-ab12, ou-ab12-34cd56ef, r-ab12]
  regions: [eu-west-1]
  home_region: eu-west-1
EOF
