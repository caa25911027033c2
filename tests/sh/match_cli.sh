#!/usr/bin/env bash
# match_cli.sh — `hardengen match` exit codes and messages: 0 match, 1 none,
# 2 usage error or invalid pattern (caret diagnostic), 3 unreadable input;
# term patterns see the compact JSON text; stdin when no file is given.
. "$(dirname "$0")/lib.sh"
d=$(tmpdir)
printf '%s\n' '{"eventName":"ConsoleLogin","n":1}' '{ "eventName" : "StopLogging" , "n" : 2 }' \
  'not json' '[1,2]' > "$d/ev.jsonl"
head -1 "$d/ev.jsonl" > "$d/good.jsonl"

t() { # name, want-status, want-stdout, want-stderr, args...
  local n=$1 ws=$2 wo=$3 we=$4; shift 4
  local out err rc
  out=$("$HG_BIN" match "$@" 2>"$d/err"); rc=$?
  err=$(cat "$d/err")
  if [ $rc -ne "$ws" ]; then fail "$n" "exit $rc, want $ws; stderr: $err"; return; fi
  if [ "$out" != "$wo" ]; then fail "$n" "stdout: $out"; return; fi
  if [ "$we" != '*' ] && [ "$err" != "$we" ]; then fail "$n" "stderr: $err"; return; fi
  pass "$n"
}

t match_invalid_pattern 2 '' "hardengen: error: missing value after '=' [fp-empty-value]
  { \$.eventSource = && }
                    ^~" '{ $.eventSource = && }'
t match_invalid_pattern_file 2 '' '*' '{ $.a is null }' "$d/ev.jsonl"
t match_found 0 '{"eventName":"StopLogging","n":2}' '*' '{ $.n > 1 }' "$d/ev.jsonl"
t match_none 1 '' '*' '{ $.n > 5 }' "$d/ev.jsonl"
t match_count 0 '1' '*' '{ $.eventName = Console* }' "$d/ev.jsonl" -c
t match_count_none 1 '0' '*' '{ $.eventName = Nope }' "$d/ev.jsonl" --format count
# Term patterns see the compact text: no spaces around ':' even if the file had them.
t match_term_compact 0 '{"eventName":"StopLogging","n":2}' '*' '"\"eventName\":\"StopLogging\""' "$d/ev.jsonl"
t match_stdin 0 '{"eventName":"ConsoleLogin","n":1}' '*' '{ $.n = 1 }' < "$d/ev.jsonl"
t match_stdin_dash 0 '1' '*' '{ $.n = 1 }' - -c < "$d/ev.jsonl"
t match_missing_file 3 '' '*' '{ $.n = 1 }' "$d/nope.json"
t match_usage_no_pattern 2 '' '*'
t match_usage_bad_format 2 '' '*' '{ $.n = 1 }' --format xml
t match_usage_bad_option 2 '' '*' '{ $.n = 1 }' --bogus
# A warning is printed, the pattern still runs.
t match_warning 0 '{"eventName":"ConsoleLogin","n":1}' "hardengen: warning: a '!=' condition inside '||' is true for nearly every event [fp-ne-in-or]
  { \$.n = 1 || \$.x != 1 }
                   ^~
  note: exclusions usually belong in an '&&'" '{ $.n = 1 || $.x != 1 }' "$d/good.jsonl"
"$HG_BIN" help match | grep -q '^example:' && pass match_help || fail match_help "no example in help"
exit 0
