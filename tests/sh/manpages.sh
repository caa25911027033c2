#!/usr/bin/env bash
# manpages.sh — the manual pages cannot drift from the tool:
# doc/hardengen.1 has a section for every command `hardengen help` lists and
# is what tools/gen-man.py writes from the help texts (`make man`);
# doc/hardengen-profile.5 documents every key of the profile schema (asked
# from the binary through its "known keys" notes); both render without
# groff warnings.
. "$(dirname "$0")/lib.sh"
need_tool manpages python3 || exit 0
d=$(tmpdir)
man1=$HG_TOP/doc/hardengen.1
man5=$HG_TOP/doc/hardengen-profile.5

missing=""
for c in $("$HG_BIN" help | sed -n 's/^  hardengen \([a-z][a-z0-9-]*\).*/\1/p'); do
  grep -qx ".SS $c" "$man1" || missing="$missing $c"
done
if [ -z "$missing" ]; then pass man1_every_command; else
  fail man1_every_command "doc/hardengen.1 has no section for command(s):$missing (run 'make man')"; fi

python3 "$HG_TOP/tools/gen-man.py" "$HG_BIN" "$d/hardengen.1"
if cmp -s "$d/hardengen.1" "$man1"; then pass man1_matches_help; else
  fail man1_matches_help "doc/hardengen.1 differs from the help texts (run 'make man'):"
  diff -u "$man1" "$d/hardengen.1" | head -20 | sed 's/^/    /'
fi

# Every key the profile schema knows, found by asking `check` for the known
# keys of each mapping with an unknown key in it (one Python process walks
# the whole schema).
mkdir -p "$d/root/profiles"
mapfile -t keys < <(python3 - "$HG_BIN" "$d/root" <<'PY'
import json, subprocess, sys
hg, root = sys.argv[1], sys.argv[2]
base = {"account": {"name": "x"}, "notify": {"infosec": "a@example.com", "devops": "a@example.com"},
        "logs": {"bucket": "probe-logs"},
        "templates": {"bucket_url": "https://probe.s3.eu-west-1.amazonaws.com/p/"}}

def probe(path):
    """The known keys of the mapping at the dotted path, [] for a leaf."""
    doc = json.loads(json.dumps(base))
    node = doc
    for p in [p for p in path.split(".") if p]:
        if not isinstance(node.get(p), dict):
            node[p] = {}
        node = node[p]
    node["zz_unknown_key"] = 1
    with open(root + "/profiles/p.yaml", "w") as f:
        json.dump(doc, f)
    out = subprocess.run([hg, "check", "--env", "p", "--root", root, "--format", "json"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    want = "known keys of %s: " % path if path else "known keys at the top: "
    for x in json.loads(out)["diagnostics"]:
        for n in x["notes"]:
            if n.startswith(want):
                return n[len(want):].split(", ")
    return []

def walk(path):
    for k in probe(path):
        sub = path + "." + k if path else k
        if sub == "filters.override":
            sub = "filters.override.unauthorized-api-calls"
        if probe(sub):
            walk(sub)
        else:
            print(sub)

walk("")
PY
)
undocumented=""
for k in "${keys[@]}"; do
  doc=${k/filters.override.unauthorized-api-calls/filters.override.ID}
  # Rule metadata is the same for every rule: documented once, as NAME.
  doc=$(printf '%s\n' "$doc" | sed -E 's/^config\.rules\.[^.]+\.(severity|title|description|frameworks|route|enabled)$/config.rules.NAME.\1/')
  grep -qxF ".B ${doc//-/\\-}" "$man5" || undocumented="$undocumented $doc"
done
if [ ${#keys[@]} -lt 90 ]; then fail man5_every_key "only ${#keys[@]} schema keys found: ${keys[*]}"
elif [ -z "$undocumented" ]; then pass man5_every_key; else
  fail man5_every_key "doc/hardengen-profile.5 does not document:$undocumented"; fi

if need_tool man_render groff; then
  for m in "$man1" "$man5"; do
    w=$(groff -man -Tutf8 -ww "$m" 2>&1 >/dev/null)
    [ -z "$w" ] && pass "man_render_$(basename "$m")" || fail "man_render_$(basename "$m")" "$w"
  done
fi
