/*
 * lua_filter.c — the `filter{...}` function: check every field of one
 * declaration and record it as an hg_filter.
 *
 * Every problem is a diagnostic (not a Lua error), so one run reports all
 * the mistakes of all the filters of a file; a filter with an error is not
 * recorded. Diagnostics carry the file and the line of the field when it can
 * be found in the source (a best-effort scan from the line of the call), else
 * the line of the call, with a caret under "field =" when it is found. Fields are read raw (no metamethod runs) and checked
 * in a fixed order; unknown fields are reported sorted, so the output never
 * depends on Lua's table order.
 *
 * Field reference: doc/filters.md.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_int.h"
#include "text.h"

static const char *const filter_fields[] = {
    "id", "title", "pattern", "envs", "topic", "alarm", "cis", "securityhub", "variants", "examples", NULL,
};
static const char *const alarm_fields[] = {"threshold", "period", "evaluation_periods", NULL};
static const char *const variant_fields[] = {"name", "pattern", "versions", NULL};
static const char *const example_fields[] = {"match", "nomatch", NULL};

/* ---- the source text, for lines and columns ---------------------------- */

static void index_lines(hg_lua_ctx *ctx)
{
  if (ctx->lines)
    return;
  size_t n = 1;
  for (size_t i = 0; i < ctx->len; i++)
    if (ctx->text[i] == '\n')
      n++;
  ctx->lines = xmalloc((n + 1) * sizeof *ctx->lines);
  ctx->lines[0] = 0;
  int k = 1;
  for (size_t i = 0; i < ctx->len; i++)
    if (ctx->text[i] == '\n')
      ctx->lines[k++] = i + 1;
  ctx->lines[k] = ctx->len + 1;
  ctx->n_lines = k;
}

/* Text of a 1-based line (without its newline). */
static const char *line_text(hg_lua_ctx *ctx, int line, size_t *len)
{
  index_lines(ctx);
  if (line < 1 || line > ctx->n_lines) {
    *len = 0;
    return "";
  }
  size_t a = ctx->lines[line - 1], b = ctx->lines[line] - 1;
  if (b > ctx->len)
    b = ctx->len;
  *len = b - a;
  return ctx->text + a;
}

static bool ident_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Offset in s of "NAME =" (a field assignment, not ==), or -1. */
static long find_assign(const char *s, size_t n, const char *name)
{
  size_t k = strlen(name);
  for (size_t i = 0; i + k <= n; i++) {
    if (s[i] == '-' && i + 1 < n && s[i + 1] == '-')
      return -1; /* a comment */
    if (memcmp(s + i, name, k) != 0 || (i > 0 && ident_char(s[i - 1])) ||
        (i + k < n && ident_char(s[i + k])))
      continue;
    size_t j = i + k;
    while (j < n && (s[j] == ' ' || s[j] == '\t'))
      j++;
    if (j < n && s[j] == '=' && !(j + 1 < n && s[j + 1] == '='))
      return (long)i;
  }
  return -1;
}

