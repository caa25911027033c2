/* test_profile.c — the profile loader: YAML tree, extends/merge, schema and value checks.
 * Fixtures live in tests/profile/ (run from the tree root). Diagnostics are
 * pinned as the exact text the CLI prints. */
#include "harness.h"
#include "fixtures.h"

#include "hg/diag.h"
#include "hg/profile.h"
#include "hg/util.h"

/* Render every diagnostic of s as the CLI would (malloc'd). */
/* Parse a fixture file with hg_profile_parse_text; returns the rendered diagnostics. */
static char *parse_fixture(const char *path, hg_profile **out)
{
  size_t len = 0;
  char *text = hg_read_file(path, 1u << 22, &len);
  if (!text) {
    if (out)
      *out = NULL;
    return xasprintf("cannot read %s", path);
  }
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_diag_source(&s, path, text, len);
  hg_profile *p = hg_profile_parse_text(path, text, len, &s);
  char *r = render(&s);
  if (out)
    *out = p;
  else
    hg_profile_free(p);
  hg_diag_free(&s);
  free(text);
  return r;
}

/* Parse a fixture that must fail; compare the whole diagnostic text. */
#define EXPECT_FIXTURE(path, expected)                                                               \
  do {                                                                                               \
    hg_profile *p_ = NULL;                                                                           \
    char *got_ = parse_fixture(path, &p_);                                                           \
    CHECK(p_ == NULL);                                                                               \
    CHECK_STREQ(got_, expected);                                                                     \
    hg_profile_free(p_);                                                                             \
    free(got_);                                                                                      \
  } while (0)

/* Load ROOT/ENV; returns the rendered diagnostics, *out the profile (or NULL). */
static char *load(const char *root, const char *env, hg_profile **out)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_profile *p = hg_profile_load(root, env, &s);
  char *r = render(&s);
  hg_diag_free(&s);
  if (out)
    *out = p;
  else
    hg_profile_free(p);
  return r;
}

/* Parse inline text; returns the number of errors and sets *warnings. */
static size_t errors_of(const char *text, size_t *warnings, char **rendered)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_diag_source(&s, "t.yaml", text, strlen(text));
  hg_profile *p = hg_profile_parse_text("t.yaml", text, strlen(text), &s);
  size_t e = s.errors;
  if (warnings)
    *warnings = s.warnings;
  if (rendered)
    *rendered = render(&s);
  CHECK((p == NULL) == (e > 0));
  hg_profile_free(p);
  hg_diag_free(&s);
  return e;
}

#define VALID_HEAD                                                                                   \
  "account:\n  name: acme-test\nnotify:\n  infosec: sec@example.com\n  devops: ops@example.com\n"  \
  "logs:\n  bucket: acme-test-logs\n  retention_days: 365\n"

/* A valid profile with the given templates.bucket_url. */
static size_t url_errors(const char *url, size_t *warnings)
{
  char *text = xasprintf(VALID_HEAD "templates:\n  bucket_url: \"%s\"\n", url);
  size_t e = errors_of(text, warnings, NULL);
  free(text);
  return e;
}

/* A valid profile plus extra top-level YAML. */
static size_t extra_errors(const char *extra, size_t *warnings)
{
  char *text = xasprintf(VALID_HEAD "templates:\n  bucket_url: https://b-1.s3.eu-west-1.amazonaws.com/p/\n%s",
                         extra);
  size_t e = errors_of(text, warnings, NULL);
  free(text);
  return e;
}

/* ---- the shipped example profiles -------------------------------------- */

TEST(example_prod_loads)
{
  hg_profile *p = NULL;
  char *d = load(".", "prod", &p);
  CHECK_STREQ(d, "");
  CHECK(p != NULL);
  if (p) {
    CHECK_STREQ(p->env, "prod");
    CHECK_STREQ(p->path, "profiles/prod.yaml");
    CHECK_STREQ(p->account_name, "acme-prod");
    CHECK_STREQ(p->account_id, "123456789012");
    CHECK_STREQ(p->infosec_email, "secops@example.com");
    CHECK_INTEQ(p->retention_days, 365);
    CHECK_STREQ(p->cis_version, "1.4");
    CHECK_INTEQ(p->cis_targets, HG_TARGET_ALL);
    CHECK_STREQ(p->alarm_namespace, "CISBenchmark");
    const hg_yval *ips = hg_yval_path(p->tree, "vars.trusted_source_ips");
    CHECK(ips && ips->kind == HG_Y_SEQ && ips->n >= 1);
    CHECK(hg_yval_get(p->vars, "watched_volume_ids") != NULL);
    CHECK(hg_yval_get(p->vars, "watched_instance_ids") != NULL);
    CHECK(hg_yval_get(p->vars, "large_instance_types") != NULL);
    CHECK(hg_yval_get(p->vars, "watched_event_source") != NULL);
    /* abstract is not inherited from base */
    CHECK(hg_yval_get(p->tree, "abstract") == NULL);
    /* the extends chain, for the input digest */
    CHECK_INTEQ(p->n_files, 2);
    if (p->n_files == 2) {
      CHECK_STREQ(p->files[0], "profiles/prod.yaml");
      CHECK_STREQ(p->files[1], "profiles/base.yaml");
    }
  }
  hg_profile_free(p);
  free(d);
}

