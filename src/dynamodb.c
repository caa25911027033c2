/*
 * dynamodb.c — DynamoDB JSON 1.0 calls over libcurl with SigV4 (see
 * dynamodb.h).
 */
#include "hg/dynamodb.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hg/s3.h"
#include "hg/util.h"

#define MAX_ANSWER (16u << 20) /* a Scan page is at most 1 MB of items */
#define MAX_ATTEMPTS 10

struct hg_ddb {
  CURL *h;
  char *region, *endpoint, *sigv4;
  const hg_creds *creds;
  double retry_seconds;
  uint32_t rng;
  hg_ddb_trace_fn trace;
  void *trace_ctx;
  hg_buf body;
  bool too_large;
  char errbuf[CURL_ERROR_SIZE];
};

static char *default_endpoint(const char *region)
{
  bool china = strncmp(region, "cn-", 3) == 0;
  return xasprintf("https://dynamodb.%s.amazonaws.com%s", region, china ? ".cn" : "");
}

hg_ddb *hg_ddb_new(const hg_ddb_config *cfg)
{
  static int global_done;
  if (!global_done) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    global_done = 1;
  }
  hg_ddb *d = xcalloc(1, sizeof *d);
  d->h = curl_easy_init();
  if (!d->h) {
    free(d);
    return NULL;
  }
  d->region = xstrdup(cfg->region);
  if (cfg->endpoint) {
    size_t n = strlen(cfg->endpoint);
    while (n > 0 && cfg->endpoint[n - 1] == '/')
      n--;
    d->endpoint = xstrndup(cfg->endpoint, n);
  } else {
    d->endpoint = default_endpoint(cfg->region);
  }
  d->sigv4 = xasprintf("aws:amz:%s:dynamodb", cfg->region);
  d->creds = cfg->creds;
  d->retry_seconds = cfg->retry_seconds > 0 ? cfg->retry_seconds : 15.0;
  d->rng = cfg->seed ? cfg->seed : 0x6d2b79f5u;
  d->trace = cfg->trace;
  d->trace_ctx = cfg->trace_ctx;
  hg_buf_init(&d->body);
  return d;
}

void hg_ddb_free(hg_ddb *d)
{
  if (!d)
    return;
  curl_easy_cleanup(d->h);
  free(d->region);
  free(d->endpoint);
  free(d->sigv4);
  hg_buf_free(&d->body);
  free(d);
}

const char *hg_ddb_endpoint(const hg_ddb *d)
{
  return d->endpoint;
}

/* ---- helpers ---- */

static void copy_text(char *out, size_t size, const char *s)
{
  size_t n = 0;
  for (; s && *s && n + 1 < size; s++)
    out[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
  out[n] = '\0';
}

void hg_ddb_parse_error(const char *body, size_t len, char *code, size_t code_size, char *message,
                        size_t message_size)
{
  code[0] = message[0] = '\0';
  cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
  if (!j)
    return;
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "__type");
  if (cJSON_IsString(t)) {
    const char *hash = strrchr(t->valuestring, '#');
    copy_text(code, code_size, hash ? hash + 1 : t->valuestring);
  }
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
  if (!cJSON_IsString(m))
    m = cJSON_GetObjectItemCaseSensitive(j, "Message");
  if (cJSON_IsString(m))
    copy_text(message, message_size, m->valuestring);
  cJSON_Delete(j);
}

bool hg_ddb_retryable(int curl_code, long status, const char *code)
{
  static const char *const codes[] = {"ProvisionedThroughputExceededException", "RequestLimitExceeded",
                                      "InternalServerError", "InternalFailure", "ServiceUnavailable",
                                      "LimitExceededException"};
  for (size_t i = 0; code && i < HG_COUNTOF(codes); i++)
    if (strcmp(code, codes[i]) == 0)
      return true;
  /* The S3 client's rule covers transfer errors, 429, 5xx and ThrottlingException. */
  return hg_s3_retryable(curl_code, status, code);
}

static bool auth_failure(long status, const char *code)
{
  static const char *const codes[] = {"UnrecognizedClientException", "InvalidSignatureException",
                                      "AccessDeniedException",       "ExpiredTokenException",
                                      "IncompleteSignature",         "MissingAuthenticationTokenException",
                                      "InvalidClientTokenId",        "SignatureDoesNotMatch"};
  for (size_t i = 0; i < HG_COUNTOF(codes); i++)
    if (strcmp(code, codes[i]) == 0)
      return true;
  return status == 401 || status == 403;
}

static const char *hint_for(const char *code)
{
  if (strcmp(code, "UnrecognizedClientException") == 0 || strcmp(code, "InvalidSignatureException") == 0)
    return "the access key or the secret access key is wrong";
  if (strcmp(code, "ExpiredTokenException") == 0)
    return "the session token has expired";
  if (strcmp(code, "ResourceNotFoundException") == 0)
    return "the table does not exist: deploy central.global.yaml first";
  return NULL;
}

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

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
  hg_ddb *d = ud;
  size_t total = size * n;
  if (d->body.len + total > MAX_ANSWER) {
    d->too_large = true;
    return 0; /* abort the transfer */
  }
  hg_buf_append(&d->body, data, total);
  return total;
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
  (void)h;
  hg_ddb *d = ud;
  const char *mark = type == CURLINFO_HEADER_OUT ? "> " : type == CURLINFO_HEADER_IN ? "< " : NULL;
  if (!mark)
    return 0; /* no bodies, no TLS chatter */
  char *red = hg_s3_redact(data, size);
  for (char *line = red; *line;) {
    char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    if (n > 0 && line[n - 1] == '\r')
      n--;
    if (n > 0) {
      char *text = xasprintf("%s%.*s", mark, (int)n, line);
      d->trace(d->trace_ctx, text);
      free(text);
    }
    if (!nl)
      break;
    line = nl + 1;
  }
  free(red);
  return 0;
}

