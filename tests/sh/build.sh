#!/usr/bin/env bash
# build.sh — `hardengen build`: the five files, byte-identical runs, YAML and
# JSON with the same values, atomic replacement, untouched output on failure.
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
work=$(tmpdir)

"$HG_BIN" build --env prod --out "$work/a" >/dev/null 2>"$work/err"
st=$?
if [ $st != 0 ]; then
  fail build-prod "exit status $st: $(head -5 "$work/err")"
  exit 0
fi
# The four stacks of SPEC §5, and (prod sets detective:) the detective stack
# and its table items (SPEC §11).
want="cloudtrail.global.yaml cloudwatch.global.yaml config.global.yaml detective-data.json detective.global.yaml manifest.json preflight.global.yaml security.global.yaml"
got=$(cd "$work/a/prod" && ls | tr '\n' ' ' | sed 's/ $//')
if [ "$got" = "$want" ]; then pass build-six-files; else fail build-six-files "got: $got"; fi

# Determinism: a second build into another folder is byte-identical.
"$HG_BIN" build --env prod --out "$work/b" >/dev/null 2>&1
same=1
for f in "$work"/a/prod/*; do cmp -s "$f" "$work/b/prod/$(basename "$f")" || same=0; done
if [ $same = 1 ]; then pass build-deterministic; else fail build-deterministic "two builds differ"; fi

# Rebuilding in place keeps the bytes and leaves no temporary folder.
"$HG_BIN" build --env prod --out "$work/a" >/dev/null 2>&1
left=$(find "$work/a" -mindepth 1 -maxdepth 1 -name '.*' | wc -l)
if diff -r "$work/a/prod" "$work/b/prod" >/dev/null && [ "$left" = 0 ]; then
  pass build-rebuild-in-place
else
  fail build-rebuild-in-place "rebuild changed files or left $left temporary folders"
fi

# --format json: the same values as the YAML.
"$HG_BIN" build --env prod --out "$work/j" --format json >/dev/null 2>&1
if need_tool build-json-same-values python3; then
  if python3 - "$work/a/prod" "$work/j/prod" <<'PY'
import json, sys, yaml
a, j = sys.argv[1], sys.argv[2]
for n in ["security.global", "cloudtrail.global", "config.global", "cloudwatch.global", "detective.global", "preflight.global"]:
    y = yaml.safe_load(open(f"{a}/{n}.yaml"))
    x = json.load(open(f"{j}/{n}.json"))
    # The parent points at .json children in a JSON build.
    s = json.dumps(x).replace(".json\"", ".yaml\"")
    if y != json.loads(s):
        print("differs:", n); sys.exit(1)
PY
  then pass build-json-same-values; else fail build-json-same-values "YAML and JSON differ"; fi
fi

# Manifest: the keys the publisher reads, and sizes/digests of the files.
if need_tool build-manifest jq; then
  m=$work/a/prod/manifest.json
  keys=$(jq -c 'keys_unsorted' "$m")
  okm=1
  [ "$keys" = '["schema","tool","version","env","digest","parent","parameters","account_id","capabilities","email_subscriptions","object_lock","templates","data","filters"]' ] || okm=0
  [ "$(jq -c '[.account_id, .capabilities, .email_subscriptions, .object_lock]' "$m")" = '["123456789012",["CAPABILITY_IAM"],2,{"mode":"GOVERNANCE","days":365}]' ] || okm=0
  [ "$(jq -r '.templates[-1].name' "$m")" = security.global.yaml ] || okm=0
  while read -r name size sha; do
    [ "$(wc -c <"$work/a/prod/$name")" -eq "$size" ] || okm=0
    [ "$(sha256sum "$work/a/prod/$name" | cut -d' ' -f1)" = "$sha" ] || okm=0
  done < <(jq -r '(.templates[], .data[]) | "\(.name) \(.size) \(.sha256)"' "$m")
  if [ $okm = 1 ]; then pass build-manifest; else fail build-manifest "keys: $keys"; fi
fi

# Atomic: a failing build (a broken template skeleton in the root) exits 1
# and leaves out/prod exactly as it was.
root=$work/root
mkdir -p "$root/templates"
cp -r profiles "$root/"
[ -d filters ] && cp -r filters "$root/"
printf 'Resources: [unclosed\n' >"$root/templates/cloudtrail.global.yaml"
cp -r "$work/a" "$work/before"
"$HG_BIN" build --env prod --root "$root" --out "$work/a" >/dev/null 2>"$work/err2"
st=$?
if [ $st = 1 ] && diff -r "$work/before" "$work/a" >/dev/null &&
   grep -q 'templates/cloudtrail.global.yaml:2:1: error: .*\[template-yaml-syntax\]' "$work/err2"; then
  pass build-failure-leaves-output
else
  fail build-failure-leaves-output "status $st: $(head -3 "$work/err2")"
fi

# Usage errors exit 2.
"$HG_BIN" build >/dev/null 2>&1; st=$?
"$HG_BIN" build --env prod --format xml >/dev/null 2>&1; st2=$?
if [ $st = 2 ] && [ $st2 = 2 ]; then pass build-usage; else fail build-usage "status $st $st2"; fi
