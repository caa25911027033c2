#!/usr/bin/env bash
# bench/iam.sh — time `hardengen lint-iam` on a generated ~1 MB CloudFormation
# template (175 IAM managed policies, 12 statements of 8 actions each, a few
# typos), median of repeated runs; target < 50 ms of CPU time. When cfn-lint is installed
# it lints the same file (fewer runs: it is slow) and the ratio is reported.
#
#   bench/iam.sh            (run by `make bench`; HG_BIN overrides the binary)
set -u
cd "$(dirname "$0")/.."
HG_BIN=${HG_BIN:-$PWD/hardengen}
RUNS=${IAM_BENCH_RUNS:-15}
PEER_RUNS=${IAM_BENCH_PEER_RUNS:-3}
export HARDENGEN_IAM_ACTIONS=${HARDENGEN_IAM_ACTIONS:-$PWD/share/iam-actions.txt}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# The template: actions sampled evenly from the shipped list; one typo in
# every 50th policy so the run reports findings as a real one would.
awk -v RES=175 -v STMTS=12 -v PER=8 '
  !/^#/ && NF { a[n++] = $0 }
  END {
    print "AWSTemplateFormatVersion: \"2010-09-09\""
    print "Description: lint-iam benchmark template"
    print "Resources:"
    k = 0
    for (r = 0; r < RES; r++) {
      printf "  Policy%04d:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n", r
      printf "      ManagedPolicyName: !Sub \"bench-%04d-${AWS::Region}\"\n", r
      print  "      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:"
      for (s = 0; s < STMTS; s++) {
        printf "          - Sid: S%d\n            Effect: %s\n            Action:\n", s, (s % 3 ? "Allow" : "Deny")
        for (i = 0; i < PER; i++) {
          name = a[(k * 7919) % n]; k++
          if (r % 50 == 0 && s == 0 && i == 0) name = name "x"
          printf "              - %s\n", name
        }
        print "            Resource: \"*\""
      }
    }
  }' share/iam-actions.txt > "$t/bench.yaml"
size=$(wc -c < "$t/bench.yaml")

# measure RUNS COMMAND...: prints "WALL CPU", the medians in milliseconds of
# the elapsed time and of the CPU time (user + system) over RUNS runs. The
# machine is shared, so CPU time is the steadier figure; both are shown.
measure() {
  local runs=$1; shift
  local i
  TIMEFORMAT='%R %U %S'
  for ((i = 0; i < runs; i++)); do
    { time "$@" > /dev/null 2>&1; } 2>&1 | tail -1
  done | awk '{ w[NR] = $1 * 1000; c[NR] = ($2 + $3) * 1000 }
    function med(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END { printf "%.1f %.1f\n", med(w, NR), med(c, NR) }'
}

"$HG_BIN" lint-iam "$t/bench.yaml" > /dev/null 2> "$t/findings"
rc=$?
findings=$(grep -c '^[^ ].*: \(error\|warning\): ' "$t/findings")
read -r hg_wall hg_cpu < <(measure "$RUNS" "$HG_BIN" lint-iam "$t/bench.yaml")
verdict=$(awk -v m="$hg_cpu" 'BEGIN { print (m < 50) ? "within" : "OVER" }')
printf 'iam: lint-iam on a %d-byte template (%d findings, exit %d): median of %d runs: %s ms CPU (%s the 50 ms target), %s ms elapsed\n' \
  "$size" "$findings" "$rc" "$RUNS" "$hg_cpu" "$verdict" "$hg_wall"

if command -v cfn-lint > /dev/null 2>&1; then
  read -r peer_wall peer_cpu < <(measure "$PEER_RUNS" cfn-lint "$t/bench.yaml")
  ratio=$(awk -v a="$peer_cpu" -v b="$hg_cpu" 'BEGIN { printf "%.0f", (b > 0) ? a / b : 0 }')
  printf 'iam: cfn-lint on the same file: median of %d runs: %s ms CPU, %s ms elapsed; hardengen uses %sx less CPU\n' \
    "$PEER_RUNS" "$peer_cpu" "$peer_wall" "$ratio"
else
  echo "iam: cfn-lint not installed; no peer ratio"
fi
