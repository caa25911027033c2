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
    grep -q '1 without a readable eventTime' "$d/h.html" && grep -q '<title>1 alarm firing on 2023-07-10: 12:00:00Z</title>' "$d/h.html"; then
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
row = re.search(r'<tr class="ev" data-for="iam-policy-changes">.*?</tr>', page, re.S).group(0)
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

# 5. --all: every env, in name order, side by side in one table at the top.
if "$HG_BIN" report --all --root "$root" --no-timestamp -o "$d/a.html" 2>"$d/err"; then
  if out=$(python3 "$chk" "$d/a.html") && grep -q 'id="env-calm"' "$d/a.html" && grep -q 'id="env-hostile"' "$d/a.html" &&
    grep -q 'CIS 3.0 monitoring coverage' "$d/a.html" && grep -q 'class="compare"' "$d/a.html"; then
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

# 8. AWS Config rules: per rule the severity, title, frameworks, route and
# enabled flag equal the rule metadata `build` writes to detective-data.json
# (the profile's config.rules.NAME over the shipped defaults); the title
# set in the profile stays text.
if "$HG_BIN" report --env rules --root "$root" --no-timestamp -o "$d/r.html" 2>"$d/err" &&
  "$HG_BIN" build --env rules --root "$root" --out "$d/out" >/dev/null 2>&1; then
  if out=$(python3 - "$d/r.html" "$d/out/rules/detective-data.json" <<'PY'
import html, json, re, sys
page = open(sys.argv[1]).read()
data = json.load(open(sys.argv[2]))
items = {i["rule"]["S"]: i for t in data["tables"] if t["key"] == ["rule"] for i in t["items"]}
rows = dict(re.findall(r'<tr data-rule="([^"]+)">(.*?)</tr>', page))
bad = []
if set(rows) != set(items) or not items:
    bad.append(f"rules {sorted(rows)} != {sorted(items)}")
text = lambda h: html.unescape(re.sub(r"<[^>]+>", "", h))
for name, it in items.items():
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows.get(name, ""))
    if len(cells) != 5:
        bad.append(f"{name}: {len(cells)} cells"); continue
    if text(cells[1]) != it["severity"]["S"]:
        bad.append(f"{name}: severity {text(cells[1])!r} != {it['severity']['S']!r}")
    title = html.unescape(re.sub(r'<span class="why">.*', "", cells[2]))
    if title != it["title"]["S"]:
        bad.append(f"{name}: title {title!r} != {it['title']['S']!r}")
    fw = [(html.unescape(n).strip(), html.unescape(v)) for n, v in re.findall(r"([^<>]+) <code>(.*?)</code>", cells[3])]
    want = sorted((k, v["S"]) for k, v in it["frameworks"]["M"].items())
    if fw != want:
        bad.append(f"{name}: frameworks {fw} != {want}")
    route = text(cells[4])
    if not it["enabled"]["BOOL"]:
        if not route.startswith("off"):
            bad.append(f"{name}: disabled but routed {route!r}")
    else:
        got = sorted(d for d, w in (("securityhub", "Security Hub"), ("splunk", "Splunk")) if w in route)
        if got != sorted(x["S"] for x in it["route"]["L"]):
            bad.append(f"{name}: route {route!r} != {it['route']['L']}")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
  ) && grep -q '<td>&lt;b&gt;SSH&lt;/b&gt; &amp; friends<span' "$d/r.html" && ! grep -q '<b>SSH' "$d/r.html"; then
    pass "$name config rules against detective-data.json"
  else fail "$name config rules against detective-data.json" "${out:-the rule title is not escaped}"; fi
  # Preflight: every check with its mode, the ones the profile changed named.
  out=
  if grep -q '<tr data-check="root-mfa"><td><code>root-mfa</code></td><td class="fail">block</td><td>set by the profile (default warn)</td></tr>' "$d/r.html" &&
    grep -q '<tr data-check="trail-quota"><td><code>trail-quota</code></td><td class="na">off</td><td>set by the profile (default block)</td></tr>' "$d/r.html" &&
    grep -q '<tr data-check="duplicate-trail"><td><code>duplicate-trail</code></td><td class="warn">warn</td><td><span class="mut">default</span></td></tr>' "$d/r.html" &&
    [ "$(grep -c '<tr data-check=' "$d/r.html")" = 8 ] && grep -q 'at most 600 s' "$d/r.html"; then
    pass "$name preflight modes"
  else fail "$name preflight modes" "$(grep '<tr data-check=' "$d/r.html" | head -3)"; fi
  # Detective routing: destinations as the profile sets them, fields escaped.
  out=
  if grep -q '<dt>Security Hub</dt><dd class="na">off</dd><dt>Splunk</dt><dd class="pass">on' "$d/r.html" &&
    grep -q '<dt>central Region</dt><dd><code>eu-central-1</code></dd>' "$d/r.html" &&
    grep -q '<dt>this account</dt><dd>a member account</dd>' "$d/r.html" &&
    grep -q '<code>team=&lt;i&gt;sec&lt;/i&gt;</code>' "$d/r.html" &&
    grep -q 'detective central: eu-central-1' "$d/r.html" &&
    out=$(python3 "$chk" "$d/r.html"); then
    pass "$name detective routing"
  else fail "$name detective routing" "${out:-destinations missing}"; fi
  # Without a detective: block: said so, and rules stay in AWS Config.
  if grep -q 'No <code>detective:</code> block' "$d/h.html" && grep -q 'AWS Config only' "$d/h.html"; then
    pass "$name no detective"
  else fail "$name no detective" "the hostile env does not say it has no detective block"; fi
