/*
 * creds_sts.c — temporary credentials from AWS STS: AssumeRole (a profile's
 * role_arn, signed with its source's credentials) and
 * AssumeRoleWithWebIdentity (an OIDC token from a file, unsigned). Query
 * API over POST (form body), XML answers (AWS STS API Reference).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "creds_int.h"

#define TOKEN_FILE_MAX (64u * 1024u)

/* The IAM pattern of a session name: [\w+=,.@-]{2,64}. */
static bool valid_session_name(const char *s)
{
  size_t n = strlen(s);
  if (n < 2 || n > 64)
    return false;
  for (const char *p = s; *p; p++)
    if (!isalnum((unsigned char)*p) && !strchr("_+=,.@-", *p))
      return false;
  return true;
}

/* duration_seconds: NULL (none) or 900..43200. */
static bool valid_duration(const char *s)
{
  if (!s)
    return true;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  return errno == 0 && end != s && !*end && v >= 900 && v <= 43200;
}

/* POST form to STS and read <Credentials> from the answer. */
static int sts_call(hg_creds_provider *p, const char *form, const hg_creds *signer,
                    const char *what, const char *origin, hg_creds *out, hg_diag_sink *sink)
{
  char *url = hg_creds__endpoint(p, "sts", p->region, sink);
  if (!url)
    return -1;
  const char *headers[] = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                           NULL};
  hg_http_request rq = {.method = "POST", .url = url, .headers = headers, .body = form,
                        .body_len = strlen(form), .service = signer ? "sts" : NULL,
                        .region = p->region, .creds = signer, .max_body = 256u * 1024u};
  hg_http_response rs;
  int rc = -1;
  if (hg_http_send(p->http, &rq, &rs, sink) != HG_HTTP_OK) {
    const char *hint = NULL;
    if (strcmp(rs.error_code, "ExpiredTokenException") == 0 ||
        strcmp(rs.error_code, "ExpiredToken") == 0)
      hint = signer ? "the credentials that assume the role have expired"
                    : "the web identity token has expired: the CI system renews it";
    else if (strcmp(rs.error_code, "InvalidIdentityToken") == 0)
      hint = "STS refused the web identity token (issuer, audience or thumbprint)";
    hg_diag *d = hg_http_diag(sink, "creds-sts", &rs, hint, "%s", what);
    if (d) {
      hg_diag_note(d, "STS endpoint %s; role from %s", url, origin);
      if (signer)
        hg_diag_note(d, "signed with the credentials from %s", signer->source);
    }
    goto done;
  }
  char *id = hg_http_xml_text(rs.body, rs.body_len, "AccessKeyId");
  char *secret = hg_http_xml_text(rs.body, rs.body_len, "SecretAccessKey");
  char *token = hg_http_xml_text(rs.body, rs.body_len, "SessionToken");
  char *exp = hg_http_xml_text(rs.body, rs.body_len, "Expiration");
  time_t expiration = exp ? hg_creds_parse_time(exp) : -1;
  if (!id || !secret || !token || !*id || !*secret || expiration <= 0) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-sts",
                             "%s: the STS answer has no complete <Credentials>", what);
    hg_diag_note(d, "STS endpoint %s", url);
  } else {
    char *source = xasprintf("%s", origin);
    rc = hg_creds__set(out, id, secret, token, expiration, source, sink) == 0 ? 1 : -1;
    free(source);
  }
  free(id);
  if (secret) {
    explicit_bzero(secret, strlen(secret));
    free(secret);
  }
  if (token) {
    explicit_bzero(token, strlen(token));
    free(token);
  }
  free(exp);
done:
  hg_http_response_free(&rs);
  free(url);
  return rc;
}

static char *default_session_name(void)
{
  return xasprintf("hardengen-%lld", (long long)time(NULL));
}

