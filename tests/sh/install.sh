#!/usr/bin/env bash
# install.sh — `make install DESTDIR=...` stages a working hardengen: the
# staged binary finds its own share folder (PREFIX/bin/../share/hardengen,
# whatever DESTDIR or the compiled SHAREDIR say) for the shipped filters,
# skeletons, Lambda handlers and IAM action list; the build digest is the
# SHA-256 of its documented lines over the bytes of exactly those files.
. "$(dirname "$0")/lib.sh"
w=$(tmpdir)
stage=$w/stage
build_dir=$(cd "$(dirname "$HG_BIN")" && pwd)

# The binary under test is installed as is (-o: nothing is rebuilt).
if env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$HG_TOP" -o all -o hardengen \
     BUILD="$build_dir" DESTDIR="$stage" PREFIX=/usr/local install >"$w/make.log" 2>&1; then
  pass install_runs
else
  fail install_runs "$(tail -5 "$w/make.log")"
  exit 0
fi
bin=$stage/usr/local/bin/hardengen
share=$stage/usr/local/share/hardengen
ok=1
for f in "$bin" "$share/filters/cis.lua" "$share/filters/custom.lua" "$share/templates/security.global.yaml" \
  "$share/templates/cloudwatch.part.yaml" "$share/lambda/preflight.py" "$share/lambda/detective.py" \
  "$share/iam-actions.txt" "$stage/usr/local/share/man/man1/hardengen.1"; do
  [ -f "$f" ] || { ok=0; fail install_layout "missing ${f#"$stage"}"; }
done
[ -x "$bin" ] || { ok=0; fail install_layout "bin/hardengen is not executable"; }
[ $ok = 1 ] && pass install_layout

# A repository with a profile only (and a custom.lua of its own that
# declares nothing, replacing the shipped one): everything else comes from
# the staged share folder.
root=$w/root
mkdir -p "$root/profiles" "$root/filters"
cp "$HG_TOP/tests/golden/inputs/profiles/small.yaml" "$root/profiles/"
printf -- '-- this repository declares no custom filter\n' >"$root/filters/custom.lua"

sha() { sha256sum "$1" | cut -d' ' -f1; }
# The digest (plan.c): "hardengen VERSION", "format FORMAT", then one line
# "KIND NAME SHA256" per input: profiles, filter files that gave a filter,
# the skeletons in load order, the Lambda handlers.
want_digest() {
  local s=$1
  {
    printf 'hardengen %s\nformat yaml\n' "$version"
    echo "profile profiles/small.yaml $(sha "$root/profiles/small.yaml")"
    echo "filter filters/cis.lua $(sha "$s/filters/cis.lua")"
    for t in security.global cloudtrail.global config.global cloudwatch.global cloudwatch.part preflight.global; do
      echo "template $t.yaml $(sha "$s/templates/$t.yaml")"
    done
    echo "lambda preflight.py $(sha "$s/lambda/preflight.py")"
  } | sha256sum | cut -d' ' -f1
}
got_digest() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$1/small/manifest.json"; }

run_staged() {
  (cd "$w" && env -u HARDENGEN_SHARE -u HARDENGEN_IAM_ACTIONS "$bin" build --env small --root "$root" --out "$1") \
    >"$w/o" 2>"$w/e"
}
if run_staged "$w/out1"; then
  version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$w/out1/small/manifest.json")
  want=$(want_digest "$share")
  got=$(got_digest "$w/out1")
  [ "$got" = "$want" ] && pass install_digest_rule || fail install_digest_rule "digest $got, want $want"
else
  fail install_staged_build "$(cat "$w/e")"
fi

# The staged files are the ones read: edit a staged skeleton (a comment) and
# the digest follows it; the source tree's files play no part.
printf '# a local note\n' >>"$share/templates/cloudtrail.global.yaml"
if run_staged "$w/out2"; then
  want2=$(want_digest "$share")
  got2=$(got_digest "$w/out2")
  [ "$got2" = "$want2" ] && [ "$got2" != "${got:-}" ] && pass install_reads_its_share ||
    fail install_reads_its_share "digest $got2, want $want2 (before: ${got:-})"
else
  fail install_reads_its_share "$(cat "$w/e")"
fi

# Without its share folder the staged binary says what is missing, and the
# build writes nothing.
mv "$share" "$w/moved"
if (cd "$w" && env -u HARDENGEN_SHARE -u HARDENGEN_IAM_ACTIONS "$bin" build --env small --root "$root" --out "$w/out3") \
  >"$w/o" 2>"$w/e"; then
  # Only acceptable when this machine has the compiled SHAREDIR installed.
  if [ -d /usr/local/share/hardengen ]; then
    pass install_without_share
  else
    fail install_without_share "built without any share folder"
  fi
else
  # No shipped filter: the profile's override names a filter it lacks.
  grep -q 'error: .*\[profile-unknown-filter\]' "$w/e" && [ ! -e "$w/out3/small" ] && pass install_without_share ||
    fail install_without_share "$(head -3 "$w/e")"
fi
