/* test_plan_preflight.c — the preflight audit stack (SPEC §10): its template,
 * the parent's wiring, the role's actions per enabled check, config.mode. */
#include "harness.h"

#include "hg/diag.h"
#include "hg/plan.h"
#include "../../src/plan_lambda.h"
#include "../../src/plan_preflight.h"
#include "plan_fixture.h"

static const char *root(void)
{
  const char *top = getenv("HG_TOP");
  return top ? top : ".";
}

/* The fixture with the audit on at the profile defaults. */
static void preflight_fixture(hg_compiled *c)
{
  fixture_compiled(c, 0);
  c->profile->preflight = true;
  c->profile->preflight_timeout = HG_PREFLIGHT_TIMEOUT;
  for (size_t i = 0; i < HG_PF_N_CHECKS; i++)
    c->profile->preflight_checks[i] = hg_preflight_defaults[i];
}

static int build(hg_compiled *c, hg_plan_format f, hg_plan *p)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan_options o = {.format = f};
  int rc = hg_plan_build(c, root(), &o, p, &sink);
  if (rc != 0)
    hg_diag_render_text(&sink, stdout);
  hg_diag_free(&sink);
  return rc;
}

static const hg_plan_template *find(const hg_plan *p, const char *name)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->t[i].name, name) == 0)
      return &p->t[i];
  return NULL;
}

static hg_doc *res(const hg_plan_template *t, const char *id)
{
  return hg_doc_get(hg_doc_get(t->doc, "Resources"), id);
}

/* The Action list of the role's ReadAccountSettings policy, joined by ' ', or NULL. */
static char *read_actions(const hg_plan_template *t)
{
  hg_doc *pols = hg_doc_get(hg_doc_get(res(t, "PreflightRole"), "Properties"), "Policies");
  for (size_t i = 0; pols && i < pols->n; i++) {
    const char *name = hg_doc_get_str(pols->items[i], "PolicyName");
    if (!name || strcmp(name, "ReadAccountSettings") != 0)
      continue;
    hg_doc *st = hg_doc_get(hg_doc_get(pols->items[i], "PolicyDocument"), "Statement");
    hg_doc *acts = hg_doc_get(st->items[0], "Action");
    hg_buf b;
    hg_buf_init(&b);
    for (size_t k = 0; k < acts->n; k++)
      hg_buf_printf(&b, "%s%s", k ? " " : "", acts->items[k]->str);
    return hg_buf_take(&b, NULL);
  }
  return NULL;
}

static bool depends_on(const hg_doc *r, const char *id)
{
  const hg_doc *dep = hg_doc_get(r, "DependsOn");
  if (dep && dep->kind == HG_DOC_STR)
    return strcmp(dep->str, id) == 0;
  for (size_t i = 0; dep && dep->kind == HG_DOC_SEQ && i < dep->n; i++)
    if (dep->items[i]->kind == HG_DOC_STR && strcmp(dep->items[i]->str, id) == 0)
      return true;
  return false;
}

TEST(preflight_stack_defaults)
{
  hg_compiled c;
  preflight_fixture(&c);
  hg_plan p;
  CHECK(build(&c, HG_PLAN_YAML, &p) == 0);
  CHECK_INTEQ(p.n, 5);
  CHECK_STREQ(p.t[3].name, "preflight.global.yaml");
  CHECK_STREQ(p.t[4].name, "security.global.yaml");
  const hg_plan_template *pf = find(&p, "preflight.global.yaml");
  CHECK(pf != NULL);
  if (pf) {
    CHECK_INTEQ(pf->resources, 4);
    hg_doc *fn = hg_doc_get(res(pf, "PreflightFunction"), "Properties");
    CHECK_STREQ(hg_doc_get_str(fn, "Runtime"), "python3.12");
    CHECK_STREQ(hg_doc_get_str(fn, "Handler"), "index.handler");
    CHECK_INTEQ(hg_doc_get(fn, "Timeout")->num, 150);
    /* The shipped handler, byte for byte. */
    char *path = hg_plan_lambda_path("preflight");
    size_t len = 0;
    char *src = path ? hg_read_file(path, 1u << 20, &len) : NULL;
    CHECK(src != NULL);
    CHECK_STREQ(hg_doc_get_str(hg_doc_get(fn, "Code"), "ZipFile"), src ? src : "");
    free(src);
    free(path);
    hg_doc *cr = hg_doc_get(res(pf, "Preflight"), "Properties");
    CHECK_INTEQ(hg_doc_get(cr, "ServiceTimeout")->num, 300);
    CHECK(hg_doc_get(cr, "ServiceTimeout")->num > 2 * hg_doc_get(fn, "Timeout")->num - 1);
    CHECK_STREQ(hg_doc_get_str(cr, "ConfigMode"), "managed");
    CHECK_STREQ(hg_doc_get_str(hg_doc_get(cr, "Checks"), "config-recorder"), "block");
    CHECK_STREQ(hg_doc_get_str(hg_doc_get(cr, "Checks"), "root-mfa"), "warn");
    CHECK_STREQ(hg_doc_get_str(hg_doc_get(cr, "PasswordPolicy"), "MinimumPasswordLength"), "14");
    CHECK_STREQ(hg_doc_get_str(cr, "OwnRecorder"), HG_PLAN_CONFIG_RECORDER_NAME);
    char *acts = read_actions(pf);
    CHECK_STREQ(acts, "cloudtrail:DescribeTrails cloudtrail:GetTrailStatus config:DescribeConfigurationRecorders "
                      "config:DescribeDeliveryChannels ec2:GetEbsEncryptionByDefault iam:GetAccountPasswordPolicy "
                      "iam:GetAccountSummary s3:GetAccountPublicAccessBlock");
    free(acts);
  }
  /* The parent: the preflight stack first, every other child waits for it. */
  const hg_plan_template *parent = find(&p, "security.global.yaml");
  hg_doc *r = hg_doc_get(parent->doc, "Resources");
  CHECK_STREQ(r->keys[0], HG_PLAN_PREFLIGHT_STACK);
  CHECK(!hg_doc_get(r->items[0], "DependsOn"));
  for (size_t i = 1; i < r->n; i++)
    CHECK(depends_on(r->items[i], HG_PLAN_PREFLIGHT_STACK));
  CHECK(depends_on(res(parent, "ConfigStack"), "CloudTrailStack"));
  CHECK(strstr(parent->text, "  CloudTrailStack:\n    Type: AWS::CloudFormation::Stack\n    DependsOn: PreflightStack\n") != NULL);
  CHECK(strstr(parent->text, "Fn::Sub: ${CFtemplateBucketURL}preflight.global.yaml\n") != NULL);
  CHECK(strstr(parent->text, "\nOutputs:\n") != NULL && strstr(strstr(parent->text, "\nOutputs:\n"), "\n  PreflightWarnings:\n") != NULL);
  CHECK(strstr(parent->text, "        - PreflightStack\n        - Outputs.Warnings\n") != NULL);
  hg_plan_free(&p);
  fixture_free(&c);
}

