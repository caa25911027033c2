/*
 * dynamodb.h — a small DynamoDB client for `hardengen sync`: the JSON 1.0
 * API (POST /, X-Amz-Target: DynamoDB_20120810.OPERATION, Content-Type
 * application/x-amz-json-1.0) on the shared signed-request layer (http.h):
 * SigV4 by libcurl for "dynamodb", retries of throttling
 * (ThrottlingException, ProvisionedThroughputExceededException,
 * RequestLimitExceeded), 5xx and connection errors with backoff, error
 * codes from the JSON "__type", redacted traces.
 *
 * Library code: nothing is printed. A failure is one diagnostic (codes
 * `dynamodb-auth`, `dynamodb-network`, `dynamodb-http`) with DynamoDB's
 * error code and message; secrets never appear in it or in traces.
 */
#ifndef HG_DYNAMODB_H
#define HG_DYNAMODB_H

#include <stdbool.h>

#include "hg/creds.h"
#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/http.h"

typedef struct hg_ddb_config {
  const char *region;           /* required */
  const char *endpoint;         /* NULL: https://dynamodb.REGION.amazonaws.com (.com.cn in China) */
  hg_creds_provider *provider;  /* signing credentials (borrowed), or */
  const hg_creds *creds;        /* fixed ones (borrowed; used when provider is NULL) */
  hg_http *http;                /* borrowed client; NULL: the client makes its own */
} hg_ddb_config;

typedef enum {
  HG_DDB_OK = 0,
  HG_DDB_ERR_AUTH,     /* credentials or permissions (bad signature, unknown key, denied, expired token) */
  HG_DDB_ERR_NETWORK,  /* no answer, or it kept failing with a retryable error */
  HG_DDB_ERR_HTTP,     /* any other error answer (ResourceNotFoundException, ValidationException, ...) */
} hg_ddb_status;

typedef struct hg_ddb hg_ddb;

/* A client; strings are copied, provider/creds/http borrowed. NULL when
 * libcurl fails to start. */
hg_ddb *hg_ddb_new(const hg_ddb_config *cfg);
void hg_ddb_free(hg_ddb *d);

/* The endpoint in use (no trailing '/'). */
const char *hg_ddb_endpoint(const hg_ddb *d);

/*
 * Call OPERATION ("Scan", "PutItem", "DeleteItem", ...) with body (a map,
 * sent as compact JSON). On success *answer (may be NULL) gets the answer
 * read with hg_emit_read_json (the caller frees it with hg_doc_free). On
 * failure adds one error "WHAT: STATUS CODE: MESSAGE" (what is a short
 * description, e.g. "cannot read table T"); an answer that is not JSON is
 * "WHAT: the answer from ENDPOINT is not JSON" (dynamodb-http) with the
 * parser's reason and position as a note.
 */
hg_ddb_status hg_ddb_call(hg_ddb *d, const char *operation, const hg_doc *body, hg_doc **answer,
                          const char *what, hg_diag_sink *sink);

/* A hint for a DynamoDB error code, or NULL. Static. */
const char *hg_ddb_error_hint(const char *code);

#endif
