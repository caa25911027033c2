/* test_plan.c — the stack-set planner on hand-built inputs. */
#include "harness.h"

#include <sys/stat.h>
#include <unistd.h>

#include "hg/diag.h"
#include "hg/emit.h"
#include "hg/plan.h"
#include "plan_fixture.h"

static const char *root(void)
{
  const char *top = getenv("HG_TOP");
  return top ? top : ".";
}

/* HG_PLAN_DUMP=DIR writes the fixture's templates for a look (and cfn-lint). */
TEST(plan_prod_fixture)
{
  hg_compiled c;
  fixture_compiled(&c, 0);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p;
  int rc = hg_plan_build(&c, root(), NULL, &p, &sink);
  if (rc != 0)
    hg_diag_render_text(&sink, stdout);
  CHECK(rc == 0);
  CHECK_INTEQ(p.n, 4);
  CHECK_STREQ(p.t[0].name, "cloudtrail.global.yaml");
  CHECK_STREQ(p.t[1].name, "config.global.yaml");
  CHECK_STREQ(p.t[2].name, "cloudwatch.global.yaml");
  CHECK_STREQ(p.t[3].name, "security.global.yaml");
  CHECK_INTEQ(p.t[2].resources, 7 + 2 * 2);
  CHECK_STREQ(p.filters[0].alarm, "acme-acme-prod-unauthorized-api-calls");
  CHECK_STREQ(p.filters[0].metric, "UnauthorizedApiCalls");
  CHECK_STREQ(p.filters[0].cis, "4.1");
  CHECK(p.filters[1].cis == NULL);
  CHECK(strstr(p.t[2].text, "      AlarmName:\n        Fn::Sub: acme-${AWSAccountName}-unauthorized-api-calls\n") != NULL);
  CHECK(strstr(p.t[1].text, "MinimumPasswordLength: '14'\n") != NULL);
  CHECK(strstr(p.t[3].text, "Default: https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/\n") != NULL);
  const char *dump = getenv("HG_PLAN_DUMP");
  if (dump)
    CHECK(hg_plan_write(&p, dump, &sink) == 0);
  hg_plan_free(&p);
  hg_diag_free(&sink);
  fixture_free(&c);
}

/*
 * 300 filters: 600 metric filter and alarm resources cannot share one
 * template (500), so the alarms split into cloudwatch.global.yaml and
 * cloudwatch.global.2.yaml, each inside every per-template quota. The env
 * is still refused as a whole: CloudWatch Logs takes at most 100 metric
 * filters per log group, and all of them read the one CloudTrail group.
 */
TEST(plan_300_filters_split_and_log_group_quota)
{
  hg_compiled c;
  fixture_compiled(&c, 298);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p;
  int rc = hg_plan_build(&c, root(), NULL, &p, &sink);
  CHECK(rc == -1);
  CHECK_INTEQ(sink.errors, 1);
  CHECK_STREQ(sink.n ? sink.v[0].code : NULL, "quota-metric-filters");
  CHECK_STREQ(sink.n ? sink.v[0].message : NULL,
              "the env declares 300 metric filters; CloudWatch Logs allows 100 per log group "
              "(this is filter 101, 'generated-0098')");
  CHECK_INTEQ(p.n, 5);
  CHECK_STREQ(p.t[2].name, "cloudwatch.global.yaml");
  CHECK_STREQ(p.t[3].name, "cloudwatch.global.2.yaml");
  CHECK_INTEQ(p.t[2].resources, 7 + 2 * 246);
  CHECK_INTEQ(p.t[3].resources, 2 * (300 - 246));
  size_t total = 0;
  hg_diag_sink q;
  hg_diag_init(&q);
  for (size_t i = 0; i < p.n; i++) {
    CHECK(p.t[i].resources <= HG_PLAN_MAX_RESOURCES);
    CHECK(p.t[i].len <= HG_PLAN_MAX_TEMPLATE_BYTES);
    CHECK_INTEQ(hg_plan_check_template(&p.t[i], &q), 0);
  }
  for (size_t i = 0; i < p.n_filters; i++)
    total += p.filters[i].part == 2;
  CHECK_INTEQ(total, 54);
  /* Part 2 reaches part 1's topics by name; the parent wires it in. */
  CHECK(strstr(p.t[3].text, "Fn::Sub: arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${AWSAccountName}-devops\n") != NULL);
  CHECK(strstr(p.t[3].text, "Ref: InfosecTopic") == NULL);
  CHECK(strstr(p.t[4].text, "  CloudWatchStack2:\n    Type: AWS::CloudFormation::Stack\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n    DependsOn: CloudWatchStack\n") != NULL);
  CHECK(strstr(p.t[4].text, "Fn::Sub: ${CFtemplateBucketURL}cloudwatch.global.2.yaml\n") != NULL);
  CHECK(strstr(p.manifest, "\"name\": \"cloudwatch.global.2.yaml\",\n      \"size\": ") != NULL);
  const char *dump = getenv("HG_PLAN_DUMP");
  if (dump) {
    free(p.env);
    p.env = xstrdup("split");
    CHECK(hg_plan_write(&p, dump, &sink) == 0);
  }
  hg_diag_free(&q);
  hg_plan_free(&p);
  hg_diag_free(&sink);
  fixture_free(&c);
}