/*
 * The one HTTP function: POST body to the endpoint with the headers, signed
 * for dynamodb. Returns the CURLcode; *status gets the HTTP status (0 when no
 * answer arrived); the answer's body is in d->body.
 */
static CURLcode post_once(hg_ddb *d, struct curl_slist *headers, const char *body, size_t len, long *status)
{
  CURL *h = d->h;
  curl_easy_reset(h);
  hg_buf_reset(&d->body);
  d->too_large = false;
  d->errbuf[0] = '\0';
  char *url = xasprintf("%s/", d->endpoint);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, d->errbuf);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "hardengen");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, d->sigv4);
  curl_easy_setopt(h, CURLOPT_USERNAME, d->creds->access_key);
  curl_easy_setopt(h, CURLOPT_PASSWORD, d->creds->secret_key);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, d);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 15L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
  if (d->trace) {
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, d);
  }
  CURLcode rc = curl_easy_perform(h);
  *status = 0;
  if (rc == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
  curl_easy_setopt(h, CURLOPT_PASSWORD, "");
  free(url);
  return rc;
}

hg_ddb_status hg_ddb_call(hg_ddb *d, const char *operation, const char *body, cJSON **answer, const char *what,
                          hg_diag_sink *sink)
{
  if (answer)
    *answer = NULL;
  size_t len = strlen(body);
  struct curl_slist *headers = NULL;
  headers = curl_slist_append(headers, "Content-Type: application/x-amz-json-1.0");
  char *line = xasprintf("X-Amz-Target: DynamoDB_20120810.%s", operation);
  headers = curl_slist_append(headers, line);
  free(line);
  if (d->creds->session_token) {
    line = xasprintf("x-amz-security-token: %s", d->creds->session_token);
    headers = curl_slist_append(headers, line);
    explicit_bzero(line, strlen(line));
    free(line);
  }

  double start = now_seconds();
  int attempt = 0;
  CURLcode rc = CURLE_OK;
  long status = 0;
  char code[128] = "", message[512] = "";
  hg_ddb_status result = HG_DDB_OK;
  for (;;) {
    attempt++;
    rc = post_once(d, headers, body, len, &status);
    code[0] = message[0] = '\0';
    if (rc == CURLE_OK && status >= 200 && status < 300)
      break;
    if (rc == CURLE_OK)
      hg_ddb_parse_error(d->body.data, d->body.len, code, sizeof code, message, sizeof message);
    bool again = !d->too_large && hg_ddb_retryable((int)rc, status, code);
    double delay = again ? hg_s3_backoff(attempt, &d->rng) : 0;
    if (!again || attempt >= MAX_ATTEMPTS || now_seconds() - start + delay > d->retry_seconds) {
      result = rc != CURLE_OK || again ? HG_DDB_ERR_NETWORK
               : auth_failure(status, code) ? HG_DDB_ERR_AUTH
                                            : HG_DDB_ERR_HTTP;
      break;
    }
    sleep_seconds(delay);
  }
  for (struct curl_slist *l = headers; l; l = l->next)
    explicit_bzero(l->data, strlen(l->data));
  curl_slist_free_all(headers);

  if (result == HG_DDB_OK) {
    cJSON *j = cJSON_ParseWithLength(d->body.data ? d->body.data : "", d->body.len);
    if (!j) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "dynamodb-http", "%s: the answer from %s is not JSON", what,
                  d->endpoint);
      return HG_DDB_ERR_HTTP;
    }
    if (answer)
      *answer = j;
    else
      cJSON_Delete(j);
    return HG_DDB_OK;
  }
  hg_diag *diag;
  bool retried = attempt > 1;
  if (rc != CURLE_OK) {
    diag = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "dynamodb-network", "%s: %s", what,
                       d->too_large ? "the answer is larger than 16 MB"
                       : d->errbuf[0] ? d->errbuf
                                      : curl_easy_strerror(rc));
    hg_diag_note(diag, "endpoint %s", d->endpoint);
  } else {
    const char *hint = hint_for(code);
    diag = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0,
                       result == HG_DDB_ERR_AUTH      ? "dynamodb-auth"
                       : result == HG_DDB_ERR_NETWORK ? "dynamodb-network"
                                                      : "dynamodb-http",
                       "%s: %ld%s%s%s%s", what, status, *code ? " " : "", code, (hint || *message) ? ": " : "",
                       hint ? hint : message);
    if (result == HG_DDB_ERR_AUTH)
      hg_diag_note(diag, "credentials from %s", d->creds->source ? d->creds->source : "?");
  }
  if (retried)
    hg_diag_note(diag, "gave up after %d attempts", attempt);
  return result;
}
