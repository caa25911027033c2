#!/usr/bin/env bash
# bench/backtest.sh — throughput of `hardengen test --events` against its
# peers, measured side by side in one run on the same corpus.
#
#   bench/backtest.sh            (from the source tree, after `make`)
#
# Corpus: build/bench/corpus/ (bench/gen_corpus.py; generated once, reused):
# HG_BENCH_EVENTS records (default 1,000,000, ~1.2 GB of JSON) replicated
# from the data sets in tests/data with varied eventID/eventTime, as JSON lines and
# as gzip {"Records":[...]} files of 500 records.
#
# Reports, for `hardengen test --env prod` with every filter of the prod
# profile on both copies: events/s and MB/s on one core (taskset -c 0,
# -j 1) and with -j (one job per CPU); the same per-filter counts from a
# one-pass jq program (bench/pattern2jq.py) with the speed ratio and a check
# that the counts agree; `gzip -dc` and `libdeflate-gunzip -c` alone over
# the gzip copy (the floors) and our gzip time as a multiple of each; the
# -j speed-up; peak RSS; and that -j 1 and -j N print the same bytes.
# Targets: >= 1 GB/s and >= 100x jq on one core, gzip <= 1.2x
# libdeflate-gunzip, >= 1.7x on 2 cores, < 64 MB RSS at any -j.
#
# The machine may be shared: single-core figures are CPU seconds (user +
# sys) of the pinned process, which the neighbours disturb little; the -j
# speed-up can only be seen in wall time, so it is the best of
# HG_BENCH_REPEAT (default 3) runs of each side, alternated.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
bin=$top/hardengen
data=${HG_DATA:-$PWD/tests/data}
events=${HG_BENCH_EVENTS:-1000000}
out=$top/build/bench
corpus=$out/corpus-$events
mkdir -p "$out"
for t in jq python3 gzip libdeflate-gunzip taskset /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "backtest bench: $t is not installed; skipped"; exit 0; }
done
[ -x "$bin" ] || { echo "backtest bench: build ./hardengen first (make)"; exit 1; }
if [ ! -d "$corpus" ]; then
  echo "backtest bench: generating $events events into $corpus (once)"
  python3 bench/gen_corpus.py "$data/datasets/cloudtrail" "$corpus" "$events"
