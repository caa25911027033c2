/*
 * fuzz_publish.c — libFuzzer target for the inputs `hardengen publish` reads:
 * the bytes as manifest.json (hg_manifest_parse), as a shared credentials
 * file (hg_creds_parse), as HTTP header text to redact (hg_s3_redact) and as
 * an S3 error document (hg_s3_parse_error). Must never crash, leak or run
 * long, whatever the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/creds.h"
#include "hg/diag.h"
#include "hg/publish.h"
#include "hg/s3.h"
#include "hg/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static FILE *out;
  if (!out)
    out = fopen("/dev/null", "w");
  char *text = xmalloc(size + 1);
  memcpy(text, data, size);
  text[size] = '\0';

  hg_diag_sink s;
  hg_diag_init(&s);
  hg_manifest m;
  if (hg_manifest_parse(text, size, "manifest.json", &m, &s) == 0)
    hg_manifest_free(&m);

  hg_creds c;
  memset(&c, 0, sizeof c);
  if (hg_creds_parse(text, "credentials", "default", &c, &s) == 1)
    hg_creds_free(&c);

  char *r = hg_s3_redact(text, size);
  free(r);
  char code[64], region[32];
  hg_s3_parse_error(text, size, code, sizeof code, region, sizeof region);

  if (out)
    hg_diag_render_text(&s, out);
  hg_diag_free(&s);
  free(text);
  return 0;
}