/* True when a line starts another filter declaration. */
static bool starts_filter(const char *s, size_t n)
{
  long i = 0;
  while ((size_t)i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if ((size_t)i + 6 > n || memcmp(s + i, "filter", 6) != 0)
    return false;
  i += 6;
  while ((size_t)i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  return (size_t)i < n && (s[i] == '{' || s[i] == '(');
}

/* Line of the first "NAME =" at or after line from, within the filter
 * declared at from; 0 when not found. *off gets its offset in the line. */
static int find_field(hg_lua_ctx *ctx, int from, const char *name, long *off)
{
  index_lines(ctx);
  for (int l = from; l >= 1 && l <= ctx->n_lines && l < from + 400; l++) {
    size_t n;
    const char *s = line_text(ctx, l, &n);
    if (l > from && starts_filter(s, n))
      break;
    long o = find_assign(s, n, name);
    if (o >= 0) {
      if (off)
        *off = o;
      return l;
    }
  }
  return 0;
}

/*
 * Column (1-based) of the first byte of the pattern when the source line
 * holds it as a plain literal "..." / '...' / [[...]] right after "pattern =",
 * without escapes; else 0.
 */
static int literal_col(const char *s, size_t n, long off, const char *pattern)
{
  size_t i = (size_t)off + strlen("pattern");
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if (i >= n || s[i] != '=')
    return 0;
  i++;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if (i >= n)
    return 0;
  size_t plen = strlen(pattern);
  size_t start;
  if (s[i] == '"' || s[i] == '\'') {
    start = i + 1;
    if (start + plen >= n || s[start + plen] != s[i])
      return 0;
    if (memchr(s + start, '\\', plen))
      return 0;
  } else if (s[i] == '[' && i + 1 < n && (s[i + 1] == '[' || s[i + 1] == '=')) {
    size_t j = i + 1, eq = 0;
    while (j < n && s[j] == '=')
      j++, eq++;
    if (j >= n || s[j] != '[')
      return 0;
    start = j + 1;
    if (start + plen + eq + 2 > n || s[start + plen] != ']')
      return 0;
  } else {
    return 0;
  }
  if (memcmp(s + start, pattern, plen) != 0)
    return 0;
  return (int)start + 1;
}

static int cmp_str(const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  return strcmp(*x, *y);
}

/* ---- diagnostics -------------------------------------------------------- */

typedef struct fcheck {
  hg_lua_ctx *ctx;
  lua_State *L;
  hg_filter *f;
  int line;         /* line of the call */
  size_t errors;    /* errors added for this filter */
} fcheck;

/*
 * Report an error of this filter at line (0: the call's line). When field
 * names a field written as "field =" on that line, the caret points at it.
 * After 20 errors of one filter the rest are counted, not shown (NULL).
 */
static hg_diag *ferr(fcheck *c, int line, const char *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static hg_diag *ferr(fcheck *c, int line, const char *field, const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_buf *b = &c->ctx->buf;
  hg_buf_reset(b);
  if (c->f->id)
    hg_buf_printf(b, "filter '%s': ", c->f->id);
  hg_buf_vprintf(b, fmt, ap);
  va_end(ap);
  if (c->errors++ >= 20) {
    if (c->errors == 21)
      hg_diag_add(c->ctx->sink, HG_SEV_ERROR, c->ctx->file, c->line, 0, code,
                  "further errors of this filter are not shown");
    return NULL;
  }
  if (!line)
    line = c->line;
  int col = 0;
  if (field) {
    size_t n;
    const char *s = line_text(c->ctx, line, &n);
    long off = find_assign(s, n, field);
    col = off >= 0 ? (int)off + 1 : 0;
  }
  hg_diag *d = hg_diag_add(c->ctx->sink, HG_SEV_ERROR, c->ctx->file, line, col, code, "%s", b->data);
  if (col)
    d->span = (int)strlen(field);
  return d;
}

/* Line of field NAME of this filter (the call's line when not found). */
static int field_line(fcheck *c, const char *name)
{
  int l = find_field(c->ctx, c->line, name, NULL);
  return l ? l : c->line;
}

/* Push field NAME of the table at idx (raw); returns its type. */
static int get_field(lua_State *L, int idx, const char *name)
{
  lua_pushstring(L, name);
  return lua_rawget(L, idx < 0 ? idx - 1 : idx);
}

/* Report the string keys of the table at idx not in known (sorted), and
 * non-string keys once. what names the table in messages. */
static void unknown_fields(fcheck *c, int idx, const char *const *known, const char *what, int line)
{
  lua_State *L = c->L;
  idx = lua_absindex(L, idx);
  size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    count++;
  }
  const char **bad = hg_arena_alloc(c->ctx->tmp, (count ? count : 1) * sizeof *bad);
  size_t nbad = 0;
  bool positional = false;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) {
      positional = true;
      continue;
    }
    const char *k = lua_tostring(L, -1);
    bool ok = false;
    for (const char *const *q = known; *q; q++)
      ok = ok || strcmp(*q, k) == 0;
    if (!ok && nbad < count)
      bad[nbad++] = hg_arena_strdup(c->ctx->tmp, k);
  }
  qsort(bad, nbad, sizeof *bad, cmp_str);
  for (size_t i = 0; i < nbad; i++) {
    int l = find_field(c->ctx, line, bad[i], NULL);
    hg_diag *d = ferr(c, l ? l : line, bad[i], "lua-filter-unknown-field", "unknown field '%s' in %s", bad[i], what);
    const char *near = hg_did_you_mean(bad[i], known, false);
    const char *alarm_near = known == filter_fields ? hg_did_you_mean(bad[i], alarm_fields, false) : NULL;
    if (!d)
      break;
    if (near)
      hg_diag_note(d, "did you mean '%s'?", near);
    else if (alarm_near)
      hg_diag_note(d, "'%s' belongs in alarm = { ... }", alarm_near);
  }
  if (positional)
    ferr(c, line, NULL, "lua-filter-unknown-field", "%s has a value without a field name (write NAME = value)", what);
}

