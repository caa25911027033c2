/* test_plan_model.c — the parameter and stack tables and the skeleton contracts. */
#include "harness.h"

#include <sys/stat.h>
#include <unistd.h>

#include "hg/diag.h"
#include "hg/emit.h"
#include "hg/plan.h"
#include "hg/plan_model.h"
#include "plan_fixture.h"

static const char *top(void)
{
  const char *t = getenv("HG_TOP");
  return t ? t : ".";
}

static char *skeleton_text(const char *name, size_t *len)
{
  char *path = xasprintf("%s/templates/%s", top(), name);
  char *text = hg_read_file(path, 1u << 22, len);
  free(path);
  return text;
}

/* ---- text surgery on a block-style skeleton ---- */

static size_t indent_of(const char *line)
{
  size_t n = 0;
  while (line[n] == ' ')
    n++;
  return n;
}

/*
 * Remove from text the entries of top-level section that match: an entry is
 * a line "  KEY:" and the deeper lines below it. keep(entry text, key, arg)
 * says whether an entry stays. Returns a new text.
 */
typedef bool (*keep_fn)(const char *entry, const char *key, const void *arg);

static char *remove_entries(const char *text, const char *section, keep_fn keep, const void *arg)
{
  hg_buf out;
  hg_buf_init(&out);
  const char *p = text;
  bool in_section = false;
  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);
    if (indent_of(p) == 0 && p[0] != '#' && p[0] != '\n') {
      char *head = xasprintf("%s:", section);
      in_section = strncmp(p, head, strlen(head)) == 0;
      free(head);
    }
    if (in_section && indent_of(p) == 2 && p[2] != '#') {
      /* One entry: this line and the deeper ones. */
      const char *q = p + n;
      while (*q && (indent_of(q) > 2 || *q == '\n')) {
        const char *e = strchr(q, '\n');
        q = e ? e + 1 : q + strlen(q);
      }
      char *entry = xstrndup(p, (size_t)(q - p));
      char *key = xstrndup(p + 2, strcspn(p + 2, ":"));
      if (keep(entry, key, arg))
        hg_buf_append(&out, entry, strlen(entry));
      free(entry);
      free(key);
      p = q;
      continue;
    }
    hg_buf_append(&out, p, n);
    p += n;
  }
  size_t len;
  return hg_buf_take(&out, &len);
}

static bool keep_other_key(const char *entry, const char *key, const void *arg)
{
  (void)entry;
  return strcmp(key, (const char *)arg) != 0;
}

/* A resource without a name: drop every resource of the type (and source). */
static bool keep_other_type(const char *entry, const char *key, const void *arg)
{
  (void)key;
  const hg_plan_need *need = arg;
  char *line = xasprintf("    Type: %s\n", need->type);
  bool hit = strstr(entry, line) != NULL;
  free(line);
  if (hit && need->source)
    hit = strstr(entry, need->source) != NULL;
  return !hit;
}

static const char *section_of(hg_plan_need_kind k)
{
  switch (k) {
  case HG_NEED_RESOURCE:
    return "Resources";
  case HG_NEED_PARAMETER:
    return "Parameters";
  case HG_NEED_OUTPUT:
    return "Outputs";
  }
  return "Resources";
}

/* Check text as skeleton name; the sink gets the diagnostics. */
static int check_text(const char *name, const char *text, hg_diag_sink *sink)
{
  char *file = xasprintf("templates/%s", name);
  hg_diag_source(sink, file, text, strlen(text));
  hg_doc *d = hg_emit_read_yaml(text, strlen(text), file, sink);
  int errors = d ? hg_plan_contract_check(name, d, file, text, strlen(text), sink) : -1;
  hg_doc_free(d);
  free(file);
  return errors;
}

static const char *const skeletons[] = {"security.global.yaml",  "cloudtrail.global.yaml",
                                        "config.global.yaml",    "cloudwatch.global.yaml",
                                        "cloudwatch.part.yaml",  "preflight.global.yaml",
                                        "detective.global.yaml", "central.global.yaml"};

