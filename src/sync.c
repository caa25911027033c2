/*
 * sync.c — detective-data.json to the central DynamoDB tables (see sync.h).
 */
#include "hg/sync.h"

#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"
#include "hg/util.h"

#define MAX_SCAN_PAGES 10000

static hg_diag *derr(hg_diag_sink *sink, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static hg_diag *derr(hg_diag_sink *sink, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_diag_vadd(sink, HG_SEV_ERROR, path, 0, 0, "sync-data", fmt, ap);
  va_end(ap);
  return d;
}

/* The string of a key attribute {"S": "..."} of an item, or NULL. */
static const char *key_value(const hg_doc *item, const char *attr)
{
  return hg_doc_get_str(hg_doc_get_map(item, attr), "S");
}

/* "rule=X" or "rule=X match=Y" (malloc'd); NULL when a key attribute is missing. */
static char *key_text(const hg_sync_table *t, const hg_doc *item)
{
  const char *k0 = key_value(item, t->key[0]);
  const char *k1 = t->key[1] ? key_value(item, t->key[1]) : NULL;
  if (!k0 || (t->key[1] && !k1))
    return NULL;
  return t->key[1] ? xasprintf("%s=%s %s=%s", t->key[0], k0, t->key[1], k1) : xasprintf("%s=%s", t->key[0], k0);
}

/* The i-th item of seq when it is a string, else NULL. */
static const char *seq_str(const hg_doc *seq, size_t i)
{
  return i < seq->n && seq->items[i]->kind == HG_DOC_STR ? seq->items[i]->str : NULL;
}

/* Check one table of the data file into st; false (with an error) when its
 * shape is wrong. number is 1-based. */
static bool parse_table(const hg_doc *t, size_t number, const char *path, hg_sync_table *st, hg_diag_sink *sink)
{
  const char *name = hg_doc_get_str(t, "name");
  const hg_doc *key = hg_doc_get_seq(t, "key");
  const hg_doc *items = hg_doc_get_seq(t, "items");
  size_t nk = key ? key->n : 0;
  if (!name || !*name || nk < 1 || nk > 2 || !seq_str(key, 0) || (nk == 2 && !seq_str(key, 1)) || !items) {
    derr(sink, path, "table %zu needs \"name\", \"key\" (one or two attribute names) and \"items\"", number);
    return false;
  }
  st->name = name;
  st->key[0] = seq_str(key, 0);
  st->key[1] = nk == 2 ? seq_str(key, 1) : NULL;
  st->items = items;
  for (size_t i = 0; i < items->n; i++) {
    char *k = key_text(st, items->items[i]);
    if (!k) {
      derr(sink, path, "item %zu of table %s is not an object with its key attributes as strings", i, st->name);
      continue;
    }
    for (size_t j = 0; j < i; j++) {
      char *ok = key_text(st, items->items[j]);
      bool same = ok && strcmp(ok, k) == 0;
      free(ok);
      if (same) {
        derr(sink, path, "table %s declares %s twice", st->name, k);
        break;
      }
    }
    free(k);
  }
  return true;
}

int hg_sync_data_parse(const char *text, size_t len, const char *path, hg_sync_data *out, hg_diag_sink *sink)
{
  memset(out, 0, sizeof *out);
  size_t errors = sink->errors;
  hg_doc *root = hg_emit_read_json(text, len, path, "sync-data", sink);
  if (!root) {
    hg_diag_note(&sink->v[sink->n - 1], "build the environment again: hardengen build --env ENV");
    return -1;
  }
  double schema = 0;
  const char *env = hg_doc_get_str(root, "env");
  const hg_doc *tables = hg_doc_get_seq(root, "tables");
  if (!hg_doc_get_num(root, "schema", &schema) || schema != 1)
    derr(sink, path, "\"schema\" is not 1: this file was written by another version of hardengen");
  if (!env)
    derr(sink, path, "\"env\" is missing or not a string");
  if (!tables || tables->n < 1 || tables->n > 2)
    derr(sink, path, "\"tables\" must be an array of one or two tables");
  if (sink->errors > errors) {
    hg_doc_free(root);
    return -1;
  }
  out->root = root;
  out->env = env;
  for (size_t i = 0; i < tables->n; i++) {
    hg_sync_table *st = &out->tables[out->n_tables++];
    parse_table(tables->items[i], out->n_tables, path, st, sink);
  }
  if (out->n_tables == 2 && out->tables[0].name && out->tables[1].name &&
      strcmp(out->tables[0].name, out->tables[1].name) == 0)
    derr(sink, path, "both tables are named %s", out->tables[0].name);
  if (sink->errors > errors) {
    hg_sync_data_free(out);
    return -1;
  }
  return 0;
}

void hg_sync_data_free(hg_sync_data *d)
{
  hg_doc_free(d->root);
  memset(d, 0, sizeof *d);
}

/* ---- diff ---- */

static void push(hg_sync_plan *p, hg_sync_kind kind, const char *table, char *key, hg_doc *item)
{
  p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
  p->v[p->n++] = (hg_sync_change){kind, table, key, item};
}

typedef struct keyed {
  char *key;
  const hg_doc *item;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
  return strcmp(((const keyed *)a)->key, ((const keyed *)b)->key);
}

/* The key attributes of an item, as a new map (a DeleteItem Key). */
static hg_doc *key_of(const hg_sync_table *t, const hg_doc *item)
{
  hg_doc *k = hg_doc_map();
  for (int i = 0; i < 2 && t->key[i]; i++)
    hg_doc_set(k, t->key[i], hg_doc_clone(hg_doc_get(item, t->key[i])));
  return k;
}

void hg_sync_diff(const hg_sync_data *d, const hg_doc *const *current, hg_sync_plan *plan)
{
  memset(plan, 0, sizeof *plan);
  for (size_t ti = 0; ti < d->n_tables; ti++) {
    const hg_sync_table *t = &d->tables[ti];
    const hg_doc *cur = current[ti];
    size_t n = cur && cur->kind == HG_DOC_SEQ ? cur->n : 0;
    keyed *have = xcalloc(n + 1, sizeof *have);
    bool *seen = xcalloc(n + 1, sizeof *seen);
    size_t nh = 0;
    for (size_t i = 0; i < n; i++) {
      char *k = key_text(t, cur->items[i]);
      if (k)
        have[nh++] = (keyed){k, cur->items[i]};
    }
    qsort(have, nh, sizeof *have, cmp_keyed);
    for (size_t i = 0; i < t->items->n; i++) {
      const hg_doc *it = t->items->items[i];
      char *k = key_text(t, it);
      keyed probe = {k, NULL};
      keyed *hit = nh ? bsearch(&probe, have, nh, sizeof *have, cmp_keyed) : NULL;
      if (!hit) {
        push(plan, HG_SYNC_ADD, t->name, k, hg_doc_clone(it));
      } else {
        seen[hit - have] = true;
        if (hg_doc_equal(it, hit->item)) {
          plan->unchanged++;
          free(k);
        } else {
          push(plan, HG_SYNC_CHANGE, t->name, k, hg_doc_clone(it));
        }
      }
    }
    for (size_t i = 0; i < nh; i++) {
      if (!seen[i])
        push(plan, HG_SYNC_REMOVE, t->name, have[i].key, key_of(t, have[i].item));
      else
        free(have[i].key);
    }
    free(have);
    free(seen);
  }
}

void hg_sync_plan_free(hg_sync_plan *plan)
{
  for (size_t i = 0; i < plan->n; i++) {
    free(plan->v[i].key_text);
    hg_doc_free(plan->v[i].item);
  }
  free(plan->v);
  memset(plan, 0, sizeof *plan);
}

/* ---- network ---- */

/* Move the children of seq src to the end of seq dst; src is left empty. */
static void take_items(hg_doc *dst, hg_doc *src)
{
  for (size_t i = 0; i < src->n; i++)
    hg_doc_push(dst, src->items[i]);
  src->n = 0;
}

/* Every item of a table (all pages of a consistent Scan), into *items. */
static hg_ddb_status scan(hg_ddb *ddb, const char *table, hg_doc **items, hg_diag_sink *sink)
{
  *items = hg_doc_seq();
  hg_doc *start = NULL;
  char *what = xasprintf("cannot read table %s", table);
  hg_ddb_status st = HG_DDB_OK;
  for (int page = 0; page < MAX_SCAN_PAGES; page++) {
    hg_doc *rq = hg_doc_map();
    hg_doc_set_str(rq, "TableName", table);
    hg_doc_set_bool(rq, "ConsistentRead", true);
    if (start)
      hg_doc_set(rq, "ExclusiveStartKey", start);
    start = NULL;
    hg_doc *ans = NULL;
    st = hg_ddb_call(ddb, "Scan", rq, &ans, what, sink);
    hg_doc_free(rq);
    if (st != HG_DDB_OK)
      break;
    hg_doc *got = hg_doc_get_seq(ans, "Items");
    if (got)
      take_items(*items, got);
    hg_doc *last = hg_doc_get_map(ans, "LastEvaluatedKey");
    if (last && last->n > 0)
      start = hg_doc_clone(last);
    hg_doc_free(ans);
    if (!start)
      break;
  }
  hg_doc_free(start);
  free(what);
  return st;
}

static hg_ddb_status apply(hg_ddb *ddb, const hg_sync_change *c, hg_diag_sink *sink)
{
  hg_doc *rq = hg_doc_map();
  hg_doc_set_str(rq, "TableName", c->table);
  hg_doc_set(rq, c->kind == HG_SYNC_REMOVE ? "Key" : "Item", hg_doc_clone(c->item));
  char *what = xasprintf("cannot %s %s in table %s", c->kind == HG_SYNC_REMOVE ? "delete" : "write", c->key_text,
                         c->table);
  hg_ddb_status st = hg_ddb_call(ddb, c->kind == HG_SYNC_REMOVE ? "DeleteItem" : "PutItem", rq, NULL, what, sink);
  free(what);
  hg_doc_free(rq);
  return st;
}

hg_ddb_status hg_sync_run(hg_ddb *ddb, const hg_sync_data *d, bool dry_run, hg_sync_report_fn report, void *ctx,
                          hg_sync_plan *plan, size_t *applied, hg_diag_sink *sink)
{
  memset(plan, 0, sizeof *plan);
  *applied = 0;
  hg_doc *current[2] = {NULL, NULL};
  hg_ddb_status st = HG_DDB_OK;
  /* Read everything first: nothing is written unless every table answered. */
  for (size_t i = 0; i < d->n_tables && st == HG_DDB_OK; i++)
    st = scan(ddb, d->tables[i].name, &current[i], sink);
  if (st == HG_DDB_OK) {
    hg_sync_diff(d, (const hg_doc *const *)current, plan);
    for (size_t i = 0; i < plan->n && st == HG_DDB_OK; i++) {
      if (!dry_run)
        st = apply(ddb, &plan->v[i], sink);
      if (st == HG_DDB_OK) {
        if (!dry_run)
          (*applied)++;
        if (report)
          report(ctx, &plan->v[i], dry_run);
      }
    }
  }
  hg_doc_free(current[0]);
  hg_doc_free(current[1]);
  return st;
}
