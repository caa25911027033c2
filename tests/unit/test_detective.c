/* test_detective.c — the detective controls' compile side (SPEC §11): ARN
 * syntax, exceptions as code (pinned diagnostics for bad input, limits on
 * hostile input), rule metadata, detective-data.json, and the sync diff.
 * Fixtures live in tests/exceptions/ and tests/golden/detective-root/ (run
 * from the tree root). */
#include <cjson/cJSON.h>

#include "harness.h"
#include "fixtures.h"

#include "hg/arn.h"
#include "hg/detective.h"
#include "hg/emit.h"
#include "hg/exceptions.h"
#include "hg/profile.h"
#include "hg/sync.h"
#include "hg/util.h"

static const char *const rules[] = {"iam-password-policy",      "iam-user-no-policies-check",
                                    "restricted-ssh",           "root-account-mfa-enabled",
                                    "s3-bucket-public-read-prohibited", "s3-bucket-public-write-prohibited",
                                    NULL};
#define TODAY "2026-12-06"

/* Parse an exceptions file; returns the rendered diagnostics and the status. */
static char *parse_file(const char *path, hg_exceptions *x, int *rc)
{
  size_t len = 0;
  char *text = hg_read_file(path, 1u << 22, &len);
  if (!text)
    return xasprintf("cannot read %s", path);
  hg_diag_sink s;
  hg_diag_init(&s);
  *rc = hg_exceptions_parse_text(path, text, len, rules, TODAY, x, &s);
  char *r = render(&s);
  hg_diag_free(&s);
  free(text);
  return r;
}

static char *parse_string(const char *text, hg_exceptions *x, int *rc)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  *rc = hg_exceptions_parse_text("exceptions/t.yaml", text, strlen(text), rules, TODAY, x, &s);
  char *r = render(&s);
  hg_diag_free(&s);
  return r;
}

/* A fixture that must fail: the whole diagnostic text, and no entry kept from a bad entry. */
#define EXPECT_EXCEPTIONS(path, expected)                                                            \
  do {                                                                                               \
    hg_exceptions x_;                                                                                \
    hg_exceptions_init(&x_);                                                                         \
    int rc_ = 0;                                                                                     \
    char *got_ = parse_file(path, &x_, &rc_);                                                        \
    CHECK_INTEQ(rc_, -1);                                                                            \
    CHECK_STREQ(got_, expected);                                                                     \
    free(got_);                                                                                      \
    hg_exceptions_free(&x_);                                                                         \
  } while (0)

/* ---- ARN syntax ---------------------------------------------------------- */

TEST(arn_syntax)
{
  hg_arn a;
  size_t col = 99;
  CHECK(hg_arn_parse("arn:aws:s3:::acme-bucket", &a, &col) == NULL);
  CHECK(a.region_len == 0 && a.account_len == 0);
  CHECK(a.resource_len == 11 && strncmp(a.resource, "acme-bucket", 11) == 0);
  CHECK(hg_arn_parse("arn:aws:secretsmanager:eu-west-1:111122223333:secret:a:b-AbCdEf", &a, NULL) == NULL);
  CHECK(strncmp(a.service, "secretsmanager", a.service_len) == 0 && a.service_len == 14);
  CHECK(strncmp(a.resource, "secret:a:b-AbCdEf", a.resource_len) == 0);
  CHECK(hg_arn_parse("arn:aws:iam::aws:policy/ReadOnlyAccess", NULL, NULL) == NULL);
  CHECK(hg_arn_parse("arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/i-1", NULL, NULL) == NULL);
  CHECK(hg_arn_parse("arn:aws-cn:s3:::b", NULL, NULL) == NULL);
  CHECK(hg_arn_parse("arn:aws:s3:::", NULL, NULL) != NULL);          /* empty resource */
  CHECK(hg_arn_parse("arn:azure:s3:::b", NULL, &col) != NULL);
  CHECK_INTEQ(col, 4);
  CHECK(hg_arn_parse("arn:aws:S3:::b", NULL, &col) != NULL);
  CHECK_INTEQ(col, 8);
  CHECK(hg_arn_parse("arn:aws:ec2:mars-1:123456789012:x", NULL, NULL) != NULL);
  CHECK(hg_arn_parse("arn:aws:ec2:eu-west-1:12345678901x:x", NULL, NULL) != NULL);
  CHECK(hg_arn_parse("aws:s3:::b", NULL, &col) != NULL);
  CHECK_INTEQ(col, 0);
  CHECK(hg_arn_parse("arn:aws:s3:::b\tc", NULL, &col) != NULL);
  CHECK_INTEQ(col, 14);
  char *big = xmalloc(HG_ARN_MAX + 64);
  strcpy(big, "arn:aws:s3:::");
  memset(big + 13, 'b', HG_ARN_MAX);
  big[13 + HG_ARN_MAX] = '\0';
  CHECK(hg_arn_parse(big, NULL, NULL) != NULL);
  free(big);
  CHECK(hg_arn_is_region("eu-west-1", 9));
  CHECK(hg_arn_is_region("us-gov-west-1", 13));
  CHECK(hg_arn_is_region("us-isob-east-1", 14));
  CHECK(!hg_arn_is_region("eu-west", 7));
  CHECK(!hg_arn_is_region("eu-west-123", 11));
}

