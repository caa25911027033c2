/*
 * profile_check.c — check a profile tree against the schema (the tables of
 * profile_schema.c): a type per key, the known keys of each mapping (an
 * unknown key gets a did-you-mean), the required keys, and a value rule per
 * leaf that names the AWS or CIS rule it enforces. AWS names and addresses
 * are checked by validate.h, as every other command checks them. Every
 * problem is reported (up to a bound, then counted).
 */
#include "profile_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hg/arn.h"
#include "hg/org.h"
#include "hg/validate.h"


void hg_pctx_init(hg_pctx *c, hg_arena *a, hg_diag_sink *sink)
{
  c->a = a;
  c->sink = sink;
  hg_diag_init(&c->overflow);
  c->reported = 0;
  c->res = NULL;
}

/* Report what was held back, then release it. */
void hg_pctx_finish(hg_pctx *c, const char *file)
{
  if (c->overflow.n)
    hg_diag_add(c->sink, c->overflow.errors ? HG_SEV_ERROR : HG_SEV_WARNING, file, 0, 0, "profile-too-many-problems",
                "%zu more problems (%zu errors) not shown", c->overflow.n, c->overflow.errors);
  hg_diag_free(&c->overflow);
}

hg_diag_sink *hg_pctx_report(hg_pctx *c)
{
  return c->reported++ < HG_PCTX_MAX_REPORTS ? c->sink : &c->overflow;
}

hg_diag *hg_pctx_at(hg_pctx *c, hg_severity sev, const hg_yval *v, const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_yval_vdiag(hg_pctx_report(c), sev, v, code, fmt, ap);
  va_end(ap);
  return d;
}

bool hg_profile_env_name_ok(const char *s)
{
  if (!*s || strlen(s) > 128)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
          *s == '-'))
      return false;
  return true;
}

static bool is_alnum(char ch)
{
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool is_lower_alnum(char ch)
{
  return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool is_digit(char ch)
{
  return ch >= '0' && ch <= '9';
}

/* [A-Za-z0-9-]+ */
static bool is_name(const char *s)
{
  if (!*s)
    return false;
  for (; *s; s++)
    if (!is_alnum(*s) && *s != '-')
      return false;
  return true;
}

/* [a-z0-9-]+, the filter id syntax of SPEC §4. */
static bool is_filter_id(const char *s)
{
  if (!*s)
    return false;
  for (; *s; s++)
    if (!is_lower_alnum(*s) && *s != '-')
      return false;
  return true;
}

static const int retention_values[] = {1,   3,   5,   7,    14,   30,   60,   90,   120,  150,  180,
                                       365, 400, 545, 731,  1096, 1827, 2192, 2557, 2922, 3288, 3653};

static const char *const cis_versions[] = {"1.2", "1.4", "3.0", "5.0", NULL};
const char *const hg_pcheck_cis_target_names[] = {"securityhub", "prowler", "steampipe", NULL};
static const char *const topics[] = {"infosec", "devops", NULL};

/* cis.version as written ("1.4", or the number 1.4 / 3) in its canonical string form, or NULL. */
const char *hg_pcheck_cis_version_of(const hg_yval *v)
{
  char buf[32];
  if (v->kind == HG_Y_STR) {
    for (size_t i = 0; cis_versions[i]; i++)
      if (strcmp(v->text, cis_versions[i]) == 0)
        return cis_versions[i];
    return NULL;
  }
  double f = v->kind == HG_Y_FLOAT ? v->f : v->kind == HG_Y_INT ? (double)v->i : NAN;
  if (!isfinite(f) || f < 0 || f > 100)
    return NULL;
  snprintf(buf, sizeof buf, "%.1f", f);
  if (fabs(strtod(buf, NULL) - f) > 1e-9)
    return NULL;
  for (size_t i = 0; cis_versions[i]; i++)
    if (strcmp(buf, cis_versions[i]) == 0)
      return cis_versions[i];
  return NULL;
}

/* ---- leaf checks -------------------------------------------------------- */


void hg_pcheck_account_name(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (!is_name(v->text) || strlen(v->text) > 64) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-account-name",
                    "%s '%s' must be 1 to 64 letters, digits or '-'", path, hg_yval_clip(c->a, v->text));
    hg_diag_note(d, "it becomes part of alarm names and stack names");
  }
}

void hg_pcheck_account_id(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (v->kind == HG_Y_INT || v->kind == HG_Y_FLOAT) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-account-id-unquoted",
                    "%s must be a quoted string: YAML reads %s as a number and drops leading zeros", path,
                    hg_yval_clip(c->a, v->text));
    const char *leaf = strrchr(path, '.');
    hg_diag_note(d, "write it as %s: \"%s\"", leaf ? leaf + 1 : path, hg_yval_clip(c->a, v->text));
    return;
  }
  if (v->kind != HG_Y_STR) {
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-type", "%s must be a string, not %s", path, hg_yval_kind_name(v->kind));
    return;
  }
  if (hg_valid_account_id(v->text))
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-account-id", "%s '%s' must be exactly 12 digits", path, hg_yval_clip(c->a, v->text));
}

static void bucket_dots_warning(hg_pctx *c, const hg_yval *v, const char *path, const char *bucket)
{
  if (strchr(bucket, '.')) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_WARNING, v, "profile-bucket-dots", "%s '%s' contains dots", path, bucket);
    hg_diag_note(d, "dots break TLS certificate checks for virtual-hosted-style https URLs; prefer '-'");
  }
}

void hg_pcheck_bucket(hg_pctx *c, const hg_yval *v, const char *path)
{
  const char *why = hg_valid_bucket(v->text);
  if (why)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-bucket", "%s '%s' is not a valid S3 bucket name: %s", path, hg_yval_clip(c->a, v->text), why);
  else
    bucket_dots_warning(c, v, path, v->text);
}

