/*
 * plan_manifest.c — manifest.json: what was built from which inputs. The
 * publisher reads it; its keys and their order are part of the contract:
 *
 *   {"schema","tool","version","env","digest","parent","parameters":{six defaults},
 *    "account_id" (or null),"capabilities":["CAPABILITY_IAM"|"CAPABILITY_NAMED_IAM"],
 *    "email_subscriptions":N (they wait for confirmation),
 *    "object_lock":{"mode","days"} or null,
 *    "templates":[{"name","size","sha256","resources"}] (upload order),
 *    "data":[{"name","size","sha256"}] (only with detective: detective-data.json),
 *    "filters":[{"id","cis","metric","alarm","topic"}]}
 */
#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"
#include "hg/plan_model.h"
#include "hg/version.h"
#include "plan_int.h"

static void key(hg_buf *b, int indent, const char *k)
{
  for (int i = 0; i < indent; i++)
    hg_buf_putc(b, ' ');
  hg_emit_json_string(b, k);
  hg_buf_puts(b, ": ");
}

static void str_or_null(hg_buf *b, const char *s)
{
  if (s)
    hg_emit_json_string(b, s);
  else
    hg_buf_puts(b, "null");
}

void hg_plan_manifest(const hg_compiled *c, hg_plan *p)
{
  const hg_profile *pr = c->profile;
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "{\n");
  key(&b, 2, "schema"); hg_buf_printf(&b, "%d,\n", HG_JSON_SCHEMA);
  key(&b, 2, "tool"); hg_buf_puts(&b, "\"hardengen\",\n");
  key(&b, 2, "version"); hg_emit_json_string(&b, HG_VERSION); hg_buf_puts(&b, ",\n");
  key(&b, 2, "env"); hg_emit_json_string(&b, p->env); hg_buf_puts(&b, ",\n");
  key(&b, 2, "digest"); hg_emit_json_string(&b, p->digest); hg_buf_puts(&b, ",\n");
  key(&b, 2, "parent"); str_or_null(&b, p->n ? p->t[p->n - 1].name : NULL); hg_buf_puts(&b, ",\n");
  key(&b, 2, "parameters"); hg_buf_puts(&b, "{\n");
  for (size_t i = 0; i < hg_plan_n_params; i++) {
    key(&b, 4, hg_plan_params[i].name);
    hg_doc *v = hg_plan_param_default(&hg_plan_params[i], pr);
    if (v && v->kind == HG_DOC_INT)
      hg_buf_printf(&b, "%lld", v->num);
    else
      str_or_null(&b, v && v->kind == HG_DOC_STR ? v->str : NULL);
    hg_doc_free(v);
    hg_buf_puts(&b, i + 1 < hg_plan_n_params ? ",\n" : "\n");
  }
  hg_buf_puts(&b, "  },\n");
  key(&b, 2, "account_id"); str_or_null(&b, pr->account_id); hg_buf_puts(&b, ",\n");
  key(&b, 2, "capabilities"); hg_buf_puts(&b, "[");
  hg_emit_json_string(&b, hg_plan_capability(p)); hg_buf_puts(&b, "],\n");
  size_t emails = 0;
  for (size_t i = 0; i < pr->n_infosec; i++)
    emails += pr->infosec[i].kind == HG_EP_EMAIL;
  for (size_t i = 0; i < pr->n_devops; i++)
    emails += pr->devops[i].kind == HG_EP_EMAIL;
  key(&b, 2, "email_subscriptions"); hg_buf_printf(&b, "%zu,\n", emails);
  key(&b, 2, "object_lock");
  if (pr->object_lock_mode)
    hg_buf_printf(&b, "{\"mode\": \"%s\", \"days\": %d},\n", pr->object_lock_mode, pr->object_lock_days);
  else
    hg_buf_puts(&b, "null,\n");
  key(&b, 2, "templates"); hg_buf_puts(&b, p->n ? "[\n" : "[]");
  for (size_t i = 0; i < p->n; i++) {
    const hg_plan_template *t = &p->t[i];
    hg_buf_puts(&b, "    {\n");
    key(&b, 6, "name"); hg_emit_json_string(&b, t->name); hg_buf_puts(&b, ",\n");
    key(&b, 6, "size"); hg_buf_printf(&b, "%zu,\n", t->len);
    key(&b, 6, "sha256"); hg_emit_json_string(&b, t->sha256); hg_buf_puts(&b, ",\n");
    key(&b, 6, "resources"); hg_buf_printf(&b, "%zu\n", t->resources);
    hg_buf_puts(&b, i + 1 < p->n ? "    },\n" : "    }\n  ]");
  }
  hg_buf_puts(&b, ",\n");
  if (p->data) { /* SPEC §11: the detective tables' items, for `hardengen sync` */
    key(&b, 2, "data"); hg_buf_puts(&b, "[\n    {\n");
    key(&b, 6, "name"); hg_emit_json_string(&b, HG_PLAN_DATA_NAME); hg_buf_puts(&b, ",\n");
    key(&b, 6, "size"); hg_buf_printf(&b, "%zu,\n", p->data_len);
    key(&b, 6, "sha256"); hg_emit_json_string(&b, p->data_sha256); hg_buf_puts(&b, "\n");
    hg_buf_puts(&b, "    }\n  ],\n");
  }
  key(&b, 2, "filters"); hg_buf_puts(&b, p->n_filters ? "[\n" : "[]");
  for (size_t i = 0; i < p->n_filters; i++) {
    const hg_plan_filter *f = &p->filters[i];
    hg_buf_puts(&b, "    {\n");
    key(&b, 6, "id"); hg_emit_json_string(&b, f->id); hg_buf_puts(&b, ",\n");
    key(&b, 6, "cis"); str_or_null(&b, f->cis); hg_buf_puts(&b, ",\n");
    key(&b, 6, "metric"); hg_emit_json_string(&b, f->metric); hg_buf_puts(&b, ",\n");
    key(&b, 6, "alarm"); hg_emit_json_string(&b, f->alarm); hg_buf_puts(&b, ",\n");
    key(&b, 6, "topic"); hg_emit_json_string(&b, f->topic); hg_buf_puts(&b, "\n");
    hg_buf_puts(&b, i + 1 < p->n_filters ? "    },\n" : "    }\n  ]");
  }
  hg_buf_puts(&b, "\n}\n");
  free(p->manifest);
  p->manifest = hg_buf_take(&b, &p->manifest_len);
}
