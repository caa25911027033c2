#!/usr/bin/env bash
# library_boundary.sh — the library below the command line: libhg.a holds
# no command-line object or symbol, no library source includes cli.h,
# private headers live in src/ and objects depend on the headers they
# include (-MMD -MP).
. "$(dirname "$0")/lib.sh"
cd "$HG_TOP" || exit 1
BUILD=${BUILD:-build}
lib=$BUILD/libhg.a

if [ ! -f "$lib" ]; then
  fail libhg_exists "$lib is not built"
  exit 0
fi
if need_tool libhg_no_cli_symbols nm; then
  syms=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 {print $3}' | grep -E '^(hg_cli_|hg_help_|main$)')
  [ -z "$syms" ] && pass libhg_no_cli_symbols || fail libhg_no_cli_symbols "$(echo "$syms" | head -5 | tr '\n' ' ')"
  # And the library needs none: no undefined hg_cli_ reference either.
  refs=$(nm -u "$lib" 2>/dev/null | awk '{print $NF}' | grep -E '^(hg_cli_|hg_help_)' | sort -u)
  [ -z "$refs" ] && pass libhg_no_cli_references || fail libhg_no_cli_references "$(echo "$refs" | head -5 | tr '\n' ' ')"
fi
if need_tool libhg_no_cli_objects ar; then
  objs=$(ar t "$lib" | grep -E '^(cli_.*|main)\.o$')
  [ -z "$objs" ] && pass libhg_no_cli_objects || fail libhg_no_cli_objects "$(echo "$objs" | tr '\n' ' ')"
fi

# Sources of the library never include the command line's header.
bad=$(grep -lE '#include "(hg/)?cli\.h"' src/*.c src/*.h include/hg/*.h 2>/dev/null |
  grep -vE '^src/(cli_[a-z_]+|main)\.(c|h)$')
[ -z "$bad" ] && pass library_never_includes_cli_h || fail library_never_includes_cli_h "$(echo "$bad" | tr '\n' ' ')"

# A header in include/hg/ is public: a public header or a test or fuzz
# target includes it, or it is a module's interface (a source of the same
# name, or a stage header like compile.h). Private headers are in src/.
ok=1
for h in cli lua_int plan_lambda plan_preflight text plan_int fp_int creds_int events_int; do
  [ -f "include/hg/$h.h" ] && { ok=0; fail private_headers_in_src "include/hg/$h.h is private"; }
  [ -f "src/$h.h" ] || { ok=0; fail private_headers_in_src "src/$h.h is missing"; }
done
[ $ok = 1 ] && pass private_headers_in_src

# -MMD -MP: an object lists the private and public headers it includes.
dep=$BUILD/src/lua.d
if [ -f "$dep" ] && grep -q 'src/lua_int.h' "$dep" && grep -q 'include/hg/lua.h' "$dep" &&
  grep -q '^src/lua_int.h:' "$dep"; then
  pass objects_depend_on_headers
else
  fail objects_depend_on_headers "$dep does not list src/lua_int.h and include/hg/lua.h (or lacks -MP targets)"
fi
