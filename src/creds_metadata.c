/*
 * creds_metadata.c — credentials from the machine hardengen runs on:
 *
 * Container credentials (ECS task roles, EKS Pod Identity; AWS SDKs and
 * Tools Reference Guide, "Container credential provider"):
 *   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI -> http://169.254.170.2URI, or
 *   AWS_CONTAINER_CREDENTIALS_FULL_URI (https anywhere; http only to a
 *   loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23), with
 *   the Authorization header from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
 *   (read at every refresh) or AWS_CONTAINER_AUTHORIZATION_TOKEN.
 *
 * EC2 instance metadata, IMDSv2 only ("Use the Instance Metadata Service
 * to access instance metadata"): PUT /latest/api/token with
 * X-aws-ec2-metadata-token-ttl-seconds, then with X-aws-ec2-metadata-token
 * GET /latest/meta-data/iam/security-credentials/ (the role name) and
 * .../ROLE (the credentials). Off when AWS_EC2_METADATA_DISABLED=true;
 * endpoint AWS_EC2_METADATA_SERVICE_ENDPOINT (or the profile's
 * ec2_metadata_service_endpoint; mode IPv6 -> http://[fd00:ec2::254]).
 * One short attempt each: off EC2 the address does not answer and the
 * chain must not hang on it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "creds_int.h"

#define TOKEN_MAX (16u * 1024u)

static const char *env_nonempty(const char *name)
{
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

/* The host of url (curl_url), malloc'd, or NULL. */
static char *url_host(const char *url, char **scheme)
{
  CURLU *u = curl_url();
  char *host = NULL, *sch = NULL, *out = NULL;
  if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &sch, 0) == CURLUE_OK) {
    out = xstrdup(host);
    *scheme = xstrdup(sch);
  }
  curl_free(host);
  curl_free(sch);
  curl_url_cleanup(u);
  return out;
}

/* http to these hosts only: loopback, and the ECS and EKS agents. */
static bool allowed_http_host(const char *host)
{
  char h[128];
  snprintf(h, sizeof h, "%s", host);
  size_t n = strlen(h);
  if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
    memmove(h, h + 1, n - 2);
    h[n - 2] = '\0';
  }
  if (strcasecmp(h, "localhost") == 0 || strcmp(h, "169.254.170.2") == 0 ||
      strcmp(h, "169.254.170.23") == 0)
    return true;
  struct in_addr a4;
  struct in6_addr a6;
  if (inet_pton(AF_INET, h, &a4) == 1)
    return (ntohl(a4.s_addr) >> 24) == 127;
  if (inet_pton(AF_INET6, h, &a6) == 1) {
    static const unsigned char ecs[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
                                          0,    0,    0,    0,    0, 0, 0, 0x23};
    return IN6_IS_ADDR_LOOPBACK(&a6) || memcmp(&a6, ecs, 16) == 0;
  }
  return false;
}

/* The container's authorization token: the file's (trimmed) text, else
 * the variable. 0 with *token malloc'd or NULL, -1 after an error. */
static int container_token(char **token, hg_diag_sink *sink)
{
  *token = NULL;
  const char *file = env_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  const char *origin = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
  char *t = NULL;
  if (file) {
    size_t len = 0;
    struct stat st;
    if (stat(file, &st) == 0 && !S_ISREG(st.st_mode))
      errno = EINVAL;
    else
      t = hg_read_file(file, TOKEN_MAX, &len);
    if (!t) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-container",
                  "cannot read the container authorization token file %s "
                  "(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE): %s",
                  file, errno == EFBIG ? "too large" : strerror(errno));
      return -1;
    }
    while (len > 0 && isspace((unsigned char)t[len - 1]))
      t[--len] = '\0';
    origin = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
  } else if (env_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    t = xstrdup(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
  } else {
    return 0;
  }
  if (hg_http_has_control(t)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-container",
                "the container authorization token (%s) holds a control character", origin);
    explicit_bzero(t, strlen(t));
    free(t);
    return -1;
  }
  *token = t;
  return 0;
}

