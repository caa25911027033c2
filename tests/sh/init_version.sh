#!/usr/bin/env bash
# init_version.sh — `hardengen init` scaffolds a repo that builds, passes
# check and test, and never overwrites; its pre-commit hook refuses a stale
# out/; its workflow is valid YAML; --version, -V, version and help version.
. "$(dirname "$0")/lib.sh"
d=$(tmpdir)
# An installed hardengen takes filters and skeletons from its share folder.
export HARDENGEN_SHARE=$HG_TOP
"$HG_BIN" init "$d/repo" >"$d/o" 2>"$d/e"; rc=$?
[ $rc -eq 0 ] && [ -f "$d/repo/profiles/prod.yaml" ] && [ -x "$d/repo/.githooks/pre-commit" ] &&
  [ -f "$d/repo/filters/example.lua" ] && [ -f "$d/repo/exceptions/README.md" ] &&
  [ -f "$d/repo/.github/workflows/hardengen.yml" ] && pass init_creates ||
  fail init_creates "exit $rc: $(cat "$d/e")"
cd "$d/repo" || exit 1
"$HG_BIN" check >"$d/o" 2>"$d/e" && [ ! -s "$d/e" ] && pass init_passes_check ||
  fail init_passes_check "$(cat "$d/o" "$d/e")"
"$HG_BIN" build --all >"$d/o" 2>"$d/e" && "$HG_BIN" build --check --all >/dev/null 2>&1 &&
  pass init_builds || fail init_builds "$(cat "$d/e")"
"$HG_BIN" test --env prod >"$d/o" 2>"$d/e" && grep -q '^secret-deleted ' "$d/o" &&
  pass init_example_filter_tested || fail init_example_filter_tested "$(cat "$d/o" "$d/e" | tail -3)"
if need_tool init_cfnlint cfn-lint; then
  cfn-lint out/prod/*.yaml >"$d/lint" 2>&1 && pass init_cfnlint || fail init_cfnlint "$(head -5 "$d/lint")"
fi
python3 -c 'import sys, yaml; w = yaml.safe_load(open(sys.argv[1])); assert w["jobs"]["check"]["steps"]' \
  .github/workflows/hardengen.yml 2>"$d/e" && pass init_workflow_yaml || fail init_workflow_yaml "$(cat "$d/e")"
cp profiles/prod.yaml "$d/keep"
"$HG_BIN" init . >"$d/o" 2>"$d/e"; rc=$?
[ $rc -eq 1 ] && grep -q 'profiles/prod.yaml: error: exists already' "$d/e" && cmp -s profiles/prod.yaml "$d/keep" &&
  pass init_never_overwrites || fail init_never_overwrites "exit $rc: $(cat "$d/e")"
if need_tool init_pre_commit git; then
  git init -q . && git config user.email t@example.com && git config user.name t &&
    git config core.hooksPath .githooks && git add -A && git commit -qm init >/dev/null 2>&1
  sed -i 's/retention_days: 365/retention_days: 400/' profiles/base.yaml
  git add -A
  if PATH="$(dirname "$HG_BIN"):$PATH" git commit -qm stale >/dev/null 2>&1; then
    fail init_pre_commit "a stale out/ was committed"
  else
    PATH="$(dirname "$HG_BIN"):$PATH" "$HG_BIN" build --all >/dev/null 2>&1; git add -A
    PATH="$(dirname "$HG_BIN"):$PATH" git commit -qm fresh >/dev/null 2>&1 && pass init_pre_commit ||
      fail init_pre_commit "a fresh out/ was refused"
  fi
fi
v="hardengen $("$HG_BIN" --version | cut -d' ' -f2)"
ok=1
for a in --version -V version; do [ "$("$HG_BIN" $a)" = "$v" ] || { ok=0; fail version "$a"; }; done
"$HG_BIN" help version | grep -q -- '--version | -V' || { ok=0; fail version "help version"; }
[ "$(jq -r .version out/prod/manifest.json 2>/dev/null)" = "${v#hardengen }" ] || { ok=0; fail version "manifest"; }
[ $ok = 1 ] && pass version
