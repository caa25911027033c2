/*
 * s3.c — PUT Object through the HTTP layer (http.h), signed by libcurl's
 * SigV4 (see s3.h).
 */
#include "hg/s3.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hg/http.h"
#include "hg/util.h"


struct hg_s3 {
  hg_http *http;                    /* borrowed, or own_http */
  hg_http *own_http;
  char *bucket, *region, *endpoint; /* endpoint without trailing '/' or NULL */
  const hg_creds *creds;            /* borrowed; or */
  hg_creds_provider *provider;      /* borrowed */
};

/* ---------------------------------------------------------------- helpers */

char *hg_s3_escape_key(const char *key)
{
  static const char hex[] = "0123456789ABCDEF";
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "");
  for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
    if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/') {
      hg_buf_putc(&b, (char)*p);
    } else {
      char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      hg_buf_append(&b, esc, 3);
    }
  }
  return hg_buf_take(&b, NULL);
}

static char *trim_endpoint(const char *endpoint)
{
  size_t n = strlen(endpoint);
  while (n > 0 && endpoint[n - 1] == '/')
    n--;
  return xstrndup(endpoint, n);
}

char *hg_s3_object_url(const char *endpoint, const char *bucket, const char *region,
                       const char *key)
{
  char *k = hg_s3_escape_key(key);
  char *url;
  if (endpoint) {
    char *e = trim_endpoint(endpoint);
    url = xasprintf("%s/%s/%s", e, bucket, k);
    free(e);
  } else {
    url = xasprintf("https://%s.s3.%s.amazonaws.com/%s", bucket, region, k);
  }
  free(k);
  return url;
}

const char *hg_s3_content_type(const char *name)
{
  if (hg_ends_with(name, ".yaml") || hg_ends_with(name, ".yml"))
    return "application/x-yaml";
  if (hg_ends_with(name, ".json"))
    return "application/json";
  return "application/octet-stream";
}

/* Hints for the error codes of the Amazon S3 API Reference ("Error
 * responses") that a PUT Object can meet. */
static const struct {
  const char *code, *hint;
} hints[] = {
    {"AccessDenied", "these credentials may not write here: they need s3:PutObject on the bucket"},
    {"AllAccessDisabled", "all access to this bucket has been disabled"},
    {"AuthorizationHeaderMalformed", "the bucket is in another Region: pass its Region with --region"},
    {"BadDigest", "the body was damaged in transit (Content-MD5 did not match)"},
    {"EntityTooLarge", "the object is larger than S3 accepts"},
    {"ExpiredToken", "the session token has expired: get new temporary credentials"},
    {"IllegalLocationConstraintException", "the bucket is in another Region: pass its Region with --region"},
    {"InternalError", "S3 had an internal error: try again later"},
    {"InvalidAccessKeyId", "the access key id is not known to this endpoint (wrong or deleted key)"},
    {"InvalidBucketName", "the bucket name is not valid"},
    {"InvalidDigest", "the Content-MD5 header was not accepted"},
    {"InvalidToken", "the session token is malformed or does not belong to these keys"},
    {"NoSuchBucket", "the bucket does not exist: check --bucket (and --region)"},
    {"PermanentRedirect", "the bucket is in another Region: pass its Region with --region"},
    {"RequestTimeTooSkewed", "the system clock is more than 15 minutes off: fix the clock"},
    {"ServiceUnavailable", "S3 is unavailable: try again later"},
    {"SignatureDoesNotMatch", "the secret access key is wrong"},
    {"SlowDown", "S3 is throttling requests: try again later"},
    {"TokenRefreshRequired", "the session token has expired: get new temporary credentials"},
    {"XAmzContentSHA256Mismatch", "the body was damaged in transit (x-amz-content-sha256 did not match)"},
};

const char *hg_s3_error_hint(const char *code)
{
  if (!code)
    return NULL;
  for (size_t i = 0; i < HG_COUNTOF(hints); i++)
    if (strcmp(hints[i].code, code) == 0)
      return hints[i].hint;
  return NULL;
}

bool hg_s3_retryable(int curl_code, long status, const char *code)
{
  return hg_http_retryable(curl_code, status, code);
}

double hg_s3_backoff(int attempt, uint32_t *rng)
{
  return hg_http_backoff(attempt, rng);
}

/* Copy the text of <tag>...</tag> in body into out, printable only. */
static void xml_text(const char *body, size_t len, const char *tag, char *out, size_t size)
{
  if (size == 0)
    return;
  out[0] = '\0';
  char *text = hg_http_xml_text(body, len, tag);
  size_t n = 0;
  for (const char *p = text; p && *p && n + 1 < size; p++) {
    unsigned char c = (unsigned char)*p;
    /* Keep the text printable: it ends up in a message. */
    out[n++] = (char)(isprint(c) ? c : '?');
  }
  out[n] = '\0';
  free(text);
}

