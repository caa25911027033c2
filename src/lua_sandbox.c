/*
 * lua_sandbox.c — one sandboxed Lua 5.4 state per filter file.
 *
 * Invariants:
 * - the state is made with lua_newstate and an allocator that refuses any
 *   growth past ctx->mem_cap (Lua turns the refusal into a "not enough
 *   memory" error, never an abort);
 * - only base, string, table, math and utf8 are opened (luaL_requiref each),
 *   then every way to load code or reach the outside is removed: load,
 *   loadfile, dofile, collectgarbage, print, warn, string.dump (require, io,
 *   os, package and debug are never opened);
 * - chunks are loaded as text only (mode "t");
 * - setmetatable refuses __gc and xpcall skips its handler once a limit
 *   tripped (both would otherwise run script code with hooks off);
 * - the instruction budget is a count hook; once the budget is spent, or an
 *   allocation was refused, the hook is re-armed to fire on every instruction
 *   and raise, so a pcall in the script cannot catch its way out, and the
 *   host treats the run as failed whatever the script did afterwards.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua_int.h"

hg_lua_ctx *hg_lua_ctx_of(lua_State *L)
{
  void *ud = NULL;
  lua_getallocf(L, &ud);
  return ud;
}

int hg_lua_current_line(lua_State *L, int level)
{
  lua_Debug ar;
  for (int i = level; i < level + 64 && lua_getstack(L, i, &ar); i++) {
    if (!lua_getinfo(L, "Sl", &ar))
      break;
    if (ar.currentline > 0 && ar.what[0] != 'C')
      return ar.currentline;
  }
  return 0;
}

static void hook(lua_State *L, lua_Debug *ar);

/* Arm the hook so that it fires on every instruction from now on. */
static void make_sticky(lua_State *L)
{
  lua_sethook(L, hook, LUA_MASKCOUNT, 1);
}

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  hg_lua_ctx *ctx = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    ctx->mem_used -= old;
    return NULL;
  }
  if (nsize > old && (nsize - old > ctx->mem_cap || ctx->mem_used + (nsize - old) > ctx->mem_cap)) {
    if (!ctx->mem_failed && ctx->L) {
      /* Reading the call stack neither allocates nor changes the state. */
      ctx->mem_line = hg_lua_current_line(ctx->L, 0);
    }
    ctx->mem_failed = true;
    if (ctx->L)
      make_sticky(ctx->L);
    return NULL;
  }
  void *q = realloc(ptr, nsize);
  if (!q) {
    if (nsize <= old)
      return ptr; /* Lua assumes shrinking never fails */
    ctx->mem_failed = true;
    return NULL;
  }
  ctx->mem_used = ctx->mem_used - old + nsize;
  if (nsize > old) {
    /* Charge the bytes to the budget; an allocator may not raise, so the
     * next instruction does (the hook becomes sticky). */
    ctx->budget_left -= (long long)((nsize - old) / HG_LUA_BYTES_PER_INSN);
    if (ctx->budget_left <= 0 && !ctx->budget_tripped && ctx->L) {
      ctx->budget_tripped = true;
      make_sticky(ctx->L);
    }
  }
  return q;
}

