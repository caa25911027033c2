/*
 * http.c — the one HTTP layer: requests over libcurl, SigV4 by libcurl,
 * retries, limits, redacted traces, AWS error extraction (see http.h).
 */
#include "hg/http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hg/emit.h"
#include "hg/util.h"

#define DEFAULT_MAX_BODY (4u * 1024u * 1024u)

struct hg_http {
  CURL *h;
  hg_http_config cfg;
  uint32_t rng;
  char errbuf[CURL_ERROR_SIZE];
  /* per request */
  hg_buf body;
  size_t max_body;
  bool too_large;
  char content_type[128];
  char error_type[128];       /* x-amzn-ErrorType */
  const char *secret_header;
};

/* ---------------------------------------------------------------- helpers */

bool hg_http_has_control(const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return true;
  return false;
}

bool hg_http_retryable(int curl_code, long status, const char *code)
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
  /* Throttling and transient codes of S3, STS, DynamoDB and CloudFormation
   * (the SDKs' "throttling" and "transient" error lists). */
  static const char *const retry_codes[] = {
      "SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "Throttling",
      "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException",
      "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
      "LimitExceededException", "RequestThrottled", "PriorRequestNotComplete",
      "EC2ThrottledException", "IDPCommunicationError", "InternalFailure",
      "ServiceUnavailableException", "InternalServerError"};
  if (code && *code)
    for (size_t i = 0; i < HG_COUNTOF(retry_codes); i++)
      if (strcmp(code, retry_codes[i]) == 0)
        return true;
  return status == 429 || (status >= 500 && status <= 599);
}

bool hg_http_auth_failure(long status, const char *code)
{
  static const char *const auth_codes[] = {
      "SignatureDoesNotMatch", "InvalidAccessKeyId", "ExpiredToken", "ExpiredTokenException",
      "InvalidToken", "TokenRefreshRequired", "AccessDenied", "AccessDeniedException",
      "RequestTimeTooSkewed", "InvalidSecurity", "AllAccessDisabled", "InvalidClientTokenId",
      "UnrecognizedClientException", "MissingAuthenticationToken", "IncompleteSignature",
      "InvalidSignatureException", "UnauthorizedException", "InvalidIdentityToken",
      "UnauthorizedOperation", "AuthFailure"};
  if (code)
    for (size_t i = 0; i < HG_COUNTOF(auth_codes); i++)
      if (strcmp(code, auth_codes[i]) == 0)
        return true;
  return (status == 401 || status == 403) && (!code || !*code);
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

double hg_http_backoff(int attempt, uint32_t *rng)
{
  double base = 0.25;
  for (int i = 1; i < attempt && base < 4.0; i++)
    base *= 2;
  if (base > 4.0)
    base = 4.0;
  double r = (double)xorshift32(rng) / 4294967296.0; /* [0, 1) */
  return base / 2 + r * base / 2;
}

/* Decode the XML predefined entities and numeric references of
 * [s, s+n) into a malloc'd string. */
static char *xml_decode(const char *s, size_t n)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "");
  static const struct {
    const char *ent;
    char c;
  } ents[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
  for (size_t i = 0; i < n;) {
    if (s[i] == '&') {
      bool done = false;
      for (size_t k = 0; k < HG_COUNTOF(ents) && !done; k++) {
        size_t l = strlen(ents[k].ent);
        if (i + l <= n && memcmp(s + i, ents[k].ent, l) == 0) {
          hg_buf_putc(&b, ents[k].c);
          i += l;
          done = true;
        }
      }
      if (!done && i + 2 < n && s[i + 1] == '#') {
        size_t j = i + 2;
        int base = 10;
        if (s[j] == 'x') {
          base = 16;
          j++;
        }
        unsigned long v = 0;
        size_t start = j;
        while (j < n && j - start < 8 && isxdigit((unsigned char)s[j]) &&
               (base == 16 || isdigit((unsigned char)s[j]))) {
          v = v * (unsigned long)base +
              (unsigned long)(isdigit((unsigned char)s[j]) ? s[j] - '0'
                                                           : (tolower((unsigned char)s[j]) - 'a' + 10));
          j++;
        }
        if (j > start && j < n && s[j] == ';' && v > 0 && v < 0x80) {
          hg_buf_putc(&b, (char)v);
          i = j + 1;
          done = true;
        }
      }
      if (done)
        continue;
    }
    hg_buf_putc(&b, s[i]);
    i++;
  }
  return hg_buf_take(&b, NULL);
}

