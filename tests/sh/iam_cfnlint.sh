#!/usr/bin/env bash
# iam_cfnlint.sh — hardengen lint-iam against cfn-lint's W3037 on the same
# templates (tests/iam/*.yaml, *.json): hardengen must report every action
# W3037 reports, and also what W3037 misses (typos inside
# AWS::Organizations::Policy SCPs; errors, not warnings, for Deny typos).
. "$(dirname "$0")/lib.sh"
export HARDENGEN_IAM_ACTIONS="$HG_TOP/share/iam-actions.txt"
cd "$HG_TOP" || exit 1

need_tool iam_cfnlint cfn-lint || exit 0
need_tool iam_cfnlint python3 || exit 0
t=$(tmpdir)
files=(tests/iam/clean.yaml tests/iam/iam-policy.yaml tests/iam/role-user-group.yaml
       tests/iam/resource-policies.yaml tests/iam/organizations.yaml tests/iam/other-policies.yaml
       tests/iam/template.json)

cfn-lint -f json "${files[@]}" > "$t/cfn.json" 2>"$t/cfn.err"
"$HG_BIN" lint-iam --format json "${files[@]}" > "$t/hg.json" 2>"$t/hg.err"
rc=$?

# W3037 names the lower-cased action part or service in its message; find a
# hardengen finding in the same file naming that action or service.
python3 - "$t/cfn.json" "$t/hg.json" > "$t/cmp.txt" <<'EOF'
import json, re, sys
cfn = [m for m in json.load(open(sys.argv[1])) if m["Rule"]["Id"] == "W3037"]
hg = json.load(open(sys.argv[2]))["diagnostics"]
names = {}
for d in hg:
    for q in re.findall(r"'([^']*)'", d["message"]):
        names.setdefault(d["file"], set()).add(q.lower())
        if ":" in q:
            svc, act = q.lower().split(":", 1)
            names[d["file"]].update({svc, act})
missing = []
for m in cfn:
    tok = re.match(r"'([^']*)'", m["Message"]).group(1).lower()
    if tok not in names.get(m["Filename"], set()):
        missing.append(f'{m["Filename"]}:{m["Location"]["Start"]["LineNumber"]}: {tok}')
print(f"w3037 {len(cfn)}")
print(f"hardengen {len(hg)}")
for x in missing:
    print("missing", x)
EOF
w=$(awk '/^w3037/{print $2}' "$t/cmp.txt")
if [ -z "$w" ] || [ "$w" -lt 19 ]; then
  fail iam_cfnlint_w3037_ran "cfn-lint reported ${w:-no} W3037 findings, expected at least 19: $(head -c 300 "$t/cfn.err")"
elif grep -q '^missing' "$t/cmp.txt"; then
  fail iam_cfnlint_covers_w3037 "$(grep '^missing' "$t/cmp.txt" | tr '\n' ';')"
else
  pass iam_cfnlint_covers_w3037
fi
[ "$rc" -eq 1 ] && pass iam_cfnlint_exit_1 || fail iam_cfnlint_exit_1 "exit $rc"

# What W3037 misses: SCP typos (cfn-lint skips AWS::Organizations::Policy).
python3 - "$t/cfn.json" "$t/hg.json" > "$t/scp.txt" <<'EOF'
import json, sys
cfn = [m for m in json.load(open(sys.argv[1])) if m["Rule"]["Id"] == "W3037"]
hg = json.load(open(sys.argv[2]))["diagnostics"]
def sev(name):
    return sorted({d["severity"] for d in hg if f"'{name}'" in d["message"]})
for name in ("cloudtrail:StopLoging", "suport:*", "config:DeleteConfigurationRecoder",
             "guardduty:DeleteDetecter"):
    lower = name.split(":")[1].lower() if not name.endswith("*") else name.split(":")[0]
    in_cfn = any(m["Message"].startswith(f"'{lower}'") for m in cfn)
    print(name, ",".join(sev(name)) or "none", "cfn-lint" if in_cfn else "-")
EOF
want_scp='cloudtrail:StopLoging error -
suport:* error -
config:DeleteConfigurationRecoder error -
guardduty:DeleteDetecter error -'
if [ "$(cat "$t/scp.txt")" = "$want_scp" ]; then
  pass iam_cfnlint_scp_typos
else
  fail iam_cfnlint_scp_typos "$(tr '\n' ';' < "$t/scp.txt")"
fi

# Deny typos: errors here, warnings (W) in cfn-lint.
python3 - "$t/cfn.json" "$t/hg.json" > "$t/deny.txt" <<'EOF'
import json, sys
cfn = [m for m in json.load(open(sys.argv[1])) if m["Rule"]["Id"] == "W3037"]
hg = json.load(open(sys.argv[2]))["diagnostics"]
for name in ("s3:DeleteObjcet", "iam:CreateUserr", "s3:DeleteObjectVersoin", "sqs:SendMesage",
             "kms:DisableKye", "ec2:DeleteVcp", "iam:ListMFADevice", "organisations:*"):
    hs = sorted({d["severity"] for d in hg if f"'{name}'" in d["message"]})
    tok = name.split(":")[0] if name.endswith("*") else name.split(":")[1].lower()
    cs = sorted({m["Level"] for m in cfn if m["Message"].startswith(f"'{tok}'")})
    print(name, ",".join(hs) or "none", ",".join(cs) or "none")
EOF
if awk '$2 != "error" || $3 != "Warning" { bad = 1 } END { exit bad }' "$t/deny.txt"; then
  pass iam_cfnlint_deny_errors
else
  fail iam_cfnlint_deny_errors "$(tr '\n' ';' < "$t/deny.txt")"
fi

# The clean template: nothing from either tool, exit 0.
cfn-lint tests/iam/clean.yaml > "$t/c1" 2>&1; c1=$?
"$HG_BIN" lint-iam tests/iam/clean.yaml > "$t/c2" 2>&1; c2=$?
if [ $c1 -eq 0 ] && [ $c2 -eq 0 ] && [ ! -s "$t/c1" ] && [ ! -s "$t/c2" ]; then
  pass iam_cfnlint_clean
else
  fail iam_cfnlint_clean "cfn-lint $c1 $(head -c 200 "$t/c1"); hardengen $c2 $(head -c 200 "$t/c2")"
fi

# The shipped action list is what tools/gen-iam-actions.py makes from the
# installed packages (skipped when cfn-lint or botocore is another version
# than the list records: then the list is due for regeneration).
have=$(python3 -c 'import botocore; from cfnlint.version import __version__ as v; print(v, botocore.__version__)' 2>/dev/null)
want=$(sed -n 's/^# source: cfn-lint \([^ ]*\) .*/\1/p; s/^# casing: botocore \([^ ]*\) .*/\1/p' share/iam-actions.txt | tr '\n' ' ' | sed 's/ $//')
if [ "$have" != "$want" ]; then
  skip iam_actions_regenerate "installed cfn-lint/botocore '$have' differ from the list's '$want'"
elif python3 tools/gen-iam-actions.py "$t/iam-actions.txt" 2>/dev/null && cmp -s "$t/iam-actions.txt" share/iam-actions.txt; then
  pass iam_actions_regenerate
else
  fail iam_actions_regenerate "tools/gen-iam-actions.py does not reproduce share/iam-actions.txt"
fi