static double cpu_seconds(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hook(lua_State *L, lua_Debug *ar)
{
  hg_lua_ctx *ctx = hg_lua_ctx_of(L);
  if (!ctx->budget_tripped && !ctx->mem_failed) {
    ctx->budget_left -= ctx->hook_step;
    if (ctx->budget_left > 0) {
      double now = cpu_seconds();
      if (now - ctx->cpu_start <= ctx->cpu_limit) {
        /* Adapt the step: a step of expensive instructions (a C function
         * scanning a long string) shrinks the next one, cheap ones let it
         * grow back, so the clock is read about every HG_LUA_STEP_SECONDS. */
        double took = now - ctx->cpu_last;
        int step = ctx->hook_step;
        if (took > HG_LUA_STEP_SECONDS)
          step = step / 16 > 1 ? step / 16 : 1;
        else if (took < HG_LUA_STEP_SECONDS / 4 && step < HG_LUA_HOOK_STEP)
          step = step * 2 < HG_LUA_HOOK_STEP ? step * 2 : HG_LUA_HOOK_STEP;
        ctx->cpu_last = now;
        if (step != ctx->hook_step) {
          ctx->hook_step = step;
          lua_sethook(L, hook, LUA_MASKCOUNT, step);
        }
        return;
      }
      ctx->cpu_tripped = true;
    }
    ctx->budget_tripped = true;
    make_sticky(L);
  }
  int line = 0;
  if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
    line = ar->currentline;
  if (ctx->budget_tripped) {
    if (!ctx->budget_line)
      ctx->budget_line = line;
    lua_pushliteral(L, "instruction budget exceeded");
  } else {
    if (!ctx->mem_line)
      ctx->mem_line = line;
    lua_pushliteral(L, "memory limit exceeded");
  }
  lua_error(L);
}

/* Globals that load code, reach the process or the collector. */
static const char *const removed_globals[] = {
    "load", "loadfile", "dofile", "collectgarbage", "print", "warn", "require", "loadstring",
    "module", "io", "os", "package", "debug", "coroutine", NULL,
};

/*
 * setmetatable without __gc: Lua runs finalizers with hooks off (GCTM), so
 * a finalizer would escape the instruction budget. A __gc added to the
 * metatable later never registers the object (Lua 5.4 manual, 2.5.3).
 */
static int setmetatable_guard(lua_State *L)
{
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL)
      return luaL_error(L, "__gc metamethods are not allowed in filter files");
    lua_pop(L, 1);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

/*
 * xpcall whose message handler is skipped once a limit tripped. An error
 * raised from the hook leaves hooks off until the enclosing pcall returns
 * (luaD_hook clears allowhook; luaD_pcall restores it), and the message
 * handler runs before that: a looping handler would never be stopped.
 */
static int msgh_guard(lua_State *L)
{
  hg_lua_ctx *ctx = hg_lua_ctx_of(L);
  if (ctx->budget_tripped || ctx->mem_failed)
    return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int xpcall_guard(lua_State *L)
{
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, msgh_guard, 1);
  lua_remove(L, 2);
  lua_insert(L, 1); /* handler, f, args... */
  int status = lua_pcall(L, n - 2, LUA_MULTRET, 1);
  lua_pushboolean(L, status == LUA_OK);
  lua_replace(L, 1);
  return lua_gettop(L);
}

/*
 * String pattern matching runs inside C, where the count hook never fires,
 * and Lua patterns backtrack: ("a"):rep(2e4):find(".-.-.-b") would run for
 * hours. So find, match, gmatch and gsub are charged their worst case up
 * front: (subject length + 1) to the power of the pattern's repetition items
 * (* + - ?), one more when the pattern is not anchored with ^. A plain find
 * costs the subject's length.
 */
static int pattern_repeats(const char *p, size_t n, bool *anchored)
{
  int q = 0;
  size_t i = 0;
  *anchored = n > 0 && p[0] == '^';
  if (*anchored)
    i++;
  while (i < n) {
    char c = p[i];
    if (c == '%') {
      if (i + 1 < n && p[i + 1] == 'b')
        i += 4;
      else
        i += 2;
    } else if (c == '[') {
      i++;
      if (i < n && p[i] == '^')
        i++;
      if (i < n && p[i] == ']')
        i++;
      while (i < n && p[i] != ']')
        i += p[i] == '%' ? 2 : 1;
      i++;
    } else {
      if (c == '*' || c == '+' || c == '-' || c == '?')
        q++;
      i++;
    }
  }
  return q;
}

/* Take cost instructions from the budget, or trip it (raises). */
static void charge(lua_State *L, double cost, const char *what)
{
  hg_lua_ctx *ctx = hg_lua_ctx_of(L);
  if (cost < (double)ctx->budget_left) {
    ctx->budget_left -= (long long)cost;
    return;
  }
  ctx->budget_left = 0;
  ctx->budget_tripped = true;
  if (!ctx->budget_line)
    ctx->budget_line = hg_lua_current_line(L, 1);
  make_sticky(L);
  luaL_error(L, "instruction budget exceeded (%s)", what);
}

/*
 * table.sort, insert and remove move elements inside C: charge n log n
 * (sort) or n (insert, remove) for a table of n elements.
 */
static int charged_table(lua_State *L)
{
  if (lua_type(L, 1) == LUA_TTABLE) {
    double n = (double)lua_rawlen(L, 1) + 1;
    double cost = n;
    if (lua_toboolean(L, lua_upvalueindex(2)))
      cost = n * (log2(n) + 1);
    charge(L, cost, "table too large for this operation");
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

/*
 * utf8.len, utf8.codepoint, utf8.offset and string.byte walk their subject
 * without allocating: charge its bytes as allocation is charged.
 */
static int charged_scan(lua_State *L)
{
  size_t n = 0;
  if (lua_type(L, 1) == LUA_TSTRING)
    lua_tolstring(L, 1, &n);
  charge(L, (double)(n / HG_LUA_BYTES_PER_INSN) + 1, "string too long for this operation");
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static int charged_match(lua_State *L)
{
  size_t n = 0, m = 0;
  const char *sub = lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER ? lua_tolstring(L, 1, &n) : NULL;
  const char *pat = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &m) : NULL;
  if (sub && pat) {
    bool plain = lua_toboolean(L, lua_upvalueindex(2)) && lua_toboolean(L, 4);
    double cost = (double)n + 1;
    if (!plain) {
      bool anchored;
      int q = pattern_repeats(pat, m, &anchored) + (anchored ? 0 : 1);
      cost = 1;
      for (int i = 0; i < q && cost < 1e18; i++)
        cost *= (double)n + 1;
    }
    charge(L, cost, "string pattern: worst case too costly");
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

/*
 * Replace LIB.NAME by a closure of wrapper over the original; the second
 * upvalue says whether NAME is the one function of the library that needs
 * the special case (string.find's plain flag, table.sort's n log n cost).
 */
static void charge_function(lua_State *L, const char *lib, const char *name, lua_CFunction wrapper,
                            const char *special)
{
  lua_getglobal(L, lib);
  lua_getfield(L, -1, name);
  lua_pushboolean(L, strcmp(name, special) == 0);
  lua_pushcclosure(L, wrapper, 2);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

static int open_libs(lua_State *L)
{
  hg_lua_ctx *ctx = lua_touserdata(L, 1);
  static const luaL_Reg libs[] = {
      {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
      {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8},
  };
  for (size_t i = 0; i < HG_COUNTOF(libs); i++) {
    luaL_requiref(L, libs[i].name, libs[i].func, 1);
    lua_pop(L, 1);
  }
  /* luaL_requiref leaves the modules in the registry's _LOADED; nothing in
   * the sandbox can reach it, so it stays. */
  for (const char *const *g = removed_globals; *g; g++) {
    lua_pushnil(L);
    lua_setglobal(L, *g);
  }
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  charge_function(L, LUA_STRLIBNAME, "find", charged_match, "find");
  charge_function(L, LUA_STRLIBNAME, "match", charged_match, "find");
  charge_function(L, LUA_STRLIBNAME, "gmatch", charged_match, "find");
  charge_function(L, LUA_STRLIBNAME, "gsub", charged_match, "find");
  charge_function(L, LUA_UTF8LIBNAME, "len", charged_scan, "");
  charge_function(L, LUA_UTF8LIBNAME, "codepoint", charged_scan, "");
  charge_function(L, LUA_UTF8LIBNAME, "offset", charged_scan, "");
  charge_function(L, LUA_STRLIBNAME, "byte", charged_scan, "");
  charge_function(L, LUA_TABLIBNAME, "sort", charged_table, "sort");
  charge_function(L, LUA_TABLIBNAME, "insert", charged_table, "sort");
  charge_function(L, LUA_TABLIBNAME, "remove", charged_table, "sort");
  /* math.random is seeded from the clock: output must not depend on it. */
  lua_getglobal(L, LUA_MATHLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "random");
  lua_pushnil(L);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);
  lua_pushcfunction(L, hg_lua_rawset_guard);
  lua_setglobal(L, "rawset");
  lua_pushcfunction(L, xpcall_guard);
  lua_setglobal(L, "xpcall");
  lua_getglobal(L, "setmetatable");
  lua_pushcclosure(L, setmetatable_guard, 1);
  lua_setglobal(L, "setmetatable");

  hg_lua_env_push(L, ctx->p);
  lua_setglobal(L, "env");
  hg_lua_pattern_open(L);
  hg_lua_filter_open(L);
  return 0;
}

lua_State *hg_lua_sandbox_open(hg_lua_ctx *ctx)
{
  lua_State *L = lua_newstate(capped_alloc, ctx);
  if (!L) {
    hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file, 0, 0, "lua-memory-limit",
                "memory limit of %zu bytes is too small to start Lua", ctx->mem_cap);
    return NULL;
  }
  ctx->L = L;
  ctx->hook_step = HG_LUA_HOOK_STEP;
  ctx->cpu_last = cpu_seconds();
  lua_sethook(L, hook, LUA_MASKCOUNT, HG_LUA_HOOK_STEP);
  lua_pushcfunction(L, open_libs);
  lua_pushlightuserdata(L, ctx);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK || ctx->mem_failed) {
    hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file, 0, 0, "lua-memory-limit",
                "memory limit of %zu bytes is too small to start Lua", ctx->mem_cap);
    hg_lua_sandbox_close(ctx);
    return NULL;
  }
  return L;
}

void hg_lua_sandbox_close(hg_lua_ctx *ctx)
{
  if (!ctx->L)
    return;
  /* Finalizers the script set run during lua_close: let them fail at once. */
  ctx->budget_tripped = true;
  make_sticky(ctx->L);
  lua_close(ctx->L);
  ctx->L = NULL;
}

/*
 * Split "CHUNK:LINE: message" as Lua formats positions. Returns the line
 * (0 when msg does not start with this chunk's position) and sets *rest.
 */
static int split_position(const hg_lua_ctx *ctx, const char *msg, const char **rest)
{
  *rest = msg;
  /* Lua shows a long chunk name as "..." and its tail (luaO_chunkid). */
  const char *shown = ctx->chunk;
  char tail[LUA_IDSIZE + 4];
  size_t n = strlen(shown);
  if (n > LUA_IDSIZE - 1) {
    snprintf(tail, sizeof tail, "...%s", shown + n - (LUA_IDSIZE - 4));
    shown = tail;
    n = strlen(shown);
  }
  if (strncmp(msg, shown, n) != 0 || msg[n] != ':')
    return 0;
  const char *s = msg + n + 1;
  int line = 0;
  while (*s >= '0' && *s <= '9' && line < 100000000)
    line = line * 10 + (*s++ - '0');
  if (s == msg + n + 1 || *s != ':')
    return 0;
  s++;
  if (*s == ' ')
    s++;
  *rest = s;
  return line;
}

/*
 * Message handler of the run: it runs where an uncaught error was raised,
 * with the stack still there, so it can note the line even when the error
 * value carries none (error({}), error(nil), an error raised by a C
 * function such as table.sort's "invalid order function"). It neither
 * allocates nor calls script code (no __tostring), and keeps the value.
 */
static int note_error_line(lua_State *L)
{
  hg_lua_ctx *ctx = hg_lua_ctx_of(L);
  if (!ctx->error_line)
    ctx->error_line = hg_lua_current_line(L, 1);
  return 1;
}

/* A line for a diagnostic: the one given, else where the error was raised,
 * else the first line (never none: every Lua diagnostic has file:line). */
static int some_line(const hg_lua_ctx *ctx, int line)
{
  return line > 0 ? line : ctx->error_line > 0 ? ctx->error_line : 1;
}

/* Report the error value at the top of the stack. */
static void report_error(hg_lua_ctx *ctx, int status)
{
  lua_State *L = ctx->L;
  ctx->budget_line = some_line(ctx, ctx->budget_line);
  ctx->mem_line = some_line(ctx, ctx->mem_line);
  if (ctx->cpu_tripped) {
    hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file, ctx->budget_line, 0, "lua-instruction-budget",
                "CPU time limit of %g s exceeded", ctx->cpu_limit);
    return;
  }
  if (ctx->budget_tripped) {
    hg_diag *d = hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file, ctx->budget_line, 0,
                             "lua-instruction-budget",
                             "instruction budget of %lld exceeded (an endless loop?)", ctx->budget);
    hg_diag_note(d, "a filter file must finish within the budget, even if it catches the error with pcall");
    return;
  }
  if (ctx->mem_failed) {
    hg_diag *d = hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file, ctx->mem_line, 0, "lua-memory-limit",
                             "memory limit of %zu bytes exceeded", ctx->mem_cap);
    hg_diag_note(d, "a filter file must run within the limit, even if it catches the error with pcall");
    return;
  }
  const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  char other[64];
  if (!msg) {
    snprintf(other, sizeof other, "error object is a %s value", luaL_typename(L, -1));
    msg = other;
  }
  const char *rest;
  int line = split_position(ctx, msg, &rest);
  if (status != LUA_ERRSYNTAX)
    line = some_line(ctx, line);
  const char *code = status == LUA_ERRSYNTAX ? "lua-syntax" : "lua-runtime";
  hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file, line, 0, code, "%s", rest);
}

int hg_lua_sandbox_run(hg_lua_ctx *ctx)
{
  lua_State *L = ctx->L;
  if (ctx->len > 0 && ctx->text[0] == LUA_SIGNATURE[0]) {
    hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file, 1, 1, "lua-binary-chunk",
                "precompiled (binary) chunks are not accepted; filter files are Lua source text");
    return -1;
  }
  ctx->cpu_start = ctx->cpu_last = cpu_seconds();
  ctx->errors_at_start = ctx->sink->errors;
  hg_buf_reset(&ctx->buf);
  hg_buf_printf(&ctx->buf, "@%s", ctx->chunk);
  int status = luaL_loadbufferx(L, ctx->text, ctx->len, ctx->buf.data, "t");
  if (status == LUA_OK) {
    lua_pushcfunction(L, note_error_line);
    lua_insert(L, -2);
    status = lua_pcall(L, 0, 0, -2);
    lua_remove(L, status == LUA_OK ? -1 : -2); /* the handler */
  }
  if (status != LUA_OK || ctx->budget_tripped || ctx->mem_failed) {
    if (status == LUA_OK)
      lua_pushnil(L);
    report_error(ctx, status);
    lua_pop(L, 1);
    return -1;
  }
  return 0;
}
