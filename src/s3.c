/*
 * s3.c — PUT Object over libcurl, signed by libcurl's SigV4 (see s3.h).
 */
#include "hg/s3.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hg/util.h"

/* An error document is small; a body beyond this is not one we read. */
#define ERROR_BODY_MAX (64u * 1024u)
#define MAX_ATTEMPTS 12

struct hg_s3 {
  CURL *h;
  char *bucket, *region, *endpoint; /* endpoint without trailing '/' or NULL */
  char *sigv4;                      /* "aws:amz:REGION:s3" */
  const hg_creds *creds;
  double retry_seconds, connect_seconds;
  uint32_t rng;
  hg_s3_trace_fn trace;
  void *trace_ctx;
  hg_buf body;                      /* the last answer's body (capped) */
  char errbuf[CURL_ERROR_SIZE];
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

bool hg_s3_valid_bucket(const char *name, const char **why)
{
  const char *reason = NULL;
  size_t n = strlen(name);
  if (n < 3 || n > 63)
    reason = "a bucket name has 3 to 63 characters";
  for (size_t i = 0; !reason && i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
      reason = "a bucket name has only lower-case letters, digits, '.' and '-'";
  }
  if (!reason && (!isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[n - 1])))
    reason = "a bucket name starts and ends with a letter or digit";
  if (!reason && strstr(name, ".."))
    reason = "a bucket name has no two adjacent periods";
  if (!reason) {
    int dots = 0, digits_only = 1;
    for (size_t i = 0; i < n; i++) {
      if (name[i] == '.')
        dots++;
      else if (!isdigit((unsigned char)name[i]))
        digits_only = 0;
    }
    if (dots == 3 && digits_only)
      reason = "a bucket name is not an IP address";
  }
  if (!reason && strncmp(name, "xn--", 4) == 0)
    reason = "a bucket name does not start with 'xn--'";
  if (!reason && (hg_ends_with(name, "-s3alias") || hg_ends_with(name, "--ol-s3")))
    reason = "a bucket name does not end with '-s3alias' or '--ol-s3'";
  if (why)
    *why = reason;
  return reason == NULL;
}

bool hg_s3_valid_region(const char *region)
{
  size_t n = strlen(region);
  if (n == 0 || n > 32 || !isalpha((unsigned char)region[0]) || region[n - 1] == '-')
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = region[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  }
  return true;
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
  if (curl_code != 0) {
    switch ((CURLcode)curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
    }
  }
  if (code && (strcmp(code, "SlowDown") == 0 || strcmp(code, "InternalError") == 0 ||
               strcmp(code, "ServiceUnavailable") == 0 || strcmp(code, "RequestTimeout") == 0 ||
               strcmp(code, "Throttling") == 0 || strcmp(code, "ThrottlingException") == 0))
    return true;
  return status == 429 || (status >= 500 && status <= 599);
}

static uint32_t xorshift32(uint32_t *s)
{
  uint32_t x = *s ? *s : 0x9e3779b9u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *s = x;
  return x;
}

double hg_s3_backoff(int attempt, uint32_t *rng)
{
  double base = 0.25;
  for (int i = 1; i < attempt && base < 4.0; i++)
    base *= 2;
  if (base > 4.0)
    base = 4.0;
  double r = (double)xorshift32(rng) / 4294967296.0; /* [0, 1) */
  return base / 2 + r * base / 2;
}

/* Copy the text of <tag>...</tag> in body into out. */
static void xml_text(const char *body, size_t len, const char *tag, char *out, size_t size)
{
  out[0] = '\0';
  if (!body || size == 0)
    return;
  char open[64], close[64];
  snprintf(open, sizeof open, "<%s>", tag);
  snprintf(close, sizeof close, "</%s>", tag);
  size_t lo = strlen(open);
  for (size_t i = 0; i + lo <= len; i++) {
    if (memcmp(body + i, open, lo) != 0)
      continue;
    size_t start = i + lo, end = start;
    size_t lc = strlen(close);
    while (end + lc <= len && memcmp(body + end, close, lc) != 0)
      end++;
    if (end + lc > len)
      return;
    size_t n = 0;
    for (size_t j = start; j < end && n + 1 < size; j++) {
      unsigned char c = (unsigned char)body[j];
      /* Keep the text printable: it ends up in a message. */
      out[n++] = (char)(isprint(c) ? c : '?');
    }
    out[n] = '\0';
    return;
  }
}

void hg_s3_parse_error(const char *body, size_t len, char *code, size_t code_size, char *region,
                       size_t region_size)
{
  xml_text(body, len, "Code", code, code_size);
  xml_text(body, len, "Region", region, region_size);
}