/* ---- small checks ------------------------------------------------------- */

static bool all_chars(const char *s, const char *extra, bool upper)
{
  if (!*s)
    return false;
  for (; *s; s++) {
    char ch = *s;
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (upper && ch >= 'A' && ch <= 'Z') ||
              (ch && strchr(extra, ch));
    if (!ok)
      return false;
  }
  return true;
}

/* "1.2", "10.0": digits '.' digits. */
static bool version_like(const char *s)
{
  const char *dot = strchr(s, '.');
  if (!dot || dot == s || !dot[1] || strchr(dot + 1, '.'))
    return false;
  for (const char *p = s; *p; p++)
    if (p != dot && (*p < '0' || *p > '9'))
      return false;
  return strlen(s) <= 8;
}

/* "3.1", "4.15", "1.2.3": digits with single dots between. */
static bool number_like(const char *s)
{
  if (!*s || *s == '.' || strlen(s) > 16)
    return false;
  for (const char *p = s; *p; p++) {
    if (*p == '.') {
      if (p[1] == '.' || !p[1])
        return false;
    } else if (*p < '0' || *p > '9') {
      return false;
    }
  }
  return true;
}

static int cmp_version(const char *a, const char *b)
{
  long am = strtol(a, NULL, 10), bm = strtol(b, NULL, 10);
  if (am != bm)
    return am < bm ? -1 : 1;
  const char *ad = strchr(a, '.'), *bd = strchr(b, '.');
  long an = ad ? strtol(ad + 1, NULL, 10) : 0, bn = bd ? strtol(bd + 1, NULL, 10) : 0;
  if (an != bn)
    return an < bn ? -1 : 1;
  return strcmp(a, b);
}

static int cmp_cis(const void *a, const void *b)
{
  const hg_cis_ref *x = a, *y = b;
  return cmp_version(x->version, y->version);
}

/* An integer value (an integral float counts); false otherwise. */
static bool get_int(lua_State *L, int idx, long long *out)
{
  if (lua_type(L, idx) != LUA_TNUMBER)
    return false;
  if (lua_isinteger(L, idx)) {
    *out = (long long)lua_tointeger(L, idx);
    return true;
  }
  double d = (double)lua_tonumber(L, idx);
  if (!isfinite(d) || d != floor(d) || fabs(d) > 1e15)
    return false;
  *out = (long long)d;
  return true;
}

/* The length of a list (a table with keys 1..n only); -1 when it is not one. */
static long long list_length(lua_State *L, int idx)
{
  if (lua_type(L, idx) != LUA_TTABLE)
    return -1;
  idx = lua_absindex(L, idx);
  long long count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) {
      lua_pop(L, 1);
      return -1;
    }
    count++;
  }
  for (long long i = 1; i <= count; i++) {
    int t = lua_rawgeti(L, idx, (lua_Integer)i);
    lua_pop(L, 1);
    if (t == LUA_TNIL)
      return -1;
  }
  return count;
}

/* ---- the fields --------------------------------------------------------- */

