# tests/sh/lib.sh — helpers for shell test scripts. Source it.
#
#   pass NAME | fail NAME "why" | skip NAME "why"
#   need_tool NAME CMD   — true when CMD exists; otherwise SKIP (or, under
#                          CI=true, FAIL) NAME and return false
#   tmpdir               — a fresh folder removed when the script exits
#
# Environment from tests/run.sh: HG_BIN (the binary), HG_TOP (source tree),
# HG_DATA (tests/data: the reference data and CloudTrail data sets).
set -u
HG_BIN=${HG_BIN:-$PWD/build/hardengen}
HG_TOP=${HG_TOP:-$PWD}
HG_DATA=${HG_DATA:-$HG_TOP/tests/data}
_hg_tmps=()
trap 'rm -rf "${_hg_tmps[@]}"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: ${2:-}"; }
skip() { echo "SKIP $1: ${2:-}"; }

need_tool() {
  local name=$1 cmd=$2
  if command -v "$cmd" >/dev/null 2>&1; then return 0; fi
  if [ "${CI:-}" = true ]; then
    fail "$name" "$cmd is not installed (required under CI)"
  else
    skip "$name" "$cmd is not installed"
  fi
  return 1
}

tmpdir() {
  local d
  d=$(mktemp -d)
  _hg_tmps+=("$d")
  echo "$d"
}
