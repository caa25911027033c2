/*
 * lua_pattern.c — the pattern helpers: build CloudWatch Logs JSON filter
 * pattern text from Lua values, quoted so that no value can change the
 * pattern's structure.
 *
 * Globals installed (see README "Lua filter maps"):
 *   quote(v)                 "v" with \" and \\ escaped (\* kept: a literal star)
 *   eq(sel, v)   ne(sel, v)  sel = v / sel != v  (string, number; eq(sel, true)
 *                            is sel IS TRUE, eq(sel, false) sel IS FALSE)
 *   gt ge lt le (sel, n)     numeric comparisons
 *   any_of(sel, {v...})      (sel = v1) || (sel = v2) ...
 *   none_of(sel, {v...})     (sel != v1) && (sel != v2) ...
 *   all_of{c...}             (c1) && (c2) ...
 *   either{c...}             (c1) || (c2) ...
 *   exists(sel)              sel = *         (presence, per the AWS docs)
 *   not_exists(sel)          sel NOT EXISTS
 *   is_null(sel) is_true(sel) is_false(sel)
 *
 * A helper returns a pattern object: a table {text = INNER} with a protected
 * metatable whose __tostring gives "{ INNER }". Combining helpers take
 * pattern objects or strings (a clause written by hand, without braces) and
 * put every child in parentheses. Invariants: every string value goes
 * through quote(); every selector is checked against the selector grammar
 * of shared/reference/filter-patterns.md; errors are Lua errors at the
 * caller's line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_int.h"

static const char pattern_mt_key;

/* ---- values and selectors ---------------------------------------------- */

/* Push the quoted form of the string at idx. */
static void push_quoted(lua_State *L, int idx)
{
  size_t n;
  const char *s = lua_tolstring(L, idx, &n);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addchar(&b, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f) {
      char msg[96];
      snprintf(msg, sizeof msg, "pattern value contains a control character (byte 0x%02x at offset %zu)", c, i);
      luaL_error(L, "%s", msg);
    }
    if (c == '"') {
      luaL_addstring(&b, "\\\"");
    } else if (c == '\\') {
      if (i + 1 < n && s[i + 1] == '*') { /* \* is the pattern language's literal star */
        luaL_addstring(&b, "\\*");
        i++;
      } else {
        luaL_addstring(&b, "\\\\");
      }
    } else {
      luaL_addchar(&b, (char)c);
    }
  }
  luaL_addchar(&b, '"');
  luaL_pushresult(&b);
}

/* Push the text of a number as a pattern literal. */
static void push_number(lua_State *L, int idx)
{
  if (lua_isinteger(L, idx)) {
    lua_pushfstring(L, "%I", (LUAI_UACINT)lua_tointeger(L, idx));
    return;
  }
  double d = (double)lua_tonumber(L, idx);
  if (!isfinite(d))
    luaL_error(L, "pattern numbers must be finite");
  char buf[64];
  if (d == floor(d) && fabs(d) < 9007199254740992.0) {
    snprintf(buf, sizeof buf, "%.0f", d);
  } else {
    for (int prec = 1; prec <= 17; prec++) {
      snprintf(buf, sizeof buf, "%.*g", prec, d);
      if (strtod(buf, NULL) == d)
        break;
    }
  }
  lua_pushstring(L, buf);
}

static bool name_char(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

/* True when s is a property selector: $ followed by .name, .*, [N], [*] or
 * .['quoted name'] parts. */
static bool valid_selector(const char *s, size_t n)
{
  if (n < 2 || n > 255 || s[0] != '$')
    return false;
  size_t i = 1;
  while (i < n) {
    if (s[i] == '.') {
      i++;
      if (i < n && s[i] == '*') {
        i++;
      } else if (i < n && s[i] == '[') {
        if (i + 1 >= n || s[i + 1] != '\'')
          return false;
        size_t j = i + 2;
        while (j < n && s[j] != '\'' && (unsigned char)s[j] >= 0x20 && s[j] != '"')
          j++;
        if (j == i + 2 || j + 1 >= n || s[j] != '\'' || s[j + 1] != ']')
          return false;
        i = j + 2;
      } else {
        size_t j = i;
        while (j < n && name_char((unsigned char)s[j]))
          j++;
        if (j == i)
          return false;
        i = j;
      }
    } else if (s[i] == '[') {
      size_t j = i + 1;
      if (j < n && s[j] == '*') {
        j++;
      } else if (j < n && s[j] == '\'') {
        j++;
        while (j < n && s[j] != '\'' && (unsigned char)s[j] >= 0x20 && s[j] != '"')
          j++;
        if (j == i + 2 || j >= n)
          return false;
        j++;
      } else {
        while (j < n && s[j] >= '0' && s[j] <= '9')
          j++;
        if (j == i + 1 || j - i > 10)
          return false;
      }
      if (j >= n || s[j] != ']')
        return false;
      i = j + 1;
    } else {
      return false;
    }
  }
  return true;
}

/* Check the selector argument at idx; returns it. */
static const char *check_selector(lua_State *L, int idx)
{
  size_t n;
  const char *s = luaL_checklstring(L, idx, &n);
  if (!valid_selector(s, n))
    luaL_error(L, "invalid selector '%s' (expected a form like $.a.b, $.a[0] or $.['x.y'])", s);
  return s;
}

/* Push the literal for a comparison value (string quoted, number as is). */
static void push_value(lua_State *L, int idx, const char *helper)
{
  switch (lua_type(L, idx)) {
  case LUA_TSTRING: push_quoted(L, idx); break;
  case LUA_TNUMBER: push_number(L, idx); break;
  default:
    luaL_error(L, "%s: a value must be a string or a number, not %s", helper, luaL_typename(L, idx));
  }
}

/* ---- pattern objects ---------------------------------------------------- */

/* Replace the string at the top with a pattern object holding it. */
static void make_pattern(lua_State *L, bool compound)
{
  lua_createtable(L, 0, 2);
  lua_insert(L, -2);
  lua_setfield(L, -2, "text");
  lua_pushboolean(L, compound);
  lua_setfield(L, -2, "compound");
  lua_rawgetp(L, LUA_REGISTRYINDEX, &pattern_mt_key);
  lua_setmetatable(L, -2);
}

static bool is_pattern(lua_State *L, int idx)
{
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
    return false;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &pattern_mt_key);
  bool yes = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return yes;
}