static void check_id(fcheck *c)
{
  lua_State *L = c->L;
  int t = get_field(L, 1, "id");
  if (t == LUA_TNIL) {
    ferr(c, c->line, NULL, "lua-filter-missing", "filter has no 'id'");
  } else if (t != LUA_TSTRING) {
    ferr(c, field_line(c, "id"), "id", "lua-filter-field", "field 'id' must be a string, not %s", luaL_typename(L, -1));
  } else {
    const char *id = lua_tostring(L, -1);
    if (!all_chars(id, "-", false) || strlen(id) > 64)
      ferr(c, field_line(c, "id"), "id", "lua-filter-field",
           "filter id '%s' must be 1 to 64 characters of [a-z0-9-]", id);
    else
      c->f->id = xstrdup(id);
  }
  lua_pop(L, 1);
}

static void check_title(fcheck *c)
{
  lua_State *L = c->L;
  int t = get_field(L, 1, "title");
  if (t == LUA_TNIL) {
    ferr(c, c->line, NULL, "lua-filter-missing", "filter has no 'title'");
  } else if (t != LUA_TSTRING) {
    ferr(c, field_line(c, "title"), "title", "lua-filter-field", "field 'title' must be a string, not %s",
         luaL_typename(L, -1));
  } else {
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    hg_text_bad bad;
    /* The title reaches the template (AlarmDescription): text only. */
    if (n > 0 && n <= 255 && !hg_text_ok(s, n, 0, &bad))
      ferr(c, field_line(c, "title"), "title", "lua-filter-field",
           "field 'title' is not text: %s at byte %zu (a title is UTF-8 text on one line)", bad.why, bad.off + 1);
    else if (n == 0 || n > 255)
      ferr(c, field_line(c, "title"), "title", "lua-filter-field",
           "field 'title' must be 1 to 255 characters on one line");
    else
      c->f->title = xstrdup(s);
  }
  lua_pop(L, 1);
}

/* The pattern text of the value at the top (string or pattern object):
 * malloc'd, or NULL with an error reported. */
static char *pattern_value(fcheck *c, int line, const char *what)
{
  lua_State *L = c->L;
  size_t len;
  const char *text = hg_lua_pattern_text(L, -1, &len);
  char *out = NULL;
  if (!text) {
    ferr(c, line, "pattern", "lua-filter-field", "%s must be a string or a pattern object (eq, any_of, ...), not %s", what,
         luaL_typename(L, -2));
  } else if (strlen(text) != len) {
    ferr(c, line, "pattern", "lua-filter-field", "%s contains a NUL byte", what);
  } else {
    size_t k = 0;
    while (k < len && (text[k] == ' ' || text[k] == '\t'))
      k++;
    if (k == len)
      ferr(c, line, "pattern", "lua-filter-pattern-empty", "%s is empty (it would match every event)", what);
    else if (c->ctx->stored_bytes + len > c->ctx->mem_cap)
      ferr(c, line, "pattern", "lua-memory-limit", "the file's patterns exceed the memory limit");
    else {
      c->ctx->stored_bytes += len;
      out = xstrdup(text);
    }
  }
  lua_pop(L, 1);
  return out;
}

static void check_pattern(fcheck *c, bool has_variants)
{
  lua_State *L = c->L;
  int t = get_field(L, 1, "pattern");
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    if (!has_variants)
      ferr(c, c->line, NULL, "lua-filter-missing-pattern", "filter has no 'pattern'");
    return;
  }
  long off = 0;
  int line = find_field(c->ctx, c->line, "pattern", &off);
  c->f->pattern = pattern_value(c, line ? line : c->line, "field 'pattern'");
  lua_pop(L, 1);
  if (c->f->pattern && line) {
    c->f->pattern_line = line;
    size_t n;
    const char *s = line_text(c->ctx, line, &n);
    c->f->pattern_col = literal_col(s, n, off, c->f->pattern);
  }
}

