/*
 * profile.c — load a profile: follow `extends`, deep-merge, check the merged
 * tree against the schema of SPEC §3 and fill the typed hg_profile.
 *
 * Merge rule: maps merge key by key (the parent's keys first, in its order,
 * then the child's new keys); lists and scalars replace. A parent's
 * `extends` and `abstract` are not inherited. Every node keeps the file it
 * was written in, so a diagnostic about an inherited value points at the
 * parent file.
 *
 * Checks are table driven (struct field): a type per key, a list of known
 * keys per mapping (unknown keys get a did-you-mean), and a value check per
 * leaf that names the AWS or CIS rule it enforces. Every problem is reported;
 * the typed fill runs only when the sink holds no error.
 */
#include "hg/profile.h"
#include "hg/org.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hg/arn.h"

#define MAX_EXTENDS_DEPTH 16

/* At most this many diagnostics per profile; the rest are counted in one
 * last diagnostic, so a hostile file cannot flood the output. */
#define MAX_REPORTS 100

typedef struct ctx {
  hg_arena *a;
  hg_diag_sink *sink;
  hg_diag_sink overflow;  /* diagnostics past MAX_REPORTS: counted, then dropped */
  size_t reported;
  hg_res *res;            /* reads the files and records their digests */
} ctx;

static void ctx_init(ctx *c, hg_arena *a, hg_diag_sink *sink)
{
  c->a = a;
  c->sink = sink;
  hg_diag_init(&c->overflow);
  c->reported = 0;
  c->res = NULL;
}

/* Report what was held back, then release it. */
static void ctx_finish(ctx *c, const char *file)
{
  if (c->overflow.n)
    hg_diag_add(c->sink, c->overflow.errors ? HG_SEV_ERROR : HG_SEV_WARNING, file, 0, 0, "profile-too-many-problems",
                "%zu more problems (%zu errors) not shown", c->overflow.n, c->overflow.errors);
  hg_diag_free(&c->overflow);
}

static hg_diag_sink *report_to(ctx *c)
{
  return c->reported++ < MAX_REPORTS ? c->sink : &c->overflow;
}

/* ---- small helpers ------------------------------------------------------ */

const hg_yval *hg_yval_get(const hg_yval *m, const char *key)
{
  if (!m || m->kind != HG_Y_MAP)
    return NULL;
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->keys[i], key) == 0)
      return m->items[i];
  return NULL;
}

const hg_yval *hg_yval_path(const hg_yval *tree, const char *dotted)
{
  const hg_yval *v = tree;
  const char *p = dotted;
  char part[256];
  while (v && *p) {
    size_t n = strcspn(p, ".");
    if (n >= sizeof part)
      return NULL;
    memcpy(part, p, n);
    part[n] = '\0';
    v = hg_yval_get(v, part);
    p += n;
    if (*p == '.')
      p++;
  }
  return v;
}

static hg_diag *at(ctx *c, hg_severity sev, const hg_yval *v, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static hg_diag *at(ctx *c, hg_severity sev, const hg_yval *v, const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_diag_vadd(report_to(c), sev, v->file, v->line, v->col, code, fmt, ap);
  va_end(ap);
  d->span = v->span > 0 ? (v->span < 256 ? v->span : 256) : 1;
  return d;
}

/* s for a message: at most 80 bytes, cut at a character boundary, with "..." when cut. */
static const char *clip(ctx *c, const char *s)
{
  size_t n = strlen(s);
  if (n <= 80)
    return s;
  n = 77;
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
    n--;
  char *r = hg_arena_alloc(c->a, n + 4);
  memcpy(r, s, n);
  memcpy(r + n, "...", 4);
  return r;
}

static bool is_env_name(const char *s)
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

/* ---- value rules (each returns NULL when fine, else the reason) --------- */

/* An address SNS will accept for an email subscription: a pragmatic subset
 * of RFC 5321 (dot-atom local part, a dotted domain with an alphabetic TLD). */
static const char *email_problem(const char *s)
{
  const char *atp = strrchr(s, '@');
  if (!atp)
    return "it has no '@'";
  if (strchr(s, '@') != atp)
    return "it has more than one '@'";
  size_t local = (size_t)(atp - s), len = strlen(s);
  if (local == 0)
    return "the part before '@' is empty";
  if (local > 64)
    return "the part before '@' is longer than 64 characters";
  if (len > 254)
    return "it is longer than 254 characters";
  for (const char *p = s; p < atp; p++)
    if (!is_alnum(*p) && !strchr(".!#$%&'*+/=?^_`{|}~-", *p))
      return "the part before '@' holds a character that is not allowed";
  if (s[0] == '.' || atp[-1] == '.' || memmem(s, local, "..", 2))
    return "the part before '@' has a misplaced dot";
  const char *dom = atp + 1;
  if (!*dom)
    return "the domain is empty";
  if (!strchr(dom, '.'))
    return "the domain has no dot";
  const char *label = dom;
  for (const char *p = dom;; p++) {
    if (*p == '.' || *p == '\0') {
      size_t n = (size_t)(p - label);
      if (n == 0 || n > 63)
        return "the domain has an empty or too long label";
      if (label[0] == '-' || p[-1] == '-')
        return "a domain label starts or ends with '-'";
      if (*p == '\0') {
        for (const char *q = label; q < p; q++)
          if (is_digit(*q) || *q == '-')
            return "the top-level domain must be letters";
        if (n < 2)
          return "the top-level domain is too short";
        break;
      }
      label = p + 1;
    } else if (!is_alnum(*p) && *p != '-') {
      return "the domain holds a character that is not allowed";
    }
  }
  return NULL;
}

/* General purpose bucket naming rules (Amazon S3 User Guide, "Bucket naming rules"). */
static const char *bucket_problem(const char *s)
{
  size_t n = strlen(s);
  if (n < 3 || n > 63)
    return "a bucket name is 3 to 63 characters long";
  for (const char *p = s; *p; p++)
    if (!is_lower_alnum(*p) && *p != '-' && *p != '.')
      return "a bucket name holds only lowercase letters, digits, '-' and '.'";
  if (!is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
    return "a bucket name starts and ends with a letter or digit";
  if (strstr(s, ".."))
    return "a bucket name has no two adjacent dots";
  if (strstr(s, ".-") || strstr(s, "-."))
    return "a bucket name has no dash next to a dot";
  int dots = 0;
  bool ip = true;
  for (const char *p = s; *p; p++) {
    if (*p == '.')
      dots++;
    else if (!is_digit(*p))
      ip = false;
  }
  if (ip && dots == 3)
    return "a bucket name is not formatted as an IP address";
  if (strncmp(s, "xn--", 4) == 0)
    return "a bucket name does not start with 'xn--'";
  if (strncmp(s, "sthree-", 7) == 0)
    return "a bucket name does not start with 'sthree-'";
  if (hg_ends_with(s, "-s3alias"))
    return "a bucket name does not end with '-s3alias' (reserved for access point aliases)";
  if (hg_ends_with(s, "--ol-s3"))
    return "a bucket name does not end with '--ol-s3' (reserved for Object Lambda aliases)";
  return NULL;
}

/* Region name syntax: eu-west-1, us-gov-west-1, cn-north-1, us-isob-east-1. */
static bool is_region(const char *s)
{
  const char *p = s;
  if (!(p[0] >= 'a' && p[0] <= 'z' && p[1] >= 'a' && p[1] <= 'z' && p[2] == '-'))
    return false;
  p += 3;
  if (strncmp(p, "gov-", 4) == 0)
    p += 4;
  else if (strncmp(p, "iso", 3) == 0) {
    const char *q = p + 3;
    while (*q >= 'a' && *q <= 'z')
      q++;
    if (*q == '-' && q - p <= 4)
      p = q + 1;
  }
  const char *w = p;
  while (*p >= 'a' && *p <= 'z')
    p++;
  if (p == w || *p != '-')
    return false;
  p++;
  const char *d = p;
  while (is_digit(*p))
    p++;
  return p > d && p - d <= 2 && *p == '\0';
}

/* is_region over the first n bytes of s. */
static bool is_region_n(const char *s, size_t n)
{
  char buf[32];
  if (n == 0 || n >= sizeof buf)
    return false;
  memcpy(buf, s, n);
  buf[n] = '\0';
  return is_region(buf);
}

/* CloudWatch Logs PutRetentionPolicy: the values retentionInDays accepts. */
static const int retention_values[] = {1,   3,   5,   7,    14,   30,   60,   90,   120,  150,  180,
                                       365, 400, 545, 731,  1096, 1827, 2192, 2557, 2922, 3288, 3653};

static const char *const cis_versions[] = {"1.2", "1.4", "3.0", "5.0", NULL};
static const char *const cis_target_names[] = {"securityhub", "prowler", "steampipe", NULL};
static const char *const topics[] = {"infosec", "devops", NULL};

/* cis.version as written ("1.4", or the number 1.4 / 3) in its canonical string form, or NULL. */
static const char *cis_version_of(const hg_yval *v)
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

typedef void (*check_fn)(ctx *c, const hg_yval *v, const char *path);

static void check_account_name(ctx *c, const hg_yval *v, const char *path)
{
  if (!is_name(v->text) || strlen(v->text) > 64) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-account-name",
                    "%s '%s' must be 1 to 64 letters, digits or '-'", path, clip(c, v->text));
    hg_diag_note(d, "it becomes part of alarm names and stack names");
  }
}

static void check_account_id(ctx *c, const hg_yval *v, const char *path)
{
  if (v->kind == HG_Y_INT || v->kind == HG_Y_FLOAT) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-account-id-unquoted",
                    "%s must be a quoted string: YAML reads %s as a number and drops leading zeros", path,
                    clip(c, v->text));
    const char *leaf = strrchr(path, '.');
    hg_diag_note(d, "write it as %s: \"%s\"", leaf ? leaf + 1 : path, clip(c, v->text));
    return;
  }
  if (v->kind != HG_Y_STR) {
    at(c, HG_SEV_ERROR, v, "profile-type", "%s must be a string, not %s", path, hg_yval_kind_name(v->kind));
    return;
  }
  size_t n = strlen(v->text);
  bool digits = n == 12;
  for (size_t i = 0; digits && i < n; i++)
    digits = is_digit(v->text[i]);
  if (!digits)
    at(c, HG_SEV_ERROR, v, "profile-bad-account-id", "%s '%s' must be exactly 12 digits", path, clip(c, v->text));
}