else
  fail "$name rules" "exit $?: $(head -3 "$d/err")"
fi

# 9. Every alarm firing is marked on the chart and listed, not only the
# first and the last: 14 firings (pairs of matches in one 300 s period,
# threshold 2), two on 2023-07-10, then one a day.
python3 - "$d/fire.jsonl" <<'PY'
import json, sys
times = ["2023-07-10T12:00", "2023-07-10T13:00"] + [f"2023-07-{d:02d}T09:00" for d in range(11, 23)]
with open(sys.argv[1], "w") as f:
    for k, t in enumerate(times):
        for s in ("00", "30"):
            f.write(json.dumps({"eventVersion": "1.08", "eventTime": f"{t}:{s}Z", "eventName": "<script>",
                                "eventID": f"f{k}{s}"}) + "\n")
PY
if "$HG_BIN" report --env hostile --root "$root" --events "$d/fire.jsonl" --no-timestamp -o "$d/f.html" 2>"$d/err" &&
  "$HG_BIN" test --env hostile --root "$root" --events "$d/fire.jsonl" --format json >"$d/f.json" 2>/dev/null; then
  row=$(grep -A1 '<tr id="f-hostile-hostile-markup"' "$d/f.html")
  marks=$(printf '%s' "$row" | grep -o '<line class="f"' | wc -l)
  listed=$(printf '%s' "$row" | grep -o '<span class="why">2023-07-[0-9T:]*Z</span>' | wc -l)
  if out=$(python3 "$chk" "$d/f.html" "$d/f.json") && printf '%s' "$row" | grep -q 'data-alarms="14"' &&
    [ "$marks" = 13 ] && [ "$listed" = 12 ] &&
    printf '%s' "$row" | grep -q '<title>2 alarm firings on 2023-07-10: 12:00:00Z 13:00:00Z</title>' &&
    printf '%s' "$row" | grep -q '<title>1 alarm firing on 2023-07-16: 09:00:00Z</title>' &&
    printf '%s' "$row" | grep -q '2 more, the last at 2023-07-22T09:00:00Z'; then
    pass "$name every alarm firing"
  else fail "$name every alarm firing" "${out:-$marks marks (want 13), $listed listed (want 12)}"; fi
else fail "$name every alarm firing" "exit $?: $(head -3 "$d/err")"; fi

# 10. Syntax highlighting: selectors, operators, strings, keywords and
# standalone numbers in their spans; a digit inside a word stays plain.
if [ -s "$d/h.html" ] && [ -s "$d/p.html" ]; then
  if grep -q '<code class="pat">{ <span class="k">\$.eventName</span> <span class="o">=</span> <span class="s">&quot;&lt;script&gt;&quot;</span> }</code>' "$d/h.html" &&
    grep -q '<span class="k">\$.userIdentity.invokedBy</span> <span class="o">NOT</span> <span class="o">EXISTS</span>' "$d/p.html" &&
    ! grep -q 'vol-<span class="d">' "$d/p.html" && grep -q '<span class="o">&amp;&amp;</span>' "$d/p.html"; then
    pass "$name syntax highlighting"
  else fail "$name syntax highlighting" "$(grep -o '<code class="pat">[^\n]*</code>' "$d/h.html" | head -1)"; fi
fi

# 11. The reason of each CIS result is in the cell's title (hover) and
# printed beside it, and print styles do not hide it.
if [ -s "$d/h.html" ]; then
  if out=$(python3 - "$d/h.html" <<'PY'
import html, re, sys
page = open(sys.argv[1]).read()
table = re.search(r'<table class="cis">.*?</table>', page, re.S).group(0)
cells = re.findall(r'<td class="(pass|fail|na)" title="([^"]*)">([^<]*)(?:<span class="why">(.*?)</span>)?</td>', table)
bad = []
if len(cells) != 3 * len(re.findall(r"<tr><td>", table)) or not cells:
    bad.append(f"{len(cells)} result cells")
for cls, title, res, why in cells:
    if not title or not why:
        bad.append(f"a {res} cell without its reason"); continue
    t, w = html.unescape(title), html.unescape(why)
    if t != w and t != "passed by " + w[3:]:
        bad.append(f"hover {t!r} != printed {w!r}")
if not any(c[0] == "na" for c in cells):
    bad.append("no n/a cell (Security Hub has no control for 4.15)")
css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
pr = re.search(r"@media print\{(.*)\}", css, re.S)
if not pr or re.search(r"\.why\{[^}]*display:none", pr.group(1)):
    bad.append("print styles hide the reasons")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
  ); then pass "$name CIS reasons hover and print"; else fail "$name CIS reasons hover and print" "$out"; fi
fi

