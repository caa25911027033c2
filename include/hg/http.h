/*
 * http.h — the one HTTP layer for every AWS call hardengen makes: S3
 * (publish), STS (assumed roles, web identity), the IAM Identity Center
 * portal, DynamoDB (sync), CloudFormation (deploy), and the container and
 * EC2 instance-metadata credential endpoints.
 *
 * Everything goes through hg_http_send, so every call has the same:
 *   - signing: libcurl's SigV4 (CURLOPT_AWS_SIGV4 "aws:amz:REGION:SERVICE")
 *     when the request names a service; nothing here computes a signature.
 *     x-amz-security-token is added for temporary credentials. Credentials
 *     come from a provider asked before EVERY attempt, so temporary ones are
 *     refreshed before they expire during long operations;
 *   - timeouts: connect timeout per attempt, a hard cap per attempt, and a
 *     low-speed limit (an answer slower than low_speed_bytes per second for
 *     low_speed_seconds is abandoned and retried: a server dripping a byte a
 *     second cannot hold an attempt);
 *   - retries: throttling (429, SlowDown, Throttling, ThrottlingException,
 *     ProvisionedThroughputExceededException, RequestLimitExceeded, ...),
 *     5xx and connection errors, with exponential backoff and jitter from a
 *     seeded generator (reproducible delays), within a total time budget;
 *     other answers fail at once;
 *   - TLS: libcurl's defaults (peer and host verification on, system CA
 *     store); only http and https, no redirects followed;
 *   - traces: -v lines through a callback with the values of Authorization,
 *     x-amz-security-token, x-amz-sso_bearer_token,
 *     X-aws-ec2-metadata-token and Proxy-Authorization replaced by
 *     "[redacted]"; bodies (which carry tokens and credentials) are never
 *     traced;
 *   - errors: the AWS error code and message are extracted from the answer,
 *     whatever the protocol: XML (<Code>, <Message>: S3, STS, CloudFormation
 *     query API), JSON ("__type" after its '#', "code", "message"/"Message":
 *     DynamoDB JSON 1.0, the SSO portal) or the x-amzn-ErrorType header.
 *
 * Library code: nothing is printed, nothing exits. hg_http_send fills a
 * response; the caller turns a failure into a diagnostic with hg_http_diag
 * (codes TAG-auth, TAG-network, TAG-http) and its own wording.
 *
 * Typical use (a DynamoDB call; see creds.h and awscfg.h for the rest).
 * Once per command:
 *
 *   hg_awscfg *cfg = hg_awscfg_load(sink);              // NULL: malformed file
 *   const char *region = hg_awscfg_region(cfg, flag_region, NULL, NULL);
 *   char *endpoint = NULL;                               // --endpoint-url, env, profile
 *   if (hg_awscfg_endpoint(cfg, "dynamodb", flag_endpoint, &endpoint, NULL, sink) != 0)
 *     ... usage error ...
 *   if (!endpoint)
 *     endpoint = hg_awscfg_default_endpoint("dynamodb", region);
 *   hg_http *http = hg_http_new(&(hg_http_config){.trace = verbose ? fn : NULL});
 *   hg_creds_provider *creds =
 *       hg_creds_provider_new(&(hg_creds_opts){.cfg = cfg, .http = http}, sink);
 *
 * Then per call:
 *
 *   hg_http_request rq = {.method = "POST", .url = endpoint,
 *                         .service = "dynamodb", .region = region,
 *                         .provider = creds, .headers = hdrs,
 *                         .body = json, .body_len = strlen(json)};
 *   // hdrs: {"Content-Type: application/x-amz-json-1.0",
 *   //        "X-Amz-Target: DynamoDB_20120810.PutItem", NULL}
 *   hg_http_response rs;
 *   if (hg_http_send(http, &rq, &rs, sink) != HG_HTTP_OK)
 *     hg_http_diag(sink, "dynamodb", &rs, NULL, "cannot write %s", table);
 *   ... rs.body ...
 *   hg_http_response_free(&rs);
 *
 * Secrets never reach a diagnostic, a trace or any output: request bodies
 * are not traced, credentials and bearer tokens are wiped from the handle
 * and the header list after each request.
 */
#ifndef HG_HTTP_H
#define HG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hg/creds.h"
#include "hg/diag.h"
#include "hg/util.h"