/* The shipped skeletons meet their contracts. */
TEST(shipped_skeletons_meet_their_contracts)
{
  for (size_t i = 0; i < HG_COUNTOF(skeletons); i++) {
    size_t len;
    char *text = skeleton_text(skeletons[i], &len);
    CHECK(text != NULL);
    if (!text)
      continue;
    hg_diag_sink sink;
    hg_diag_init(&sink);
    CHECK_INTEQ(check_text(skeletons[i], text, &sink), 0);
    if (sink.n)
      hg_diag_render_text(&sink, stdout);
    hg_diag_free(&sink);
    free(text);
  }
}

/* The contracts hold what the tables say. */
TEST(contracts_come_from_the_tables)
{
  hg_plan_need needs[64];
  size_t n = hg_plan_contract("security.global.yaml", needs, HG_COUNTOF(needs));
  bool cw = false;
  for (size_t i = 0; i < n; i++)
    cw = cw || (needs[i].kind == HG_NEED_RESOURCE && strcmp(needs[i].name, "CloudWatchStack") == 0 &&
                strcmp(needs[i].type, "AWS::CloudFormation::Stack") == 0);
  CHECK(cw);
  CHECK_INTEQ(n, 3); /* CloudTrailStack, ConfigStack, CloudWatchStack (once, though parts copy it) */
  /* Every parameter row is required of each stack its row names. */
  for (size_t s = 0; s < HG_STACK_COUNT; s++) {
    const hg_plan_stack *row = &hg_plan_stacks[s];
    CHECK(row->id == (hg_plan_stack_id)s);
    if (!row->skeleton || row->id == HG_STACK_PARENT)
      continue;
    n = hg_plan_contract(row->skeleton, needs, HG_COUNTOF(needs));
    for (size_t k = 0; k < hg_plan_n_params; k++) {
      if (!(hg_plan_params[k].stacks & HG_STACK_BIT(row->id)))
        continue;
      bool found = false;
      for (size_t i = 0; i < n; i++)
        found = found || (needs[i].kind == HG_NEED_PARAMETER && strcmp(needs[i].name, hg_plan_params[k].name) == 0);
      CHECK(found);
    }
  }
  n = hg_plan_contract("preflight.global.yaml", needs, HG_COUNTOF(needs));
  bool warnings = false;
  for (size_t i = 0; i < n; i++)
    warnings = warnings || (needs[i].kind == HG_NEED_OUTPUT && strcmp(needs[i].name, "Warnings") == 0);
  CHECK(warnings);
  CHECK_INTEQ(hg_plan_contract("no-such.yaml", needs, HG_COUNTOF(needs)), 0);
}

/* Every entry of every contract: a skeleton without it is an error that
 * names it, at a line and column of the skeleton. */
TEST(a_skeleton_missing_any_contract_entry_is_an_error)
{
  size_t total = 0;
  for (size_t i = 0; i < HG_COUNTOF(skeletons); i++) {
    size_t len;
    char *text = skeleton_text(skeletons[i], &len);
    if (!text) {
      CHECK(text != NULL);
      continue;
    }
    hg_plan_need needs[64];
    size_t n = hg_plan_contract(skeletons[i], needs, HG_COUNTOF(needs));
    for (size_t k = 0; k < n; k++) {
      const hg_plan_need *need = &needs[k];
      char *cut = need->name ? remove_entries(text, section_of(need->kind), keep_other_key, need->name)
                             : remove_entries(text, section_of(need->kind), keep_other_type, need);
      CHECK(strcmp(cut, text) != 0);
      hg_diag_sink sink;
      hg_diag_init(&sink);
      int errors = check_text(skeletons[i], cut, &sink);
      const char *code = need->kind == HG_NEED_RESOURCE    ? "template-missing-resource"
                         : need->kind == HG_NEED_PARAMETER ? "template-missing-parameter"
                                                           : "template-missing-output";
      bool named = false;
      for (size_t d = 0; d < sink.n; d++) {
        const hg_diag *g = &sink.v[d];
        if (g->sev == HG_SEV_ERROR && strcmp(g->code, code) == 0 &&
            strstr(g->message, need->name ? need->name : need->type) && g->line > 0 && g->col > 0 &&
            g->file && strstr(g->file, skeletons[i]))
          named = true;
      }
      if (!named || errors < 1) {
        FAIL_AT("%s without %s %s: no %s error naming it", skeletons[i], section_of(need->kind),
                need->name ? need->name : need->type, code);
        hg_diag_render_text(&sink, stdout);
      }
      total++;
      hg_diag_free(&sink);
      free(cut);
    }
    free(text);
  }
  CHECK(total >= 20);
}

