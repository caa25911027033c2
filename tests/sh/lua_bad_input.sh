#!/usr/bin/env bash
# lua_bad_input.sh — `hardengen build` with a bad filter file: each case ends
# with exit 1 and a diagnostic naming the file and line, and out/ keeps its
# previous content. The cases are the files in tests/lua/ plus a few escapes.
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
work=$(tmpdir)
# The shipped filters come from the source tree.
export HARDENGEN_SHARE="$HG_TOP"
mkdir -p "$work/root/filters" "$work/root/profiles"
cp profiles/*.yaml "$work/root/profiles/"

# A good build first, so there is an out/prod to keep.
if ! "$HG_BIN" build --env prod --root "$work/root" --out "$work/out" >/dev/null 2>"$work/err"; then
  fail lua-good-build "$(head -3 "$work/err")"
  exit 0
fi
(cd "$work/out" && find . -type f | sort | xargs sha256sum) >"$work/before"

# case NAME FILE-TEXT EXPECTED-DIAGNOSTIC-PREFIX
case_() {
  local name=$1 text=$2 want=$3
  printf '%s' "$text" >"$work/root/filters/zz-bad.lua"
  timeout 60 "$HG_BIN" build --env prod --root "$work/root" --out "$work/out" >/dev/null 2>"$work/err"
  local st=$?
  (cd "$work/out" && find . -type f | sort | xargs sha256sum) >"$work/after"
  if [ $st != 1 ]; then
    fail "lua-$name" "exit status $st, want 1: $(head -3 "$work/err")"
  elif ! grep -qF -- "$want" "$work/err"; then
    fail "lua-$name" "no '$want' in: $(head -5 "$work/err")"
  elif ! cmp -s "$work/before" "$work/after"; then
    fail "lua-$name" "out/ changed"
  else
    pass "lua-$name"
  fi
}

for f in tests/lua/*.lua; do
  n=$(basename "$f" .lua)
  case $n in
    escape_io) want="filters/zz-bad.lua:2: error: attempt to index a nil value (global 'io')" ;;
    loop_pcall) want="filters/zz-bad.lua:3: error: instruction budget of 100000000 exceeded" ;;
    memory_bomb) want="filters/zz-bad.lua:4: error: memory limit of 67108864 bytes exceeded" ;;
    syntax_error) want="filters/zz-bad.lua:3: error: '}' expected (to close '{' at line 1) near 'title'" ;;
    duplicate_id) want="filters/zz-bad.lua:2: error: duplicate filter id 'same'" ;;
    missing_pattern) want="filters/zz-bad.lua:1: error: filter 'no-pattern': filter has no 'pattern'" ;;
    unknown_field) want="filters/zz-bad.lua:5:3: error: filter 'typo': unknown field 'tpoic' in filter" ;;
    *) want="filters/zz-bad.lua:" ;;
  esac
  case_ "$n" "$(cat "$f")" "$want"
done
case_ os 'os.execute("id")' "filters/zz-bad.lua:1: error: attempt to index a nil value (global 'os')"
case_ require 'local x = require("io")' "(global 'require')"
case_ load 'load("return 1")()' "(global 'load')"
case_ dofile 'dofile("/etc/passwd")' "(global 'dofile')"
case_ string-dump 'local d = string.dump(function() end)' "(field 'dump')"
case_ env-write 'env.vars = {}' "filters/zz-bad.lua:1: error: env is read-only"
case_ duplicate-shipped-in-one-repo \
  'filter { id = "x-1", title = "A", pattern = "a" }
filter { id = "x-1", title = "B", pattern = "b" }' "duplicate filter id 'x-1'"
case_ bad-pattern-column 'filter { id = "x-2", title = "A", pattern = "{ $.a = }" }' "filters/zz-bad.lua:1:"

# A repo filter with a shipped id replaces it: no error, the repo's title wins.
printf '%s\n' 'filter { id = "ec2-power-operations", title = "Repo power ops", pattern = "{ $.eventName = \"StopInstances\" }" }' \
  >"$work/root/filters/zz-bad.lua"
if "$HG_BIN" list --env prod --root "$work/root" --format json 2>"$work/err" >"$work/list.json" &&
   grep -Eq '"title": ?"Repo power ops"' "$work/list.json" && [ "$(grep -Eo '"id": ?"ec2-power-operations"' "$work/list.json" | wc -l)" = 1 ]; then
  pass lua-repo-replaces-shipped-id
else
  fail lua-repo-replaces-shipped-id "$(head -3 "$work/err") $(head -c 300 "$work/list.json")"
fi
