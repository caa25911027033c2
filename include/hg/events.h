/*
 * events.h — stream CloudTrail records out of files, folders and stdin.
 *
 * Reads `{"Records":[...]}` files, bare JSON arrays and JSON lines, each
 * optionally gzip-compressed (detected by its magic bytes, not its name),
 * folders recursively in sorted order, and "-" for stdin. Each record is
 * handed to a callback as compact JSON text (whitespace outside strings
 * removed, key order kept): the message CloudTrail delivers to CloudWatch
 * Logs. Memory is bounded by the largest single file (JSON lines and gzip
 * input are streamed).
 *
 * Unreadable files, bad gzip, malformed JSON and non-object records are
 * reported to the sink as warnings with file (and line for JSON lines) and
 * skipped; reading goes on.
 */
#ifndef HG_EVENTS_H
#define HG_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"

typedef struct hg_event {
  const char *raw;      /* compact JSON of one record; valid during the callback */
  size_t len;
  const char *file;     /* path as given or found while walking a folder */
  size_t line;          /* 1-based line for JSON lines input, else 0 */
  bool checked;         /* false: an unchecked JSON line (see hg_events_opts) */
} hg_event;

typedef struct hg_events_stats {
  size_t files;           /* files read */
  size_t events;          /* records handed to the callback */
  unsigned long long bytes; /* bytes read after decompression */
  size_t skipped_files;   /* unreadable, bad gzip, not JSON */
  size_t skipped_records; /* malformed lines, non-object records */
} hg_events_stats;

/* Return nonzero to stop reading (or HG_EVENT_RECHECK, see below). */
typedef int (*hg_event_fn)(void *ud, const hg_event *ev);

/*
 * Returned by a callback for an unchecked record it could not parse: the
 * reader takes the record back (it is not counted), reads it again from the
 * same line with full checking, and then either hands it out checked (a
 * record spanning lines, or several on one line) or reports and skips it as
 * it would have in checked mode.
 */
#define HG_EVENT_RECHECK (-2)

typedef struct hg_events_opts {
  bool progress;          /* status line on stderr (files, events, MB/s) */
  /*
   * JSON lines fast path for a consumer that parses every record itself
   * with a validating parser: each line starting with '{' is handed out as
   * it is (leading and trailing whitespace trimmed) with checked = false,
   * neither validated nor compacted. The consumer must answer
   * HG_EVENT_RECHECK when the text does not parse as one JSON value, and
   * must not rely on the text being compact. Documents (Records files,
   * arrays) are always checked.
   */
  bool unchecked_lines;
} hg_events_opts;

/*
 * Read every path (files, folders, "-"). progress, when true, prints a
 * status line to stderr (files, events, MB/s). Returns 0 when the walk
 * completed (even with skipped input), 1 when the callback stopped it, -1 on
 * an internal error.
 */
int hg_events_read(const char *const *paths, size_t n, hg_event_fn fn, void *ud, bool progress,
                   hg_events_stats *st, hg_diag_sink *sink);

/* As hg_events_read, with options (NULL: the defaults, everything checked). */
int hg_events_read_opts(const char *const *paths, size_t n, hg_event_fn fn, void *ud,
                        const hg_events_opts *opts, hg_events_stats *st, hg_diag_sink *sink);

#endif