static void check_envs(fcheck *c)
{
  lua_State *L = c->L;
  int t = get_field(L, 1, "envs");
  int line = t == LUA_TNIL ? c->line : field_line(c, "envs");
  if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "all") == 0) {
    /* NULL: every env */
  } else if (t == LUA_TTABLE) {
    long long n = list_length(L, -1);
    if (n < 0) {
      ferr(c, line, "envs", "lua-filter-field", "field 'envs' must be \"all\" or a list of env names");
    } else if (n == 0) {
      ferr(c, line, "envs", "lua-filter-field", "field 'envs' is an empty list (write \"all\" or name the envs)");
    } else {
      hg_filter *f = c->f;
      f->envs = xcalloc((size_t)n, sizeof *f->envs);
      for (long long i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i);
        if (lua_type(L, -1) != LUA_TSTRING || !all_chars(lua_tostring(L, -1), "-_", true))
          ferr(c, line, "envs", "lua-filter-field", "envs[%lld] must be an env name ([A-Za-z0-9_-]+)", i);
        else
          f->envs[f->n_envs++] = xstrdup(lua_tostring(L, -1));
        lua_pop(L, 1);
      }
    }
  } else if (t != LUA_TNIL) {
    ferr(c, line, "envs", "lua-filter-field", "field 'envs' must be \"all\" or a list of env names, not %s",
         t == LUA_TSTRING ? "a string other than \"all\"" : luaL_typename(L, -1));
  }
  lua_pop(L, 1);
}

static void check_topic(fcheck *c)
{
  lua_State *L = c->L;
  int t = get_field(L, 1, "topic");
  c->f->topic = HG_TOPIC_INFOSEC;
  if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "infosec") == 0) {
    c->f->topic = HG_TOPIC_INFOSEC;
  } else if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "devops") == 0) {
    c->f->topic = HG_TOPIC_DEVOPS;
  } else if (t != LUA_TNIL) {
    hg_diag *d = ferr(c, field_line(c, "topic"), "topic", "lua-filter-field",
                      "field 'topic' must be \"infosec\" or \"devops\"");
    static const char *const topics[] = {"infosec", "devops", NULL};
    const char *near = t == LUA_TSTRING ? hg_did_you_mean(lua_tostring(L, -1), topics, true) : NULL;
    if (d && near)
      hg_diag_note(d, "did you mean '%s'?", near);
  }
  lua_pop(L, 1);
}

static void check_alarm(fcheck *c)
{
  lua_State *L = c->L;
  hg_filter *f = c->f;
  f->threshold = 1;
  f->period = 300;
  f->evaluation_periods = 1;
  int t = get_field(L, 1, "alarm");
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int line = field_line(c, "alarm");
  if (t != LUA_TTABLE) {
    ferr(c, line, "alarm", "lua-filter-field", "field 'alarm' must be a table { threshold = N, period = S, evaluation_periods = N }");
    lua_pop(L, 1);
    return;
  }
  unknown_fields(c, -1, alarm_fields, "'alarm'", line);
  if (get_field(L, -1, "threshold") != LUA_TNIL) {
    double d = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : -1;
    if (!isfinite(d) || d < 0 || d > 1e12)
      ferr(c, find_field(c->ctx, line, "threshold", NULL), "threshold", "lua-filter-field",
           "alarm threshold must be a number >= 0");
    else
      f->threshold = d;
  }
  lua_pop(L, 1);
  long long v = 0;
  if (get_field(L, -1, "period") != LUA_TNIL) {
    /* PutMetricAlarm: 10, 20, 30 or a multiple of 60 seconds, at most a day. */
    if (!get_int(L, -1, &v) || !(v == 10 || v == 20 || v == 30 || (v >= 60 && v % 60 == 0)) || v > 86400)
      ferr(c, find_field(c->ctx, line, "period", NULL), "period", "lua-filter-field",
           "alarm period must be 10, 20, 30 or a multiple of 60 seconds up to 86400");
    else
      f->period = (int)v;
  }
  lua_pop(L, 1);
  if (get_field(L, -1, "evaluation_periods") != LUA_TNIL) {
    if (!get_int(L, -1, &v) || v < 1 || v > 1440)
      ferr(c, find_field(c->ctx, line, "evaluation_periods", NULL), "evaluation_periods", "lua-filter-field",
           "alarm evaluation_periods must be an integer from 1 to 1440");
    else
      f->evaluation_periods = (int)v;
  }
  lua_pop(L, 1);
  if ((long long)f->period * f->evaluation_periods > 86400)
    ferr(c, line, "alarm", "lua-filter-field",
         "alarm period x evaluation_periods is %lld s; CloudWatch allows at most 86400 (one day)",
         (long long)f->period * f->evaluation_periods);
  lua_pop(L, 1);
}

