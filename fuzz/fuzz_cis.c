/*
 * fuzz_cis.c — libFuzzer target for the CIS checkers.
 *
 * Input: a pattern (any bytes; cut at the first NUL). Every control is
 * judged by every checker; a verdict must come with a reason exactly when it
 * fails (checked with abort()). Must never crash, leak or run long.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hg/cis.h"
#include "hg/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *pat = xstrndup((const char *)data, size);
  for (size_t i = 0; i < hg_cis_control_count(); i++)
    for (unsigned t = HG_TARGET_SECURITYHUB; t <= HG_TARGET_STEAMPIPE; t <<= 1) {
      char *why = NULL;
      bool ok = hg_cis_check(hg_cis_control_at(i), t, pat, &why);
      if (ok != (why == NULL))
        abort();
      free(why);
    }
  free(pat);
  return 0;
}
