/* test_lua.c — the Lua host: sandbox, limits, env, filter{} checks, helpers. */
#include "harness.h"

#include "hg/diag.h"
#include "hg/filter.h"
#include "hg/lua.h"
#include "hg/profile.h"
#include "hg/util.h"

/* ---- building profiles by hand ------------------------------------------ */

static hg_arena *arena;

static hg_yval *y_str(const char *s)
{
  hg_yval *v = hg_arena_alloc(arena, sizeof *v);
  v->kind = HG_Y_STR;
  v->text = hg_arena_strdup(arena, s);
  return v;
}

static hg_yval *y_int(long long i)
{
  hg_yval *v = hg_arena_alloc(arena, sizeof *v);
  v->kind = HG_Y_INT;
  v->i = i;
  v->text = "0";
  return v;
}

static hg_yval *y_bool(bool b)
{
  hg_yval *v = hg_arena_alloc(arena, sizeof *v);
  v->kind = HG_Y_BOOL;
  v->b = b;
  v->text = b ? "true" : "false";
  return v;
}

static hg_yval *y_coll(hg_ykind kind, size_t n)
{
  hg_yval *v = hg_arena_alloc(arena, sizeof *v);
  v->kind = kind;
  v->n = n;
  v->items = hg_arena_alloc(arena, (n ? n : 1) * sizeof *v->items);
  if (kind == HG_Y_MAP)
    v->keys = hg_arena_alloc(arena, (n ? n : 1) * sizeof *v->keys);
  return v;
}

static void y_set(hg_yval *m, size_t i, const char *key, hg_yval *val)
{
  m->keys[i] = hg_arena_strdup(arena, key);
  m->items[i] = val;
}

static hg_yval *y_list(const char *const *items, size_t n)
{
  hg_yval *v = y_coll(HG_Y_SEQ, n);
  for (size_t i = 0; i < n; i++)
    v->items[i] = y_str(items[i]);
  return v;
}

/* A profile for env with vars that the custom filters read. */
static hg_profile *profile(const char *env, const char *evil_ip)
{
  if (!arena)
    arena = hg_arena_new();
  hg_profile *p = hg_arena_alloc(arena, sizeof *p);
  p->env = env;
  p->path = "profiles/test.yaml";
  p->root = ".";
  hg_yval *tree = y_coll(HG_Y_MAP, 4);
  hg_yval *account = y_coll(HG_Y_MAP, 2);
  y_set(account, 0, "name", y_str("acme-prod"));
  y_set(account, 1, "id", y_str("123456789012"));
  hg_yval *vars = y_coll(HG_Y_MAP, 6);
  static const char *ips[] = {"203.0.113.*", "198.51.100.7"};
  static const char *types[] = {"p4d.24xlarge", "x1e.32xlarge"};
  static const char *vols[] = {"vol-0abc"};
  static const char *insts[] = {"i-0123456789abcdef0"};
  hg_yval *iplist = y_list(ips, 2);
  if (evil_ip)
    iplist->items[1] = y_str(evil_ip);
  y_set(vars, 0, "trusted_source_ips", iplist);
  y_set(vars, 1, "large_instance_types", y_list(types, 2));
  y_set(vars, 2, "watched_volume_ids", y_list(vols, 1));
  y_set(vars, 3, "watched_instance_ids", y_list(insts, 1));
  y_set(vars, 4, "watched_event_source", y_str("s3.amazonaws.com"));
  y_set(vars, 5, "max", y_int(7));
  y_set(tree, 0, "account", account);
  y_set(tree, 1, "vars", vars);
  y_set(tree, 2, "extends", y_str("base"));
  y_set(tree, 3, "flag", y_bool(true));
  p->tree = tree;
  p->vars = vars;
  p->account_name = "acme-prod";
  return p;
}

/* ---- running a chunk ------------------------------------------------------ */

static const hg_lua_limits small = {16u << 20, 5000000, 0};

typedef struct run_result {
  int rc;
  hg_filterset fs;
  char *diags; /* rendered text */
  size_t errors;
} run_result;

static run_result run_with(const hg_profile *p, const char *src, const hg_lua_limits *lim)
{
  run_result r;
  hg_filterset_init(&r.fs);
  hg_diag_sink s;
  hg_diag_init(&s);
  r.rc = hg_lua_run_text(p, "filters/t.lua", src, strlen(src), lim, &r.fs, &s);
  size_t len = 0;
  FILE *f = open_memstream(&r.diags, &len);
  hg_diag_render_text(&s, f);
  fclose(f);
  r.errors = s.errors;
  hg_diag_free(&s);
  return r;
}

static run_result run(const char *src)
{
  return run_with(profile("prod", NULL), src, &small);
}

static void done(run_result *r)
{
  hg_filterset_free(&r->fs);
  free(r->diags);
}

#define CHECK_HAS(hay, needle)                                                                       \
  do {                                                                                               \
    const char *h_ = (hay), *n_ = (needle);                                                          \
    if (!h_ || !strstr(h_, n_))                                                                      \
      FAIL_AT("expected \"%s\" in:\n%s", n_, h_ ? h_ : "(null)");                                  \
  } while (0)

/* A run that must fail with this text in its diagnostics. */
static void expect_fail(const char *src, const char *needle)
{
  run_result r = run(src);
  CHECK(r.rc == -1);
  CHECK(r.errors >= 1);
  CHECK_HAS(r.diags, needle);
  done(&r);
}

static const char *const ok_filter =
    "filter {\n"
    "  id = \"t-one\",\n"
    "  title = \"One\",\n"
    "  pattern = '{ $.eventName = \"X\" }',\n"
    "}\n";