char *hg_http_xml_text(const char *body, size_t len, const char *tag)
{
  if (!body || !tag)
    return NULL;
  char open[96], close[96];
  int lo = snprintf(open, sizeof open, "<%s>", tag);
  int lc = snprintf(close, sizeof close, "</%s>", tag);
  if (lo <= 0 || lc <= 0 || (size_t)lo >= sizeof open || (size_t)lc >= sizeof close)
    return NULL;
  const char *end = body + len;
  for (const char *p = body; p + lo <= end; p++) {
    if (memcmp(p, open, (size_t)lo) != 0)
      continue;
    const char *start = p + lo;
    for (const char *q = start; q + lc <= end; q++)
      if (memcmp(q, close, (size_t)lc) == 0)
        return xml_decode(start, (size_t)(q - start));
    return NULL;
  }
  return NULL;
}

/* Copy s into out (size bytes), printable ASCII only (others become '?'). */
static void copy_printable(char *out, size_t size, const char *s)
{
  size_t n = 0;
  for (; s && *s && n + 1 < size; s++) {
    unsigned char c = (unsigned char)*s;
    out[n++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
  }
  out[n] = '\0';
}

void hg_http_parse_error(const char *body, size_t len, const char *error_type_header,
                         hg_http_response *resp)
{
  resp->error_code[0] = resp->error_message[0] = resp->error_region[0] = '\0';
  size_t i = 0;
  while (body && i < len && isspace((unsigned char)body[i]))
    i++;
  if (body && i < len && body[i] == '{') {
    /* Read with the one JSON reader; a body that is not JSON says nothing
     * (its complaint is dropped: the status line still tells the error). */
    hg_diag_sink local;
    hg_diag_init(&local);
    hg_doc *j = hg_emit_read_json(body, len, "<response>", "http-error-body", &local);
    hg_diag_free(&local);
    if (j && j->kind == HG_DOC_MAP) {
      const char *type = hg_doc_get_str(j, "__type");
      if (!type)
        type = hg_doc_get_str(j, "code");
      if (!type)
        type = hg_doc_get_str(j, "Code");
      if (type) {
        const char *hash = strrchr(type, '#');
        copy_printable(resp->error_code, sizeof resp->error_code, hash ? hash + 1 : type);
      }
      const char *msg = hg_doc_get_str(j, "message");
      if (!msg)
        msg = hg_doc_get_str(j, "Message");
      if (msg)
        copy_printable(resp->error_message, sizeof resp->error_message, msg);
    }
    hg_doc_free(j);
  } else if (body && i < len && body[i] == '<') {
    char *code = hg_http_xml_text(body, len, "Code");
    char *msg = hg_http_xml_text(body, len, "Message");
    char *region = hg_http_xml_text(body, len, "Region");
    copy_printable(resp->error_code, sizeof resp->error_code, code);
    copy_printable(resp->error_message, sizeof resp->error_message, msg);
    copy_printable(resp->error_region, sizeof resp->error_region, region);
    free(code);
    free(msg);
    free(region);
  }
  if (!resp->error_code[0] && error_type_header && *error_type_header) {
    char tmp[128];
    copy_printable(tmp, sizeof tmp, error_type_header);
    tmp[strcspn(tmp, ":")] = '\0';
    const char *hash = strrchr(tmp, '#');
    copy_printable(resp->error_code, sizeof resp->error_code, hash ? hash + 1 : tmp);
  }
}

void hg_http_form_add(hg_buf *form, const char *name, const char *value)
{
  static const char hex[] = "0123456789ABCDEF";
  if (form->len > 0)
    hg_buf_putc(form, '&');
  for (int k = 0; k < 2; k++) {
    const unsigned char *p = (const unsigned char *)(k == 0 ? name : value);
    for (; *p; p++) {
      if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
        hg_buf_putc(form, (char)*p);
      } else {
        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        hg_buf_append(form, esc, 3);
      }
    }
    if (k == 0)
      hg_buf_putc(form, '=');
  }
}

static bool secret_header(const char *line, size_t n, const char *extra, size_t *name_len)
{
  static const char *const names[] = {"authorization", "x-amz-security-token",
                                      "proxy-authorization", "x-amz-sso_bearer_token",
                                      "x-aws-ec2-metadata-token"};
  for (size_t i = 0; i <= HG_COUNTOF(names); i++) {
    const char *name = i < HG_COUNTOF(names) ? names[i] : extra;
    if (!name)
      continue;
    size_t k = strlen(name);
    if (n > k && line[k] == ':' && strncasecmp(line, name, k) == 0) {
      *name_len = k;
      return true;
    }
  }
  return false;
}