void hg_pcheck_retention(hg_pctx *c, const hg_yval *v, const char *path)
{
  bool ok = false;
  for (size_t i = 0; i < HG_COUNTOF(retention_values); i++)
    ok = ok || v->i == retention_values[i];
  if (!ok) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-retention",
                    "%s %lld is not a retention CloudWatch Logs accepts", path, v->i);
    long long lo = -1, hi = -1;
    for (size_t i = 0; i < HG_COUNTOF(retention_values); i++) {
      if (retention_values[i] < v->i)
        lo = retention_values[i];
      else if (hi < 0)
        hi = retention_values[i];
    }
    if (lo > 0 && hi > 0)
      hg_diag_note(d, "the nearest accepted values are %lld and %lld", lo, hi);
    hg_diag_note(d, "accepted: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, "
                    "2192, 2557, 2922, 3288, 3653");
    return;
  }
  if (v->i < 365) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_WARNING, v, "profile-short-retention",
                    "%s is %lld: CIS asks to keep CloudTrail logs for at least 365 days", path, v->i);
    (void)d;
  }
}

void hg_pcheck_bucket_url(hg_pctx *c, const hg_yval *v, const char *path)
{
  const char *s = v->text;
  const char *code = "profile-bad-bucket-url";
  if (strncmp(s, "https://", 8) != 0) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, code, "%s '%s' must be an https:// URL of an S3 bucket", path, s);
    hg_diag_note(d, "for example https://BUCKET.s3.REGION.amazonaws.com/PREFIX/");
    return;
  }
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == '\\' || (unsigned char)*p >= 0x7f) {
      hg_pctx_at(c, HG_SEV_ERROR, v, code, "%s '%s' must not contain spaces, '?', '#' or '\\'", path, hg_yval_clip(c->a, s));
      return;
    }
  const char *host = s + 8;
  size_t hl = strcspn(host, "/");
  char *h = xstrndup(host, hl);
  const char *rest = host + hl; /* "" or "/..." */
  char *bucket = NULL;
  const char *why = NULL;
  bool virtual_hosted = false;
  const char *suffix = hg_ends_with(h, ".amazonaws.com") ? ".amazonaws.com"
                       : hg_ends_with(h, ".amazonaws.com.cn") ? ".amazonaws.com.cn" : NULL;
  if (!suffix) {
    why = "the host is not an amazonaws.com S3 endpoint";
  } else {
    /* Strip the suffix; what is left is "BUCKET.s3[.-]REGION", "BUCKET.s3",
     * "s3[.-]REGION" or "s3" (path-style: the bucket is the first path segment). */
    h[hl - strlen(suffix)] = '\0';
    char *svc = NULL;
    if (strncmp(h, "s3.", 3) == 0 || strncmp(h, "s3-", 3) == 0 || strcmp(h, "s3") == 0) {
      svc = h;
      const char *seg = rest[0] == '/' ? rest + 1 : rest;
      size_t sl = strcspn(seg, "/");
      if (sl == 0)
        why = "a path-style URL names the bucket as the first path segment";
      else
        bucket = xstrndup(seg, sl);
    } else {
      char *m = strstr(h, ".s3.");
      if (!m)
        m = strstr(h, ".s3-");
      if (!m && hg_ends_with(h, ".s3"))
        m = h + strlen(h) - 3;
      if (!m) {
        why = "the host is not BUCKET.s3.REGION.amazonaws.com";
      } else {
        bucket = xstrndup(h, (size_t)(m - h));
        svc = m + 1;
        virtual_hosted = true;
      }
    }
    if (!why && svc && svc[2] != '\0') {
      const char *region = svc + 3;
      if (strncmp(region, "dualstack.", 10) == 0)
        region += 10;
      if (!hg_valid_region(region))
        why = "the region in the host is not a region name";
    }
    if (!why && bucket) {
      const char *bw = hg_valid_bucket(bucket);
      if (bw) {
        hg_pctx_at(c, HG_SEV_ERROR, v, code, "%s '%s': bucket '%s' is not a valid S3 bucket name: %s", path, hg_yval_clip(c->a, s), hg_yval_clip(c->a, bucket),
           bw);
        free(bucket);
        free(h);
        return;
      }
    }
  }
  if (!why && !hg_ends_with(s, "/"))
    why = "it must end with '/' (template names are appended to it)";
  if (why)
    hg_pctx_at(c, HG_SEV_ERROR, v, code, "%s '%s' is not an https S3 URL: %s", path, hg_yval_clip(c->a, s), why);
  else if (virtual_hosted)
    bucket_dots_warning(c, v, path, bucket);
  free(bucket);
  free(h);
}

void hg_pcheck_region(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (!hg_valid_region(v->text))
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-region", "%s '%s' is not a region name like eu-west-1", path, hg_yval_clip(c->a, v->text));
}

void hg_pcheck_cis_version(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (v->kind != HG_Y_STR && v->kind != HG_Y_FLOAT && v->kind != HG_Y_INT) {
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-type", "%s must be a string, not %s", path, hg_yval_kind_name(v->kind));
    return;
  }
  if (!hg_pcheck_cis_version_of(v)) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-cis-version", "%s '%s' is not a supported CIS version", path,
                    hg_yval_clip(c->a, v->text));
    hg_diag_note(d, "supported: \"1.2\", \"1.4\", \"3.0\", \"5.0\"");
  }
}

