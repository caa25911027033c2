/*
 * creds_sso.c — IAM Identity Center (SSO) credentials: the access token
 * `aws sso login` cached in ~/.aws/sso/cache/, then the portal's
 * GetRoleCredentials (GET /federation/credentials with the token in
 * x-amz-sso_bearer_token; IAM Identity Center Portal API Reference).
 *
 * The cache file is named by the hex SHA-1 of the sso-session name (profiles
 * with sso_session) or of the start URL (legacy profiles with
 * sso_start_url), plus ".json"; it holds "accessToken" and "expiresAt"
 * (ISO 8601 UTC). hardengen reads the cache, never writes it, and does not
 * renew the token itself: an expired one asks for `aws sso login`.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "creds_int.h"

#define CACHE_FILE_MAX (1u << 20)

static void sha1_hex(const char *s, char out[41])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s, strlen(s), md, &n, EVP_sha1(), NULL);
  static const char hex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < n && i < 20; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[40] = '\0';
}

static char *cache_path(const char *key)
{
  const char *home = getenv("HOME");
  if (!home || !*home) {
    struct passwd *pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : "";
  }
  char h[41];
  sha1_hex(key, h);
  return xasprintf("%s/.aws/sso/cache/%s.json", home, h);
}

static void login_note(hg_diag *d, const char *profile)
{
  if (strcmp(profile, "default") == 0)
    hg_diag_note(d, "run `aws sso login` and try again");
  else
    hg_diag_note(d, "run `aws sso login --profile %s` and try again", profile);
}

/* A setting of the profile, or of its sso-session section when it has one. */
static const char *sso_get(const hg_awscfg *c, const char *profile, const char *session,
                           const char *key)
{
  if (session) {
    const char *v = hg_awscfg_section_get(c, "sso-session", session, key, NULL);
    if (v)
      return v;
  }
  return hg_awscfg_get(c, profile, key, NULL);
}

/* The portal's expiration: milliseconds since the epoch, a JSON number. */
static bool epoch_ms(const hg_doc *v, time_t *out)
{
  if (v && v->kind == HG_DOC_INT) {
    *out = (time_t)(v->num / 1000);
    return true;
  }
  if (v && v->kind == HG_DOC_FLOAT) {
    *out = (time_t)(v->f / 1000);
    return true;
  }
  return false;
}