static void bucket_dots_warning(ctx *c, const hg_yval *v, const char *path, const char *bucket)
{
  if (strchr(bucket, '.')) {
    hg_diag *d = at(c, HG_SEV_WARNING, v, "profile-bucket-dots", "%s '%s' contains dots", path, bucket);
    hg_diag_note(d, "dots break TLS certificate checks for virtual-hosted-style https URLs; prefer '-'");
  }
}

static void check_bucket(ctx *c, const hg_yval *v, const char *path)
{
  const char *why = bucket_problem(v->text);
  if (why)
    at(c, HG_SEV_ERROR, v, "profile-bad-bucket", "%s '%s' is not a valid S3 bucket name: %s", path, clip(c, v->text), why);
  else
    bucket_dots_warning(c, v, path, v->text);
}

static void check_retention(ctx *c, const hg_yval *v, const char *path)
{
  bool ok = false;
  for (size_t i = 0; i < HG_COUNTOF(retention_values); i++)
    ok = ok || v->i == retention_values[i];
  if (!ok) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-retention",
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
    hg_diag *d = at(c, HG_SEV_WARNING, v, "profile-short-retention",
                    "%s is %lld: CIS asks to keep CloudTrail logs for at least 365 days", path, v->i);
    (void)d;
  }
}

static void check_bucket_url(ctx *c, const hg_yval *v, const char *path)
{
  const char *s = v->text;
  const char *code = "profile-bad-bucket-url";
  if (strncmp(s, "https://", 8) != 0) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, code, "%s '%s' must be an https:// URL of an S3 bucket", path, s);
    hg_diag_note(d, "for example https://BUCKET.s3.REGION.amazonaws.com/PREFIX/");
    return;
  }
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == '\\' || (unsigned char)*p >= 0x7f) {
      at(c, HG_SEV_ERROR, v, code, "%s '%s' must not contain spaces, '?', '#' or '\\'", path, clip(c, s));
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
      if (!is_region(region))
        why = "the region in the host is not a region name";
    }
    if (!why && bucket) {
      const char *bw = bucket_problem(bucket);
      if (bw) {
        at(c, HG_SEV_ERROR, v, code, "%s '%s': bucket '%s' is not a valid S3 bucket name: %s", path, clip(c, s), clip(c, bucket),
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
    at(c, HG_SEV_ERROR, v, code, "%s '%s' is not an https S3 URL: %s", path, clip(c, s), why);
  else if (virtual_hosted)
    bucket_dots_warning(c, v, path, bucket);
  free(bucket);
  free(h);
}

static void check_region(ctx *c, const hg_yval *v, const char *path)
{
  if (!is_region(v->text))
    at(c, HG_SEV_ERROR, v, "profile-bad-region", "%s '%s' is not a region name like eu-west-1", path, clip(c, v->text));
}

static void check_cis_version(ctx *c, const hg_yval *v, const char *path)
{
  if (v->kind != HG_Y_STR && v->kind != HG_Y_FLOAT && v->kind != HG_Y_INT) {
    at(c, HG_SEV_ERROR, v, "profile-type", "%s must be a string, not %s", path, hg_yval_kind_name(v->kind));
    return;
  }
  if (!cis_version_of(v)) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-cis-version", "%s '%s' is not a supported CIS version", path,
                    clip(c, v->text));
    hg_diag_note(d, "supported: \"1.2\", \"1.4\", \"3.0\", \"5.0\"");
  }
}

static void check_cis_targets(ctx *c, const hg_yval *v, const char *path)
{
  if (v->n == 0) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-empty-cis-targets", "%s must name at least one checker", path);
    hg_diag_note(d, "checkers: securityhub, prowler, steampipe");
  }
  for (size_t i = 0; i < v->n; i++) {
    const hg_yval *t = v->items[i];
    bool known = false;
    for (size_t k = 0; cis_target_names[k]; k++)
      known = known || strcmp(t->text, cis_target_names[k]) == 0;
    if (!known) {
      hg_diag *d = at(c, HG_SEV_ERROR, t, "profile-bad-cis-target", "unknown CIS checker '%s' in %s", clip(c, t->text), path);
      const char *near = hg_did_you_mean(t->text, cis_target_names, true);
      if (near)
        hg_diag_note(d, "did you mean '%s'?", near);
      else
        hg_diag_note(d, "checkers: securityhub, prowler, steampipe");
      continue;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->items[j]->text, t->text) == 0) {
        at(c, HG_SEV_WARNING, t, "profile-duplicate-item", "'%s' is listed twice in %s", clip(c, t->text), path);
        break;
      }
  }
}

static void check_namespace(ctx *c, const hg_yval *v, const char *path)
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
    at(c, HG_SEV_ERROR, v, "profile-bad-namespace", "%s '%s' is not a CloudWatch namespace: %s", path, clip(c, s), why);
}

static void check_name_prefix(ctx *c, const hg_yval *v, const char *path)
{
  if (!is_name(v->text) || strlen(v->text) > 64)
    at(c, HG_SEV_ERROR, v, "profile-bad-name-prefix", "%s '%s' must be 1 to 64 letters, digits or '-'", path,
       clip(c, v->text));
}

static void check_filter_ids(ctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; i < v->n; i++) {
    const hg_yval *t = v->items[i];
    if (!is_filter_id(t->text)) {
      at(c, HG_SEV_ERROR, t, "profile-bad-filter-id", "'%s' in %s is not a filter id ([a-z0-9-]+)", clip(c, t->text), path);
      continue;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->items[j]->text, t->text) == 0) {
        at(c, HG_SEV_WARNING, t, "profile-duplicate-item", "'%s' is listed twice in %s", clip(c, t->text), path);
        break;
      }
  }
}

static void check_threshold(ctx *c, const hg_yval *v, const char *path)
{
  double f = v->kind == HG_Y_INT ? (double)v->i : v->f;
  if (!isfinite(f) || f < 0)
    at(c, HG_SEV_ERROR, v, "profile-bad-threshold", "%s %s must be a number >= 0", path, clip(c, v->text));
}

static void check_period(ctx *c, const hg_yval *v, const char *path)
{
  /* CloudWatch PutMetricAlarm: 10, 30, or any multiple of 60 seconds (at most a day here). */
  long long p = v->i;
  if (!(p == 10 || p == 30 || (p > 0 && p % 60 == 0 && p <= 86400)))
    at(c, HG_SEV_ERROR, v, "profile-bad-period", "%s %lld must be 10, 30 or a multiple of 60 up to 86400 seconds",
       path, p);
}

static void check_eval_periods(ctx *c, const hg_yval *v, const char *path)
{
  if (v->i < 1 || v->i > 100000)
    at(c, HG_SEV_ERROR, v, "profile-bad-evaluation-periods", "%s %lld must be at least 1", path, v->i);
}

static void check_pattern(ctx *c, const hg_yval *v, const char *path)
{
  size_t n = strlen(v->text);
  if (n == 0)
    at(c, HG_SEV_ERROR, v, "profile-bad-pattern", "%s is empty", path);
  else if (n > 1024)
    at(c, HG_SEV_ERROR, v, "profile-bad-pattern", "%s is %zu bytes; CloudWatch Logs allows 1024", path, n);
}

static void check_topic(ctx *c, const hg_yval *v, const char *path)
{
  if (strcmp(v->text, "infosec") != 0 && strcmp(v->text, "devops") != 0) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-topic", "%s '%s' must be infosec or devops", path, clip(c, v->text));
    const char *near = hg_did_you_mean(v->text, topics, true);
    if (near)
      hg_diag_note(d, "did you mean '%s'?", near);
  }
}

static void check_range(ctx *c, const hg_yval *v, const char *path, long long lo, long long hi)
{
  if (v->i < lo || v->i > hi)
    at(c, HG_SEV_ERROR, v, "profile-bad-password-policy", "%s %lld is out of range (%lld to %lld)", path, v->i, lo,
       hi);
}

/* AWS IAM UpdateAccountPasswordPolicy ranges. */
static void check_pw_len(ctx *c, const hg_yval *v, const char *path) { check_range(c, v, path, 6, 128); }
static void check_pw_reuse(ctx *c, const hg_yval *v, const char *path) { check_range(c, v, path, 1, 24); }
static void check_pw_age(ctx *c, const hg_yval *v, const char *path) { check_range(c, v, path, 1, 1095); }

static void check_extends(ctx *c, const hg_yval *v, const char *path)
{
  if (!is_env_name(v->text))
    at(c, HG_SEV_ERROR, v, "profile-bad-extends", "%s '%s' must be a profile name ([A-Za-z0-9_-]+)", path, clip(c, v->text));
}

/* ---- preflight and config.mode (SPEC §10) ------------------------------ */

const char *const hg_preflight_checks[HG_PF_N_CHECKS + 1] = {
    "config-recorder", "trail-quota", "duplicate-trail", "root-mfa", "root-access-keys",
    "s3-account-public-access-block", "ebs-default-encryption", "password-policy", NULL};
const hg_check_level hg_preflight_defaults[HG_PF_N_CHECKS] = {
    HG_CHECK_BLOCK, HG_CHECK_BLOCK, HG_CHECK_WARN, HG_CHECK_WARN,
    HG_CHECK_WARN,  HG_CHECK_WARN,  HG_CHECK_WARN, HG_CHECK_WARN};
static const char *const check_levels[] = {"off", "warn", "block", NULL};
static const char *const config_modes[] = {"managed", "existing", NULL};

const char *hg_check_level_name(hg_check_level l)
{
  return (unsigned)l < 3 ? check_levels[l] : "off";
}

