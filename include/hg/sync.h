/*
 * sync.h — `hardengen sync` (SPEC §11): make the central DynamoDB tables
 * hold exactly the items of out/ENV/detective-data.json.
 *
 *   read detective-data.json (checked against manifest.json)
 *     -> Scan every table (all pages) -> diff by key
 *     -> PutItem for each added or changed item, DeleteItem for each item
 *        no longer declared
 *
 * Idempotent: a second run finds nothing to do. Every table is read before
 * anything is written, so bad credentials or a missing table change
 * nothing; a failure during the writes leaves a state the next run
 * converges from (the diff is computed again from what the tables hold).
 *
 * Items are compared as DynamoDB JSON values: maps without regard to key
 * order, lists in order (hg_doc_equal). The data file and the Scan answers
 * are read with the one JSON reader (hg_emit_read_json): a member name
 * repeated in an item keeps its last value, a string holding U+0000 makes
 * the file (or the answer) unreadable.
 *
 * Library code: nothing printed; each change goes to a callback.
 */
#ifndef HG_SYNC_H
#define HG_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/dynamodb.h"

typedef struct hg_sync_table {
  const char *name;        /* borrowed from the data tree */
  const char *key[2];      /* key attribute names; key[1] NULL for a partition key only */
  const hg_doc *items;     /* the declared items (a SEQ; borrowed from the data tree) */
} hg_sync_table;

typedef struct hg_sync_data {
  hg_doc *root;            /* owned */
  const char *env;
  hg_sync_table tables[2];
  size_t n_tables;
} hg_sync_data;

/*
 * Parse detective-data.json text. path names it in diagnostics (code
 * `sync-data`; text that is not JSON gets path:line:col and a caret). Checks the shape of the interface: schema 1, env, tables
 * with name, key (one or two names) and items that carry their key
 * attributes as {"S": ...}, no two items with the same key. Returns 0 or -1.
 */
int hg_sync_data_parse(const char *text, size_t len, const char *path, hg_sync_data *out, hg_diag_sink *sink);
void hg_sync_data_free(hg_sync_data *d);

typedef enum { HG_SYNC_ADD, HG_SYNC_CHANGE, HG_SYNC_REMOVE } hg_sync_kind;

typedef struct hg_sync_change {
  hg_sync_kind kind;
  const char *table;
  char *key_text;          /* owned; "rule=restricted-ssh" or "rule=* match=tag:k=v" */
  hg_doc *item;            /* owned; ADD/CHANGE: the item to put; REMOVE: the key to delete */
} hg_sync_change;

typedef struct hg_sync_plan {
  hg_sync_change *v;       /* owned; per table: adds and changes in key order, then removals */
  size_t n;
  size_t unchanged;
} hg_sync_plan;

/*
 * The changes that turn current (one SEQ of items per table of d, as Scan
 * returned them) into d. Pure: no network.
 */
void hg_sync_diff(const hg_sync_data *d, const hg_doc *const *current, hg_sync_plan *plan);
void hg_sync_plan_free(hg_sync_plan *plan);

/* Called for each change as it is applied (or, in a dry run, planned). */
typedef void (*hg_sync_report_fn)(void *ctx, const hg_sync_change *c, bool dry_run);

/*
 * Scan the tables, diff, and (unless dry_run) apply. plan receives what was
 * planned; *applied the number of changes written. Returns HG_DDB_OK or the
 * first failure (its diagnostic is in sink).
 */
hg_ddb_status hg_sync_run(hg_ddb *ddb, const hg_sync_data *d, bool dry_run, hg_sync_report_fn report, void *ctx,
                          hg_sync_plan *plan, size_t *applied, hg_diag_sink *sink);

#endif