void hg_pcheck_cis_targets(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (v->n == 0) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-empty-cis-targets", "%s must name at least one checker", path);
    hg_diag_note(d, "checkers: securityhub, prowler, steampipe");
  }
  for (size_t i = 0; i < v->n; i++) {
    const hg_yval *t = v->items[i];
    bool known = false;
    for (size_t k = 0; hg_pcheck_cis_target_names[k]; k++)
      known = known || strcmp(t->text, hg_pcheck_cis_target_names[k]) == 0;
    if (!known) {
      hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, t, "profile-bad-cis-target", "unknown CIS checker '%s' in %s", hg_yval_clip(c->a, t->text), path);
      const char *near = hg_did_you_mean(t->text, hg_pcheck_cis_target_names, true);
      if (near)
        hg_diag_note(d, "did you mean '%s'?", near);
      else
        hg_diag_note(d, "checkers: securityhub, prowler, steampipe");
      continue;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->items[j]->text, t->text) == 0) {
        hg_pctx_at(c, HG_SEV_WARNING, t, "profile-duplicate-item", "'%s' is listed twice in %s", hg_yval_clip(c->a, t->text), path);
        break;
      }
  }
}

void hg_pcheck_namespace(hg_pctx *c, const hg_yval *v, const char *path)
{
  /* CloudWatch PutMetricData/PutMetricFilter: 1-255 ASCII characters, none of
   * ':', '*', '$'; "AWS/" is reserved for AWS services. */
  const char *s = v->text;
  size_t n = strlen(s);
  const char *why = NULL;
  if (n == 0 || n > 255)
    why = "it must be 1 to 255 characters";
  for (size_t i = 0; !why && i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == ':' || ch == '*' || ch == '$')
      why = "it must not contain ':', '*' or '$'";
    else if (ch < 0x20 || ch >= 0x7f)
      why = "it must be printable ASCII";
  }
  if (!why && strncmp(s, "AWS/", 4) == 0)
    why = "the prefix 'AWS/' is reserved for AWS services";
  if (why)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-namespace", "%s '%s' is not a CloudWatch namespace: %s", path, hg_yval_clip(c->a, s), why);
}

void hg_pcheck_name_prefix(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (!is_name(v->text) || strlen(v->text) > 64)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-name-prefix", "%s '%s' must be 1 to 64 letters, digits or '-'", path,
       hg_yval_clip(c->a, v->text));
}

void hg_pcheck_filter_ids(hg_pctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; i < v->n; i++) {
    const hg_yval *t = v->items[i];
    if (!is_filter_id(t->text)) {
      hg_pctx_at(c, HG_SEV_ERROR, t, "profile-bad-filter-id", "'%s' in %s is not a filter id ([a-z0-9-]+)", hg_yval_clip(c->a, t->text), path);
      continue;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->items[j]->text, t->text) == 0) {
        hg_pctx_at(c, HG_SEV_WARNING, t, "profile-duplicate-item", "'%s' is listed twice in %s", hg_yval_clip(c->a, t->text), path);
        break;
      }
  }
}

void hg_pcheck_threshold(hg_pctx *c, const hg_yval *v, const char *path)
{
  double f = v->kind == HG_Y_INT ? (double)v->i : v->f;
  if (!isfinite(f) || f < 0)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-threshold", "%s %s must be a number >= 0", path, hg_yval_clip(c->a, v->text));
}

void hg_pcheck_period(hg_pctx *c, const hg_yval *v, const char *path)
{
  /* CloudWatch PutMetricAlarm: 10, 30, or any multiple of 60 seconds (at most a day here). */
  long long p = v->i;
  if (!(p == 10 || p == 30 || (p > 0 && p % 60 == 0 && p <= 86400)))
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-period", "%s %lld must be 10, 30 or a multiple of 60 up to 86400 seconds",
       path, p);
}

void hg_pcheck_eval_periods(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (v->i < 1 || v->i > 100000)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-evaluation-periods", "%s %lld must be at least 1", path, v->i);
}

void hg_pcheck_pattern(hg_pctx *c, const hg_yval *v, const char *path)
{
  size_t n = strlen(v->text);
  if (n == 0)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-pattern", "%s is empty", path);
  else if (n > 1024)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-pattern", "%s is %zu bytes; CloudWatch Logs allows 1024", path, n);
}

void hg_pcheck_topic(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (strcmp(v->text, "infosec") != 0 && strcmp(v->text, "devops") != 0) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-topic", "%s '%s' must be infosec or devops", path, hg_yval_clip(c->a, v->text));
    const char *near = hg_did_you_mean(v->text, topics, true);
    if (near)
      hg_diag_note(d, "did you mean '%s'?", near);
  }
}

static void check_range(hg_pctx *c, const hg_yval *v, const char *path, long long lo, long long hi)
{
  if (v->i < lo || v->i > hi)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-password-policy", "%s %lld is out of range (%lld to %lld)", path, v->i, lo,
       hi);
}

/* AWS IAM UpdateAccountPasswordPolicy ranges. */
void hg_pcheck_pw_len(hg_pctx *c, const hg_yval *v, const char *path) { check_range(c, v, path, 6, 128); }
void hg_pcheck_pw_reuse(hg_pctx *c, const hg_yval *v, const char *path) { check_range(c, v, path, 1, 24); }
void hg_pcheck_pw_age(hg_pctx *c, const hg_yval *v, const char *path) { check_range(c, v, path, 1, 1095); }

void hg_pcheck_extends(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (!hg_profile_env_name_ok(v->text))
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-extends", "%s '%s' must be a profile name ([A-Za-z0-9_-]+)", path, hg_yval_clip(c->a, v->text));
}


/* ---- preflight and config.mode (SPEC §10) ------------------------------ */

#define PF_NAME(id, name, level) name,
#define PF_DEFAULT(id, name, level) HG_CHECK_LEVEL_##level,
const char *const hg_preflight_checks[HG_PF_N_CHECKS + 1] = {HG_PF_CHECK_LIST(PF_NAME) NULL};
const hg_check_level hg_preflight_defaults[HG_PF_N_CHECKS] = {HG_PF_CHECK_LIST(PF_DEFAULT)};
#undef PF_NAME
#undef PF_DEFAULT
const char *const hg_check_level_names[] = {"off", "warn", "block", NULL};
const char *const hg_config_mode_names[] = {"managed", "existing", NULL};