TEST(plan_split_by_bytes_and_small_resource_limit)
{
  hg_compiled c;
  fixture_compiled(&c, 58);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p;
  hg_plan_options o = {HG_PLAN_YAML, 50, 0};
  CHECK(hg_plan_build(&c, root(), &o, &p, &sink) == 0);
  /* 7 fixed + 21 pairs, then 25 pairs, then the last 14. */
  CHECK_INTEQ(p.n, 6);
  CHECK_INTEQ(p.t[2].resources, 49);
  CHECK_INTEQ(p.t[3].resources, 50);
  CHECK_INTEQ(p.t[4].resources, 28);
  CHECK_STREQ(p.t[4].name, "cloudwatch.global.3.yaml");
  hg_plan_free(&p);
  o = (hg_plan_options){HG_PLAN_YAML, 0, 20000};
  CHECK(hg_plan_build(&c, root(), &o, &p, &sink) == 0);
  CHECK(p.n > 5);
  for (size_t i = 0; i < p.n; i++)
    CHECK(p.t[i].len <= 20000);
  hg_plan_free(&p);
  CHECK_INTEQ(sink.n, 0);
  hg_diag_free(&sink);
  fixture_free(&c);
}

TEST(plan_json_has_the_same_content)
{
  hg_compiled c;
  fixture_compiled(&c, 3);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan y, j;
  hg_plan_options o = {HG_PLAN_JSON, 0, 0};
  CHECK(hg_plan_build(&c, root(), NULL, &y, &sink) == 0);
  CHECK(hg_plan_build(&c, root(), &o, &j, &sink) == 0);
  CHECK_INTEQ(y.n, j.n);
  CHECK_STREQ(j.t[3].name, "security.global.json");
  CHECK(strstr(j.t[3].text, "\"Fn::Sub\": \"${CFtemplateBucketURL}cloudwatch.global.json\"") != NULL);
  CHECK(strcmp(y.digest, j.digest) != 0);
  CHECK(strstr(j.manifest, "\"parent\": \"security.global.json\",\n") != NULL);
  hg_plan_free(&y);
  hg_plan_free(&j);
  hg_diag_free(&sink);
  fixture_free(&c);
}

TEST(plan_is_byte_stable)
{
  hg_compiled c;
  fixture_compiled(&c, 20);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan a, b;
  CHECK(hg_plan_build(&c, root(), NULL, &a, &sink) == 0);
  CHECK(hg_plan_build(&c, root(), NULL, &b, &sink) == 0);
  for (size_t i = 0; i < a.n; i++)
    CHECK(a.t[i].len == b.t[i].len && memcmp(a.t[i].text, b.t[i].text, a.t[i].len) == 0);
  CHECK_STREQ(a.manifest, b.manifest);
  hg_plan_free(&a);
  hg_plan_free(&b);
  hg_diag_free(&sink);
  fixture_free(&c);
}

