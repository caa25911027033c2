/*
 * lua_int.h — internals of the Lua host, shared by its modules:
 *
 *   lua_sandbox.c  the state: capped allocator, sticky instruction budget,
 *                  safe libraries only, running one chunk, error reports
 *   lua_env.c      the read-only global `env` (recursive proxies)
 *   lua_pattern.c  the pattern helpers (quote, eq, any_of, ...)
 *   lua_filter.c   `filter{...}`: field checks and the hg_filter it records
 *   lua_json.c     example events: Lua table -> compact JSON, keys sorted
 *   lua.c          file resolution, override rules, env selection
 *
 * Throw safety: a Lua error (from the budget hook or the allocator) may
 * longjmp out of any C function that calls the Lua API. Host C code therefore
 * never keeps malloc'd memory in a local across such a call: everything it
 * allocates is attached at once to the context (ctx->out, ctx->tmp, ctx->buf),
 * which the host frees after the state is closed.
 */
#ifndef HG_LUA_INT_H
#define HG_LUA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#include "hg/diag.h"
#include "hg/filter.h"
#include "hg/lua.h"
#include "hg/profile.h"
#include "hg/util.h"

#define HG_LUA_DEFAULT_MEM ((size_t)64 << 20)
#define HG_LUA_DEFAULT_INSNS 100000000LL
/* Instructions between two budget checks while the budget is not spent, at
 * most; the step shrinks (down to 1) while instructions are expensive (C
 * functions working on long strings), so the CPU clock, read at every
 * check, is seen soon after the limit passes. */
#define HG_LUA_HOOK_STEP 1000
/* CPU time one step aims at; a step that took more shrinks the next. */
#define HG_LUA_STEP_SECONDS 0.002
/* Bytes allocated that cost one instruction of the budget: C functions
 * (string.rep, concatenation, table.concat, ...) do work the count hook
 * never sees, and their work is proportional to what they allocate. */
#define HG_LUA_BYTES_PER_INSN 8
/* A backstop for C work that neither allocates nor runs Lua code (long
 * string comparisons, utf8 scans): CPU seconds one file may use. The clock
 * is read at every budget check, so it holds within one step's work. */
#define HG_LUA_CPU_SECONDS 20.0
/* filter{} records live outside the Lua heap: bound them per file. */
#define HG_LUA_MAX_FILTERS 10000
#define HG_LUA_MAX_ERRORS 100
/* An example event: CloudTrail sends records up to 256 KB to CloudWatch Logs. */
#define HG_LUA_MAX_EXAMPLE ((size_t)256 << 10)

/* One filter file being run. Reached from Lua through the allocator's ud. */
typedef struct hg_lua_ctx {
  const hg_profile *p;
  const char *file;        /* display path, e.g. "filters/x.lua" (diagnostics, hg_filter.file) */
  char *chunk;             /* owned; the chunk name without '@' as Lua shows it */
  const char *text;        /* the source text (not owned) */
  size_t len;
  hg_filterset *out;       /* filters recorded by this file */
  hg_diag_sink *sink;
  lua_State *L;

  size_t mem_used, mem_cap;
  bool mem_failed;         /* an allocation was refused: the run failed */
  int mem_line;            /* line running when it was refused (0: unknown) */

  long long budget_left;   /* instructions left */
  long long budget;        /* the whole budget (for messages) */
  bool budget_tripped;     /* sticky: the run failed */
  int budget_line;
  double cpu_start;        /* CPU time when the run started (seconds) */
  double cpu_limit;        /* CPU seconds the file may use */
  int error_line;          /* line running when the file's uncaught error was raised (0: none) */
  bool cpu_tripped;        /* the CPU backstop fired (reported as the budget) */
  int hook_step;           /* instructions between two hook calls now */
  double cpu_last;         /* CPU time at the last hook call */
  int filter_calls;        /* filter{} calls so far */
  size_t errors_at_start;  /* sink->errors when the file started */
  size_t stored_bytes;     /* text kept in ctx->out (patterns, examples) */

  size_t *lines;           /* owned; byte offset of each line start (lazy, see lua_filter.c) */
  int n_lines;

  hg_arena *tmp;           /* scratch for one filter{} call; reset after it */
  hg_buf buf;              /* scratch text */
} hg_lua_ctx;

/* lua_sandbox.c ---------------------------------------------------------- */

/*
 * Create the state for ctx (limits applied, safe libraries only, env,
 * filter and the helpers installed). Returns NULL (with a diagnostic) when
 * even that does not fit in the memory cap.
 */
lua_State *hg_lua_sandbox_open(hg_lua_ctx *ctx);
/* Run ctx->text as a text chunk. Reports every failure as a diagnostic.
 * Returns 0 when the chunk ran to its end without tripping any limit. */
int hg_lua_sandbox_run(hg_lua_ctx *ctx);
/* Close the state (finalizers run under the tripped budget). */
void hg_lua_sandbox_close(hg_lua_ctx *ctx);
/* The context of a state. */
hg_lua_ctx *hg_lua_ctx_of(lua_State *L);
/* Line of the innermost Lua function of this file that is running (0: none). */
int hg_lua_current_line(lua_State *L, int level);

/* lua_env.c -------------------------------------------------------------- */

/* Push the read-only `env` value for p. */
void hg_lua_env_push(lua_State *L, const hg_profile *p);
/* Replacement for rawset that refuses the read-only proxies. */
int hg_lua_rawset_guard(lua_State *L);
/* True when the value at idx is a read-only proxy of env. */
bool hg_lua_env_is_proxy(lua_State *L, int idx);

/* lua_pattern.c ---------------------------------------------------------- */

/* Register the pattern helpers as globals. */
void hg_lua_pattern_open(lua_State *L);
/*
 * The pattern text of the value at idx: a string as is, a pattern object as
 * its outer text ("{ ... }"). NULL for anything else (nothing is called, so
 * no user code runs).
 */
const char *hg_lua_pattern_text(lua_State *L, int idx, size_t *len);

/* lua_filter.c ----------------------------------------------------------- */

/* Register `filter` and `null`. */
void hg_lua_filter_open(lua_State *L);

/* lua_json.c ------------------------------------------------------------- */

/*
 * Append the compact JSON text of the value at idx to ctx->buf: tables with
 * keys 1..n become arrays, other tables objects with their keys sorted
 * bytewise at every level; `null` is JSON null. On a value JSON cannot hold
 * returns false with a reason in *why (static text) and the path in ctx->tmp
 * text *where.
 */
bool hg_lua_json(hg_lua_ctx *ctx, int idx, const char **why, const char **where);

/* The `null` sentinel pushed as a global (a light userdata). */
extern const char hg_lua_null_tag;

#endif
