/*
 * fuzz_yaml.c — libFuzzer target for the one YAML loader (yaml.h) as the
 * template skeleton reader uses it (CloudFormation short forms, duplicate
 * keys, aliases refused), and for both writers on what it reads: the YAML
 * output must read back into a document that prints the same JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"
#include "hg/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const hg_yaml_opts loose = {
    .what = "fuzz input",
    .cfn_tags = true,
    .code_syntax = "fuzz-yaml",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  /* The loader alone, aliases allowed (a DAG, bounded). */
  hg_arena *a = hg_arena_new();
  (void)hg_yaml_parse(a, "fuzz.yaml", (const char *)data, size, &loose, &sink);
  hg_arena_free(a);
  hg_diag_free(&sink);
  hg_diag_init(&sink);
  hg_doc *d = hg_emit_read_yaml((const char *)data, size, "fuzz.yaml", &sink);
  hg_diag_free(&sink);
  if (!d)
    return 0;
  hg_buf y, j1, j2;
  hg_buf_init(&y);
  hg_buf_init(&j1);
  hg_buf_init(&j2);
  hg_emit_yaml(d, &y);
  hg_emit_json(d, &j1);
  hg_diag_init(&sink);
  hg_doc *back = hg_emit_read_yaml(y.data, y.len, "again.yaml", &sink);
  hg_diag_free(&sink);
  if (back) {
    hg_emit_json(back, &j2);
    /* Scalars the reader keeps as text (floats, odd ints) print the same. */
    if (j1.len != j2.len || memcmp(j1.data, j2.data, j1.len) != 0)
      abort();
    hg_doc_free(back);
  }
  hg_buf_free(&y);
  hg_buf_free(&j1);
  hg_buf_free(&j2);
  hg_doc_free(d);
  return 0;
}
