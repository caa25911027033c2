#!/usr/bin/env bash
# lint_iam.sh — `hardengen lint-iam` end to end: exit statuses, output
# formats, standard input, --scp, --strict, malformed inputs.
. "$(dirname "$0")/lib.sh"
export HARDENGEN_IAM_ACTIONS="$HG_TOP/share/iam-actions.txt"
cd "$HG_TOP" || exit 1
t=$(tmpdir)

# run NAME WANT-STATUS ARGS...: run lint-iam, check the status.
run() {
  local name=$1 want=$2; shift 2
  "$HG_BIN" lint-iam "$@" > "$t/out" 2> "$t/err"
  local rc=$?
  if [ $rc -eq "$want" ]; then pass "$name"; else fail "$name" "exit $rc, want $want: $(head -c 300 "$t/err")"; fi
}

run lint_iam_clean 0 tests/iam/clean.yaml
[ ! -s "$t/out" ] && [ ! -s "$t/err" ] && pass lint_iam_clean_silent || fail lint_iam_clean_silent "output on a clean template"
run lint_iam_errors 1 tests/iam/policy.json
run lint_iam_warnings_only 0 tests/iam/scp.json
run lint_iam_scp_flag 1 --scp tests/iam/scp.json
run lint_iam_strict 1 --strict tests/iam/scp.json
run lint_iam_no_file 2
run lint_iam_bad_option 2 --bogus tests/iam/clean.yaml
run lint_iam_bad_format 2 --format xml tests/iam/clean.yaml
run lint_iam_missing_file 3 tests/iam/no-such-file.yaml
HARDENGEN_IAM_ACTIONS=/nonexistent/iam-actions.txt run lint_iam_missing_db 3 tests/iam/clean.yaml
run lint_iam_help 0 --help
grep -q '^example:' "$t/out" && pass lint_iam_help_example || fail lint_iam_help_example "no example in help"

# Exact text output for a bare policy.
"$HG_BIN" lint-iam tests/iam/policy.json 2> "$t/err"
cat > "$t/want" <<'EOF'
tests/iam/policy.json:7:34: warning: unknown IAM action 's3:ListBukcet' in Action [iam-unknown-action]
        "Action": ["s3:GetObject", "s3:ListBukcet", "S3:PutObject"],
                                   ^~~~~~~~~~~~~~~
  note: did you mean 's3:ListBucket'?
tests/iam/policy.json:7:51: warning: Action 'S3:PutObject' is not in AWS casing [iam-action-case]
        "Action": ["s3:GetObject", "s3:ListBukcet", "S3:PutObject"],
                                                    ^~~~~~~~~~~~~~
  note: did you mean 's3:PutObject'?
tests/iam/policy.json:13:18: error: unknown IAM action 'kms:ScheduleKeyDelete' in Action [iam-unknown-action]
        "Action": ["kms:ScheduleKeyDelete", "kms:Disable*"],
                   ^~~~~~~~~~~~~~~~~~~~~~~
  note: did you mean 'kms:ScheduleKeyDeletion'?
  note: in a Deny statement a name that matches no action denies nothing (fails open)
EOF
if cmp -s "$t/want" "$t/err"; then pass lint_iam_text_exact; else fail lint_iam_text_exact "$(diff -u "$t/want" "$t/err" | head -20)"; fi

# Standard input reads the same.
"$HG_BIN" lint-iam - < tests/iam/policy.json 2> "$t/stdin"
if [ "$(grep -c '^<stdin>:' "$t/stdin")" = 3 ]; then pass lint_iam_stdin; else fail lint_iam_stdin "$(head -3 "$t/stdin")"; fi

# JSON and SARIF go to stdout and parse.
"$HG_BIN" lint-iam --format json tests/iam/policy.json > "$t/j" 2> "$t/je"
if [ ! -s "$t/je" ] && grep -q '"code":[[:space:]]*"iam-unknown-action"' "$t/j" && grep -q '"line":[[:space:]]*13' "$t/j" &&
   [ "$(grep -c '"severity"' "$t/j")" = 3 ]; then
  pass lint_iam_json
