#!/usr/bin/env bash
# fuzz/run.sh — build and run libFuzzer targets.
#
#   CC=clang FUZZ_TIME=60 fuzz/run.sh fuzz/fuzz_*.c
#
# For each target fuzz/fuzz_NAME.c: the library sources (src/*.c except
# main.c and the command line's cli_*.c) are compiled once with ASan + UBSan and fuzzer coverage into
# build-fuzz/obj/, the target is linked into build-fuzz/fuzz_NAME and run for
# FUZZ_TIME seconds (-max_total_time). Seeds come from fuzz/corpus/NAME/
# (read only); new inputs go to build-fuzz/corpus/NAME/, crashes to
# build-fuzz/crash-NAME-*. fuzz/NAME.seeds, when present, lists more seed
# folders of the tree (one per line: the shipped files and test fixtures, so
# they need no copy under fuzz/corpus/). fuzz/NAME.dict, when present, is
# passed as a dictionary. Exit status: 0 when every target ran clean, 1 when any target
# found a crash (every target still runs), 2 on a build error.
set -u
cd "$(dirname "$0")/.."
CC=${CC:-clang}
FUZZ_TIME=${FUZZ_TIME:-30}
OUT=build-fuzz
PKGS="yaml-0.1 lua5.4 libcurl zlib libcrypto libdeflate"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 $SAN -Iinclude $(pkg-config --cflags $PKGS) -DHG_SHAREDIR=\"/nonexistent\""
LIBS="$(pkg-config --libs $PKGS) -lm -pthread"

if [ $# -eq 0 ]; then
  set -- fuzz/fuzz_*.c
fi
targets=()
for t in "$@"; do
  [ -f "$t" ] && targets+=("$t")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no targets"
  exit 0
fi

mkdir -p "$OUT/obj"
objs=()
for src in src/*.c; do
  case $src in src/main.c | src/cli_*.c) continue ;; esac
  obj="$OUT/obj/$(basename "${src%.c}").o"
  # Rebuild when the source or any header is newer than the object.
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find include src -newer "$obj" -name '*.h' 2>/dev/null | head -1)" ]; then
    # shellcheck disable=SC2086
    $CC $CFLAGS -fsanitize=fuzzer-no-link -c -o "$obj" "$src" || exit 2
  fi
  objs+=("$obj")
done

status=0
for t in "${targets[@]}"; do
  base=$(basename "${t%.c}")      # fuzz_profile
  name=${base#fuzz_}              # profile
  bin="$OUT/$base"
  # shellcheck disable=SC2086
  $CC $CFLAGS -fsanitize=fuzzer -o "$bin" "$t" "${objs[@]}" $LIBS || exit 2
  work="$OUT/corpus/$name"
  mkdir -p "$work"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds+=("fuzz/corpus/$name")
  if [ -f "fuzz/$name.seeds" ]; then
    while read -r dir; do
      [ -n "$dir" ] && [ -d "$dir" ] && seeds+=("$dir")
    done <"fuzz/$name.seeds"
  fi
  dict=()
  [ -f "fuzz/$name.dict" ] && dict+=("-dict=fuzz/$name.dict")
  echo "== $base: ${FUZZ_TIME}s"
  log="$OUT/$base.log"
  "$bin" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$OUT/crash-$name-" "${dict[@]}" "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed 's/^/   /'
  if [ $rc -ne 0 ]; then
    echo "FAIL $base: exit $rc; see $log"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
    status=1
  else
    echo "PASS $base"
  fi
done
exit $status
