#!/usr/bin/env bash
# report.sh — `hardengen report`: the page parses as sound HTML (every tag
# closed, ids unique, no script, no external URL), markup in filter titles
# and event fields stays text, the numbers equal `test --format json` on the
# CloudTrail data sets, --no-timestamp output is byte-stable, --all shows
# every env, usage and I/O errors, and headless Chromium renders the page
# with the network off and no console error (screenshot into the build folder).
. "$(dirname "$0")/lib.sh"
name=report
chk=$HG_TOP/tests/report/check_html.py
root=$HG_DATA/report
ds=$HG_DATA/datasets/cloudtrail
d=$(tmpdir)
# Templates and the shipped filters come from the source tree.
export HARDENGEN_SHARE=$HG_TOP
need_tool $name python3 || exit 0

# 1. Hostile root: title, pattern and event fields with markup.
if "$HG_BIN" report --env hostile --root "$root" --events "$root/events.jsonl" --no-timestamp \
  -o "$d/h.html" 2>"$d/err" &&
  "$HG_BIN" test --env hostile --root "$root" --events "$root/events.jsonl" --format json >"$d/h.json" 2>/dev/null; then
  if out=$(python3 "$chk" "$d/h.html" "$d/h.json"); then pass "$name hostile structure"; else
    fail "$name hostile structure" "$out"; fi
  # The markup is in the page as escaped text, never as a tag.
  if grep -q '&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;' "$d/h.html" &&
    grep -q 'eventID <code>&lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt;</code>' "$d/h.html" &&
    grep -q '&lt;script&gt;alert(&quot;time&quot;)&lt;/script&gt;' "$d/h.html" &&
    ! grep -qi '<script\|<img' "$d/h.html"; then
    pass "$name escaping"
  else fail "$name escaping" "markup from the title or the events is not escaped"; fi
  # The per-day chart: 2 matches on 2023-07-10, 1 on 2023-07-12, the untimed one noted.
  if grep -q '<title>2023-07-10: 2</title>' "$d/h.html" && grep -q '<title>2023-07-12: 1</title>' "$d/h.html" &&
    grep -q '1 without a readable eventTime' "$d/h.html" && grep -q 'first alarm at 2023-07-10T12:00:00Z' "$d/h.html"; then
    pass "$name chart"
  else fail "$name chart" "per-day bars or the alarm mark missing"; fi
  # Top event names and principals: counts first, escaped, "(none)" for absent.
  if grep -q '<ol class="top" title="top event names"><li><code>&lt;script&gt;</code> 4</li></ol>' "$d/h.html" &&
    grep -q '<ol class="top" title="top principals"><li><code>(none)</code> 3</li><li><code>arn:aws:iam::123456789012:user/&lt;b&gt;x&lt;/b&gt;</code> 1</li></ol>' "$d/h.html"; then
    pass "$name top names and principals"
  else fail "$name top names and principals" "$(grep -o '<ol class="top"[^\n]*</ol>' "$d/h.html" | head -2)"; fi
else
  fail "$name hostile" "exit $?: $(head -3 "$d/err")"
fi

# 2. The checker itself fails on a broken page (an unclosed cell, a
# duplicate id, an external URL, a script).
if [ -s "$d/h.html" ]; then
  bad=0
  sed '0,/<\/td>/s/<\/td>//' "$d/h.html" >"$d/b1.html"
  sed 's/<section class="env" id="env-hostile">/<section class="env" id="env-hostile"><p id="env-hostile">x<\/p>/' "$d/h.html" >"$d/b2.html"
  sed 's/<h1>/<h1><a href="https:\/\/example.com\/">x<\/a>/' "$d/h.html" >"$d/b3.html"
  sed 's/<\/style>/a{background:url(x.png)}<\/style><script>1<\/script>/' "$d/h.html" >"$d/b4.html"
  for b in b1 b2 b3 b4; do python3 "$chk" "$d/$b.html" >/dev/null && { bad=1; echo "  $b passed the checker"; }; done
  if [ $bad = 0 ]; then pass "$name checker rejects broken pages"; else fail "$name checker" "a broken page passed"; fi
fi

