#!/usr/bin/env bash
# golden.sh — build each case of tests/golden/envs.txt and compare every
# output file, stderr and the exit status with tests/golden/NAME/ (cmp;
# diff -u on a mismatch). HG_GOLDEN_UPDATE=1 rewrites the expected files.
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
update=${HG_GOLDEN_UPDATE:-}
# Shipped filters and skeletons come from the source tree, whichever
# binary (./hardengen or build*/hardengen) runs; relative, so diagnostics
# name them the same in every checkout.
export HARDENGEN_SHARE=.
work=$(tmpdir)

while read -r name env root format; do
  case $name in ''|'#'*) continue ;; esac
  out=$work/$name
  mkdir -p "$out"
  fmt_args=()
  [ -n "${format:-}" ] && fmt_args=(--format "$format")
  "$HG_BIN" build --env "$env" --root "$root" --out "$out/out" "${fmt_args[@]}" \
    >/dev/null 2>"$out/stderr"
  echo $? >"$out/status"
  got=$out/got
  mkdir -p "$got"
  [ -d "$out/out/$env" ] && cp "$out/out/$env"/* "$got"/ 2>/dev/null
  cp "$out/stderr" "$out/status" "$got"/
  want=tests/golden/$name
  if [ -n "$update" ]; then
    rm -rf "$want"
    mkdir -p "$want"
    cp "$got"/* "$want"/
    pass "golden-$name (updated)"
    continue
  fi
  if [ ! -d "$want" ]; then
    fail "golden-$name" "no expected output in $want (run make golden-update)"
    continue
  fi
  ok=1
  for b in $( (ls "$want"; ls "$got") | sort -u); do
    if [ ! -e "$want/$b" ]; then
      echo "unexpected file $b"; ok=0
    elif [ ! -e "$got/$b" ]; then
      echo "missing file $b"; ok=0
    elif ! cmp -s "$want/$b" "$got/$b"; then
      diff -u "$want/$b" "$got/$b" | head -40; ok=0
    fi
  done
  if [ $ok = 1 ]; then pass "golden-$name"; else fail "golden-$name" "output differs from $want"; fi
done <tests/golden/envs.txt