static bool secret_header(const char *line, size_t n, size_t *name_len)
{
  static const char *const names[] = {"authorization", "x-amz-security-token",
                                      "proxy-authorization"};
  for (size_t i = 0; i < HG_COUNTOF(names); i++) {
    size_t k = strlen(names[i]);
    if (n > k && line[k] == ':' && strncasecmp(line, names[i], k) == 0) {
      *name_len = k;
      return true;
    }
  }
  return false;
}

char *hg_s3_redact(const char *text, size_t len)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "");
  size_t i = 0;
  while (i < len) {
    size_t j = i;
    while (j < len && text[j] != '\n')
      j++;
    size_t line_len = j - i, name_len = 0;
    /* Keep a trailing '\r' out of the redaction decision. */
    size_t content = line_len;
    if (content > 0 && text[i + content - 1] == '\r')
      content--;
    if (secret_header(text + i, content, &name_len)) {
      hg_buf_append(&b, text + i, name_len);
      hg_buf_puts(&b, ": [redacted]");
      if (content < line_len)
        hg_buf_putc(&b, '\r');
    } else {
      hg_buf_append(&b, text + i, line_len);
    }
    if (j < len)
      hg_buf_putc(&b, '\n');
    i = j + 1;
  }
  return hg_buf_take(&b, NULL);
}

/* ----------------------------------------------------------------- client */

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double s)
{
  if (s <= 0)
    return;
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

hg_s3 *hg_s3_new(const hg_s3_config *cfg)
{
  static int global_done;
  if (!global_done) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    global_done = 1;
  }
  hg_s3 *s = xcalloc(1, sizeof *s);
  s->h = curl_easy_init();
  if (!s->h) {
    free(s);
    return NULL;
  }
  s->bucket = xstrdup(cfg->bucket);
  s->region = xstrdup(cfg->region);
  s->endpoint = cfg->endpoint ? trim_endpoint(cfg->endpoint) : NULL;
  s->sigv4 = xasprintf("aws:amz:%s:s3", cfg->region);
  s->creds = cfg->creds;
  s->retry_seconds = cfg->retry_seconds > 0 ? cfg->retry_seconds : 15.0;
  s->connect_seconds = cfg->connect_seconds > 0 ? cfg->connect_seconds : 5.0;
  s->rng = cfg->seed ? cfg->seed : 0x2545f491u;
  s->trace = cfg->trace;
  s->trace_ctx = cfg->trace_ctx;
  hg_buf_init(&s->body);
  return s;
}

void hg_s3_free(hg_s3 *s)
{
  if (!s)
    return;
  curl_easy_cleanup(s->h);
  free(s->bucket);
  free(s->region);
  free(s->endpoint);
  free(s->sigv4);
  hg_buf_free(&s->body);
  free(s);
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
  hg_s3 *s = ud;
  size_t total = size * n;
  if (s->body.len < ERROR_BODY_MAX) {
    size_t room = ERROR_BODY_MAX - s->body.len;
    hg_buf_append(&s->body, data, total < room ? total : room);
  }
  return total;
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
  (void)h;
  hg_s3 *s = ud;
  const char *mark;
  switch (type) {
  case CURLINFO_TEXT: mark = "* "; break;
  case CURLINFO_HEADER_OUT: mark = "> "; break;
  case CURLINFO_HEADER_IN: mark = "< "; break;
  default: return 0; /* bodies are not traced */
  }
  char *red = hg_s3_redact(data, size);
  for (char *line = red; *line;) {
    char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    if (n > 0 && line[n - 1] == '\r')
      n--;
    if (n > 0) {
      char *text = xasprintf("%s%.*s", mark, (int)n, line);
      s->trace(s->trace_ctx, text);
      free(text);
    }
    if (!nl)
      break;
    line = nl + 1;
  }
  free(red);
  return 0;
}

static void wipe_headers(struct curl_slist *l)
{
  for (; l; l = l->next)
    explicit_bzero(l->data, strlen(l->data));
}

/* One attempt. Returns the CURLcode; *status gets the HTTP status (0 when
 * no answer arrived). */
static CURLcode put_once(hg_s3 *s, const char *url, const void *data, size_t len,
                         struct curl_slist *headers, double remaining, long *status)
{
  CURL *h = s->h;
  curl_easy_reset(h);
  hg_buf_reset(&s->body);
  s->errbuf[0] = '\0';
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "hardengen");
  /* The body is in memory: PUT it as "POST fields" with the method
   * renamed, so libcurl's SigV4 hashes the same bytes we send. */
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, len ? data : "");
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, s->sigv4);
  curl_easy_setopt(h, CURLOPT_USERNAME, s->creds->access_key);
  curl_easy_setopt(h, CURLOPT_PASSWORD, s->creds->secret_key);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
  double connect = s->connect_seconds < remaining ? s->connect_seconds : remaining;
  if (connect < 1.0)
    connect = 1.0;
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(connect * 1000));
  /* A stalled transfer is abandoned (and retried) after 15 s without progress. */
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 15L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 300L);
  if (s->trace) {
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, s);
  }
  CURLcode rc = curl_easy_perform(h);
  *status = 0;
  if (rc == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
  /* Drop the credentials from the handle until the next attempt. */
  curl_easy_setopt(h, CURLOPT_PASSWORD, "");
  return rc;
}

