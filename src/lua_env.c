/*
 * lua_env.c — the read-only global `env`: the profile's merged tree as Lua
 * values behind proxies.
 *
 * A YAML map or sequence becomes an empty proxy table whose protected
 * metatable (__metatable = false) reads from a hidden backing table
 * (__index), refuses writes (__newindex raises "env is read-only"), answers
 * # (__len) and iterates in a fixed order (__pairs: map keys sorted bytewise,
 * sequences 1..n), so nothing a script derives from env depends on Lua's
 * table order. The backing tables are reachable only through the protected
 * metatables, rawset refuses proxies (hg_lua_rawset_guard), and debug is not
 * opened, so a script cannot change what env holds.
 *
 * Scalars: null -> nil, bool -> boolean, int -> integer, float -> number,
 * string -> string. env.name is the profile's env name; env.vars is always
 * a table (empty when the profile has no vars).
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_int.h"

/* Address used as the key that marks a proxy's metatable. */
static const char proxy_marker;
#define ENV_MAX_DEPTH 64

static int ro_newindex(lua_State *L)
{
  return luaL_error(L, "env is read-only");
}

static int proxy_len(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
  return 1;
}

/* next(proxy, key) in the order of the key list (upvalue 2); upvalue 3 maps
 * a key to its position. */
static int proxy_next(lua_State *L)
{
  lua_Integer pos = 0;
  if (!lua_isnoneornil(L, 2)) {
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(3)) != LUA_TNUMBER)
      return luaL_error(L, "invalid key to 'next'");
    pos = lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  if (lua_rawgeti(L, lua_upvalueindex(2), pos + 1) == LUA_TNIL)
    return 1;
  lua_pushvalue(L, -1);
  lua_rawget(L, lua_upvalueindex(1));
  return 2;
}

static int proxy_pairs(lua_State *L)
{
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_pushvalue(L, lua_upvalueindex(3));
  lua_pushcclosure(L, proxy_next, 3);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

static int cmp_keys(const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  return strcmp(*x, *y);
}

static void push_node(lua_State *L, const hg_yval *v, int depth);

/*
 * Push a proxy over the backing table at the top of the stack, whose keys
 * (in iteration order) are in the table just below it. Pops both.
 */
static void wrap_proxy(lua_State *L)
{
  int keys = lua_gettop(L) - 1, backing = lua_gettop(L);
  lua_createtable(L, 0, 0); /* position map */
  int posmap = lua_gettop(L);
  lua_Integer n = (lua_Integer)lua_rawlen(L, keys);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, keys, i);
    lua_pushinteger(L, i);
    lua_rawset(L, posmap);
  }
  lua_createtable(L, 0, 0); /* the proxy */
  lua_createtable(L, 0, 7); /* its metatable */
  lua_pushvalue(L, backing);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ro_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, backing);
  lua_pushcclosure(L, proxy_len, 1);
  lua_setfield(L, -2, "__len");
  lua_pushvalue(L, backing);
  lua_pushvalue(L, keys);
  lua_pushvalue(L, posmap);
  lua_pushcclosure(L, proxy_pairs, 3);
  lua_setfield(L, -2, "__pairs");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pushlightuserdata(L, (void *)&proxy_marker);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_setmetatable(L, -2);
  lua_replace(L, keys);
  lua_settop(L, keys);
}

static void push_map(lua_State *L, const hg_yval *v, int depth, const char *name)
{
  size_t n = v ? v->n : 0;
  lua_createtable(L, (int)n + 2, 0);
  int keys = lua_gettop(L);
  lua_createtable(L, 0, (int)n + 2);
  int backing = lua_gettop(L);
  for (size_t i = 0; i < n; i++) {
    if (!v->keys[i] || (name && strcmp(v->keys[i], "name") == 0))
      continue; /* env.name is the env's name */
    push_node(L, v->items[i], depth + 1);
    lua_setfield(L, backing, v->keys[i]); /* nil (YAML null) leaves it out */
  }
  if (name) {
    /* Top level: env.name, and env.vars always present. */
    lua_pushstring(L, name);
    lua_setfield(L, backing, "name");
    if (lua_getfield(L, backing, "vars") == LUA_TNIL) {
      lua_createtable(L, 0, 0);
      lua_createtable(L, 0, 0);
      wrap_proxy(L);
      lua_setfield(L, backing, "vars");
    }
    lua_pop(L, 1);
  }
  /* The iteration order: keys sorted bytewise. The array lives in a
   * userdata so a memory error while filling it leaks nothing. */
  size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, backing)) {
    lua_pop(L, 1);
    count++;
  }
  const char **sorted = lua_newuserdatauv(L, (count ? count : 1) * sizeof *sorted, 0);
  size_t m = 0;
  lua_pushnil(L);
  while (lua_next(L, backing)) {
    lua_pop(L, 1);
    if (m < count && lua_type(L, -1) == LUA_TSTRING)
      sorted[m++] = lua_tostring(L, -1); /* anchored by the backing table */
  }
  qsort(sorted, m, sizeof *sorted, cmp_keys);
  for (size_t i = 0; i < m; i++) {
    lua_pushstring(L, sorted[i]);
    lua_rawseti(L, keys, (lua_Integer)i + 1);
  }
  lua_pop(L, 1);
  wrap_proxy(L);
}

static void push_seq(lua_State *L, const hg_yval *v, int depth)
{
  lua_createtable(L, (int)v->n, 0); /* keys */
  lua_createtable(L, (int)v->n, 0); /* backing */
  lua_Integer k = 0;
  for (size_t i = 0; i < v->n; i++) {
    push_node(L, v->items[i], depth + 1);
    if (lua_isnil(L, -1)) {
      /* A null inside a list would end the sequence early; leave it out. */
      lua_pop(L, 1);
      continue;
    }
    lua_rawseti(L, -2, ++k);
    lua_pushinteger(L, k);
    lua_rawseti(L, -3, k);
  }
  wrap_proxy(L);
}

static void push_node(lua_State *L, const hg_yval *v, int depth)
{
  luaL_checkstack(L, 12, "env nesting");
  if (!v || depth > ENV_MAX_DEPTH) {
    lua_pushnil(L);
    return;
  }
  switch (v->kind) {
  case HG_Y_NULL: lua_pushnil(L); break;
  case HG_Y_BOOL: lua_pushboolean(L, v->b); break;
  case HG_Y_INT: lua_pushinteger(L, (lua_Integer)v->i); break;
  case HG_Y_FLOAT: lua_pushnumber(L, (lua_Number)v->f); break;
  case HG_Y_STR: lua_pushstring(L, v->text ? v->text : ""); break;
  case HG_Y_SEQ: push_seq(L, v, depth); break;
  case HG_Y_MAP: push_map(L, v, depth, NULL); break;
  }
}

void hg_lua_env_push(lua_State *L, const hg_profile *p)
{
  const hg_yval *tree = p && p->tree && p->tree->kind == HG_Y_MAP ? p->tree : NULL;
  push_map(L, tree, 0, p && p->env ? p->env : "");
}

bool hg_lua_env_is_proxy(lua_State *L, int idx)
{
  if (!lua_getmetatable(L, idx))
    return false;
  lua_pushlightuserdata(L, (void *)&proxy_marker);
  bool yes = lua_rawget(L, -2) != LUA_TNIL;
  lua_pop(L, 2);
  return yes;
}

int hg_lua_rawset_guard(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (hg_lua_env_is_proxy(L, 1))
    return luaL_error(L, "env is read-only");
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}