/* ---- exceptions: pinned diagnostics -------------------------------------- */

TEST(exceptions_unknown_rule_and_key)
{
  EXPECT_EXCEPTIONS("tests/exceptions/bad/unknown-rule.yaml",
                    "tests/exceptions/bad/unknown-rule.yaml:1:9: error: unknown rule 'restriced-ssh' [exception-unknown-rule]\n"
                    "  - rule: restriced-ssh\n"
                    "          ^~~~~~~~~~~~~\n"
                    "  note: did you mean 'restricted-ssh'?\n"
                    "tests/exceptions/bad/unknown-rule.yaml:6:9: error: unknown rule 'no-such-rule-at-all' [exception-unknown-rule]\n"
                    "  - rule: no-such-rule-at-all\n"
                    "          ^~~~~~~~~~~~~~~~~~~\n"
                    "  note: declared rules: iam-password-policy, iam-user-no-policies-check, restricted-ssh, root-account-mfa-enabled, s3-bucket-public-read-prohibited, s3-bucket-public-write-prohibited, or \"*\" for every rule\n"
                    "tests/exceptions/bad/unknown-rule.yaml:6:3: error: this exception has no 'reason' [exception-missing-key]\n"
                    "  - rule: no-such-rule-at-all\n"
                    "    ^\n"
                    "tests/exceptions/bad/unknown-rule.yaml:8:3: error: unknown key 'reson' [exception-unknown-key]\n"
                    "    reson: typo in a key\n"
                    "    ^~~~~\n"
                    "  note: did you mean 'reason'?\n");
}

TEST(exceptions_malformed_arns)
{
  EXPECT_EXCEPTIONS("tests/exceptions/bad/bad-arn.yaml",
                    "tests/exceptions/bad/bad-arn.yaml:2:8: error: 'arn:aws:s3' is not a valid ARN: it has fewer than six ':'-separated parts (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) [exception-bad-arn]\n"
                    "    arn: arn:aws:s3\n"
                    "         ^~~~~~~~~~\n"
                    "  note: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, e.g. arn:aws:s3:::acme-bucket\n"
                    "tests/exceptions/bad/bad-arn.yaml:7:8: error: 'arn:aws:s3:::my bucket' is not a valid ARN: an ARN holds no spaces or control characters [exception-bad-arn]\n"
                    "    arn: \"arn:aws:s3:::my bucket\"\n"
                    "         ^~~~~~~~~~~~~~~~~~~~~~~~\n"
                    "  note: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, e.g. arn:aws:s3:::acme-bucket\n"
                    "tests/exceptions/bad/bad-arn.yaml:12:8: error: 'arn:aws:ec2:eu-west-1:1234:security-group/sg-1' is not a valid ARN: the account part is not empty or 12 digits [exception-bad-arn]\n"
                    "    arn: arn:aws:ec2:eu-west-1:1234:security-group/sg-1\n"
                    "         ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
                    "  note: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, e.g. arn:aws:s3:::acme-bucket\n");
}

