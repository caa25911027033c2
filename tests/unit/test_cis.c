/*
 * test_cis.c — the CIS checkers and the variant selection, judged against
 * the facts in $HG_DATA/reference/cis-controls.json (tests/data/reference).
 *
 * filters/cis.lua is read here with a bare Lua state and a minimal
 * `filter` function, so selection is tested on exactly the shipped
 * variants whether or not the sandboxed host is present.
 */
#include "harness.h"

#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "hg/cis.h"
#include "hg/emit.h"
#include "hg/fp.h"
#include "hg/json.h"
#include "hg/lua.h"
#include "hg/util.h"

static const unsigned T_SH = HG_TARGET_SECURITYHUB, T_PR = HG_TARGET_PROWLER,
                      T_SP = HG_TARGET_STEAMPIPE;

/* ---- facts ---------------------------------------------------------------- */

static cJSON *facts(void)
{
  static cJSON *root;
  if (root)
    return root;
  const char *shared = getenv("HG_DATA");
  char *path = xasprintf("%s/reference/cis-controls.json", shared ? shared : "tests/data");
  size_t len;
  char *text = hg_read_file(path, 1 << 20, &len);
  free(path);
  if (!text)
    return NULL;
  root = cJSON_Parse(text);
  free(text);
  return root;
}

static cJSON *fact_controls(void)
{
  cJSON *r = facts();
  return r ? cJSON_GetObjectItem(r, "controls") : NULL;
}

static cJSON *fact_control(const char *id)
{
  cJSON *c;
  cJSON_ArrayForEach(c, fact_controls())
  {
    if (strcmp(cJSON_GetObjectItem(c, "id")->valuestring, id) == 0)
      return c;
  }
  return NULL;
}