static void check_one_of(ctx *c, const hg_yval *v, const char *path, const char *code,
                         const char *const *words, const char *list)
{
  for (size_t i = 0; words[i]; i++)
    if (strcmp(v->text, words[i]) == 0)
      return;
  hg_diag *d = at(c, HG_SEV_ERROR, v, code, "%s '%s' must be %s", path, clip(c, v->text), list);
  const char *near = hg_did_you_mean(v->text, words, true);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
}

static void check_level(ctx *c, const hg_yval *v, const char *path)
{
  if (v->kind != HG_Y_STR) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-check-level", "%s must be block, warn or off, not %s", path,
                    hg_yval_kind_name(v->kind));
    if (v->kind == HG_Y_BOOL)
      hg_diag_note(d, "write %s", v->b ? "warn or block" : "off");
    return;
  }
  check_one_of(c, v, path, "profile-bad-check-level", check_levels, "block, warn or off");
}

static void check_config_mode(ctx *c, const hg_yval *v, const char *path)
{
  check_one_of(c, v, path, "profile-bad-config-mode", config_modes, "managed or existing");
}

static void check_pf_timeout(ctx *c, const hg_yval *v, const char *path)
{
  if (v->i < HG_PREFLIGHT_MIN_TIMEOUT || v->i > HG_PREFLIGHT_MAX_TIMEOUT) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-preflight-timeout", "%s %lld must be %d to %d seconds",
                    path, v->i, HG_PREFLIGHT_MIN_TIMEOUT, HG_PREFLIGHT_MAX_TIMEOUT);
    hg_diag_note(d, "it is the custom resource's ServiceTimeout; the audit's Lambda gets half of it");
  }
}

/* ---- the schema (SPEC §3) ----------------------------------------------- */

/* ---- hardening options (logs, cloudtrail, tags, notify) ----------------- */

/* The SNS endpoint kind of a notify entry, or -1 with *why set. */
static int endpoint_kind(const char *s, const char **why)
{
  if (strncmp(s, "https://", 8) == 0) {
    for (const char *p = s + 8; *p; p++)
      if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) {
        *why = "an https endpoint must not contain spaces or control characters";
        return -1;
      }
    if (!s[8] || s[8] == '/') {
      *why = "an https endpoint needs a host";
      return -1;
    }
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
    bool digits = acct == 12;
    for (size_t i = 0; digits && i < acct; i++)
      digits = is_digit(f[4][i]);
    if (!digits || !is_region_n(f[3], strcspn(f[3], ":"))) {
      *why = "the ARN needs a Region and a 12-digit account id";
      return -1;
    }
    if (lambda && strncmp(f[5], "function:", 9) != 0) {
      *why = "a Lambda endpoint is arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME";
      return -1;
    }
    return sqs ? HG_EP_SQS : HG_EP_LAMBDA;
  }
  *why = email_problem(s);
  return *why ? -1 : HG_EP_EMAIL;
}

const char *hg_endpoint_protocol(hg_endpoint_kind k)
{
  static const char *const names[] = {"email", "https", "sqs", "lambda"};
  return names[k];
}

/* notify.infosec / notify.devops: one endpoint or a list; at least one email,
 * whose address becomes the stack parameter. */
static void check_endpoints(ctx *c, const hg_yval *v, const char *path)
{
  size_t n = v->kind == HG_Y_SEQ ? v->n : 1;
  bool email = false, bad = false;
  for (size_t i = 0; i < n; i++) {
    const hg_yval *e = v->kind == HG_Y_SEQ ? v->items[i] : v;
    const char *why = NULL;
    int k = endpoint_kind(e->text, &why);
    if (k < 0 && !strstr(e->text, "://") && strncmp(e->text, "arn:", 4) != 0)
      at(c, HG_SEV_ERROR, e, "profile-bad-email", "%s '%s' is not a valid email address: %s", path, clip(c, e->text), why);
    else if (k < 0)
      at(c, HG_SEV_ERROR, e, "profile-bad-endpoint",
         "%s '%s' is not an email address, https URL, SQS queue ARN or Lambda function ARN: %s", path, clip(c, e->text),
         why);
    else if (k == HG_EP_EMAIL)
      email = true;
    bad = bad || k < 0;
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->items[j]->text, e->text) == 0)
        at(c, HG_SEV_ERROR, e, "profile-duplicate-endpoint", "%s lists '%s' twice", path, clip(c, e->text));
  }
  if (!email && !bad && n > 0) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-no-email", "%s needs at least one email address", path);
    hg_diag_note(d, "the first email address is the stack's %s parameter, which a quick-create launch can change",
                 strstr(path, "infosec") ? "InfosecEmail" : "DevOpsEmail");
  }
  if (v->kind == HG_Y_SEQ && n == 0)
    at(c, HG_SEV_ERROR, v, "profile-no-email", "%s must not be empty", path);
}

static void check_lock_mode(ctx *c, const hg_yval *v, const char *path)
{
  if (strcmp(v->text, "GOVERNANCE") != 0 && strcmp(v->text, "COMPLIANCE") != 0) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-value", "%s must be GOVERNANCE or COMPLIANCE, not '%s'", path,
                    clip(c, v->text));
    const char *modes[] = {"GOVERNANCE", "COMPLIANCE", NULL};
    const char *near = hg_did_you_mean(v->text, modes, false);
    if (near)
      hg_diag_note(d, "did you mean '%s'?", near);
  }
}

/* S3 Object Lock default retention: 1 day to 100 years. */
static void check_lock_days(ctx *c, const hg_yval *v, const char *path)
{
  if (v->i < 1 || v->i > 36500)
    at(c, HG_SEV_ERROR, v, "profile-bad-value", "%s must be from 1 to 36500 days, not %lld", path, v->i);
}

/* arn:PARTITION:iam::ACCOUNT:role/PATH/NAME */
static void check_role_arn(ctx *c, const hg_yval *v, const char *path)
{
  const char *s = v->text, *why = NULL;
  const char *p = strncmp(s, "arn:", 4) == 0 ? strchr(s + 4, ':') : NULL;
  if (!p || strncmp(p, ":iam::", 6) != 0) {
    why = "an IAM role ARN has the form arn:aws:iam::123456789012:role/NAME";
  } else {
    p += 6;
    size_t n = strspn(p, "0123456789");
    if (n != 12 || p[12] != ':')
      why = "the ARN needs a 12-digit account id";
    else if (strncmp(p + 13, "role/", 5) != 0 || !p[18])
      why = "the ARN must name a role (…:role/NAME)";
    else
      for (const char *q = p + 18; *q && !why; q++)
        if (!is_alnum(*q) && !strchr("+=,.@_-/", *q))
          why = "a role name holds only letters, digits and +=,.@_-/";
  }
  if (why)
    at(c, HG_SEV_ERROR, v, "profile-bad-arn", "%s '%s' is not an IAM role ARN: %s", path, clip(c, s), why);
}

static const char *const data_event_names[] = {"none", "write", "read", "all", NULL};

static void check_data_events(ctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; data_event_names[i]; i++)
    if (strcmp(v->text, data_event_names[i]) == 0)
      return;
  hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-value", "%s must be none, write, read or all, not '%s'", path,
                  clip(c, v->text));
  const char *near = hg_did_you_mean(v->text, data_event_names, false);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
}

/* tags: KEY: VALUE, as CloudFormation and the tagging API accept them. */
static void check_tags(ctx *c, const hg_yval *v, const char *path)
{
  if (v->n > 40)
    at(c, HG_SEV_ERROR, v, "profile-too-many-tags", "%s has %zu tags; hardengen applies at most 40 (AWS allows 50 per resource, and CloudFormation adds its own)", path, v->n);
  for (size_t i = 0; i < v->n; i++) {
    const char *k = v->keys[i];
    const hg_yval *val = v->items[i];
    size_t kl = strlen(k);
    if (kl == 0 || kl > 128)
      at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-tag", "tag key '%s' must be 1 to 128 characters", clip(c, k));
    else if (strncasecmp(k, "aws:", 4) == 0)
      at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-tag", "tag key '%s' uses the reserved prefix 'aws:'", clip(c, k));
    else
      for (const char *q = k; *q; q++)
        if (!is_alnum(*q) && !strchr(" _.:/=+-@", *q)) {
          at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-tag",
             "tag key '%s' holds a character tags do not allow (letters, digits, spaces and _.:/=+-@)", clip(c, k));
          break;
        }
    if (val->kind != HG_Y_STR) {
      hg_diag *d = at(c, HG_SEV_ERROR, val, "profile-type", "%s.%s must be a string, not %s", path, clip(c, k),
                      hg_yval_kind_name(val->kind));
      if (val->text)
        hg_diag_note(d, "quote it to keep it a string: \"%s\"", clip(c, val->text));
      continue;
    }
    if (strlen(val->text) > 256)
      at(c, HG_SEV_ERROR, val, "profile-bad-tag", "the value of tag '%s' is longer than 256 characters", clip(c, k));
    else
      for (const char *q = val->text; *q; q++)
        if (!is_alnum(*q) && !strchr(" _.:/=+-@", *q)) {
          at(c, HG_SEV_ERROR, val, "profile-bad-tag",
             "the value of tag '%s' holds a character tags do not allow (letters, digits, spaces and _.:/=+-@)", clip(c, k));
          break;
        }
  }
}

/* org: its own module (org.c) checks it. */
static void check_org(ctx *c, const hg_yval *v, const char *path)
{
  (void)path;
  hg_org_read(v, NULL, report_to(c));
}

typedef enum {
  T_MAP,     /* fixed keys: kids */
  T_IDMAP,   /* free keys (filter ids), each a T_MAP of kids */
  T_ANYMAP,  /* any mapping (vars) */
  T_STR,
  T_INT,
  T_NUM,     /* integer or float */
  T_BOOL,
  T_STRLIST,
  T_STRS,    /* a string or a list of strings */
  T_SCALAR,  /* any scalar; the check decides (account.id, cis.version) */
  T_BOOLMAP, /* a boolean, or a mapping of kids (preflight) */
} ftype;

