/*
 * fuzz_exceptions.c — libFuzzer target for the exceptions loader: any bytes
 * as one exceptions file (hg_exceptions_parse_text), then the data
 * file built from what was accepted, parsed back as `sync` reads it. Must
 * never crash, leak or run long, whatever the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hg/detective.h"
#include "hg/exceptions.h"
#include "hg/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const rules[] = {"restricted-ssh", "root-account-mfa-enabled", "iam-password-policy", NULL};
  static FILE *out;
  if (!out)
    out = fopen("/dev/null", "w");
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_exceptions x;
  hg_exceptions_init(&x);
  hg_exceptions_parse_text("exceptions/fuzz.yaml", (const char *)data, size, rules, "2026-01-01", &x, &s);
  hg_det_config c = {.rules_table = "r", .exceptions_table = "x"};
  hg_det_rules r = {NULL, 0};
  size_t len = 0;
  char *json = hg_det_data_json("fuzz", &c, &r, &x, &len);
  hg_sync_data d;
  if (hg_sync_data_parse(json, len, "detective-data.json", &d, &s) == 0)
    hg_sync_data_free(&d);
  else
    abort(); /* what the compiler writes, sync must read */
  if (out)
    hg_diag_render_text(&s, out);
  free(json);
  hg_exceptions_free(&x);
  hg_diag_free(&s);
  return 0;
}
