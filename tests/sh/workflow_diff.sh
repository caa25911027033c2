#!/usr/bin/env bash
# workflow_diff.sh — the infra-repo workflow (SPEC §14): `diff` and
# `build --check` exit codes on equal, changed and missing out/; the diff
# applies with patch(1); the digest is the same from two checkouts and two
# --root spellings; `publish` (and --dry-run) refuses a stale out/ENV;
# the root is found upward from a sub-folder.
. "$(dirname "$0")/lib.sh"
d=$(tmpdir)
# A checkout: the inputs a build reads.
mkrepo() { mkdir -p "$1" && cp -r "$HG_TOP/profiles" "$HG_TOP/filters" "$HG_TOP/templates" "$1/"; }
mkrepo "$d/repo"
cd "$d/repo" || exit 1

t() { # name want-status cmd...
  local n=$1 w=$2; shift 2
  "$@" >"$d/o" 2>"$d/e"; local rc=$?
  if [ $rc -eq "$w" ]; then pass "$n"; else fail "$n" "exit $rc, want $w: $(head -5 "$d/e") $(head -3 "$d/o")"; fi
}

t diff_missing_out 1 "$HG_BIN" diff --env prod
grep -q '^+++ b/out/prod/security.global.yaml' "$d/o" && grep -q '^--- /dev/null' "$d/o" &&
  pass diff_missing_out_shows_new_files || fail diff_missing_out_shows_new_files "$(head -3 "$d/o")"
t build_check_missing_out 1 "$HG_BIN" build --env prod --check
[ ! -e out ] && pass build_check_writes_nothing || fail build_check_writes_nothing "out/ was created"

"$HG_BIN" build --all >/dev/null 2>&1
t diff_equal 0 "$HG_BIN" diff --env prod
[ ! -s "$d/o" ] && pass diff_equal_prints_nothing || fail diff_equal_prints_nothing "$(head -3 "$d/o")"
t diff_all_equal 0 "$HG_BIN" diff --all
t build_check_equal 0 "$HG_BIN" build --check --all
grep -q '^out/prod: up to date$' "$d/o" && pass build_check_status_line ||
  fail build_check_status_line "$(cat "$d/o")"

# Change the checked-in output: a hand edit and a file a build would delete.
sed -i 's/Threshold: 5/Threshold: 7/' out/prod/cloudwatch.global.yaml
printf 'left over\n' > out/prod/cloudwatch.global.2.yaml
t diff_changed 1 "$HG_BIN" diff --env prod
cp "$d/o" "$d/patch"
if grep -q '^-      Threshold: 7$' "$d/patch" && grep -q '^+      Threshold: 5$' "$d/patch" &&
  grep -q '^+++ /dev/null$' "$d/patch"; then pass diff_changed_hunks; else
  fail diff_changed_hunks "$(head -20 "$d/patch")"; fi
t build_check_changed 1 "$HG_BIN" build --check --env prod
grep -q "^out/prod: stale (cloudwatch.global.yaml, cloudwatch.global.2.yaml); run 'hardengen build --env prod'$" "$d/o" &&
  pass build_check_names_files || fail build_check_names_files "$(cat "$d/o")"
t diff_all_changed 1 "$HG_BIN" diff --all
grep -q '^out/dev: up to date$' "$d/e" && grep -q '^out/prod: differs' "$d/e" &&
  pass diff_all_status_per_env || fail diff_all_status_per_env "$(cat "$d/e")"

if need_tool diff_applies_with_patch patch; then
  (cd "$d/repo" && patch -s -p1 <"$d/patch") >"$d/pe" 2>&1
  if "$HG_BIN" diff --env prod >/dev/null 2>&1; then pass diff_applies_with_patch; else
    fail diff_applies_with_patch "$(cat "$d/pe")"; fi
fi
"$HG_BIN" build --env prod >/dev/null 2>&1
t publish_fresh_dry_run 0 "$HG_BIN" publish --env prod --dry-run
# out/prod matches its manifest, but the inputs changed since the build.
cp profiles/prod.yaml "$d/prod.yaml.orig"
sed -i 's/threshold: 5/threshold: 6/' profiles/prod.yaml
t publish_refuses_stale 1 "$HG_BIN" publish --env prod --dry-run
grep -q "publish-outdated" "$d/e" && grep -q "run 'hardengen build --env prod'" "$d/e" &&
  pass publish_stale_message || fail publish_stale_message "$(cat "$d/e")"
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y t publish_refuses_stale_upload 1 \
  "$HG_BIN" publish --env prod --endpoint-url http://127.0.0.1:9/