TEST(example_dev_loads_without_warnings)
{
  char *d = load(".", "dev", NULL);
  CHECK_STREQ(d, "");
  free(d);
}

TEST(list_skips_abstract_profiles)
{
  char **names = hg_profile_list(".");
  CHECK(names != NULL);
  if (names) {
    CHECK_STREQ(names[0], "dev");
    CHECK_STREQ(names[1], "prod");
    CHECK(names[2] == NULL);
  }
  hg_profile_list_free(names);
  CHECK(hg_profile_list("tests/profile/no-such-root") == NULL);
}

TEST(abstract_profile_is_refused)
{
  char *d = load(".", "base", NULL);
  CHECK_STREQ(d, "profiles/base.yaml:3:11: error: profile 'base' is abstract: it is only a parent for other "
                 "profiles [profile-abstract]\n"
                 "  abstract: true\n"
                 "            ^~~~\n"
                 "  note: build a profile that extends it instead\n");
  free(d);
}

TEST(unknown_env_suggests_a_name)
{
  char *d = load(".", "prd", NULL);
  CHECK_STREQ(d, "profiles/prd.yaml: error: no profile 'prd': profiles/prd.yaml does not exist "
                 "[profile-not-found]\n"
                 "  note: did you mean 'prod'?\n");
  free(d);
  d = load(".", "../etc/passwd", NULL);
  CHECK_STREQ(d, "hardengen: error: '../etc/passwd' is not an environment name (letters, digits, '_' and '-') "
                 "[profile-bad-env]\n");
  free(d);
}

/* ---- a profile using every key ----------------------------------------- */

TEST(full_profile_typed_fill)
{
  hg_profile *p = NULL;
  char *d = parse_fixture("tests/profile/good/full.yaml", &p);
  CHECK_STREQ(d, "");
  CHECK(p != NULL);
  if (p) {
    CHECK_STREQ(p->env, "full");
    CHECK_STREQ(p->account_id, "012345678901");
    CHECK_INTEQ(p->retention_days, 3653);
    CHECK_STREQ(p->publish_region, "us-gov-west-1");
    CHECK_STREQ(p->cis_version, "1.2"); /* the number 1.2, normalised */
    CHECK_INTEQ(p->cis_targets, HG_TARGET_STEAMPIPE | HG_TARGET_SECURITYHUB);
    CHECK_STREQ(p->alarm_namespace, "Acme/Security");
    CHECK_STREQ(p->alarm_name_prefix, "acme");
    CHECK_INTEQ(p->n_disable, 2);
    CHECK_STREQ(p->disable[1], "nacl-changes");
    CHECK_INTEQ(p->n_overrides, 2);
    /* sorted by id */
    CHECK_STREQ(p->overrides[0].id, "console-auth-failures");
    CHECK(p->overrides[0].has_threshold && p->overrides[0].threshold == 2.5);
    CHECK(!p->overrides[0].has_period);
    CHECK_STREQ(p->overrides[0].topic, "devops");
    CHECK_STREQ(p->overrides[0].pattern, "{ $.errorMessage = \"Failed authentication\" }");
    CHECK_STREQ(p->overrides[1].id, "unauthorized-api-calls");
    CHECK_INTEQ(p->overrides[1].period, 60);
    CHECK_INTEQ(p->overrides[1].evaluation_periods, 2);
    CHECK(p->overrides[1].pattern == NULL);
    CHECK_INTEQ(p->pw_min_length, 16);
    CHECK_INTEQ(p->pw_reuse_prevention, 5);
    CHECK_INTEQ(p->pw_max_age, 60);
    CHECK(p->pw_require_upper && !p->pw_require_lower && p->pw_require_symbols && !p->pw_require_numbers);
    CHECK(p->config_existing);
    CHECK(p->preflight);
    CHECK_INTEQ(p->preflight_timeout, 900);
    CHECK_INTEQ(p->preflight_checks[HG_PF_CONFIG_RECORDER], HG_CHECK_WARN);
    CHECK_INTEQ(p->preflight_checks[HG_PF_DUPLICATE_TRAIL], HG_CHECK_OFF);
    CHECK_INTEQ(p->preflight_checks[HG_PF_ROOT_MFA], HG_CHECK_BLOCK);
    CHECK_INTEQ(p->preflight_checks[HG_PF_EBS_DEFAULT_ENCRYPTION], HG_CHECK_OFF);
    CHECK_INTEQ(p->preflight_checks[HG_PF_PASSWORD_POLICY], HG_CHECK_WARN);
    const hg_yval *copy = hg_yval_get(p->vars, "copy");
    CHECK(copy && copy->kind == HG_Y_SEQ && copy->n == 2);
    const hg_yval *yes = hg_yval_get(p->vars, "yes_is_a_string");
    CHECK(yes && yes->kind == HG_Y_STR); /* YAML 1.2 core schema */
    const hg_yval *num = hg_yval_get(p->vars, "number");
    CHECK(num && num->kind == HG_Y_INT && num->i == 31);
  }
  hg_profile_free(p);
  free(d);
}