# 3. Numbers equal `test --format json` on the CloudTrail data sets.
if [ -r "$ds/panther/events.jsonl" ]; then
  ev=("$ds/invictus-ir/CloudTrail" "$ds/panther/events.jsonl" "$ds/stratus-red-team/detonation-logs")
  if "$HG_BIN" report --env prod --root "$HG_TOP" --events "${ev[@]}" --no-timestamp -o "$d/p.html" 2>"$d/err" &&
    "$HG_BIN" test --env prod --root "$HG_TOP" --events "${ev[@]}" --format json >"$d/p.json" 2>/dev/null; then
    if out=$(python3 "$chk" "$d/p.html" "$d/p.json"); then pass "$name datasets numbers"; else
      fail "$name datasets numbers" "$out"; fi
    # The top event names of one filter against `match` on its pattern,
    # counted here in Python.
    "$HG_BIN" list --env prod --root "$HG_TOP" --format json >"$d/list.json" 2>/dev/null
    pat=$(python3 -c 'import json,sys; print([f["pattern"] for f in json.load(open(sys.argv[1]))["filters"] if f["id"]=="iam-policy-changes"][0])' "$d/list.json")
    "$HG_BIN" match "$pat" "${ev[@]}" --format jsonl >"$d/m.jsonl" 2>/dev/null
    if out=$(python3 - "$d/m.jsonl" "$d/p.html" <<'PY'
import collections, html, json, re, sys
c = collections.Counter(json.loads(l).get("eventName") or "(none)" for l in open(sys.argv[1]) if l.strip())
want = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
page = open(sys.argv[2]).read()
row = re.search(r'<tr id="f-prod-iam-policy-changes".*?</tr>', page, re.S).group(0)
ol = re.search(r'<ol class="top" title="top event names">(.*?)</ol>', row).group(1)
got = [(html.unescape(n), int(k)) for n, k in re.findall(r'<li><code>(.*?)</code> (\d+)</li>', ol)]
if not want or got != want:
    print(f"page {got} != match {want}")
    sys.exit(1)
PY
    ); then pass "$name top names against match"; else fail "$name top names against match" "$out"; fi
    nz=$(grep -c 'data-alarms="[1-9]' "$d/p.html")
    [ "$nz" -gt 0 ] && pass "$name datasets alarms" || fail "$name datasets alarms" "no filter fired"
    # Determinism: same inputs, same bytes.
    "$HG_BIN" report --env prod --root "$HG_TOP" --events "${ev[@]}" --no-timestamp -o "$d/p2.html" 2>/dev/null
    cmp -s "$d/p.html" "$d/p2.html" && pass "$name deterministic" || fail "$name deterministic" "two runs differ"
  else
    fail "$name datasets" "exit $?: $(head -3 "$d/err")"
  fi
else
  skip "$name datasets" "data sets not found"
fi

# 4. Without --no-timestamp the build time is shown; without --events no chart.
if "$HG_BIN" report --env hostile --root "$root" >"$d/t.html" 2>"$d/err"; then
  if grep -q '<dt>built</dt><dd>[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T' "$d/t.html" && ! grep -q '<svg' "$d/t.html" &&
    out=$(python3 "$chk" "$d/t.html"); then pass "$name timestamp"; else fail "$name timestamp" "${out:-no build time}"; fi
else fail "$name timestamp" "exit $?: $(head -3 "$d/err")"; fi

# 5. --all: every env, in name order, side by side in the header.
if "$HG_BIN" report --all --root "$root" --no-timestamp -o "$d/a.html" 2>"$d/err"; then
  if out=$(python3 "$chk" "$d/a.html") && grep -q 'id="env-calm"' "$d/a.html" && grep -q 'id="env-hostile"' "$d/a.html" &&
    grep -q 'CIS 3.0 monitoring coverage' "$d/a.html" && grep -q 'class="envs"' "$d/a.html"; then
    pass "$name all"
  else fail "$name all" "${out:-an env is missing}"; fi
else fail "$name all" "exit $?: $(head -3 "$d/err")"; fi

# 6. Errors: usage 2, missing events 3, a broken profile 1; no output file then.
"$HG_BIN" report --root "$root" >/dev/null 2>&1; r1=$?
"$HG_BIN" report --env hostile --all --root "$root" >/dev/null 2>&1; r2=$?
"$HG_BIN" report --env hostile --root "$root" --events "$d/nope" -o "$d/n.html" >/dev/null 2>&1; r3=$?
"$HG_BIN" report --env nosuch --root "$root" -o "$d/n.html" >/dev/null 2>&1; r4=$?
if [ $r1 = 2 ] && [ $r2 = 2 ] && [ $r3 = 3 ] && [ $r4 = 1 ] && [ ! -e "$d/n.html" ]; then pass "$name errors"; else
  fail "$name errors" "exits $r1 $r2 $r3 $r4 (want 2 2 3 1), or an output was written"; fi

# 7. Headless Chromium, network off: no console error, a screenshot.
if need_tool "$name chromium" chromium && [ -s "$d/h.html" ]; then
  page=$d/p.html
  [ -s "$page" ] || page=$d/h.html
  shot=$HG_TOP/${BUILD:-build}/report.png
  mkdir -p "$(dirname "$shot")"
  rm -f "$shot"
  # A page with a script error, to show the console check can fail.
  printf '<!DOCTYPE html><html><head><title>x</title></head><body><script>nosuch();</script></body></html>\n' >"$d/err.html"
  browse() { # PAGE SHOT LOG
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
      --disable-component-update --disable-sync --no-first-run --user-data-dir="$(tmpdir)" \
      --proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND" \
      --enable-logging=stderr --v=0 --window-size=1280,2400 --screenshot="$2" "file://$1" >"$3" 2>&1
  }
  browse "$d/err.html" "$d/err.png" "$d/err.log"
  if ! grep -q 'CONSOLE\|Uncaught' "$d/err.log"; then
    fail "$name chromium" "a script error does not show in the log: the console check cannot work"
  elif browse "$page" "$shot" "$d/c.log" && [ -s "$shot" ]; then
    if grep -q 'CONSOLE\|Uncaught' "$d/c.log"; then
      fail "$name chromium" "$(grep 'CONSOLE\|Uncaught' "$d/c.log" | head -3)"
    else pass "$name chromium (screenshot $shot)"; fi
  else
    fail "$name chromium" "no screenshot: $(tail -3 "$d/c.log")"
  fi
fi