typedef struct field {
  const char *key;
  ftype type;
  const struct field *kids; /* terminated by a NULL key */
  check_fn check;
} field;

/* Checks of the detective: block and of rule metadata (defined below the schema). */
static void check_severity(ctx *c, const hg_yval *v, const char *path);
static void check_endpoint_type(ctx *c, const hg_yval *v, const char *path);
static void check_rule_title(ctx *c, const hg_yval *v, const char *path);
static void check_rule_description(ctx *c, const hg_yval *v, const char *path);
static void check_route(ctx *c, const hg_yval *v, const char *path);
static void check_frameworks(ctx *c, const hg_yval *v, const char *path);
static void check_org_id(ctx *c, const hg_yval *v, const char *path);
static void check_table_name(ctx *c, const hg_yval *v, const char *path);
static void check_role_name(ctx *c, const hg_yval *v, const char *path);
static void check_secret_arn(ctx *c, const hg_yval *v, const char *path);
static void check_no_token(ctx *c, const hg_yval *v, const char *path);
static void check_hec_url(ctx *c, const hg_yval *v, const char *path);
static void check_splunk_fields(ctx *c, const hg_yval *v, const char *path);
static void check_detective(ctx *c, const hg_yval *v, const char *path);

static const field f_account[] = {
    {"name", T_STR, NULL, check_account_name},
    {"id", T_SCALAR, NULL, check_account_id},
    {NULL, 0, NULL, NULL},
};
static const field f_notify[] = {
    {"infosec", T_STRS, NULL, check_endpoints},
    {"devops", T_STRS, NULL, check_endpoints},
    {NULL, 0, NULL, NULL},
};
static const field f_object_lock[] = {
    {"mode", T_STR, NULL, check_lock_mode},
    {"days", T_INT, NULL, check_lock_days},
    {NULL, 0, NULL, NULL},
};
static const field f_logs[] = {
    {"bucket", T_STR, NULL, check_bucket},
    {"retention_days", T_INT, NULL, check_retention},
    {"object_lock", T_MAP, f_object_lock, NULL},
    {"break_glass_role", T_STR, NULL, check_role_arn},
    {NULL, 0, NULL, NULL},
};
static const field f_cloudtrail[] = {
    {"s3_data_events", T_STR, NULL, check_data_events},
    {"insights", T_BOOL, NULL, NULL},
    {NULL, 0, NULL, NULL},
};
static const field f_templates[] = {
    {"bucket_url", T_STR, NULL, check_bucket_url},
    {NULL, 0, NULL, NULL},
};
static const field f_publish[] = {
    {"bucket", T_STR, NULL, check_bucket},
    {"prefix", T_STR, NULL, NULL},
    {"region", T_STR, NULL, check_region},
    {NULL, 0, NULL, NULL},
};
static const field f_cis[] = {
    {"version", T_SCALAR, NULL, check_cis_version},
    {"targets", T_STRLIST, NULL, check_cis_targets},
    {NULL, 0, NULL, NULL},
};
static const field f_alarms[] = {
    {"namespace", T_STR, NULL, check_namespace},
    {"name_prefix", T_STR, NULL, check_name_prefix},
    {NULL, 0, NULL, NULL},
};
static const field f_override[] = {
    {"threshold", T_NUM, NULL, check_threshold},
    {"period", T_INT, NULL, check_period},
    {"evaluation_periods", T_INT, NULL, check_eval_periods},
    {"pattern", T_STR, NULL, check_pattern},
    {"topic", T_STR, NULL, check_topic},
    {NULL, 0, NULL, NULL},
};
static const field f_filters[] = {
    {"disable", T_STRLIST, NULL, check_filter_ids},
    {"override", T_IDMAP, f_override, NULL},
    {NULL, 0, NULL, NULL},
};
/* Rule metadata beside a rule's parameters (SPEC §11): what the detective
 * tables hold for the rule. */
#define RULE_METADATA                                                                                        \
  {"severity", T_STR, NULL, check_severity}, {"title", T_STR, NULL, check_rule_title},                       \
      {"description", T_STR, NULL, check_rule_description}, {"frameworks", T_ANYMAP, NULL, check_frameworks}, \
      {"route", T_STRLIST, NULL, check_route}, {"enabled", T_BOOL, NULL, NULL}
static const field f_rule[] = {
    RULE_METADATA,
    {NULL, 0, NULL, NULL},
};
static const field f_pwpolicy[] = {
    {"MinimumPasswordLength", T_INT, NULL, check_pw_len},
    {"PasswordReusePrevention", T_INT, NULL, check_pw_reuse},
    {"MaxPasswordAge", T_INT, NULL, check_pw_age},
    {"RequireUppercaseCharacters", T_BOOL, NULL, NULL},
    {"RequireLowercaseCharacters", T_BOOL, NULL, NULL},
    {"RequireSymbols", T_BOOL, NULL, NULL},
    {"RequireNumbers", T_BOOL, NULL, NULL},
    RULE_METADATA,
    {NULL, 0, NULL, NULL},
};
/* config.rules.NAME: the managed rules config.global.yaml deploys. */
static const field f_rules[] = {
    {"iam-password-policy", T_MAP, f_pwpolicy, NULL},
    {"iam-user-no-policies-check", T_MAP, f_rule, NULL},
    {"root-account-mfa-enabled", T_MAP, f_rule, NULL},
    {"s3-bucket-public-read-prohibited", T_MAP, f_rule, NULL},
    {"s3-bucket-public-write-prohibited", T_MAP, f_rule, NULL},
    {"restricted-ssh", T_MAP, f_rule, NULL},
    {NULL, 0, NULL, NULL},
};
static const field f_config[] = {
    {"mode", T_STR, NULL, check_config_mode},
    {"rules", T_MAP, f_rules, NULL},
    {NULL, 0, NULL, NULL},
};
static const field f_det_central[] = {
    {"account_id", T_SCALAR, NULL, check_account_id},
    {"region", T_STR, NULL, check_region},
    {"org_id", T_STR, NULL, check_org_id},
    {"rules_table", T_STR, NULL, check_table_name},
    {"exceptions_table", T_STR, NULL, check_table_name},
    {"reader_role", T_STR, NULL, check_role_name},
    {NULL, 0, NULL, NULL},
};
static const field f_det_splunk[] = {
    {"hec_url", T_STR, NULL, check_hec_url},
    {"hec_token_secret_arn", T_STR, NULL, check_secret_arn},
    {"endpoint_type", T_STR, NULL, check_endpoint_type},
    {"backup_bucket", T_STR, NULL, check_bucket},
    {"hec_token", T_SCALAR, NULL, check_no_token},
    {NULL, 0, NULL, NULL},
};
static const field f_detective[] = {
    {"central", T_MAP, f_det_central, NULL},
    {"splunk", T_MAP, f_det_splunk, NULL},
    {"securityhub", T_BOOL, NULL, NULL},
    {"fields", T_ANYMAP, NULL, check_splunk_fields},
    {NULL, 0, NULL, NULL},
};
static const field f_pf_checks[] = {
    {"config-recorder", T_SCALAR, NULL, check_level},
    {"trail-quota", T_SCALAR, NULL, check_level},
    {"duplicate-trail", T_SCALAR, NULL, check_level},
    {"root-mfa", T_SCALAR, NULL, check_level},
    {"root-access-keys", T_SCALAR, NULL, check_level},
    {"s3-account-public-access-block", T_SCALAR, NULL, check_level},
    {"ebs-default-encryption", T_SCALAR, NULL, check_level},
    {"password-policy", T_SCALAR, NULL, check_level},
    {NULL, 0, NULL, NULL},
};
static const field f_preflight[] = {
    {"timeout", T_INT, NULL, check_pf_timeout},
    {"checks", T_MAP, f_pf_checks, NULL},
    {NULL, 0, NULL, NULL},
};
static const field f_top[] = {
    {"extends", T_STR, NULL, check_extends},
    {"abstract", T_BOOL, NULL, NULL},
    {"account", T_MAP, f_account, NULL},
    {"notify", T_MAP, f_notify, NULL},
    {"logs", T_MAP, f_logs, NULL},
    {"cloudtrail", T_MAP, f_cloudtrail, NULL},
    {"tags", T_ANYMAP, NULL, check_tags},
    {"templates", T_MAP, f_templates, NULL},
    {"publish", T_MAP, f_publish, NULL},
    {"cis", T_MAP, f_cis, NULL},
    {"alarms", T_MAP, f_alarms, NULL},
    {"filters", T_MAP, f_filters, NULL},
    {"config", T_MAP, f_config, NULL},
    {"preflight", T_BOOLMAP, f_preflight, NULL},
    {"vars", T_ANYMAP, NULL, NULL},
    {"detective", T_MAP, f_detective, check_detective},
    {"org", T_ANYMAP, NULL, check_org},
    {NULL, 0, NULL, NULL},
};

static const char *const required_keys[] = {"account.name", "notify.infosec", "notify.devops", "logs.bucket",
                                            "templates.bucket_url"};

static const char *type_name(ftype t)
{
  switch (t) {
  case T_MAP:
  case T_IDMAP:
  case T_ANYMAP: return "a mapping";
  case T_STR: return "a string";
  case T_INT: return "an integer";
  case T_NUM: return "a number";
  case T_BOOL: return "a boolean (true or false)";
  case T_STRLIST: return "a list of strings";
  case T_STRS: return "a string or a list of strings";
  case T_SCALAR: return "a scalar";
  case T_BOOLMAP: return "false or a mapping";
  }
  return "a value";
}