static const char *fact_str(const cJSON *c, const char *key)
{
  const cJSON *v = cJSON_GetObjectItem(c, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *fact_text(const cJSON *c, const char *version)
{
  const cJSON *t = cJSON_GetObjectItem(cJSON_GetObjectItem(c, "cis_text"), version);
  return cJSON_IsString(t) ? t->valuestring : NULL;
}

/* Replace every whole-word occurrence of word in s by word + "Zz", or by
 * "Zz" + word when prefix (malloc'd). */
static char *spoil(const char *s, const char *word, bool prefix)
{
  hg_buf b;
  hg_buf_init(&b);
  size_t wl = strlen(word);
  for (const char *p = s; *p;) {
    bool left = p == s || !(p[-1] == '_' || (p[-1] >= 'A' && p[-1] <= 'Z') ||
                            (p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9'));
    bool at = strncmp(p, word, wl) == 0;
    char r = at ? p[wl] : 0;
    bool right = at && !(r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'));
    if (left && right) {
      if (prefix)
        hg_buf_puts(&b, "Zz");
      hg_buf_append(&b, word, wl);
      if (!prefix)
        hg_buf_puts(&b, "Zz");
      p += wl;
    } else {
      hg_buf_putc(&b, *p++);
    }
  }
  return hg_buf_take(&b, NULL);
}

static bool check(const char *id, unsigned t, const char *pat)
{
  return hg_cis_check(hg_cis_control_find(id), t, pat, NULL);
}

/* ---- filters/cis.lua, read with a bare Lua state --------------------------- */

static char **strv_from(lua_State *L, int idx, size_t *n)
{
  *n = 0;
  if (!lua_istable(L, idx))
    return NULL;
  size_t len = (size_t)luaL_len(L, idx);
  char **v = xcalloc(len ? len : 1, sizeof *v);
  for (size_t i = 1; i <= len; i++) {
    lua_geti(L, idx, (lua_Integer)i);
    v[(*n)++] = xstrdup(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  return v;
}

/* A Lua example table as a cJSON object (strings and nested tables only). */
static cJSON *table_json(lua_State *L, int idx, int depth)
{
  cJSON *o = cJSON_CreateObject();
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const char *k = lua_tostring(L, -2);
    if (lua_istable(L, -1) && depth < 8)
      cJSON_AddItemToObject(o, k, table_json(L, lua_gettop(L), depth + 1));
    else
      cJSON_AddStringToObject(o, k, lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  return o;
}

static hg_example *examples_from(lua_State *L, int idx, const char *key, size_t *n)
{
  *n = 0;
  lua_getfield(L, idx, key);
  size_t len = lua_istable(L, -1) ? (size_t)luaL_len(L, -1) : 0;
  hg_example *v = len ? xcalloc(len, sizeof *v) : NULL;
  for (size_t i = 1; i <= len; i++) {
    lua_geti(L, -1, (lua_Integer)i);
    cJSON *j = table_json(L, lua_gettop(L), 0);
    v[*n].text = cJSON_PrintUnformatted(j);
    v[(*n)++].is_json = true;
    cJSON_Delete(j);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return v;
}

static int l_filter(lua_State *L)
{
  hg_filterset *fs = lua_touserdata(L, lua_upvalueindex(1));
  hg_filter *f = hg_filterset_add(fs);
  lua_Debug ar;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
    f->line = ar.currentline;
  f->file = xstrdup("filters/cis.lua");
  f->threshold = 1;
  f->period = 300;
  f->evaluation_periods = 1;
  lua_getfield(L, 1, "id");
  f->id = xstrdup(lua_tostring(L, -1));
  lua_getfield(L, 1, "title");
  f->title = xstrdup(lua_tostring(L, -1));
  lua_getfield(L, 1, "securityhub");
  if (lua_isstring(L, -1))
    f->securityhub = xstrdup(lua_tostring(L, -1));
  lua_pop(L, 3);
  static const char *const versions[] = {"1.2", "1.4", "3.0", "5.0"};
  lua_getfield(L, 1, "cis");
  f->cis = xcalloc(4, sizeof *f->cis);
  for (size_t i = 0; i < 4; i++) {
    lua_getfield(L, -1, versions[i]);
    if (lua_isstring(L, -1)) {
      f->cis[f->n_cis].version = xstrdup(versions[i]);
      f->cis[f->n_cis++].number = xstrdup(lua_tostring(L, -1));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "variants");
  size_t nv = (size_t)luaL_len(L, -1);
  f->variants = xcalloc(nv, sizeof *f->variants);
  for (size_t i = 1; i <= nv; i++) {
    hg_variant *v = &f->variants[f->n_variants++];
    lua_geti(L, -1, (lua_Integer)i);
    lua_getfield(L, -1, "name");
    v->name = xstrdup(lua_tostring(L, -1));
    lua_getfield(L, -2, "pattern");
    v->pattern = xstrdup(lua_tostring(L, -1));
    lua_getfield(L, -3, "versions");
    v->versions = strv_from(L, lua_gettop(L), &v->n_versions);
    v->line = (int)i; /* the variant's position stands in for its line */
    lua_pop(L, 4);
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "examples");
  f->match = examples_from(L, lua_gettop(L), "match", &f->n_match);
  f->nomatch = examples_from(L, lua_gettop(L), "nomatch", &f->n_nomatch);
  lua_pop(L, 1);
  return 0;
}

static int load_cis_lua(hg_filterset *fs)
{
  const char *top = getenv("HG_TOP");
  char *path = xasprintf("%s/filters/cis.lua", top ? top : ".");
  lua_State *L = luaL_newstate();
  luaL_openlibs(L);
  lua_pushlightuserdata(L, fs);
  lua_pushcclosure(L, l_filter, 1);
  lua_setglobal(L, "filter");
  int rc = luaL_dofile(L, path);
  if (rc)
    printf("# %s\n", lua_tostring(L, -1));
  lua_close(L);
  free(path);
  return rc;
}

static hg_profile profile(const char *version, unsigned targets)
{
  hg_profile p;
  memset(&p, 0, sizeof p);
  p.env = "test";
  p.path = "profiles/test.yaml";
  p.cis_version = version;
  p.cis_targets = targets;
  return p;
}

/* ---- the table is the facts ------------------------------------------------ */

TEST(table_matches_facts)
{
  CHECK(facts() != NULL);
  CHECK_INTEQ(cJSON_GetArraySize(fact_controls()), (int)hg_cis_control_count());
  size_t i = 0;
  cJSON *c;
  cJSON_ArrayForEach(c, fact_controls())
  {
    const char *id = fact_str(c, "id");
    const hg_cis_control *t = hg_cis_control_at(i++);
    CHECK_STREQ(t->id, id); /* same order: CIS order */
    if (fact_str(c, "securityhub_pattern")) {
      CHECK_STREQ(t->securityhub_pattern, fact_str(c, "securityhub_pattern"));
      CHECK_STREQ(t->securityhub, fact_str(c, "securityhub"));
    } else {
      CHECK(t->securityhub_pattern == NULL && t->securityhub == NULL);
    }
    const cJSON *cis = cJSON_GetObjectItem(c, "cis");
    for (int v = 0; v < HG_CIS_NVERSIONS; v++) {
      const cJSON *num = cJSON_GetObjectItem(cis, hg_cis_versions[v]);
      if (num)
        CHECK_STREQ(t->cis[v], num->valuestring);
      else
        CHECK(t->cis[v] == NULL);
    }
  }
}

/* Each event name and source of the facts is required by prowler and
 * steampipe: spoiling one in the newest CIS text fails both. */
TEST(every_fact_name_is_required)
{
  cJSON *c;
  int spoiled = 0;
  cJSON_ArrayForEach(c, fact_controls())
  {
    const char *id = fact_str(c, "id");
    const char *text = fact_text(c, "5.0");
    /* steampipe wants ModifySecurityGroupRules; prowler the 21 names for
     * organizations: start from a text every checker accepts. */
    CHECK(check(id, T_PR, text) || strcmp(id, "organizations-changes") == 0);
    CHECK(check(id, T_SP, text));
    const cJSON *names = cJSON_GetObjectItem(c, "event_names"), *n;
    cJSON_ArrayForEach(n, names)
    {
      char *bad = spoil(text, n->valuestring, false);
      CHECK(strcmp(bad, text) != 0);
      if (check(id, T_SP, bad))
        FAIL_AT("%s: steampipe accepts a pattern without %s", id, n->valuestring);
      if (strcmp(id, "organizations-changes") != 0 && check(id, T_PR, bad))
        FAIL_AT("%s: prowler accepts a pattern without %s", id, n->valuestring);
      free(bad);
      spoiled++;
    }
    const char *src = fact_str(c, "event_source");
    if (src) {
      char *bad = spoil(text, src, true);
      CHECK(!check(id, T_SP, bad));
      CHECK(strcmp(id, "organizations-changes") == 0 || !check(id, T_PR, bad));
      free(bad);
    }
  }
  CHECK_INTEQ(spoiled, 16 + 5 + 2 + 9 + 4 + 6 + 6 + 6 + 7 + 11 + 18);
}

/* The Security Hub strings against the three checkers: exactly the three
 * disagreements the issue names. */
TEST(securityhub_strings_per_checker)
{
  cJSON *c;
  cJSON_ArrayForEach(c, fact_controls())
  {
    const char *id = fact_str(c, "id"), *sh = fact_str(c, "securityhub_pattern");
    if (!sh) {
      CHECK(check(id, T_SH, "anything")); /* does not apply */
      continue;
    }
    CHECK(check(id, T_SH, sh));
    bool pr_fails = strcmp(id, "route-table-changes") == 0;
    bool sp_fails = strcmp(id, "unauthorized-api-calls") == 0 || strcmp(id, "security-group-changes") == 0;
    if (check(id, T_PR, sh) == pr_fails)
      FAIL_AT("%s: prowler on the Security Hub string", id);
    if (check(id, T_SP, sh) == sp_fails)
      FAIL_AT("%s: steampipe on the Security Hub string", id);
    /* Every CIS text that differs from the string fails Security Hub. */
    for (int v = 0; v < HG_CIS_NVERSIONS; v++) {
      const char *t = fact_text(c, hg_cis_versions[v]);
      if (t && strcmp(t, sh) != 0)
        CHECK(!check(id, T_SH, t));
    }
  }
}

/* ---- checker unit tests ----------------------------------------------------- */

TEST(securityhub_is_byte_exact)
{
  const char *id = "root-account-usage";
  CHECK(check(id, T_SH, "{$.userIdentity.type=\"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !=\"AwsServiceEvent\"}"));
  CHECK(!check(id, T_SH, "{($.userIdentity.type=\"Root\") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType !=\"AwsServiceEvent\")}"));
  CHECK(!check(id, T_SH, "{ $.userIdentity.type=\"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !=\"AwsServiceEvent\" }"));
  char *why = NULL;
  CHECK(!hg_cis_check(hg_cis_control_find(id), T_SH, "{($.userIdentity", &why));
  CHECK_STREQ(why, "pattern differs from the Security Hub string of CloudWatch.1 at byte 2 "
                   "(Security Hub compares the text exactly)");
  free(why);
  /* Parentheses added fail Security Hub, but prowler and steampipe still pass. */
  const char *paren = "{($.userIdentity.type=\"Root\") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType !=\"AwsServiceEvent\")}";
  CHECK(check(id, T_PR, paren));
  CHECK(check(id, T_SP, paren));
}

TEST(prowler_word_boundary_quotes_and_order)
{
  const char *rt = "{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRouteTable) || "
                   "($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || "
                   "($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || "
                   "($.eventName = DisassociateRouteTable)) }";
  char *why = NULL;
  /* CreateRoute is not satisfied by CreateRouteTable. */
  CHECK(!hg_cis_check(hg_cis_control_find("route-table-changes"), T_PR, rt, &why));
  CHECK_STREQ(why, "missing $.eventName = CreateRoute");
  free(why);
  /* Any order, quotes and whitespace free. */
  CHECK(check("cmk-disable-or-deletion", T_PR,
              "{ ($.eventName = \"ScheduleKeyDeletion\") || ($.eventName=\"DisableKey\") && ($.eventSource   =   'kms.amazonaws.com') }"));
  CHECK(!check("cmk-disable-or-deletion", T_PR,
               "{ ($.eventName = \"ScheduleKeyDeletion\") || ($.eventName=DisableKeys) && ($.eventSource=kms.amazonaws.com) }"));
  /* Root: the three clauses in order. */
  CHECK(!check("root-account-usage", T_PR,
               "{ $.eventType != \"AwsServiceEvent\" && $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS }"));
  /* Unauthorized: AccessDenied* after *UnauthorizedOperation. */
  CHECK(!check("unauthorized-api-calls", T_PR,
               "{ ($.errorCode = \"AccessDenied*\") || ($.errorCode = \"*UnauthorizedOperation\") }"));
  /* The route table text without its source fails prowler. */
  const cJSON *c = fact_control("route-table-changes");
  CHECK(!check("route-table-changes", T_PR, fact_text(c, "1.4")));
  CHECK(check("route-table-changes", T_PR, fact_text(c, "3.0")));
  /* organizations: prowler needs 21 names. */
  why = NULL;
  CHECK(!hg_cis_check(hg_cis_control_find("organizations-changes"), T_PR,
                      fact_text(fact_control("organizations-changes"), "1.4"), &why));
  CHECK_STREQ(why, "missing $.eventName = CancelHandshake, $.eventName = CreateOrganization, "
                   "$.eventName = EnableAllFeatures");
  free(why);
}

TEST(steampipe_order_and_quotes)
{
  const cJSON *ua = fact_control("unauthorized-api-calls");
  /* v1.2 lacks the exclusions; v1.4 (||) and v3.0 (&&) have them. */
  CHECK(!check("unauthorized-api-calls", T_SP, fact_text(ua, "1.2")));
  CHECK(check("unauthorized-api-calls", T_SP, fact_text(ua, "1.4")));
  CHECK(check("unauthorized-api-calls", T_SP, fact_text(ua, "3.0")));
  /* The exclusions need the double quotes. */
  CHECK(!check("unauthorized-api-calls", T_SP,
               "{ ($.errorCode =\"*UnauthorizedOperation\") || ($.errorCode =\"AccessDenied*\") && "
               "($.sourceIPAddress!=delivery.logs.amazonaws.com) && ($.eventName!=HeadBucket) }"));
  /* Console sign-in: parenthesised, quoted and joined by &&. */
  CHECK(check("console-signin-without-mfa", T_SP,
              "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") }"));
  CHECK(!check("console-signin-without-mfa", T_SP,
               "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }"));
  CHECK(!check("console-signin-without-mfa", T_SP,
               "{ ($.eventName = \"ConsoleLogin\") && ($.userIdentity.type = \"IAMUser\") && "
               "($.additionalEventData.MFAUsed != \"Yes\") }"));
  /* Event names in CIS order. */
  char *why = NULL;
  CHECK(!hg_cis_check(hg_cis_control_find("cloudtrail-config-changes"), T_SP,
                      "{($.eventName=UpdateTrail) || ($.eventName=CreateTrail) || ($.eventName=DeleteTrail) || "
                      "($.eventName=StartLogging) || ($.eventName=StopLogging)}",
                      &why));
  CHECK_STREQ(why, "needs $.eventName = UpdateTrail after $.eventName = CreateTrail (clauses in CIS order)");
  free(why);
  /* ModifySecurityGroupRules for every version; route tables need no source. */
  CHECK(check("security-group-changes", T_SP, fact_text(fact_control("security-group-changes"), "5.0")));
  CHECK(!check("security-group-changes", T_SP, fact_text(fact_control("security-group-changes"), "1.4")));
  CHECK(check("route-table-changes", T_SP, fact_text(fact_control("route-table-changes"), "1.2")));
  /* organizations: the 18 names, quotes optional. */
  char *unq = xstrdup(fact_text(fact_control("organizations-changes"), "5.0"));
  for (char *p = unq, *q = unq;; p++) {
    if (*p != '"')
      *q++ = *p;
    if (!*p)
      break;
  }
  CHECK(check("organizations-changes", T_SP, unq));
  free(unq);
}

TEST(checkers_survive_odd_input)
{
  static const char *const odd[] = {"", "{", "$.", "$.eventName", "$.eventName =", "(((((",
                                    "$.userIdentity.type = \"Root", "\"\"\"\"", "&&&&&&"};
  for (size_t i = 0; i < HG_COUNTOF(odd); i++)
    for (size_t c = 0; c < hg_cis_control_count(); c++)
      for (unsigned t = 1; t <= 4; t <<= 1) {
        char *why = NULL;
        bool ok = hg_cis_check(hg_cis_control_at(c), t, odd[i], &why);
        CHECK(ok == (why == NULL));
        CHECK(ok == !hg_cis_target_applies(hg_cis_control_at(c), t));
        free(why);
      }
  /* A huge pattern fails with a reason instead of taking long. */
  size_t n = 1 << 20;
  char *big = xmalloc(n + 1);
  for (size_t i = 0; i < n; i++)
    big[i] = "$.eventName = "[i % 14];
  big[n] = 0;
  char *why = NULL;
  CHECK(!hg_cis_check(hg_cis_control_find("vpc-changes"), T_SP, big, &why));
  CHECK_STREQ(why, "pattern is 1048576 bytes; CloudWatch Logs allows 1024");
  free(why);
  free(big);
}

/* ---- selection -------------------------------------------------------------- */

static bool valid_in(const hg_variant *v, const char *version)
{
  if (!v->versions)
    return true;
  for (size_t i = 0; i < v->n_versions; i++)
    if (strcmp(v->versions[i], version) == 0)
      return true;
  return false;
}

/* Brute force: the smallest number of the control's valid variants that
 * passes every target (at least one filter per control in the version). */
static int brute_min(const hg_filter *f, const char *version, unsigned targets)
{
  const hg_cis_control *c = hg_cis_control_find(f->id);
  size_t n = f->n_variants;
  int best = -1;
  for (unsigned mask = 1; mask < (1u << n); mask++) {
    int size = __builtin_popcount(mask);
    bool ok = true;
    for (size_t i = 0; i < n; i++)
      if ((mask >> i & 1) && !valid_in(&f->variants[i], version))
        ok = false;
    for (unsigned t = 1; ok && t <= 4; t <<= 1) {
      if (!(targets & t))
        continue;
      bool any = false;
      for (size_t i = 0; i < n; i++)
        if (mask >> i & 1)
          any |= hg_cis_check(c, t, f->variants[i].pattern, NULL);
      ok = any;
    }
    if (ok && (best < 0 || size < best))
      best = size;
  }
  return best;
}

/* Expected filter counts per version row and target subset 1..7
 * (bit 1 securityhub, 2 prowler, 4 steampipe): Security Hub with steampipe
 * adds unauthorized-api-calls-cis and security-group-changes-cis; Security
 * Hub with prowler adds route-table-changes-cis. */
static const int expected_count[HG_CIS_NVERSIONS][8] = {
    {0, 14, 14, 15, 14, 16, 14, 17},
    {0, 15, 15, 16, 15, 17, 15, 18},
    {0, 15, 15, 16, 15, 17, 15, 18},
    {0, 15, 15, 16, 15, 17, 15, 18},
};

TEST(every_version_and_target_set)
{
  hg_filterset lua;
  hg_filterset_init(&lua);
  CHECK_INTEQ(load_cis_lua(&lua), 0);
  CHECK_INTEQ(lua.n, 15);
  /* CloudWatch Logs allows 1024 bytes of pattern. */
  for (size_t i = 0; i < lua.n; i++)
    for (size_t k = 0; k < lua.v[i].n_variants; k++)
      if (strlen(lua.v[i].variants[k].pattern) > 1024)
        FAIL_AT("%s variant %zu: %zu bytes", lua.v[i].id, k, strlen(lua.v[i].variants[k].pattern));
  for (int vi = 0; vi < HG_CIS_NVERSIONS; vi++) {
    const char *version = hg_cis_versions[vi];
    for (unsigned targets = 1; targets <= 7; targets++) {
      hg_profile p = profile(version, targets);
      hg_filterset fs;
      hg_filterset_init(&fs);
      int brute = 0;
      for (size_t i = 0; i < lua.n; i++) {
        hg_filter_copy(hg_filterset_add(&fs), &lua.v[i]);
        if (hg_filter_cis(&lua.v[i], version))
          brute += brute_min(&lua.v[i], version, targets);
      }
      hg_diag_sink sink;
      hg_diag_init(&sink);
      int rc = hg_cis_select(&p, &fs, &sink);
      if (rc != 0 || sink.n != 0)
        FAIL_AT("select %s/%u: rc %d, %zu diagnostics", version, targets, rc, sink.n);
      if ((int)fs.n != expected_count[vi][targets] || brute != (int)fs.n)
        FAIL_AT("%s/%u: %zu filters, brute force %d, expected %d", version, targets, fs.n, brute,
                expected_count[vi][targets]);
      /* Every listed target passes every control of the version. */
      for (size_t ci = 0; ci < hg_cis_control_count(); ci++) {
        const hg_cis_control *c = hg_cis_control_at(ci);
        bool present = hg_filterset_find(&fs, c->id) != NULL;
        if (present != (c->cis[vi] != NULL))
          FAIL_AT("%s/%u: %s present %d", version, targets, c->id, present);
        for (unsigned t = 1; t <= 4; t <<= 1) {
          if (!(targets & t) || !c->cis[vi])
            continue;
          bool any = false;
          for (size_t i = 0; i < fs.n; i++)
            any |= hg_cis_check(c, t, fs.v[i].pattern, NULL);
          if (!any)
            FAIL_AT("%s/%u: %s fails %s", version, targets, c->id, hg_cis_target_name(t));
        }
        /* The Security Hub string, byte for byte, under the control's own id. */
        const char *sh = fact_str(fact_control(c->id), "securityhub_pattern");
        if ((targets & T_SH) && sh && c->cis[vi])
          CHECK_STREQ(hg_filterset_find(&fs, c->id)->pattern, sh);
      }
      /* Shape: unique ids, control set, no variants left, -cis suffix. */
      for (size_t i = 0; i < fs.n; i++) {
        const hg_filter *f = &fs.v[i];
        CHECK(f->control && f->pattern && f->n_variants == 0);
        CHECK(strcmp(f->id, f->control) == 0 ||
              (strncmp(f->id, f->control, strlen(f->control)) == 0 &&
               strcmp(f->id + strlen(f->control), "-cis") == 0));
        CHECK(hg_filter_cis(f, version) != NULL);
        for (size_t j = i + 1; j < fs.n; j++)
          CHECK(strcmp(f->id, fs.v[j].id) != 0);
      }
      CHECK_INTEQ(hg_cis_verify(&p, &fs, &sink), 0);
      CHECK_INTEQ(sink.n, 0);
      FILE *devnull = fopen("/dev/null", "w");
      CHECK_INTEQ(hg_cis_report(&p, &fs, "text", devnull), 0);
      fclose(devnull);
      hg_diag_free(&sink);
      hg_filterset_free(&fs);
    }
  }
  hg_filterset_free(&lua);
}

static void select_for(const char *version, unsigned targets, hg_filterset *fs)
{
  hg_filterset_init(fs);
  load_cis_lua(fs);
  hg_profile p = profile(version, targets);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  CHECK_INTEQ(hg_cis_select(&p, fs, &sink), 0);
  hg_diag_free(&sink);
}

/* The CIS v2.0+ 4.1 text with its precedence made explicit. */
#define UNAUTHORIZED_AND                                                                        \
  "{ ($.errorCode = \"*UnauthorizedOperation\") || (($.errorCode = \"AccessDenied*\") && "      \
  "($.sourceIPAddress != \"delivery.logs.amazonaws.com\") && ($.eventName != \"HeadBucket\")) }"

TEST(which_extra_filters_appear)
{
  hg_filterset fs;
  select_for("5.0", HG_TARGET_ALL, &fs);
  CHECK_STREQ(fs.v[0].id, "unauthorized-api-calls");
  CHECK_STREQ(fs.v[1].id, "unauthorized-api-calls-cis");
  CHECK_STREQ(fs.v[1].pattern, UNAUTHORIZED_AND);
  CHECK_STREQ(hg_filterset_find(&fs, "security-group-changes-cis")->pattern,
              fact_text(fact_control("security-group-changes"), "5.0"));
  CHECK_STREQ(hg_filterset_find(&fs, "route-table-changes-cis")->pattern,
              fact_text(fact_control("route-table-changes"), "5.0"));
  CHECK(hg_filterset_find(&fs, "organizations-changes") != NULL);
  CHECK(strstr(hg_filterset_find(&fs, "organizations-changes")->pattern, "EnableAllFeatures") != NULL);
  hg_filterset_free(&fs);

  /* Without Security Hub, the CIS text of the version is preferred. */
  select_for("1.2", HG_TARGET_PROWLER, &fs);
  CHECK_STREQ(hg_filterset_find(&fs, "vpc-changes")->pattern, fact_text(fact_control("vpc-changes"), "1.2"));
  CHECK_STREQ(hg_filterset_find(&fs, "route-table-changes")->pattern,
              fact_text(fact_control("route-table-changes"), "3.0"));
  CHECK(hg_filterset_find(&fs, "organizations-changes") == NULL);
  hg_filterset_free(&fs);

  /* v1.4 never emits its ||-joined 4.1 text. */
  select_for("1.4", HG_TARGET_STEAMPIPE, &fs);
  CHECK(strcmp(hg_filterset_find(&fs, "unauthorized-api-calls")->pattern,
               fact_text(fact_control("unauthorized-api-calls"), "1.4")) != 0);
  CHECK_STREQ(hg_filterset_find(&fs, "unauthorized-api-calls")->pattern, UNAUTHORIZED_AND);
  hg_filterset_free(&fs);
}

TEST(custom_filters_untouched_and_collisions)
{
  hg_filterset fs;
  hg_filterset_init(&fs);
  hg_filter *f = hg_filterset_add(&fs);
  f->id = xstrdup("unauthorized-api-calls-cis");
  f->pattern = xstrdup("{ $.x = 1 }");
  f->file = xstrdup("filters/custom.lua");
  f->line = 7;
  load_cis_lua(&fs);
  hg_profile p = profile("1.4", HG_TARGET_ALL);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  CHECK_INTEQ(hg_cis_select(&p, &fs, &sink), -1);
  CHECK_INTEQ(sink.n, 1);
  CHECK_STREQ(sink.v[0].code, "cis-id-collision");
  CHECK_STREQ(sink.v[0].file, "filters/custom.lua");
  CHECK_INTEQ(sink.v[0].line, 7);
  CHECK_STREQ(fs.v[0].pattern, "{ $.x = 1 }");
  hg_diag_free(&sink);
  hg_filterset_free(&fs);

  /* An unknown version is an error. */
  hg_filterset_init(&fs);
  load_cis_lua(&fs);
  p = profile("2.0", HG_TARGET_ALL);
  hg_diag_init(&sink);
  CHECK_INTEQ(hg_cis_select(&p, &fs, &sink), -1);
  CHECK_STREQ(sink.v[0].code, "cis-unknown-version");
  hg_diag_free(&sink);
  hg_filterset_free(&fs);
}

TEST(verify_refuses_an_override_that_fails_a_target)
{
  hg_filterset fs;
  select_for("1.4", HG_TARGET_ALL, &fs);
  hg_filter *f = hg_filterset_find(&fs, "root-account-usage");
  free(f->pattern);
  f->pattern = xstrdup("{($.userIdentity.type=\"Root\") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType !=\"AwsServiceEvent\")}");
  hg_profile p = profile("1.4", HG_TARGET_ALL);
  hg_yval node = {.kind = HG_Y_MAP, .file = "profiles/test.yaml", .line = 9, .col = 5};
  hg_override ov = {.id = "root-account-usage", .node = &node, .pattern = f->pattern};
  p.overrides = &ov;
  p.n_overrides = 1;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  CHECK_INTEQ(hg_cis_verify(&p, &fs, &sink), -1);
  CHECK_INTEQ(sink.errors, 1);
  CHECK_STREQ(sink.v[0].code, "cis-target-failed");
  CHECK_STREQ(sink.v[0].message, "CIS 4.3 control 'root-account-usage' would fail target 'securityhub'");
  CHECK_STREQ(sink.v[0].file, "profiles/test.yaml");
  CHECK_INTEQ(sink.v[0].line, 9);
  CHECK_STREQ(sink.v[0].notes[0], "root-account-usage: pattern differs from the Security Hub string "
                                  "of CloudWatch.1 at byte 2 (Security Hub compares the text exactly)");
  hg_diag_free(&sink);

  /* The same pattern is fine for prowler and steampipe. */
  p.cis_targets = T_PR | T_SP;
  hg_diag_init(&sink);
  CHECK_INTEQ(hg_cis_verify(&p, &fs, &sink), 0);
  CHECK_INTEQ(sink.n, 0);
  hg_diag_free(&sink);

  /* Disabling a control warns; disabling half of a pair fails. */
  p.cis_targets = HG_TARGET_ALL;
  p.n_overrides = 0;
  for (size_t i = 0; i < fs.n; i++)
    if (strcmp(fs.v[i].id, "vpc-changes") == 0 || strcmp(fs.v[i].id, "route-table-changes-cis") == 0 ||
        strcmp(fs.v[i].id, "root-account-usage") == 0)
      hg_filterset_remove(&fs, i--);
  const char *dis[] = {"vpc-changes", "route-table-changes-cis", "root-account-usage"};
  p.disable = dis;
  p.n_disable = 3;
  hg_diag_init(&sink);
  CHECK_INTEQ(hg_cis_verify(&p, &fs, &sink), -1);
  CHECK_INTEQ(sink.errors, 1);
  CHECK_INTEQ(sink.warnings, 2);
  for (size_t i = 0; i < sink.n; i++) {
    if (sink.v[i].sev == HG_SEV_ERROR) {
      CHECK_STREQ(sink.v[i].message, "CIS 4.13 control 'route-table-changes' would fail target 'prowler'");
      CHECK_STREQ(sink.v[i].notes[0], "route-table-changes: missing $.eventSource = ec2.amazonaws.com");
    } else {
      CHECK_STREQ(sink.v[i].code, "cis-control-disabled");
    }
  }
  hg_diag_free(&sink);
  hg_filterset_free(&fs);
}

static char *report(const hg_profile *p, const hg_filterset *fs, const char *format, int *failed)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  *failed = hg_cis_report(p, fs, format, f);
  fclose(f);
  return text;
}

TEST(report_text_and_json)
{
  hg_filterset fs;
  select_for("1.2", T_SH | T_PR, &fs);
  /* Drop route-table-changes-cis: prowler then fails 3.13. */
  for (size_t i = 0; i < fs.n; i++)
    if (strcmp(fs.v[i].id, "route-table-changes-cis") == 0)
      hg_filterset_remove(&fs, i--);
  hg_profile p = profile("1.2", T_SH | T_PR);
  int failed;
  char *text = report(&p, &fs, "text", &failed);
  CHECK_INTEQ(failed, 1);
  CHECK(strncmp(text, "CIS 1.2 compliance preview for test (targets: securityhub, prowler)\n\n"
                      "CONTROL                     CIS   TARGET       RESULT  DETAIL\n"
                      "unauthorized-api-calls      3.1   securityhub  pass    metric filter unauthorized-api-calls\n",
                strlen("CIS 1.2 compliance preview for test (targets: securityhub, prowler)\n\n"
                       "CONTROL                     CIS   TARGET       RESULT  DETAIL\n"
                       "unauthorized-api-calls      3.1   securityhub  pass    metric filter unauthorized-api-calls\n")) == 0);
  CHECK(strstr(text, "route-table-changes         3.13  prowler      fail    route-table-changes: missing $.eventSource = ec2.amazonaws.com\n") != NULL);
  CHECK(strstr(text, "\n27 passed, 1 failed, 0 not applicable\n") != NULL);
  free(text);

  text = report(&p, &fs, "json", &failed);
  CHECK_INTEQ(failed, 1);
  cJSON *j = cJSON_Parse(text);
  CHECK(j != NULL);
  CHECK_STREQ(cJSON_GetObjectItem(j, "cis_version")->valuestring, "1.2");
  cJSON *controls = cJSON_GetObjectItem(j, "controls");
  CHECK_INTEQ(cJSON_GetArraySize(controls), 14);
  cJSON *rt = cJSON_GetArrayItem(controls, 12);
  CHECK_STREQ(cJSON_GetObjectItem(rt, "id")->valuestring, "route-table-changes");
  CHECK_STREQ(cJSON_GetObjectItem(rt, "securityhub")->valuestring, "CloudWatch.13");
  cJSON *r1 = cJSON_GetArrayItem(cJSON_GetObjectItem(rt, "results"), 1);
  CHECK_STREQ(cJSON_GetObjectItem(r1, "target")->valuestring, "prowler");
  CHECK_STREQ(cJSON_GetObjectItem(r1, "result")->valuestring, "fail");
  CHECK(cJSON_IsNull(cJSON_GetObjectItem(r1, "filter")));
  CHECK_INTEQ(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "summary"), "passed")->valueint, 27);
  cJSON_Delete(j);
  free(text);
  CHECK_INTEQ(hg_cis_report(&p, &fs, "yaml", stdout), -1);
  /* No target: an empty, valid report. */
  p.cis_targets = 0;
  text = report(&p, &fs, "json", &failed);
  CHECK_INTEQ(failed, 0);
  j = cJSON_Parse(text);
  CHECK(j && cJSON_GetArraySize(cJSON_GetObjectItem(j, "controls")) == 0);
  cJSON_Delete(j);
  free(text);
  hg_filterset_free(&fs);

  /* Security Hub on organizations-changes is not applicable. */
  select_for("5.0", T_SH, &fs);
  p = profile("5.0", T_SH);
  text = report(&p, &fs, "text", &failed);
  CHECK_INTEQ(failed, 0);
  CHECK(strstr(text, "organizations-changes       4.15  securityhub  n/a     Security Hub has no control for it\n") != NULL);
  free(text);
  hg_filterset_free(&fs);
}

/* The document the HTML report reads is the JSON report itself: printed by
 * the one writer it is the same bytes, for every version and target set. */
TEST(report_doc_is_the_json_report)
{
  const char *const *versions = hg_cis_versions;
  for (size_t v = 0; v < HG_CIS_NVERSIONS; v++) {
    for (unsigned targets = 0; targets <= HG_TARGET_ALL; targets++) {
      hg_filterset fs;
      select_for(versions[v], targets ? targets : T_SH, &fs);
      for (size_t i = 0; i < fs.n; i++)
        if (strcmp(fs.v[i].id, "route-table-changes-cis") == 0)
          hg_filterset_remove(&fs, i--);
      hg_profile p = profile(versions[v], targets);
      int failed;
      char *text = report(&p, &fs, "json", &failed);
      hg_doc *d = hg_cis_report_doc(&p, &fs);
      CHECK(d != NULL);
      hg_buf b;
      hg_buf_init(&b);
      if (d)
        hg_emit_json(d, &b);
      if (!text || !b.data || strcmp(text, b.data) != 0)
        FAIL_AT("%s/%u: the document prints differently from the JSON report", versions[v], targets);
      hg_buf_free(&b);
      hg_doc_free(d);
      free(text);
      hg_filterset_free(&fs);
    }
  }
  hg_profile p = profile("1.2", T_SH);
  p.cis_version = "0.9";
  hg_filterset none = {0};
  CHECK(hg_cis_report_doc(&p, &none) == NULL);
}

/* Every variant is a clean pattern (no error, no warning), and every example
 * of a control holds for every variant, by the real pattern engine. */
static bool engine_matches(void)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_fp *fp = hg_fp_parse("{ $.a = \"x\" }", 13, NULL, &sink);
  hg_arena *a = hg_arena_new();
  hg_jv *ev = hg_json_parse(a, "{\"a\":\"x\"}", 9, NULL, NULL);
  bool ok = fp && ev && hg_fp_match(fp, ev, "{\"a\":\"x\"}", 9);
  hg_fp_free(fp);
  hg_arena_free(a);
  hg_diag_free(&sink);
  return ok;
}

TEST(variants_parse_cleanly_and_examples_hold)
{
  bool eval = engine_matches();
  if (!eval) /* a stand-in of the pattern evaluator was linked */
    printf("SKIP cis_examples: the pattern evaluator is not linked; examples not run\n");
  hg_filterset lua;
  hg_filterset_init(&lua);
  CHECK_INTEQ(load_cis_lua(&lua), 0);
  hg_arena *a = hg_arena_new();
  size_t checked = 0;
  for (size_t i = 0; i < lua.n; i++) {
    const hg_filter *f = &lua.v[i];
    CHECK(f->n_match >= 1 && f->n_nomatch >= 1);
    for (size_t k = 0; k < f->n_variants; k++) {
      const char *pat = f->variants[k].pattern;
      hg_diag_sink sink;
      hg_diag_init(&sink);
      hg_fp *fp = hg_fp_parse(pat, strlen(pat), NULL, &sink);
      if (!fp || sink.n)
        FAIL_AT("%s variant %zu: %zu diagnostics (%s)", f->id, k, sink.n,
                sink.n ? sink.v[0].message : "");
      hg_diag_free(&sink);
      if (!fp || !eval) {
        hg_fp_free(fp);
        continue;
      }
      for (int want = 1; want >= 0; want--) {
        const hg_example *ex = want ? f->match : f->nomatch;
        size_t n = want ? f->n_match : f->n_nomatch;
        for (size_t e = 0; e < n; e++) {
          hg_arena_reset(a);
          hg_jv *ev = hg_json_parse(a, ex[e].text, strlen(ex[e].text), NULL, NULL);
          CHECK(ev != NULL);
          if (hg_fp_match(fp, ev, ex[e].text, strlen(ex[e].text)) != (want == 1))
            FAIL_AT("%s variant %zu: example %s should %smatch", f->id, k, ex[e].text,
                    want ? "" : "not ");
          checked++;
        }
      }
      hg_fp_free(fp);
    }
  }
  CHECK(!eval || checked > 60);
  hg_arena_free(a);
  hg_filterset_free(&lua);
}

/* The v1.4 4.1 text gets the pattern checker's warning. */
TEST(v14_unauthorized_text_warns)
{
  const char *t = fact_text(fact_control("unauthorized-api-calls"), "1.4");
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_fp *fp = hg_fp_parse(t, strlen(t), NULL, &sink);
  CHECK(fp != NULL);
  CHECK(sink.warnings >= 1);
  bool ne_in_or = false;
  for (size_t i = 0; i < sink.n; i++)
    ne_in_or |= strcmp(sink.v[i].code, "fp-ne-in-or") == 0;
  CHECK(ne_in_or);
  hg_fp_free(fp);
  hg_diag_free(&sink);
}

/* filters/cis.lua through the sandboxed host gives the same filters as the
 * bare reading above, with each variant's line, and selects the same sets. */
TEST(cis_lua_through_the_host)
{
  const char *top = getenv("HG_TOP");
  char *root = xasprintf("%s/tests/golden/cis-root", top ? top : ".");
  char *path = xasprintf("%s/filters/cis.lua", top ? top : ".");
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_profile *p = hg_profile_load(root, "cis50-all", &sink);
  CHECK(p != NULL);
  size_t len = 0;
  char *text = hg_read_file(path, 1 << 20, &len);
  CHECK(text != NULL);
  hg_filterset host, bare;
  hg_filterset_init(&host);
  hg_filterset_init(&bare);
  load_cis_lua(&bare);
  if (p && text) {
    CHECK_INTEQ(hg_lua_run_text(p, "filters/cis.lua", text, len, NULL, &host, &sink), 0);
    CHECK_INTEQ(sink.n, 0);
  }
  CHECK_INTEQ(host.n, bare.n);
  for (size_t i = 0; i < host.n && i < bare.n; i++) {
    const hg_filter *h = &host.v[i], *b = &bare.v[i];
    CHECK_STREQ(h->id, b->id);
    CHECK_STREQ(h->title, b->title);
    CHECK(h->topic == HG_TOPIC_INFOSEC);
    CHECK_INTEQ(h->n_cis, b->n_cis);
    for (size_t v = 0; v < HG_CIS_NVERSIONS; v++)
      CHECK((hg_filter_cis(h, hg_cis_versions[v]) == NULL) == (hg_filter_cis(b, hg_cis_versions[v]) == NULL));
    CHECK((h->securityhub == NULL) == (b->securityhub == NULL));
    CHECK_INTEQ(h->n_variants, b->n_variants);
    CHECK_INTEQ(h->n_match, b->n_match);
    CHECK_INTEQ(h->n_nomatch, b->n_nomatch);
    for (size_t k = 0; k < h->n_variants && k < b->n_variants; k++) {
      const hg_variant *hv = &h->variants[k], *bv = &b->variants[k];
      CHECK_STREQ(hv->name, bv->name);
      CHECK_STREQ(hv->pattern, bv->pattern);
      CHECK_INTEQ(hv->n_versions, bv->n_versions);
      /* The variant's line holds its pattern. */
      const char *line = text;
      for (int l = 1; line && l < hv->line; l++) {
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
      }
      const char *eol = line ? strchr(line, '\n') : NULL;
      const char *at = line ? strstr(line, hv->pattern) : NULL;
      if (!at || (eol && at > eol))
        FAIL_AT("%s variant %zu: line %d does not hold its pattern", h->id, k, hv->line);
    }
  }
  if (p) {
    CHECK_INTEQ(hg_cis_select(p, &host, &sink), 0);
    CHECK_INTEQ(host.n, 18);
    for (size_t i = 0; i < host.n; i++)
      CHECK(host.v[i].pattern_line > host.v[i].line);
    CHECK_INTEQ(hg_cis_verify(p, &host, &sink), 0);
    CHECK_INTEQ(sink.n, 0);
  }
  hg_filterset_free(&host);
  hg_filterset_free(&bare);
  hg_profile_free(p);
  hg_diag_free(&sink);
  free(text);
  free(path);
  free(root);
}
