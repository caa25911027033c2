#!/usr/bin/env bash
# threshold.sh — an alarm threshold reaches the template as the number the
# profile or the Lua filter wrote: 0 stays 0 (no default applied a second
# time), a fraction is a YAML/JSON number, not a string.
. "$(dirname "$0")/lib.sh"

export HARDENGEN_SHARE=$HG_TOP
T=$(tmpdir)
mkdir -p "$T/profiles"
cp "$HG_TOP"/profiles/base.yaml "$HG_TOP"/profiles/dev.yaml "$T/profiles/"
printf 'extends: dev\nfilters:\n  override:\n    unauthorized-api-calls: { threshold: 0 }\n    root-account-usage: { threshold: 0.5 }\n    console-auth-failures: { threshold: 2.25 }\n' >"$T/profiles/t.yaml"
for fmt in yaml json; do
  if ! "$HG_BIN" build --env t --root "$T" --out "$T/out-$fmt" --format "$fmt" >"$T/$fmt.log" 2>&1; then
    fail "threshold-build-$fmt" "$(head -3 "$T/$fmt.log")"
    continue
  fi
  got=$(python3 - "$T/out-$fmt/t/cloudwatch.global.$fmt" "$fmt" <<'PY'
import json, sys, yaml
path, fmt = sys.argv[1:3]
doc = json.load(open(path)) if fmt == "json" else yaml.safe_load(open(path))
res = doc["Resources"]
for rid in ("UnauthorizedApiCallsAlarm", "RootAccountUsageAlarm", "ConsoleAuthFailuresAlarm"):
    t = res[rid]["Properties"]["Threshold"]
    print(f"{rid}={t!r}")
PY
)
  want=$'UnauthorizedApiCallsAlarm=0\nRootAccountUsageAlarm=0.5\nConsoleAuthFailuresAlarm=2.25'
  if [ "$got" = "$want" ]; then pass "threshold-$fmt"; else fail "threshold-$fmt" "got: $(echo $got)"; fi
done
if command -v cfn-lint >/dev/null 2>&1; then
  if cfn-lint -- "$T/out-yaml/t"/*.yaml >"$T/lint" 2>&1; then pass threshold-cfnlint; else fail threshold-cfnlint "$(head -3 "$T/lint")"; fi
fi
