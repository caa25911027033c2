#!/usr/bin/env bash
# bench/build.sh — wall time of `hardengen build --env prod`, median of
# repeated runs (hyperfine when installed, else a timed loop), for generated
# filter files of 15, 100 and 1,000 filters, and the ratios between them.
#
# A root of its own holds profiles/prod.yaml and filters/gen.lua; the share
# folder (HARDENGEN_SHARE) holds only the template skeletons and the IAM
# action list (no shipped filters), so the filter
# count is exact. CloudWatch Logs takes 100 metric filters per log group, so
# the 1,000-filter build stops at that quota check, after every other stage
# (profile, Lua, patterns, planning, emission, digest) and before writing:
# it measures everything but the write of out/prod. `check` on the 15-filter
# root, measured in the same run, is the peer that shows what writing costs.
# On a shared machine wall time follows the load; the CPU column does not.
set -u
cd "$(dirname "$0")/.."
BIN=${HG_BIN:-$PWD/hardengen}
RUNS=${BENCH_RUNS:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/share/templates" "$work/share/filters"
cp templates/*.yaml "$work/share/templates/"
cp share/* "$work/share/" 2>/dev/null

make_root() { # N
  local n=$1 root=$work/root$1
  mkdir -p "$root/profiles" "$root/filters"
  cat >"$root/profiles/prod.yaml" <<'YAML'
account:
  name: bench-prod
  id: "123456789012"
notify:
  infosec: secops@example.com
  devops: devops@example.com
logs:
  bucket: bench-prod-security-logs
  retention_days: 365
templates:
  bucket_url: https://bench-cfn.s3.eu-west-1.amazonaws.com/hardening/
cis:
  version: "1.4"
  targets: [securityhub]
alarms:
  namespace: CISBenchmark
  name_prefix: bench
YAML
  awk -v n="$n" 'BEGIN {
    for (i = 1; i <= n; i++) {
      printf "filter {\n  id = \"gen-%04d\",\n  title = \"Generated detection %d\",\n", i, i
      printf "  pattern = [[{ ($.eventName = \"Call%04d\") && ($.userIdentity.type = \"IAMUser\") }]],\n", i
      printf "  envs = \"all\",\n  topic = \"%s\",\n", (i % 2 ? "devops" : "infosec")
      printf "  examples = {\n    match = { { eventName = \"Call%04d\", userIdentity = { type = \"IAMUser\" } } },\n", i
      printf "    nomatch = { { eventName = \"Other\" } },\n  },\n}\n"
    }
  }' >"$root/filters/gen.lua"
  echo "$root"
}

median_ms() { # ROOT [check] -> "median wall ms, mean CPU ms"
  local root=$1 cmd="build --env prod --root $1 --out $work/out"
  [ "${2:-}" = check ] && cmd="check --env prod --root $1"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 2 --runs "$RUNS" -i --export-json "$work/h.json" \
      "env HARDENGEN_SHARE=$work/share $BIN $cmd" \
      >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f %.2f" % (r["median"]*1000, (r["user"]+r["system"])*1000))' "$work/h.json"
  else
    local t=()
    for _ in $(seq "$RUNS"); do
      local s e
      s=$(date +%s%N)
      HARDENGEN_SHARE=$work/share $BIN $cmd >/dev/null 2>&1
      e=$(date +%s%N)
      t+=($(( (e - s) / 1000 )))
    done
    printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f -\n", a[int((NR+1)/2)]/1000}'
  fi
}

declare -A ms
for n in 15 100 1000; do
  root=$(make_root "$n")
  HARDENGEN_SHARE=$work/share "$BIN" build --env prod --root "$root" --out "$work/out" >/dev/null 2>"$work/err"
  st=$?
  read -r ms[$n] cpu < <(median_ms "$root")
  note="written"
  [ $st != 0 ] && note="exit $st: $(grep -o '\[[a-z-]*\]' "$work/err" | sort -u | tr '\n' ' ')"
  printf 'build --env prod, %4d filters: median %8s ms wall, %s ms CPU (user+sys mean), %s runs (%s)\n' \
    "$n" "${ms[$n]}" "$cpu" "$RUNS" "$note"
  if [ "$n" = 15 ]; then
    # The peer in the same run: every stage but the write (and its fsyncs).
    read -r cms ccpu < <(median_ms "$root" check)
    printf 'check --env prod, %4d filters: median %8s ms wall, %s ms CPU (user+sys mean)\n' \
      "$n" "$cms" "$ccpu"
    awk -v a="${ms[15]}" -v b="$cms" 'BEGIN { printf "ratio build/check (cost of writing out/prod): %.2f\n", a / b }'
  fi
done
awk -v a="${ms[15]}" -v b="${ms[100]}" -v c="${ms[1000]}" 'BEGIN {
  printf "ratio 100/15 filters:  %.2f (filters x%.1f)\n", b / a, 100 / 15
  printf "ratio 1000/15 filters: %.2f (filters x%.1f)\n", c / a, 1000 / 15
  printf "ratio 1000/100 filters: %.2f (filters x10)\n", c / b
}'