# 12. --all side by side: each env's column equals its own section.
if [ -s "$d/a.html" ]; then
  if out=$(python3 - "$d/a.html" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
comp = re.search(r'<table class="compare">.*?</table>', page, re.S).group(0)
envs = re.findall(r'<th><a href="#env-([^"]+)">', comp)
rows = {re.sub(r"<[^>]+>", "", h): [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", r)]
        for h, r in re.findall(r"<tr data-row=\"\d+\"><th>(.*?)</th>(.*?)</tr>", comp)}
bad = []
if envs != ["calm", "hostile", "rules"]:
    bad.append(f"envs {envs}")
for k, env in enumerate(envs):
    sec = re.search(rf'<section class="env" id="env-{env}">(.*?)</section>', page, re.S).group(1)
    nf = re.search(r"<dt>filters</dt><dd>(\d+)</dd>", sec).group(1)
    if rows["metric filters"][k] != nf:
        bad.append(f"{env}: filters {rows['metric filters'][k]} != {nf}")
    nr = str(len(re.findall(r"<tr data-rule=", sec)))
    if rows["Config rules"][k] != nr:
        bad.append(f"{env}: rules {rows['Config rules'][k]} != {nr}")
    cis = re.search(r'<table class="cis">.*?</table>', sec, re.S).group(0)
    for j, t in enumerate(("Security Hub", "prowler", "steampipe")):
        res = [re.findall(r'<td class="(pass|fail|na)"', r)[j] for r in re.findall(r"<tr><td>.*?</tr>", cis)]
        want = f"{res.count('pass')} of {res.count('pass') + res.count('fail')}"
        if rows["CIS controls passed: " + t][k] != want:
            bad.append(f"{env} {t}: {rows['CIS controls passed: ' + t][k]} != {want}")
    blocks = len(re.findall(r'<tr data-check="[^"]+"><td><code>[^<]+</code></td><td class="fail">', sec))
    if not rows["preflight checks (block / warn / off)"][k].startswith(f"{blocks} / "):
        bad.append(f"{env}: preflight {rows['preflight checks (block / warn / off)'][k]}, {blocks} block")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
  ); then pass "$name all side by side"; else fail "$name all side by side" "$out"; fi
fi

# 7. Headless Chromium, network off: no console error, a screenshot.
if need_tool "$name chromium" chromium && [ -s "$d/h.html" ]; then
  page=$d/p.html
  [ -s "$page" ] || page=$d/h.html
  shot=$HG_TOP/${BUILD:-build}/report.png
  mkdir -p "$(dirname "$shot")"
  rm -f "$shot"
  # A page with a script error, to show the console check can fail.
  printf '<!DOCTYPE html><html><head><title>x</title></head><body><script>nosuch();</script></body></html>\n' >"$d/err.html"
  browse() { # PAGE SHOT LOG [CHROMIUM OPTIONS...]
    local pg=$1 sh=$2 log=$3
    shift 3
    local what=(--window-size=1280,2400 --screenshot="$sh")
    [ $# -gt 0 ] && what=("$@")
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
      --disable-component-update --disable-sync --no-first-run --user-data-dir="$(tmpdir)" \
      --proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND" --hide-scrollbars \
      --enable-logging=stderr --v=0 "${what[@]}" "file://$pg" >"$log" 2>&1
  }
  # The top-left pixel of a PNG screenshot as "R G B" (the page background).
  pixel() {
    python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        ihdr = body
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompressobj().decompress(idat, 16)
# The first pixel of the first row is stored as is whatever its filter.
print(*raw[1:4])
PY
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
  # Dark and light follow the reader's setting; a phone-width view and the
  # print (PDF) render too, with no console error. Screenshots beside the
  # first one.
  dir=$(dirname "$shot")
  rm -f "$dir/report-dark.png" "$dir/report-phone.png" "$dir/report.pdf"
  browse "$page" "" "$d/dark.log" --window-size=1280,1200 --force-dark-mode \
    --blink-settings=preferredColorScheme=0 --screenshot="$dir/report-dark.png"
  browse "$page" "" "$d/phone.log" --window-size=390,844 --screenshot="$dir/report-phone.png"
  browse "$page" "" "$d/pdf.log" --no-pdf-header-footer --print-to-pdf="$dir/report.pdf"
  light=$( [ -s "$shot" ] && pixel "$shot")
  dark=$( [ -s "$dir/report-dark.png" ] && pixel "$dir/report-dark.png")
  if [ "$light" = "255 255 255" ] && [ "$dark" = "13 17 23" ] && [ -s "$dir/report-phone.png" ] &&
    [ "$(head -c 5 "$dir/report.pdf" 2>/dev/null)" = "%PDF-" ] &&
    ! grep -q 'CONSOLE\|Uncaught' "$d/dark.log" "$d/phone.log" "$d/pdf.log"; then
    pass "$name chromium dark, phone and print"
  else
    fail "$name chromium dark, phone and print" "background light '$light' dark '$dark'; $(grep -h 'CONSOLE\|Uncaught' "$d/dark.log" "$d/phone.log" "$d/pdf.log" | head -2)"
  fi
fi
