#!/usr/bin/env bash
# reliability.sh — what a careless or hostile input must not do: empty paths,
# FIFOs and folders named as profiles, text that is not UTF-8 or carries
# control characters, Lua errors without a position, duplicate policy keys,
# regexes that would blow up the matcher, `build --all` failing half way.
# Each case is the shrunk reproducer of a defect: exit status and the
# diagnostic's code and position are pinned, and nothing may hang or crash.
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
work=$(tmpdir)

# status_is NAME WANT CMD... — run CMD (stdout/stderr to $work/out, $work/err)
# with a time bound, and check its exit status.
status_is() {
  local name=$1 want=$2 st
  shift 2
  timeout 60 "$@" >"$work/out" 2>"$work/err"
  st=$?
  if [ "$st" = "$want" ]; then
    return 0
  fi
  fail "$name" "exit status $st (want $want): $(head -c 400 "$work/err")"
  return 1
}

# err_has NAME TEXT — the last command's stderr contains TEXT.
err_has() {
  if grep -qF -- "$2" "$work/err"; then pass "$1"; else fail "$1" "stderr lacks '$2': $(head -c 400 "$work/err")"; fi
}

# ---- empty paths are usage errors ----
for args in "build --env prod --out" "build --all --out" "publish --env prod --dry-run --out" \
            "publish --dry-run --env" "test --env prod --root" "test --env prod --events" \
            "match x" "lint-iam"; do
  name="empty-path-$(echo "$args" | tr ' ' '-' | tr -d -)"
  # shellcheck disable=SC2086
  status_is "$name" 2 "$HG_BIN" $args "" && pass "$name"
done

# ---- profiles: what is not a regular file, not text, or not the type ----
proot=$work/proot
mkdir -p "$proot/profiles"
cp profiles/base.yaml "$proot/profiles/"
cp -r templates filters "$proot/"
good() { # a minimal valid profile extending base, then extra lines
  printf 'extends: base\naccount:\n  name: acme-dev\n  id: "210987654321"\nlogs:\n  bucket: acme-dev-logs\n'
}
good >"$proot/profiles/ok.yaml"
status_is profile-baseline 0 "$HG_BIN" check --root "$proot" --env ok && pass profile-baseline

mkfifo "$proot/profiles/fifo.yaml"
status_is profile-fifo-refused 1 "$HG_BIN" check --root "$proot" --env fifo &&
  err_has profile-fifo-refused "not a regular file"
mkdir "$proot/profiles/dir.yaml"
status_is profile-folder 1 "$HG_BIN" check --root "$proot" --env dir && err_has profile-folder "is a directory"
status_is profile-all-with-fifo 1 "$HG_BIN" check --root "$proot" && pass profile-all-with-fifo
rm -rf "$proot/profiles/fifo.yaml" "$proot/profiles/dir.yaml"

# A link to a file outside profiles/ must not have its first line echoed.
printf 'SECRET-FIRST-LINE\n' >"$work/secret.txt"
ln -s "$work/secret.txt" "$proot/profiles/evil.yaml"
status_is profile-symlink-outside 1 "$HG_BIN" check --root "$proot" --env evil &&
  if grep -q SECRET "$work/err"; then fail profile-symlink-outside "echoed: $(cat "$work/err")"; else
    err_has profile-symlink-outside "symbolic link to a file outside"; fi
rm "$proot/profiles/evil.yaml"
ln -s ok.yaml "$proot/profiles/alias.yaml"
status_is profile-symlink-inside 0 "$HG_BIN" check --root "$proot" --env alias && pass profile-symlink-inside
rm "$proot/profiles/alias.yaml"

# Invalid UTF-8 and NUL on a later line: the diagnostic points at the byte.
{ good; printf 'vars:\n  x: "ab\377c"\n'; } >"$proot/profiles/u8.yaml"
status_is profile-bad-utf8-position 1 "$HG_BIN" check --root "$proot" --env u8 &&
  err_has profile-bad-utf8-position "profiles/u8.yaml:8:9: error: YAML syntax error: invalid leading UTF-8 octet (byte 0xff)"
{ good; printf 'vars:\n  x: ab\000c\n'; } >"$proot/profiles/nul.yaml"
status_is profile-nul-position 1 "$HG_BIN" check --root "$proot" --env nul &&
  err_has profile-nul-position "profiles/nul.yaml:8:8: error: a NUL byte in a profile"