static bool type_ok(ftype t, const hg_yval *v)
{
  switch (t) {
  case T_MAP:
  case T_IDMAP:
  case T_ANYMAP: return v->kind == HG_Y_MAP;
  case T_STR: return v->kind == HG_Y_STR;
  case T_INT: return v->kind == HG_Y_INT;
  case T_NUM: return v->kind == HG_Y_INT || v->kind == HG_Y_FLOAT;
  case T_BOOL: return v->kind == HG_Y_BOOL;
  case T_STRLIST: return v->kind == HG_Y_SEQ;
  case T_STRS: return v->kind == HG_Y_STR || v->kind == HG_Y_SEQ;
  case T_SCALAR: return v->kind != HG_Y_SEQ && v->kind != HG_Y_MAP && v->kind != HG_Y_NULL;
  case T_BOOLMAP: return v->kind == HG_Y_BOOL || v->kind == HG_Y_MAP;
  }
  return false;
}

static void type_error(ctx *c, const hg_yval *v, const char *path, ftype t)
{
  hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-type", "%s must be %s, not %s", path, type_name(t),
                  hg_yval_kind_name(v->kind));
  if (v->tag && (t == T_INT || t == T_NUM) && v->kind != HG_Y_BOOL && v->kind != HG_Y_NULL)
    hg_diag_note(d, "remove the %s tag: it makes the value %s", v->tag, hg_yval_kind_name(v->kind));
  else if (t == T_STR && (v->kind == HG_Y_INT || v->kind == HG_Y_FLOAT || v->kind == HG_Y_BOOL))
    hg_diag_note(d, "quote it to keep it a string: \"%s\"", clip(c, v->text));
  else if ((t == T_INT || t == T_NUM) && v->kind == HG_Y_STR && v->text[0] && is_digit(v->text[strspn(v->text, "+-")]))
    hg_diag_note(d, "remove the quotes to make it a number");
  else if (t == T_BOOL && v->kind == HG_Y_STR)
    hg_diag_note(d, "write true or false (YAML 1.2 reads '%s' as a string)", clip(c, v->text));
  else if (t == T_BOOLMAP && v->kind != HG_Y_MAP)
    hg_diag_note(d, "write false to turn it off, or a mapping of its settings");
}

static char *join_path(ctx *c, const char *path, const char *key)
{
  key = clip(c, key);
  return path[0] ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

/* ---- detective: (SPEC §11) and rule metadata -------------------------- */

static const char *const severities[] = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", NULL};
static const char *const routes[] = {"splunk", "securityhub", NULL};
static const char *const endpoint_types[] = {"Event", "Raw", NULL};

/* A value from a fixed list, with did-you-mean. */
static void check_enum(ctx *c, const hg_yval *v, const char *path, const char *code, const char *const *allowed)
{
  for (size_t i = 0; allowed[i]; i++)
    if (strcmp(v->text, allowed[i]) == 0)
      return;
  hg_buf b;
  hg_buf_init(&b);
  for (size_t i = 0; allowed[i]; i++)
    hg_buf_printf(&b, "%s%s", i ? ", " : "", allowed[i]);
  hg_diag *d = at(c, HG_SEV_ERROR, v, code, "%s '%s' must be one of %s", path, clip(c, v->text), b.data);
  hg_buf_free(&b);
  const char *near = hg_did_you_mean(v->text, allowed, true);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
}

static void check_severity(ctx *c, const hg_yval *v, const char *path)
{
  check_enum(c, v, path, "profile-bad-severity", severities);
}

static void check_endpoint_type(ctx *c, const hg_yval *v, const char *path)
{
  check_enum(c, v, path, "profile-bad-endpoint-type", endpoint_types);
}

static void check_length(ctx *c, const hg_yval *v, const char *path, size_t max, const char *what)
{
  size_t n = strlen(v->text);
  if (n == 0)
    at(c, HG_SEV_ERROR, v, "profile-bad-length", "%s is empty", path);
  else if (n > max)
    at(c, HG_SEV_ERROR, v, "profile-bad-length", "%s is %zu bytes; %s allows %zu", path, n, what, max);
}

/* Security Hub ASFF: Title 1-256, Description 1-1024 characters. */
static void check_rule_title(ctx *c, const hg_yval *v, const char *path)
{
  check_length(c, v, path, 256, "a Security Hub finding title");
}

static void check_rule_description(ctx *c, const hg_yval *v, const char *path)
{
  check_length(c, v, path, 1024, "a Security Hub finding description");
}

static void check_route(ctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; i < v->n; i++) {
    const hg_yval *t = v->items[i];
    bool known = false;
    for (size_t k = 0; routes[k]; k++)
      known = known || strcmp(t->text, routes[k]) == 0;
    if (!known) {
      hg_diag *d = at(c, HG_SEV_ERROR, t, "profile-bad-route", "unknown route '%s' in %s", clip(c, t->text), path);
      const char *near = hg_did_you_mean(t->text, routes, true);
      if (near)
        hg_diag_note(d, "did you mean '%s'?", near);
      else
        hg_diag_note(d, "routes: splunk, securityhub");
      continue;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->items[j]->text, t->text) == 0) {
        at(c, HG_SEV_WARNING, t, "profile-duplicate-item", "'%s' is listed twice in %s", clip(c, t->text), path);
        break;
      }
  }
}

/* frameworks: {FRAMEWORK: "SECTION"}; a section YAML reads as a number
 * ("1.10" -> 1.1) must be quoted, as account ids are. */
static void check_frameworks(ctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; i < v->n; i++) {
    const char *k = v->keys[i];
    const hg_yval *val = v->items[i];
    bool ok = *k != '\0' && strlen(k) <= 64;
    for (const char *q = k; ok && *q; q++)
      ok = is_lower_alnum(*q) || *q == '-' || *q == '.' || *q == '_';
    char *sub = join_path(c, path, k);
    if (!ok)
      at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-framework",
         "framework '%s' in %s must be 1 to 64 lower-case letters, digits, '.', '_' or '-'", clip(c, k), path);
    if (val->kind == HG_Y_INT || val->kind == HG_Y_FLOAT) {
      hg_diag *d = at(c, HG_SEV_ERROR, val, "profile-type",
                      "%s must be a quoted string: YAML reads %s as a number (1.10 would become 1.1)", sub,
                      clip(c, val->text));
      hg_diag_note(d, "write it as \"%s\"", clip(c, val->text));
    } else if (val->kind != HG_Y_STR) {
      at(c, HG_SEV_ERROR, val, "profile-type", "%s must be a string, not %s", sub, hg_yval_kind_name(val->kind));
    } else if (!*val->text || strlen(val->text) > 64) {
      at(c, HG_SEV_ERROR, val, "profile-bad-framework", "%s must be 1 to 64 characters", sub);
    }
    free(sub);
  }
}

static void check_org_id(ctx *c, const hg_yval *v, const char *path)
{
  /* AWS Organizations: ^o-[a-z0-9]{10,32}$ */
  const char *s = v->text;
  size_t n = strlen(s);
  bool ok = n >= 12 && n <= 34 && strncmp(s, "o-", 2) == 0;
  for (size_t i = 2; ok && i < n; i++)
    ok = is_lower_alnum(s[i]);
  if (!ok) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-org-id", "%s '%s' is not an organization id", path, clip(c, s));
    hg_diag_note(d, "an organization id is 'o-' and 10 to 32 lower-case letters or digits (o-a1b2c3d4e5)");
  }
}

static void check_table_name(ctx *c, const hg_yval *v, const char *path)
{
  /* DynamoDB CreateTable: 3 to 255 of [a-zA-Z0-9_.-] */
  const char *s = v->text;
  size_t n = strlen(s);
  bool ok = n >= 3 && n <= 255;
  for (size_t i = 0; ok && i < n; i++)
    ok = is_alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-';
  if (!ok)
    at(c, HG_SEV_ERROR, v, "profile-bad-table-name",
       "%s '%s' is not a DynamoDB table name (3 to 255 letters, digits, '_', '.' or '-')", path, clip(c, s));
}

static void check_role_name(ctx *c, const hg_yval *v, const char *path)
{
  /* IAM CreateRole: 1 to 64 of [\w+=,.@-] */
  const char *s = v->text;
  size_t n = strlen(s);
  bool ok = n >= 1 && n <= 64;
  for (size_t i = 0; ok && i < n; i++)
    ok = is_alnum(s[i]) || strchr("_+=,.@-", s[i]) != NULL;
  if (!ok)
    at(c, HG_SEV_ERROR, v, "profile-bad-role-name",
       "%s '%s' is not an IAM role name (1 to 64 letters, digits or _+=,.@-)", path, clip(c, s));
}

static void check_secret_arn(ctx *c, const hg_yval *v, const char *path)
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
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-arn", "%s '%s' is not a valid ARN: %s", path, clip(c, v->text), why);
    hg_diag_note(d, "the HEC token stays in Secrets Manager; the profile names the secret's ARN");
  }
}

/* A HEC token never belongs in a profile (SPEC §11). */
static void check_no_token(ctx *c, const hg_yval *v, const char *path)
{
  hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-secret-in-profile", "%s: a HEC token must not be written in a profile",
                  path);
  hg_diag_note(d, "store it in AWS Secrets Manager and set detective.splunk.hec_token_secret_arn");
}

static void check_hec_url(ctx *c, const hg_yval *v, const char *path)
{
  const char *s = v->text;
  const char *why = NULL;
  if (strncmp(s, "https://", 8) != 0)
    why = "Firehose delivers to Splunk only over https://";
  for (const char *p = s; !why && *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == '\\' || (unsigned char)*p >= 0x7f)
      why = "it must not contain spaces, '?', '#' or '\\'";
  if (!why) {
    const char *host = s + 8;
    size_t hl = strcspn(host, ":/");
    if (hl == 0)
      why = "the host is empty";
    for (size_t i = 0; !why && i < hl; i++)
      if (!is_alnum(host[i]) && host[i] != '-' && host[i] != '.')
        why = "the host holds a character that is not allowed";
    if (!why && host[hl] == ':') {
      const char *port = host + hl + 1;
      size_t pl = strspn(port, "0123456789");
      long pn = pl && pl <= 5 ? strtol(port, NULL, 10) : 0;
      if (pl == 0 || pn < 1 || pn > 65535 || (port[pl] != '\0' && port[pl] != '/'))
        why = "the port must be a number from 1 to 65535";
    }
  }
  if (!why && strlen(s) > 2048)
    why = "Firehose allows at most 2048 characters";
  if (why) {
    hg_diag *d = at(c, HG_SEV_ERROR, v, "profile-bad-hec-url", "%s '%s' is not a Splunk HEC URL: %s", path, clip(c, s),
                    why);
    hg_diag_note(d, "for example https://http-inputs-firehose-acme.splunkcloud.com:443");
  }
}