int hg_creds__container(hg_creds_provider *p, hg_creds *out, hg_diag_sink *sink)
{
  const char *rel = env_nonempty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const char *full = env_nonempty("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!rel && !full) {
    hg_creds__why(p, "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
    return 0;
  }
  char *url;
  const char *var;
  if (rel) {
    url = xasprintf("http://169.254.170.2%s%s", rel[0] == '/' ? "" : "/", rel);
    var = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
  } else {
    var = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    char *checked = NULL;
    if (hg_awscfg_check_endpoint(full, var, &checked, sink) != 0)
      return -1;
    free(checked);
    url = xstrdup(full);
    char *scheme = NULL;
    char *host = url_host(full, &scheme);
    bool ok = host && (strcmp(scheme, "https") == 0 || allowed_http_host(host));
    free(host);
    free(scheme);
    if (!ok) {
      hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-container",
                               "AWS_CONTAINER_CREDENTIALS_FULL_URI uses http to a host that "
                               "is not a loopback or container-agent address");
      hg_diag_note(d, "use https, or http to 127.0.0.1, ::1, 169.254.170.2, 169.254.170.23 or "
                      "fd00:ec2::23");
      free(url);
      return -1;
    }
  }
  char *token = NULL;
  if (container_token(&token, sink) != 0) {
    free(url);
    return -1;
  }
  char *auth = token ? xasprintf("Authorization: %s", token) : NULL;
  const char *headers[] = {"Accept: application/json", auth, NULL};
  hg_http_request rq = {.method = "GET", .url = url, .headers = headers, .max_body = 64u * 1024u,
                        .max_attempts = 3, .connect_seconds = 2, .attempt_seconds = 5,
                        .retry_seconds = 10};
  hg_http_response rs;
  int rc = -1;
  if (hg_http_send(p->http, &rq, &rs, sink) != HG_HTTP_OK) {
    hg_diag *d = hg_http_diag(sink, "creds-container", &rs, NULL,
                              "cannot get container credentials from %s", url);
    if (d)
      hg_diag_note(d, "named by %s", var);
  } else {
    hg_creds got;
    const char *why = NULL;
    if (hg_creds__parse_metadata_json(rs.body, rs.body_len, &got, &why) != 0) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-container",
                  "the container credentials from %s are unusable: %s", url, why);
    } else {
      got.source = xasprintf("container credentials (%s)", var);
      *out = got;
      rc = 1;
    }
  }
  hg_http_response_free(&rs);
  if (auth) {
    explicit_bzero(auth, strlen(auth));
    free(auth);
  }
  if (token) {
    explicit_bzero(token, strlen(token));
    free(token);
  }
  free(url);
  return rc;
}

static bool truthy(const char *v)
{
  return v && strcasecmp(v, "true") == 0;
}