TEST(exceptions_bad_and_missing_dates)
{
  EXPECT_EXCEPTIONS("tests/exceptions/bad/bad-date.yaml",
                    "tests/exceptions/bad/bad-date.yaml:5:12: error: 'expires' 2027-02-30 is not a date: that day does not exist in that month [exception-bad-date]\n"
                    "    expires: 2027-02-30\n"
                    "             ^~~~~~~~~~\n"
                    "tests/exceptions/bad/bad-date.yaml:10:12: error: 'expires' next year is not a date: a date is written YYYY-MM-DD [exception-bad-date]\n"
                    "    expires: next year\n"
                    "             ^~~~~~~~~\n"
                    "tests/exceptions/bad/bad-date.yaml:11:3: error: this exception has no 'expires' [exception-missing-key]\n"
                    "  - rule: restricted-ssh\n"
                    "    ^\n"
                    "  note: every exception ends: expires: YYYY-MM-DD\n"
                    "tests/exceptions/bad/bad-date.yaml:19:12: error: 'expires' must be a date YYYY-MM-DD, not an integer [exception-bad-date]\n"
                    "    expires: 20270101\n"
                    "             ^~~~~~~~\n");
}

TEST(exceptions_duplicate_entry)
{
  EXPECT_EXCEPTIONS("tests/exceptions/bad/duplicate.yaml",
                    "tests/exceptions/bad/duplicate.yaml:6:9: error: duplicate exception for rule '*' and tag:hardengen:exception=EXC-1 [exception-duplicate]\n"
                    "  - rule: \"*\"\n"
                    "          ^~~\n"
                    "  note: first declared at exceptions/duplicate.yaml:1\n");
}

TEST(exceptions_entry_shapes)
{
  EXPECT_EXCEPTIONS("tests/exceptions/bad/shape.yaml",
                    "tests/exceptions/bad/shape.yaml:3:8: error: an exception names a resource by 'arn' or by 'tag', not both [exception-arn-and-tag]\n"
                    "    tag: { team: a }\n"
                    "         ^\n"
                    "  note: write two exceptions to except both\n"
                    "tests/exceptions/bad/shape.yaml:7:3: error: this exception has neither 'arn' nor 'tag' [exception-missing-key]\n"
                    "  - rule: restricted-ssh\n"
                    "    ^\n"
                    "tests/exceptions/bad/shape.yaml:11:3: error: an exception must be a mapping, not a string [exception-type]\n"
                    "  - just a string\n"
                    "    ^~~~~~~~~~~~~\n"
                    "  note: keys: rule, arn or tag, reason, approved_by, expires\n"
                    "tests/exceptions/bad/shape.yaml:13:10: error: tag keys starting with 'aws:' are reserved for AWS [exception-bad-tag]\n"
                    "    tag: { aws:cloudformation:stack-name: x }\n"
                    "           ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
                    "  note: resources cannot carry such a tag by choice, so the exception could be claimed by anyone\n"
                    "tests/exceptions/bad/shape.yaml:14:11: error: 'reason' must be 1 to 1024 characters [exception-bad-value]\n"
                    "    reason: \"\"\n"
                    "            ^~\n"
                    "tests/exceptions/bad/shape.yaml:15:16: error: 'approved_by' must be a string, not a list [exception-type]\n"
                    "    approved_by: [secops]\n"
                    "                 ^\n");
}

TEST(exceptions_file_not_a_list)
{
  EXPECT_EXCEPTIONS("tests/exceptions/bad/not-a-list.yaml",
                    "tests/exceptions/bad/not-a-list.yaml:1:1: error: an exceptions file must be a list of exceptions, not a mapping [exception-type]\n"
                    "  rule: restricted-ssh\n"
                    "  ^\n"
                    "  note: start each exception with '- rule: NAME'\n");
}

TEST(exceptions_good_file_sorted_and_expired_left_out)
{
  hg_exceptions x;
  hg_exceptions_init(&x);
  int rc = 0;
  char *got = parse_file("tests/exceptions/good/mixed.yaml", &x, &rc);
  CHECK_INTEQ(rc, 0);
  CHECK_STREQ(got, "tests/exceptions/good/mixed.yaml:16:12: warning: this exception expired on 2024-02-29; it is "
                   "left out [exception-expired]\n"
                   "    expires: 2024-02-29\n"
                   "             ^~~~~~~~~~\n"
                   "  note: renew it with a new date and approval, or delete it\n");
  CHECK_INTEQ(x.n, 2);
  CHECK_INTEQ(x.expired, 1);
  if (x.n == 2) {
    CHECK_STREQ(x.v[0].rule, "*");
    CHECK_STREQ(x.v[0].match, "tag:owner=team:web");
    CHECK_STREQ(x.v[0].tag_key, "owner");
    CHECK_STREQ(x.v[0].tag_value, "team:web");
    CHECK(x.v[0].arn == NULL);
    CHECK_STREQ(x.v[0].expires, "2030-02-28");
    CHECK_STREQ(x.v[0].source, "exceptions/mixed.yaml:7");
    CHECK_STREQ(x.v[1].rule, "restricted-ssh");
    CHECK_STREQ(x.v[1].match, "arn:arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc");
    CHECK_STREQ(x.v[1].arn, "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc");
    CHECK_STREQ(x.v[1].source, "exceptions/mixed.yaml:2");
  }
  free(got);
  hg_exceptions_free(&x);
}