char *hg_http_redact(const char *text, size_t len, const char *extra)
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
    if (secret_header(text + i, content, extra, &name_len)) {
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

hg_http *hg_http_new(const hg_http_config *cfg)
{
  static int global_done;
  if (!global_done) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    global_done = 1;
  }
  hg_http *h = xcalloc(1, sizeof *h);
  h->h = curl_easy_init();
  if (!h->h) {
    free(h);
    return NULL;
  }
  if (cfg)
    h->cfg = *cfg;
  hg_http_config *c = &h->cfg;
  if (c->retry_seconds <= 0)
    c->retry_seconds = HG_HTTP_DEFAULT_RETRY_SECONDS;
  if (c->connect_seconds <= 0)
    c->connect_seconds = HG_HTTP_DEFAULT_CONNECT_SECONDS;
  if (c->attempt_seconds <= 0)
    c->attempt_seconds = HG_HTTP_DEFAULT_ATTEMPT_SECONDS;
  if (c->low_speed_bytes <= 0)
    c->low_speed_bytes = HG_HTTP_DEFAULT_LOW_SPEED_BYTES;
  if (c->low_speed_seconds <= 0)
    c->low_speed_seconds = HG_HTTP_DEFAULT_LOW_SPEED_SECONDS;
  if (c->max_attempts <= 0)
    c->max_attempts = HG_HTTP_DEFAULT_MAX_ATTEMPTS;
  h->rng = c->seed ? c->seed : 0x2545f491u;
  hg_buf_init(&h->body);
  return h;
}

void hg_http_free(hg_http *h)
{
  if (!h)
    return;
  curl_easy_cleanup(h->h);
  if (h->body.data)
    explicit_bzero(h->body.data, h->body.cap);
  hg_buf_free(&h->body);
  free(h);
}

hg_http_trace_fn hg_http_trace(const hg_http *h, void **ctx)
{
  if (ctx)
    *ctx = h ? h->cfg.trace_ctx : NULL;
  return h ? h->cfg.trace : NULL;
}

void hg_http_response_free(hg_http_response *resp)
{
  if (!resp)
    return;
  if (resp->body) {
    explicit_bzero(resp->body, resp->body_len);
    free(resp->body);
  }
  memset(resp, 0, sizeof *resp);
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
  hg_http *h = ud;
  size_t total = size * n;
  if (h->body.len + total > h->max_body) {
    h->too_large = true;
    return 0; /* abort the transfer: CURLE_WRITE_ERROR */
  }
  hg_buf_append(&h->body, data, total);
  return total;
}

