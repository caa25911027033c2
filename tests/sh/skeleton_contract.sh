#!/usr/bin/env bash
# skeleton_contract.sh — user skeletons (ROOT/templates) are checked against
# their contracts (doc/skeletons.md) by `build`: one without what the
# planner fills or wires is an error at the skeleton's line and column, with
# a non-zero exit and nothing written. The unit test test_plan_model checks
# every entry of every contract; this checks the command.
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
T=$(tmpdir)
# Skeletons the root does not have come from the source tree.
export HARDENGEN_SHARE=.

# A root with the shipped profiles and filters and one user skeleton.
# drop_entry FILE SECTION KEY: the skeleton without the entry KEY of SECTION.
drop_entry() {
  awk -v sec="$2:" -v key="  $3:" '
    /^[^ #]/ { insec = ($0 == sec) }
    insec && $0 == key { skip = 1; next }
    skip && /^   / { next }
    { skip = 0; print }' "$1"
}
new_root() {
  rm -rf "$T/root" "$T/out"
  mkdir -p "$T/root/templates"
  cp -r profiles "$T/root/"
  [ -d filters ] && cp -r filters "$T/root/"
}

# The defect: a parent skeleton without CloudWatchStack built a set whose
# alarm stacks no stack ran. Now: an error at its Resources key, exit 1, no
# output.
new_root
drop_entry templates/security.global.yaml Resources CloudWatchStack >"$T/root/templates/security.global.yaml"
line=$(grep -n '^Resources:' "$T/root/templates/security.global.yaml" | cut -d: -f1)
"$HG_BIN" build --env prod --root "$T/root" --out "$T/out" >/dev/null 2>"$T/err"
st=$?
if [ $st = 1 ] && [ ! -e "$T/out/prod" ] &&
   grep -q "^templates/security.global.yaml:$line:1: error: the skeleton has no resource CloudWatchStack of type AWS::CloudFormation::Stack \[template-missing-resource\]" "$T/err" &&
   grep -q '^  \^~~~~~~~~$' "$T/err" && grep -q 'note: .*CloudWatchStackN' "$T/err"; then
  pass skeleton-parent-without-cloudwatch-stack
else
  fail skeleton-parent-without-cloudwatch-stack "status $st: $(head -5 "$T/err")"
fi

# The shipped skeleton copied into the root builds the same set as the share folder's.
new_root
cp templates/security.global.yaml "$T/root/templates/"
if "$HG_BIN" build --env prod --root "$T/root" --out "$T/out" >/dev/null 2>"$T/err" &&
   "$HG_BIN" build --env prod --out "$T/ref" >/dev/null 2>&1 &&
   cmp -s "$T/out/prod/security.global.yaml" "$T/ref/prod/security.global.yaml"; then
  pass skeleton-shipped-copy-builds
else
  fail skeleton-shipped-copy-builds "$(head -3 "$T/err")"
fi

# A trail skeleton whose trail is renamed: the profile's selectors would go nowhere.
new_root
sed 's/^  Trail:$/  MyTrail:/' templates/cloudtrail.global.yaml >"$T/root/templates/cloudtrail.global.yaml"
"$HG_BIN" build --env prod --root "$T/root" --out "$T/out" >/dev/null 2>"$T/err"
st=$?
if [ $st = 1 ] && [ ! -e "$T/out/prod" ] &&
   grep -q '^templates/cloudtrail.global.yaml:[0-9]*:1: error: the skeleton has no resource Trail of type AWS::CloudTrail::Trail \[template-missing-resource\]' "$T/err"; then
  pass skeleton-trail-renamed
else
  fail skeleton-trail-renamed "status $st: $(head -5 "$T/err")"
fi

# A child skeleton that does not declare a parameter its row says it receives.
new_root
drop_entry templates/cloudwatch.global.yaml Parameters DevOpsEmail >"$T/root/templates/cloudwatch.global.yaml"
"$HG_BIN" build --env prod --root "$T/root" --out "$T/out" >/dev/null 2>"$T/err"
st=$?
if [ $st = 1 ] && grep -q '^templates/cloudwatch.global.yaml:[0-9]*:1: error: the skeleton has no parameter DevOpsEmail of type String \[template-missing-parameter\]' "$T/err" &&
   grep -q "note: the parent passes it the profile's notify.devops" "$T/err"; then
  pass skeleton-missing-parameter
else
  fail skeleton-missing-parameter "status $st: $(head -5 "$T/err")"
fi

# A child parameter nothing gives a value: it would fail at launch.
new_root
awk '{ print } /^Parameters:$/ { print "  Owner:"; print "    Type: String" }' templates/config.global.yaml \
  >"$T/root/templates/config.global.yaml"
"$HG_BIN" build --env prod --root "$T/root" --out "$T/out" >/dev/null 2>"$T/err"
st=$?
if [ $st = 1 ] && grep -q '^templates/config.global.yaml:[0-9]*:3: error: parameter Owner has no Default and no value from the profile \[template-parameter-unset\]' "$T/err"; then
  pass skeleton-parameter-unset
else
  fail skeleton-parameter-unset "status $st: $(head -5 "$T/err")"
fi