const char *hg_check_level_name(hg_check_level l)
{
  return (unsigned)l < 3 ? hg_check_level_names[l] : "off";
}

static void check_one_of(hg_pctx *c, const hg_yval *v, const char *path, const char *code,
                         const char *const *words, const char *list)
{
  for (size_t i = 0; words[i]; i++)
    if (strcmp(v->text, words[i]) == 0)
      return;
  hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, code, "%s '%s' must be %s", path, hg_yval_clip(c->a, v->text), list);
  const char *near = hg_did_you_mean(v->text, words, true);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
}

void hg_pcheck_level(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (v->kind != HG_Y_STR) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-check-level", "%s must be block, warn or off, not %s", path,
                    hg_yval_kind_name(v->kind));
    if (v->kind == HG_Y_BOOL)
      hg_diag_note(d, "write %s", v->b ? "warn or block" : "off");
    return;
  }
  check_one_of(c, v, path, "profile-bad-check-level", hg_check_level_names, "block, warn or off");
}

void hg_pcheck_config_mode(hg_pctx *c, const hg_yval *v, const char *path)
{
  check_one_of(c, v, path, "profile-bad-config-mode", hg_config_mode_names, "managed or existing");
}

void hg_pcheck_pf_timeout(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (v->i < HG_PREFLIGHT_MIN_TIMEOUT || v->i > HG_PREFLIGHT_MAX_TIMEOUT) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-preflight-timeout", "%s %lld must be %d to %d seconds",
                    path, v->i, HG_PREFLIGHT_MIN_TIMEOUT, HG_PREFLIGHT_MAX_TIMEOUT);
    hg_diag_note(d, "it is the custom resource's ServiceTimeout; the audit's Lambda gets half of it");
  }
}

/* ---- hardening options (logs, cloudtrail, tags, notify) ----------------- */

/* The SNS endpoint kind of a notify entry, or -1 with *why set. */
int hg_pcheck_endpoint_kind(const char *s, const char **why)
{
  if (strncmp(s, "https://", 8) == 0) {
    *why = hg_valid_https_url(s, false);
    if (*why)
      return -1;
    return HG_EP_HTTPS;
  }
  if (strncmp(s, "arn:", 4) == 0) {
    /* arn:PARTITION:sqs:REGION:ACCOUNT:NAME, arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME */
    const char *f[8];
    size_t n = 0;
    for (const char *p = s; n < 8; p++) {
      f[n++] = p;
      p = strchr(p, ':');
      if (!p)
        break;
    }
    if (n < 6) {
      *why = "an ARN has the form arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE";
      return -1;
    }
    bool sqs = strncmp(f[2], "sqs:", 4) == 0, lambda = strncmp(f[2], "lambda:", 7) == 0;
    if (!sqs && !lambda) {
      *why = "only SQS queue and Lambda function ARNs can subscribe to a topic";
      return -1;
    }
    size_t acct = strcspn(f[4], ":");
    bool digits = acct == 12 && strspn(f[4], "0123456789") == 12;
    if (!digits || !hg_valid_region_n(f[3], strcspn(f[3], ":"))) {
      *why = "the ARN needs a Region and a 12-digit account id";
      return -1;
    }
    if (lambda && strncmp(f[5], "function:", 9) != 0) {
      *why = "a Lambda endpoint is arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME";
      return -1;
    }
    return sqs ? HG_EP_SQS : HG_EP_LAMBDA;
  }
  *why = hg_valid_email(s);
  return *why ? -1 : HG_EP_EMAIL;
}

const char *hg_endpoint_protocol(hg_endpoint_kind k)
{
  static const char *const names[] = {"email", "https", "sqs", "lambda"};
  return names[k];
}

/* notify.infosec / notify.devops: one endpoint or a list; at least one email,
 * whose address becomes the stack parameter. */
void hg_pcheck_endpoints(hg_pctx *c, const hg_yval *v, const char *path)
{
  size_t n = v->kind == HG_Y_SEQ ? v->n : 1;
  bool email = false, bad = false;
  for (size_t i = 0; i < n; i++) {
    const hg_yval *e = v->kind == HG_Y_SEQ ? v->items[i] : v;
    const char *why = NULL;
    int k = hg_pcheck_endpoint_kind(e->text, &why);
    if (k < 0 && !strstr(e->text, "://") && strncmp(e->text, "arn:", 4) != 0)
      hg_pctx_at(c, HG_SEV_ERROR, e, "profile-bad-email", "%s '%s' is not a valid email address: %s", path, hg_yval_clip(c->a, e->text), why);
    else if (k < 0)
      hg_pctx_at(c, HG_SEV_ERROR, e, "profile-bad-endpoint",
         "%s '%s' is not an email address, https URL, SQS queue ARN or Lambda function ARN: %s", path, hg_yval_clip(c->a, e->text),
         why);
    else if (k == HG_EP_EMAIL)
      email = true;
    bad = bad || k < 0;
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->items[j]->text, e->text) == 0)
        hg_pctx_at(c, HG_SEV_ERROR, e, "profile-duplicate-endpoint", "%s lists '%s' twice", path, hg_yval_clip(c->a, e->text));
  }
  if (!email && !bad && n > 0) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-no-email", "%s needs at least one email address", path);
    hg_diag_note(d, "the first email address is the stack's %s parameter, which a quick-create launch can change",
                 strstr(path, "infosec") ? "InfosecEmail" : "DevOpsEmail");
  }
  if (v->kind == HG_Y_SEQ && n == 0)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-no-email", "%s must not be empty", path);
}

