#!/usr/bin/env bash
# bench/backtest.sh — throughput of `hardengen test --events` against its
# peers, measured in one run on one core (taskset -c 0).
#
#   bench/backtest.sh            (from the source tree, after `make`)
#
# Corpus: build/bench/corpus/ (bench/gen_corpus.py; generated once, reused):
# HG_BENCH_EVENTS records (default 1,000,000, ~1.2 GB of JSON) replicated
# from the data sets in tests/data with varied eventID/eventTime, as JSON lines and
# as gzip {"Records":[...]} files of 500 records.
#
# Reports: events/s and MB/s of `hardengen test --env prod` with every filter
# of the prod profile, on both copies; the same per-filter counts from a
# one-pass jq program (bench/pattern2jq.py) with the speed ratio and a check
# that the counts agree; `gzip -dc` alone over the gzip copy (the floor) and
# our gzip time as a multiple of it; peak RSS. Targets: >= 20x jq,
# <= 1.5x gzip -dc, < 64 MB RSS.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
bin=$top/hardengen
data=${HG_DATA:-$PWD/tests/data}
events=${HG_BENCH_EVENTS:-1000000}
out=$top/build/bench
corpus=$out/corpus-$events
mkdir -p "$out"
for t in jq python3 gzip taskset /usr/bin/time; do
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

measure() { # NAME OUTFILE CMD... -> "wall user sys maxrss_kb" in $out/NAME.time
  local name=$1 dst=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$out/$name.time" taskset -c 0 "$@" > "$dst" 2> "$out/$name.err" ||
    { echo "backtest bench: $name failed:"; tail -5 "$out/$name.err"; exit 1; }
}
measure ours_jsonl "$out/ours_jsonl.json" "$bin" test --env prod --root "$top" --events "$corpus/jsonl" --format json
measure ours_gz "$out/ours_gz.json" "$bin" test --env prod --root "$top" --events "$corpus/gz" --format json
measure gzip "/dev/null" gzip -dc "${gz[@]}"
measure jq "$out/jq.json" jq -n -f "$out/peer.jq" "${jsonl[@]}"

python3 - "$out" "$bytes" "$gzbytes" "$events" <<'PY'
import json, sys
out, nbytes, gzbytes, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def t(name):
    # CPU seconds (user + sys) of the pinned process: the machine is shared,
    # so wall time mostly measures the neighbours. Wall time is shown too.
    wall, user, sys_, kb = open("%s/%s.time" % (out, name)).read().split()[-4:]
    return float(user) + float(sys_), int(kb), float(wall)
oj, og, gz, jq = t("ours_jsonl"), t("ours_gz"), t("gzip"), t("jq")
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
print("  (CPU seconds on one core, user+sys; wall time in brackets)")
print("  hardengen test, JSON lines  : %6.2f s [%6.2f]  %8.0f events/s  %5.0f MB/s  peak RSS %5.1f MB"
      % (oj[0], oj[2], ours_j["events"] / oj[0], mb / oj[0], oj[1] / 1024))
print("  hardengen test, gzip        : %6.2f s [%6.2f]  %8.0f events/s  %5.0f MB/s  peak RSS %5.1f MB"
      % (og[0], og[2], ours_g["events"] / og[0], mb / og[0], og[1] / 1024))
print("  jq one-pass peer, JSON lines: %6.2f s [%6.2f]  %8.0f events/s  %5.0f MB/s  peak RSS %5.1f MB"
      % (jq[0], jq[2], events / jq[0], mb / jq[0], jq[1] / 1024))
print("  gzip -dc alone (the floor)  : %6.2f s [%6.2f]" % (gz[0], gz[2]))
r_jq, r_gz, rss = jq[0] / oj[0], og[0] / gz[0], max(oj[1], og[1]) / 1024
print("  speed vs jq: %.1fx (target >= 20x)   gzip total / gzip -dc: %.2fx (target <= 1.5x)   peak RSS %.1f MB (target < 64)"
      % (r_jq, r_gz, rss))
print("  counts: %s" % ("agree (every filter, both copies, jq)" if not bad else "DIFFER: " + ", ".join(bad)))
sys.exit(1 if bad or events != ours_j["events"] or events != ours_g["events"] else 0)
PY
