/*
 * s3.h — a small S3 client for `hardengen publish`: PUT Object through the
 * HTTP layer (http.h: timeouts, retries, TLS, traces are its own).
 *
 * Requests are signed by libcurl's built-in SigV4 (CURLOPT_AWS_SIGV4 with
 * "aws:amz:REGION:s3"); nothing here computes a signature. Every PUT sends
 * x-amz-content-sha256 (hex SHA-256 of the body), Content-MD5 (base64 MD5,
 * so S3 rejects a body damaged in transit), Content-Type, and
 * x-amz-security-token for temporary credentials.
 *
 * Addressing (S3 User Guide, "Virtual hosting of buckets"):
 *   no endpoint:  https://BUCKET.s3.REGION.amazonaws.com/KEY  (virtual-hosted)
 *   endpoint E:   E/BUCKET/KEY                                (path style)
 * Keys are percent-encoded except for unreserved characters and '/'.
 *
 * Retries: throttling (429, SlowDown), 5xx and connection errors are retried
 * by the HTTP layer with exponential backoff and jitter (see http.h); other
 * errors fail at once. A 5xx that outlasts the retries is still an HTTP
 * error (`s3-http`); `s3-network` means no answer arrived.
 *
 * Library code: nothing is printed. Failures become diagnostics with a
 * stable code and a hint (403 SignatureDoesNotMatch -> "the secret access key
 * is wrong"); traces go to a callback after Authorization and
 * x-amz-security-token values were redacted. Secrets never appear in either.
 */
#ifndef HG_S3_H
#define HG_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hg/creds.h"
#include "hg/diag.h"
#include "hg/http.h"

/* Receives one redacted trace line (no newline) for -v. */
typedef hg_http_trace_fn hg_s3_trace_fn;

typedef struct hg_s3_config {
  const char *bucket;        /* required */
  const char *region;        /* required, e.g. "eu-west-1" */
  const char *endpoint;      /* NULL: AWS; else "http(s)://HOST[:PORT][/PATH]" (path style) */
  const hg_creds *creds;     /* fixed credentials, borrowed for the client's lifetime; or */
  hg_creds_provider *provider; /* a provider asked before each attempt (borrowed) */
  hg_http *http;             /* borrowed HTTP client; NULL: the client makes its own
                                from the four fields below */
  double retry_seconds;      /* total time budget per object; <= 0: 15 */
  double connect_seconds;    /* connect timeout per attempt; <= 0: 5 */
  uint32_t seed;             /* jitter seed; 0: a fixed default */
  hg_s3_trace_fn trace;      /* NULL: no trace */
  void *trace_ctx;
} hg_s3_config;

/* Outcome of a request. Everything but OK is reported as a diagnostic. */
typedef enum {
  HG_S3_OK = 0,
  HG_S3_ERR_AUTH,     /* credentials or permissions (401/403, bad token, clock skew) */
  HG_S3_ERR_NETWORK,  /* could not reach the endpoint, or it kept failing (after retries) */
  HG_S3_ERR_HTTP,     /* any other error answer (NoSuchBucket, wrong region, ...) */
} hg_s3_status;

typedef struct hg_s3 hg_s3;

/* A client; the config's strings are copied, creds, provider and http are
 * borrowed. NULL only when libcurl cannot create a handle (out of memory). */
hg_s3 *hg_s3_new(const hg_s3_config *cfg);
void hg_s3_free(hg_s3 *s);

/*
 * PUT data (len bytes) at key with the given Content-Type. Retries as
 * described above. On failure adds one error diagnostic (codes `s3-auth`,
 * `s3-network`, `s3-http`) naming s3://BUCKET/KEY, the HTTP status, S3's
 * error code and a hint. *attempts (may be NULL) receives the number of
 * requests sent.
 */
hg_s3_status hg_s3_put(hg_s3 *s, const char *key, const void *data, size_t len,
                       const char *content_type, int *attempts, hg_diag_sink *sink);

/* ---- pure helpers (no network), exposed for the publisher and tests ---- */

/* key percent-encoded for a URL path (unreserved characters and '/' kept). malloc'd. */
char *hg_s3_escape_key(const char *key);

/*
 * The object's URL (see Addressing above). endpoint may be NULL; a trailing
 * '/' on it is ignored. malloc'd.
 */
char *hg_s3_object_url(const char *endpoint, const char *bucket, const char *region,
                       const char *key);

/* "application/x-yaml" for .yaml/.yml, "application/json" for .json,
 * else "application/octet-stream". Static. */
const char *hg_s3_content_type(const char *name);

/* Bucket and Region names are checked by validate.h (hg_valid_bucket,
 * hg_valid_region), the rules every command shares. */

/* S3 error code -> a one-line hint for the user, or NULL when there is none. Static. */
const char *hg_s3_error_hint(const char *code);

/* hg_http_retryable and hg_http_backoff under their S3 names. */
bool hg_s3_retryable(int curl_code, long status, const char *code);
double hg_s3_backoff(int attempt, uint32_t *rng);

/*
 * The <Code> (and, when present, <Region>) of an S3 error document, copied
 * into code/region (always NUL-terminated, empty when absent).
 */
void hg_s3_parse_error(const char *body, size_t len, char *code, size_t code_size, char *region,
                       size_t region_size);

/* hg_http_redact(text, len, NULL). malloc'd. */
char *hg_s3_redact(const char *text, size_t len);

#endif