void hg_s3_parse_error(const char *body, size_t len, char *code, size_t code_size, char *region,
                       size_t region_size)
{
  xml_text(body, len, "Code", code, code_size);
  xml_text(body, len, "Region", region, region_size);
}

char *hg_s3_redact(const char *text, size_t len)
{
  return hg_http_redact(text, len, NULL);
}

/* ----------------------------------------------------------------- client */

hg_s3 *hg_s3_new(const hg_s3_config *cfg)
{
  hg_s3 *s = xcalloc(1, sizeof *s);
  if (cfg->http) {
    s->http = cfg->http;
  } else {
    hg_http_config hc = {.retry_seconds = cfg->retry_seconds,
                         .connect_seconds = cfg->connect_seconds,
                         .seed = cfg->seed,
                         .trace = cfg->trace,
                         .trace_ctx = cfg->trace_ctx};
    s->own_http = hg_http_new(&hc);
    if (!s->own_http) {
      free(s);
      return NULL;
    }
    s->http = s->own_http;
  }
  s->bucket = xstrdup(cfg->bucket);
  s->region = xstrdup(cfg->region);
  s->endpoint = cfg->endpoint ? trim_endpoint(cfg->endpoint) : NULL;
  s->creds = cfg->creds;
  s->provider = cfg->provider;
  return s;
}

void hg_s3_free(hg_s3 *s)
{
  if (!s)
    return;
  hg_http_free(s->own_http);
  free(s->bucket);
  free(s->region);
  free(s->endpoint);
  free(s);
}

hg_s3_status hg_s3_put(hg_s3 *s, const char *key, const void *data, size_t len,
                       const char *content_type, int *attempts, hg_diag_sink *sink)
{
  char *url = hg_s3_object_url(s->endpoint, s->bucket, s->region, key);

  char sha[65];
  unsigned char md5[16];
  hg_sha256_hex(data, len, sha);
  hg_md5(data, len, md5);
  char *md5_b64 = hg_base64(md5, sizeof md5);
  char *h_sha = xasprintf("x-amz-content-sha256: %s", sha);
  char *h_md5 = xasprintf("Content-MD5: %s", md5_b64);
  char *h_type = xasprintf("Content-Type: %s", content_type);
  const char *headers[] = {h_sha, h_md5, h_type, NULL};
  free(md5_b64);

  hg_http_request rq = {.method = "PUT", .url = url, .headers = headers, .body = data,
                        .body_len = len, .service = "s3", .region = s->region,
                        .provider = s->provider, .creds = s->creds, .max_body = 64u * 1024u};
  hg_http_response rs;
  hg_http_send(s->http, &rq, &rs, sink);
  free(h_sha);
  free(h_md5);
  free(h_type);
  if (attempts)
    *attempts = rs.attempts;

  hg_s3_status result = rs.status == HG_HTTP_OK             ? HG_S3_OK
                        : rs.status == HG_HTTP_ERR_AUTH     ? HG_S3_ERR_AUTH
                        : rs.status == HG_HTTP_ERR_NETWORK  ? HG_S3_ERR_NETWORK
                        : rs.status == HG_HTTP_ERR_CREDS    ? HG_S3_ERR_AUTH
                                                            : HG_S3_ERR_HTTP;
  if (rs.status != HG_HTTP_OK && rs.status != HG_HTTP_ERR_CREDS) {
    const char *hint = NULL;
    char where[192] = "";
    if (rs.status != HG_HTTP_ERR_NETWORK && rs.http_status != 0) {
      hint = hg_s3_error_hint(rs.error_code);
      if (*rs.error_region) {
        snprintf(where, sizeof where, "the bucket is in %s: pass --region %s", rs.error_region,
                 rs.error_region);
        hint = where;
      }
    }
    hg_diag *d = hg_http_diag(sink, "s3", &rs, hint, "cannot upload s3://%s/%s", s->bucket, key);
    if (rs.status == HG_HTTP_ERR_NETWORK && s->endpoint)
      hg_diag_note(d, "is the endpoint %s running and reachable?", s->endpoint);
    if (rs.status == HG_HTTP_ERR_AUTH) {
      const hg_creds *c = s->creds;
      if (!c && s->provider)
        c = hg_creds_current(s->provider);
      hg_diag_note(d, "credentials from %s", c && c->source ? c->source : "?");
    }
  }
  hg_http_response_free(&rs);
  free(url);
  return result;
}