TEST(defaults)
{
  const char *text = VALID_HEAD "templates:\n  bucket_url: https://b-1.s3.eu-west-1.amazonaws.com/p/\n";
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_profile *p = hg_profile_parse_text("x/profiles/min.yaml", text, strlen(text), &s);
  CHECK(p != NULL);
  CHECK_INTEQ(s.n, 0);
  if (p) {
    CHECK_STREQ(p->env, "min");
    CHECK(p->account_id == NULL);
    CHECK_STREQ(p->cis_version, "1.4");
    CHECK_INTEQ(p->cis_targets, HG_TARGET_ALL);
    CHECK_STREQ(p->alarm_namespace, "CISBenchmark");
    CHECK(p->alarm_name_prefix == NULL);
    CHECK(p->publish_bucket == NULL && p->publish_prefix == NULL && p->publish_region == NULL);
    CHECK_INTEQ(p->n_disable, 0);
    CHECK_INTEQ(p->n_overrides, 0);
    CHECK(!p->config_existing);
    CHECK(p->preflight);
    CHECK_INTEQ(p->preflight_timeout, 300);
    for (size_t i = 0; i < HG_PF_N_CHECKS; i++)
      CHECK_INTEQ(p->preflight_checks[i], hg_preflight_defaults[i]);
    CHECK_INTEQ(p->preflight_checks[HG_PF_CONFIG_RECORDER], HG_CHECK_BLOCK);
    CHECK_INTEQ(p->preflight_checks[HG_PF_TRAIL_QUOTA], HG_CHECK_BLOCK);
    CHECK_INTEQ(p->preflight_checks[HG_PF_ROOT_MFA], HG_CHECK_WARN);
    CHECK_INTEQ(p->pw_min_length, 14);
    CHECK_INTEQ(p->pw_reuse_prevention, 24);
    CHECK_INTEQ(p->pw_max_age, 90);
    CHECK(p->pw_require_upper && p->pw_require_lower && p->pw_require_symbols && p->pw_require_numbers);
    CHECK(p->vars && p->vars->kind == HG_Y_MAP && p->vars->n == 0);
  }
  hg_profile_free(p);
  hg_diag_free(&s);
}

/* ---- pinned diagnostics ------------------------------------------------- */

TEST(unknown_key_did_you_mean)
{
  EXPECT_FIXTURE("tests/profile/bad/unknown-key.yaml",
                 "tests/profile/bad/unknown-key.yaml:11:1: error: unknown key 'notfy' [profile-unknown-key]\n"
                 "  notfy:\n"
                 "  ^~~~~\n"
                 "  note: did you mean 'notify'?\n");
}

TEST(unknown_nested_key_lists_known_keys)
{
  char *r = NULL;
  CHECK_INTEQ(errors_of(VALID_HEAD "  expiry: 5\ntemplates:\n  bucket_url: https://b-1.s3.eu-west-1.amazonaws.com/p/\n",
                        NULL, &r),
              1);
  CHECK_STREQ(r, "t.yaml:9:3: error: unknown key 'logs.expiry' [profile-unknown-key]\n"
                 "    expiry: 5\n"
                 "    ^~~~~~\n"
                 "  note: known keys of logs: bucket, retention_days, object_lock, break_glass_role\n");
  free(r);
}

TEST(wrong_type)
{
  EXPECT_FIXTURE("tests/profile/bad/wrong-type.yaml",
                 "tests/profile/bad/wrong-type.yaml:8:19: error: logs.retention_days must be an integer, not a "
                 "string [profile-type]\n"
                 "    retention_days: \"365\"\n"
                 "                    ^~~~~\n"
                 "  note: remove the quotes to make it a number\n");
}

TEST(preflight_checks_diagnostics)
{
  EXPECT_FIXTURE("tests/profile/bad/preflight-checks.yaml",
                 "tests/profile/bad/preflight-checks.yaml:11:9: error: config.mode 'exsting' must be managed or existing [profile-bad-config-mode]\n"
                 "    mode: exsting\n"
                 "          ^~~~~~~\n"
                 "  note: did you mean 'existing'?\n"
                 "tests/profile/bad/preflight-checks.yaml:13:12: error: preflight.timeout 30 must be 120 to 3600 seconds [profile-bad-preflight-timeout]\n"
                 "    timeout: 30\n"
                 "             ^~\n"
                 "  note: it is the custom resource's ServiceTimeout; the audit's Lambda gets half of it\n"
                 "tests/profile/bad/preflight-checks.yaml:15:15: error: preflight.checks.root-mfa 'blok' must be block, warn or off [profile-bad-check-level]\n"
                 "      root-mfa: blok\n"
                 "                ^~~~\n"
                 "  note: did you mean 'block'?\n"
                 "tests/profile/bad/preflight-checks.yaml:16:5: error: unknown key 'preflight.checks.trail-qouta' [profile-unknown-key]\n"
                 "      trail-qouta: warn\n"
                 "      ^~~~~~~~~~~\n"
                 "  note: did you mean 'trail-quota'?\n"
                 "tests/profile/bad/preflight-checks.yaml:17:29: error: preflight.checks.ebs-default-encryption must be block, warn or off, not a boolean [profile-bad-check-level]\n"
                 "      ebs-default-encryption: false\n"
                 "                              ^~~~~\n"
                 "  note: write off\n"
                 "tests/profile/bad/preflight-checks.yaml:18:22: error: preflight.checks.password-policy must be a string, not a list [profile-type]\n"
                 "      password-policy: [warn]\n"
                 "                       ^\n"
                 "tests/profile/bad/preflight-checks.yaml:19:3: error: unknown key 'preflight.check' [profile-unknown-key]\n"
                 "    check: {}\n"
                 "    ^~~~~\n"
                 "  note: did you mean 'checks'?\n");
}

