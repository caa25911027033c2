/*
 * fuzz_doc_json.c — libFuzzer target for JSON text read into a document
 * (emit.h hg_emit_read_json), the reader of every non-event JSON input.
 * Whatever it accepts must print (hg_emit_json) as JSON that reads back
 * into a document printing the same bytes: the reader and the writer agree.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_doc *d = hg_emit_read_json((const char *)data, size, "fuzz.json", "fuzz-json", &sink);
  /* A failed read says why, once; a successful one says nothing. */
  if ((d == NULL) != (sink.n == 1))
    abort();
  hg_diag_free(&sink);
  if (!d)
    return 0;
  hg_buf j1, j2;
  hg_buf_init(&j1);
  hg_buf_init(&j2);
  hg_emit_json(d, &j1);
  hg_diag_init(&sink);
  hg_doc *back = hg_emit_read_json(j1.data, j1.len, "again.json", "fuzz-json", &sink);
  if (!back)
    abort();
  hg_emit_json(back, &j2);
  if (j1.len != j2.len || memcmp(j1.data, j2.data, j1.len) != 0)
    abort();
  hg_diag_free(&sink);
  hg_doc_free(back);
  hg_doc_free_wiped(d);
  hg_buf_free(&j1);
  hg_buf_free(&j2);
  return 0;
}