fi
jsonl=("$corpus"/jsonl/*.jsonl)
mapfile -t gz < <(find "$corpus/gz" -type f -name '*.json.gz' | LC_ALL=C sort)
bytes=$(cat "${jsonl[@]}" | wc -c)
gzbytes=$(cat "${gz[@]}" | wc -c)

"$bin" list --env prod --root "$top" --format json > "$out/list.json"
python3 bench/pattern2jq.py < "$out/list.json" > "$out/peer.jq" 2> "$out/peer.log" || true
cat "$out/peer.log"

# Warm the page cache so every contender reads from memory.
cat "${jsonl[@]}" "${gz[@]}" > /dev/null

measure() { # NAME OUTFILE CMD... -> "wall user sys maxrss_kb" in $out/NAME.time (pinned to CPU 0)
  local name=$1 dst=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$out/$name.time" taskset -c 0 "$@" > "$dst" 2> "$out/$name.err" ||
    { echo "backtest bench: $name failed:"; tail -5 "$out/$name.err"; exit 1; }
}
measure_all() { # as measure, on every CPU
  local name=$1 dst=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$out/$name.time" "$@" > "$dst" 2> "$out/$name.err" ||
    { echo "backtest bench: $name failed:"; tail -5 "$out/$name.err"; exit 1; }
}
jobs=$(nproc)
test_cmd=("$bin" test --env prod --root "$top" --format json --events)
measure ours_jsonl "$out/ours_jsonl.json" "${test_cmd[@]}" "$corpus/jsonl" -j 1
measure ours_gz "$out/ours_gz.json" "${test_cmd[@]}" "$corpus/gz" -j 1
measure gzip "/dev/null" gzip -dc "${gz[@]}"
measure libdeflate "/dev/null" libdeflate-gunzip -c "${gz[@]}"
measure jq "$out/jq.json" jq -n -f "$out/peer.jq" "${jsonl[@]}"
# Wall time on every CPU, -j 1 against -j N, alternated, best of N.
for r in $(seq "${HG_BENCH_REPEAT:-3}"); do
  for in in jsonl gz; do
    measure_all "w1_${in}_$r" "$out/w1_$in.json" "${test_cmd[@]}" "$corpus/$in" -j 1
    measure_all "wn_${in}_$r" "$out/wn_$in.json" "${test_cmd[@]}" "$corpus/$in" -j "$jobs"
  done
done
# The -j speed-up on idle cores, independent of the neighbours: the busiest
# thread's share of the CPU samples of a -j N run (perf) is the critical
# path; the speed-up is -j 1's CPU time over it.
for in in jsonl gz; do
  if command -v perf >/dev/null && perf record -q -e cpu-clock -F 1000 -o "$out/pj_$in.data" -- \
      "${test_cmd[@]}" "$corpus/$in" -j "$jobs" >/dev/null 2>&1; then
    perf report -i "$out/pj_$in.data" --sort pid --stdio 2>/dev/null |
      awk '/^ +[0-9.]+%/ {sub("%", "", $1); if ($1 > m) m = $1} END {print m + 0}' > "$out/crit_$in"
  else
    echo 0 > "$out/crit_$in"
  fi
done
for in in jsonl gz; do
  cmp -s "$out/w1_$in.json" "$out/wn_$in.json" || { echo "backtest bench: -j 1 and -j $jobs differ on $in"; exit 1; }
  cmp -s "$out/w1_$in.json" "$out/ours_$in.json" || { echo "backtest bench: pinned and unpinned runs differ on $in"; exit 1; }
done

python3 - "$out" "$bytes" "$gzbytes" "$events" "$jobs" "${HG_BENCH_REPEAT:-3}" <<'PY'
import json, sys
out, nbytes, gzbytes, events, jobs, reps = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                                            int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
def t(name):
    # CPU seconds (user + sys): the machine is shared, so wall time mostly
    # measures the neighbours. Wall time is shown too.
    wall, user, sys_, kb = open("%s/%s.time" % (out, name)).read().split()[-4:]
    return float(user) + float(sys_), int(kb), float(wall)
def best_wall(prefix):
    runs = [t("%s_%d" % (prefix, r)) for r in range(1, reps + 1)]
    return min(x[2] for x in runs), max(x[1] for x in runs)
def min_cpu(prefix):
    return min(t("%s_%d" % (prefix, r))[0] for r in range(1, reps + 1))
oj, og, gz, ld, jq = t("ours_jsonl"), t("ours_gz"), t("gzip"), t("libdeflate"), t("jq")
ours_j = json.load(open(out + "/ours_jsonl.json"))
ours_g = json.load(open(out + "/ours_gz.json"))
peer = json.load(open(out + "/jq.json"))
mj = {f["id"]: f["matches"] for f in ours_j["filters"]}
mg = {f["id"]: f["matches"] for f in ours_g["filters"]}
bad = [i for i in mj if mj[i] != mg.get(i)]
bad += ["%s (ours %d, jq %d)" % (i, mj.get(i, -1), peer[i]) for i in peer if mj.get(i) != peer[i]]
mb = nbytes / 1e6
print("backtest: %d events, %.0f MB JSON (%.0f MB gzip), %d filters (%d also in the jq peer)"
      % (ours_j["events"], mb, gzbytes / 1e6, len(mj), len(peer)))
print("  one core (taskset -c 0): CPU seconds, user+sys; wall time in brackets")
def row(label, x, ev):
    print("  %-34s: %6.2f s [%6.2f]  %8.0f events/s  %5.0f MB/s  peak RSS %5.1f MB"
          % (label, x[0], x[2], ev / x[0], mb / x[0], x[1] / 1024))
row("hardengen test -j 1, JSON lines", oj, ours_j["events"])
row("hardengen test -j 1, gzip", og, ours_g["events"])
row("jq one-pass peer, JSON lines", jq, events)
print("  %-34s: %6.2f s [%6.2f]" % ("gzip -dc alone", gz[0], gz[2]))
print("  %-34s: %6.2f s [%6.2f]" % ("libdeflate-gunzip -c alone", ld[0], ld[2]))
w1j, r1j = best_wall("w1_jsonl"); wnj, rnj = best_wall("wn_jsonl")
w1g, r1g = best_wall("w1_gz"); wng, rng = best_wall("wn_gz")
print("  every CPU: wall seconds, best of %d (disturbed by the neighbours)" % reps)
speedups = {}
for label, key, w1, wn, r in (("JSON lines", "jsonl", w1j, wnj, rnj), ("gzip", "gz", w1g, wng, rng)):
    c1, cn = min_cpu("w1_" + key), min_cpu("wn_" + key)
    print("  %-34s: -j 1 %6.2f s, -j %d %6.2f s (%5.0f MB/s): %.2fx  peak RSS %5.1f MB"
          % ("hardengen test, " + label, w1, jobs, wn, mb / wn, w1 / wn, r / 1024))
    crit = float(open("%s/crit_%s" % (out, key)).read() or 0)
    est = c1 / (cn * crit / 100) if crit > 0 else 0
    speedups[key] = est
    print("  %-34s  CPU -j 1 %6.2f s, -j %d %6.2f s (parallel overhead %+.0f%%); busiest thread %.0f%%"
          " of the samples: %.2fx on idle cores"
          % ("", c1, jobs, cn, (cn / c1 - 1) * 100, crit, est))
r_jq, r_gz, r_ld = jq[0] / oj[0], og[0] / gz[0], og[0] / ld[0]
rss = max(oj[1], og[1], rnj, rng) / 1024
print("  one core: %.0f MB/s (target >= 1000)   vs jq: %.0fx (target >= 100x)"
      % (mb / oj[0], r_jq))
print("  gzip total / gzip -dc: %.2fx   gzip total / libdeflate-gunzip: %.2fx (target <= 1.2x)"
      % (r_gz, r_ld))
print("  -j %d on idle cores: %.2fx JSON lines, %.2fx gzip (target >= 1.7x on 2 cores; wall: %.2fx, %.2fx)"
      % (jobs, speedups["jsonl"], speedups["gz"], w1j / wnj, w1g / wng))
print("  peak RSS %.1f MB (target < 64)" % rss)
print("  counts: %s" % ("agree (every filter, both copies, jq; -j 1 = -j %d byte for byte)" % jobs
                        if not bad else "DIFFER: " + ", ".join(bad)))
sys.exit(1 if bad or events != ours_j["events"] or events != ours_g["events"] else 0)
PY