TEST(preflight_off_diagnostics)
{
  EXPECT_FIXTURE("tests/profile/bad/preflight-off.yaml",
                 "tests/profile/bad/preflight-off.yaml:10:12: error: preflight must be false or a mapping, not a string [profile-type]\n"
                 "  preflight: off\n"
                 "             ^~~\n"
                 "  note: write false to turn it off, or a mapping of its settings\n");
}

/* preflight: false turns the audit off; true or a mapping keeps it on. */
TEST(preflight_switch)
{
  static const struct {
    const char *yaml;
    bool on;
    int timeout;
  } cases[] = {
      {"preflight: false\n", false, 300},
      {"preflight: true\n", true, 300},
      {"preflight:\n  timeout: 120\n", true, 120},
      {"", true, 300},
  };
  for (size_t i = 0; i < HG_COUNTOF(cases); i++) {
    char *text = xasprintf(VALID_HEAD "templates:\n  bucket_url: https://b-1.s3.eu-west-1.amazonaws.com/p/\n%s",
                           cases[i].yaml);
    hg_diag_sink s;
    hg_diag_init(&s);
    hg_profile *p = hg_profile_parse_text("t.yaml", text, strlen(text), &s);
    CHECK(p != NULL);
    if (p) {
      CHECK(p->preflight == cases[i].on);
      CHECK_INTEQ(p->preflight_timeout, cases[i].timeout);
    }
    hg_profile_free(p);
    hg_diag_free(&s);
    free(text);
  }
}

TEST(bad_email)
{
  EXPECT_FIXTURE("tests/profile/bad/bad-email.yaml",
                 "tests/profile/bad/bad-email.yaml:4:12: error: notify.infosec 'sec@example' is not a valid email "
                 "address: the domain has no dot [profile-bad-email]\n"
                 "    infosec: sec@example\n"
                 "             ^~~~~~~~~~~\n");
}

TEST(unquoted_account_id)
{
  EXPECT_FIXTURE("tests/profile/bad/account-id-unquoted.yaml",
                 "tests/profile/bad/account-id-unquoted.yaml:3:7: error: account.id must be a quoted string: YAML "
                 "reads 012345678901 as a number and drops leading zeros [profile-account-id-unquoted]\n"
                 "    id: 012345678901\n"
                 "        ^~~~~~~~~~~~\n"
                 "  note: write it as id: \"012345678901\"\n");
}

TEST(bad_bucket)
{
  EXPECT_FIXTURE("tests/profile/bad/bad-bucket.yaml",
                 "tests/profile/bad/bad-bucket.yaml:7:11: error: logs.bucket 'acme..logs' is not a valid S3 bucket "
                 "name: a bucket name has no two adjacent dots [profile-bad-bucket]\n"
                 "    bucket: acme..logs\n"
                 "            ^~~~~~~~~~\n");
}

TEST(bad_retention)
{
  EXPECT_FIXTURE("tests/profile/bad/bad-retention.yaml",
                 "tests/profile/bad/bad-retention.yaml:8:19: error: logs.retention_days 100 is not a retention "
                 "CloudWatch Logs accepts [profile-bad-retention]\n"
                 "    retention_days: 100\n"
                 "                    ^~~\n"
                 "  note: the nearest accepted values are 90 and 120\n"
                 "  note: accepted: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, "
                 "2192, 2557, 2922, 3288, 3653\n");
}

TEST(short_retention_warns_but_loads)
{
  hg_profile *p = NULL;
  char *d = parse_fixture("tests/profile/bad/short-retention.yaml", &p);
  CHECK(p != NULL);
  CHECK_STREQ(d, "tests/profile/bad/short-retention.yaml:8:19: warning: logs.retention_days is 90: CIS asks to "
                 "keep CloudTrail logs for at least 365 days [profile-short-retention]\n"
                 "    retention_days: 90\n"
                 "                    ^~\n");
  if (p)
    CHECK_INTEQ(p->retention_days, 90);
  hg_profile_free(p);
  free(d);
}

TEST(non_https_bucket_url)
{
  EXPECT_FIXTURE("tests/profile/bad/http-bucket-url.yaml",
                 "tests/profile/bad/http-bucket-url.yaml:10:15: error: templates.bucket_url "
                 "'http://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/' must be an https:// URL of an S3 bucket "
                 "[profile-bad-bucket-url]\n"
                 "    bucket_url: http://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/\n"
                 "                ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
                 "  note: for example https://BUCKET.s3.REGION.amazonaws.com/PREFIX/\n");
}

TEST(yaml_syntax_error)
{
  EXPECT_FIXTURE("tests/profile/bad/yaml-syntax.yaml",
                 "tests/profile/bad/yaml-syntax.yaml:5:2: error: YAML syntax error: did not find expected key "
                 "(while parsing a block mapping) [profile-yaml-syntax]\n"
                 "   devops: ops@example.com\n"
                 "   ^\n"
                 "  note: check the indentation of this line and the one before, and quote values holding ': '\n"
                 "  note: the construct started at line 1, column 1\n");
}