TEST(exceptions_expiry_is_inclusive)
{
  /* Valid through the end of its day: expiring today is still live. */
  hg_exceptions x;
  hg_exceptions_init(&x);
  int rc = 0;
  char *got = parse_string("- {rule: restricted-ssh, tag: {a: b}, reason: r, approved_by: me, expires: " TODAY "}\n"
                           "- {rule: restricted-ssh, tag: {a: c}, reason: r, approved_by: me, expires: 2026-12-05}\n",
                           &x, &rc);
  CHECK_INTEQ(rc, 0);
  CHECK_INTEQ(x.n, 1);
  CHECK_INTEQ(x.expired, 1);
  CHECK(strstr(got, "exceptions/t.yaml:2:") != NULL);
  free(got);
  hg_exceptions_free(&x);
}

TEST(exceptions_duplicates_across_files)
{
  hg_exceptions x;
  hg_exceptions_init(&x);
  int rc = 0;
  char *a = parse_string("- {rule: \"*\", arn: \"arn:aws:s3:::b\", reason: r, approved_by: me, expires: 2099-01-01}\n",
                         &x, &rc);
  CHECK_INTEQ(rc, 0);
  hg_diag_sink s;
  hg_diag_init(&s);
  const char *t2 = "# other file\n- {rule: \"*\", arn: \"arn:aws:s3:::b\", reason: again, approved_by: you, expires: "
                   "2099-01-01}\n";
  rc = hg_exceptions_parse_text("exceptions/u.yaml", t2, strlen(t2), rules, TODAY, &x, &s);
  CHECK_INTEQ(rc, -1);
  char *b = render(&s);
  CHECK(strstr(b, "exceptions/u.yaml:2:10: error: duplicate exception for rule '*' and arn:arn:aws:s3:::b "
                  "[exception-duplicate]") != NULL);
  CHECK(strstr(b, "note: first declared at exceptions/t.yaml:1") != NULL);
  CHECK_INTEQ(x.n, 1);
  free(a);
  free(b);
  hg_diag_free(&s);
  hg_exceptions_free(&x);
}

TEST(exceptions_empty_and_hostile_input)
{
  hg_exceptions x;
  hg_exceptions_init(&x);
  int rc = 0;
  char *got = parse_string("", &x, &rc);
  CHECK_INTEQ(rc, 0);
  CHECK_STREQ(got, "");
  free(got);
  /* Billion laughs: bounded by the YAML loader's node cap. */
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "- &a0 [x, x, x, x, x, x, x, x, x, x]\n");
  for (int i = 1; i < 12; i++)
    hg_buf_printf(&b, "- &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i - 1, i - 1,
                  i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
  got = parse_string(b.data, &x, &rc);
  CHECK_INTEQ(rc, -1);
  CHECK(strstr(got, "error:") != NULL);
  free(got);
  /* Deep nesting. */
  hg_buf_reset(&b);
  for (int i = 0; i < 5000; i++)
    hg_buf_putc(&b, '[');
  got = parse_string(b.data, &x, &rc);
  CHECK_INTEQ(rc, -1);
  free(got);
  /* A very long rule name and tag value are clipped in messages. */
  hg_buf_reset(&b);
  hg_buf_puts(&b, "- rule: ");
  for (int i = 0; i < 5000; i++)
    hg_buf_putc(&b, 'r');
  hg_buf_puts(&b, "\n  tag: {k: v}\n  reason: r\n  approved_by: me\n  expires: 2099-01-01\n");
  got = parse_string(b.data, &x, &rc);
  CHECK_INTEQ(rc, -1);
  CHECK(strstr(got, "rrr...' [exception-unknown-rule]") != NULL);
  free(got);
  hg_buf_free(&b);
  CHECK_INTEQ(x.n, 0);
  hg_exceptions_free(&x);
}

