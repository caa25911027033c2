/*
 * creds.c — the credentials chain and its provider (see creds.h for the
 * order and the secrecy rule). The sources that call out live in
 * creds_sts.c, creds_sso.c, creds_process.c and creds_metadata.c.
 */
#include "hg/creds.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "creds_int.h"
#include "hg/awscfg.h"
#include "hg/emit.h"
#include "hg/http.h"
#include "hg/util.h"

/* A chain of source_profile links longer than this is refused. */
#define MAX_ROLE_CHAIN 16

static void wipe(char *s)
{
  if (s)
    explicit_bzero(s, strlen(s));
}

void hg_creds_free(hg_creds *c)
{
  if (!c)
    return;
  wipe(c->secret_key);
  wipe(c->session_token);
  free(c->access_key);
  free(c->secret_key);
  free(c->session_token);
  free(c->source);
  memset(c, 0, sizeof *c);
}

void hg_creds_copy(hg_creds *dst, const hg_creds *src)
{
  memset(dst, 0, sizeof *dst);
  dst->access_key = src->access_key ? xstrdup(src->access_key) : NULL;
  dst->secret_key = src->secret_key ? xstrdup(src->secret_key) : NULL;
  dst->session_token = src->session_token ? xstrdup(src->session_token) : NULL;
  dst->source = src->source ? xstrdup(src->source) : NULL;
  dst->expiration = src->expiration;
}

static const char *env_nonempty(const char *name)
{
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

int hg_creds__set(hg_creds *out, const char *id, const char *secret, const char *token,
                  time_t expiration, const char *origin, hg_diag_sink *sink)
{
  const char *bad = hg_http_has_control(id)       ? "access key id"
                    : hg_http_has_control(secret) ? "secret access key"
                    : token && hg_http_has_control(token) ? "session token"
                                                          : NULL;
  if (bad) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-invalid",
                             "the %s from %s holds a control character", bad, origin);
    hg_diag_note(d, "a line break or other control character in a credential would end up "
                    "in an HTTP header; remove it");
    return -1;
  }
  memset(out, 0, sizeof *out);
  out->access_key = xstrdup(id);
  out->secret_key = xstrdup(secret);
  out->session_token = token && *token ? xstrdup(token) : NULL;
  out->expiration = expiration;
  out->source = xstrdup(origin);
  return 0;
}

/* ------------------------------------------------------------ time, JSON */

time_t hg_creds_parse_time(const char *s)
{
  if (!s)
    return -1;
  int y, mo, d, h, mi, sec, n = 0;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
    return -1;
  const char *p = s + n;
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p))
      return -1;
    while (isdigit((unsigned char)*p))
      p++;
  }
  long offset = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om, k = 0;
    if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5)
      return -1;
    offset = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
    p += 6;
  } else if (*p == '\0') {
    /* no zone: UTC, as botocore reads it */
  } else {
    return -1;
  }
  if (*p)
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
    return -1;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                  .tm_min = mi, .tm_sec = sec};
  return timegm(&tm) - offset;
}

hg_doc *hg_creds__read_json(const char *text, size_t len, bool *unheld)
{
  hg_diag_sink local;
  hg_diag_init(&local);
  hg_doc *d = hg_emit_read_json(text ? text : "", text ? len : 0, "<answer>", "creds-json", &local);
  /* A syntax error has a position; valid JSON that a document cannot hold
   * (U+0000 in a string, a number beyond a double) has none. */
  if (unheld)
    *unheld = !d && local.n > 0 && local.v[0].line == 0;
  hg_diag_free_wiped(&local);
  if (d && d->kind != HG_DOC_MAP) {
    hg_doc_free_wiped(d);
    d = NULL;
  }
  return d;
}

/* A non-empty string member, or NULL. */
static const char *json_str(const hg_doc *o, const char *key)
{
  const char *v = hg_doc_get_str(o, key);
  return v && v[0] ? v : NULL;
}

/* Copy the keys into out; false (out untouched) when one holds a control
 * character. */
static bool take_keys(hg_creds *out, const char *id, const char *secret, const char *token, time_t expiration)
{
  if (hg_http_has_control(id) || hg_http_has_control(secret) || (token && hg_http_has_control(token)))
    return false;
  out->access_key = xstrdup(id);
  out->secret_key = xstrdup(secret);
  out->session_token = token ? xstrdup(token) : NULL;
  out->expiration = expiration;
  return true;
}

