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