TEST(exceptions_load_folder)
{
  hg_exceptions x;
  hg_exceptions_init(&x);
  hg_diag_sink s;
  hg_diag_init(&s);
  CHECK_INTEQ(hg_exceptions_load("tests/golden/detective-root", rules, TODAY, &x, &s), 0);
  CHECK_INTEQ(s.errors, 0);
  CHECK_INTEQ(s.warnings, 1);
  CHECK_INTEQ(x.n_files, 2);
  if (x.n_files == 2) {
    CHECK_STREQ(x.files[0].name, "exceptions/buckets.yaml");
    CHECK_STREQ(x.files[1].name, "exceptions/network.yaml");
    CHECK_INTEQ(strlen(x.files[0].sha256), 64);
  }
  CHECK_INTEQ(x.n, 3);
  hg_exceptions_free(&x);
  hg_exceptions_init(&x);
  /* No folder: nothing declared, no problem. */
  CHECK_INTEQ(hg_exceptions_load("tests/exceptions/no-such-root", rules, TODAY, &x, &s), 0);
  CHECK_INTEQ(x.n, 0);
  hg_exceptions_free(&x);
  hg_diag_free(&s);
}

TEST(today_from_source_date_epoch)
{
  char d[11];
  setenv("SOURCE_DATE_EPOCH", "1709164800", 1); /* 2024-02-29T00:00:00Z */
  hg_exceptions_today(d);
  CHECK_STREQ(d, "2024-02-29");
  setenv("SOURCE_DATE_EPOCH", "1709251199", 1); /* 2024-02-29T23:59:59Z */
  hg_exceptions_today(d);
  CHECK_STREQ(d, "2024-02-29");
  unsetenv("SOURCE_DATE_EPOCH");
  hg_exceptions_today(d);
  CHECK(strlen(d) == 10 && d[4] == '-' && d[7] == '-');
}

/* ---- rule metadata and detective-data.json ------------------------------- */