void hg_pcheck_lock_mode(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (strcmp(v->text, "GOVERNANCE") != 0 && strcmp(v->text, "COMPLIANCE") != 0) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-value", "%s must be GOVERNANCE or COMPLIANCE, not '%s'", path,
                    hg_yval_clip(c->a, v->text));
    const char *modes[] = {"GOVERNANCE", "COMPLIANCE", NULL};
    const char *near = hg_did_you_mean(v->text, modes, false);
    if (near)
      hg_diag_note(d, "did you mean '%s'?", near);
  }
}

/* S3 Object Lock default retention: 1 day to 100 years. */
void hg_pcheck_lock_days(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (v->i < 1 || v->i > 36500)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-value", "%s must be from 1 to 36500 days, not %lld", path, v->i);
}

/* arn:PARTITION:iam::ACCOUNT:role/PATH/NAME */
void hg_pcheck_role_arn(hg_pctx *c, const hg_yval *v, const char *path)
{
  const char *why = hg_valid_role_arn(v->text);
  if (why)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-arn", "%s '%s' is not an IAM role ARN: %s", path, hg_yval_clip(c->a, v->text), why);
}

const char *const hg_data_event_names[] = {"none", "write", "read", "all", NULL};

void hg_pcheck_data_events(hg_pctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; hg_data_event_names[i]; i++)
    if (strcmp(v->text, hg_data_event_names[i]) == 0)
      return;
  hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-value", "%s must be none, write, read or all, not '%s'", path,
                  hg_yval_clip(c->a, v->text));
  const char *near = hg_did_you_mean(v->text, hg_data_event_names, false);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
}

/* tags: KEY: VALUE, as CloudFormation and the tagging API accept them. */
void hg_pcheck_tags(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (v->n > 40)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-too-many-tags", "%s has %zu tags; hardengen applies at most 40 (AWS allows 50 per resource, and CloudFormation adds its own)", path, v->n);
  for (size_t i = 0; i < v->n; i++) {
    const char *k = v->keys[i];
    const hg_yval *val = v->items[i];
    size_t kl = strlen(k);
    if (kl == 0 || kl > 128)
      hg_pctx_at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-tag", "tag key '%s' must be 1 to 128 characters", hg_yval_clip(c->a, k));
    else if (strncasecmp(k, "aws:", 4) == 0)
      hg_pctx_at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-tag", "tag key '%s' uses the reserved prefix 'aws:'", hg_yval_clip(c->a, k));
    else
      for (const char *q = k; *q; q++)
        if (!is_alnum(*q) && !strchr(" _.:/=+-@", *q)) {
          hg_pctx_at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-tag",
             "tag key '%s' holds a character tags do not allow (letters, digits, spaces and _.:/=+-@)", hg_yval_clip(c->a, k));
          break;
        }
    if (val->kind != HG_Y_STR) {
      hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, val, "profile-type", "%s.%s must be a string, not %s", path, hg_yval_clip(c->a, k),
                      hg_yval_kind_name(val->kind));
      if (val->text)
        hg_diag_note(d, "quote it to keep it a string: \"%s\"", hg_yval_clip(c->a, val->text));
      continue;
    }
    if (strlen(val->text) > 256)
      hg_pctx_at(c, HG_SEV_ERROR, val, "profile-bad-tag", "the value of tag '%s' is longer than 256 characters", hg_yval_clip(c->a, k));
    else
      for (const char *q = val->text; *q; q++)
        if (!is_alnum(*q) && !strchr(" _.:/=+-@", *q)) {
          hg_pctx_at(c, HG_SEV_ERROR, val, "profile-bad-tag",
             "the value of tag '%s' holds a character tags do not allow (letters, digits, spaces and _.:/=+-@)", hg_yval_clip(c->a, k));
          break;
        }
  }
}

/* org: its own module (org.c) checks it. */
void hg_pcheck_org(hg_pctx *c, const hg_yval *v, const char *path)
{
  (void)path;
  hg_org_read(v, NULL, hg_pctx_report(c));
}

static const char *type_name(hg_ftype t)
{
  switch (t) {
  case HG_FT_MAP:
  case HG_FT_IDMAP:
  case HG_FT_ANYMAP: return "a mapping";
  case HG_FT_STR: return "a string";
  case HG_FT_INT: return "an integer";
  case HG_FT_NUM: return "a number";
  case HG_FT_BOOL: return "a boolean (true or false)";
  case HG_FT_STRLIST: return "a list of strings";
  case HG_FT_STRS: return "a string or a list of strings";
  case HG_FT_SCALAR: return "a scalar";
  case HG_FT_BOOLMAP: return "false or a mapping";
  }
  return "a value";
}

static bool type_ok(hg_ftype t, const hg_yval *v)
{
  switch (t) {
  case HG_FT_MAP:
  case HG_FT_IDMAP:
  case HG_FT_ANYMAP: return v->kind == HG_Y_MAP;
  case HG_FT_STR: return v->kind == HG_Y_STR;
  case HG_FT_INT: return v->kind == HG_Y_INT;
  case HG_FT_NUM: return v->kind == HG_Y_INT || v->kind == HG_Y_FLOAT;
  case HG_FT_BOOL: return v->kind == HG_Y_BOOL;
  case HG_FT_STRLIST: return v->kind == HG_Y_SEQ;
  case HG_FT_STRS: return v->kind == HG_Y_STR || v->kind == HG_Y_SEQ;
  case HG_FT_SCALAR: return v->kind != HG_Y_SEQ && v->kind != HG_Y_MAP && v->kind != HG_Y_NULL;
  case HG_FT_BOOLMAP: return v->kind == HG_Y_BOOL || v->kind == HG_Y_MAP;
  }
  return false;
}

