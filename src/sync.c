/*
 * sync.c — detective-data.json to the central DynamoDB tables (see sync.h).
 */
#include "hg/sync.h"

#include <stdlib.h>
#include <string.h>

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
static const char *key_value(const cJSON *item, const char *attr)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(item, attr);
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "S");
  return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* "rule=X" or "rule=X match=Y" (malloc'd); NULL when a key attribute is missing. */
static char *key_text(const hg_sync_table *t, const cJSON *item)
{
  const char *k0 = key_value(item, t->key[0]);
  const char *k1 = t->key[1] ? key_value(item, t->key[1]) : NULL;
  if (!k0 || (t->key[1] && !k1))
    return NULL;
  return t->key[1] ? xasprintf("%s=%s %s=%s", t->key[0], k0, t->key[1], k1) : xasprintf("%s=%s", t->key[0], k0);
}

int hg_sync_data_parse(const char *text, size_t len, const char *path, hg_sync_data *out, hg_diag_sink *sink)
{
  memset(out, 0, sizeof *out);
  size_t errors = sink->errors;
  cJSON *root = cJSON_ParseWithLength(text, len);
  if (!root) {
    hg_diag *d = derr(sink, path, "not valid JSON");
    hg_diag_note(d, "build the environment again: hardengen build --env ENV");
    return -1;
  }
  const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
  const cJSON *env = cJSON_GetObjectItemCaseSensitive(root, "env");
  const cJSON *tables = cJSON_GetObjectItemCaseSensitive(root, "tables");
  if (!cJSON_IsNumber(schema) || schema->valuedouble != 1)
    derr(sink, path, "\"schema\" is not 1: this file was written by another version of hardengen");
  if (!cJSON_IsString(env))
    derr(sink, path, "\"env\" is missing or not a string");
  if (!cJSON_IsArray(tables) || cJSON_GetArraySize(tables) < 1 || cJSON_GetArraySize(tables) > 2)
    derr(sink, path, "\"tables\" must be an array of one or two tables");
  if (sink->errors > errors) {
    cJSON_Delete(root);
    return -1;
  }
  out->root = root;
  out->env = env->valuestring;
  const cJSON *t;
  cJSON_ArrayForEach(t, tables)
  {
    hg_sync_table *st = &out->tables[out->n_tables++];
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(t, "key");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(t, "items");
    int nk = cJSON_GetArraySize(key);
    if (!cJSON_IsString(name) || !*name->valuestring || !cJSON_IsArray(key) || nk < 1 || nk > 2 ||
        !cJSON_IsString(cJSON_GetArrayItem(key, 0)) || (nk == 2 && !cJSON_IsString(cJSON_GetArrayItem(key, 1))) ||
        !cJSON_IsArray(items)) {
      derr(sink, path, "table %d needs \"name\", \"key\" (one or two attribute names) and \"items\"",
           (int)out->n_tables);
      continue;
    }
    st->name = name->valuestring;
    st->key[0] = cJSON_GetArrayItem(key, 0)->valuestring;
    st->key[1] = nk == 2 ? cJSON_GetArrayItem(key, 1)->valuestring : NULL;
    st->items = items;
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
      char *k = cJSON_IsObject(it) ? key_text(st, it) : NULL;
      if (!k) {
        derr(sink, path, "item %d of table %s is not an object with its key attributes as strings", i, st->name);
      } else {
        int j = 0;
        const cJSON *other;
        cJSON_ArrayForEach(other, items)
        {
          if (j++ >= i)
            break;
          char *ok = cJSON_IsObject(other) ? key_text(st, other) : NULL;
          bool same = ok && strcmp(ok, k) == 0;
          free(ok);
          if (same) {
            derr(sink, path, "table %s declares %s twice", st->name, k);
            break;
          }
        }
      }
      free(k);
      i++;
    }
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
  cJSON_Delete(d->root);
  memset(d, 0, sizeof *d);
}

/* ---- diff ---- */

static void push(hg_sync_plan *p, hg_sync_kind kind, const char *table, char *key, cJSON *item)
{
  p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
  p->v[p->n++] = (hg_sync_change){kind, table, key, item};
}

typedef struct keyed {
  char *key;
  const cJSON *item;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
  return strcmp(((const keyed *)a)->key, ((const keyed *)b)->key);
}

/* The key attributes of an item, as a new object (a DeleteItem Key). */
static cJSON *key_of(const hg_sync_table *t, const cJSON *item)
{
  cJSON *k = cJSON_CreateObject();
  for (int i = 0; i < 2 && t->key[i]; i++)
    cJSON_AddItemToObject(k, t->key[i], cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, t->key[i]), true));
  return k;
}