TEST(rule_metadata_and_data_json)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_profile *p = hg_profile_load("tests/golden/detective-root", "security", &s);
  CHECK(p != NULL);
  if (!p) {
    hg_diag_free(&s);
    return;
  }
  hg_det_config c;
  CHECK(hg_det_config_of(p, &c));
  CHECK(hg_det_is_central(p, &c));
  CHECK_STREQ(c.rules_table, "acme-config-rules");
  CHECK_STREQ(c.exceptions_table, "acme-exceptions");
  CHECK_STREQ(c.reader_role, "acme-detective-reader");
  CHECK(!c.splunk);
  CHECK(c.securityhub);
  CHECK_STREQ(c.endpoint_type, "Event");
  hg_det_rules r;
  const char *names[] = {"restricted-ssh", "root-account-mfa-enabled", "iam-user-no-policies-check", "custom-rule",
                         "restricted-ssh"};
  hg_det_rules_of(p, names, 5, &r);
  CHECK_INTEQ(r.n, 4);
  if (r.n == 4) {
    CHECK_STREQ(r.v[0].name, "custom-rule"); /* no metadata anywhere: the function's defaults */
    CHECK_STREQ(r.v[0].severity, "MEDIUM");
    CHECK_STREQ(r.v[0].title, "custom-rule");
    CHECK(r.v[0].route_splunk && r.v[0].route_securityhub && r.v[0].enabled);
    CHECK_INTEQ(r.v[0].n_fw, 0);
    CHECK_STREQ(r.v[1].name, "iam-user-no-policies-check");
    CHECK(!r.v[1].enabled);
    CHECK_STREQ(r.v[1].severity, "LOW"); /* shipped value kept */
    CHECK_STREQ(r.v[2].name, "restricted-ssh");
    CHECK_STREQ(r.v[2].severity, "CRITICAL");
    CHECK_INTEQ(r.v[2].n_fw, 3); /* the profile's map replaces the shipped one, sorted */
    if (r.v[2].n_fw == 3) {
      CHECK_STREQ(r.v[2].fw_names[0], "cis-1.4");
      CHECK_STREQ(r.v[2].fw_names[1], "cis-3.0");
      CHECK_STREQ(r.v[2].fw_names[2], "nist-800-53-r5");
      CHECK_STREQ(r.v[2].fw_sections[2], "AC-4");
    }
    CHECK_STREQ(r.v[3].title, "Root user MFA");
    CHECK(!r.v[3].route_splunk && r.v[3].route_securityhub);
  }
  hg_exceptions x;
  hg_exceptions_init(&x);
  hg_exceptions_load("tests/golden/detective-root", rules, TODAY, &x, &s);
  size_t len = 0;
  char *json = hg_det_data_json("security", &c, &r, &x, &len);
  CHECK(len == strlen(json) && json[len - 1] == '\n');
  cJSON *root = cJSON_Parse(json);
  CHECK(root != NULL);
  const cJSON *tables = cJSON_GetObjectItemCaseSensitive(root, "tables");
  CHECK_INTEQ(cJSON_GetArraySize(tables), 2);
  const cJSON *t0 = cJSON_GetArrayItem(tables, 0), *t1 = cJSON_GetArrayItem(tables, 1);
  CHECK_STREQ(cJSON_GetObjectItemCaseSensitive(t0, "name")->valuestring, "acme-config-rules");
  CHECK_STREQ(cJSON_GetObjectItemCaseSensitive(t1, "name")->valuestring, "acme-exceptions");
  CHECK_INTEQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t0, "items")), 4);
  CHECK_INTEQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t1, "key")), 2);
  const cJSON *ex = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t1, "items"), 0);
  char *ex_text = cJSON_PrintUnformatted(ex);
  CHECK_STREQ(ex_text, "{\"rule\":{\"S\":\"*\"},\"match\":{\"S\":\"tag:hardengen:exception=EXC-42\"},"
                       "\"tag_key\":{\"S\":\"hardengen:exception\"},\"tag_value\":{\"S\":\"EXC-42\"},"
                       "\"reason\":{\"S\":\"load-test account, torn down every night\"},"
                       "\"approved_by\":{\"S\":\"ciso@example.com\"},\"expires\":{\"S\":\"2099-12-31\"},"
                       "\"source\":{\"S\":\"exceptions/network.yaml:7\"}}");
  free(ex_text);
  /* The data file is what sync reads. */
  hg_sync_data sd;
  CHECK_INTEQ(hg_sync_data_parse(json, len, "detective-data.json", &sd, &s), 0);
  CHECK_INTEQ(sd.n_tables, 2);
  CHECK(sd.tables[0].key[1] == NULL && strcmp(sd.tables[1].key[1], "match") == 0);
  hg_sync_data_free(&sd);
  /* SPLUNK_FIELDS of a profile without fields. */
  char *fields = hg_det_fields_json(&c);
  CHECK_STREQ(fields, "{}");
  free(fields);
  cJSON_Delete(root);
  free(json);
  hg_exceptions_free(&x);
  hg_det_rules_free(&r);
  hg_profile_free(p);
  hg_diag_free(&s);
}

/* ---- sync: data checks and the diff --------------------------------------- */

static const char sync_data[] =
    "{\"schema\":1,\"env\":\"e\",\"tables\":[\n"
    "{\"name\":\"r\",\"key\":[\"rule\"],\"items\":[\n"
    "{\"rule\":{\"S\":\"a\"},\"severity\":{\"S\":\"LOW\"},\"frameworks\":{\"M\":{\"x\":{\"S\":\"1\"},\"y\":{\"S\":\"2\"}}}},\n"
    "{\"rule\":{\"S\":\"b\"},\"severity\":{\"S\":\"HIGH\"}},\n"
    "{\"rule\":{\"S\":\"c\"},\"route\":{\"L\":[{\"S\":\"splunk\"},{\"S\":\"securityhub\"}]}}\n"
    "]},\n"
    "{\"name\":\"x\",\"key\":[\"rule\",\"match\"],\"items\":[\n"
    "{\"rule\":{\"S\":\"*\"},\"match\":{\"S\":\"tag:k=v\"}}\n"
    "]}\n"
    "]}\n";