/* Push the inner text of a pattern object, or NULL (nothing pushed). */
static const char *push_inner(lua_State *L, int idx, size_t *len)
{
  if (!is_pattern(L, idx))
    return NULL;
  lua_pushliteral(L, "text");
  if (lua_rawget(L, idx < 0 ? idx - 1 : idx) != LUA_TSTRING) {
    lua_pop(L, 1);
    return NULL;
  }
  return lua_tolstring(L, -1, len);
}

const char *hg_lua_pattern_text(lua_State *L, int idx, size_t *len)
{
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TSTRING) {
    lua_pushvalue(L, idx);
    return lua_tolstring(L, -1, len);
  }
  if (!push_inner(L, idx, len)) {
    lua_pushnil(L);
    return NULL;
  }
  lua_pushfstring(L, "{ %s }", lua_tostring(L, -1));
  lua_remove(L, -2);
  return lua_tolstring(L, -1, len);
}

static int pattern_tostring(lua_State *L)
{
  size_t len;
  if (!hg_lua_pattern_text(L, 1, &len))
    return luaL_error(L, "not a pattern object");
  return 1;
}

static int pattern_concat(lua_State *L)
{
  for (int i = 1; i <= 2; i++) {
    size_t len;
    if (is_pattern(L, i)) {
      hg_lua_pattern_text(L, i, &len);
      lua_replace(L, i);
    }
  }
  lua_settop(L, 2);
  lua_concat(L, 2);
  return 1;
}

/* ---- helpers ------------------------------------------------------------ */

static int h_quote(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TSTRING);
  push_quoted(L, 1);
  return 1;
}

static int compare(lua_State *L, const char *op, const char *helper)
{
  const char *sel = check_selector(L, 1);
  luaL_checkany(L, 2);
  push_value(L, 2, helper);
  lua_pushfstring(L, "%s %s %s", sel, op, lua_tostring(L, -1));
  make_pattern(L, false);
  return 1;
}

static int unary(lua_State *L, const char *suffix)
{
  const char *sel = check_selector(L, 1);
  lua_pushfstring(L, "%s %s", sel, suffix);
  make_pattern(L, false);
  return 1;
}

static int h_eq(lua_State *L)
{
  if (lua_type(L, 2) == LUA_TBOOLEAN)
    return unary(L, lua_toboolean(L, 2) ? "IS TRUE" : "IS FALSE");
  return compare(L, "=", "eq");
}

static int h_ne(lua_State *L)
{
  if (lua_type(L, 2) == LUA_TBOOLEAN) {
    const char *sel = check_selector(L, 1);
    lua_pushfstring(L, "%s != %s", sel, lua_toboolean(L, 2) ? "true" : "false");
    make_pattern(L, false);
    return 1;
  }
  return compare(L, "!=", "ne");
}

static int numeric(lua_State *L, const char *op, const char *helper)
{
  if (lua_type(L, 2) != LUA_TNUMBER)
    return luaL_error(L, "%s: the value must be a number, not %s", helper, luaL_typename(L, 2));
  return compare(L, op, helper);
}

static int h_gt(lua_State *L) { return numeric(L, ">", "gt"); }
static int h_ge(lua_State *L) { return numeric(L, ">=", "ge"); }
static int h_lt(lua_State *L) { return numeric(L, "<", "lt"); }
static int h_le(lua_State *L) { return numeric(L, "<=", "le"); }
static int h_exists(lua_State *L) { return unary(L, "= *"); }
static int h_not_exists(lua_State *L) { return unary(L, "NOT EXISTS"); }
static int h_is_null(lua_State *L) { return unary(L, "IS NULL"); }
static int h_is_true(lua_State *L) { return unary(L, "IS TRUE"); }
static int h_is_false(lua_State *L) { return unary(L, "IS FALSE"); }

