/*
 * events.h — stream CloudTrail records out of files, folders and stdin.
 *
 * Reads `{"Records":[...]}` files, bare JSON arrays and JSON lines, each
 * optionally gzip-compressed (detected by its magic bytes, not its name),
 * folders recursively in sorted order, and "-" for stdin. Each record is
 * handed to a callback as compact JSON text (whitespace outside strings
 * removed, key order kept): the message CloudTrail delivers to CloudWatch
 * Logs.
 *
 * Memory is bounded whatever the input: JSON lines stream; a record larger
 * than HG_EVENTS_MAX_RECORD is skipped with a warning; the records of a
 * document ({"Records":[...]} or an array) are held back until the whole
 * document validated only while they stay under HG_EVENTS_MAX_PENDING bytes
 * and HG_EVENTS_MAX_PENDING_RECORDS records, and are streamed beyond (a
 * malformed document then keeps the records read before the error).
 * Small gzip files are inflated whole (libdeflate), larger ones and stdin
 * through a zlib stream.
 *
 * With jobs > 1 (hg_events_run), files are read by that many threads; the
 * results are committed in input order, so the output is the same as with
 * one job.
 *
 * Only regular files are read when named (a FIFO or device named as input
 * would block or never end: it is refused; stdin is "-"). Folders are read
 * recursively in sorted order; what they hold besides regular files and
 * folders is ignored.
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

#define HG_EVENTS_MAX_RECORD (16u << 20)          /* one record, decompressed */
#define HG_EVENTS_MAX_PENDING (32u << 20)         /* document held back, bytes */
#define HG_EVENTS_MAX_PENDING_RECORDS (256u << 10) /* document held back, records */

/*
 * What an event is. Without hg_events_opts.unchecked_docs every event is a
 * HG_EVENT_FINAL record. With it, the records of a document held back
 * (see the file comment) are handed out at once as HG_EVENT_TENTATIVE,
 * and the document's end says what they were: HG_EVENT_CONFIRM (the
 * document validated, or grew past the bound and streams from here on:
 * they count as final records, in the order they came) or HG_EVENT_DROP
 * (it was malformed and is skipped as a whole, or the run was stopped:
 * they never were records). CONFIRM and DROP carry no record (raw NULL,
 * len 0) and come only after at least one TENTATIVE record, one of them
 * after every such run of records before the input ends; a consumer keeps
 * what it derives from tentative records apart until then.
 */
typedef enum hg_event_kind {
  HG_EVENT_FINAL = 0,
  HG_EVENT_TENTATIVE,
  HG_EVENT_CONFIRM,
  HG_EVENT_DROP,
} hg_event_kind;

typedef struct hg_event {
  const char *raw;      /* compact JSON of one record; valid during the callback */
  size_t len;
  const char *file;     /* path as given or found while walking a folder */
  size_t line;          /* 1-based line for JSON lines input, else 0 */
  bool checked;         /* false: not validated (see hg_events_opts) */
  void *turn;           /* private: see hg_events_wait_turn */
  hg_event_kind kind;
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
 * it would have in checked mode. For an unchecked element of a document:
 * the element is read again with full checking; the document is then
 * reported malformed as in checked mode (HG_EVENT_DROP follows), or, should
 * the element be well-formed after all, it is handed out again checked.
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
   * arrays) are checked unless unchecked_docs.
   */
  bool unchecked_lines;
  /*
   * Threads reading files in parallel (hg_events_run). 0 or 1: every file
   * is read in the calling thread. One file is never split between
   * threads, so a single input gains nothing.
   */
  unsigned jobs;
  /*
   * The same fast path for documents, for a consumer that can also take
   * records back (HG_EVENT_TENTATIVE, CONFIRM and DROP above): each
   * element of a held-back document that starts with '{' and is already
   * compact (no whitespace outside strings) has its end found by a skim
   * that matches brackets without validating (jskim.h), and is handed out
   * at once, tentative and unchecked (checked = false): the text is
   * compact, but the consumer must answer HG_EVENT_RECHECK when it does
   * not parse as one JSON object. Every other element is checked as
   * usual, and an object among them is handed out tentative and checked
   * at once too, so records keep their order. Records, counts, warnings
   * and their lines end up as in checked mode; a streaming document's
   * records are checked and final, as without the option.
   */
  bool unchecked_docs;
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

/*
 * Parallel reading with results in input order. Each input file (and
 * stdin) gets a part: what the consumer accumulates for that file alone.
 * Workers fill parts; the calling thread commits them strictly in input
 * order, so a consumer that merges parts in commit() gets the same result
 * as a sequential read. At most 2 * jobs + 2 parts are in flight.
 *
 *   worker_new(ud)        per worker thread state (NULL function: ud)
 *   worker_free(ud, w)
 *   part_new(ud)          an empty part (called up front, parts are reused)
 *   part_free(ud, part)
 *   event(w, part, ev)    one record, in a worker thread; same return as
 *                         hg_event_fn (nonzero stops every worker)
 *   commit(ud, part)      in the calling thread, input order; must leave
 *                         the part empty; nonzero stops the run
 *
 * event() runs concurrently for different files: it may touch only w, part
 * and what is read-only during the run. Diagnostics and statistics are
 * merged in input order too. Returns as hg_events_read.
 */
typedef struct hg_events_ops {
  void *(*worker_new)(void *ud);
  void (*worker_free)(void *ud, void *w);
  void *(*part_new)(void *ud);
  void (*part_free)(void *ud, void *part);
  int (*event)(void *w, void *part, const hg_event *ev);
  int (*commit)(void *ud, void *part);
} hg_events_ops;

int hg_events_run(const char *const *paths, size_t n, const hg_events_ops *ops, void *ud,
                  const hg_events_opts *opts, hg_events_stats *st, hg_diag_sink *sink);

/*
 * From event(): block until every input before ev's file was committed.
 * Afterwards the caller may write its output directly (and must put what
 * its part buffered first): the run commits nothing else until this file
 * ends. Lets a consumer bound the output it buffers per part. Returns at
 * once in a sequential run.
 */
void hg_events_wait_turn(const hg_event *ev);

/* Online CPUs (at least 1): the default for jobs. */
unsigned hg_events_cpus(void);

#endif