static bool auth_failure(long status, const char *code)
{
  static const char *const auth_codes[] = {
      "SignatureDoesNotMatch", "InvalidAccessKeyId", "ExpiredToken", "InvalidToken",
      "TokenRefreshRequired", "AccessDenied",         "RequestTimeTooSkewed",
      "InvalidSecurity",       "AllAccessDisabled"};
  for (size_t i = 0; i < HG_COUNTOF(auth_codes); i++)
    if (strcmp(code, auth_codes[i]) == 0)
      return true;
  return (status == 401 || status == 403) && !*code;
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

  struct curl_slist *headers = NULL;
  char *line = xasprintf("x-amz-content-sha256: %s", sha);
  headers = curl_slist_append(headers, line);
  free(line);
  line = xasprintf("Content-MD5: %s", md5_b64);
  headers = curl_slist_append(headers, line);
  free(line);
  line = xasprintf("Content-Type: %s", content_type);
  headers = curl_slist_append(headers, line);
  free(line);
  if (s->creds->session_token) {
    line = xasprintf("x-amz-security-token: %s", s->creds->session_token);
    headers = curl_slist_append(headers, line);
    explicit_bzero(line, strlen(line));
    free(line);
  }
  /* No "Expect:" header to switch off 100-continue: libcurl 7.88 would sign
   * the empty header and S3 would reject the signature. libcurl asks for
   * 100-continue only above 1 MB, the CloudFormation template limit. */
  free(md5_b64);

  double start = now_seconds();
  int attempt = 0;
  CURLcode rc = CURLE_OK;
  long status = 0;
  char code[128] = "", region[64] = "";
  hg_s3_status result = HG_S3_OK;
  for (;;) {
    attempt++;
    double remaining = s->retry_seconds - (now_seconds() - start);
    rc = put_once(s, url, data, len, headers, remaining, &status);
    code[0] = region[0] = '\0';
    if (rc == CURLE_OK && status >= 200 && status < 300)
      break;
    if (rc == CURLE_OK)
      hg_s3_parse_error(s->body.data, s->body.len, code, sizeof code, region, sizeof region);
    if (!hg_s3_retryable((int)rc, status, code) || attempt >= MAX_ATTEMPTS) {
      result = rc != CURLE_OK ? HG_S3_ERR_NETWORK : HG_S3_ERR_HTTP;
      break;
    }
    double delay = hg_s3_backoff(attempt, &s->rng);
    if (now_seconds() - start + delay > s->retry_seconds) {
      result = rc != CURLE_OK ? HG_S3_ERR_NETWORK : HG_S3_ERR_HTTP;
      break;
    }
    sleep_seconds(delay);
  }
  wipe_headers(headers);
  curl_slist_free_all(headers);
  if (attempts)
    *attempts = attempt;

  if (result != HG_S3_OK) {
    hg_diag *d;
    bool retried = hg_s3_retryable((int)rc, status, code);
    if (rc != CURLE_OK) {
      d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "s3-network",
                      "cannot upload s3://%s/%s: %s", s->bucket, key,
                      s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
      if (retried)
        hg_diag_note(d, "gave up after %d attempt%s", attempt, attempt == 1 ? "" : "s");
      if (s->endpoint)
        hg_diag_note(d, "is the endpoint %s running and reachable?", s->endpoint);
    } else {
      result = auth_failure(status, code) ? HG_S3_ERR_AUTH : HG_S3_ERR_HTTP;
      if (retried && result == HG_S3_ERR_HTTP)
        result = HG_S3_ERR_NETWORK;
      const char *hint = hg_s3_error_hint(code);
      char where[128] = "";
      if (*region)
        snprintf(where, sizeof where, "the bucket is in %s: pass --region %s", region, region);
      if (*where)
        hint = where;
      if (!hint && (status == 401 || status == 403))
        hint = "access denied";
      d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0,
                      result == HG_S3_ERR_AUTH ? "s3-auth"
                      : result == HG_S3_ERR_NETWORK ? "s3-network"
                                                    : "s3-http",
                      "cannot upload s3://%s/%s: %ld%s%s%s%s", s->bucket, key, status,
                      *code ? " " : "", code, hint ? ": " : "", hint ? hint : "");
      if (retried)
        hg_diag_note(d, "gave up after %d attempt%s", attempt, attempt == 1 ? "" : "s");
      if (result == HG_S3_ERR_AUTH)
        hg_diag_note(d, "credentials from %s", s->creds->source ? s->creds->source : "?");
    }
  }
  free(url);
  return result;
}