/* detective.fields: index-time Splunk fields, NAME: "value". */
static void check_splunk_fields(ctx *c, const hg_yval *v, const char *path)
{
  for (size_t i = 0; i < v->n; i++) {
    const char *k = v->keys[i];
    const hg_yval *val = v->items[i];
    bool ok = (k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z') || k[0] == '_';
    for (const char *q = k; ok && *q; q++)
      ok = is_alnum(*q) || *q == '_';
    char *sub = join_path(c, path, k);
    if (!ok || strlen(k) > 128)
      at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-field-name",
         "'%s' in %s is not a Splunk field name (a letter or '_', then letters, digits or '_')", clip(c, k), path);
    if (val->kind != HG_Y_STR)
      type_error(c, val, sub, T_STR);
    else if (strlen(val->text) > 1024)
      at(c, HG_SEV_ERROR, val, "profile-bad-length", "%s is longer than 1024 bytes", sub);
    free(sub);
  }
}

/* Keys the mapping m must have once it is written; errors point at where
 * (the key that opens m). */
static void require_keys(ctx *c, const hg_yval *where, const hg_yval *m, const char *path, const char *const *keys)
{
  for (size_t i = 0; keys[i]; i++)
    if (!hg_yval_get(m, keys[i]))
      at(c, HG_SEV_ERROR, where, "profile-missing-key", "missing required key '%s.%s'", path, keys[i]);
}

/* The key node of key in map m (for positions), else m. */
static const hg_yval *key_node(const hg_yval *m, const char *key)
{
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->keys[i], key) == 0)
      return m->key_nodes[i];
  return m;
}

static void check_detective(ctx *c, const hg_yval *v, const char *path)
{
  static const char *const top[] = {"central", NULL};
  require_keys(c, v, v, path, top);
  const hg_yval *central = hg_yval_get(v, "central");
  if (central && central->kind == HG_Y_MAP) {
    static const char *const keys[] = {"account_id", "region", "org_id", NULL};
    char *sub = join_path(c, path, "central");
    require_keys(c, key_node(v, "central"), central, sub, keys);
    free(sub);
  }
  const hg_yval *splunk = hg_yval_get(v, "splunk");
  if (splunk && splunk->kind == HG_Y_MAP) {
    static const char *const keys[] = {"hec_url", "hec_token_secret_arn", "backup_bucket", NULL};
    char *sub = join_path(c, path, "splunk");
    require_keys(c, key_node(v, "splunk"), splunk, sub, keys);
    free(sub);
  }
  const hg_yval *sh = hg_yval_get(v, "securityhub");
  if (!splunk && sh && sh->kind == HG_Y_BOOL && !sh->b)
    at(c, HG_SEV_ERROR, sh, "profile-detective-no-route",
       "%s.securityhub is false and there is no %s.splunk: compliance changes would go nowhere", path, path);
}

static void check_node(ctx *c, const hg_yval *v, const field *f, const char *path);

