#!/usr/bin/env bash
# progress.sh — `test --events` and `match -c` show a progress line with a
# percentage and an ETA when stderr is a terminal (script(1) provides one),
# and nothing when it is not.
. "$(dirname "$0")/lib.sh"
need_tool progress_tty script || exit 0
d=$(tmpdir)
ev=$HG_DATA/alarms/events.jsonl
script -qc "'$HG_BIN' test --env fixture --root '$HG_DATA/alarms' --events '$ev' >/dev/null" /dev/null \
  </dev/null >"$d/tty" 2>&1
tr '\r' '\n' <"$d/tty" | grep -Eq '^100%  1 files  11 events  .* MB/s  ETA ' && pass progress_tty_test ||
  fail progress_tty_test "$(tr '\r' '\n' <"$d/tty" | tail -3)"
script -qc "'$HG_BIN' match -c '{ \$.eventName = HardengenAlarmFixture }' '$ev'" /dev/null \
  </dev/null >"$d/tty2" 2>&1
tr '\r' '\n' <"$d/tty2" | grep -q '^100%  1 files' && grep -q '^10' <(tr '\r' '\n' <"$d/tty2" | tr -d ' ') &&
  pass progress_tty_match || fail progress_tty_match "$(tr '\r' '\n' <"$d/tty2" | tail -3)"
"$HG_BIN" test --env fixture --root "$HG_DATA/alarms" --events "$ev" >/dev/null 2>"$d/err"
[ ! -s "$d/err" ] && pass progress_quiet_off_tty || fail progress_quiet_off_tty "$(head -c 200 "$d/err")"