# C1 controls, non-characters and other controls written as escapes.
for esc in '\u0085' '\x9b' '\uFDD0' '\U0001FFFF' '\e' '\x7f' '\0'; do
  { good; printf 'vars:\n  x: "a%sb"\n' "$esc"; } >"$proot/profiles/esc.yaml"
  name="profile-bad-text-$(printf '%s' "$esc" | tr -d '\\')"
  status_is "$name" 1 "$HG_BIN" check --root "$proot" --env esc && err_has "$name" "profiles/esc.yaml:8:6: error: this value is not text:"
done
{ good; printf 'vars:\n  "k\\u0080": 1\n'; } >"$proot/profiles/esc.yaml"
status_is profile-bad-text-key 1 "$HG_BIN" check --root "$proot" --env esc && err_has profile-bad-text-key "control character U+0080"
{ good; printf 'vars:\n  x: "tab\\there\\nnext"\n'; } >"$proot/profiles/esc.yaml"
status_is profile-tab-newline-ok 0 "$HG_BIN" check --root "$proot" --env esc && pass profile-tab-newline-ok

# Tags: !!float 365 is a float, not the integer retention_days needs.
{ good | sed 's/^logs:$/logs:\n  retention_days: !!float 365/'; } >"$proot/profiles/tag.yaml"
status_is profile-float-tag 1 "$HG_BIN" check --root "$proot" --env tag &&
  err_has profile-float-tag "logs.retention_days must be an integer, not a number"
{ good | sed 's/^logs:$/logs:\n  retention_days: !!str 365/'; } >"$proot/profiles/tag.yaml"
status_is profile-str-tag-note 1 "$HG_BIN" check --root "$proot" --env tag &&
  if grep -q quotes "$work/err"; then fail profile-str-tag-note "speaks of quotes: $(cat "$work/err")"; else
    err_has profile-str-tag-note "remove the !!str tag"; fi
{ good | sed 's/^logs:$/logs:\n  retention_days: !!int 365/'; } >"$proot/profiles/tag.yaml"
status_is profile-int-tag-ok 0 "$HG_BIN" check --root "$proot" --env tag && pass profile-int-tag-ok
{ good; printf 'vars:\n  x: !!binary aGk=\n'; } >"$proot/profiles/tag.yaml"
status_is profile-unknown-tag 1 "$HG_BIN" check --root "$proot" --env tag && err_has profile-unknown-tag "unsupported YAML tag '!!binary'"
rm -f "$proot"/profiles/{u8,nul,esc,tag}.yaml

# ---- IAM policies: duplicate keys and NUL in an action name ----
printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"s3:GetObjet","Resource":"*"}]}' >"$work/dup.json"
status_is iam-duplicate-key-json 1 "$HG_BIN" lint-iam "$work/dup.json" &&
  err_has iam-duplicate-key-json "dup.json:1:56: error: key 'Effect' is given twice in one mapping [iam-duplicate-key]"
printf 'Version: "2012-10-17"\nStatement:\n  - Effect: Allow\n    Action: s3:GetObject\n    Effect: Deny\n    Resource: "*"\n' >"$work/dup.yaml"
status_is iam-duplicate-key-yaml 1 "$HG_BIN" lint-iam "$work/dup.yaml" &&
  err_has iam-duplicate-key-yaml "dup.yaml:5:5: error: key 'Effect' is given twice"
cat >"$work/emb.yaml" <<'YAML'
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}'
YAML
status_is iam-duplicate-key-embedded 1 "$HG_BIN" lint-iam "$work/emb.yaml" &&
  err_has iam-duplicate-key-embedded "key 'Effect' is given twice"