TEST(minimal_filter_defaults)
{
  run_result r = run(ok_filter);
  CHECK_INTEQ(r.rc, 0);
  CHECK_INTEQ(r.fs.n, 1);
  if (r.fs.n == 1) {
    hg_filter *f = &r.fs.v[0];
    CHECK_STREQ(f->id, "t-one");
    CHECK_STREQ(f->title, "One");
    CHECK_STREQ(f->pattern, "{ $.eventName = \"X\" }");
    CHECK_STREQ(f->file, "filters/t.lua");
    CHECK_INTEQ(f->line, 1);
    CHECK_INTEQ(f->pattern_line, 4);
    CHECK_INTEQ(f->pattern_col, 14);
    CHECK(f->envs == NULL);
    CHECK(f->topic == HG_TOPIC_INFOSEC);
    CHECK(f->threshold == 1);
    CHECK_INTEQ(f->period, 300);
    CHECK_INTEQ(f->evaluation_periods, 1);
    CHECK_INTEQ(f->n_cis, 0);
  }
  CHECK_STREQ(r.diags, "");
  done(&r);
}

/* ---- sandbox escapes ------------------------------------------------------ */

TEST(escape_io)
{
  expect_fail("io.open('/etc/passwd')\n", "filters/t.lua:1:");
  expect_fail("local x = 1\nio.write('x')\n", "attempt to index a nil value (global 'io')");
}

TEST(escape_os)
{
  expect_fail("os.execute('id')\n", "(global 'os')");
}

TEST(escape_require_load_dofile)
{
  expect_fail("require('io')\n", "(global 'require')");
  expect_fail("load('return 1')()\n", "(global 'load')");
  expect_fail("loadstring('return 1')()\n", "(global 'loadstring')");
  expect_fail("dofile('/etc/passwd')\n", "(global 'dofile')");
  expect_fail("loadfile('/etc/passwd')\n", "(global 'loadfile')");
  expect_fail("collectgarbage()\n", "(global 'collectgarbage')");
  expect_fail("print('x')\n", "(global 'print')");
}

TEST(escape_string_dump_debug_package)
{
  expect_fail("local f = string.dump(function() end)\n", "(field 'dump')");
  expect_fail("debug.getinfo(1)\n", "(global 'debug')");
  expect_fail("package.loadlib('x', 'y')\n", "(global 'package')");
  expect_fail("local s = ('').dump\ns(print)\n", "filters/t.lua:2:");
}

TEST(escape_binary_chunk)
{
  run_result r = run("\033Lua\x54\x00 junk");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "filters/t.lua:1:1: error: precompiled (binary) chunks are not accepted");
  CHECK_HAS(r.diags, "[lua-binary-chunk]");
  done(&r);
}

TEST(env_is_read_only)
{
  expect_fail("env.name = 'dev'\n", "filters/t.lua:1: error: env is read-only [lua-runtime]");
  expect_fail("env.vars.trusted_source_ips[1] = '0.0.0.0'\n", "env is read-only");
  expect_fail("table.insert(env.vars.trusted_source_ips, '0.0.0.0')\n", "env is read-only");
  expect_fail("rawset(env, 'name', 'dev')\n", "filters/t.lua:1: error: env is read-only");
  expect_fail("rawset(env.vars, 'x', 1)\n", "env is read-only");
  expect_fail("setmetatable(env, nil)\n", "cannot change a protected metatable");
  expect_fail("local mt = getmetatable(env)\nmt.__index = {}\n", "filters/t.lua:2:");
  expect_fail("env.account.name = 'x'\n", "env is read-only");
}

TEST(env_values)
{
  const char *src =
      "assert(env.name == 'prod')\n"
      "assert(env.account.name == 'acme-prod')\n"
      "assert(env.account.id == '123456789012')\n"
      "assert(env.vars.max == 7 and math.type(env.vars.max) == 'integer')\n"
      "assert(env.flag == true)\n"
      "assert(#env.vars.trusted_source_ips == 2)\n"
      "assert(env.vars.trusted_source_ips[1] == '203.0.113.*')\n"
      "local keys = {}\n"
      "for k in pairs(env.vars) do keys[#keys + 1] = k end\n"
      "assert(table.concat(keys, ',') == 'large_instance_types,max,trusted_source_ips,"
      "watched_event_source,watched_instance_ids,watched_volume_ids', table.concat(keys, ','))\n"
      "local n = 0\n"
      "for i, v in ipairs(env.vars.watched_volume_ids) do n = n + 1; assert(v == 'vol-0abc') end\n"
      "assert(n == 1)\n"
      "assert(getmetatable(env) == false)\n"
      "assert(env.vars.nothing == nil)\n";
  run_result r = run(src);
  CHECK_INTEQ(r.rc, 0);
  CHECK_STREQ(r.diags, "");
  done(&r);
}

TEST(env_without_tree)
{
  hg_profile p;
  memset(&p, 0, sizeof p);
  p.env = "dev";
  run_result r = run_with(&p, "assert(env.name == 'dev')\nassert(next(env.vars) == nil)\n"
                                  "for k in pairs(env.vars) do error('x') end\n", &small);
  CHECK_INTEQ(r.rc, 0);
  CHECK_STREQ(r.diags, "");
  done(&r);
}

/* ---- limits --------------------------------------------------------------- */