static void check_cis(fcheck *c)
{
  lua_State *L = c->L;
  hg_filter *f = c->f;
  int t = get_field(L, 1, "cis");
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int line = field_line(c, "cis");
  if (t != LUA_TTABLE) {
    ferr(c, line, "cis", "lua-filter-field", "field 'cis' must map versions to numbers: cis = { [\"1.2\"] = \"3.1\" }");
    lua_pop(L, 1);
    return;
  }
  size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    count++;
  }
  f->cis = xcalloc(count ? count : 1, sizeof *f->cis);
  bool bad = false;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    if (lua_type(L, -2) != LUA_TSTRING || !version_like(lua_tostring(L, -2)) || lua_type(L, -1) != LUA_TSTRING ||
        !number_like(lua_tostring(L, -1))) {
      bad = true;
    } else if (f->n_cis < count) {
      hg_cis_ref *r = &f->cis[f->n_cis++];
      r->version = xstrdup(lua_tostring(L, -2));
      r->number = xstrdup(lua_tostring(L, -1));
    }
    lua_pop(L, 1);
  }
  if (bad)
    ferr(c, line, "cis", "lua-filter-field",
         "field 'cis' must map CIS versions to control numbers, both strings: cis = { [\"1.2\"] = \"3.1\" }");
  qsort(f->cis, f->n_cis, sizeof *f->cis, cmp_cis);
  lua_pop(L, 1);
}

static void check_securityhub(fcheck *c)
{
  lua_State *L = c->L;
  int t = get_field(L, 1, "securityhub");
  if (t != LUA_TNIL) {
    const char *s = t == LUA_TSTRING ? lua_tostring(L, -1) : "";
    const char *dot = strchr(s, '.');
    bool ok = dot && dot != s && dot[1] && strlen(s) <= 64;
    for (const char *p = s; ok && *p; p++)
      ok = p < dot ? ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
                   : p == dot || (*p >= '0' && *p <= '9');
    if (!ok)
      ferr(c, field_line(c, "securityhub"), "securityhub", "lua-filter-field",
           "field 'securityhub' must be a Security Hub control id such as \"CloudWatch.1\"");
    else
      c->f->securityhub = xstrdup(s);
  }
  lua_pop(L, 1);
}

/* Line of variant NAME: where name = "NAME" is written after `variants`. */
static int variant_line(fcheck *c, int from, const char *name)
{
  hg_lua_ctx *ctx = c->ctx;
  for (int l = from; l >= 1 && l <= ctx->n_lines && l < from + 400; l++) {
    size_t n;
    const char *s = line_text(ctx, l, &n);
    if (l > c->line && starts_filter(s, n))
      break;
    long o = find_assign(s, n, "name");
    if (o < 0)
      continue;
    const char *q = s + o + 4;
    const char *end = s + n;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '='))
      q++;
    size_t k = strlen(name);
    if (q < end && (*q == '"' || *q == '\'') && (size_t)(end - q) > k + 1 && memcmp(q + 1, name, k) == 0 &&
        q[k + 1] == *q)
      return l;
  }
  return 0;
}