TEST(plan_checks_profile_values_against_parameter_constraints)
{
  hg_compiled c;
  fixture_compiled(&c, 0);
  c.profile->retention_days = 42;
  c.profile->account_name = "acme_prod";
  c.profile->alarm_namespace = "CIS:Bench";
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p;
  CHECK(hg_plan_build(&c, root(), NULL, &p, &sink) == -1);
  CHECK_INTEQ(sink.errors, 3);
  CHECK_STREQ(sink.v[0].code, "quota-metric-namespace");
  CHECK_STREQ(sink.v[1].message, "logs.retention_days 42 is not one of the AllowedValues of "
                                 "parameter LogRetentionDays in cloudtrail.global.yaml");
  CHECK_STREQ(sink.v[2].message, "account.name 'acme_prod' does not match the AllowedPattern of "
                                 "parameter AWSAccountName in cloudtrail.global.yaml");
  hg_plan_free(&p);
  hg_diag_free(&sink);
  fixture_free(&c);
}

TEST(plan_unique_logical_ids_for_colliding_ids)
{
  hg_compiled c;
  fixture_compiled(&c, 0);
  fixture_filter(&c.filters, "a-1b", "x", "{ $.a = 1 }", HG_TOPIC_DEVOPS, NULL);
  fixture_filter(&c.filters, "a1b", "y", "{ $.a = 2 }", HG_TOPIC_DEVOPS, NULL);
  c.patterns = xrealloc(c.patterns, c.filters.n * sizeof *c.patterns);
  c.patterns[2] = c.patterns[3] = NULL;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p;
  CHECK(hg_plan_build(&c, root(), NULL, &p, &sink) == 0);
  CHECK_STREQ(p.filters[2].logical, "A1b");
  CHECK(strncmp(p.filters[3].logical, "A1bX", 4) == 0 && strlen(p.filters[3].logical) == 12);
  hg_plan_free(&p);
  hg_diag_free(&sink);
  fixture_free(&c);
}

static bool same_doc(const hg_doc *a, const hg_doc *b)
{
  if (!a || !b || a->kind != b->kind || a->n != b->n)
    return false;
  if (a->kind == HG_DOC_STR)
    return strcmp(a->str, b->str) == 0;
  if (a->kind == HG_DOC_INT)
    return a->num == b->num;
  if (a->kind == HG_DOC_BOOL)
    return a->b == b->b;
  for (size_t i = 0; i < a->n; i++)
    if ((a->kind == HG_DOC_MAP && strcmp(a->keys[i], b->keys[i]) != 0) ||
        !same_doc(a->items[i], b->items[i]))
      return false;
  return true;
}

/* Every emitted template reads back (libyaml) to the document it came from. */
TEST(plan_yaml_reads_back_to_the_same_document)
{
  hg_compiled c;
  fixture_compiled(&c, 40);
  c.profile->account_name = "2024";
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p;
  CHECK(hg_plan_build(&c, root(), NULL, &p, &sink) == 0);
  for (size_t i = 0; i < p.n; i++) {
    hg_doc *back = hg_emit_read_yaml(p.t[i].text, p.t[i].len, p.t[i].name, &sink);
    if (!same_doc(back, p.t[i].doc))
      FAIL_AT("%s does not read back", p.t[i].name);
    hg_doc_free(back);
  }
  CHECK(strstr(p.t[3].text, "    Default: '2024'\n") != NULL);
  CHECK_INTEQ(sink.n, 0);
  hg_plan_free(&p);
  hg_diag_free(&sink);
  fixture_free(&c);
}

static size_t count_files(const char *dir)
{
  char *cmd = xasprintf("ls -A %s | wc -l", dir);
  FILE *f = popen(cmd, "r");
  size_t n = 0;
  if (f) {
    if (fscanf(f, "%zu", &n) != 1)
      n = 0;
    pclose(f);
  }
  free(cmd);
  return n;
}

/* A rebuild replaces the whole folder (stale parts go); a target that is
 * not a folder is an error that leaves it alone. */
