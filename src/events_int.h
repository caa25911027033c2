/*
 * events_int.h — the pieces shared by the record reader (events.c: one
 * input, bytes to records) and the run (events_run.c: walking paths,
 * worker threads, commits in input order). Internal to the library.
 */
#ifndef HG_EVENTS_INT_H
#define HG_EVENTS_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/events.h"

/* One unit of work: a file named or found, or stdin. */
typedef struct ev_input {
  const char *path;      /* display name; "<stdin>" for stdin */
  bool is_stdin;
  hg_events_stats st;    /* this input's own counts */
  hg_diag_sink sink;     /* this input's own warnings (the run caps the total) */
} ev_input;

/* Where a reader hands its records. fn returns as hg_event_fn. */
typedef struct ev_out {
  int (*fn)(void *ctx, const hg_event *ev);
  void *ctx;
  void *turn;            /* copied into every hg_event */
  atomic_int *stop;      /* shared: set when a consumer asked to stop */
} ev_out;

/* Per thread reading state (buffers reused from input to input). */
typedef struct ev_reader ev_reader;

/* The fast paths of hg_events_opts (unchecked_lines, unchecked_docs). */
ev_reader *ev_reader_new(bool unchecked_lines, bool unchecked_docs);
void ev_reader_free(ev_reader *r);

/*
 * Read one input: open it (a named input must be a regular file), decode,
 * split into records and hand them to out. Counts and warnings go to in.
 */
void ev_read_input(ev_reader *r, ev_input *in, const ev_out *out);

/*
 * A gzip file inflated ahead of its reading, by another thread (-j 1: the
 * reader scans one file while the next one inflates). ev_ahead_prepare
 * reads and inflates path when it is a regular gzip file small enough to
 * be inflated whole; it never reports anything (anything else, or any
 * failure, leaves the object not ready and the reader then reads the file
 * itself as usual, with its usual warnings). ev_reader_take moves ready
 * content into the reader (false when not ready): the next ev_read_input,
 * which must be of the same file, reads it from there, with the same
 * records, counts and warnings as from the file. One object serves one
 * reader; prepare and take never run at the same time on it.
 */
typedef struct ev_ahead ev_ahead;
ev_ahead *ev_ahead_new(void);
void ev_ahead_free(ev_ahead *a);
void ev_ahead_prepare(ev_ahead *a, const char *path);
bool ev_reader_take(ev_reader *r, ev_ahead *a);

#endif