/* test_plan.c — the stack-set planner on hand-built inputs. */
#include "harness.h"

#include <sys/stat.h>
#include <unistd.h>

#include "hg/diag.h"
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
