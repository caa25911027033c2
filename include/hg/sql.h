/*
 * sql.h — translate an environment's filter patterns into one SQL query over
 * CloudTrail records (the engine of `hardengen sql`, SPEC §13).
 *
 * The query returns, per filter, the match count, the first and last
 * matching eventTime (text order, as `test --events`), and the count per
 * alarm period (periods aligned to multiples of the filter's period since
 * the Unix epoch, UTC). Its result rows are
 *
 *   filter_id, period_start, matches, first_event_time, last_event_time
 *
 * where the row with period_start NULL is the filter's total (always
 * present, 0 when nothing matched) and the others give one period each
 * (ISO 8601 UTC text), ordered by filter then period.
 *
 * Dialects:
 *   - HG_SQL_ATHENA: the CloudTrail table AWS documents for Athena (typed
 *     columns; requestParameters, responseElements, additionalEventData,
 *     serviceEventDetails and edgeDeviceDetails as JSON text), Trino
 *     functions. The table keeps neither the record's text nor the
 *     difference between a JSON null and a missing member, so term, regex
 *     and space-delimited patterns and IS NULL are not expressible there.
 *   - HG_SQL_DUCKDB: read_json_objects over local files (JSON lines, JSON
 *     arrays and {"Records":[...]} files, gzip by the .gz suffix), records
 *     kept as JSON, so every JSON construct is exact; term and regex
 *     patterns read the record's compact text.
 *
 * Exactness: the query gives the counts `hardengen test --events` gives, or
 * stops with an error naming the filter when a record needs something SQL
 * does not keep (the spelling of a non-integer number in a text comparison,
 * a byte-level regex over non-ASCII text). A construct that can never be
 * expressed exactly in the dialect is a diagnostic (code sql-untranslatable)
 * naming the filter and the construct, and no query is produced.
 *
 * Every literal (pattern text, member names, ids, paths) is written as an
 * escaped SQL string literal, so no input changes the query's structure.
 * The table name must be an identifier (db.table); the extra predicate must
 * be balanced and free of statement separators and comments.
 */
#ifndef HG_SQL_H
#define HG_SQL_H

#include <stddef.h>

#include "hg/diag.h"
#include "hg/fp.h"
#include "hg/util.h"

typedef enum { HG_SQL_ATHENA, HG_SQL_DUCKDB } hg_sql_dialect;

/* One filter to translate (all borrowed). */
typedef struct hg_sql_filter {
  const char *id;
  const hg_fp *fp;       /* parsed pattern; NULL never matches */
  int period;            /* alarm period in seconds (> 0) */
  const char *file;      /* where the pattern was written, for diagnostics (or NULL) */
  int line;
  int col;               /* column of the pattern's first byte in file, or 0 */
} hg_sql_filter;

typedef struct hg_sql_opts {
  hg_sql_dialect dialect;
  const char *table;     /* ATHENA: [db.]table (default cloudtrail_logs) */
  const char *where;     /* ATHENA: extra predicate (partition filter), or NULL */
  const char *const *paths; /* DUCKDB: files, folders or globs to read */
  size_t npaths;
  const char *title;     /* first comment line (e.g. the env), or NULL */
} hg_sql_opts;

/*
 * The query for n filters (malloc'd text ending in a newline), or NULL when
 * an error was added to sink (untranslatable filters, a bad table name or
 * predicate). Every untranslatable filter is reported, not just the first.
 */
char *hg_sql_query(const hg_sql_filter *f, size_t n, const hg_sql_opts *o, hg_diag_sink *sink);

/* Append s as a SQL string literal ('...' with quotes doubled). */
void hg_sql_literal(hg_buf *b, const char *s, size_t n);

#endif
