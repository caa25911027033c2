#!/usr/bin/env bash
# examples.sh — the example infra repo (profiles only) builds with the
# binary, taking filters and template skeletons from the share folder.
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
need_tool examples make || exit 0
work=$(tmpdir)
cp -r examples "$work/repo"
rm -rf "$work/repo/out"
if HARDENGEN_SHARE=$HG_TOP make -s -C "$work/repo" HARDENGEN="$HG_BIN" >/dev/null 2>"$work/err"; then
  got=$(ls "$work/repo/out" | tr '\n' ' ')
  n=$(ls "$work/repo/out/prod" | wc -l)
  if [ "$got" = "dev prod " ] && [ "$n" = 6 ]; then  # five templates (preflight included) and the manifest
    pass examples-build
  else
    fail examples-build "out/ holds: $got; out/prod has $n files"
  fi
else
  fail examples-build "$(head -5 "$work/err")"
fi