grep -q "publish-outdated" "$d/e" && pass publish_stale_before_network ||
  fail publish_stale_before_network "$(cat "$d/e")"

cp "$d/prod.yaml.orig" profiles/prod.yaml

# JSON output: diff detects the format of the checked-in folder.
"$HG_BIN" build --env dev --format json >/dev/null 2>&1
t diff_detects_json 0 "$HG_BIN" diff --env dev
t build_check_format_json 0 "$HG_BIN" build --check --env dev --format json

# The digest depends on content only.
mkrepo "$d/clone2/deeper"
"$HG_BIN" build --env prod --root "$d/clone2/deeper" --out "$d/o2" >/dev/null 2>&1
(cd "$d/clone2/deeper" && "$HG_BIN" build --env prod --root . --out "$d/o3" >/dev/null 2>&1)
(cd "$d/clone2" && "$HG_BIN" build --env prod --root deeper/ --out "$d/o4" >/dev/null 2>&1)
ok=1
for o in "$d/o2" "$d/o3" "$d/o4"; do
  cmp -s out/prod/manifest.json "$o/prod/manifest.json" || { ok=0; fail digest_content_only "$o differs: $(diff out/prod/manifest.json "$o/prod/manifest.json" | head -4)"; }
done
[ $ok = 1 ] && pass digest_content_only
prefix() { "$HG_BIN" publish --env prod --root "$1" --out "$2" --dry-run 2>/dev/null | head -1; }
if [ "$(prefix "$d/repo" "$d/repo/out")" = "$(prefix "$d/clone2/deeper" "$d/o2")" ] &&
  [ -n "$(prefix "$d/repo" "$d/repo/out")" ]; then pass digest_same_s3_prefix; else
  fail digest_same_s3_prefix "$(prefix "$d/repo" "$d/repo/out") vs $(prefix "$d/clone2/deeper" "$d/o2")"; fi
# A changed input changes it.
sed -i 's/retention_days: 365/retention_days: 400/' "$d/clone2/deeper/profiles/base.yaml"
"$HG_BIN" build --env prod --root "$d/clone2/deeper" --out "$d/o5" >/dev/null 2>&1
! cmp -s "$d/o2/prod/manifest.json" "$d/o5/prod/manifest.json" && pass digest_follows_content ||
  fail digest_follows_content "same manifest after a profile change"

# The root is found upward, like git.
mkdir -p "$d/repo/ci/scripts"
(cd "$d/repo/ci/scripts" && "$HG_BIN" build --check --env prod >"$d/o" 2>"$d/e")
rc=$?
[ $rc -eq 0 ] && grep -q '^\.\./\.\./out/prod: up to date$' "$d/o" && pass root_found_upward ||
  fail root_found_upward "exit $rc: $(cat "$d/o" "$d/e")"
mkdir -p "$d/empty"
(cd "$d/empty" && "$HG_BIN" check >"$d/o" 2>"$d/e")
rc=$?
[ $rc -ne 0 ] && grep -q -- '--root' "$d/e" && pass root_not_found_hint ||
  fail root_not_found_hint "exit $rc: $(cat "$d/e")"

# The StackSet files are part of out/ENV: a hand edit of member.yaml is stale.
cp -r "$HG_DATA/org" "$d/org"
"$HG_BIN" build --env dev --root "$d/org" >/dev/null 2>&1
t diff_stackset_equal 0 "$HG_BIN" diff --env dev --root "$d/org"
sed -i '0,/Type: AWS::Logs::LogGroup/s//Type: AWS::Logs::LogGroup # edited/' "$d/org/out/dev/stackset/member.yaml"
t diff_stackset_changed 1 "$HG_BIN" build --check --env dev --root "$d/org"
grep -q 'stackset/member.yaml' "$d/o" && pass diff_stackset_names_file ||
  fail diff_stackset_names_file "$(cat "$d/o")"