static void check_variants(fcheck *c)
{
  lua_State *L = c->L;
  hg_filter *f = c->f;
  int t = get_field(L, 1, "variants");
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int line = field_line(c, "variants");
  long long n = list_length(L, -1);
  if (n <= 0) {
    ferr(c, line, "variants", "lua-filter-field", "field 'variants' must be a non-empty list of { name = ..., pattern = ... }");
    lua_pop(L, 1);
    return;
  }
  f->variants = xcalloc((size_t)n, sizeof *f->variants);
  for (long long i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, (lua_Integer)i);
    if (lua_type(L, -1) != LUA_TTABLE) {
      ferr(c, line, NULL, "lua-filter-field", "variants[%lld] must be a table { name = ..., pattern = ... }", i);
      lua_pop(L, 1);
      continue;
    }
    hg_variant *v = &f->variants[f->n_variants++];
    int vline = line;
    if (get_field(L, -1, "name") == LUA_TSTRING && lua_rawlen(L, -1) > 0 && lua_rawlen(L, -1) <= 64) {
      v->name = xstrdup(lua_tostring(L, -1));
      int l = variant_line(c, line, v->name);
      vline = l ? l : line;
    } else {
      ferr(c, line, NULL, "lua-filter-field", "variants[%lld] needs a name (a string)", i);
    }
    lua_pop(L, 1);
    v->line = vline;
    unknown_fields(c, -1, variant_fields, "a variant", vline);
    char what[64];
    snprintf(what, sizeof what, "variants[%lld].pattern", i);
    if (get_field(L, -1, "pattern") == LUA_TNIL) {
      ferr(c, vline, "pattern", "lua-filter-missing-pattern", "variants[%lld] has no pattern", i);
      lua_pop(L, 1);
    } else {
      v->pattern = pattern_value(c, vline, what);
      lua_pop(L, 1);
    }
    if (get_field(L, -1, "versions") != LUA_TNIL) {
      long long m = list_length(L, -1);
      if (m <= 0) {
        ferr(c, vline, "pattern", "lua-filter-field", "variants[%lld].versions must be a non-empty list of CIS versions", i);
      } else {
        v->versions = xcalloc((size_t)m, sizeof *v->versions);
        for (long long j = 1; j <= m; j++) {
          lua_rawgeti(L, -1, (lua_Integer)j);
          if (lua_type(L, -1) != LUA_TSTRING || !version_like(lua_tostring(L, -1)))
            ferr(c, vline, "pattern", "lua-filter-field", "variants[%lld].versions[%lld] must be a version string like \"1.4\"",
                 i, j);
          else
            v->versions[v->n_versions++] = xstrdup(lua_tostring(L, -1));
          lua_pop(L, 1);
        }
      }
    }
    lua_pop(L, 1);
    lua_pop(L, 1); /* the variant */
  }
  lua_pop(L, 1);
}