TEST(tab_indentation_hint)
{
  char *r = NULL;
  CHECK_INTEQ(errors_of("account:\n\tname: x\n", NULL, &r), 1);
  CHECK_STREQ(r, "t.yaml:2:1: error: YAML syntax error: found character that cannot start any token (while "
                 "scanning for the next token) [profile-yaml-syntax]\n"
                 "  \tname: x\n"
                 "  ^\n"
                 "  note: YAML does not allow tabs for indentation; use spaces\n");
  free(r);
}

TEST(alias_bomb_is_refused)
{
  /* Nine levels of nine aliases: 387 million strings if copied. The parser
   * stops at the first alias that passes the node budget. */
  EXPECT_FIXTURE("tests/profile/bad/alias-bomb.yaml",
                 "tests/profile/bad/alias-bomb.yaml:8:10: error: document expands to more than 100000 nodes "
                 "[profile-yaml-too-large]\n"
                 "    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                 "           ^\n"
                 "  note: aliases count as copies of what they refer to (a billion-laughs document is refused)\n");
}

TEST(alias_recursion_and_unknown_anchor)
{
  char *r = NULL;
  CHECK_INTEQ(errors_of("a: &x [1, *x]\n", NULL, &r), 1);
  CHECK_STREQ(r, "t.yaml:1:11: error: alias '*x' refers to no earlier anchor [profile-yaml-unknown-anchor]\n"
                 "  a: &x [1, *x]\n"
                 "            ^\n");
  free(r);
}

TEST(deep_nesting_is_refused)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "vars: ");
  for (int i = 0; i < 10000; i++)
    hg_buf_putc(&b, '[');
  for (int i = 0; i < 10000; i++)
    hg_buf_putc(&b, ']');
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_profile *p = hg_profile_parse_text("t.yaml", b.data, b.len, &s);
  CHECK(p == NULL);
  CHECK_INTEQ(s.n, 1);
  if (s.n) {
    CHECK_STREQ(s.v[0].code, "profile-yaml-too-deep");
    CHECK_INTEQ(s.v[0].col, 70); /* the 64th collection: the root mapping is the first */
  }
  hg_diag_free(&s);
  hg_buf_free(&b);
}

TEST(duplicate_key)
{
  EXPECT_FIXTURE("tests/profile/bad/duplicate-key.yaml",
                 "tests/profile/bad/duplicate-key.yaml:6:3: error: duplicate key 'infosec' [profile-duplicate-key]\n"
                 "    infosec: other@example.com\n"
                 "    ^~~~~~~\n"
                 "  note: first given at line 4, column 3\n");
}

TEST(missing_required_key)
{
  EXPECT_FIXTURE("tests/profile/bad/missing-key.yaml",
                 "tests/profile/bad/missing-key.yaml:1:1: error: missing required key 'notify.devops' "
                 "[profile-missing-key]\n"
                 "  account:\n"
                 "  ^\n");
}

TEST(every_error_is_reported)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  size_t len = 0;
  char *text = hg_read_file("tests/profile/bad/many-errors.yaml", 1u << 20, &len);
  CHECK(text != NULL);
  hg_profile *p = text ? hg_profile_parse_text("m.yaml", text, len, &s) : NULL;
  CHECK(p == NULL);
  static const char *const codes[] = {
      "profile-duplicate-key", "profile-bad-account-name", "profile-account-id-unquoted",
      "profile-unknown-key", "profile-bad-email", "profile-bad-email", "profile-bad-bucket",
      "profile-bad-retention", "profile-unknown-key", "profile-bad-bucket-url", "profile-bad-bucket",
      "profile-bad-region", "profile-bad-cis-target", "profile-bad-namespace", "profile-bad-name-prefix",
      "profile-bad-filter-id", "profile-bad-threshold", "profile-bad-period",
      "profile-bad-evaluation-periods", "profile-bad-topic", "profile-unknown-key",
      "profile-bad-password-policy", "profile-type", "profile-type", "profile-type",
  };
  CHECK_INTEQ(s.errors, HG_COUNTOF(codes));
  CHECK_INTEQ(s.warnings, 0);
  for (size_t i = 0; i < s.n && i < HG_COUNTOF(codes); i++)
    CHECK_STREQ(s.v[i].code, codes[i]);
  hg_diag_free(&s);
  free(text);
}

/* ---- extends ------------------------------------------------------------ */

TEST(extends_deep_merge)
{
  hg_profile *p = NULL;
  char *d = load("tests/profile/merge", "child", &p);
  CHECK_STREQ(d, "");
  CHECK(p != NULL);
  if (p) {
    CHECK_STREQ(p->path, "tests/profile/merge/profiles/child.yaml");
    /* maps merge: logs.bucket from the child, retention from the parent */
    CHECK_STREQ(p->logs_bucket, "child-logs");
    CHECK_INTEQ(p->retention_days, 400);
    const hg_yval *ret = hg_yval_path(p->tree, "logs.retention_days");
    CHECK(ret && strcmp(ret->file, "tests/profile/merge/profiles/parent.yaml") == 0 && ret->line == 7);
    /* lists replace */
    CHECK_INTEQ(p->cis_targets, HG_TARGET_PROWLER);
    const hg_yval *ips = hg_yval_get(p->vars, "ips");
    CHECK(ips && ips->n == 1 && strcmp(ips->items[0]->text, "192.0.2.1") == 0);
    /* nested maps merge, parent's keys first */
    const hg_yval *nested = hg_yval_get(p->vars, "nested");
    CHECK(nested && nested->n == 3);
    if (nested && nested->n == 3) {
      CHECK_STREQ(nested->keys[0], "x");
      CHECK_STREQ(nested->keys[1], "y");
      CHECK_STREQ(nested->keys[2], "z");
      CHECK_INTEQ(nested->items[0]->i, 1);
      CHECK_INTEQ(nested->items[1]->i, 3);
      CHECK_INTEQ(nested->items[2]->i, 4);
    }
    CHECK_STREQ(hg_yval_get(p->vars, "name")->text, "parent");
    CHECK_STREQ(p->cis_version, "1.2");
    CHECK(hg_yval_get(p->tree, "abstract") == NULL);
  }
  hg_profile_free(p);
  free(d);
}