else
  fail lint_iam_json "$(head -c 300 "$t/j")"
fi
"$HG_BIN" lint-iam --format=sarif tests/iam/policy.json > "$t/s"
if grep -q '"version":[[:space:]]*"2.1.0"' "$t/s" && grep -q 'iam-unknown-action' "$t/s"; then
  pass lint_iam_sarif
else
  fail lint_iam_sarif "$(head -c 300 "$t/s")"
fi

# Malformed inputs: a diagnostic with its code, exit 1, never a crash.
check_bad() {
  local name=$1 file=$2 code=$3 want=$4
  "$HG_BIN" lint-iam "$file" > /dev/null 2> "$t/err"
  local rc=$?
  if [ $rc -eq "$want" ] && grep -q "\[$code\]" "$t/err"; then pass "$name"; else fail "$name" "exit $rc: $(head -c 300 "$t/err")"; fi
}
check_bad lint_iam_bad_json tests/iam/malformed/bad-json.json iam-parse-error 1
check_bad lint_iam_bad_yaml tests/iam/malformed/bad-yaml.yaml iam-parse-error 1
check_bad lint_iam_string_policy tests/iam/malformed/string-policy.yaml iam-policy-shape 1
check_bad lint_iam_statement_object tests/iam/malformed/statement-object.json iam-policy-shape 1
check_bad lint_iam_missing_effect tests/iam/malformed/missing-effect.json iam-policy-shape 1

# Pathological inputs end quickly with a diagnostic.
need_tool lint_iam_pathological python3 || exit 0
python3 -c '
import sys
out = ["Metadata:", "  x0: &x0 [a, b, c, d, e, f, g, h]"]
for i in range(1, 30):
    out.append(f"  x{i}: &x{i} [" + ", ".join([f"*x{i-1}"] * 8) + "]")
out.append("Resources:\n  R:\n    Type: AWS::X::Y\n    Properties:\n      Big: *x29")
open(sys.argv[1], "w").write("\n".join(out) + "\n")
' "$t/bomb.yaml"
timeout 20 "$HG_BIN" lint-iam "$t/bomb.yaml" > /dev/null 2> "$t/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'iam-too-complex' "$t/err"; then pass lint_iam_alias_bomb; else fail lint_iam_alias_bomb "exit $rc"; fi
python3 -c 'import sys; sys.stdout.write("[" * 100000)' > "$t/deep.json"
timeout 20 "$HG_BIN" lint-iam "$t/deep.json" > /dev/null 2> "$t/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'iam-too-complex\|iam-parse-error' "$t/err"; then pass lint_iam_deep; else fail lint_iam_deep "exit $rc: $(head -c 200 "$t/err")"; fi

# An alias to a policy string with many typos, used by thousands of resources:
# the findings are capped and the run ends at once.
python3 -c '
import sys
pol = "{\"Statement\":[" + ",".join(["{\"Effect\":\"Deny\",\"Action\":\"s3:GetObjet\"}"] * 500) + "]}"
out = ["Metadata:", "  p: &p \x27" + pol + "\x27", "Resources:"]
out += ["  R%d: {Type: AWS::IAM::Policy, Properties: {PolicyDocument: *p}}" % i for i in range(5000)]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
' "$t/many.yaml"
timeout 20 "$HG_BIN" lint-iam --format json "$t/many.yaml" > "$t/many.json" 2> "$t/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'iam-too-many-findings' "$t/many.json" &&
   [ "$(grep -c '"iam-unknown-action"' "$t/many.json")" -le 1000 ]; then
  pass lint_iam_findings_capped
else
  fail lint_iam_findings_capped "exit $rc: $(head -c 200 "$t/err")"
fi
