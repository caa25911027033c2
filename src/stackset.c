/*
 * stackset.c — the CloudFormation Query API calls of `deploy` (see
 * stackset.h), over the one HTTP layer (http.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/stackset.h"
#include "hg/util.h"

void hg_cfn_args_add(hg_cfn_args *a, const char *name, const char *value)
{
  a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
  a->v[a->n].name = xstrdup(name);
  a->v[a->n].value = xstrdup(value);
  a->n++;
}

void hg_cfn_args_addf(hg_cfn_args *a, const char *name, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *v = xvasprintf(fmt, ap);
  va_end(ap);
  hg_cfn_args_add(a, name, v);
  free(v);
}

void hg_cfn_args_free(hg_cfn_args *a)
{
  for (size_t i = 0; i < a->n; i++) {
    free(a->v[i].name);
    free(a->v[i].value);
  }
  free(a->v);
  a->v = NULL;
  a->n = 0;
}

void hg_cfn_args_from_doc(hg_cfn_args *a, const char *prefix, const hg_doc *d)
{
  switch (d->kind) {
  case HG_DOC_MAP:
    for (size_t i = 0; i < d->n; i++) {
      char *p = prefix[0] ? xasprintf("%s.%s", prefix, d->keys[i]) : xstrdup(d->keys[i]);
      hg_cfn_args_from_doc(a, p, d->items[i]);
      free(p);
    }
    break;
  case HG_DOC_SEQ:
    for (size_t i = 0; i < d->n; i++) {
      char *p = xasprintf("%s.member.%zu", prefix, i + 1);
      hg_cfn_args_from_doc(a, p, d->items[i]);
      free(p);
    }
    break;
  case HG_DOC_STR: hg_cfn_args_add(a, prefix, d->str); break;
  case HG_DOC_INT: hg_cfn_args_addf(a, prefix, "%lld", d->num); break;
  case HG_DOC_FLOAT: {
    char buf[32];
    hg_cfn_args_add(a, prefix, hg_doc_float_text(d->f, buf));
    break;
  }
  case HG_DOC_BOOL: hg_cfn_args_add(a, prefix, d->b ? "true" : "false"); break;
  case HG_DOC_NULL: break; /* the query API has no null: the member is left out */
  }
}

int hg_cfn_call(const hg_cfn *c, const char *action, const hg_cfn_args *args, char **body,
                char *code_buf, size_t code_len, bool quiet_codes, hg_diag_sink *sink)
{
  hg_buf form;
  hg_buf_init(&form);
  hg_http_form_add(&form, "Action", action);
  hg_http_form_add(&form, "Version", "2010-05-15");
  for (size_t i = 0; args && i < args->n; i++)
    hg_http_form_add(&form, args->v[i].name, args->v[i].value);
  static const char *const hdrs[] = {
      "Content-Type: application/x-www-form-urlencoded; charset=utf-8", NULL};
  hg_http_request rq = {.method = "POST", .url = c->endpoint, .headers = hdrs,
                        .body = form.data, .body_len = form.len,
                        .service = "cloudformation", .region = c->region,
                        .provider = c->provider};
  hg_http_response rs;
  hg_http_status st = hg_http_send(c->http, &rq, &rs, sink);
  hg_buf_free(&form);
  if (code_buf && code_len)
    snprintf(code_buf, code_len, "%s", rs.error_code);
  int rc = 0;
  if (st != HG_HTTP_OK) {
    if (!quiet_codes || st != HG_HTTP_ERR_HTTP)
      hg_http_diag(sink, "cloudformation", &rs, NULL, "%s failed", action);
    rc = -1;
  } else if (body) {
    *body = rs.body;
    rs.body = NULL;
    rs.body_len = 0;
  }
  hg_http_response_free(&rs);
  return rc;
}

static char **collect(const char *body, const char *open, const char *close)
{
  size_t n = 0, cap = 8;
  char **v = xcalloc(cap, sizeof *v);
  size_t ol = strlen(open);
  for (const char *p = strstr(body, open); p; p = strstr(p, open)) {
    p += ol;
    const char *e = strstr(p, close);
    if (!e)
      break;
    if (n + 1 >= cap) {
      cap *= 2;
      v = xrealloc(v, cap * sizeof *v);
    }
    v[n++] = xstrndup(p, (size_t)(e - p));
    v[n] = NULL;
    p = e + strlen(close);
  }
  return v;
}

char **hg_cfn_xml_all(const char *body, const char *tag)
{
  char *open = xasprintf("<%s>", tag), *close = xasprintf("</%s>", tag);
  char **v = collect(body, open, close);
  for (size_t i = 0; v[i]; i++) {
    char *wrapped = xasprintf("<x>%s</x>", v[i]);
    char *t = hg_http_xml_text(wrapped, strlen(wrapped), "x");
    free(wrapped);
    if (t) {
      free(v[i]);
      v[i] = t;
    }
  }
  free(open);
  free(close);
  return v;
}

char **hg_cfn_xml_members(const char *body)
{
  return collect(body, "<member>", "</member>");
}

void hg_strv_free(char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}