/* One examples list (match or nomatch). */
static void check_example_list(fcheck *c, const char *name, hg_example **out, size_t *n_out, int line)
{
  lua_State *L = c->L;
  int t = get_field(L, -1, name);
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int l = find_field(c->ctx, line, name, NULL);
  line = l ? l : line;
  long long n = list_length(L, -1);
  if (n < 0) {
    ferr(c, line, name, "lua-filter-field", "examples.%s must be a list of events (tables) or messages (strings)", name);
    lua_pop(L, 1);
    return;
  }
  *out = xcalloc(n ? (size_t)n : 1, sizeof **out);
  for (long long i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, (lua_Integer)i);
    int et = lua_type(L, -1);
    if (et == LUA_TSTRING) {
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      if (strlen(s) != len) {
        ferr(c, line, name, "lua-filter-field", "examples.%s[%lld] contains a NUL byte", name, i);
      } else if (len > HG_LUA_MAX_EXAMPLE || c->ctx->stored_bytes + len > c->ctx->mem_cap) {
        ferr(c, line, name, "lua-filter-field", "examples.%s[%lld] is larger than %zu bytes", name, i,
             HG_LUA_MAX_EXAMPLE);
      } else {
        c->ctx->stored_bytes += len;
        hg_example *e = &(*out)[(*n_out)++];
        e->text = xstrdup(s);
        e->is_json = false;
        e->line = line;
      }
    } else if (et == LUA_TTABLE) {
      const char *why = NULL, *where = NULL;
      hg_buf_reset(&c->ctx->buf);
      if (!hg_lua_json(c->ctx, -1, &why, &where)) {
        ferr(c, line, name, "lua-filter-field", "examples.%s[%lld]%s%s: %s", name, i, *where ? " at " : "", where, why);
      } else if (c->ctx->stored_bytes + c->ctx->buf.len > c->ctx->mem_cap) {
        ferr(c, line, name, "lua-memory-limit", "examples.%s[%lld]: the file's examples exceed the memory limit of %zu bytes",
             name, i, c->ctx->mem_cap);
      } else {
        c->ctx->stored_bytes += c->ctx->buf.len;
        hg_example *e = &(*out)[(*n_out)++];
        e->text = xstrdup(c->ctx->buf.data ? c->ctx->buf.data : "{}");
        e->is_json = true;
        e->line = line;
      }
    } else {
      ferr(c, line, name, "lua-filter-field", "examples.%s[%lld] must be an event (a table) or a message (a string), not %s",
           name, i, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

static void check_examples(fcheck *c)
{
  lua_State *L = c->L;
  int t = get_field(L, 1, "examples");
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int line = field_line(c, "examples");
  if (t != LUA_TTABLE) {
    ferr(c, line, "examples", "lua-filter-field", "field 'examples' must be a table { match = {...}, nomatch = {...} }");
    lua_pop(L, 1);
    return;
  }
  unknown_fields(c, -1, example_fields, "'examples'", line);
  check_example_list(c, "match", &c->f->match, &c->f->n_match, line);
  check_example_list(c, "nomatch", &c->f->nomatch, &c->f->n_nomatch, line);
  lua_pop(L, 1);
}

/* ---- filter{...} -------------------------------------------------------- */

static int l_filter(lua_State *L)
{
  hg_lua_ctx *ctx = hg_lua_ctx_of(L);
  int line = hg_lua_current_line(L, 1);
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TTABLE) {
    hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file, line, 0, "lua-filter-call",
                "filter expects one table: filter { id = \"...\", title = \"...\", pattern = ... }");
    return 0;
  }
  if (++ctx->filter_calls > HG_LUA_MAX_FILTERS)
    return luaL_error(L, "more than %d filter declarations in one file", HG_LUA_MAX_FILTERS);
  if (ctx->sink->errors - ctx->errors_at_start >= HG_LUA_MAX_ERRORS)
    return luaL_error(L, "too many errors in this file; stopping");
  lua_settop(L, 1);
  luaL_checkstack(L, 16, "filter");
  hg_arena_reset(ctx->tmp);
  size_t index = ctx->out->n;
  fcheck c = {ctx, L, hg_filterset_add(ctx->out), line, 0};
  c.f->file = xstrdup(ctx->file);
  c.f->line = line;

  check_id(&c);
  check_title(&c);
  bool has_variants = get_field(L, 1, "variants") != LUA_TNIL;
  lua_pop(L, 1);
  check_pattern(&c, has_variants);
  check_envs(&c);
  check_topic(&c);
  check_alarm(&c);
  check_cis(&c);
  check_securityhub(&c);
  check_variants(&c);
  check_examples(&c);
  unknown_fields(&c, 1, filter_fields, "filter", line);

  if (!c.errors && !c.f->pattern && c.f->n_variants && c.f->variants[0].pattern) {
    /* Until the CIS selector picks a variant, the first one stands in. */
    c.f->pattern = xstrdup(c.f->variants[0].pattern);
    c.f->pattern_line = c.f->variants[0].line;
  }
  if (c.errors)
    hg_filterset_remove(ctx->out, index);
  hg_arena_reset(ctx->tmp);
  return 0;
}

void hg_lua_filter_open(lua_State *L)
{
  lua_pushcfunction(L, l_filter);
  lua_setglobal(L, "filter");
  lua_pushlightuserdata(L, (void *)&hg_lua_null_tag);
  lua_setglobal(L, "null");
}