TEST(infinite_loop)
{
  run_result r = run("local x = 0\nwhile true do\n  x = x + 1\nend\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "filters/t.lua:3: error: instruction budget of 5000000 exceeded");
  CHECK_HAS(r.diags, "[lua-instruction-budget]");
  CHECK_INTEQ(r.errors, 1);
  done(&r);
}

TEST(infinite_loop_in_pcall)
{
  run_result r = run("local ok = pcall(function() while true do end end)\n"
                     "for i = 1, 100 do pcall(function() while true do end end) end\n"
                     "filter { id = 'x', title = 'x', pattern = 'x' }\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "instruction budget of 5000000 exceeded");
  CHECK_INTEQ(r.fs.n, 0);
  done(&r);
}

TEST(infinite_loop_in_error_handler_and_gc)
{
  expect_fail("xpcall(function() error('x') end, function() while true do end end)\n",
              "instruction budget");
  /* Finalizers run with hooks off: __gc is refused. */
  expect_fail("setmetatable({}, {__gc = function() while true do end end})\n",
              "filters/t.lua:1: error: __gc metamethods are not allowed in filter files");
  expect_fail("local mt = {}\nlocal t = setmetatable({}, mt)\nmt.__gc = function() while true do end end\n"
              "t = nil\nlocal x = {} for i = 1, 1e9 do x[i % 10] = {} end\n",
              "instruction budget");
  expect_fail("do local x <close> = setmetatable({}, {__close = function() while true do end end}) end\n",
              "instruction budget");
}

TEST(memory_bombs)
{
  expect_fail("local s = string.rep('x', 1 << 30)\n", "filters/t.lua:1: error: memory limit of 16777216 bytes exceeded");
  expect_fail("local t = {}\nfor i = 1, 1e9 do t[i] = i end\n", "memory limit of 16777216 bytes exceeded");
  expect_fail("local s = 'x'\nwhile true do s = s .. s end\n", "memory limit");
  expect_fail("local t = {}\nfor i = 1, 1e9 do t[i] = tostring(i) .. 'abcdefgh' end\n", "[lua-memory-limit]");
  /* Caught by pcall: still a failure. */
  run_result r = run("local ok = pcall(string.rep, 'x', 1 << 30)\nassert(not ok)\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "memory limit");
  done(&r);
}

TEST(stack_overflow_is_an_error)
{
  /* Lua's own stack limit or the memory cap, whichever comes first. */
  expect_fail("local function f() return 1 + f() end\nf()\n", "filters/t.lua:1: error: ");
}

TEST(syntax_and_runtime_errors)
{
  run_result r = run("local x = 1\nfilter {\n  id = 'a'\n  title = 'b'\n}\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "filters/t.lua:4: error: '}' expected (to close '{' at line 2) near 'title' [lua-syntax]");
  done(&r);
  expect_fail("local x = nil\nlocal y = x.field\n", "filters/t.lua:2: error: attempt to index a nil value (local 'x') [lua-runtime]");
  expect_fail("error('boom')\n", "filters/t.lua:1: error: boom [lua-runtime]");
  expect_fail("error({})\n", "error object is a table value");
}

/* ---- filter{} checks --------------------------------------------------- */

TEST(duplicate_id)
{
  run_result r = run("filter { id = 'a', title = 'A', pattern = 'x' }\n"
                     "filter { id = 'b', title = 'B', pattern = 'x' }\n"
                     "filter { id = 'a', title = 'A2', pattern = 'y' }\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "filters/t.lua:3: error: duplicate filter id 'a' [lua-filter-duplicate-id]");
  CHECK_HAS(r.diags, "note: 'a' is first declared at filters/t.lua:1");
  CHECK_INTEQ(r.errors, 1);
  done(&r);
}

TEST(missing_pattern)
{
  run_result r = run("\nfilter {\n  id = 'a',\n  title = 'A',\n}\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "filters/t.lua:2: error: filter 'a': filter has no 'pattern' [lua-filter-missing-pattern]");
  done(&r);
  expect_fail("filter { id = 'a', title = 'A', pattern = '  ' }\n", "[lua-filter-pattern-empty]");
  expect_fail("filter { title = 'A', pattern = 'x' }\n", "filter has no 'id' [lua-filter-missing]");
}

TEST(wrong_field_types)
{
  run_result r = run("filter {\n"
                     "  id = 'Bad_Id',\n"
                     "  title = 42,\n"
                     "  pattern = {},\n"
                     "  envs = 'prod',\n"
                     "  topic = 'secops',\n"
                     "  alarm = { threshold = -1, period = 45, evaluation_periods = 0 },\n"
                     "  cis = { '3.1' },\n"
                     "  securityhub = 'CW-2',\n"
                     "  examples = { match = 'x' },\n"
                     "}\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "filters/t.lua:2:3: error: filter id 'Bad_Id' must be 1 to 64 characters of [a-z0-9-] [lua-filter-field]");
  CHECK_HAS(r.diags, "filters/t.lua:3:3: error: field 'title' must be a string, not number");
  CHECK_HAS(r.diags, "filters/t.lua:4:3: error: field 'pattern' must be a string or a pattern object");
  CHECK_HAS(r.diags, "filters/t.lua:5:3: error: field 'envs' must be \"all\" or a list of env names");
  CHECK_HAS(r.diags, "filters/t.lua:6:3: error: field 'topic' must be \"infosec\" or \"devops\"");
  CHECK_HAS(r.diags, "alarm threshold must be a number >= 0");
  CHECK_HAS(r.diags, "alarm period must be 10, 20, 30 or a multiple of 60");
  CHECK_HAS(r.diags, "alarm evaluation_periods must be an integer from 1 to 1440");
  CHECK_HAS(r.diags, "filters/t.lua:8:3: error: field 'cis' must map CIS versions");
  CHECK_HAS(r.diags, "filters/t.lua:9:3: error: field 'securityhub' must be a Security Hub control id");
  CHECK_HAS(r.diags, "filters/t.lua:10:16: error: examples.match must be a list");
  CHECK_INTEQ(r.errors, 11);
  CHECK_INTEQ(r.fs.n, 0);
  done(&r);
}

TEST(unknown_field_did_you_mean)
{
  run_result r = run("filter {\n  id = 'a',\n  title = 'A',\n  pattern = 'x',\n  treshold = 3,\n"
                     "  alarm = { threshhold = 2 },\n}\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "filters/t.lua:5:3: error: filter 'a': unknown field 'treshold' in filter [lua-filter-unknown-field]");
  CHECK_HAS(r.diags, "filters/t.lua:6:13: error: filter 'a': unknown field 'threshhold' in 'alarm'");
  CHECK_HAS(r.diags, "    alarm = { threshhold = 2 },\n              ^~~~~~~~~~\n");
  CHECK_HAS(r.diags, "note: 'threshold' belongs in alarm = { ... }");
  CHECK_HAS(r.diags, "note: did you mean 'threshold'?");
  done(&r);
}

TEST(all_errors_of_a_file_are_reported)
{
  run_result r = run("filter { id = 'a', title = 'A' }\nfilter { id = 'b', pattern = 'x' }\nfilter(1)\n");
  CHECK(r.rc == -1);
  CHECK_INTEQ(r.errors, 3);
  CHECK_HAS(r.diags, "filters/t.lua:3: error: filter expects one table");
  done(&r);
}

TEST(full_filter_fields)
{
  run_result r = run("filter {\n"
                     "  id = 'x-1',\n"
                     "  title = 'X',\n"
                     "  pattern = any_of('$.eventName', {'A', 'B'}),\n"
                     "  envs = {'prod', 'dev'},\n"
                     "  topic = 'devops',\n"
                     "  alarm = { threshold = 10, period = 600, evaluation_periods = 2 },\n"
                     "  cis = { ['5.0'] = '4.1', ['1.2'] = '3.1', ['1.4'] = '4.1', ['3.0'] = '4.1' },\n"
                     "  securityhub = 'CloudWatch.2',\n"
                     "  examples = {\n"
                     "    match = { { eventName = 'A', b = { z = 1, a = {1, 2.5, true, null} } }, 'raw A' },\n"
                     "    nomatch = { { eventName = 'C', requestParameters = null } },\n"
                     "  },\n"
                     "}\n");
  CHECK_INTEQ(r.rc, 0);
  CHECK_STREQ(r.diags, "");
  CHECK_INTEQ(r.fs.n, 1);
  if (r.fs.n == 1) {
    hg_filter *f = &r.fs.v[0];
    CHECK_STREQ(f->pattern, "{ ($.eventName = \"A\") || ($.eventName = \"B\") }");
    CHECK_INTEQ(f->pattern_line, 4);
    CHECK_INTEQ(f->pattern_col, 0);
    CHECK_INTEQ(f->n_envs, 2);
    CHECK_STREQ(f->envs[1], "dev");
    CHECK(f->topic == HG_TOPIC_DEVOPS);
    CHECK(f->threshold == 10);
    CHECK_INTEQ(f->period, 600);
    CHECK_INTEQ(f->evaluation_periods, 2);
    CHECK_INTEQ(f->n_cis, 4);
    if (f->n_cis == 4) {
      CHECK_STREQ(f->cis[0].version, "1.2");
      CHECK_STREQ(f->cis[0].number, "3.1");
      CHECK_STREQ(f->cis[1].version, "1.4");
      CHECK_STREQ(f->cis[2].version, "3.0");
      CHECK_STREQ(f->cis[3].version, "5.0");
    }
    CHECK_STREQ(f->securityhub, "CloudWatch.2");
    CHECK_INTEQ(f->n_match, 2);
    CHECK_INTEQ(f->n_nomatch, 1);
    if (f->n_match == 2) {
      CHECK_STREQ(f->match[0].text, "{\"b\":{\"a\":[1,2.5,true,null],\"z\":1},\"eventName\":\"A\"}");
      CHECK(f->match[0].is_json);
      CHECK_INTEQ(f->match[0].line, 11);
      CHECK_STREQ(f->match[1].text, "raw A");
      CHECK(!f->match[1].is_json);
    }
    if (f->n_nomatch == 1)
      CHECK_STREQ(f->nomatch[0].text, "{\"eventName\":\"C\",\"requestParameters\":null}");
  }
  done(&r);
}

TEST(envs_select_filters)
{
  const char *src = "filter { id = 'p', title = 'P', pattern = 'x', envs = {'prod'} }\n"
                    "filter { id = 'd', title = 'D', pattern = 'x', envs = {'dev'} }\n"
                    "filter { id = 'a', title = 'A', pattern = 'x', envs = 'all' }\n";
  run_result r = run_with(profile("dev", NULL), src, &small);
  CHECK_INTEQ(r.rc, 0);
  CHECK_INTEQ(r.fs.n, 2);
  if (r.fs.n == 2) {
    CHECK_STREQ(r.fs.v[0].id, "d");
    CHECK_STREQ(r.fs.v[1].id, "a");
  }
  done(&r);
}

TEST(variants)
{
  run_result r = run("filter {\n"
                     "  id = 'root-account-usage',\n"
                     "  title = 'Root',\n"
                     "  cis = { ['1.2'] = '3.3' },\n"
                     "  variants = {\n"
                     "    { name = 'securityhub', pattern = '{$.userIdentity.type=\"Root\"}' },\n"
                     "    { name = 'cis', pattern = '{ $.userIdentity.type = \"Root\" }', versions = {'1.2', '1.4'} },\n"
                     "  },\n"
                     "}\n");
  CHECK_INTEQ(r.rc, 0);
  CHECK_STREQ(r.diags, "");
  if (r.fs.n == 1) {
    hg_filter *f = &r.fs.v[0];
    CHECK_INTEQ(f->n_variants, 2);
    CHECK_STREQ(f->variants[0].name, "securityhub");
    CHECK_INTEQ(f->variants[0].line, 6);
    CHECK_STREQ(f->variants[1].pattern, "{ $.userIdentity.type = \"Root\" }");
    CHECK_INTEQ(f->variants[1].line, 7);
    CHECK_INTEQ(f->variants[1].n_versions, 2);
    CHECK_STREQ(f->variants[1].versions[1], "1.4");
    CHECK_STREQ(f->pattern, "{$.userIdentity.type=\"Root\"}");
  }
  done(&r);
  expect_fail("filter { id = 'v', title = 'V', variants = { { name = 'a', patern = 'x' } } }\n",
              "unknown field 'patern' in a variant");
}

TEST(determinism)
{
  const char *src =
      "local ev = {}\n"
      "for i = 1, 50 do ev['k' .. i] = { ['z' .. i] = i, ['a' .. i] = tostring(i) } end\n"
      "filter { id = 'd', title = 'D', pattern = 'x', examples = { match = { ev }, nomatch = { 'n' } },\n"
      "  cis = { ['5.0'] = '4.1', ['1.2'] = '3.1', ['1.4'] = '4.1', ['3.0'] = '4.1' } }\n"
      "filter { id = 'e', title = 'E', pattern = 'x', zzz = 1, aaa = 2, mmm = 3 }\n";
  run_result a = run(src), b = run(src);
  CHECK_STREQ(a.diags, b.diags);
  CHECK_HAS(a.diags, "unknown field 'aaa'");
  const char *p1 = strstr(a.diags, "'aaa'"), *p2 = strstr(a.diags, "'mmm'"), *p3 = strstr(a.diags, "'zzz'");
  CHECK(p1 && p2 && p3 && p1 < p2 && p2 < p3);
  CHECK_INTEQ(a.fs.n, 0); /* 'e' failed, so the whole run yields nothing */
  done(&a);
  done(&b);
  const char *src2 =
      "local ev = {}\n"
      "for i = 1, 50 do ev['k' .. i] = { ['z' .. i] = i, ['a' .. i] = tostring(i) } end\n"
      "filter { id = 'd', title = 'D', pattern = 'x', examples = { match = { ev } } }\n";
  run_result c = run(src2), d = run(src2);
  CHECK_INTEQ(c.fs.n, 1);
  CHECK_INTEQ(d.fs.n, 1);
  if (c.fs.n == 1 && d.fs.n == 1) {
    CHECK_STREQ(c.fs.v[0].match[0].text, d.fs.v[0].match[0].text);
    CHECK(strncmp(c.fs.v[0].match[0].text, "{\"k1\":{\"a1\":\"1\",\"z1\":1},\"k10\":", 30) == 0);
  }
  done(&c);
  done(&d);
}

TEST(example_errors)
{
  expect_fail("filter { id = 'a', title = 'A', pattern = 'x', examples = { match = { { f = print or function() end } } } }\n",
              "examples.match[1] at f: a function cannot be written as JSON");
  expect_fail("local t = {}\nt.self = t\nfilter { id = 'a', title = 'A', pattern = 'x', examples = { match = { t } } }\n",
              "nested too deeply");
  expect_fail("filter { id = 'a', title = 'A', pattern = 'x', examples = { match = { { 1, x = 2 } } } }\n",
              "an object key is not a string");
  expect_fail("filter { id = 'a', title = 'A', pattern = 'x', examples = { mach = {} } }\n",
              "did you mean 'match'?");
}

/* ---- helpers ------------------------------------------------------------- */

/* The pattern text of one filter whose pattern is the Lua expression expr. */
static char *pattern_of(const hg_profile *p, const char *expr, char **diags)
{
  char *src = xasprintf("filter { id = 'h', title = 'H', pattern = %s }\n", expr);
  run_result r = run_with(p, src, &small);
  free(src);
  char *out = r.fs.n == 1 ? xstrdup(r.fs.v[0].pattern) : NULL;
  *diags = xstrdup(r.diags);
  done(&r);
  return out;
}

#define CHECK_PATTERN(expr, want)                                                                    \
  do {                                                                                               \
    char *d_;                                                                                        \
    char *got_ = pattern_of(profile("prod", NULL), expr, &d_);                                       \
    if (!got_)                                                                                       \
      FAIL_AT("%s failed: %s", expr, d_);                                                            \
    else                                                                                             \
      CHECK_STREQ(got_, want);                                                                       \
    free(got_);                                                                                      \
    free(d_);                                                                                        \
  } while (0)

TEST(helpers_build_patterns)
{
  CHECK_PATTERN("eq('$.eventName', 'StopInstances')", "{ $.eventName = \"StopInstances\" }");
  CHECK_PATTERN("ne('$.a.b', 'x')", "{ $.a.b != \"x\" }");
  CHECK_PATTERN("eq('$.a[0]', 12)", "{ $.a[0] = 12 }");
  CHECK_PATTERN("gt('$.n', 1.5)", "{ $.n > 1.5 }");
  CHECK_PATTERN("le('$.n', 3)", "{ $.n <= 3 }");
  CHECK_PATTERN("eq('$.readOnly', false)", "{ $.readOnly IS FALSE }");
  CHECK_PATTERN("exists('$.x')", "{ $.x = * }");
  CHECK_PATTERN("not_exists('$.userIdentity.invokedBy')", "{ $.userIdentity.invokedBy NOT EXISTS }");
  CHECK_PATTERN("is_null('$.errorCode')", "{ $.errorCode IS NULL }");
  CHECK_PATTERN("eq(\"$.['x.y']\", 'v')", "{ $.['x.y'] = \"v\" }");
  CHECK_PATTERN("any_of('$.e', {'A'})", "{ $.e = \"A\" }");
  CHECK_PATTERN("none_of('$.ip', env.vars.trusted_source_ips)",
                "{ ($.ip != \"203.0.113.*\") && ($.ip != \"198.51.100.7\") }");
  CHECK_PATTERN("all_of{ eq('$.a', 'x'), any_of('$.b', {'1', '2'}) }",
                "{ ($.a = \"x\") && (($.b = \"1\") || ($.b = \"2\")) }");
  CHECK_PATTERN("either{ eq('$.a', 'x'), '$.b = 1' }", "{ ($.a = \"x\") || ($.b = 1) }");
  CHECK_PATTERN("tostring(eq('$.a', 'x'))", "{ $.a = \"x\" }");
  CHECK_PATTERN("'{ ' .. quote('a\"b\\\\c') .. ' }'", "{ \"a\\\"b\\\\c\" }");
  CHECK_PATTERN("eq('$.a', 'lit\\\\*')", "{ $.a = \"lit\\*\" }");
}

TEST(helpers_reject_bad_input)
{
  expect_fail("local p = eq('eventName', 'x')\n", "filters/t.lua:1: error: invalid selector 'eventName'");
  expect_fail("local p = eq('$.a b', 'x')\n", "invalid selector");
  expect_fail("local p = eq('$.a', 'x\\ny')\n", "control character");
  expect_fail("local p = eq('$.a', {})\n", "eq: a value must be a string or a number, not table");
  expect_fail("local p = any_of('$.a', {})\n", "any_of: the list is empty");
  expect_fail("local p = all_of{ '{ $.a = 1 }' }\n", "whole pattern");
  expect_fail("local p = gt('$.a', '5')\n", "gt: the value must be a number");
  expect_fail("local p = eq('$.a', 0/0)\n", "finite");
}

TEST(helpers_quote_var_values_cannot_break_out)
{
  /* A var value that tries to close the string and add a clause. */
  char *d;
  char *got = pattern_of(profile("prod", "x\" || $.a = \""),
                         "none_of('$.sourceIPAddress', env.vars.trusted_source_ips)", &d);
  CHECK_STREQ(got, "{ ($.sourceIPAddress != \"203.0.113.*\") && "
                   "($.sourceIPAddress != \"x\\\" || $.a = \\\"\") }");
  free(got);
  free(d);
  got = pattern_of(profile("prod", "a\\"), "eq('$.x', env.vars.trusted_source_ips[2])", &d);
  CHECK_STREQ(got, "{ $.x = \"a\\\\\" }");
  free(got);
  free(d);
  got = pattern_of(profile("prod", "\\\"} || {"), "eq('$.x', env.vars.trusted_source_ips[2])", &d);
  CHECK_STREQ(got, "{ $.x = \"\\\\\\\"} || {\" }");
  free(got);
  free(d);
}

/* ---- files ---------------------------------------------------------------- */

static char *tmp_tree(void)
{
  char tmpl[] = "/tmp/hg-lua-XXXXXX";
  char *d = mkdtemp(tmpl);
  return d ? xstrdup(d) : NULL;
}

static void put(const char *dir, const char *name, const char *text)
{
  char *path = xasprintf("%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  free(path);
}

static void rm_tree(const char *dir)
{
  char *cmd = xasprintf("rm -rf '%s'", dir);
  if (system(cmd) != 0) {
  }
  free(cmd);
}

TEST(files_and_overrides)
{
  char *root = tmp_tree();
  char *share = tmp_tree();
  CHECK(root && share);
  if (!root || !share)
    return;
  char *rf = xasprintf("%s/filters", root), *sf = xasprintf("%s/filters", share);
  hg_mkdirs(rf, 0755);
  hg_mkdirs(sf, 0755);
  put(sf, "b.lua", "filter { id = 'shipped-1', title = 'S1', pattern = 's1' }\n"
                   "filter { id = 'shipped-2', title = 'S2', pattern = 's2' }\n");
  put(sf, "c.lua", "filter { id = 'replaced-file', title = 'C', pattern = 'c' }\n");
  put(rf, "c.lua", "filter { id = 'repo-c', title = 'C', pattern = 'c2' }\n");
  put(rf, "a.lua", "filter { id = 'shipped-2', title = 'Mine', pattern = 'mine' }\n"
                   "filter { id = 'only-dev', title = 'D', pattern = 'd', envs = {'dev'} }\n");
  put(rf, "README.txt", "not lua");
  hg_filterset fs;
  hg_filterset_init(&fs);
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_res *res = hg_res_new(root);
  hg_res_set_share(res, share);
  int rc = hg_lua_run(profile("prod", NULL), res, &small, &fs, &s);
  CHECK_INTEQ(rc, 0);
  CHECK_INTEQ(s.n, 0);
  CHECK_INTEQ(fs.n, 3);
  if (fs.n == 3) {
    CHECK_STREQ(fs.v[0].id, "shipped-2");
    CHECK_STREQ(fs.v[0].title, "Mine");
    CHECK(strstr(fs.v[0].file, "/filters/a.lua") != NULL);
    CHECK_STREQ(fs.v[1].id, "shipped-1");
    CHECK_STREQ(fs.v[2].id, "repo-c");
  }
  hg_filterset_free(&fs);
  hg_diag_free(&s);

  /* Two repo files declaring one id: an error naming both. */
  put(rf, "d.lua", "\n\nfilter { id = 'repo-c', title = 'C again', pattern = 'c3' }\n");
  hg_filterset_init(&fs);
  hg_diag_init(&s);
  rc = hg_lua_run(profile("prod", NULL), res, &small, &fs, &s);
  CHECK_INTEQ(rc, -1);
  CHECK_INTEQ(fs.n, 0);
  CHECK_INTEQ(s.errors, 1);
  if (s.n >= 1) {
    CHECK(strstr(s.v[0].file, "filters/d.lua") != NULL);
    CHECK_INTEQ(s.v[0].line, 3);
    CHECK(s.v[0].n_notes == 1 && strstr(s.v[0].notes[0], "filters/c.lua:1") != NULL);
  }
  hg_filterset_free(&fs);
  hg_diag_free(&s);
  hg_res_free(res);
  rm_tree(root);
  rm_tree(share);
  free(rf);
  free(sf);
  free(root);
  free(share);
}

TEST(fixture_files)
{
  /* tests/lua holds one file per failure class; each must fail with its code. */
  static const struct { const char *file, *code; } cases[] = {
      {"tests/lua/escape_io.lua", "[lua-runtime]"},
      {"tests/lua/loop_pcall.lua", "[lua-instruction-budget]"},
      {"tests/lua/memory_bomb.lua", "[lua-memory-limit]"},
      {"tests/lua/syntax_error.lua", "[lua-syntax]"},
      {"tests/lua/duplicate_id.lua", "[lua-filter-duplicate-id]"},
      {"tests/lua/missing_pattern.lua", "[lua-filter-missing-pattern]"},
      {"tests/lua/unknown_field.lua", "[lua-filter-unknown-field]"},
  };
  for (size_t i = 0; i < HG_COUNTOF(cases); i++) {
    size_t len;
    char *text = hg_read_file(cases[i].file, 1 << 20, &len);
    CHECK(text != NULL);
    if (!text)
      continue;
    run_result r = run(text);
    if (r.rc != -1 || !strstr(r.diags, cases[i].code))
      FAIL_AT("%s: expected %s, got:\n%s", cases[i].file, cases[i].code, r.diags);
    done(&r);
    free(text);
  }
}

TEST(string_patterns_are_charged)
{
  expect_fail("local s = string.rep('a', 20000)\nlocal x = s:find('.-.-.-b')\n",
              "filters/t.lua:2: error: instruction budget of 5000000 exceeded");
  expect_fail("local s = string.rep('a', 20000)\nlocal ok = pcall(string.gsub, s, '(a*)*b', '')\n",
              "instruction budget");
  run_result r = run("assert(('arn:aws:iam::123456789012:role/x'):match('^arn:(%w+):(%w*):') == 'aws')\n"
                     "assert(('a.b.c'):gsub('%.', '-') == 'a-b-c')\n"
                     "for w in ('a b c'):gmatch('%a+') do end\n"
                     "assert(('x'):find('.', 1, true) == nil)\n"
                     "assert(string.rep('x', 100000):find('y', 1, true) == nil)\n");
  CHECK_INTEQ(r.rc, 0);
  CHECK_STREQ(r.diags, "");
  done(&r);
}

/* ---- the shipped custom filters -------------------------------------------- */

static const hg_filter *find_filter(const hg_filterset *fs, const char *id)
{
  for (size_t i = 0; i < fs->n; i++)
    if (strcmp(fs->v[i].id, id) == 0)
      return &fs->v[i];
  return NULL;
}

TEST(custom_filters)
{
  static const char *const ids[] = {
      "ec2-power-operations",     "mass-instance-termination",  "ebs-volume-force-detach",
      "vpc-flow-log-changes",     "rds-db-changes",             "large-instance-launched",
      "watched-volume-changes",   "watched-instance-changes",   "security-group-lifecycle",
      "instance-security-group-changes", "elastic-ip-changes",  "untrusted-source-api-calls",
      "watched-service-mutations",
  };
  size_t len;
  char *text = hg_read_file("filters/custom.lua", 1 << 20, &len);
  CHECK(text != NULL);
  if (!text)
    return;
  run_result r = run_with(profile("prod", NULL), text, NULL);
  CHECK_INTEQ(r.rc, 0);
  CHECK_STREQ(r.diags, "");
  CHECK_INTEQ(r.fs.n, HG_COUNTOF(ids));
  for (size_t i = 0; i < r.fs.n && i < HG_COUNTOF(ids); i++) {
    const hg_filter *f = &r.fs.v[i];
    CHECK_STREQ(f->id, ids[i]);
    CHECK(f->title && *f->title);
    CHECK(f->n_match >= 1 && f->n_nomatch >= 1);
    CHECK(f->pattern_line > f->line);
  }
  const hg_filter *f = find_filter(&r.fs, "ec2-power-operations");
  CHECK(f && f->topic == HG_TOPIC_DEVOPS && f->threshold == 10);
  f = find_filter(&r.fs, "untrusted-source-api-calls");
  CHECK(f != NULL);
  if (f)
    CHECK_STREQ(f->pattern, "{ ($.sourceIPAddress != \"203.0.113.*\") && ($.sourceIPAddress != \"198.51.100.7\") && "
                            "($.sourceIPAddress != \"*.amazonaws.com\") && ($.sourceIPAddress != \"AWS Internal\") && "
                            "($.userIdentity.type != \"AWSService\") }");
  f = find_filter(&r.fs, "watched-service-mutations");
  if (f)
    CHECK_STREQ(f->pattern, "{ ($.eventSource = \"s3.amazonaws.com\") && ($.readOnly IS FALSE) }");
  f = find_filter(&r.fs, "watched-instance-changes");
  if (f)
    CHECK_STREQ(f->pattern, "{ ($.readOnly IS FALSE) && (($.requestParameters.instancesSet.items[*].instanceId = "
                            "\"i-0123456789abcdef0\") || ($.requestParameters.instanceId = \"i-0123456789abcdef0\")) }");
  f = find_filter(&r.fs, "ebs-volume-force-detach");
  if (f && f->n_match)
    CHECK(strstr(f->match[0].text, "\"requestParameters\":{\"force\":true,\"instanceId\":") != NULL);
  done(&r);

  /* dev: the prod-only filters are left out; with no vars, the var filters too. */
  r = run_with(profile("dev", NULL), text, NULL);
  CHECK_INTEQ(r.fs.n, HG_COUNTOF(ids) - 2);
  CHECK(find_filter(&r.fs, "watched-volume-changes") == NULL);
  done(&r);
  hg_profile bare;
  memset(&bare, 0, sizeof bare);
  bare.env = "prod";
  r = run_with(&bare, text, NULL);
  CHECK_INTEQ(r.rc, 0);
  CHECK_INTEQ(r.fs.n, 8);
  CHECK(find_filter(&r.fs, "untrusted-source-api-calls") == NULL);
  done(&r);
  free(text);
}

TEST(c_work_is_charged)
{
  /* Each call does megabytes of work in C for a handful of instructions. */
  expect_fail("for i = 1, 1e9 do local s = string.rep('x', 1 << 20) end\n",
              "filters/t.lua:1: error: instruction budget of 5000000 exceeded");
  expect_fail("local t = {}\nfor i = 1, 100000 do t[i] = i end\nfor i = 1, 1e9 do table.sort(t) end\n",
              "instruction budget");
  expect_fail("local t = {}\nfor i = 1, 100000 do t[i] = i end\nfor i = 1, 1e9 do table.insert(t, 1, 0); table.remove(t, 1) end\n",
              "instruction budget");
  run_result r = run("local t = {3, 1, 2}\ntable.sort(t)\ntable.insert(t, 4)\nassert(table.remove(t, 1) == 1)\n");
  CHECK_INTEQ(r.rc, 0);
  CHECK_STREQ(r.diags, "");
  done(&r);
}

TEST(host_side_limits)
{
  /* Records kept outside the Lua heap are bounded too. */
  expect_fail("for i = 1, 20000 do filter { id = 'f' .. i, title = 'T', pattern = 'x' } end\n",
              "filters/t.lua:1: error: more than 10000 filter declarations in one file [lua-runtime]");
  run_result r = run("for i = 1, 1000 do filter { title = 1 } end\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "too many errors in this file; stopping");
  CHECK(r.errors < 150);
  done(&r);
  /* A shared subtable doubles the text at every level. */
  expect_fail("local t = {'x'}\nfor i = 1, 30 do t = {t, t} end\n"
              "filter { id = 'a', title = 'A', pattern = 'x', examples = { match = { { e = t } } } }\n",
              "the event is larger than 256 KiB");
  r = run("local t = { id = 'a', title = 'A', pattern = 'x' }\nfor i = 1, 500 do t['bad' .. i] = 1 end\nfilter(t)\n");
  CHECK(r.rc == -1);
  CHECK_INTEQ(r.errors, 21);
  CHECK_HAS(r.diags, "further errors of this filter are not shown");
  done(&r);
}

/* ---- the CPU limit holds when each instruction is expensive ----------------- */

/* utf8.len over a long string is one instruction of C work: it is charged by
 * the bytes it scans (it used to run for minutes before any limit fired). */
TEST(utf8_scan_is_charged)
{
  run_result r = run("local s = ('x'):rep(4 * 1024 * 1024)\nlocal n = 0\n"
                     "for i = 1, 2e7 do n = n + utf8.len(s) end\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "filters/t.lua:3: error: instruction budget of 5000000 exceeded");
  done(&r);
}

/* Comparing two long equal strings is one instruction that nothing charges:
 * the CPU clock, read at every budget check with a step that shrinks while
 * instructions are expensive, stops the file. 3000 comparisons are far fewer
 * instructions than a fixed 16000-instruction clock interval. */
TEST(cpu_limit_with_expensive_instructions)
{
  const hg_lua_limits lim = {64u << 20, 100000000, 0.2};
  run_result r = run_with(profile("prod", NULL),
                          "local a = ('x'):rep(8 * 1024 * 1024)\n"
                          "local b = ('x'):rep(8 * 1024 * 1024)\n"
                          "local c = 0\n"
                          "for i = 1, 3000 do if a <= b then c = c + 1 end end\n",
                          &lim);
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "error: CPU time limit of 0.2 s exceeded [lua-instruction-budget]");
  done(&r);
}

/* ---- every Lua diagnostic has file:line, bounded and printable ------------- */

TEST(errors_without_position_get_a_line)
{
  expect_fail("error({})\n", "filters/t.lua:1: error: error object is a table value [lua-runtime]");
  expect_fail("local x = 1\nerror(nil)\n", "filters/t.lua:2: error: error object is a nil value");
  expect_fail("local x = 1\nerror(setmetatable({}, {__tostring = function(t) return tostring(t) end}))\n",
              "filters/t.lua:2: error: error object is a table value");
  expect_fail("local t = {}\nfor i = 1, 50 do t[i] = 51 - i end\n"
              "table.sort(t, function(a, b) return true end)\n",
              "filters/t.lua:3: error: invalid order function for sorting");
  expect_fail("local x\nnext({}, 'nokey')\n", "filters/t.lua:2: error: invalid key to 'next'");
  expect_fail("local x\nerror('boom', 0)\n", "filters/t.lua:2: error: boom [lua-runtime]");
  expect_fail("local x\nrawset(env, 'x', 1)\n", "filters/t.lua:2: error: env is read-only");
}

TEST(error_messages_capped_and_escaped)
{
  run_result r = run("error(string.rep('A', 1e6))\n");
  CHECK(r.rc == -1);
  CHECK_HAS(r.diags, "filters/t.lua:1: error: AAAA");
  CHECK_HAS(r.diags, "... (");
  CHECK(strlen(r.diags) < 2 * HG_DIAG_MAX_MESSAGE);
  done(&r);
  expect_fail("error('a\\nb\\27[31mred\\255')\n", "filters/t.lua:1: error: a\\nb\\x1b[31mred\\xff [lua-runtime]");
}

TEST(title_must_be_text)
{
  expect_fail("filter { id = 'x', title = 'a\\xc2\\x85b', pattern = 'x' }\n",
              "field 'title' is not text: control character U+0085 at byte 2");
  expect_fail("filter { id = 'x', title = 'a\\xffb', pattern = 'x' }\n", "field 'title' is not text: invalid UTF-8 byte 0xff at byte 2");
  expect_fail("filter { id = 'x', title = 'a\\u{FDD0}b', pattern = 'x' }\n", "non-character U+FDD0");
  expect_fail("filter { id = 'x', title = 'a\\xed\\xa0\\x80b', pattern = 'x' }\n", "UTF-16 surrogate U+D800");
}