TEST(extends_three_levels)
{
  hg_profile *p = NULL;
  char *d = load("tests/profile/merge", "grandchild", &p);
  CHECK_STREQ(d, "");
  if (p) {
    CHECK_STREQ(p->account_name, "acme-child");
    CHECK_STREQ(p->infosec_email, "sec@example.com");
    CHECK_STREQ(p->devops_email, "grand-ops@example.com");
    CHECK_STREQ(hg_yval_get(p->vars, "name")->text, "grandchild");
    CHECK_INTEQ(hg_yval_get(p->vars, "ips")->n, 1);
  }
  CHECK(p != NULL);
  hg_profile_free(p);
  free(d);
}

TEST(extends_cycle)
{
  char *d = load("tests/profile/cycle", "a", NULL);
  CHECK_STREQ(d, "tests/profile/cycle/profiles/b.yaml:2:10: error: extends cycle: a -> b -> a "
                 "[profile-extends-cycle]\n"
                 "  extends: a\n"
                 "           ^\n");
  free(d);
  d = load("tests/profile/cycle", "self", NULL);
  CHECK_STREQ(d, "tests/profile/cycle/profiles/self.yaml:1:10: error: extends cycle: self -> self "
                 "[profile-extends-cycle]\n"
                 "  extends: self\n"
                 "           ^~~~\n");
  free(d);
}

TEST(extends_missing_parent)
{
  char *d = load("tests/profile/missing", "orphan", NULL);
  CHECK_STREQ(d, "tests/profile/missing/profiles/orphan.yaml:3:10: error: profile 'orphan' extends 'bsae', but "
                 "tests/profile/missing/profiles/bsae.yaml does not exist [profile-missing-parent]\n"
                 "  extends: bsae\n"
                 "           ^~~~\n"
                 "  note: did you mean 'base'?\n");
  free(d);
}

/* ---- value rules -------------------------------------------------------- */

TEST(bucket_url_forms)
{
  size_t w = 0;
  CHECK_INTEQ(url_errors("https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/", &w), 0);
  CHECK_INTEQ(w, 0);
  CHECK_INTEQ(url_errors("https://acme-cfn.s3.amazonaws.com/", NULL), 0);
  CHECK_INTEQ(url_errors("https://acme-cfn.s3-eu-west-1.amazonaws.com/x/", NULL), 0);
  CHECK_INTEQ(url_errors("https://s3.amazonaws.com/acme-cfn/x/", NULL), 0);
  CHECK_INTEQ(url_errors("https://s3.eu-west-1.amazonaws.com/acme-cfn/", NULL), 0);
  CHECK_INTEQ(url_errors("https://acme.cfn.s3.eu-west-1.amazonaws.com/x/", &w), 0);
  CHECK_INTEQ(w, 1); /* dots in a virtual-hosted bucket */
  CHECK_INTEQ(url_errors("https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening", NULL), 1);
  CHECK_INTEQ(url_errors("https://acme-cfn.s3.eu-west-1.amazonaws.com", NULL), 1);
  CHECK_INTEQ(url_errors("https://example.com/x/", NULL), 1);
  CHECK_INTEQ(url_errors("https://s3.amazonaws.com/", NULL), 1);
  CHECK_INTEQ(url_errors("https://Bad_Bucket.s3.amazonaws.com/x/", NULL), 1);
  CHECK_INTEQ(url_errors("https://acme-cfn.s3.nowhere.amazonaws.com/x/", NULL), 1);
  CHECK_INTEQ(url_errors("https://acme-cfn.s3.amazonaws.com/x/?a=b/", NULL), 1);
  CHECK_INTEQ(url_errors("s3://acme-cfn/x/", NULL), 1);
}