/* "Version": 1 (written 1, 1.0 or 1e0: a JSON number equal to one). */
static bool is_version_1(const hg_doc *v)
{
  return v && ((v->kind == HG_DOC_INT && v->num == 1) || (v->kind == HG_DOC_FLOAT && v->f == 1.0));
}

int hg_creds_parse_process_output(const char *text, size_t len, hg_creds *out, const char **why)
{
  memset(out, 0, sizeof *out);
  bool unheld = false;
  hg_doc *j = hg_creds__read_json(text, len, &unheld);
  int rc = -1;
  if (!j) {
    *why = unheld ? "its output holds a string with U+0000 or a number out of range"
                  : "its output is not a JSON object";
    goto done;
  }
  if (!is_version_1(hg_doc_get(j, "Version"))) {
    *why = "its output has no \"Version\": 1";
    goto done;
  }
  const char *id = json_str(j, "AccessKeyId"), *secret = json_str(j, "SecretAccessKey");
  if (!id || !secret) {
    *why = !id ? "its output has no AccessKeyId" : "its output has no SecretAccessKey";
    goto done;
  }
  const char *token = json_str(j, "SessionToken");
  const hg_doc *exp = hg_doc_get(j, "Expiration");
  time_t expiration = 0;
  if (exp && exp->kind != HG_DOC_NULL) {
    expiration = exp->kind == HG_DOC_STR ? hg_creds_parse_time(exp->str) : -1;
    if (expiration <= 0) {
      *why = "its Expiration is not an ISO 8601 time";
      goto done;
    }
  }
  if (!take_keys(out, id, secret, token, expiration))
    *why = "a credential in its output holds a control character";
  else
    rc = 0;
done:
  hg_doc_free_wiped(j);
  return rc;
}

int hg_creds__parse_metadata_json(const char *text, size_t len, hg_creds *out, const char **why)
{
  memset(out, 0, sizeof *out);
  bool unheld = false;
  hg_doc *j = hg_creds__read_json(text, len, &unheld);
  int rc = -1;
  if (!j) {
    *why = unheld ? "the answer holds a string with U+0000 or a number out of range"
                  : "the answer is not a JSON object";
    goto done;
  }
  const char *code = json_str(j, "Code");
  if (code && strcmp(code, "Success") != 0) {
    *why = "the answer's Code is not Success";
    goto done;
  }
  const char *id = json_str(j, "AccessKeyId"), *secret = json_str(j, "SecretAccessKey");
  const char *token = json_str(j, "Token");
  if (!id || !secret) {
    *why = !id ? "the answer has no AccessKeyId" : "the answer has no SecretAccessKey";
    goto done;
  }
  time_t expiration = 0;
  const char *exp = json_str(j, "Expiration");
  if (exp && (expiration = hg_creds_parse_time(exp)) <= 0) {
    *why = "the answer's Expiration is not an ISO 8601 time";
    goto done;
  }
  if (!take_keys(out, id, secret, token, expiration))
    *why = "a credential in the answer holds a control character";
  else
    rc = 0;
done:
  hg_doc_free_wiped(j);
  return rc;
}

/* --------------------------------------------------- command-line words */