printf '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:Get\\u0000Object","Resource":"*"}]}' >"$work/nul.json"
status_is iam-nul-in-action 1 "$HG_BIN" lint-iam "$work/nul.json" &&
  err_has iam-nul-in-action "Action 's3:Get\\x00Object' is not an action name: it holds a NUL byte"

# ---- Lua: text that reaches a template, errors without a position ----
lroot=$work/lroot
mkdir -p "$lroot/filters" "$lroot/profiles"
cp profiles/*.yaml "$lroot/profiles/"
cp -r templates "$lroot/"
cp filters/*.lua "$lroot/filters/"
lua_case() { # NAME SOURCE WANT
  printf '%b' "$2" >"$lroot/filters/zz.lua"
  status_is "$1" 1 "$HG_BIN" check --root "$lroot" --env prod && err_has "$1" "$3"
}
lua_case lua-title-c1 "filter { id = 'zz-1', title = 'a\\\\xc2\\\\x85b', pattern = 'x' }\n" \
  "filters/zz.lua:1:23: error: filter 'zz-1': field 'title' is not text: control character U+0085"
lua_case lua-pattern-c1 "filter { id = 'zz-1', title = 'ok',\n  pattern = '{ \$.a = \"\\\\xc2\\\\x9b\" }' }\n" \
  "control character U+009B in pattern"
lua_case lua-pattern-bad-utf8 "filter { id = 'zz-1', title = 'ok', pattern = any_of('\$.a', {'b\\\\xff'}) }\n" \
  "invalid UTF-8 byte 0xff in pattern"
lua_case lua-error-table "local x\\nerror({})\n" "filters/zz.lua:2: error: error object is a table value"
lua_case lua-error-sort "local t = {}\nfor i = 1, 50 do t[i] = 51 - i end\ntable.sort(t, function(a, b) return true end)\n" \
  "filters/zz.lua:3: error: invalid order function for sorting"
lua_case lua-error-escaped "error('a\\\\nb\\\\27[31m')\n" 'filters/zz.lua:1: error: a\nb\x1b[31m [lua-runtime]'
lua_case lua-utf8-len-cpu "local s = ('x'):rep(30 * 1024 * 1024)\nlocal n = 0\nfor i = 1, 2e7 do n = n + utf8.len(s) end\n" \
  "filters/zz.lua:3: error: instruction budget of 100000000 exceeded"
# A var with a C1 control reaches no title: the profile refuses it first.
{ cat profiles/prod.yaml; printf '  note: "x\\u0085y"\n'; } >"$lroot/profiles/c1.yaml"
printf 'filter { id = "zz-1", title = "t " .. tostring(env.vars.note), pattern = "x" }\n' >"$lroot/filters/zz.lua"
status_is profile-var-c1 1 "$HG_BIN" check --root "$lroot" --env c1 &&
  err_has profile-var-c1 "profiles/c1.yaml:"
rm -f "$lroot/filters/zz.lua" "$lroot/profiles/c1.yaml"

# ---- build --all is all or nothing ----
ball=$work/ball
mkdir -p "$ball"
: >"$ball/prod" # prod cannot be written: dev must not be written either
status_is build-all-or-nothing 3 "$HG_BIN" build --all --out "$ball" &&
  if [ -e "$ball/dev" ] || [ -n "$(find "$ball" -mindepth 1 -name '.*')" ]; then
    fail build-all-or-nothing "left: $(ls -A "$ball" | tr '\n' ' ')"
  else pass build-all-or-nothing; fi

# A FIFO given to lint-iam by name is refused, not waited on.
mkfifo "$work/policy.fifo"
status_is iam-fifo-refused 3 "$HG_BIN" lint-iam "$work/policy.fifo" && err_has iam-fifo-refused "not a regular file"

# An empty mapping before any other (no key seen yet): found by fuzz_iam
# (UBSan: offset applied to a null pointer in the duplicate-key check).
printf 'Resources: {}\n' >"$work/empty.yaml"
status_is iam-empty-mapping 0 "$HG_BIN" lint-iam "$work/empty.yaml" && pass iam-empty-mapping