/* Copy a header's value (trimmed, printable) when the line is "name: v". */
static bool header_value(const char *line, size_t n, const char *name, char *out, size_t size)
{
  size_t k = strlen(name);
  if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
    return false;
  size_t i = k + 1;
  while (i < n && (line[i] == ' ' || line[i] == '\t'))
    i++;
  size_t j = n;
  while (j > i && (line[j - 1] == '\r' || line[j - 1] == '\n' || line[j - 1] == ' '))
    j--;
  size_t m = 0;
  for (; i < j && m + 1 < size; i++) {
    unsigned char c = (unsigned char)line[i];
    out[m++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
  }
  out[m] = '\0';
  return true;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
  hg_http *h = ud;
  size_t total = size * n;
  /* A new status line (after 100-continue or a retry) starts over. */
  if (total >= 5 && memcmp(data, "HTTP/", 5) == 0) {
    h->content_type[0] = h->error_type[0] = '\0';
  } else {
    header_value(data, total, "content-type", h->content_type, sizeof h->content_type);
    header_value(data, total, "x-amzn-errortype", h->error_type, sizeof h->error_type);
  }
  return total;
}

static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *ud)
{
  (void)c;
  hg_http *h = ud;
  const char *mark;
  switch (type) {
  case CURLINFO_TEXT: mark = "* "; break;
  case CURLINFO_HEADER_OUT: mark = "> "; break;
  case CURLINFO_HEADER_IN: mark = "< "; break;
  default: return 0; /* bodies are not traced */
  }
  char *red = hg_http_redact(data, size, h->secret_header);
  for (char *line = red; *line;) {
    char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    if (n > 0 && line[n - 1] == '\r')
      n--;
    if (n > 0) {
      /* Escape control characters so a hostile server cannot drive the terminal. */
      hg_buf b;
      hg_buf_init(&b);
      hg_buf_puts(&b, mark);
      for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (ch < 0x20 || ch == 0x7f)
          hg_buf_printf(&b, "\\x%02x", ch);
        else
          hg_buf_putc(&b, (char)ch);
      }
      h->cfg.trace(h->cfg.trace_ctx, b.data);
      hg_buf_free(&b);
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
static CURLcode send_once(hg_http *h, const hg_http_request *rq, const hg_creds *creds,
                          struct curl_slist *headers, double connect, long *status)
{
  CURL *c = h->h;
  curl_easy_reset(c);
  hg_buf_reset(&h->body);
  h->too_large = false;
  h->content_type[0] = h->error_type[0] = '\0';
  h->errbuf[0] = '\0';
  const char *method = rq->method ? rq->method : rq->body_len ? "POST" : "GET";
  curl_easy_setopt(c, CURLOPT_URL, rq->url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "hardengen");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (strcmp(method, "GET") == 0) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (strcmp(method, "HEAD") == 0) {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    /* The body is in memory: send it as "POST fields" with the method
     * renamed, so libcurl's SigV4 hashes the same bytes we send. */
    if (strcmp(method, "POST") != 0)
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body_len ? rq->body : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (rq->service && creds) {
    char sigv4[160];
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", rq->region ? rq->region : "us-east-1",
             rq->service);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
    curl_easy_setopt(c, CURLOPT_USERNAME, creds->access_key);
    curl_easy_setopt(c, CURLOPT_PASSWORD, creds->secret_key);
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(connect * 1000));
  /* A drip (fewer than low_speed_bytes a second for low_speed_seconds) is
   * abandoned and retried, and no attempt lasts longer than attempt_seconds. */
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, h->cfg.low_speed_bytes);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->cfg.low_speed_seconds);
  double cap = rq->attempt_seconds > 0 ? rq->attempt_seconds : h->cfg.attempt_seconds;
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(cap * 1000));
  if (h->cfg.trace) {
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, h);
  }
  CURLcode rc = curl_easy_perform(c);
  *status = 0;
  if (rc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
  /* Drop the credentials from the handle until the next attempt. */
  curl_easy_setopt(c, CURLOPT_USERNAME, "");
  curl_easy_setopt(c, CURLOPT_PASSWORD, "");
  return rc;
}

/* The header list of one attempt: the request's, then the session token. */
static struct curl_slist *build_headers(const hg_http_request *rq, const hg_creds *creds)
{
  struct curl_slist *l = NULL;
  for (const char *const *p = rq->headers; p && *p; p++)
    l = curl_slist_append(l, *p);
  if (rq->service && creds && creds->session_token) {
    char *line = xasprintf("x-amz-security-token: %s", creds->session_token);
    l = curl_slist_append(l, line);
    explicit_bzero(line, strlen(line));
    free(line);
  }
  /* No "Expect:" header to switch off 100-continue: libcurl 7.88 would sign
   * the empty header and S3 would reject the signature. libcurl asks for
   * 100-continue only above 1 MB. */
  return l;
}

