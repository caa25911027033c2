#!/usr/bin/env bash
# list_check.sh — `hardengen list` (text and JSON) and `hardengen check`
# (clean envs, a profile naming an unknown filter, JSON diagnostics).
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
work=$(tmpdir)
# Roots made below hold only profiles: shipped filters come from the tree.
export HARDENGEN_SHARE=$HG_TOP

# check: every example env is clean.
out=$("$HG_BIN" check 2>"$work/err"); st=$?
if [ $st = 0 ] && echo "$out" | grep -q '^prod: ok (' && echo "$out" | grep -q '^dev: ok ('; then
  pass check-clean
else
  fail check-clean "status $st: $out $(head -3 "$work/err")"
fi

# check: an unknown id in filters.disable is an error with did-you-mean,
# and a build of that env writes nothing.
root=$work/root
mkdir -p "$root/profiles"
cp profiles/*.yaml "$root/profiles/"
cat >"$root/profiles/bad.yaml" <<'YAML'
extends: prod
filters:
  disable: [no-such-filter]
YAML
"$HG_BIN" check --env bad --root "$root" 2>"$work/err"; st=$?
if [ $st = 1 ] && grep -q "profiles/bad.yaml:3:13: error: filters.disable names filter 'no-such-filter', which env 'bad' does not have \[profile-unknown-filter\]$" "$work/err"; then
  pass check-unknown-filter
else
  fail check-unknown-filter "status $st: $(head -3 "$work/err")"
fi
"$HG_BIN" build --env bad --root "$root" >/dev/null 2>&1; st=$?
if [ $st = 1 ] && [ ! -e "$root/out" ]; then pass build-bad-writes-nothing; else fail build-bad-writes-nothing "status $st"; fi
if need_tool check-json jq; then
  code=$("$HG_BIN" check --env bad --root "$root" --format json 2>/dev/null | jq -r '.diagnostics[0].code')
  if [ "$code" = profile-unknown-filter ]; then pass check-json; else fail check-json "code: $code"; fi
fi

# list: JSON has the SPEC shape and the same filters the build emits.
if need_tool list-json jq; then
  "$HG_BIN" list --env prod --format json >"$work/list.json" 2>"$work/err"; st=$?
  "$HG_BIN" build --env prod --out "$work/out" >/dev/null 2>&1
  a=$(jq -c '[.filters[].id]' "$work/list.json" 2>/dev/null)
  b=$(jq -c '[.filters[].id]' "$work/out/prod/manifest.json" 2>/dev/null)
  keys=$(jq -c '[.env, (.filters[0] // {} | keys_unsorted)]' "$work/list.json" 2>/dev/null)
  if [ $st = 0 ] && [ -n "$a" ] && [ "$a" = "$b" ] &&
     [ "$keys" = '["prod",["id","title","cis","topic","threshold","pattern"]]' ]; then
    pass list-json
  else
    fail list-json "status $st, keys $keys, list $a, manifest $b"
  fi
fi
"$HG_BIN" list --env prod >"$work/list.txt" 2>/dev/null; st=$?
if [ $st = 0 ] && head -1 "$work/list.txt" | grep -Eq '^ID +CIS +TOPIC +THRESHOLD  PATTERN$'; then
  pass list-text
else
  fail list-text "status $st: $(head -2 "$work/list.txt")"
fi
"$HG_BIN" list >/dev/null 2>&1; st=$?
if [ $st = 2 ]; then pass list-usage; else fail list-usage "status $st"; fi