static void type_error(hg_pctx *c, const hg_yval *v, const char *path, hg_ftype t)
{
  hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-type", "%s must be %s, not %s", path, type_name(t),
                  hg_yval_kind_name(v->kind));
  if (v->tag && (t == HG_FT_INT || t == HG_FT_NUM) && v->kind != HG_Y_BOOL && v->kind != HG_Y_NULL)
    hg_diag_note(d, "remove the %s tag: it makes the value %s", v->tag, hg_yval_kind_name(v->kind));
  else if (t == HG_FT_STR && (v->kind == HG_Y_INT || v->kind == HG_Y_FLOAT || v->kind == HG_Y_BOOL))
    hg_diag_note(d, "quote it to keep it a string: \"%s\"", hg_yval_clip(c->a, v->text));
  else if ((t == HG_FT_INT || t == HG_FT_NUM) && v->kind == HG_Y_STR && v->text[0] && is_digit(v->text[strspn(v->text, "+-")]))
    hg_diag_note(d, "remove the quotes to make it a number");
  else if (t == HG_FT_BOOL && v->kind == HG_Y_STR)
    hg_diag_note(d, "write true or false (YAML 1.2 reads '%s' as a string)", hg_yval_clip(c->a, v->text));
  else if (t == HG_FT_BOOLMAP && v->kind != HG_Y_MAP)
    hg_diag_note(d, "write false to turn it off, or a mapping of its settings");
}

static char *join_path(hg_pctx *c, const char *path, const char *key)
{
  key = hg_yval_clip(c->a, key);
  return path[0] ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

/* ---- detective: (SPEC §11) and rule metadata -------------------------- */

static const char *const severities[] = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", NULL};
static const char *const routes[] = {"splunk", "securityhub", NULL};
static const char *const endpoint_types[] = {"Event", "Raw", NULL};

/* A value from a fixed list, with did-you-mean. */
static void check_enum(hg_pctx *c, const hg_yval *v, const char *path, const char *code, const char *const *allowed)
{
  for (size_t i = 0; allowed[i]; i++)
    if (strcmp(v->text, allowed[i]) == 0)
      return;
  hg_buf b;
  hg_buf_init(&b);
  for (size_t i = 0; allowed[i]; i++)
    hg_buf_printf(&b, "%s%s", i ? ", " : "", allowed[i]);
  hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, code, "%s '%s' must be one of %s", path, hg_yval_clip(c->a, v->text), b.data);
  hg_buf_free(&b);
  const char *near = hg_did_you_mean(v->text, allowed, true);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
}

void hg_pcheck_severity(hg_pctx *c, const hg_yval *v, const char *path)
{
  check_enum(c, v, path, "profile-bad-severity", severities);
}

void hg_pcheck_endpoint_type(hg_pctx *c, const hg_yval *v, const char *path)
{
  check_enum(c, v, path, "profile-bad-endpoint-type", endpoint_types);
}

static void check_length(hg_pctx *c, const hg_yval *v, const char *path, size_t max, const char *what)
{
  size_t n = strlen(v->text);
  if (n == 0)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-length", "%s is empty", path);
  else if (n > max)
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-length", "%s is %zu bytes; %s allows %zu", path, n, what, max);
}

/* Security Hub ASFF: Title 1-256, Description 1-1024 characters. */
void hg_pcheck_rule_title(hg_pctx *c, const hg_yval *v, const char *path)
{
  check_length(c, v, path, 256, "a Security Hub finding title");
}

void hg_pcheck_rule_description(hg_pctx *c, const hg_yval *v, const char *path)
{
  check_length(c, v, path, 1024, "a Security Hub finding description");
}

void hg_pcheck_route(hg_pctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; i < v->n; i++) {
    const hg_yval *t = v->items[i];
    bool known = false;
    for (size_t k = 0; routes[k]; k++)
      known = known || strcmp(t->text, routes[k]) == 0;
    if (!known) {
      hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, t, "profile-bad-route", "unknown route '%s' in %s", hg_yval_clip(c->a, t->text), path);
      const char *near = hg_did_you_mean(t->text, routes, true);
      if (near)
        hg_diag_note(d, "did you mean '%s'?", near);
      else
        hg_diag_note(d, "routes: splunk, securityhub");
      continue;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->items[j]->text, t->text) == 0) {
        hg_pctx_at(c, HG_SEV_WARNING, t, "profile-duplicate-item", "'%s' is listed twice in %s", hg_yval_clip(c->a, t->text), path);
        break;
      }
  }
}

/* frameworks: {FRAMEWORK: "SECTION"}; a section YAML reads as a number
 * ("1.10" -> 1.1) must be quoted, as account ids are. */
void hg_pcheck_frameworks(hg_pctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; i < v->n; i++) {
    const char *k = v->keys[i];
    const hg_yval *val = v->items[i];
    bool ok = *k != '\0' && strlen(k) <= 64;
    for (const char *q = k; ok && *q; q++)
      ok = is_lower_alnum(*q) || *q == '-' || *q == '.' || *q == '_';
    char *sub = join_path(c, path, k);
    if (!ok)
      hg_pctx_at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-framework",
         "framework '%s' in %s must be 1 to 64 lower-case letters, digits, '.', '_' or '-'", hg_yval_clip(c->a, k), path);
    if (val->kind == HG_Y_INT || val->kind == HG_Y_FLOAT) {
      hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, val, "profile-type",
                      "%s must be a quoted string: YAML reads %s as a number (1.10 would become 1.1)", sub,
                      hg_yval_clip(c->a, val->text));
      hg_diag_note(d, "write it as \"%s\"", hg_yval_clip(c->a, val->text));
    } else if (val->kind != HG_Y_STR) {
      hg_pctx_at(c, HG_SEV_ERROR, val, "profile-type", "%s must be a string, not %s", sub, hg_yval_kind_name(val->kind));
    } else if (!*val->text || strlen(val->text) > 64) {
      hg_pctx_at(c, HG_SEV_ERROR, val, "profile-bad-framework", "%s must be 1 to 64 characters", sub);
    }
    free(sub);
  }
}