/* Length of a list argument (tables and env lists alike). */
static lua_Integer list_len(lua_State *L, int idx, const char *helper)
{
  if (lua_type(L, idx) != LUA_TTABLE)
    luaL_error(L, "%s: expected a list, got %s", helper, luaL_typename(L, idx));
  lua_Integer n = luaL_len(L, idx);
  if (n < 1)
    luaL_error(L, "%s: the list is empty", helper);
  if (n > 1000)
    luaL_error(L, "%s: the list has %I items (at most 1000)", helper, (LUAI_UACINT)n);
  return n;
}

/*
 * Join the clauses at stack positions first..first+n-1 (strings) with op,
 * each in parentheses when there are several; push a pattern object.
 */
static void join(lua_State *L, int first, int n, const char *op)
{
  if (n == 1) {
    lua_pushvalue(L, first);
    make_pattern(L, false);
    return;
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 0; i < n; i++) {
    if (i)
      luaL_addstring(&b, op);
    luaL_addchar(&b, '(');
    lua_pushvalue(L, first + i);
    luaL_addvalue(&b);
    luaL_addchar(&b, ')');
  }
  luaL_pushresult(&b);
  make_pattern(L, true);
}

/* sel OP v for every v of the list at 2, joined with JOIN. */
static int over_values(lua_State *L, const char *op, const char *joiner, const char *helper)
{
  const char *sel = check_selector(L, 1);
  lua_Integer n = list_len(L, 2, helper);
  lua_settop(L, 2);
  luaL_checkstack(L, (int)n + 8, helper);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, 2, i);
    push_value(L, -1, helper);
    lua_pushfstring(L, "%s %s %s", sel, op, lua_tostring(L, -1));
    lua_replace(L, -3);
    lua_pop(L, 1);
  }
  join(L, 3, (int)n, joiner);
  return 1;
}

static int h_any_of(lua_State *L) { return over_values(L, "=", " || ", "any_of"); }
static int h_none_of(lua_State *L) { return over_values(L, "!=", " && ", "none_of"); }

/* Clauses from the list at 1 (pattern objects or hand-written strings). */
static int over_clauses(lua_State *L, const char *joiner, const char *helper)
{
  lua_Integer n = list_len(L, 1, helper);
  lua_settop(L, 1);
  luaL_checkstack(L, (int)n + 8, helper);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, 1, i);
    size_t len;
    if (lua_type(L, -1) == LUA_TSTRING) {
      const char *s = lua_tolstring(L, -1, &len);
      size_t k = 0;
      while (k < len && (s[k] == ' ' || s[k] == '\t'))
        k++;
      if (len == k)
        return luaL_error(L, "%s: clause %I is empty", helper, (LUAI_UACINT)i);
      if (s[k] == '{')
        return luaL_error(L, "%s: clause %I is a whole pattern; write the clause without { }", helper,
                          (LUAI_UACINT)i);
    } else if (push_inner(L, -1, &len)) {
      lua_replace(L, -2);
    } else {
      return luaL_error(L, "%s: clause %I must be a pattern object or a string, not %s", helper,
                        (LUAI_UACINT)i, luaL_typename(L, -1));
    }
  }
  join(L, 2, (int)n, joiner);
  return 1;
}

static int h_all_of(lua_State *L) { return over_clauses(L, " && ", "all_of"); }
static int h_either(lua_State *L) { return over_clauses(L, " || ", "either"); }

void hg_lua_pattern_open(lua_State *L)
{
  lua_createtable(L, 0, 4);
  lua_pushcfunction(L, pattern_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, pattern_concat);
  lua_setfield(L, -2, "__concat");
  lua_pushliteral(L, "pattern");
  lua_setfield(L, -2, "__name");
  lua_pushliteral(L, "pattern");
  lua_setfield(L, -2, "__metatable");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &pattern_mt_key);

  static const luaL_Reg helpers[] = {
      {"quote", h_quote},       {"eq", h_eq},           {"ne", h_ne},
      {"gt", h_gt},             {"ge", h_ge},           {"lt", h_lt},
      {"le", h_le},             {"any_of", h_any_of},   {"none_of", h_none_of},
      {"all_of", h_all_of},     {"either", h_either},   {"exists", h_exists},
      {"not_exists", h_not_exists}, {"is_null", h_is_null}, {"is_true", h_is_true},
      {"is_false", h_is_false},
  };
  for (size_t i = 0; i < HG_COUNTOF(helpers); i++) {
    lua_pushcfunction(L, helpers[i].func);
    lua_setglobal(L, helpers[i].name);
  }
}
