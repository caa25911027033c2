# tests/sh/lib.sh — helpers for shell test scripts. Source it.
#
#   pass NAME | fail NAME "why" | skip NAME "why"
#   need_tool NAME CMD   — true when CMD exists; otherwise SKIP (or, under
#                          CI=true, FAIL) NAME and return false
#   tmpdir               — a fresh folder removed when the script exits
#   expect_fail NAME STATUS PATTERN -- CMD...
#                        — PASS NAME when CMD exits with STATUS and its
#                          stderr matches the grep pattern PATTERN
#   free_port            — a TCP port nothing listens on at 127.0.0.1 now
#   start_moto NAME PORT LOG [VAR=VALUE...]
#                        — moto_server on 127.0.0.1:PORT (with the given
#                          environment), its output in LOG; waits up to 30 s
#                          for it to accept connections. False after FAIL
#                          NAME when it does not. Sets MOTO_PID.
#   stop_moto            — stop it (also done when the script exits)
#
# Environment from tests/run.sh: HG_BIN (the binary), HG_TOP (source tree),
# HG_DATA (tests/data: the reference data and CloudTrail data sets).
set -u
HG_BIN=${HG_BIN:-$PWD/build/hardengen}
HG_TOP=${HG_TOP:-$PWD}
HG_DATA=${HG_DATA:-$HG_TOP/tests/data}
_hg_tmps=()
MOTO_PID=
trap 'stop_moto; rm -rf "${_hg_tmps[@]}"' EXIT

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

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_moto() {
  local name=$1 port=$2 log=$3
  shift 3
  env "$@" moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$MOTO_PID" 2>/dev/null || break
    sleep 0.2
  done
  fail "$name" "moto_server did not start on port $port: $(tail -3 "$log")"
  return 1
}

stop_moto() {
  if [ -n "$MOTO_PID" ]; then
    kill "$MOTO_PID" 2>/dev/null
    wait "$MOTO_PID" 2>/dev/null
    MOTO_PID=
  fi
}

expect_fail() {
  local name=$1 want=$2 pattern=$3 err
  shift 4
  err=$(mktemp)
  "$@" >/dev/null 2>"$err"
  local got=$?
  if [ $got -ne "$want" ]; then
    fail "$name" "exit status $got, expected $want: $(head -2 "$err")"
  elif ! grep -q -e "$pattern" "$err"; then
    fail "$name" "no '$pattern' in: $(head -3 "$err")"
  else
    pass "$name"
  fi
  rm -f "$err"
}

# capture PREFIX CMD...: CMD's stdout, stderr and exit status into
# PREFIX.out, PREFIX.err and PREFIX.rc.
capture() {
  local o=$1
  shift
  "$@" >"$o.out" 2>"$o.err"
  echo $? >"$o.rc"
}

# same_capture NAME WHAT A B: fail NAME (and return 1) for each of
# stdout, stderr and exit status that differ between the captures A and B.
same_capture() {
  local name=$1 what=$2 a=$3 b=$4 x rc=0
  for x in out err rc; do
    if ! cmp -s "$a.$x" "$b.$x"; then
      fail "$name" "$what: $x differs"
      diff -u "$a.$x" "$b.$x" | head -10 | sed 's/^/    /'
      rc=1
    fi
  done
  return $rc
}