void hg_pcheck_org_id(hg_pctx *c, const hg_yval *v, const char *path)
{
  const char *why = hg_valid_org_id(v->text);
  if (why) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-org-id", "%s '%s' is not an organization id", path,
                            hg_yval_clip(c->a, v->text));
    hg_diag_note(d, "%s", why);
  }
}

void hg_pcheck_table_name(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (hg_valid_table_name(v->text))
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-table-name",
       "%s '%s' is not a DynamoDB table name (3 to 255 letters, digits, '_', '.' or '-')", path, hg_yval_clip(c->a, v->text));
}

void hg_pcheck_role_name(hg_pctx *c, const hg_yval *v, const char *path)
{
  if (hg_valid_role_name(v->text))
    hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-role-name",
       "%s '%s' is not an IAM role name (1 to 64 letters, digits or _+=,.@-)", path, hg_yval_clip(c->a, v->text));
}

void hg_pcheck_secret_arn(hg_pctx *c, const hg_yval *v, const char *path)
{
  size_t col = 0;
  hg_arn a;
  const char *why = hg_arn_parse(v->text, &a, &col);
  if (!why && !(a.service_len == 14 && strncmp(a.service, "secretsmanager", 14) == 0))
    why = "it is not a Secrets Manager ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)";
  else if (!why && (!a.region_len || a.account_len != 12))
    why = "a secret's ARN names its Region and 12-digit account";
  else if (!why && (strncmp(a.resource, "secret:", 7) != 0 || a.resource_len == 7))
    why = "the resource part is not secret:NAME";
  if (why) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-arn", "%s '%s' is not a valid ARN: %s", path, hg_yval_clip(c->a, v->text), why);
    hg_diag_note(d, "the HEC token stays in Secrets Manager; the profile names the secret's ARN");
  }
}

/* A HEC token never belongs in a profile (SPEC §11). */
void hg_pcheck_no_token(hg_pctx *c, const hg_yval *v, const char *path)
{
  hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-secret-in-profile", "%s: a HEC token must not be written in a profile",
                  path);
  hg_diag_note(d, "store it in AWS Secrets Manager and set detective.splunk.hec_token_secret_arn");
}

void hg_pcheck_hec_url(hg_pctx *c, const hg_yval *v, const char *path)
{
  const char *s = v->text;
  const char *why = strncmp(s, "https://", 8) != 0 ? "Firehose delivers to Splunk only over https://"
                                                   : hg_valid_https_url(s, true);
  if (!why && strlen(s) > 2048)
    why = "Firehose allows at most 2048 characters";
  if (why) {
    hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, v, "profile-bad-hec-url", "%s '%s' is not a Splunk HEC URL: %s", path, hg_yval_clip(c->a, s),
                    why);
    hg_diag_note(d, "for example https://http-inputs-firehose-acme.splunkcloud.com:443");
  }
}

/* detective.fields: index-time Splunk fields, NAME: "value". */
void hg_pcheck_splunk_fields(hg_pctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; i < v->n; i++) {
    const char *k = v->keys[i];
    const hg_yval *val = v->items[i];
    bool ok = (k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z') || k[0] == '_';
    for (const char *q = k; ok && *q; q++)
      ok = is_alnum(*q) || *q == '_';
    char *sub = join_path(c, path, k);
    if (!ok || strlen(k) > 128)
      hg_pctx_at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-field-name",
         "'%s' in %s is not a Splunk field name (a letter or '_', then letters, digits or '_')", hg_yval_clip(c->a, k), path);
    if (val->kind != HG_Y_STR)
      type_error(c, val, sub, HG_FT_STR);
    else if (strlen(val->text) > 1024)
      hg_pctx_at(c, HG_SEV_ERROR, val, "profile-bad-length", "%s is longer than 1024 bytes", sub);
    free(sub);
  }
}

/* Keys the mapping m must have once it is written; errors point at where
 * (the key that opens m). */
/* The field of key in a table, or NULL. */
static const hg_field *field_of(const hg_field *table, const char *key)
{
  for (const hg_field *f = table; f->key; f++)
    if (strcmp(f->key, key) == 0)
      return f;
  return NULL;
}

/* The keys flagged required in table that mapping m lacks; errors point at
 * where (the key that opens m). */
static void require_keys(hg_pctx *c, const hg_yval *where, const hg_yval *m, const char *path, const hg_field *table)
{
  for (const hg_field *f = table; f->key; f++)
    if ((f->flags & HG_FIELD_REQUIRED) && !hg_yval_get(m, f->key))
      hg_pctx_at(c, HG_SEV_ERROR, where, "profile-missing-key", "missing required key '%s.%s'", path, f->key);
}

/* The key node of key in map m (for positions), else m. */
static const hg_yval *key_node(const hg_yval *m, const char *key)
{
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->keys[i], key) == 0)
      return m->key_nodes[i];
  return m;
}

void hg_pcheck_detective(hg_pctx *c, const hg_yval *v, const char *path)
{
  const hg_field *det = field_of(hg_profile_schema, "detective");
  require_keys(c, v, v, path, det->kids);
  static const char *const subs[] = {"central", "splunk", NULL};
  for (size_t i = 0; subs[i]; i++) {
    const hg_yval *m = hg_yval_get(v, subs[i]);
    if (m && m->kind == HG_Y_MAP) {
      char *sub = join_path(c, path, subs[i]);
      require_keys(c, key_node(v, subs[i]), m, sub, field_of(det->kids, subs[i])->kids);
      free(sub);
    }
  }
  const hg_yval *splunk = hg_yval_get(v, "splunk");
  const hg_yval *sh = hg_yval_get(v, "securityhub");
  if (!splunk && sh && sh->kind == HG_Y_BOOL && !sh->b)
    hg_pctx_at(c, HG_SEV_ERROR, sh, "profile-detective-no-route",
       "%s.securityhub is false and there is no %s.splunk: compliance changes would go nowhere", path, path);
}