/* Receives one redacted trace line (no newline) for -v. */
typedef void (*hg_http_trace_fn)(void *ctx, const char *line);

/* Limits of one client; zero fields take the defaults (HG_HTTP_DEFAULT_*). */
typedef struct hg_http_config {
  double retry_seconds;     /* total time for one request with its retries; <= 0: 15 */
  double connect_seconds;   /* connect timeout per attempt; <= 0: 5 */
  double attempt_seconds;   /* hard cap on one attempt; <= 0: 120 */
  long low_speed_bytes;     /* abandon an attempt slower than this (bytes/s) ... <= 0: 256 */
  long low_speed_seconds;   /* ... for this many seconds; <= 0: 10 */
  int max_attempts;         /* attempts per request; <= 0: 12 (1: no retries) */
  uint32_t seed;            /* jitter seed; 0: a fixed default */
  hg_http_trace_fn trace;   /* NULL: no trace */
  void *trace_ctx;
} hg_http_config;

#define HG_HTTP_DEFAULT_RETRY_SECONDS 15.0
#define HG_HTTP_DEFAULT_CONNECT_SECONDS 5.0
#define HG_HTTP_DEFAULT_ATTEMPT_SECONDS 120.0
#define HG_HTTP_DEFAULT_LOW_SPEED_BYTES 256L
#define HG_HTTP_DEFAULT_LOW_SPEED_SECONDS 10L
#define HG_HTTP_DEFAULT_MAX_ATTEMPTS 12

/* Outcome of a request. */
typedef enum {
  HG_HTTP_OK = 0,
  HG_HTTP_ERR_AUTH,    /* credentials or permissions: 401/403, bad signature or token,
                          clock skew, AccessDenied, ExpiredToken, ... */
  HG_HTTP_ERR_NETWORK, /* no answer: cannot connect, timed out, reset (after retries) */
  HG_HTTP_ERR_HTTP,    /* any other error answer (after retries when it was retryable) */
  HG_HTTP_ERR_CREDS,   /* the credentials provider failed; its diagnostics are in the sink */
} hg_http_status;

typedef struct hg_http hg_http;

/* One request. Strings are borrowed for the duration of hg_http_send. */
typedef struct hg_http_request {
  const char *method;          /* "GET", "PUT", "POST", "DELETE", "HEAD"; NULL: GET
                                  (POST when there is a body) */
  const char *url;             /* absolute http(s) URL, already percent-encoded */
  const char *const *headers;  /* "Name: value" lines, NULL-terminated; may be NULL.
                                  Values may be secret (a bearer token): redact them
                                  by name, see secret_header */
  const void *body;            /* may be NULL when body_len is 0 */
  size_t body_len;
  const char *service;         /* SigV4 service name ("s3", "sts", "dynamodb",
                                  "cloudformation"); NULL: the request is not signed */
  const char *region;          /* SigV4 Region; required with service */
  hg_creds_provider *provider; /* signing credentials, asked before each attempt
                                  (refreshed when near expiry); or */
  const hg_creds *creds;       /* fixed signing credentials (used when provider is NULL) */
  const char *secret_header;   /* one more header name whose value traces redact; may be NULL */
  size_t max_body;             /* the answer's body is kept up to this; 0: 4 MiB. A
                                  longer answer fails (HG_HTTP_ERR_HTTP, "too large") */
  int max_attempts;            /* overrides the client's when > 0 (1: no retries, e.g.
                                  instance metadata, where a retry only adds delay) */
  double connect_seconds;      /* overrides the client's when > 0 */
  double retry_seconds;        /* overrides the client's when > 0 */
  double attempt_seconds;      /* overrides the client's when > 0 */
} hg_http_request;

/* What came back. Owned by the caller after hg_http_send; free with
 * hg_http_response_free (which wipes the body: it may hold credentials). */
typedef struct hg_http_response {
  hg_http_status status;
  long http_status;          /* 0 when no answer arrived */
  int curl_code;             /* CURLcode of the last attempt (0: an answer arrived) */
  int attempts;              /* requests sent */
  bool retried_out;          /* the last failure was retryable: the budget ran out */
  char *body;                /* malloc'd, NUL-terminated (never NULL after send) */
  size_t body_len;
  char content_type[128];    /* the answer's Content-Type, "" when none */
  char error_code[128];      /* AWS error code ("" when none); printable ASCII */
  char error_message[512];   /* AWS error message ("" when none); printable ASCII */
  char error_region[64];     /* S3's <Region> of a wrong-Region answer ("" when none) */
  char curl_error[256];      /* libcurl's message for a transfer error ("" when none) */
} hg_http_response;

