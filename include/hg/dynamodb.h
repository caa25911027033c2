/*
 * dynamodb.h — a small DynamoDB client for `hardengen sync`: the JSON 1.0
 * API (POST /, X-Amz-Target: DynamoDB_20120810.OPERATION, Content-Type
 * application/x-amz-json-1.0) over libcurl, signed by libcurl's SigV4
 * (CURLOPT_AWS_SIGV4 "aws:amz:REGION:dynamodb").
 *
 * All HTTP is in one function (post_once in dynamodb.c), shaped like the
 * requests of the shared signed-request layer, so the module can move onto
 * it without changing this interface.
 *
 * Retries: throttling (ThrottlingException,
 * ProvisionedThroughputExceededException, RequestLimitExceeded, 429), 5xx
 * (InternalServerError, ServiceUnavailable) and connection errors, with the
 * same exponential backoff and jitter as the S3 client (hg_s3_backoff),
 * within a bounded total time; other answers fail at once.
 *
 * Library code: nothing is printed. A failure is one diagnostic (codes
 * `dynamodb-auth`, `dynamodb-network`, `dynamodb-http`) with DynamoDB's
 * error code and message; secrets never appear in it or in traces.
 */
#ifndef HG_DYNAMODB_H
#define HG_DYNAMODB_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "hg/creds.h"
#include "hg/diag.h"

typedef void (*hg_ddb_trace_fn)(void *ctx, const char *line);

typedef struct hg_ddb_config {
  const char *region;        /* required */
  const char *endpoint;      /* NULL: https://dynamodb.REGION.amazonaws.com (.com.cn in China) */
  const hg_creds *creds;     /* required; borrowed */
  double retry_seconds;      /* total time per call with its retries; <= 0: 15 */
  uint32_t seed;             /* jitter seed; 0: a fixed default */
  hg_ddb_trace_fn trace;     /* NULL: no trace; else redacted request and answer headers */
  void *trace_ctx;
} hg_ddb_config;

typedef enum {
  HG_DDB_OK = 0,
  HG_DDB_ERR_AUTH,     /* credentials or permissions (bad signature, unknown key, denied, expired token) */
  HG_DDB_ERR_NETWORK,  /* no answer, or it kept failing with a retryable error */
  HG_DDB_ERR_HTTP,     /* any other error answer (ResourceNotFoundException, ValidationException, ...) */
} hg_ddb_status;

typedef struct hg_ddb hg_ddb;

/* A client; strings are copied, creds borrowed. NULL when libcurl fails to start. */
hg_ddb *hg_ddb_new(const hg_ddb_config *cfg);
void hg_ddb_free(hg_ddb *d);

/* The endpoint in use (no trailing '/'). */
const char *hg_ddb_endpoint(const hg_ddb *d);

/*
 * Call OPERATION ("Scan", "PutItem", "DeleteItem", ...) with a JSON body.
 * On success *answer (may be NULL) gets the parsed answer (free with
 * cJSON_Delete). On failure adds one error "WHAT: STATUS CODE: MESSAGE"
 * (what is a short description, e.g. "cannot scan table T").
 */
hg_ddb_status hg_ddb_call(hg_ddb *d, const char *operation, const char *body, cJSON **answer, const char *what,
                          hg_diag_sink *sink);

/* ---- pure helpers (tests) ---- */

/* The error code of a JSON 1.0 error answer: the part of "__type" after '#'
 * (or all of it), into code (always NUL-terminated); message likewise from
 * "message" or "Message". */
void hg_ddb_parse_error(const char *body, size_t len, char *code, size_t code_size, char *message,
                        size_t message_size);

/* Whether an error is worth retrying (curl_code 0 when an answer arrived). */
bool hg_ddb_retryable(int curl_code, long status, const char *code);

#endif
