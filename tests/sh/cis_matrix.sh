#!/usr/bin/env bash
# cis_matrix.sh — every CIS version x every non-empty target set (4 x 7
# builds) with only filters/cis.lua: the build succeeds, it emits the
# minimum number of metric filters (one per control, plus the -cis filters
# of the table in doc/cis.md), `check --cis` reports no failure, and cfn-lint
# reports nothing on any emitted alarms template.
. "$(dirname "$0")/lib.sh"
work=$(tmpdir)
mkdir -p "$work/root/profiles" "$work/root/filters" "$work/share"
cp "$HG_TOP/filters/cis.lua" "$work/root/filters/"
ln -s "$HG_TOP/templates" "$work/root/templates"
ln -s "$HG_TOP/templates" "$work/share/templates"
export HARDENGEN_SHARE=$work/share   # no other filter library

if ! "$HG_BIN" list --root "$HG_TOP/tests/golden/cis-root" --env cis50-all 2>/dev/null | grep -q '^unauthorized-api-calls '; then
  skip cis_matrix "the Lua host does not run filters/cis.lua yet"
  exit 0
fi

names=(x securityhub prowler "securityhub, prowler" steampipe "securityhub, steampipe" "prowler, steampipe"
       "securityhub, prowler, steampipe")
# Expected filters by target bits (1 securityhub, 2 prowler, 4 steampipe) for
# the 14 controls of v1.2; v1.4+ adds organizations-changes.
want=(0 14 14 15 14 16 14 17)
lint=()
for version in 1.2 1.4 3.0 5.0; do
  for bits in 1 2 3 4 5 6 7; do
    env=v${version/./}-t$bits
    name=cis_matrix_$env
    cat >"$work/root/profiles/$env.yaml" <<YAML
account: { name: acme-matrix, id: "123456789012" }
notify: { infosec: secops@example.com, devops: devops@example.com }
logs: { bucket: acme-matrix-security-logs, retention_days: 365 }
templates: { bucket_url: "https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/" }
cis: { version: "$version", targets: [${names[$bits]}] }
YAML
    if ! "$HG_BIN" build --root "$work/root" --env "$env" --out "$work/out" >/dev/null 2>"$work/$env.err"; then
      fail "$name" "build failed: $(head -3 "$work/$env.err")"
      continue
    fi
    expect=${want[$bits]}
    [ "$version" != 1.2 ] && expect=$((expect + 1))
    n=$(cat "$work/out/$env"/cloudwatch.global*.yaml | grep -c 'Type: AWS::Logs::MetricFilter')
    if ! "$HG_BIN" check --root "$work/root" --env "$env" --cis >"$work/$env.cis" 2>&1; then
      fail "$name" "check --cis: $(grep -m1 ' fail ' "$work/$env.cis")"
    elif [ "$n" -ne "$expect" ]; then
      fail "$name" "$n metric filters, want $expect"
    else
      pass "$name"
    fi
    lint+=("$work/out/$env"/cloudwatch.global*.yaml)
  done
done

# One cfn-lint run over every alarms template (the other templates do not
# depend on the CIS selection and are linted by cfnlint.sh).
if need_tool cis_matrix_cfn_lint cfn-lint; then
  if cfn-lint "${lint[@]}" >"$work/lint" 2>&1; then
    pass "cis_matrix_cfn_lint (${#lint[@]} templates)"
  else
    fail cis_matrix_cfn_lint "$(head -5 "$work/lint")"
  fi
fi