static void check_map(ctx *c, const hg_yval *m, const field *kids, const char *path)
{
  for (size_t i = 0; i < m->n; i++) {
    const char *key = m->keys[i];
    const field *k = NULL;
    for (const field *x = kids; x->key; x++)
      if (strcmp(x->key, key) == 0)
        k = x;
    char *sub = join_path(c, path, key);
    if (!k) {
      const char *cands[32];
      size_t n = 0;
      for (const field *x = kids; x->key && n + 1 < HG_COUNTOF(cands); x++)
        cands[n++] = x->key;
      cands[n] = NULL;
      hg_diag *d = at(c, HG_SEV_ERROR, m->key_nodes[i], "profile-unknown-key", "unknown key '%s'", sub);
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

static void check_node(ctx *c, const hg_yval *v, const field *f, const char *path)
{
  if (!type_ok(f->type, v)) {
    if (f->type == T_SCALAR && f->check && v->kind != HG_Y_NULL && v->kind != HG_Y_SEQ && v->kind != HG_Y_MAP)
      f->check(c, v, path);
    else if (f->type == T_SCALAR)
      at(c, HG_SEV_ERROR, v, "profile-type", "%s must be a string, not %s", path, hg_yval_kind_name(v->kind));
    else
      type_error(c, v, path, f->type);
    return;
  }
  switch (f->type) {
  case T_MAP:
    check_map(c, v, f->kids, path);
    if (f->check) /* whole-mapping rules: required keys, combinations */
      f->check(c, v, path);
    return;
  case T_BOOLMAP:
    if (v->kind == HG_Y_MAP)
      check_map(c, v, f->kids, path);
    return;
  case T_IDMAP:
    for (size_t i = 0; i < v->n; i++) {
      char *sub = join_path(c, path, v->keys[i]);
      if (!is_filter_id(v->keys[i]))
        at(c, HG_SEV_ERROR, v->key_nodes[i], "profile-bad-filter-id", "'%s' in %s is not a filter id ([a-z0-9-]+)",
           clip(c, v->keys[i]), path);
      else if (v->items[i]->kind != HG_Y_MAP)
        type_error(c, v->items[i], sub, T_MAP);
      else
        check_map(c, v->items[i], f->kids, sub);
      free(sub);
    }
    return;
  case T_STRS:
    if (v->kind == HG_Y_STR) {
      if (f->check)
        f->check(c, v, path);
      return;
    }
    __attribute__((fallthrough)); /* a list */
  case T_STRLIST: {
    bool ok = true;
    for (size_t i = 0; i < v->n; i++)
      if (v->items[i]->kind != HG_Y_STR) {
        char *sub = xasprintf("%s[%zu]", path, i);
        type_error(c, v->items[i], sub, T_STR);
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
static void check_tree(ctx *c, const hg_yval *tree, const char *file)
{
  if (tree->kind == HG_Y_NULL) {
    /* An empty file: only the required keys are missing. */
  } else if (tree->kind != HG_Y_MAP) {
    at(c, HG_SEV_ERROR, tree, "profile-type", "a profile must be a mapping, not %s", hg_yval_kind_name(tree->kind));
    return;
  } else {
    check_map(c, tree, f_top, "");
  }
  const hg_yval *abs = hg_yval_get(tree, "abstract");
  if (abs && abs->kind == HG_Y_BOOL && abs->b)
    return;
  for (size_t i = 0; i < HG_COUNTOF(required_keys); i++) {
    const char *dot = strchr(required_keys[i], '.');
    char *parent = xstrndup(required_keys[i], (size_t)(dot - required_keys[i]));
    const hg_yval *pv = hg_yval_get(tree, parent);
    free(parent);
    if (pv && pv->kind != HG_Y_MAP)
      continue; /* already a type error */
    if (!hg_yval_path(tree, required_keys[i]))
      hg_diag_add(report_to(c), HG_SEV_ERROR, file, 1, 1, "profile-missing-key", "missing required key '%s'",
                  required_keys[i]);
  }
}

/* ---- typed fill --------------------------------------------------------- */

static const char *str_at(const hg_yval *t, const char *path, const char *dflt)
{
  const hg_yval *v = hg_yval_path(t, path);
  return v && v->kind == HG_Y_STR ? v->text : dflt;
}

static long long int_at(const hg_yval *t, const char *path, long long dflt)
{
  const hg_yval *v = hg_yval_path(t, path);
  return v && v->kind == HG_Y_INT ? v->i : dflt;
}

static bool bool_at(const hg_yval *t, const char *path, bool dflt)
{
  const hg_yval *v = hg_yval_path(t, path);
  return v && v->kind == HG_Y_BOOL ? v->b : dflt;
}

static int override_cmp(const void *x, const void *y)
{
  return strcmp(((const hg_override *)x)->id, ((const hg_override *)y)->id);
}

/* notify.KIND as endpoints (a string is a list of one); *email gets the
 * first email address. Entries that failed their check are left out. */
static hg_endpoint *endpoints_at(hg_profile *p, const char *path, size_t *n, const char **email)
{
  const hg_yval *v = hg_yval_path(p->tree, path);
  *n = 0;
  *email = NULL;
  if (!v || (v->kind != HG_Y_STR && v->kind != HG_Y_SEQ))
    return NULL;
  size_t cap = v->kind == HG_Y_SEQ ? v->n : 1;
  hg_endpoint *out = hg_arena_alloc(p->arena, (cap ? cap : 1) * sizeof *out);
  for (size_t i = 0; i < cap; i++) {
    const hg_yval *e = v->kind == HG_Y_SEQ ? v->items[i] : v;
    const char *why;
    int k = e->kind == HG_Y_STR ? endpoint_kind(e->text, &why) : -1;
    if (k < 0)
      continue;
    out[*n].kind = (hg_endpoint_kind)k;
    out[*n].value = e->text;
    if (k == HG_EP_EMAIL && !*email)
      *email = e->text;
    (*n)++;
  }
  return out;
}

static int cmp_cstr(const void *x, const void *y)
{
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* tags: sorted by key, so the output does not depend on profile order. */
static void fill_tags(hg_profile *p)
{
  const hg_yval *v = hg_yval_get(p->tree, "tags");
  if (!v || v->kind != HG_Y_MAP || !v->n)
    return;
  const char **idx = hg_arena_alloc(p->arena, v->n * sizeof *idx);
  for (size_t i = 0; i < v->n; i++)
    idx[i] = v->keys[i];
  qsort(idx, v->n, sizeof *idx, cmp_cstr);
  p->tag_keys = hg_arena_alloc(p->arena, v->n * sizeof *p->tag_keys);
  p->tag_values = hg_arena_alloc(p->arena, v->n * sizeof *p->tag_values);
  for (size_t i = 0; i < v->n; i++) {
    const hg_yval *val = hg_yval_get(v, idx[i]);
    if (!val || val->kind != HG_Y_STR)
      continue;
    p->tag_keys[p->n_tags] = idx[i];
    p->tag_values[p->n_tags++] = val->text;
  }
}

static void fill(hg_profile *p)
{
  const hg_yval *t = p->tree;
  p->account_name = str_at(t, "account.name", NULL);
  p->account_id = str_at(t, "account.id", NULL);
  p->infosec = endpoints_at(p, "notify.infosec", &p->n_infosec, &p->infosec_email);
  p->devops = endpoints_at(p, "notify.devops", &p->n_devops, &p->devops_email);
  p->logs_bucket = str_at(t, "logs.bucket", NULL);
  p->retention_days = (int)int_at(t, "logs.retention_days", 365);
  p->object_lock_mode = str_at(t, "logs.object_lock.mode", NULL);
  p->object_lock_days = (int)int_at(t, "logs.object_lock.days", 365);
  if (!hg_yval_path(t, "logs.object_lock"))
    p->object_lock_mode = NULL;
  else if (!p->object_lock_mode)
    p->object_lock_mode = "GOVERNANCE";
  p->break_glass_role = str_at(t, "logs.break_glass_role", NULL);
  const char *de = str_at(t, "cloudtrail.s3_data_events", "none");
  p->s3_data_events = HG_DATA_NONE;
  for (int i = 0; data_event_names[i]; i++)
    if (strcmp(de, data_event_names[i]) == 0)
      p->s3_data_events = (hg_data_events)i;
  p->insights = bool_at(t, "cloudtrail.insights", false);
  fill_tags(p);
  p->templates_bucket_url = str_at(t, "templates.bucket_url", NULL);
  p->publish_bucket = str_at(t, "publish.bucket", NULL);
  p->publish_prefix = str_at(t, "publish.prefix", NULL);
  p->publish_region = str_at(t, "publish.region", NULL);

  const hg_yval *ver = hg_yval_path(t, "cis.version");
  p->cis_version = ver ? cis_version_of(ver) : NULL;
  if (!p->cis_version)
    p->cis_version = "1.4";
  const hg_yval *targets = hg_yval_path(t, "cis.targets");
  if (targets && targets->kind == HG_Y_SEQ) {
    p->cis_targets = 0;
    for (size_t i = 0; i < targets->n; i++)
      for (unsigned k = 0; cis_target_names[k]; k++)
        if (strcmp(targets->items[i]->text, cis_target_names[k]) == 0)
          p->cis_targets |= 1u << k;
  } else {
    p->cis_targets = HG_TARGET_ALL;
  }

  p->alarm_namespace = str_at(t, "alarms.namespace", "CISBenchmark");
  p->alarm_name_prefix = str_at(t, "alarms.name_prefix", NULL);

  const hg_yval *dis = hg_yval_path(t, "filters.disable");
  if (dis && dis->kind == HG_Y_SEQ && dis->n) {
    p->disable = hg_arena_alloc(p->arena, dis->n * sizeof *p->disable);
    for (size_t i = 0; i < dis->n; i++)
      p->disable[p->n_disable++] = dis->items[i]->text;
  }
  const hg_yval *ov = hg_yval_path(t, "filters.override");
  if (ov && ov->kind == HG_Y_MAP && ov->n) {
    p->overrides = hg_arena_alloc(p->arena, ov->n * sizeof *p->overrides);
    for (size_t i = 0; i < ov->n; i++) {
      hg_override *o = &p->overrides[p->n_overrides++];
      const hg_yval *m = ov->items[i];
      o->id = ov->keys[i];
      o->node = m;
      const hg_yval *v;
      if ((v = hg_yval_get(m, "threshold"))) {
        o->has_threshold = true;
        o->threshold = v->kind == HG_Y_INT ? (double)v->i : v->f;
      }
      if ((v = hg_yval_get(m, "period"))) {
        o->has_period = true;
        o->period = (int)v->i;
      }
      if ((v = hg_yval_get(m, "evaluation_periods"))) {
        o->has_evaluation_periods = true;
        o->evaluation_periods = (int)v->i;
      }
      if ((v = hg_yval_get(m, "pattern")))
        o->pattern = v->text;
      if ((v = hg_yval_get(m, "topic")))
        o->topic = v->text;
    }
    qsort(p->overrides, p->n_overrides, sizeof *p->overrides, override_cmp);
  }

  const char *pw = "config.rules.iam-password-policy.";
  char key[96];
#define PW_INT(field, name, dflt)                                                                            \
  snprintf(key, sizeof key, "%s%s", pw, name);                                                               \
  p->field = (int)int_at(t, key, dflt)
#define PW_BOOL(field, name)                                                                                 \
  snprintf(key, sizeof key, "%s%s", pw, name);                                                               \
  p->field = bool_at(t, key, true)
  PW_INT(pw_min_length, "MinimumPasswordLength", 14);
  PW_INT(pw_reuse_prevention, "PasswordReusePrevention", 24);
  PW_INT(pw_max_age, "MaxPasswordAge", 90);
  PW_BOOL(pw_require_upper, "RequireUppercaseCharacters");
  PW_BOOL(pw_require_lower, "RequireLowercaseCharacters");
  PW_BOOL(pw_require_symbols, "RequireSymbols");
  PW_BOOL(pw_require_numbers, "RequireNumbers");
#undef PW_INT
#undef PW_BOOL

  const char *mode = str_at(t, "config.mode", "managed");
  p->config_existing = strcmp(mode, "existing") == 0;

  const hg_yval *pf = hg_yval_get(t, "preflight");
  p->preflight = !(pf && pf->kind == HG_Y_BOOL && !pf->b);
  p->preflight_timeout = (int)int_at(t, "preflight.timeout", HG_PREFLIGHT_TIMEOUT);
  for (size_t i = 0; i < HG_PF_N_CHECKS; i++) {
    char path[96];
    snprintf(path, sizeof path, "preflight.checks.%s", hg_preflight_checks[i]);
    const char *lv = str_at(t, path, NULL);
    p->preflight_checks[i] = hg_preflight_defaults[i];
    for (int k = 0; lv && check_levels[k]; k++)
      if (strcmp(lv, check_levels[k]) == 0)
        p->preflight_checks[i] = (hg_check_level)k;
  }

  const hg_yval *vars = hg_yval_get(t, "vars");
  if (!vars || vars->kind != HG_Y_MAP) {
    hg_yval *empty = hg_arena_alloc(p->arena, sizeof *empty);
    empty->kind = HG_Y_MAP;
    empty->file = p->path;
    empty->line = empty->col = empty->span = 1;
    empty->text = NULL;
    vars = empty;
  }
  p->vars = vars;
  p->detective = hg_yval_get(t, "detective");
  p->org = hg_yval_get(t, "org");
}

/* ---- merge -------------------------------------------------------------- */

typedef struct kref {
  const char *key;
  size_t idx;
} kref;

static int kref_cmp(const void *x, const void *y)
{
  return strcmp(((const kref *)x)->key, ((const kref *)y)->key);
}

static kref *sorted_keys(const hg_yval *m)
{
  kref *r = xmalloc((m->n ? m->n : 1) * sizeof *r);
  for (size_t i = 0; i < m->n; i++)
    r[i] = (kref){m->keys[i], i};
  qsort(r, m->n, sizeof *r, kref_cmp);
  return r;
}

static long find_key(const kref *r, size_t n, const char *key)
{
  kref probe = {key, 0};
  const kref *hit = bsearch(&probe, r, n, sizeof *r, kref_cmp);
  return hit ? (long)hit->idx : -1;
}

/* Deep merge: child over parent. Both maps merge; otherwise the child wins.
 * Nodes of either tree are shared, never modified. At the top level the
 * parent's `extends` and `abstract` are dropped. */
static const hg_yval *merge(hg_arena *a, const hg_yval *parent, const hg_yval *child, bool top)
{
  if (!parent || parent->kind != HG_Y_MAP || child->kind != HG_Y_MAP)
    return child;
  kref *pk = sorted_keys(parent), *ck = sorted_keys(child);
  size_t cap = parent->n + child->n;
  hg_yval *m = hg_arena_alloc(a, sizeof *m);
  *m = *child;
  m->keys = hg_arena_alloc(a, (cap ? cap : 1) * sizeof *m->keys);
  m->key_nodes = hg_arena_alloc(a, (cap ? cap : 1) * sizeof *m->key_nodes);
  m->items = hg_arena_alloc(a, (cap ? cap : 1) * sizeof *m->items);
  size_t n = 0;
  for (size_t i = 0; i < parent->n; i++) {
    const char *k = parent->keys[i];
    if (top && (strcmp(k, "extends") == 0 || strcmp(k, "abstract") == 0))
      continue;
    long j = find_key(ck, child->n, k);
    m->keys[n] = k;
    if (j >= 0) {
      m->key_nodes[n] = child->key_nodes[j];
      m->items[n] = (hg_yval *)merge(a, parent->items[i], child->items[j], false);
    } else {
      m->key_nodes[n] = parent->key_nodes[i];
      m->items[n] = parent->items[i];
    }
    n++;
  }
  for (size_t j = 0; j < child->n; j++) {
    if (find_key(pk, parent->n, child->keys[j]) >= 0 &&
        !(top && (strcmp(child->keys[j], "extends") == 0 || strcmp(child->keys[j], "abstract") == 0)))
      continue;
    m->keys[n] = child->keys[j];
    m->key_nodes[n] = child->key_nodes[j];
    m->items[n] = child->items[j];
    n++;
  }
  m->n = n;
  free(pk);
  free(ck);
  return m;
}

/* ---- loading ------------------------------------------------------------ */

/* ROOT/profiles/ENV.yaml, or profiles/ENV.yaml when root is "." (malloc'd). */
static char *profile_path(const char *root, const char *env)
{
  if (!root || !*root || strcmp(root, ".") == 0 || strcmp(root, "./") == 0)
    return xasprintf("profiles/%s.yaml", env);
  size_t n = strlen(root);
  while (n > 1 && root[n - 1] == '/')
    n--;
  return xasprintf("%.*s/profiles/%s.yaml", (int)n, root, env);
}

static char **list_profiles(const char *root, bool with_abstract);

/*
 * A profile may be a symbolic link, but only to a file inside the profiles
 * folder: a link to another file (a key, a password file) would have its
 * first line echoed in a diagnostic. True when path is no link or stays in.
 */
static bool link_stays_inside(const char *path)
{
  struct stat st;
  if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
    return true;
  char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  *slash = '\0'; /* path always holds "profiles/" */
  char *real_dir = realpath(dir, NULL), *real = realpath(path, NULL);
  size_t n = real_dir ? strlen(real_dir) : 0;
  bool ok = !real || (real_dir && strncmp(real, real_dir, n) == 0 && real[n] == '/');
  free(real_dir);
  free(real);
  free(dir);
  return ok;
}

static void note_known_profiles(hg_diag *d, const char *root, const char *name)
{
  char **names = list_profiles(root, true);
  if (!names)
    return;
  const char *near = hg_did_you_mean(name, (const char *const *)names, false);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
  hg_profile_list_free(names);
}

typedef struct chain {
  const char *names[MAX_EXTENDS_DEPTH + 1];
  size_t n;
} chain;

/*
 * Read, parse and merge ENV with its ancestors. from is the `extends` node
 * that named env (NULL for the profile asked for). Returns the merged tree or
 * NULL after an error.
 */
static const hg_yval *load_tree(ctx *c, const char *root, const char *env, const hg_yval *from,
                                const char *from_env, chain *ch)
{
  char *path = profile_path(root, env);
  size_t len = 0;
  if (!link_stays_inside(path)) {
    hg_diag *d = hg_diag_add(c->sink, HG_SEV_ERROR, path, 0, 0, "profile-unreadable",
                             "profile is a symbolic link to a file outside its profiles folder");
    hg_diag_note(d, "link only to profiles in the same folder, or copy the file");
    free(path);
    return NULL;
  }
  char *text = hg_res_read(c->res, path, HG_PROFILE_MAX_BYTES, &len);
  if (!text) {
    int e = errno;
    hg_diag *d;
    if (e == ENOENT && from) {
      d = at(c, HG_SEV_ERROR, from, "profile-missing-parent", "profile '%s' extends '%s', but %s does not exist",
             from_env, env, path);
      note_known_profiles(d, root, env);
    } else if (e == ENOENT) {
      d = hg_diag_add(c->sink, HG_SEV_ERROR, path, 0, 0, "profile-not-found", "no profile '%s': %s does not exist",
                      env, path);
      note_known_profiles(d, root, env);
    } else if (e == EFBIG) {
      hg_diag_add(c->sink, HG_SEV_ERROR, path, 0, 0, "profile-too-large", "profile is larger than %u bytes",
                  HG_PROFILE_MAX_BYTES);
    } else {
      hg_diag_add(c->sink, HG_SEV_ERROR, path, 0, 0, "profile-unreadable", "cannot read profile: %s",
                  hg_read_error(e));
    }
    free(path);
    return NULL;
  }
  hg_diag_source(c->sink, path, text, len);
  hg_yval *tree = hg_yval_parse(c->a, path, text, len, c->sink);
  free(text);
  free(path);
  if (!tree)
    return NULL;
  ch->names[ch->n++] = hg_arena_strdup(c->a, env);
  const hg_yval *ext = hg_yval_get(tree, "extends");
  if (!ext || ext->kind != HG_Y_STR || !is_env_name(ext->text))
    return tree; /* a bad `extends` is reported by the schema check */
  for (size_t i = 0; i < ch->n; i++)
    if (strcmp(ch->names[i], ext->text) == 0) {
      hg_buf b;
      hg_buf_init(&b);
      for (size_t j = i; j < ch->n; j++)
        hg_buf_printf(&b, "%s -> ", ch->names[j]);
      hg_buf_puts(&b, ext->text);
      at(c, HG_SEV_ERROR, ext, "profile-extends-cycle", "extends cycle: %s", b.data);
      hg_buf_free(&b);
      return NULL;
    }
  if (ch->n > MAX_EXTENDS_DEPTH) {
    at(c, HG_SEV_ERROR, ext, "profile-extends-depth", "extends chain is longer than %d profiles", MAX_EXTENDS_DEPTH);
    return NULL;
  }
  const hg_yval *parent = load_tree(c, root, ext->text, ext, env, ch);
  if (!parent)
    return NULL;
  return merge(c->a, parent, tree, true);
}

static hg_profile *new_profile(hg_arena *a, const char *root, const char *env, const char *path)
{
  hg_profile *p = hg_arena_alloc(a, sizeof *p);
  p->arena = a;
  p->env = hg_arena_strdup(a, env);
  p->path = hg_arena_strdup(a, path);
  p->root = hg_arena_strdup(a, root ? root : ".");
  return p;
}

hg_profile *hg_profile_load(const char *root, const char *env, hg_diag_sink *sink)
{
  hg_res *res = hg_res_new(root);
  hg_profile *p = hg_profile_load_res(res, env, sink);
  hg_res_free(res);
  return p;
}

hg_profile *hg_profile_load_res(hg_res *res, const char *env, hg_diag_sink *sink)
{
  const char *root = hg_res_root(res);
  if (!is_env_name(env)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "profile-bad-env",
                "'%s' is not an environment name (letters, digits, '_' and '-')", env);
    return NULL;
  }
  size_t errors = sink->errors;
  hg_arena *a = hg_arena_new();
  ctx c;
  ctx_init(&c, a, sink);
  c.res = res;
  chain ch = {{NULL}, 0};
  const hg_yval *tree = load_tree(&c, root, env, NULL, NULL, &ch);
  char *path = profile_path(root, env);
  if (tree) {
    const hg_yval *abs = hg_yval_get(tree, "abstract");
    if (abs && abs->kind == HG_Y_BOOL && abs->b) {
      hg_diag *d = at(&c, HG_SEV_ERROR, abs, "profile-abstract",
                      "profile '%s' is abstract: it is only a parent for other profiles", env);
      hg_diag_note(d, "build a profile that extends it instead");
    } else {
      check_tree(&c, tree, path);
    }
  }
  ctx_finish(&c, path);
  if (!tree || sink->errors > errors) {
    free(path);
    hg_arena_free(a);
    return NULL;
  }
  hg_profile *p = new_profile(a, root, env, path);
  free(path);
  p->tree = (hg_yval *)tree;
  p->files = hg_arena_alloc(a, ch.n * sizeof *p->files);
  for (size_t i = 0; i < ch.n; i++) {
    char *file = profile_path(root, ch.names[i]);
    p->files[p->n_files++] = hg_arena_strdup(a, file);
    free(file);
  }
  fill(p);
  return p;
}

hg_profile *hg_profile_parse_text(const char *file, const char *text, size_t len, hg_diag_sink *sink)
{
  size_t errors = sink->errors;
  hg_arena *a = hg_arena_new();
  ctx c;
  ctx_init(&c, a, sink);
  hg_diag_source(sink, file, text, len);
  hg_yval *tree = hg_yval_parse(a, file, text, len, sink);
  if (tree)
    check_tree(&c, tree, file);
  ctx_finish(&c, file);
  if (!tree || sink->errors > errors) {
    hg_arena_free(a);
    return NULL;
  }
  const char *base = strrchr(file, '/');
  base = base ? base + 1 : file;
  size_t stem = strcspn(base, ".");
  char *env = xstrndup(base, stem);
  hg_profile *p = new_profile(a, ".", env, file);
  free(env);
  p->tree = tree;
  p->files = hg_arena_alloc(a, sizeof *p->files);
  p->files[p->n_files++] = p->path;
  fill(p);
  return p;
}

void hg_profile_free(hg_profile *p)
{
  if (p)
    hg_arena_free(p->arena);
}

/* ---- listing ------------------------------------------------------------ */

static int str_cmp(const void *x, const void *y)
{
  return strcmp(*(char *const *)x, *(char *const *)y);
}

/* True when the file parses and says `abstract: true` at the top. */
static bool is_abstract_file(const char *path)
{
  size_t len = 0;
  char *text = hg_read_file(path, HG_PROFILE_MAX_BYTES, &len);
  if (!text)
    return false;
  hg_arena *a = hg_arena_new();
  hg_diag_sink scratch;
  hg_diag_init(&scratch);
  hg_yval *tree = hg_yval_parse(a, path, text, len, &scratch);
  const hg_yval *abs = tree ? hg_yval_get(tree, "abstract") : NULL;
  bool r = abs && abs->kind == HG_Y_BOOL && abs->b;
  hg_diag_free(&scratch);
  hg_arena_free(a);
  free(text);
  return r;
}

char **hg_profile_list(const char *root)
{
  return list_profiles(root, false);
}

static char **list_profiles(const char *root, bool with_abstract)
{
  char *dir = profile_path(root, "x");
  dir[strlen(dir) - strlen("/x.yaml")] = '\0';
  DIR *d = opendir(dir);
  if (!d) {
    free(dir);
    return NULL;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len <= 5 || !hg_ends_with(e->d_name, ".yaml"))
      continue;
    char *name = xstrndup(e->d_name, len - 5);
    char *path = xasprintf("%s/%s", dir, e->d_name);
    if (!is_env_name(name) || (!with_abstract && is_abstract_file(path))) {
      free(name);
      free(path);
      continue;
    }
    free(path);
    if (n + 1 >= cap) {
      cap = cap ? cap * 2 : 16;
      names = xrealloc(names, cap * sizeof *names);
    }
    names[n++] = name;
  }
  closedir(d);
  free(dir);
  if (!names)
    names = xmalloc(sizeof *names);
  qsort(names, n, sizeof *names, str_cmp);
  names[n] = NULL;
  return names;
}

void hg_profile_list_free(char **names)
{
  if (!names)
    return;
  for (size_t i = 0; names[i]; i++)
    free(names[i]);
  free(names);
}
