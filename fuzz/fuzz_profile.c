/*
 * fuzz_profile.c — libFuzzer target for the profile loader: any bytes as one
 * profile document (hg_profile_parse_text), then the diagnostics rendered
 * with carets. Must never crash, leak or run long, whatever the input.
 */
#include <stdint.h>
#include <stdio.h>

#include "hg/diag.h"
#include "hg/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static FILE *sink_out;
  if (!sink_out)
    sink_out = fopen("/dev/null", "w");
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_profile *p = hg_profile_parse_text("fuzz.yaml", (const char *)data, size, &s);
  if (p) {
    /* Touch what later stages read. */
    volatile size_t n = p->vars->n + p->n_overrides + p->n_disable;
    (void)n;
    (void)hg_yval_path(p->tree, "vars.trusted_source_ips");
  }
  if (sink_out)
    hg_diag_render_text(&s, sink_out);
  hg_profile_free(p);
  hg_diag_free(&s);
  return 0;
}