/* The caret stands on the section the entry belongs to. */
TEST(contract_diagnostic_points_at_the_section)
{
  size_t len;
  char *text = skeleton_text("security.global.yaml", &len);
  CHECK(text != NULL);
  if (!text)
    return;
  char *cut = remove_entries(text, "Resources", keep_other_key, "CloudWatchStack");
  hg_diag_sink sink;
  hg_diag_init(&sink);
  CHECK_INTEQ(check_text("security.global.yaml", cut, &sink), 1);
  CHECK_INTEQ(sink.n, 1);
  if (sink.n == 1) {
    int line = 1;
    const char *at = strstr(cut, "\nResources:\n");
    CHECK(at != NULL);
    for (const char *p = cut; at && p <= at; p++)
      line += *p == '\n';
    CHECK_INTEQ(sink.v[0].line, line);
    CHECK_INTEQ(sink.v[0].col, 1);
    CHECK_INTEQ(sink.v[0].span, 9);
    CHECK_STREQ(sink.v[0].code, "template-missing-resource");
  }
  hg_diag_free(&sink);
  free(cut);
  free(text);
}

/* A wrong Type, a resource without Properties, a parameter of the wrong
 * Type and a parameter nothing gives a value are errors at their place. */
TEST(contract_types_properties_and_unset_parameters)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  const char *wrong =
      "Parameters:\n"
      "  AWSAccountName:\n"
      "    Type: Number\n"
      "  Extra:\n"
      "    Type: String\n"
      "  WithDefault:\n"
      "    Type: String\n"
      "    Default: x\n"
      "Resources:\n"
      "  InfosecTopic:\n"
      "    Type: AWS::SQS::Queue\n"
      "    Properties: {}\n"
      "  DevOpsTopic:\n"
      "    Type: AWS::SNS::Topic\n"
      "  Other: {Type: AWS::SNS::Topic, Properties: {}}\n";
  CHECK_INTEQ(check_text("cloudwatch.global.yaml", wrong, &sink), 6);
  const struct {
    const char *code, *name;
    int line, col;
  } want[] = {
      {"template-resource-type", "InfosecTopic", 11, 11},
      {"template-resource-properties", "DevOpsTopic", 13, 3},
      {"template-parameter-type", "AWSAccountName", 3, 11},
      {"template-missing-parameter", "InfosecEmail", 1, 1},
      {"template-missing-parameter", "DevOpsEmail", 1, 1},
      {"template-parameter-unset", "Extra", 4, 3},
  };
  for (size_t i = 0; i < HG_COUNTOF(want); i++) {
    bool found = false;
    for (size_t d = 0; d < sink.n; d++)
      if (strcmp(sink.v[d].code, want[i].code) == 0 && strstr(sink.v[d].message, want[i].name) &&
          sink.v[d].line == want[i].line && sink.v[d].col == want[i].col)
        found = true;
    if (!found)
      FAIL_AT("no %s for %s at %d:%d", want[i].code, want[i].name, want[i].line, want[i].col);
  }
  if (hg_failed_now_)
    hg_diag_render_text(&sink, stdout);
  hg_diag_free(&sink);

  /* The parent's own declarations of the table's parameters too. */
  hg_diag_init(&sink);
  const char *parent = "Parameters:\n  LogRetentionDays:\n    Type: String\nResources:\n"
                       "  CloudTrailStack: {Type: AWS::CloudFormation::Stack, Properties: {}}\n"
                       "  ConfigStack: {Type: AWS::CloudFormation::Stack, Properties: {}}\n"
                       "  CloudWatchStack: {Type: AWS::CloudFormation::Stack, Properties: {}}\n";
  CHECK_INTEQ(check_text("security.global.yaml", parent, &sink), 1);
  CHECK(sink.n == 1 && strcmp(sink.v[0].code, "template-parameter-type") == 0 && sink.v[0].line == 3 &&
        sink.v[0].col == 11);
  hg_diag_free(&sink);

  /* JSON skeletons (flow style) get places too. */
  hg_diag_init(&sink);
  const char *json = "{\"Resources\": {\"InfosecTopic\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {}}}}\n";
  CHECK(check_text("cloudwatch.global.yaml", json, &sink) >= 1);
  bool placed = false;
  for (size_t d = 0; d < sink.n; d++)
    placed = placed || (strcmp(sink.v[d].code, "template-missing-resource") == 0 && sink.v[d].line == 1 &&
                        sink.v[d].col == 2 && strstr(sink.v[d].message, "DevOpsTopic"));
  CHECK(placed);
  hg_diag_free(&sink);
}

