/*
 * fuzz_iam.c — libFuzzer target for the IAM linter: the position-aware
 * loader (YAML and JSON), embedded JSON-string policies and the policy
 * walker, on arbitrary bytes. The first byte chooses the bare-policy SCP
 * mode. The action list is the shipped one ($HARDENGEN_IAM_ACTIONS or the
 * installed/tree copy), or a small built-in list when neither is found.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "hg/iam.h"

static const char fallback[] =
    "iam:DeleteRole\niam:PassRole\ns3:GetObject\ns3:GetObjectTagging\ns3:ListBucket\n"
    "s3:PutObject\nsts:AssumeRole\nkms:Decrypt\nkms:GenerateDataKey\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const hg_iam_db *db;
  static hg_iam_db *own;
  if (!db) {
    hg_diag_sink s;
    hg_diag_init(&s);
    db = hg_iam_db_default(&s);
    if (!db)
      db = own = hg_iam_db_parse(fallback, sizeof fallback - 1, "fallback", &s);
    hg_diag_free(&s);
  }
  hg_iam_opts opts = {size > 0 && (data[0] & 1)};
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_iam_lint_text(db, "fuzz.yaml", (const char *)data, size, &opts, &sink);
  hg_diag_free(&sink);
  return 0;
}