TEST(plan_write_replaces_the_folder_atomically)
{
  hg_compiled c;
  fixture_compiled(&c, 0);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p;
  CHECK(hg_plan_build(&c, root(), NULL, &p, &sink) == 0);
  char dir[] = "/tmp/hg-write-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char *env = xasprintf("%s/prod", dir);
  char *stale = xasprintf("%s/cloudwatch.global.2.yaml", env);
  CHECK(hg_mkdirs(env, 0755) == 0);
  CHECK(hg_write_atomic(stale, "old\n", 4) == 0);
  CHECK(hg_plan_write(&p, dir, &sink) == 0);
  CHECK(access(stale, F_OK) != 0);
  CHECK_INTEQ(count_files(env), 5);
  CHECK_INTEQ(count_files(dir), 1);
  /* Not a folder: refused, untouched. */
  free(p.env);
  p.env = xstrdup("file");
  char *file = xasprintf("%s/file", dir);
  CHECK(hg_write_atomic(file, "keep\n", 5) == 0);
  CHECK(hg_plan_write(&p, dir, &sink) == -1);
  CHECK_STREQ(sink.n ? sink.v[0].code : NULL, "write-failed");
  size_t len = 0;
  char *text = hg_read_file(file, 100, &len);
  CHECK_STREQ(text, "keep\n");
  CHECK_INTEQ(count_files(dir), 2);
  free(text);
  char *cmd = xasprintf("rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  free(cmd);
  free(file);
  free(stale);
  free(env);
  hg_plan_free(&p);
  hg_diag_free(&sink);
  fixture_free(&c);
}

/* Six filters with a regex: CloudWatch Logs takes five per log group. */
TEST(plan_regex_filters_per_log_group)
{
  hg_compiled c;
  fixture_compiled(&c, 0);
  for (int i = 0; i < 6; i++) {
    char id[32], pat[64];
    snprintf(id, sizeof id, "regex-%d", i);
    snprintf(pat, sizeof pat, "%%Call%d[0-9]+%%", i);
    fixture_filter(&c.filters, id, "A regex detection", pat, HG_TOPIC_DEVOPS, NULL);
  }
  c.patterns = xrealloc(c.patterns, c.filters.n * sizeof *c.patterns);
  for (size_t i = 2; i < c.filters.n; i++) {
    const char *pt = c.filters.v[i].pattern;
    c.patterns[i] = hg_fp_parse(pt, strlen(pt), NULL, NULL);
    CHECK(c.patterns[i] && hg_fp_regex_count(c.patterns[i]) == 1);
  }
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p;
  CHECK(hg_plan_build(&c, root(), NULL, &p, &sink) == -1);
  CHECK_INTEQ(sink.errors, 1);
  CHECK_STREQ(sink.n ? sink.v[0].message : NULL,
              "filter 'regex-5' is the 6th with a regex; CloudWatch Logs allows 5 regex filters per "
              "log group");
  CHECK_INTEQ(sink.n ? sink.v[0].line : 0, 8);
  hg_plan_free(&p);
  hg_diag_free(&sink);
  fixture_free(&c);
}

/* Several envs are all or nothing: when the second cannot be swapped in,
 * the first is put back as it was (`build --all` used to leave it new). */
TEST(plan_commit_is_all_or_nothing)
{
  hg_compiled c;
  fixture_compiled(&c, 0);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_plan p1, p2;
  CHECK(hg_plan_build(&c, root(), NULL, &p1, &sink) == 0);
  CHECK(hg_plan_build(&c, root(), NULL, &p2, &sink) == 0);
  free(p1.env);
  p1.env = xstrdup("aaa");
  free(p2.env);
  p2.env = xstrdup("bbb");
  char dir[] = "/tmp/hg-commit-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char *old = xasprintf("%s/aaa/old.txt", dir);
  char *aaa = xasprintf("%s/aaa", dir);
  CHECK(hg_mkdirs(aaa, 0755) == 0);
  CHECK(hg_write_atomic(old, "old\n", 4) == 0);
  hg_plan_staged st[2];
  CHECK(hg_plan_stage(&p1, dir, &st[0], &sink) == 0);
  CHECK(hg_plan_stage(&p2, dir, &st[1], &sink) == 0);
  /* The second target turns into a file after staging: its swap fails. */
  char *bbb = xasprintf("%s/bbb", dir);
  CHECK(hg_write_atomic(bbb, "file\n", 5) == 0);
  CHECK(hg_plan_commit(st, 2, &sink) == -1);
  CHECK(hg_diag_has_errors(&sink));
  hg_plan_staged_free(&st[0]);
  hg_plan_staged_free(&st[1]);
  CHECK(access(old, F_OK) == 0);           /* aaa holds its old content */
  CHECK_INTEQ(count_files(aaa), 1);
  CHECK_INTEQ(count_files(dir), 2);        /* aaa and the file bbb, no temporary folder */
  char *cmd = xasprintf("rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  free(cmd);
  free(bbb);
  free(aaa);
  free(old);
  hg_plan_free(&p1);
  hg_plan_free(&p2);
  hg_diag_free(&sink);
  fixture_free(&c);
}
