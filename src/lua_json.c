/*
 * lua_json.c — example events: a Lua value written as compact JSON.
 *
 * The text is byte-stable: object keys sorted bytewise at every level,
 * numbers in their shortest round-trip form, no spaces. A table whose keys
 * are exactly 1..n (n >= 1) is an array; any other table is an object and
 * must have string keys; {} is the empty object. The global `null` (a light
 * userdata) is JSON null. Nothing here calls a metamethod, so no script code
 * runs while an example is written; all memory is the context's (throw-safe).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_int.h"

const char hg_lua_null_tag = 0;

#define JSON_MAX_DEPTH 32

typedef struct jw {
  hg_lua_ctx *ctx;
  const char *why;
  char path[256];
} jw;

/* Extend the path of the value being written by a key or an index. */
static void path_push(jw *w, size_t *saved, const char *key, long long index)
{
  *saved = strlen(w->path);
  size_t room = sizeof w->path - *saved;
  if (key)
    snprintf(w->path + *saved, room, "%s%s", *saved ? "." : "", key);
  else
    snprintf(w->path + *saved, room, "[%lld]", index);
}

static bool utf8_ok(const unsigned char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t k;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      k = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      k = 2;
    } else if (c >= 0xf0 && c <= 0xf4) {
      k = 3;
    } else {
      return false;
    }
    if (n - i <= k)
      return false;
    for (size_t j = 1; j <= k; j++)
      if ((s[i + j] & 0xc0) != 0x80)
        return false;
    i += k + 1;
  }
  return true;
}

static void put_string(hg_buf *b, const char *s, size_t n)
{
  hg_buf_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': hg_buf_puts(b, "\\\""); break;
    case '\\': hg_buf_puts(b, "\\\\"); break;
    case '\n': hg_buf_puts(b, "\\n"); break;
    case '\r': hg_buf_puts(b, "\\r"); break;
    case '\t': hg_buf_puts(b, "\\t"); break;
    case '\b': hg_buf_puts(b, "\\b"); break;
    case '\f': hg_buf_puts(b, "\\f"); break;
    default:
      if (c < 0x20 || c == 0x7f)
        hg_buf_printf(b, "\\u%04x", c);
      else
        hg_buf_putc(b, (char)c);
    }
  }
  hg_buf_putc(b, '"');
}

static int cmp_str(const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  return strcmp(*x, *y);
}

static bool write_value(jw *w, lua_State *L, int idx, int depth);

static bool write_table(jw *w, lua_State *L, int idx, int depth)
{
  hg_buf *b = &w->ctx->buf;
  if (depth > JSON_MAX_DEPTH) {
    w->why = "nested too deeply (a table that contains itself?)";
    return false;
  }
  if (!lua_checkstack(L, 6)) {
    w->why = "nested too deeply";
    return false;
  }
  size_t count = 0;
  bool array = true;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    count++;
    if (!lua_isinteger(L, -1))
      array = false;
  }
  if (array && count > 0) {
    for (size_t i = 1; i <= count; i++) {
      if (lua_rawgeti(L, idx, (lua_Integer)i) == LUA_TNIL)
        array = false;
      lua_pop(L, 1);
      if (!array)
        break;
    }
  }
  if (array && count > 0) {
    hg_buf_putc(b, '[');
    for (size_t i = 1; i <= count; i++) {
      if (i > 1)
        hg_buf_putc(b, ',');
      size_t saved;
      path_push(w, &saved, NULL, (long long)i);
      lua_rawgeti(L, idx, (lua_Integer)i);
      bool ok = write_value(w, L, lua_gettop(L), depth + 1);
      lua_pop(L, 1);
      if (!ok)
        return false;
      w->path[saved] = '\0';
    }
    hg_buf_putc(b, ']');
    return true;
  }
  const char **keys = hg_arena_alloc(w->ctx->tmp, (count ? count : 1) * sizeof *keys);
  size_t m = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 1);
      w->why = "an object key is not a string (mixing list items and named fields?)";
      return false;
    }
    if (m < count)
      keys[m++] = lua_tostring(L, -1); /* anchored by the table */
  }
  qsort(keys, m, sizeof *keys, cmp_str);
  hg_buf_putc(b, '{');
  for (size_t i = 0; i < m; i++) {
    if (i)
      hg_buf_putc(b, ',');
    size_t klen = strlen(keys[i]);
    if (!utf8_ok((const unsigned char *)keys[i], klen)) {
      w->why = "an object key is not valid UTF-8";
      return false;
    }
    put_string(b, keys[i], klen);
    hg_buf_putc(b, ':');
    size_t saved;
    path_push(w, &saved, keys[i], 0);
    lua_pushstring(L, keys[i]);
    lua_rawget(L, idx);
    bool ok = write_value(w, L, lua_gettop(L), depth + 1);
    lua_pop(L, 1);
    if (!ok)
      return false;
    w->path[saved] = '\0';
  }
  hg_buf_putc(b, '}');
  return true;
}

static bool write_value(jw *w, lua_State *L, int idx, int depth)
{
  hg_buf *b = &w->ctx->buf;
  /* Shared subtables could make the text exponentially long: stop early. */
  if (b->len > HG_LUA_MAX_EXAMPLE) {
    w->why = "the event is larger than 256 KiB (CloudTrail's limit for CloudWatch Logs)";
    return false;
  }
  switch (lua_type(L, idx)) {
  case LUA_TSTRING: {
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    if (!utf8_ok((const unsigned char *)s, n)) {
      w->why = "a string is not valid UTF-8";
      return false;
    }
    put_string(b, s, n);
    return true;
  }
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) {
      hg_buf_printf(b, "%lld", (long long)lua_tointeger(L, idx));
    } else {
      double d = (double)lua_tonumber(L, idx);
      if (!isfinite(d)) {
        w->why = "a number is not finite (JSON has no inf or nan)";
        return false;
      }
      char tmp[64];
      if (d == floor(d) && fabs(d) < 9007199254740992.0) {
        snprintf(tmp, sizeof tmp, "%.0f", d);
      } else {
        for (int prec = 1; prec <= 17; prec++) {
          snprintf(tmp, sizeof tmp, "%.*g", prec, d);
          if (strtod(tmp, NULL) == d)
            break;
        }
      }
      hg_buf_puts(b, tmp);
    }
    return true;
  case LUA_TBOOLEAN: hg_buf_puts(b, lua_toboolean(L, idx) ? "true" : "false"); return true;
  case LUA_TLIGHTUSERDATA:
    if (lua_touserdata(L, idx) == (void *)&hg_lua_null_tag) {
      hg_buf_puts(b, "null");
      return true;
    }
    break;
  case LUA_TTABLE: return write_table(w, L, idx, depth);
  default: break;
  }
  w->why = lua_type(L, idx) == LUA_TFUNCTION ? "a function cannot be written as JSON"
                                             : "a value of this type cannot be written as JSON";
  return false;
}

bool hg_lua_json(hg_lua_ctx *ctx, int idx, const char **why, const char **where)
{
  lua_State *L = ctx->L;
  jw w = {ctx, NULL, {0}};
  int top = lua_gettop(L);
  bool ok = write_value(&w, L, lua_absindex(L, idx), 0);
  lua_settop(L, top);
  if (!ok) {
    *why = w.why;
    *where = hg_arena_strdup(ctx->tmp, w.path);
  }
  return ok;
}