TEST(bucket_rules)
{
  size_t w = 0;
  CHECK_INTEQ(extra_errors("publish: { bucket: abc }\n", &w), 0);
  CHECK_INTEQ(extra_errors("publish: { bucket: ab }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("publish: { bucket: a234567890123456789012345678901234567890123456789012345678901234 }\n",
                           NULL),
              1);
  CHECK_INTEQ(extra_errors("publish: { bucket: -abc }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("publish: { bucket: abc- }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("publish: { bucket: \"10.0.0.1\" }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("publish: { bucket: xn--abc }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("publish: { bucket: abc-s3alias }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("publish: { bucket: a.b.c }\n", &w), 0);
  CHECK_INTEQ(w, 1);
}

TEST(region_and_version_and_targets)
{
  CHECK_INTEQ(extra_errors("publish: { region: eu-central-2 }\n", NULL), 0);
  CHECK_INTEQ(extra_errors("publish: { region: us-isob-east-1 }\n", NULL), 0);
  CHECK_INTEQ(extra_errors("publish: { region: EU-WEST-1 }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("publish: { region: eu-west }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("cis: { version: \"3.0\" }\n", NULL), 0);
  CHECK_INTEQ(extra_errors("cis: { version: 3.0 }\n", NULL), 0);
  CHECK_INTEQ(extra_errors("cis: { version: 5 }\n", NULL), 0);
  CHECK_INTEQ(extra_errors("cis: { version: \"2.0\" }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("cis: { version: 1.41 }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("cis: { targets: [] }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("cis: { targets: [prowler, 3] }\n", NULL), 1);
}

TEST(alarm_and_password_rules)
{
  CHECK_INTEQ(extra_errors("alarms: { namespace: \"a:b\" }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("alarms: { name_prefix: \"\" }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("filters: { override: { x: { period: 10 } } }\n", NULL), 0);
  CHECK_INTEQ(extra_errors("filters: { override: { x: { period: 120 } } }\n", NULL), 0);
  CHECK_INTEQ(extra_errors("filters: { override: { x: { period: 0 } } }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("filters: { override: { x: { threshold: .nan } } }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("filters: { override: { x: 5 } }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("filters: { override: { X_Y: {} } }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("config: { rules: { iam-password-policy: { PasswordReusePrevention: 25 } } }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("config: { rules: { iam-password-policy: { MaxPasswordAge: 1095 } } }\n", NULL), 0);
  CHECK_INTEQ(extra_errors("config: { rules: { iam-pasword-policy: {} } }\n", NULL), 1);
  CHECK_INTEQ(extra_errors("account: { name: acme }\n", NULL), 1); /* duplicate 'account' */
  char *text = xasprintf("%s", VALID_HEAD "templates:\n  bucket_url: https://b-1.s3.eu-west-1.amazonaws.com/p/\n");
  char *id = strstr(text, "  name: acme-test\n");
  char *r = NULL;
  char *with_id = xasprintf("%.*s  id: \"12345\"\n%s", (int)(id - text), text, id);
  CHECK_INTEQ(errors_of(with_id, NULL, &r), 1);
  CHECK_STREQ(r, "t.yaml:2:7: error: account.id '12345' must be exactly 12 digits [profile-bad-account-id]\n"
                 "    id: \"12345\"\n"
                 "        ^~~~~~~\n");
  free(r);
  free(with_id);
  free(text);
}

TEST(non_map_documents)
{
  char *r = NULL;
  CHECK_INTEQ(errors_of("- a\n- b\n", NULL, &r), 1);
  CHECK_STREQ(r, "t.yaml:1:1: error: a profile must be a mapping, not a list [profile-type]\n"
                 "  - a\n"
                 "  ^\n");
  free(r);
  CHECK_INTEQ(errors_of("", NULL, NULL), 5); /* every required key is missing */
  CHECK_INTEQ(errors_of("a: 1\n---\nb: 2\n", NULL, NULL), 1);
  CHECK_INTEQ(errors_of("? [a]\n: 1\n", NULL, NULL), 6);
}

TEST(diagnostics_are_capped)
{
  hg_buf b;
  hg_buf_init(&b);
  for (int i = 0; i < 300; i++)
    hg_buf_printf(&b, "unknown%d: 1\n", i);
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_profile *p = hg_profile_parse_text("t.yaml", b.data, b.len, &s);
  CHECK(p == NULL);
  CHECK_INTEQ(s.n, 101);
  if (s.n == 101) {
    CHECK_STREQ(s.v[100].code, "profile-too-many-problems");
    CHECK_STREQ(s.v[100].message, "205 more problems (205 errors) not shown"); /* 300 keys + 5 missing */
  }
  hg_diag_free(&s);
  hg_buf_free(&b);
}

/* ---- detective: and rule metadata (SPEC §11) ---------------------------- */

TEST(detective_block_values)
{
  EXPECT_FIXTURE("tests/profile/bad/detective.yaml",
"tests/profile/bad/detective.yaml:13:17: error: detective.central.account_id must be a quoted string: YAML reads 11112222333 as a number and drops leading zeros [profile-account-id-unquoted]\n"
                 "      account_id: 11112222333\n"
                 "                  ^~~~~~~~~~~\n"
                 "  note: write it as account_id: \"11112222333\"\n"
                 "tests/profile/bad/detective.yaml:15:13: error: detective.central.org_id 'o-abc' is not an organization id [profile-bad-org-id]\n"
                 "      org_id: o-abc\n"
                 "              ^~~~~\n"
                 "  note: an organization id is 'o-' and 10 to 32 lower-case letters or digits (o-a1b2c3d4e5)\n"
                 "tests/profile/bad/detective.yaml:16:18: error: detective.central.rules_table 'my table' is not a DynamoDB table name (3 to 255 letters, digits, '_', '.' or '-') [profile-bad-table-name]\n"
                 "      rules_table: \"my table\"\n"
                 "                   ^~~~~~~~~~\n"
                 "tests/profile/bad/detective.yaml:17:18: error: detective.central.reader_role 'reader/role' is not an IAM role name (1 to 64 letters, digits or _+=,.@-) [profile-bad-role-name]\n"
                 "      reader_role: reader/role\n"
                 "                   ^~~~~~~~~~~\n"
                 "tests/profile/bad/detective.yaml:19:14: error: detective.splunk.hec_url 'http://splunk.example.com:8088' is not a Splunk HEC URL: Firehose delivers to Splunk only over https:// [profile-bad-hec-url]\n"
                 "      hec_url: http://splunk.example.com:8088\n"
                 "               ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
                 "  note: for example https://http-inputs-firehose-acme.splunkcloud.com:443\n"
                 "tests/profile/bad/detective.yaml:20:16: error: detective.splunk.hec_token: a HEC token must not be written in a profile [profile-secret-in-profile]\n"
                 "      hec_token: 12345678-1234-1234-1234-123456789012\n"
                 "                 ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
                 "  note: store it in AWS Secrets Manager and set detective.splunk.hec_token_secret_arn\n"
                 "tests/profile/bad/detective.yaml:21:27: error: detective.splunk.hec_token_secret_arn 'arn:aws:ssm:eu-west-1:111122223333:parameter/hec' is not a valid ARN: it is not a Secrets Manager ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME) [profile-bad-arn]\n"
                 "      hec_token_secret_arn: arn:aws:ssm:eu-west-1:111122223333:parameter/hec\n"
                 "                            ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
                 "  note: the HEC token stays in Secrets Manager; the profile names the secret's ARN\n"
                 "tests/profile/bad/detective.yaml:22:20: error: detective.splunk.endpoint_type 'event' must be one of Event, Raw [profile-bad-endpoint-type]\n"
                 "      endpoint_type: event\n"
                 "                     ^~~~~\n"
                 "  note: did you mean 'Event'?\n"
                 "tests/profile/bad/detective.yaml:23:24: error: '2nd' in detective.fields is not a Splunk field name (a letter or '_', then letters, digits or '_') [profile-bad-field-name]\n"
                 "    fields: { org: acme, 2nd: x, env: 3 }\n"
                 "                         ^~~\n"
                 "tests/profile/bad/detective.yaml:23:37: error: detective.fields.env must be a string, not an integer [profile-type]\n"
                 "    fields: { org: acme, 2nd: x, env: 3 }\n"
                 "                                      ^\n"
                 "  note: quote it to keep it a string: \"3\"\n"
                 "tests/profile/bad/detective.yaml:18:3: error: missing required key 'detective.splunk.backup_bucket' [profile-missing-key]\n"
                 "    splunk:\n"
                 "    ^~~~~~\n");
}

TEST(rule_metadata_values)
{
  EXPECT_FIXTURE("tests/profile/bad/rule-metadata.yaml",
"tests/profile/bad/rule-metadata.yaml:13:17: error: config.rules.restricted-ssh.severity 'HIHG' must be one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL [profile-bad-severity]\n"
                 "        severity: HIHG\n"
                 "                  ^~~~\n"
                 "  note: did you mean 'HIGH'?\n"
                 "tests/profile/bad/rule-metadata.yaml:14:30: error: config.rules.restricted-ssh.frameworks.cis-1.4 must be a quoted string: YAML reads 5.10 as a number (1.10 would become 1.1) [profile-type]\n"
                 "        frameworks: { cis-1.4: 5.10, PCI: \"1.2.1\" }\n"
                 "                               ^~~~\n"
                 "  note: write it as \"5.10\"\n"
                 "tests/profile/bad/rule-metadata.yaml:14:36: error: framework 'PCI' in config.rules.restricted-ssh.frameworks must be 1 to 64 lower-case letters, digits, '.', '_' or '-' [profile-bad-framework]\n"
                 "        frameworks: { cis-1.4: 5.10, PCI: \"1.2.1\" }\n"
                 "                                     ^~~\n"
                 "tests/profile/bad/rule-metadata.yaml:15:23: error: unknown route 'pagerduty' in config.rules.restricted-ssh.route [profile-bad-route]\n"
                 "        route: [splunk, pagerduty]\n"
                 "                        ^~~~~~~~~\n"
                 "  note: routes: splunk, securityhub\n"
                 "tests/profile/bad/rule-metadata.yaml:16:5: error: unknown key 'config.rules.root-acount-mfa-enabled' [profile-unknown-key]\n"
                 "      root-acount-mfa-enabled:\n"
                 "      ^~~~~~~~~~~~~~~~~~~~~~~\n"
                 "  note: did you mean 'root-account-mfa-enabled'?\n"
                 "tests/profile/bad/rule-metadata.yaml:20:14: error: config.rules.iam-password-policy.title is empty [profile-bad-length]\n"
                 "        title: \"\"\n"
                 "               ^~\n");
}

TEST(detective_required_keys)
{
  EXPECT_FIXTURE("tests/profile/bad/detective-missing.yaml",
"tests/profile/bad/detective-missing.yaml:11:3: error: missing required key 'detective.central.account_id' [profile-missing-key]\n"
                 "    central:\n"
                 "    ^~~~~~~\n"
                 "tests/profile/bad/detective-missing.yaml:11:3: error: missing required key 'detective.central.org_id' [profile-missing-key]\n"
                 "    central:\n"
                 "    ^~~~~~~\n"
                 "tests/profile/bad/detective-missing.yaml:13:16: error: detective.securityhub is false and there is no detective.splunk: compliance changes would go nowhere [profile-detective-no-route]\n"
                 "    securityhub: false\n"
                 "                 ^~~~~\n");
}
