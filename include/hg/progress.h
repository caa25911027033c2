/*
 * progress.h — the progress line of long reads (`test --events`, `match`)
 * on a terminal: percentage and ETA from the bytes on disk still to read.
 *
 *   \r 42%  23/55 files  1204 events  1.6/3.7 MB  12.0 MB/s  ETA 0:07
 *
 * The total is known before reading (the sizes of the files named and
 * found in folders); gzip input counts by its compressed bytes, so the
 * percentage tracks the disk, not the decompressed size. Without a total
 * (standard input) the line has no percentage or ETA. The CLI decides
 * whether to show it (stderr is a terminal); this module only formats and
 * writes the line it is handed.
 */
#ifndef HG_PROGRESS_H
#define HG_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

typedef struct hg_progress {
  unsigned long long total;   /* bytes on disk to read; 0 = unknown */
  struct timespec t0, tlast;
  FILE *out;                  /* where the line goes (stderr) */
} hg_progress;

/*
 * Bytes on disk of paths, walked as the event reader walks them: regular
 * files, folders recursively (hidden entries skipped, links to folders not
 * followed inside a walk). "-" (stdin) counts 0. Unreadable entries count 0.
 */
unsigned long long hg_progress_total(const char *const *paths, size_t n);

void hg_progress_start(hg_progress *p, unsigned long long total, FILE *out);

/*
 * Redraw the line when final or a quarter second passed since the last one.
 * done: bytes on disk read so far; files, events: counts so far; bytes: bytes
 * after decompression. final ends the line with a newline.
 */
void hg_progress_show(hg_progress *p, unsigned long long done, size_t files, size_t events,
                      bool final);

/* The line's text (no '\r') for the given figures, into out (cap bytes). */
void hg_progress_format(char *out, size_t cap, unsigned long long done, unsigned long long total,
                        double elapsed, size_t files, size_t events);

#endif