hg_http_status hg_http_send(hg_http *h, const hg_http_request *rq, hg_http_response *resp,
                            hg_diag_sink *sink)
{
  memset(resp, 0, sizeof *resp);
  resp->body = xstrdup("");
  for (const char *const *p = rq->headers; p && *p; p++) {
    if (hg_http_has_control(*p)) {
      /* Name the header, never its value (it may be a token). */
      size_t n = strcspn(*p, ":");
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "http-header",
                  "refusing to send a request to %.200s: the %.*s header holds a control "
                  "character",
                  rq->url, (int)(n < 64 ? n : 64), *p);
      resp->status = HG_HTTP_ERR_HTTP;
      return resp->status;
    }
  }
  int max_attempts = rq->max_attempts > 0 ? rq->max_attempts : h->cfg.max_attempts;
  double budget = rq->retry_seconds > 0 ? rq->retry_seconds : h->cfg.retry_seconds;
  double connect_max = rq->connect_seconds > 0 ? rq->connect_seconds : h->cfg.connect_seconds;

  double start = now_seconds();
  CURLcode rc = CURLE_OK;
  long status = 0;
  for (;;) {
    const hg_creds *creds = rq->creds;
    if (rq->service && rq->provider) {
      creds = hg_creds_get(rq->provider, sink);
      if (!creds) {
        resp->status = HG_HTTP_ERR_CREDS;
        break;
      }
    }
    if (rq->service && !creds) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "http-internal",
                  "a signed request to %.200s without credentials", rq->url);
      resp->status = HG_HTTP_ERR_CREDS;
      break;
    }
    /* Set per attempt: renewing the credentials above may itself have sent
     * a request (STS) through this client. */
    h->max_body = rq->max_body ? rq->max_body : DEFAULT_MAX_BODY;
    h->secret_header = rq->secret_header;
    struct curl_slist *headers = build_headers(rq, creds);
    resp->attempts++;
    double remaining = budget - (now_seconds() - start);
    double connect = connect_max < remaining ? connect_max : remaining;
    if (connect < 1.0)
      connect = 1.0;
    rc = send_once(h, rq, creds, headers, connect, &status);
    wipe_headers(headers);
    curl_slist_free_all(headers);

    resp->curl_code = (int)rc;
    resp->http_status = status;
    resp->curl_error[0] = resp->error_code[0] = resp->error_message[0] = '\0';
    resp->error_region[0] = '\0';
    copy_printable(resp->content_type, sizeof resp->content_type, h->content_type);
    if (rc == CURLE_WRITE_ERROR && h->too_large) {
      snprintf(resp->curl_error, sizeof resp->curl_error,
               "the answer is larger than %zu bytes", h->max_body);
      resp->status = HG_HTTP_ERR_HTTP;
      break;
    }
    if (rc != CURLE_OK) {
      copy_printable(resp->curl_error, sizeof resp->curl_error,
                     h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
    } else if (status >= 200 && status < 300) {
      resp->status = HG_HTTP_OK;
      break;
    } else {
      hg_http_parse_error(h->body.data, h->body.len, h->error_type, resp);
    }
    bool again = hg_http_retryable((int)rc, status, resp->error_code);
    resp->status = rc != CURLE_OK                                  ? HG_HTTP_ERR_NETWORK
                   : hg_http_auth_failure(status, resp->error_code) ? HG_HTTP_ERR_AUTH
                                                                    : HG_HTTP_ERR_HTTP;
    if (!again)
      break;
    resp->retried_out = true;
    if (resp->attempts >= max_attempts)
      break;
    double delay = hg_http_backoff(resp->attempts, &h->rng);
    if (now_seconds() - start + delay > budget)
      break;
    sleep_seconds(delay);
  }
  if (resp->status != HG_HTTP_OK &&
      !hg_http_retryable(resp->curl_code, resp->http_status, resp->error_code))
    resp->retried_out = false;
  free(resp->body);
  resp->body = xmalloc(h->body.len + 1);
  if (h->body.len)
    memcpy(resp->body, h->body.data, h->body.len);
  resp->body[h->body.len] = '\0';
  resp->body_len = h->body.len;
  if (h->body.data)
    explicit_bzero(h->body.data, h->body.len);
  hg_buf_reset(&h->body);
  return resp->status;
}

hg_diag *hg_http_diag(hg_diag_sink *sink, const char *tag, const hg_http_response *resp,
                      const char *hint, const char *fmt, ...)
{
  if (resp->status == HG_HTTP_OK || resp->status == HG_HTTP_ERR_CREDS)
    return NULL;
  va_list ap;
  va_start(ap, fmt);
  char *what = xvasprintf(fmt, ap);
  va_end(ap);
  const char *kind = resp->status == HG_HTTP_ERR_AUTH      ? "auth"
                     : resp->status == HG_HTTP_ERR_NETWORK ? "network"
                                                           : "http";
  char code[96];
  snprintf(code, sizeof code, "%s-%s", tag, kind);
  hg_diag *d;
  if (resp->status == HG_HTTP_ERR_NETWORK || resp->http_status == 0) {
    d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, code, "%s: %s", what,
                    resp->curl_error[0] ? resp->curl_error : "no answer");
  } else {
    const char *detail = hint ? hint : resp->error_message[0] ? resp->error_message : NULL;
    if (!detail && (resp->http_status == 401 || resp->http_status == 403))
      detail = "access denied";
    d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, code, "%s: %ld%s%s%s%s", what,
                    resp->http_status, resp->error_code[0] ? " " : "", resp->error_code,
                    detail ? ": " : "", detail ? detail : "");
  }
  if (resp->retried_out)
    hg_diag_note(d, "gave up after %d attempt%s", resp->attempts, resp->attempts == 1 ? "" : "s");
  free(what);
  return d;
}