static void check_node(hg_pctx *c, const hg_yval *v, const hg_field *f, const char *path);

static void check_map(hg_pctx *c, const hg_yval *m, const hg_field *kids, const char *path)
{
  for (size_t i = 0; i < m->n; i++) {
    const char *key = m->keys[i];
    const hg_field *k = NULL;
    for (const hg_field *x = kids; x->key; x++)
      if (strcmp(x->key, key) == 0)
        k = x;
    char *sub = join_path(c, path, key);
    if (!k) {
      const char *cands[32];
      size_t n = 0;
      for (const hg_field *x = kids; x->key && n + 1 < HG_COUNTOF(cands); x++)
        cands[n++] = x->key;
      cands[n] = NULL;
      hg_diag *d = hg_pctx_at(c, HG_SEV_ERROR, m->key_nodes[i], "profile-unknown-key", "unknown key '%s'", sub);
      const char *near = hg_did_you_mean(key, cands, true);
      if (near) {
        hg_diag_note(d, "did you mean '%s'?", near);
      } else {
        hg_buf b;
        hg_buf_init(&b);
        for (size_t j = 0; j < n; j++)
          hg_buf_printf(&b, "%s%s", j ? ", " : "", cands[j]);
        hg_diag_note(d, "known keys%s%s: %s", path[0] ? " of " : " at the top", path, b.data);
        hg_buf_free(&b);
      }
    } else {
      check_node(c, m->items[i], k, sub);
    }
    free(sub);
  }
}

static void check_node(hg_pctx *c, const hg_yval *v, const hg_field *f, const char *path)
{
  if (!type_ok(f->type, v)) {
    if (f->type == HG_FT_SCALAR && f->check && v->kind != HG_Y_NULL && v->kind != HG_Y_SEQ && v->kind != HG_Y_MAP)
      f->check(c, v, path);
    else if (f->type == HG_FT_SCALAR)
      hg_pctx_at(c, HG_SEV_ERROR, v, "profile-type", "%s must be a string, not %s", path, hg_yval_kind_name(v->kind));
    else
      type_error(c, v, path, f->type);
    return;
  }
  switch (f->type) {
  case HG_FT_MAP:
    check_map(c, v, f->kids, path);
    if (f->check) /* whole-mapping rules: required keys, combinations */
      f->check(c, v, path);
    return;
  case HG_FT_BOOLMAP:
    if (v->kind == HG_Y_MAP)
      check_map(c, v, f->kids, path);
    return;
  case HG_FT_IDMAP:
    for (size_t i = 0; i < v->n; i++) {
      char *sub = join_path(c, path, v->keys[i]);
      if (!is_filter_id(v->keys[i]))
        hg_pctx_at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-filter-id", "'%s' in %s is not a filter id ([a-z0-9-]+)",
           hg_yval_clip(c->a, v->keys[i]), path);
      else if (v->items[i]->kind != HG_Y_MAP)
        type_error(c, v->items[i], sub, HG_FT_MAP);
      else
        check_map(c, v->items[i], f->kids, sub);
      free(sub);
    }
    return;
  case HG_FT_STRS:
    if (v->kind == HG_Y_STR) {
      if (f->check)
        f->check(c, v, path);
      return;
    }
    __attribute__((fallthrough)); /* a list */
  case HG_FT_STRLIST: {
    bool ok = true;
    for (size_t i = 0; i < v->n; i++)
      if (v->items[i]->kind != HG_Y_STR) {
        char *sub = xasprintf("%s[%zu]", path, i);
        type_error(c, v->items[i], sub, HG_FT_STR);
        free(sub);
        ok = false;
      }
    if (ok && f->check)
      f->check(c, v, path);
    return;
  }
  default:
    if (f->check)
      f->check(c, v, path);
  }
}

/* The whole document: top-level type, every key, and (unless abstract) the required keys. */
void hg_pctx_check_tree(hg_pctx *c, const hg_yval *tree, const char *file)
{
  if (tree->kind == HG_Y_NULL) {
    /* An empty file: only the required keys are missing. */
  } else if (tree->kind != HG_Y_MAP) {
    hg_pctx_at(c, HG_SEV_ERROR, tree, "profile-type", "a profile must be a mapping, not %s", hg_yval_kind_name(tree->kind));
    return;
  } else {
    check_map(c, tree, hg_profile_schema, "");
  }
  const hg_yval *abs = hg_yval_get(tree, "abstract");
  if (abs && abs->kind == HG_Y_BOOL && abs->b)
    return;
  /* Required keys come from the table: a flagged top-level key, or a
   * flagged key of a top-level mapping (reported in table order). A mapping
   * with a whole-mapping rule (detective:) is optional: its rule checks its
   * required keys when it is written. */
  for (const hg_field *top = hg_profile_schema; top->key; top++) {
    if (top->flags & HG_FIELD_REQUIRED) {
      if (!hg_yval_get(tree, top->key))
        hg_diag_add(hg_pctx_report(c), HG_SEV_ERROR, file, 1, 1, "profile-missing-key", "missing required key '%s'",
                    top->key);
      continue;
    }
    if (top->type != HG_FT_MAP || top->check)
      continue;
    const hg_yval *pv = hg_yval_get(tree, top->key);
    if (pv && pv->kind != HG_Y_MAP)
      continue; /* already a type error */
    for (const hg_field *k = top->kids; k->key; k++)
      if ((k->flags & HG_FIELD_REQUIRED) && !hg_yval_get(pv, k->key))
        hg_diag_add(hg_pctx_report(c), HG_SEV_ERROR, file, 1, 1, "profile-missing-key",
                    "missing required key '%s.%s'", top->key, k->key);
  }
}