int hg_creds__assume_role(hg_creds_provider *p, const hg_creds *src, const char *profile,
                          hg_creds *out, hg_diag_sink *sink)
{
  const hg_awscfg *c = p->cfg;
  hg_awscfg_where w = {0};
  const char *arn = hg_awscfg_get(c, profile, "role_arn", &w);
  const char *session = hg_awscfg_get(c, profile, "role_session_name", NULL);
  const char *external = hg_awscfg_get(c, profile, "external_id", NULL);
  const char *duration = hg_awscfg_get(c, profile, "duration_seconds", NULL);
  if (hg_awscfg_get(c, profile, "mfa_serial", NULL)) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-config",
                             "profile [%s] needs an MFA code (mfa_serial), which hardengen "
                             "does not prompt for",
                             profile);
    hg_diag_note(d, "get session credentials first (aws sts get-session-token, or a "
                    "credential_process that prompts) and point source_profile at them");
    return -1;
  }
  if (session && !valid_session_name(session)) {
    hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-config",
                "profile [%s]: role_session_name must be 2 to 64 letters, digits or _+=,.@-",
                profile);
    return -1;
  }
  if (!valid_duration(duration)) {
    hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-config",
                "profile [%s]: duration_seconds must be a number from 900 to 43200", profile);
    return -1;
  }
  char *name = session ? xstrdup(session) : default_session_name();
  hg_buf form;
  hg_buf_init(&form);
  hg_http_form_add(&form, "Action", "AssumeRole");
  hg_http_form_add(&form, "Version", "2011-06-15");
  hg_http_form_add(&form, "RoleArn", arn);
  hg_http_form_add(&form, "RoleSessionName", name);
  if (duration)
    hg_http_form_add(&form, "DurationSeconds", duration);
  if (external)
    hg_http_form_add(&form, "ExternalId", external);
  char *what = xasprintf("cannot assume role %s (profile [%s])", arn, profile);
  char *origin = xasprintf("profile [%s]: role %s", profile, arn);
  int rc = sts_call(p, form.data, src, what, origin, out, sink);
  free(what);
  free(origin);
  free(name);
  hg_buf_free(&form);
  return rc;
}

int hg_creds__web_identity(hg_creds_provider *p, const char *role_arn, const char *token_file,
                           const char *session, const char *duration, const char *origin,
                           hg_creds *out, hg_diag_sink *sink)
{
  if (session && !valid_session_name(session)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-config",
                "the role session name for %s must be 2 to 64 letters, digits or _+=,.@-",
                origin);
    return -1;
  }
  if (!valid_duration(duration)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-config",
                "duration_seconds for %s must be a number from 900 to 43200", origin);
    return -1;
  }
  struct stat st;
  size_t len = 0;
  char *token = NULL;
  if (stat(token_file, &st) == 0 && !S_ISREG(st.st_mode))
    errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
  else
    token = hg_read_file(token_file, TOKEN_FILE_MAX, &len);
  if (!token) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-web-identity",
                             "cannot read the web identity token file %s: %s", token_file,
                             errno == EFBIG ? "larger than 64 KiB" : strerror(errno));
    hg_diag_note(d, "named by %s", origin[0] == 'A' ? "AWS_WEB_IDENTITY_TOKEN_FILE" : origin);
    return -1;
  }
  /* Trim the surrounding blanks a file written by `echo` has. */
  size_t a = 0, b = len;
  while (a < b && isspace((unsigned char)token[a]))
    a++;
  while (b > a && isspace((unsigned char)token[b - 1]))
    b--;
  int rc = -1;
  char *t = xstrndup(token + a, b - a);
  if (!*t || hg_http_has_control(t) || memchr(token, '\0', len)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-web-identity",
                "the web identity token file %s is %s", token_file,
                !*t ? "empty" : "not a token (it holds control characters)");
  } else {
    char *name = session ? xstrdup(session) : default_session_name();
    hg_buf form;
    hg_buf_init(&form);
    hg_http_form_add(&form, "Action", "AssumeRoleWithWebIdentity");
    hg_http_form_add(&form, "Version", "2011-06-15");
    hg_http_form_add(&form, "RoleArn", role_arn);
    hg_http_form_add(&form, "RoleSessionName", name);
    hg_http_form_add(&form, "WebIdentityToken", t);
    if (duration)
      hg_http_form_add(&form, "DurationSeconds", duration);
    char *what = xasprintf("cannot assume role %s with the web identity token of %s", role_arn,
                           token_file);
    char *src = xasprintf("web identity (%s): role %s", origin, role_arn);
    rc = sts_call(p, form.data, NULL, what, src, out, sink);
    free(what);
    free(src);
    free(name);
    explicit_bzero(form.data, form.len);
    hg_buf_free(&form);
  }
  explicit_bzero(t, strlen(t));
  free(t);
  explicit_bzero(token, len);
  free(token);
  return rc;
}
