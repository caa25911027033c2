#!/usr/bin/env bash
# cli_opts.sh — the one option parser: every command takes --root, --format
# (its own values, as "--format X" and "--format=X") and -h/--help; an
# unknown flag, a missing value and a value given to a flag are usage errors
# (exit 2) with the synopsis; "--" ends the options; `match` and `lint-iam`
# read relative paths from --root; --profile selects the AWS profile.
. "$(dirname "$0")/lib.sh"
d=$(tmpdir)

# expect NAME STATUS STDERR-GREP -- ARGS...: exit status, and a line of
# stderr matching the extended regular expression (unless it is '').
expect() {
  local name=$1 want=$2 re=$3
  shift 4
  "$HG_BIN" "$@" >"$d/out" 2>"$d/err"
  local rc=$?
  if [ "$rc" != "$want" ]; then
    fail "$name" "exit $rc, want $want; stderr: $(head -c 300 "$d/err")"
    return 1
  fi
  if [ -n "$re" ] && ! grep -Eq -- "$re" "$d/err"; then
    fail "$name" "stderr lacks /$re/: $(head -c 300 "$d/err")"
    return 1
  fi
  pass "$name"
}

cmds="build check list diff test match lint-iam publish sync deploy sql init report"
for c in $cmds; do
  # The command's first --format value (the default), from its synopsis or
  # its format line; text where it names none.
  fmt=$("$HG_BIN" help "$c" | sed -n '1s/.*--format \([a-z]*\).*/\1/p')
  [ -n "$fmt" ] || fmt=$("$HG_BIN" help "$c" | sed -n 's/^  --format \([a-z]*\).*/\1/p' | head -1)
  [ -n "$fmt" ] || fmt=text
  expect "$c-help" 0 '' -- "$c" --help
  if head -1 "$d/out" | grep -q "^hardengen $c"; then pass "$c-help-synopsis"; else
    fail "$c-help-synopsis" "$(head -1 "$d/out")"; fi
  for flag in --root --format --help; do
    grep -q -- "$flag" "$d/out" && pass "$c-help-lists$flag" || fail "$c-help-lists$flag" "no $flag in the help"
  done
  expect "$c-h" 0 '' -- "$c" -h
  expect "$c-root-help" 0 '' -- "$c" --root "$d" --help
  expect "$c-root-eq-help" 0 '' -- "$c" --root="$d" --help
  expect "$c-format-help" 0 '' -- "$c" --format "$fmt" --help
  expect "$c-format-eq-help" 0 '' -- "$c" --format="$fmt" --help
  expect "$c-format-unknown" 2 "^hardengen: unknown format 'zzz' \(" -- "$c" --format=zzz
  expect "$c-unknown-flag" 2 "^hardengen: unknown option '--bogus'$" -- "$c" --bogus
  grep -q "^usage: hardengen $c" "$d/err" && pass "$c-unknown-flag-synopsis" ||
    fail "$c-unknown-flag-synopsis" "$(cat "$d/err")"
  expect "$c-root-missing-value" 2 "^hardengen: --root needs a value$" -- "$c" --root
  expect "$c-root-empty" 2 "^hardengen: --root needs a folder$" -- "$c" --root ""
  expect "$c-help-takes-no-value" 2 "^hardengen: --help takes no value$" -- "$c" --help=1
done

# Values, flags and the end of options.
expect env-missing-value 2 "^hardengen: --env needs a value$" -- build --env
expect all-takes-no-value 2 "^hardengen: --all takes no value$" -- build --all=yes
expect env-bad-name 2 "invalid env name '../x'" -- list --env ../x
expect unexpected-operand 2 "^hardengen: unexpected argument 'prod'$" -- build --all prod
expect jobs-range 2 "jobs must be a number from 1 to 256, not '0'" -- test --env prod -j0
expect jobs-missing 2 "^hardengen: -j needs a value$" -- match x -j
expect events-empty 2 "^hardengen: --events needs at least one path$" -- test --env prod --events --format json

printf '%s\n' '{"eventName":"ConsoleLogin","n":1}' '{"eventName":"StopLogging","n":2}' >"$d/ev.jsonl"
cp "$d/ev.jsonl" "$d/-dash.jsonl"
# After "--", "-dash.jsonl" is a file, not an option.
(cd "$d" && "$HG_BIN" match -c '{ $.n > 0 }' -- -dash.jsonl >"$d/out" 2>"$d/err")
[ "$(cat "$d/out")" = 2 ] && pass match-double-dash || fail match-double-dash "$(cat "$d/out" "$d/err")"
# Options after operands (permutation), "--format=count" and "--format count".
[ "$("$HG_BIN" match '{ $.n = 2 }' "$d/ev.jsonl" --format=count)" = 1 ] && pass match-format-eq ||
  fail match-format-eq "not 1"