void hg_sync_diff(const hg_sync_data *d, const cJSON *const *current, hg_sync_plan *plan)
{
  memset(plan, 0, sizeof *plan);
  for (size_t ti = 0; ti < d->n_tables; ti++) {
    const hg_sync_table *t = &d->tables[ti];
    int n = cJSON_GetArraySize(current[ti]);
    keyed *have = xcalloc((size_t)n + 1, sizeof *have);
    bool *seen = xcalloc((size_t)n + 1, sizeof *seen);
    size_t nh = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, current[ti])
    {
      char *k = key_text(t, it);
      if (k)
        have[nh++] = (keyed){k, it};
    }
    qsort(have, nh, sizeof *have, cmp_keyed);
    cJSON_ArrayForEach(it, t->items)
    {
      char *k = key_text(t, it);
      keyed probe = {k, NULL};
      keyed *hit = nh ? bsearch(&probe, have, nh, sizeof *have, cmp_keyed) : NULL;
      if (!hit) {
        push(plan, HG_SYNC_ADD, t->name, k, cJSON_Duplicate(it, true));
      } else {
        seen[hit - have] = true;
        if (cJSON_Compare(it, hit->item, true)) {
          plan->unchanged++;
          free(k);
        } else {
          push(plan, HG_SYNC_CHANGE, t->name, k, cJSON_Duplicate(it, true));
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
    cJSON_Delete(plan->v[i].item);
  }
  free(plan->v);
  memset(plan, 0, sizeof *plan);
}

/* ---- network ---- */

/* Every item of a table (all pages of a consistent Scan), into *items. */
static hg_ddb_status scan(hg_ddb *ddb, const char *table, cJSON **items, hg_diag_sink *sink)
{
  *items = cJSON_CreateArray();
  cJSON *start = NULL;
  char *what = xasprintf("cannot read table %s", table);
  hg_ddb_status st = HG_DDB_OK;
  for (int page = 0; page < MAX_SCAN_PAGES; page++) {
    cJSON *rq = cJSON_CreateObject();
    cJSON_AddStringToObject(rq, "TableName", table);
    cJSON_AddBoolToObject(rq, "ConsistentRead", true);
    if (start)
      cJSON_AddItemToObject(rq, "ExclusiveStartKey", start);
    start = NULL;
    char *body = cJSON_PrintUnformatted(rq);
    cJSON_Delete(rq);
    cJSON *ans = NULL;
    st = hg_ddb_call(ddb, "Scan", body, &ans, what, sink);
    free(body);
    if (st != HG_DDB_OK)
      break;
    cJSON *got = cJSON_DetachItemFromObjectCaseSensitive(ans, "Items");
    cJSON *it;
    while (cJSON_IsArray(got) && (it = cJSON_DetachItemFromArray(got, 0)))
      cJSON_AddItemToArray(*items, it);
    cJSON_Delete(got);
    cJSON *last = cJSON_DetachItemFromObjectCaseSensitive(ans, "LastEvaluatedKey");
    cJSON_Delete(ans);
    if (!cJSON_IsObject(last) || cJSON_GetArraySize(last) == 0) {
      cJSON_Delete(last);
      break;
    }
    start = last;
  }
  cJSON_Delete(start);
  free(what);
  return st;
}

static hg_ddb_status apply(hg_ddb *ddb, const hg_sync_change *c, hg_diag_sink *sink)
{
  cJSON *rq = cJSON_CreateObject();
  cJSON_AddStringToObject(rq, "TableName", c->table);
  cJSON_AddItemToObject(rq, c->kind == HG_SYNC_REMOVE ? "Key" : "Item", cJSON_Duplicate(c->item, true));
  char *body = cJSON_PrintUnformatted(rq);
  cJSON_Delete(rq);
  char *what = xasprintf("cannot %s %s in table %s", c->kind == HG_SYNC_REMOVE ? "delete" : "write", c->key_text,
                         c->table);
  hg_ddb_status st = hg_ddb_call(ddb, c->kind == HG_SYNC_REMOVE ? "DeleteItem" : "PutItem", body, NULL, what, sink);
  free(what);
  free(body);
  return st;
}

hg_ddb_status hg_sync_run(hg_ddb *ddb, const hg_sync_data *d, bool dry_run, hg_sync_report_fn report, void *ctx,
                          hg_sync_plan *plan, size_t *applied, hg_diag_sink *sink)
{
  memset(plan, 0, sizeof *plan);
  *applied = 0;
  cJSON *current[2] = {NULL, NULL};
  hg_ddb_status st = HG_DDB_OK;
  /* Read everything first: nothing is written unless every table answered. */
  for (size_t i = 0; i < d->n_tables && st == HG_DDB_OK; i++)
    st = scan(ddb, d->tables[i].name, &current[i], sink);
  if (st == HG_DDB_OK) {
    hg_sync_diff(d, (const cJSON *const *)current, plan);
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
  cJSON_Delete(current[0]);
  cJSON_Delete(current[1]);
  return st;
}