int hg_creds__imds(hg_creds_provider *p, hg_creds *out, hg_diag_sink *sink)
{
  if (truthy(env_nonempty("AWS_EC2_METADATA_DISABLED"))) {
    hg_creds__why(p, "EC2 instance metadata: AWS_EC2_METADATA_DISABLED=true");
    return 0;
  }
  const char *endpoint = env_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  const char *origin = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  if (!endpoint) {
    endpoint = hg_awscfg_get(p->cfg, p->profile, "ec2_metadata_service_endpoint", NULL);
    origin = "ec2_metadata_service_endpoint";
  }
  if (!endpoint) {
    const char *mode = env_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    if (!mode)
      mode = hg_awscfg_get(p->cfg, p->profile, "ec2_metadata_service_endpoint_mode", NULL);
    endpoint = mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                      : "http://169.254.169.254";
    origin = "the default address";
  }
  char *base = NULL;
  if (hg_awscfg_check_endpoint(endpoint, origin, &base, sink) != 0)
    return -1;

  int rc = -1;
  hg_http_response rs;
  /* 1. A session token. */
  char *url = xasprintf("%s/latest/api/token", base);
  const char *put_headers[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL};
  hg_http_request rq = {.method = "PUT", .url = url, .headers = put_headers, .max_body = 4096,
                        .max_attempts = 1, .connect_seconds = 1, .attempt_seconds = 2};
  char *token = NULL, *hdr = NULL, *role = NULL;
  hg_http_send(p->http, &rq, &rs, sink);
  free(url);
  if (rs.status == HG_HTTP_ERR_NETWORK) {
    hg_creds__why(p, "EC2 instance metadata: nothing answers at %s (%s)", base, rs.curl_error);
    rc = 0;
    goto done;
  }
  if (rs.status != HG_HTTP_OK || rs.body_len == 0 || hg_http_has_control(rs.body)) {
    hg_diag *d = hg_http_diag(sink, "creds-imds", &rs, NULL,
                              "the instance metadata service at %s gave no IMDSv2 token", base);
    if (!d)
      d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-imds",
                      "the instance metadata service at %s gave an unusable IMDSv2 token", base);
    goto done;
  }
  token = xstrndup(rs.body, rs.body_len);
  hg_http_response_free(&rs);
  hdr = xasprintf("X-aws-ec2-metadata-token: %s", token);
  const char *get_headers[] = {hdr, NULL};

  /* 2. The role name. */
  url = xasprintf("%s/latest/meta-data/iam/security-credentials/", base);
  rq = (hg_http_request){.method = "GET", .url = url, .headers = get_headers, .max_body = 4096,
                         .max_attempts = 2, .connect_seconds = 1, .attempt_seconds = 2,
                         .retry_seconds = 4};
  hg_http_send(p->http, &rq, &rs, sink);
  free(url);
  if (rs.status == HG_HTTP_ERR_HTTP && rs.http_status == 404) {
    hg_creds__why(p, "EC2 instance metadata: the instance has no IAM role");
    rc = 0;
    goto done;
  }
  size_t n = strcspn(rs.body, "\r\n");
  if (rs.status != HG_HTTP_OK || n == 0 || n > 128) {
    hg_diag *d = hg_http_diag(sink, "creds-imds", &rs, NULL,
                              "cannot read the instance's IAM role from %s", base);
    if (!d)
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-imds",
                  "the instance metadata at %s names no IAM role", base);
    goto done;
  }
  role = xstrndup(rs.body, n);
  hg_http_response_free(&rs);
  for (const char *c = role; *c; c++)
    if (!isalnum((unsigned char)*c) && !strchr("+=,.@_-", *c)) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-imds",
                  "the instance metadata at %s names an invalid IAM role", base);
      rs.body = NULL;
      goto done;
    }

  /* 3. Its credentials. */
  url = xasprintf("%s/latest/meta-data/iam/security-credentials/%s", base, role);
  rq.url = url;
  hg_http_send(p->http, &rq, &rs, sink);
  if (rs.status != HG_HTTP_OK) {
    hg_http_diag(sink, "creds-imds", &rs, NULL, "cannot get the credentials of role %s from %s",
                 role, base);
  } else {
    hg_creds got;
    const char *why = NULL;
    if (hg_creds__parse_metadata_json(rs.body, rs.body_len, &got, &why) != 0) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-imds",
                  "the instance credentials of role %s are unusable: %s", role, why);
    } else {
      got.source = xasprintf("EC2 instance metadata: role %s", role);
      *out = got;
      rc = 1;
    }
  }
  free(url);
done:
  hg_http_response_free(&rs);
  free(role);
  if (hdr) {
    explicit_bzero(hdr, strlen(hdr));
    free(hdr);
  }
  if (token) {
    explicit_bzero(token, strlen(token));
    free(token);
  }
  free(base);
  return rc;
}