TEST(sync_diff)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_sync_data d;
  CHECK_INTEQ(hg_sync_data_parse(sync_data, strlen(sync_data), "d.json", &d, &s), 0);
  /* a: same item, map keys in another order (unchanged); b: changed; c:
   * list in another order (changed); d: not declared (removed); x: empty
   * (added). */
  static const char cur0_text[] = "[{\"severity\":{\"S\":\"LOW\"},\"frameworks\":{\"M\":{\"y\":{\"S\":\"2\"},\"x\":{\"S\":\"1\"}}},"
                                  "\"rule\":{\"S\":\"a\"}},"
                                  "{\"rule\":{\"S\":\"b\"},\"severity\":{\"S\":\"LOW\"}},"
                                  "{\"rule\":{\"S\":\"c\"},\"route\":{\"L\":[{\"S\":\"securityhub\"},{\"S\":\"splunk\"}]}},"
                                  "{\"rule\":{\"S\":\"d\"},\"extra\":{\"BOOL\":true}}]";
  hg_doc *cur0 = hg_emit_read_json(cur0_text, strlen(cur0_text), "scan", "t", &s);
  hg_doc *cur1 = hg_emit_read_json("[]", 2, "scan", "t", &s);
  CHECK(cur0 != NULL && cur1 != NULL);
  const hg_doc *cur[2] = {cur0, cur1};
  hg_sync_plan plan;
  hg_sync_diff(&d, cur, &plan);
  CHECK_INTEQ(plan.n, 4);
  CHECK_INTEQ(plan.unchanged, 1);
  if (plan.n == 4) {
    CHECK(plan.v[0].kind == HG_SYNC_CHANGE && strcmp(plan.v[0].key_text, "rule=b") == 0);
    CHECK(plan.v[1].kind == HG_SYNC_CHANGE && strcmp(plan.v[1].key_text, "rule=c") == 0);
    CHECK(plan.v[2].kind == HG_SYNC_REMOVE && strcmp(plan.v[2].key_text, "rule=d") == 0);
    hg_buf key;
    hg_buf_init(&key);
    hg_emit_json_compact(plan.v[2].item, &key);
    CHECK_STREQ(key.data, "{\"rule\":{\"S\":\"d\"}}\n"); /* a DeleteItem Key: key attributes only */
    hg_buf_free(&key);
    CHECK(plan.v[3].kind == HG_SYNC_ADD && strcmp(plan.v[3].key_text, "rule=* match=tag:k=v") == 0);
    CHECK_STREQ(plan.v[3].table, "x");
  }
  hg_sync_plan_free(&plan);
  /* Applying the plan's result: nothing left to do. */
  hg_doc *same0 = hg_doc_clone(d.tables[0].items), *same1 = hg_doc_clone(d.tables[1].items);
  const hg_doc *same[2] = {same0, same1};
  hg_sync_diff(&d, same, &plan);
  CHECK_INTEQ(plan.n, 0);
  CHECK_INTEQ(plan.unchanged, 4);
  hg_sync_plan_free(&plan);
  hg_doc_free(same0);
  hg_doc_free(same1);
  hg_doc_free(cur0);
  hg_doc_free(cur1);
  hg_sync_data_free(&d);
  hg_diag_free(&s);
}

TEST(sync_data_rejects_bad_shapes)
{
  static const char *const bad[] = {
      "not json",
      "{\"schema\":2,\"env\":\"e\",\"tables\":[]}",
      "{\"schema\":1,\"env\":\"e\",\"tables\":[{\"name\":\"t\",\"key\":[],\"items\":[]}]}",
      "{\"schema\":1,\"env\":\"e\",\"tables\":[{\"name\":\"t\",\"key\":[\"k\"],\"items\":[{\"k\":{\"N\":\"1\"}}]}]}",
      "{\"schema\":1,\"env\":\"e\",\"tables\":[{\"name\":\"t\",\"key\":[\"k\"],\"items\":[{\"k\":{\"S\":\"1\"}},"
      "{\"k\":{\"S\":\"1\"}}]}]}",
      "{\"schema\":1,\"env\":\"e\",\"tables\":[{\"name\":\"t\",\"key\":[\"k\"],\"items\":[]},"
      "{\"name\":\"t\",\"key\":[\"k\"],\"items\":[]}]}",
  };
  for (size_t i = 0; i < HG_COUNTOF(bad); i++) {
    hg_diag_sink s;
    hg_diag_init(&s);
    hg_sync_data d;
    CHECK_INTEQ(hg_sync_data_parse(bad[i], strlen(bad[i]), "d.json", &d, &s), -1);
    CHECK(s.errors > 0);
    CHECK(d.root == NULL);
    hg_diag_free(&s);
  }
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_sync_data d;
  const char *dup = bad[4];
  hg_sync_data_parse(dup, strlen(dup), "d.json", &d, &s);
  char *r = render(&s);
  CHECK_STREQ(r, "d.json: error: table t declares k=1 twice [sync-data]\n");
  free(r);
  hg_diag_free(&s);
}
