/*
 * dynamodb.c — DynamoDB JSON 1.0 calls on the shared signed-request layer
 * (see dynamodb.h and http.h).
 */
#include "hg/dynamodb.h"

#include <stdlib.h>
#include <string.h>

#include "hg/awscfg.h"
#include "hg/emit.h"
#include "hg/util.h"

#define MAX_ANSWER (16u << 20) /* a Scan page is at most 1 MB of items */

struct hg_ddb {
  hg_http *http, *own_http;
  char *region, *endpoint, *url;
  hg_creds_provider *provider;
  const hg_creds *creds;
};

hg_ddb *hg_ddb_new(const hg_ddb_config *cfg)
{
  hg_ddb *d = xcalloc(1, sizeof *d);
  d->http = cfg->http;
  if (!d->http) {
    hg_http_config hc = {0};
    d->http = d->own_http = hg_http_new(&hc);
    if (!d->http) {
      free(d);
      return NULL;
    }
  }
  d->region = xstrdup(cfg->region);
  if (cfg->endpoint) {
    size_t n = strlen(cfg->endpoint);
    while (n > 0 && cfg->endpoint[n - 1] == '/')
      n--;
    d->endpoint = xstrndup(cfg->endpoint, n);
  } else {
    d->endpoint = hg_awscfg_default_endpoint("dynamodb", cfg->region);
  }
  d->url = xasprintf("%s/", d->endpoint);
  d->provider = cfg->provider;
  d->creds = cfg->creds;
  return d;
}

void hg_ddb_free(hg_ddb *d)
{
  if (!d)
    return;
  hg_http_free(d->own_http);
  free(d->region);
  free(d->endpoint);
  free(d->url);
  free(d);
}

const char *hg_ddb_endpoint(const hg_ddb *d)
{
  return d->endpoint;
}

const char *hg_ddb_error_hint(const char *code)
{
  if (!code)
    return NULL;
  if (strcmp(code, "UnrecognizedClientException") == 0 || strcmp(code, "InvalidSignatureException") == 0)
    return "the access key or the secret access key is wrong";
  if (strcmp(code, "ExpiredTokenException") == 0)
    return "the session token has expired";
  if (strcmp(code, "ResourceNotFoundException") == 0)
    return "the table does not exist: deploy central.global.yaml first";
  return NULL;
}

/* The answer of a successful call as a document, or NULL after an error. */
static hg_doc *read_answer(const hg_ddb *d, const hg_http_response *rs, const char *what, hg_diag_sink *sink)
{
  hg_diag_sink local;
  hg_diag_init(&local);
  hg_doc *doc = hg_emit_read_json(rs->body ? rs->body : "", rs->body ? rs->body_len : 0, "answer",
                                  "dynamodb-http", &local);
  if (!doc && local.n > 0 && local.v[0].line == 0) {
    /* Valid JSON a document cannot hold (a string with U+0000). */
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "dynamodb-http", "%s: the answer from %s cannot be read: %s", what,
                d->endpoint, local.v[0].message);
  } else if (!doc) {
    hg_diag *diag = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "dynamodb-http",
                                "%s: the answer from %s is not JSON", what, d->endpoint);
    static const char prefix[] = "not valid JSON: ";
    const char *why = local.n > 0 ? local.v[0].message : NULL;
    if (why && strncmp(why, prefix, sizeof prefix - 1) == 0)
      why += sizeof prefix - 1;
    if (why)
      hg_diag_note(diag, "%s at line %d, column %d", why, local.v[0].line, local.v[0].col);
  }
  hg_diag_free(&local);
  return doc;
}

hg_ddb_status hg_ddb_call(hg_ddb *d, const char *operation, const hg_doc *body, hg_doc **answer,
                          const char *what, hg_diag_sink *sink)
{
  if (answer)
    *answer = NULL;
  char *target = xasprintf("X-Amz-Target: DynamoDB_20120810.%s", operation);
  const char *headers[] = {"Content-Type: application/x-amz-json-1.0", target, NULL};
  hg_buf text;
  hg_buf_init(&text);
  hg_emit_json_compact(body, &text);
  hg_http_request rq = {.method = "POST", .url = d->url, .headers = headers, .body = text.data,
                        .body_len = text.len, .service = "dynamodb", .region = d->region,
                        .provider = d->provider, .creds = d->creds, .max_body = MAX_ANSWER};
  hg_http_response rs;
  hg_http_send(d->http, &rq, &rs, sink);
  free(target);
  hg_buf_free(&text);
  hg_ddb_status result = rs.status == HG_HTTP_OK              ? HG_DDB_OK
                         : rs.status == HG_HTTP_ERR_AUTH      ? HG_DDB_ERR_AUTH
                         : rs.status == HG_HTTP_ERR_CREDS     ? HG_DDB_ERR_AUTH
                         : rs.status == HG_HTTP_ERR_NETWORK   ? HG_DDB_ERR_NETWORK
                                                              : HG_DDB_ERR_HTTP;
  if (result == HG_DDB_OK) {
    hg_doc *j = read_answer(d, &rs, what, sink);
    if (!j)
      result = HG_DDB_ERR_HTTP;
    else if (answer)
      *answer = j;
    else
      hg_doc_free(j);
  } else if (rs.status != HG_HTTP_ERR_CREDS) {
    const char *hint = rs.http_status ? hg_ddb_error_hint(rs.error_code) : NULL;
    hg_diag *diag = hg_http_diag(sink, "dynamodb", &rs, hint, "%s", what);
    if (diag && rs.status == HG_HTTP_ERR_NETWORK)
      hg_diag_note(diag, "endpoint %s", d->endpoint);
    if (diag && rs.status == HG_HTTP_ERR_AUTH) {
      const hg_creds *c = d->creds ? d->creds : d->provider ? hg_creds_current(d->provider) : NULL;
      hg_diag_note(diag, "credentials from %s", c && c->source ? c->source : "?");
    }
  }
  hg_http_response_free(&rs);
  return result;
}
