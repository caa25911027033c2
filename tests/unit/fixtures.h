/*
 * fixtures.h — small helpers several unit tests share: diagnostics rendered
 * to text, files written and removed, temporary folders, scanning levels,
 * pseudo-random numbers.
 *
 * All are static inline, so a test program includes this header and uses
 * what it needs. Failures to write a fixture are not checked here: the test
 * that reads the file back fails instead.
 */
#ifndef HG_TEST_FIXTURES_H
#define HG_TEST_FIXTURES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hg/diag.h"
#include "hg/jscan.h"
#include "hg/util.h"

/* The diagnostics of s as `hardengen` prints them (malloc'd). */
static inline char *render(hg_diag_sink *s)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  hg_diag_render_text(s, f);
  fclose(f);
  return text;
}

/* Write text to path (replacing it). */
static inline void put(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

/* Write len bytes of data to path (replacing it). */
static inline void put_bytes(const char *path, const void *data, size_t len)
{
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(data, 1, len, f);
    fclose(f);
  }
}

/* Remove path and everything below it; aborts when that fails. */
static inline void rm_rf(const char *path)
{
  char *cmd = xasprintf("rm -rf '%s'", path);
  int rc = system(cmd);
  free(cmd);
  if (rc != 0)
    abort();
}

/* The next number of the xorshift generator whose state is *s (not 0):
 * reproducible pseudo-random test inputs. */
static inline uint32_t xorshift32(uint32_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

/* The scanning levels this machine runs, lowest first, into levels (room
 * for HG_JSCAN_TOP + 1); returns how many. Leaves the top one in effect. */
static inline int scan_levels(int *levels)
{
  int n = 0;
  for (int l = HG_JSCAN_PORTABLE; l <= HG_JSCAN_TOP; l++)
    if (hg_jscan_set_level(l) == l)
      levels[n++] = l;
  hg_jscan_set_level(HG_JSCAN_TOP);
  return n;
}

/* A fresh folder /tmp/hg-NAME-XXXXXX (malloc'd), or NULL. */
static inline char *tmp_dir_named(const char *name)
{
  char *tmpl = xasprintf("/tmp/hg-%s-XXXXXX", name);
  char *d = mkdtemp(tmpl) ? tmpl : NULL;
  if (!d)
    free(tmpl);
  return d;
}

#endif