/* The role reads only what the enabled checks call; none at all when every check is off. */
TEST(preflight_role_follows_the_checks)
{
  hg_compiled c;
  preflight_fixture(&c);
  for (size_t i = 0; i < HG_PF_N_CHECKS; i++)
    c.profile->preflight_checks[i] = HG_CHECK_OFF;
  c.profile->preflight_checks[HG_PF_ROOT_MFA] = HG_CHECK_BLOCK;
  c.profile->preflight_checks[HG_PF_ROOT_ACCESS_KEYS] = HG_CHECK_WARN;
  c.profile->preflight_checks[HG_PF_TRAIL_QUOTA] = HG_CHECK_WARN;
  hg_plan p;
  CHECK(build(&c, HG_PLAN_YAML, &p) == 0);
  char *acts = read_actions(find(&p, "preflight.global.yaml"));
  CHECK_STREQ(acts, "cloudtrail:DescribeTrails iam:GetAccountSummary");
  free(acts);
  hg_plan_free(&p);

  for (size_t i = 0; i < HG_PF_N_CHECKS; i++)
    c.profile->preflight_checks[i] = HG_CHECK_OFF;
  CHECK(build(&c, HG_PLAN_YAML, &p) == 0); /* and the IAM lint passes */
  const hg_plan_template *pf = find(&p, "preflight.global.yaml");
  CHECK(read_actions(pf) == NULL);
  CHECK(strstr(pf->text, "PolicyName: WriteLog\n") != NULL);
  CHECK(strstr(pf->text, "config-recorder: 'off'\n") != NULL);
  hg_plan_free(&p);
  fixture_free(&c);
}

TEST(preflight_off_leaves_no_trace)
{
  hg_compiled c;
  fixture_compiled(&c, 0);
  hg_plan p;
  CHECK(build(&c, HG_PLAN_YAML, &p) == 0);
  CHECK_INTEQ(p.n, 4);
  CHECK(find(&p, "preflight.global.yaml") == NULL);
  CHECK(strstr(p.t[p.n - 1].text, "Preflight") == NULL);
  CHECK(strstr(p.t[p.n - 1].text, "PreflightWarnings") == NULL);
  hg_plan_free(&p);
  fixture_free(&c);
}

TEST(preflight_json_names_the_json_template)
{
  hg_compiled c;
  preflight_fixture(&c);
  hg_plan p;
  CHECK(build(&c, HG_PLAN_JSON, &p) == 0);
  CHECK(find(&p, "preflight.global.json") != NULL);
  CHECK(strstr(p.t[p.n - 1].text, "\"Fn::Sub\": \"${CFtemplateBucketURL}preflight.global.json\"") != NULL);
  hg_plan_free(&p);
  fixture_free(&c);
}

/* config.mode: existing — rules only, no recorder, channel, role or bucket
 * parameter; the audit asks whether a recorder records. */
TEST(config_mode_existing)
{
  hg_compiled c;
  preflight_fixture(&c);
  c.profile->config_existing = true;
  hg_plan p;
  CHECK(build(&c, HG_PLAN_YAML, &p) == 0);
  const hg_plan_template *cfg = find(&p, "config.global.yaml");
  CHECK(res(cfg, "ConfigRecorder") == NULL);
  CHECK(res(cfg, "DeliveryChannel") == NULL);
  CHECK(res(cfg, "ConfigRole") == NULL);
  CHECK(hg_doc_get(cfg->doc, "Parameters") == NULL);
  CHECK_INTEQ(cfg->resources, 6);
  CHECK(strstr(cfg->text, "DependsOn") == NULL);
  CHECK(strstr(cfg->text, "ConfigRuleName: iam-password-policy\n") != NULL);
  const hg_plan_template *parent = find(&p, "security.global.yaml");
  CHECK(hg_doc_get(hg_doc_get(res(parent, "ConfigStack"), "Properties"), "Parameters") == NULL);
  const hg_plan_template *pf = find(&p, "preflight.global.yaml");
  CHECK_STREQ(hg_doc_get_str(hg_doc_get(res(pf, "Preflight"), "Properties"), "ConfigMode"), "existing");
  char *acts = read_actions(pf);
  CHECK(acts && strstr(acts, "config:DescribeConfigurationRecorderStatus") != NULL);
  CHECK(acts && strstr(acts, "config:DescribeConfigurationRecorders") == NULL);
  free(acts);
  hg_plan_free(&p);
  fixture_free(&c);
}