/* ---- the tables through the planner ---- */

static char *make_root(void)
{
  char tmpl[] = "/tmp/hg-model-XXXXXX";
  char *dir = mkdtemp(tmpl);
  if (!dir)
    return NULL;
  char *t = xasprintf("%s/templates", dir);
  mkdir(t, 0755);
  free(t);
  return xstrdup(dir);
}

static void write_text(const char *root, const char *name, const char *text)
{
  char *path = xasprintf("%s/templates/%s", root, name);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  free(path);
}

static void remove_root(const char *root, const char *name)
{
  char *path = xasprintf("%s/templates/%s", root, name);
  unlink(path);
  free(path);
  path = xasprintf("%s/templates", root);
  rmdir(path);
  free(path);
  rmdir(root);
}

/*
 * The defect: a parent skeleton without CloudWatchStack built into a set
 * whose alarm parts 2..N (and part 1) no stack ran. Now the build fails at
 * the skeleton with nothing planned; with the shipped skeleton each part
 * is a copy of CloudWatchStack that passes only what the part declares.
 */
TEST(parent_without_cloudwatch_stack_fails_instead_of_unwired_parts)
{
  hg_compiled c;
  fixture_compiled(&c, 58);
  hg_plan_options o = {HG_PLAN_YAML, 50, 0};
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p;
  CHECK(hg_plan_build(&c, top(), &o, &p, &sink) == 0);
  CHECK_INTEQ(p.n, 6);
  const hg_doc *res = hg_doc_get(p.t[p.n - 1].doc, "Resources");
  for (int k = 2; k <= 3; k++) {
    char id[32], url[80];
    snprintf(id, sizeof id, "CloudWatchStack%d", k);
    snprintf(url, sizeof url, "${CFtemplateBucketURL}cloudwatch.global.%d.yaml", k);
    const hg_doc *st = hg_doc_get(res, id);
    CHECK(st != NULL);
    CHECK_STREQ(hg_doc_get_str(st, "DependsOn"), "CloudWatchStack");
    const hg_doc *props = hg_doc_get(st, "Properties");
    CHECK_STREQ(hg_doc_get_str(hg_doc_get(props, "TemplateURL"), "Fn::Sub"), url);
    const hg_doc *pp = hg_doc_get(props, "Parameters");
    CHECK(pp && pp->n == 1 && hg_doc_get(pp, "AWSAccountName"));
  }
  hg_plan_free(&p);

  size_t len;
  char *text = skeleton_text("security.global.yaml", &len);
  char *cut = text ? remove_entries(text, "Resources", keep_other_key, "CloudWatchStack") : NULL;
  char *root = make_root();
  CHECK(cut && root);
  if (cut && root) {
    write_text(root, "security.global.yaml", cut);
    CHECK(hg_plan_build(&c, root, &o, &p, &sink) == -1);
    bool found = false;
    for (size_t d = 0; d < sink.n; d++)
      found = found || (strcmp(sink.v[d].code, "template-missing-resource") == 0 &&
                        strstr(sink.v[d].message, "CloudWatchStack") && sink.v[d].line > 0 &&
                        strcmp(sink.v[d].file, "templates/security.global.yaml") == 0);
    CHECK(found);
    CHECK_INTEQ(p.n, 0);
    CHECK(p.manifest == NULL);
    hg_plan_free(&p);
    remove_root(root, "security.global.yaml");
  }
  free(root);
  free(cut);
  free(text);
  hg_diag_free(&sink);
  fixture_free(&c);
}

