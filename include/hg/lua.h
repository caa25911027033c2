/*
 * lua.h — the Lua host: runs the filter maps and collects their filters.
 *
 * Stage 2 of the pipeline. Each filter file (filters/NAME.lua) runs in its own sandboxed
 * Lua 5.4 state: only base, string, table, math and utf8; no io, os, package,
 * debug, load, loadfile, dofile, collectgarbage or string.dump; text chunks
 * only; an allocator with a byte cap; an instruction budget enforced by a
 * sticky hook (once tripped it fires on every instruction, so a pcall cannot
 * swallow it). The profile is the read-only global `env`; `filter{...}`
 * validates every field and records a filter; the pattern helpers (eq, ne,
 * any_of, all_of, exists, not_exists, is_null, quote, ...) build correctly
 * quoted pattern text. Chunks are named "@filters/x.lua" so Lua's messages
 * read "filters/x.lua:12: ...".
 *
 * Filter files come from ROOT/filters and from the installed share folder;
 * a file in ROOT with the same id as a shipped filter replaces it. Files
 * run in name order so output never depends on the file system.
 */
#ifndef HG_LUA_H
#define HG_LUA_H

#include <stddef.h>

#include "hg/diag.h"
#include "hg/filter.h"
#include "hg/profile.h"
#include "hg/resource.h"

typedef struct hg_lua_limits {
  size_t mem_bytes;        /* per state; default 64 MiB */
  long long instructions;  /* per file; default 100 million */
  double cpu_seconds;      /* per file; default HG_LUA_CPU_SECONDS (20) */
} hg_lua_limits;

/*
 * Run every filter file for the profile's env and append the filters that
 * apply to it (envs "all" or a list naming p->env) to out, sorted by file
 * then declaration order. The files are ROOT/filters/ and SHARE/filters/ of
 * res (hg_res_share may be NULL: no installed filters), read through res so
 * their digests are recorded under each filter's file. Returns 0, or -1 when
 * any error was added to sink.
 */
int hg_lua_run(const hg_profile *p, hg_res *res, const hg_lua_limits *limits, hg_filterset *out,
               hg_diag_sink *sink);

/* Run one file (for tests and fuzzing): text is the chunk, chunkname its
 * display name ("filters/x.lua"). Same contract as hg_lua_run. */
int hg_lua_run_text(const hg_profile *p, const char *chunkname, const char *text, size_t len,
                    const hg_lua_limits *limits, hg_filterset *out, hg_diag_sink *sink);

#endif