int hg_creds__sso(hg_creds_provider *p, const char *profile, hg_creds *out, hg_diag_sink *sink)
{
  const hg_awscfg *c = p->cfg;
  hg_awscfg_where w = {0};
  const char *session = hg_awscfg_get(c, profile, "sso_session", &w);
  if (session && !hg_awscfg_has_section(c, "sso-session", session)) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-config",
                             "profile [%s] has sso_session = %s, but %s has no [sso-session %s]",
                             profile, session, hg_awscfg_config_path(c), session);
    hg_diag_note(d, "`aws configure sso` writes both sections");
    return -1;
  }
  const char *start_url = sso_get(c, profile, session, "sso_start_url");
  const char *sso_region = sso_get(c, profile, session, "sso_region");
  const char *account = hg_awscfg_get(c, profile, "sso_account_id", NULL);
  const char *role = hg_awscfg_get(c, profile, "sso_role_name", NULL);
  const char *missing = !start_url    ? "sso_start_url"
                        : !sso_region ? "sso_region"
                        : !account    ? "sso_account_id"
                        : !role       ? "sso_role_name"
                                      : NULL;
  if (missing) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, hg_awscfg_config_path(c), 0, 0,
                             "creds-config", "profile [%s] uses IAM Identity Center but has no %s",
                             profile, missing);
    hg_diag_note(d, "an SSO profile needs sso_session (or sso_start_url and sso_region), "
                    "sso_account_id and sso_role_name");
    return -1;
  }

  char *path = cache_path(session ? session : start_url);
  size_t len = 0;
  struct stat st;
  char *text = NULL;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    errno = EINVAL;
  else
    text = hg_read_file(path, CACHE_FILE_MAX, &len);
  if (!text) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-sso",
                             "profile [%s]: no IAM Identity Center login for %s (%s: %s)",
                             profile, session ? session : start_url, path,
                             errno == ENOENT ? "no such file" : strerror(errno));
    login_note(d, profile);
    free(path);
    return -1;
  }
  hg_doc *j = hg_creds__read_json(text, len, NULL);
  explicit_bzero(text, len);
  free(text);
  const char *tok = hg_doc_get_str(j, "accessToken");
  const char *exp = hg_doc_get_str(j, "expiresAt");
  time_t expires = exp ? hg_creds_parse_time(exp) : -1;
  int rc = -1;
  if (!tok || !tok[0] || expires <= 0 || hg_http_has_control(tok)) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, path, 0, 0, "creds-sso",
                             "the cached IAM Identity Center token is unreadable "
                             "(no accessToken or expiresAt)");
    login_note(d, profile);
    goto done;
  }
  if (expires <= time(NULL)) {
    char when[32];
    struct tm tm;
    gmtime_r(&expires, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-sso-expired",
                             "the IAM Identity Center login for %s expired at %s",
                             session ? session : start_url, when);
    login_note(d, profile);
    goto done;
  }

  char *base = hg_creds__endpoint(p, "sso", sso_region, sink);
  if (!base)
    goto done;
  hg_buf url;
  hg_buf_init(&url);
  hg_buf_printf(&url, "%s/federation/credentials?", base);
  hg_buf q;
  hg_buf_init(&q);
  hg_http_form_add(&q, "role_name", role);
  hg_http_form_add(&q, "account_id", account);
  hg_buf_puts(&url, q.data);
  hg_buf_free(&q);
  char *bearer = xasprintf("x-amz-sso_bearer_token: %s", tok);
  const char *headers[] = {bearer, NULL};
  hg_http_request rq = {.method = "GET", .url = url.data, .headers = headers,
                        .max_body = 64u * 1024u};
  hg_http_response rs;
  hg_http_status st_http = hg_http_send(p->http, &rq, &rs, sink);
  explicit_bzero(bearer, strlen(bearer));
  free(bearer);
  if (st_http != HG_HTTP_OK) {
    bool refused = rs.http_status == 401 || rs.http_status == 403;
    hg_diag *d = hg_http_diag(sink, "creds-sso", &rs,
                              refused ? "the portal refused the cached token" : NULL,
                              "cannot get credentials for role %s in account %s (profile [%s])",
                              role, account, profile);
    if (d) {
      hg_diag_note(d, "IAM Identity Center portal %s", base);
      if (refused)
        login_note(d, profile);
    }
  } else {
    hg_doc *a = hg_creds__read_json(rs.body, rs.body_len, NULL);
    const hg_doc *rc_obj = hg_doc_get_map(a, "roleCredentials");
    const char *id = hg_doc_get_str(rc_obj, "accessKeyId");
    const char *secret = hg_doc_get_str(rc_obj, "secretAccessKey");
    const char *token = hg_doc_get_str(rc_obj, "sessionToken");
    time_t expiration = 0;
    if (!id || !secret || !token || !epoch_ms(hg_doc_get(rc_obj, "expiration"), &expiration) ||
        !id[0] || !secret[0]) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-sso",
                  "the IAM Identity Center portal %s answered without roleCredentials", base);
    } else {
      char *origin = xasprintf("profile [%s]: IAM Identity Center role %s in %s", profile, role,
                               account);
      rc = hg_creds__set(out, id, secret, token, expiration, origin, sink) == 0
               ? 1
               : -1;
      free(origin);
    }
    hg_doc_free_wiped(a);
  }
  hg_http_response_free(&rs);
  hg_buf_free(&url);
  free(base);
done:
  hg_doc_free_wiped(j);
  free(path);
  return rc;
}