/* A parameter row the parent skeleton does not declare is declared from the
 * row; the manifest lists every row in order with its value. */
TEST(parameter_rows_reach_parent_and_manifest)
{
  hg_compiled c;
  fixture_compiled(&c, 0);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  size_t len;
  char *text = skeleton_text("security.global.yaml", &len);
  char *cut = text ? remove_entries(text, "Parameters", keep_other_key, "DevOpsEmail") : NULL;
  char *root = make_root();
  CHECK(cut && root);
  if (cut && root) {
    write_text(root, "security.global.yaml", cut);
    hg_plan p;
    CHECK(hg_plan_build(&c, root, NULL, &p, &sink) == 0);
    if (p.n) {
      const hg_doc *params = hg_doc_get(p.t[p.n - 1].doc, "Parameters");
      CHECK_INTEQ(params ? params->n : 0, hg_plan_n_params);
      const hg_doc *dv = hg_doc_get(params, "DevOpsEmail");
      CHECK_STREQ(hg_doc_get_str(dv, "Type"), "String");
      CHECK_STREQ(hg_doc_get_str(dv, "Default"), "devops@example.com");
      CHECK(hg_doc_get_str(dv, "Description") != NULL);
      /* The manifest: one key per row, in the table's order. */
      const char *m = p.manifest;
      const char *prev = m ? strstr(m, "\"parameters\": {") : NULL;
      CHECK(prev != NULL);
      for (size_t i = 0; prev && i < hg_plan_n_params; i++) {
        char *key = xasprintf("\"%s\": ", hg_plan_params[i].name);
        const char *at = strstr(prev, key);
        CHECK(at != NULL);
        prev = at ? at : prev;
        free(key);
      }
      CHECK(m && strstr(m, "\"LogRetentionDays\": 365,\n") != NULL);
    }
    hg_plan_free(&p);
    remove_root(root, "security.global.yaml");
  }
  CHECK_INTEQ(sink.errors, 0);
  free(root);
  free(cut);
  free(text);
  hg_diag_free(&sink);
  fixture_free(&c);
}

/* The rows' values and conditions. */
TEST(parameter_values_and_stack_conditions)
{
  hg_profile p;
  memset(&p, 0, sizeof p);
  p.logs_bucket = "logs";
  p.retention_days = 30;
  const hg_plan_param *b = hg_plan_param_find("Bucket4Logs");
  const hg_plan_param *r = hg_plan_param_find("LogRetentionDays");
  CHECK(b && r && !hg_plan_param_find("Nope"));
  if (!b || !r)
    return;
  char *v = hg_plan_param_value(b, &p);
  CHECK_STREQ(v, "logs");
  free(v);
  v = hg_plan_param_value(r, &p);
  CHECK_STREQ(v, "30");
  free(v);
  hg_doc *d = hg_plan_param_default(r, &p);
  CHECK(d && d->kind == HG_DOC_INT && d->num == 30);
  hg_doc_free(d);
  CHECK(hg_plan_param_default(hg_plan_param_find("InfosecEmail"), &p) == NULL);
  CHECK_STREQ(hg_plan_param_type(r), "Number");
  CHECK_STREQ(hg_plan_param_per_account(), "Bucket4Logs");
  CHECK(hg_plan_stack_wanted(HG_STACK_CLOUDTRAIL, &p));
  CHECK(!hg_plan_stack_wanted(HG_STACK_PREFLIGHT, &p));
  p.preflight = true;
  CHECK(hg_plan_stack_wanted(HG_STACK_PREFLIGHT, &p));
  CHECK(!hg_plan_stack_wanted(HG_STACK_DETECTIVE, &p));
  CHECK(!hg_plan_stack_wanted(HG_STACK_MEMBER, &p));
}
