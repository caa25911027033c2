#!/usr/bin/env bash
# tests/run.sh — run every test program and script, count PASS/FAIL/SKIP
# lines, and end with "N passed, N failed, N skipped".
#
#   tests/run.sh            everything
#   tests/run.sh WORD ...   only scripts and programs whose name contains a WORD
#
# Test programs: $BUILD/tests/test_* (built by make). Scripts: tests/sh/*.sh,
# which print the same PASS/FAIL/SKIP lines (see tests/sh/lib.sh).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export HG_BIN=${HG_BIN:-$PWD/$BUILD/hardengen}
export HG_TOP=$PWD
export HG_DATA=${HG_DATA:-$PWD/tests/data}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

want() {
  local name=$1
  [ ${#filters[@]} -eq 0 ] && return 0
  for w in "${filters[@]}"; do case $name in *"$w"*) return 0 ;; esac; done
  return 1
}
filters=("$@")

run_one() {
  local name=$1; shift
  local out status
  out=$("$@" 2>&1); status=$?
  printf '%s\n' "$out" | tee -a "$log" | grep -E '^(FAIL|SKIP|     also)' || true
  if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL'; then
    echo "FAIL $name: exited with status $status" | tee -a "$log"
    printf '%s\n' "$out" | tail -20
  fi
}

for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  want "$(basename "$t")" || continue
  echo "== $(basename "$t")"
  run_one "$(basename "$t")" "$t"
done
for s in tests/sh/*.sh; do
  [ "$(basename "$s")" = lib.sh ] && continue
  want "$(basename "$s")" || continue
  echo "== $(basename "$s")"
  run_one "$(basename "$s")" bash "$s"
done

passed=$(grep -c '^PASS' "$log")
failed=$(grep -c '^FAIL' "$log")
skipped=$(grep -c '^SKIP' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
