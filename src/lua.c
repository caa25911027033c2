/*
 * lua.c — placeholder Lua host (no filters) until the sandbox lands.
 */
#include "hg/lua.h"

int hg_lua_run(const hg_profile *p, const char *root, const char *share_dir,
               const hg_lua_limits *limits, hg_filterset *out, hg_diag_sink *sink)
{
  (void)p; (void)root; (void)share_dir; (void)limits; (void)out; (void)sink;
  return 0;
}
