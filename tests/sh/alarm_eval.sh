#!/usr/bin/env bash
# alarm_eval.sh — `test --events` replays each filter's alarm as CloudWatch
# evaluates it: the fixture in tests/data/alarms (threshold 1 and 3, period
# 300 and 900 s, 1 and 2 evaluation periods, events on period boundaries)
# against the firings computed by hand in tests/data/alarms/expected.txt;
# missing --events paths are an error (exit 3).
. "$(dirname "$0")/lib.sh"
name=alarm_eval
need_tool $name jq || exit 0
d=$(tmpdir)
fx=$HG_DATA/alarms
"$HG_BIN" test --env fixture --root "$fx" --events "$fx/events.jsonl" --format json \
  >"$d/out.json" 2>"$d/err"
rc=$?
if [ $rc -ne 0 ]; then
  fail $name "exit $rc: $(cat "$d/err")"
else
  jq -r '.filters[] | select(.id | startswith("fixture-")) |
         "\(.id) \(.alarms.fired) \(.alarms.first) \(.alarms.last)"' "$d/out.json" | sort >"$d/got"
  grep -v '^#' "$fx/expected.txt" | sort >"$d/want"
  if diff -u "$d/want" "$d/got" >"$d/diff"; then pass $name; else
    fail $name "firings differ from the hand-computed windows"; sed 's/^/    /' "$d/diff"; fi
fi

n=alarm_eval_json_shape
if jq -e '.schema == 1 and (.filters | all(.alarms | has("fired") and has("first") and has("last")))' \
  "$d/out.json" >/dev/null; then pass $n; else fail $n "$(head -c 300 "$d/out.json")"; fi

n=alarm_eval_text
"$HG_BIN" test --env fixture --root "$fx" --events "$fx/events.jsonl" >"$d/out.txt" 2>/dev/null
if grep -Eq '^fixture-t1-p300-e1 +- +10 +2023-07-10T12:00:00Z +2023-07-10T13:00:00Z +3 +2023-07-10T12:00:00Z ' "$d/out.txt" &&
  grep -q '^alarms: ' "$d/out.txt"; then pass $n; else fail $n "$(head -3 "$d/out.txt")"; fi

n=alarm_eval_order_free
# The same events in reverse order and split over two files give the same firings.
tac "$fx/events.jsonl" | head -6 >"$d/a.jsonl"
tac "$fx/events.jsonl" | tail -n +7 >"$d/b.jsonl"
"$HG_BIN" test --env fixture --root "$fx" --events "$d/b.jsonl" "$d/a.jsonl" --format json 2>/dev/null |
  jq -r '.filters[] | select(.id | startswith("fixture-")) |
         "\(.id) \(.alarms.fired) \(.alarms.first) \(.alarms.last)"' | sort >"$d/got2"
if cmp -s "$d/got2" "$d/want"; then pass $n; else fail $n "$(diff "$d/want" "$d/got2" | head)"; fi

n=test_events_missing_path_exit_3
"$HG_BIN" test --env fixture --root "$fx" --events "$fx/events.jsonl" "$d/nope.json" \
  >"$d/o" 2>"$d/e"
rc=$?
if [ $rc -eq 3 ] && grep -q "nope.json: error: cannot read" "$d/e"; then pass $n; else
  fail $n "exit $rc: $(cat "$d/e")"; fi
