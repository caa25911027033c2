/*
 * fixtures.h — small helpers several unit tests share: diagnostics rendered
 * to text, files written, temporary folders.
 *
 * All are static inline, so a test program includes this header and uses
 * what it needs. Failures to write a fixture are not checked here: the test
 * that reads the file back fails instead.
 */
#ifndef HG_TEST_FIXTURES_H
#define HG_TEST_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>

#include "hg/diag.h"
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