char **hg_creds_split_command(const char *cmd, const char **why)
{
  size_t n = 0, cap = 4;
  char **argv = xmalloc(cap * sizeof *argv);
  hg_buf w;
  hg_buf_init(&w);
  const char *p = cmd;
  for (;;) {
    while (*p == ' ' || *p == '\t' || *p == '\n')
      p++;
    if (!*p)
      break;
    hg_buf_reset(&w);
    hg_buf_puts(&w, "");
    while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
      if (*p == '\'') {
        const char *q = strchr(p + 1, '\'');
        if (!q)
          goto unterminated;
        hg_buf_append(&w, p + 1, (size_t)(q - p - 1));
        p = q + 1;
      } else if (*p == '"') {
        p++;
        while (*p && *p != '"') {
          if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`'))
            p++;
          else if (*p == '\\' && p[1] == '\n') {
            p += 2;
            continue;
          }
          hg_buf_putc(&w, *p++);
        }
        if (*p != '"')
          goto unterminated;
        p++;
      } else if (*p == '\\') {
        if (!p[1]) {
          p++;
          continue;
        }
        if (p[1] != '\n')
          hg_buf_putc(&w, p[1]);
        p += 2;
      } else {
        hg_buf_putc(&w, *p++);
      }
    }
    if (n + 2 > cap) {
      cap *= 2;
      argv = xrealloc(argv, cap * sizeof *argv);
    }
    argv[n++] = xstrdup(w.data ? w.data : "");
  }
  hg_buf_free(&w);
  argv[n] = NULL;
  if (n == 0) {
    free(argv);
    *why = "the command is empty";
    return NULL;
  }
  return argv;
unterminated:
  hg_buf_free(&w);
  for (size_t i = 0; i < n; i++)
    free(argv[i]);
  free(argv);
  *why = "a quote is not closed";
  return NULL;
}

/* ----------------------------------------------------------- static keys */

/* Static keys of a profile from the file the AWS CLI reads them in that
 * step: the credentials file (in_creds) or the config file. */
static int static_keys(hg_creds_provider *p, const char *profile, bool in_creds, hg_creds *out,
                       hg_diag_sink *sink)
{
  const hg_awscfg *c = p->cfg;
  const char *id = hg_awscfg_get(c, profile, "aws_access_key_id", NULL);
  const char *secret = hg_awscfg_get(c, profile, "aws_secret_access_key", NULL);
  const char *token = hg_awscfg_get(c, profile, "aws_session_token", NULL);
  if (!token)
    token = hg_awscfg_get(c, profile, "aws_security_token", NULL);
  bool id_here = id && hg_awscfg_in_creds_file(c, profile, "aws_access_key_id") == in_creds;
  bool secret_here =
      secret && hg_awscfg_in_creds_file(c, profile, "aws_secret_access_key") == in_creds;
  if (!id_here && !secret_here)
    return 0;
  const char *file = in_creds ? hg_awscfg_creds_path(c) : hg_awscfg_config_path(c);
  if (!id || !secret || !*id || !*secret) {
    hg_awscfg_where w = {file, 0};
    hg_awscfg_profile_where(c, profile, in_creds, &w);
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, file, w.line, 0, "creds-incomplete",
                             "profile [%s] has no %s", profile,
                             !id || !*id ? "aws_access_key_id" : "aws_secret_access_key");
    hg_diag_note(d, "a profile needs both aws_access_key_id and aws_secret_access_key");
    return -1;
  }
  char *origin = xasprintf("%s [%s]", file, profile);
  int rc = hg_creds__set(out, id, secret, token, 0, origin, sink);
  free(origin);
  return rc == 0 ? 1 : -1;
}

int hg_creds_parse(const char *text, const char *file, const char *profile, hg_creds *out,
                   hg_diag_sink *sink)
{
  memset(out, 0, sizeof *out);
  hg_awscfg *c = hg_awscfg_parse(NULL, "config", text, file, profile, sink);
  if (!c)
    return -1;
  if (!hg_awscfg_has_profile(c, profile)) {
    hg_awscfg_free(c);
    return 0;
  }
  hg_creds_provider p = {.cfg = c};
  int rc = static_keys(&p, profile, true, out, sink);
  if (rc == 0) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, file, 0, 0, "creds-incomplete",
                             "profile [%s] has no aws_access_key_id and no "
                             "aws_secret_access_key",
                             profile);
    hg_diag_note(d, "a profile needs both aws_access_key_id and aws_secret_access_key");
    rc = -1;
  }
  hg_awscfg_free(c);
  return rc;
}

/* ------------------------------------------------------------ the chain */

void hg_creds__why(hg_creds_provider *p, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_buf_vprintf(&p->why, fmt, ap);
  va_end(ap);
  hg_buf_putc(&p->why, '\n');
}

char *hg_creds__endpoint(hg_creds_provider *p, const char *service, const char *region,
                         hg_diag_sink *sink)
{
  char *url = NULL;
  if (hg_awscfg_endpoint(p->cfg, service, NULL, &url, NULL, sink) != 0)
    return NULL;
  return url ? url : hg_awscfg_default_endpoint(service, region);
}

static int from_environment(hg_creds_provider *p, hg_creds *out, hg_diag_sink *sink)
{
  const char *id = env_nonempty("AWS_ACCESS_KEY_ID");
  const char *secret = env_nonempty("AWS_SECRET_ACCESS_KEY");
  if (id && secret) {
    const char *token = env_nonempty("AWS_SESSION_TOKEN");
    if (!token)
      token = env_nonempty("AWS_SECURITY_TOKEN");
    return hg_creds__set(out, id, secret, token, 0, "environment", sink) == 0 ? 1 : -1;
  }
  if (id || secret) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-incomplete",
                             "%s is set but %s is not",
                             id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                             id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    hg_diag_note(d, "set both, or unset both to use the other sources");
    return -1;
  }
  hg_creds__why(p, "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  return 0;
}

static int from_web_identity_env(hg_creds_provider *p, hg_creds *out, hg_diag_sink *sink)
{
  const char *arn = env_nonempty("AWS_ROLE_ARN");
  const char *file = env_nonempty("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!arn || !file) {
    hg_creds__why(p, "web identity: %s",
                  arn    ? "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not"
                  : file ? "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"
                         : "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set");
    return 0;
  }
  return hg_creds__web_identity(p, arn, file, env_nonempty("AWS_ROLE_SESSION_NAME"), NULL,
                                "AWS_ROLE_ARN", out, sink);
}

static int from_container_or_imds(hg_creds_provider *p, hg_creds *out, hg_diag_sink *sink)
{
  int rc = hg_creds__container(p, out, sink);
  if (rc != 0)
    return rc;
  return hg_creds__imds(p, out, sink);
}

static int from_profile(hg_creds_provider *p, const char *profile, const char **chain,
                        size_t depth, hg_creds *out, hg_diag_sink *sink);

/* The credentials a role profile signs its AssumeRole with. */
static int role_source(hg_creds_provider *p, const char *profile, const char **chain,
                       size_t depth, hg_creds *src, hg_diag_sink *sink)
{
  const hg_awscfg *c = p->cfg;
  hg_awscfg_where w = {0};
  const char *source = hg_awscfg_get(c, profile, "source_profile", &w);
  const char *csource = hg_awscfg_get(c, profile, "credential_source", NULL);
  if (source && csource) {
    hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-config",
                "profile [%s] has both source_profile and credential_source: keep one", profile);
    return -1;
  }
  if (source) {
    if (strcmp(source, profile) == 0) {
      /* A profile that names itself signs with its own static keys. */
      int rc = static_keys(p, profile, true, src, sink);
      if (rc == 0)
        rc = static_keys(p, profile, false, src, sink);
      if (rc == 0)
        hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-config",
                    "profile [%s] is its own source_profile but has no static keys", profile);
      return rc == 1 ? 0 : -1;
    }
    for (size_t i = 0; i <= depth; i++) {
      if (strcmp(chain[i], source) == 0) {
        hg_buf b;
        hg_buf_init(&b);
        for (size_t k = i; k <= depth; k++)
          hg_buf_printf(&b, "%s -> ", chain[k]);
        hg_buf_puts(&b, source);
        hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-cycle",
                                 "the source_profile chain loops: %s", b.data);
        hg_diag_note(d, "a source_profile chain must end at a profile with credentials");
        hg_buf_free(&b);
        return -1;
      }
    }
    if (depth + 1 >= MAX_ROLE_CHAIN) {
      hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-cycle",
                  "the source_profile chain is longer than %d profiles", MAX_ROLE_CHAIN);
      return -1;
    }
    if (!hg_awscfg_has_profile(c, source)) {
      hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-config",
                  "profile [%s] has source_profile = %s, which is in neither %s nor %s",
                  profile, source, hg_awscfg_config_path(c), hg_awscfg_creds_path(c));
      return -1;
    }
    chain[depth + 1] = source;
    int rc = from_profile(p, source, chain, depth + 1, src, sink);
    if (rc == 0) {
      hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-config",
                  "profile [%s] has source_profile = %s, which has no credentials", profile,
                  source);
      return -1;
    }
    return rc == 1 ? 0 : -1;
  }
  if (csource) {
    int rc;
    if (strcmp(csource, "Environment") == 0) {
      rc = from_environment(p, src, sink);
    } else if (strcmp(csource, "Ec2InstanceMetadata") == 0) {
      rc = hg_creds__imds(p, src, sink);
    } else if (strcmp(csource, "EcsContainer") == 0) {
      rc = hg_creds__container(p, src, sink);
    } else {
      hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-config",
                               "profile [%s] has credential_source = %s, which is not known",
                               profile, csource);
      hg_diag_note(d, "credential_source is Environment, Ec2InstanceMetadata or EcsContainer");
      return -1;
    }
    if (rc == 0)
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-missing",
                  "profile [%s] takes its credentials from %s, which has none", profile,
                  csource);
    return rc == 1 ? 0 : -1;
  }
  hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-config",
                           "profile [%s] has role_arn but no source_profile, "
                           "credential_source or web_identity_token_file",
                           profile);
  hg_diag_note(d, "say which credentials assume the role, e.g. source_profile = default");
  return -1;
}

static int from_profile(hg_creds_provider *p, const char *profile, const char **chain,
                        size_t depth, hg_creds *out, hg_diag_sink *sink)
{
  const hg_awscfg *c = p->cfg;
  if (hg_awscfg_get(c, profile, "role_arn", NULL)) {
    const char *wif = hg_awscfg_get(c, profile, "web_identity_token_file", NULL);
    if (wif && !hg_awscfg_get(c, profile, "source_profile", NULL) &&
        !hg_awscfg_get(c, profile, "credential_source", NULL)) {
      char *origin = xasprintf("profile [%s]", profile);
      int rc = hg_creds__web_identity(
          p, hg_awscfg_get(c, profile, "role_arn", NULL), wif,
          hg_awscfg_get(c, profile, "role_session_name", NULL),
          hg_awscfg_get(c, profile, "duration_seconds", NULL), origin, out, sink);
      free(origin);
      return rc;
    }
    hg_creds src;
    memset(&src, 0, sizeof src);
    if (role_source(p, profile, chain, depth, &src, sink) != 0)
      return -1;
    int rc = hg_creds__assume_role(p, &src, profile, out, sink);
    hg_creds_free(&src);
    return rc;
  }
  if (hg_awscfg_get(c, profile, "sso_session", NULL) ||
      hg_awscfg_get(c, profile, "sso_start_url", NULL) ||
      hg_awscfg_get(c, profile, "sso_account_id", NULL))
    return hg_creds__sso(p, profile, out, sink);
  int rc = static_keys(p, profile, true, out, sink);
  if (rc != 0)
    return rc;
  if (hg_awscfg_get(c, profile, "credential_process", NULL))
    return hg_creds__process(p, profile, out, sink);
  rc = static_keys(p, profile, false, out, sink);
  if (rc != 0)
    return rc;
  if (depth == 0)
    hg_creds__why(p, "profile [%s]: no keys, role_arn, sso_* or credential_process in %s or %s",
                  profile, hg_awscfg_config_path(c), hg_awscfg_creds_path(c));
  return 0;
}

/* Resolve the whole chain into *out: 0, or -1 after adding errors. */
static int resolve(hg_creds_provider *p, hg_creds *out, hg_diag_sink *sink)
{
  hg_buf_reset(&p->why);
  hg_buf_puts(&p->why, "");
  int rc = from_environment(p, out, sink);
  if (rc == 0)
    rc = from_web_identity_env(p, out, sink);
  if (rc == 0) {
    if (hg_awscfg_has_profile(p->cfg, p->profile)) {
      const char *chain[MAX_ROLE_CHAIN + 1] = {p->profile};
      rc = from_profile(p, p->profile, chain, 0, out, sink);
    } else if (p->profile_set) {
      hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-profile",
                               "the profile '%s' (AWS_PROFILE) is in neither %s nor %s",
                               p->profile, hg_awscfg_config_path(p->cfg),
                               hg_awscfg_creds_path(p->cfg));
      hg_diag_note(d, "config files name it [profile %s], credentials files [%s]", p->profile,
                   p->profile);
      return -1;
    } else {
      hg_creds__why(p, "profile [%s]: in neither %s nor %s", p->profile,
                    hg_awscfg_config_path(p->cfg), hg_awscfg_creds_path(p->cfg));
    }
  }
  if (rc == 0)
    rc = from_container_or_imds(p, out, sink);
  if (rc == 1)
    return 0;
  if (rc == 0) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-missing",
                             "no AWS credentials found; looked at:");
    for (char *line = p->why.data; line && *line;) {
      char *nl = strchr(line, '\n');
      hg_diag_note(d, "%.*s", (int)(nl ? nl - line : (ptrdiff_t)strlen(line)), line);
      line = nl ? nl + 1 : NULL;
    }
    hg_diag_note(d, "see doc/credentials.md: environment variables, a profile with keys, a "
                    "role, IAM Identity Center (aws sso login) or credential_process");
  }
  return -1;
}

hg_creds_provider *hg_creds_provider_new(const hg_creds_opts *o, hg_diag_sink *sink)
{
  hg_creds_opts none = {0};
  if (!o)
    o = &none;
  hg_creds_provider *p = xcalloc(1, sizeof *p);
  hg_buf_init(&p->why);
  if (o->cfg) {
    p->cfg = o->cfg;
  } else {
    p->own_cfg = hg_awscfg_load(sink);
    if (!p->own_cfg) {
      hg_creds_provider_free(p);
      return NULL;
    }
    p->cfg = p->own_cfg;
  }
  p->profile = xstrdup(o->profile ? o->profile : hg_awscfg_profile(p->cfg));
  p->profile_set = o->profile || env_nonempty("AWS_PROFILE") || env_nonempty("AWS_DEFAULT_PROFILE");
  const char *region = o->region ? o->region : hg_awscfg_region(p->cfg, NULL, NULL, NULL);
  p->region = xstrdup(region ? region : "us-east-1");
  if (o->http) {
    p->http = o->http;
  } else {
    p->own_http = hg_http_new(NULL);
    if (!p->own_http) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "http-internal", "cannot initialise libcurl");
      hg_creds_provider_free(p);
      return NULL;
    }
    p->http = p->own_http;
  }
  return p;
}

void hg_creds_provider_free(hg_creds_provider *p)
{
  if (!p)
    return;
  hg_creds_free(&p->cur);
  hg_awscfg_free(p->own_cfg);
  hg_http_free(p->own_http);
  free(p->profile);
  free(p->region);
  hg_buf_free(&p->why);
  free(p);
}

const hg_creds *hg_creds_current(const hg_creds_provider *p)
{
  return p && p->have ? &p->cur : NULL;
}

const hg_creds *hg_creds_get(hg_creds_provider *p, hg_diag_sink *sink)
{
  time_t now = time(NULL);
  if (p->have && (p->cur.expiration == 0 || now < p->cur.expiration - HG_CREDS_REFRESH_MARGIN))
    return &p->cur;
  hg_creds fresh;
  memset(&fresh, 0, sizeof fresh);
  hg_diag_sink local;
  hg_diag_init(&local);
  int rc = resolve(p, &fresh, &local);
  if (rc != 0) {
    if (p->have && now < p->cur.expiration) {
      /* Renewal failed but the current ones still work: keep them, say so. */
      hg_diag *d = hg_diag_add(sink, HG_SEV_WARNING, NULL, 0, 0, "creds-refresh",
                               "cannot renew the credentials from %s; using them until they "
                               "expire",
                               p->cur.source);
      for (size_t i = 0; i < local.n; i++)
        hg_diag_note(d, "%s", local.v[i].message);
      hg_diag_free(&local);
      return &p->cur;
    }
    hg_diag_move(sink, &local);
    hg_diag_free(&local);
    return NULL;
  }
  hg_diag_move(sink, &local); /* warnings and notes of a source that worked */
  hg_diag_free(&local);
  if (fresh.expiration != 0 && fresh.expiration <= now) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-expired",
                             "the credentials from %s have already expired", fresh.source);
    hg_diag_note(d, "renew them at their source and try again");
    hg_creds_free(&fresh);
    return NULL;
  }
  hg_creds_free(&p->cur);
  p->cur = fresh;
  p->have = true;
  return &p->cur;
}

int hg_creds_load(hg_creds *out, hg_diag_sink *sink)
{
  memset(out, 0, sizeof *out);
  hg_creds_provider *p = hg_creds_provider_new(NULL, sink);
  if (!p)
    return -1;
  const hg_creds *c = hg_creds_get(p, sink);
  if (c)
    hg_creds_copy(out, c);
  hg_creds_provider_free(p);
  return c ? 0 : -1;
}