[ "$("$HG_BIN" match '{ $.n = 2 }' --format count "$d/ev.jsonl")" = 1 ] && pass match-format-space ||
  fail match-format-space "not 1"

# match --root DIR: relative paths are read from DIR (failed before: unknown option).
mkdir -p "$d/trail/2024" "$d/elsewhere"
cp "$d/ev.jsonl" "$d/trail/2024/a.jsonl"
out=$(cd "$d/elsewhere" && "$HG_BIN" match --root "$d/trail" -c '{ $.eventName = StopLogging }' 2024 2>&1)
[ "$out" = 1 ] && pass match-root || fail match-root "$out"
out=$(cd "$d/elsewhere" && "$HG_BIN" match '{ $.n = 1 }' 2024/a.jsonl --root="$d/trail" -c 2>&1)
[ "$out" = 1 ] && pass match-root-after-operands || fail match-root-after-operands "$out"
expect match-root-missing 3 "cannot enter --root" -- match --root "$d/nope" x a.jsonl

# lint-iam --root DIR: relative FILEs (and HARDENGEN_IAM_ACTIONS) from DIR,
# the diagnostics name the file as given.
mkdir -p "$d/repo/policies"
cat >"$d/repo/policies/p.json" <<'EOF'
{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObjet", "Resource": "*"}]}
EOF
(cd "$d/elsewhere" && "$HG_BIN" lint-iam --root "$d/repo" policies/p.json >"$d/out" 2>"$d/err")
rc=$?
if [ $rc = 1 ] && grep -q "^policies/p.json:1:.*s3:GetObjet" "$d/err"; then pass lint-iam-root; else
  fail lint-iam-root "exit $rc: $(head -c 300 "$d/err")"; fi
(cd "$d/elsewhere" && "$HG_BIN" lint-iam policies/p.json --format=sarif --root "$d/repo" >"$d/out" 2>"$d/err")
rc=$?
if [ $rc = 1 ] && grep -q '"uri":[[:space:]]*"policies/p.json"' "$d/out"; then pass lint-iam-root-sarif; else
  fail lint-iam-root-sarif "exit $rc: $(head -c 300 "$d/out" "$d/err")"; fi
printf 's3:GetObjet\n' >"$d/repo/actions.txt"
(cd "$d/elsewhere" && HARDENGEN_IAM_ACTIONS=actions.txt "$HG_BIN" lint-iam --root "$d/repo" policies/p.json \
  >"$d/out" 2>"$d/err")
rc=$?
[ $rc = 0 ] && pass lint-iam-root-action-list || fail lint-iam-root-action-list "exit $rc: $(head -c 300 "$d/err")"

# --profile: the AWS CLI's; a profile that neither file has is a usage error.
printf '[profile other]\nregion = eu-west-1\n' >"$d/aws-config"
AWS_CONFIG_FILE=$d/aws-config AWS_SHARED_CREDENTIALS_FILE=$d/none \
  "$HG_BIN" publish --env prod --root "$d/elsewhere" --bucket acme-cfn --region eu-west-1 \
  --profile nosuch --dry-run >"$d/out" 2>"$d/err"
rc=$?
if [ $rc = 2 ] && grep -q "the AWS profile 'nosuch' is in neither" "$d/err"; then pass publish-profile-unknown; else
  fail publish-profile-unknown "exit $rc: $(head -c 300 "$d/err")"; fi

# Pathological spellings: a cluster with an unknown letter, a bare "--=",
# an empty --format, a letter that wants a value at the end of a cluster.
expect cluster-unknown-letter 2 "^hardengen: unknown option '-x'$" -- check -xyz
expect bare-double-dash-eq 2 "^hardengen: unknown option '--='$" -- build --=
expect triple-dash 2 "^hardengen: unknown option '---all'$" -- build ---all
expect format-empty 2 "^hardengen: unknown format '' \(yaml or json\)$" -- build --all --format=
expect cluster-value-missing 2 "^hardengen: -j needs a value$" -- match x -cj
args=()
for i in $(seq 1 5000); do args+=(--format=text); done
expect many-args 2 "^hardengen: --env ENV is required$" -- sync "${args[@]}"
