/*
 * plan_manifest.c — manifest.json: what was built from which inputs. The
 * publisher reads it; its keys and their order are part of the contract:
 *
 *   {"schema","tool","version","env","digest","parent","parameters":{six defaults},
 *    "account_id" (or null),"capabilities":["CAPABILITY_IAM"|"CAPABILITY_NAMED_IAM"],
 *    "email_subscriptions":N (they wait for confirmation),
 *    "object_lock":{"mode","days"} or null,
 *    "templates":[{"name","size","sha256","resources"}] (upload order),
 *    "data":[{"name","size","sha256"}] (the listed files of p->files; only with
 *       detective: detective-data.json),
 *    "filters":[{"id","cis","metric","alarm","topic"}]}
 *
 * Built as a document and printed by the one JSON writer (emit.h).
 */
#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"
#include "hg/plan_model.h"
#include "hg/version.h"
#include "plan_int.h"

static void set_str_or_null(hg_doc *m, const char *k, const char *s)
{
  hg_doc_set(m, k, s ? hg_doc_str(s) : hg_doc_null());
}

void hg_plan_manifest(const hg_compiled *c, hg_plan *p)
{
  const hg_profile *pr = c->profile;
  hg_doc *m = hg_doc_map();
  hg_doc_set_int(m, "schema", HG_JSON_SCHEMA);
  hg_doc_set_str(m, "tool", "hardengen");
  hg_doc_set_str(m, "version", HG_VERSION);
  hg_doc_set_str(m, "env", p->env);
  hg_doc_set_str(m, "digest", p->digest);
  set_str_or_null(m, "parent", p->n ? p->t[p->n - 1].name : NULL);
  hg_doc *params = hg_doc_set_map(m, "parameters");
  for (size_t i = 0; i < hg_plan_n_params; i++) {
    hg_doc *v = hg_plan_param_default(&hg_plan_params[i], pr);
    hg_doc_set(params, hg_plan_params[i].name, v ? v : hg_doc_null());
  }
  set_str_or_null(m, "account_id", pr->account_id);
  hg_doc_push_str(hg_doc_set_seq(m, "capabilities"), hg_plan_capability(p));
  size_t emails = 0;
  for (size_t i = 0; i < pr->n_infosec; i++)
    emails += pr->infosec[i].kind == HG_EP_EMAIL;
  for (size_t i = 0; i < pr->n_devops; i++)
    emails += pr->devops[i].kind == HG_EP_EMAIL;
  hg_doc_set_int(m, "email_subscriptions", (long long)emails);
  if (pr->object_lock_mode) {
    hg_doc *lock = hg_doc_set_map(m, "object_lock");
    hg_doc_set_str(lock, "mode", pr->object_lock_mode);
    hg_doc_set_int(lock, "days", pr->object_lock_days);
  } else {
    hg_doc_set_null(m, "object_lock");
  }
  hg_doc *ts = hg_doc_set_seq(m, "templates");
  for (size_t i = 0; i < p->n; i++) {
    const hg_plan_template *t = &p->t[i];
    hg_doc *o = hg_doc_push(ts, hg_doc_map());
    hg_doc_set_str(o, "name", t->name);
    hg_doc_set_int(o, "size", (long long)t->len);
    hg_doc_set_str(o, "sha256", t->sha256);
    hg_doc_set_int(o, "resources", (long long)t->resources);
  }
  hg_doc *data = NULL; /* SPEC §11: the detective tables' items, for `hardengen sync` */
  for (size_t i = 0; i < p->n_files; i++) {
    const hg_plan_file *f = &p->files[i];
    if (!f->listed)
      continue;
    if (!data)
      data = hg_doc_set_seq(m, "data");
    hg_doc *o = hg_doc_push(data, hg_doc_map());
    hg_doc_set_str(o, "name", f->name);
    hg_doc_set_int(o, "size", (long long)f->len);
    hg_doc_set_str(o, "sha256", f->sha256);
  }
  hg_doc *fs = hg_doc_set_seq(m, "filters");
  for (size_t i = 0; i < p->n_filters; i++) {
    const hg_plan_filter *f = &p->filters[i];
    hg_doc *o = hg_doc_push(fs, hg_doc_map());
    hg_doc_set_str(o, "id", f->id);
    set_str_or_null(o, "cis", f->cis);
    hg_doc_set_str(o, "metric", f->metric);
    hg_doc_set_str(o, "alarm", f->alarm);
    hg_doc_set_str(o, "topic", f->topic);
  }
  hg_buf b;
  hg_buf_init(&b);
  hg_emit_json(m, &b);
  hg_doc_free(m);
  free(p->manifest);
  p->manifest = hg_buf_take(&b, &p->manifest_len);
}
