/*
 * fuzz_skeleton.c — libFuzzer target for a user template skeleton: the
 * skeleton reader (emit_read.c) and, on what it accepts, the contract check
 * of plan_contract.c (including its positioned walk of the text) under
 * every skeleton name. The first byte chooses the name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "hg/emit.h"
#include "hg/plan_model.h"
#include "hg/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const names[] = {"security.global.yaml",  "cloudtrail.global.yaml", "config.global.yaml",
                                      "cloudwatch.global.yaml", "cloudwatch.part.yaml",  "preflight.global.yaml",
                                      "detective.global.yaml", "central.global.yaml"};
  if (size == 0)
    return 0;
  const char *name = names[data[0] % HG_COUNTOF(names)];
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_doc *d = hg_emit_read_yaml(text, len, "fuzz.yaml", &sink);
  if (d)
    hg_plan_contract_check(name, d, "fuzz.yaml", text, len, &sink);
  hg_doc_free(d);
  hg_diag_free(&sink);
  return 0;
}