/* A client (one libcurl handle, reused across requests so connections are
 * kept alive). The config is copied. NULL only when libcurl cannot create a
 * handle. Not thread-safe: one client per thread. A credentials provider may
 * renew through the same client while hg_http_send waits for it (an STS call
 * between two attempts): that nesting is supported. */
hg_http *hg_http_new(const hg_http_config *cfg);
void hg_http_free(hg_http *h);

/* The trace callback of a client (for modules that build their own clients
 * with the same settings); NULL when none. */
hg_http_trace_fn hg_http_trace(const hg_http *h, void **ctx);

/*
 * Send a request with retries as described above. Fills *resp (always; free
 * it with hg_http_response_free) and returns resp->status. Adds diagnostics
 * only when the credentials provider fails (HG_HTTP_ERR_CREDS) or the request
 * is invalid (a header with a control character: code `http-header`); every
 * other failure is left to the caller (hg_http_diag).
 */
hg_http_status hg_http_send(hg_http *h, const hg_http_request *req, hg_http_response *resp,
                            hg_diag_sink *sink);
void hg_http_response_free(hg_http_response *resp);

/*
 * Add one error for a failed response: code "TAG-auth", "TAG-network" or
 * "TAG-http" (TAG: "s3", "sts", "sso", "dynamodb", "cloudformation", ...),
 * message "WHAT: STATUS CODE: HINT" where WHAT is the printf-formatted text,
 * HINT is hint when given, else the AWS error message. Notes: "gave up after
 * N attempts" when retries ran out. Returns the diagnostic (for more notes),
 * or NULL for HG_HTTP_OK / HG_HTTP_ERR_CREDS (already reported).
 */
hg_diag *hg_http_diag(hg_diag_sink *sink, const char *tag, const hg_http_response *resp,
                      const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- pure helpers (no network), exposed for the service modules and tests ---- */

/*
 * Whether a failed attempt is worth repeating: curl_code is the CURLcode of
 * the transfer (0 when an answer arrived), status the HTTP status, code the
 * AWS error code ("" or NULL when none).
 */
bool hg_http_retryable(int curl_code, long status, const char *code);

/* True when the answer is about credentials or permissions (see HG_HTTP_ERR_AUTH). */
bool hg_http_auth_failure(long status, const char *code);

/*
 * Delay in seconds before retry number attempt (1-based): exponential from
 * 0.25 s, capped at 4 s, "equal jitter" (half fixed, half random) drawn from
 * *rng (xorshift32 state). Deterministic for a given state.
 */
double hg_http_backoff(int attempt, uint32_t *rng);

/*
 * Extract the AWS error code, message and (S3) Region from an error answer
 * into resp->error_code/error_message/error_region, from body (XML or JSON)
 * and the x-amzn-ErrorType header value (may be NULL). JSON "__type"
 * values like "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
 * keep the part after '#'; a ":..." suffix of x-amzn-ErrorType is dropped.
 */
void hg_http_parse_error(const char *body, size_t len, const char *error_type_header,
                         hg_http_response *resp);

/*
 * The text of the first <tag>...</tag> in an XML body, with the five
 * predefined entities and numeric references decoded. malloc'd; NULL when
 * absent. Good for the flat answers of the query APIs (STS, CloudFormation);
 * not a general XML parser.
 */
char *hg_http_xml_text(const char *body, size_t len, const char *tag);

/*
 * Append "name=value" to a form (application/x-www-form-urlencoded, RFC 3986
 * unreserved kept, everything else %XX), with '&' before it unless the form
 * is empty. For the query APIs' POST bodies (Action=...&Version=...).
 */
void hg_http_form_add(hg_buf *form, const char *name, const char *value);

/*
 * A copy of HTTP header text (one or more lines) with the values of the
 * secret headers named above (and extra, when not NULL) replaced by
 * "[redacted]". malloc'd.
 */
char *hg_http_redact(const char *text, size_t len, const char *extra);

/*
 * True when s holds a byte below 0x20 or 0x7f (CR and LF would inject a
 * header). Credentials and header values with one are refused.
 */
bool hg_http_has_control(const char *s);

#endif
