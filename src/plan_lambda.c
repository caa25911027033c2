/*
 * plan_lambda.c — the inline code of a Lambda function shipped with
 * hardengen: share/lambda/NAME.py from the share folder becomes the
 * function's Code: {ZipFile: SOURCE} (CloudFormation zips inline Python as
 * index.py, so the handler is index.handler).
 *
 * The source is part of the input digest ("lambda NAME.py SHA256").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hg/cli.h"
#include "plan_int.h"

#define MAX_LAMBDA_SOURCE (1u << 20) /* the template limit (1 MB) bounds it anyway */

hg_doc *hg_plan_lambda_code(const char *root, const char *name, hg_plan_inputs *digest, hg_diag_sink *sink)
{
  (void)root; /* handler sources are shipped with hardengen, never taken from an infra repo */
  const char *share = hg_share_dir();
  char *path = NULL, *text = NULL;
  size_t len = 0;
  int err = ENOENT;
  /* Installed: SHARE/lambda/NAME.py; a source tree: SHARE/share/lambda/NAME.py;
   * a binary run from its build folder (build/, build-check/): the tree's
   * share/lambda beside the executable or up to three folders up. */
  char exe[4096];
  const char *dirs[6];
  char *owned[4] = {NULL, NULL, NULL, NULL};
  size_t nd = 0;
  if (share) {
    dirs[nd++] = owned[0] = xasprintf("%s/lambda", share);
    dirs[nd++] = owned[1] = xasprintf("%s/share/lambda", share);
  }
  if (hg_exe_dir(exe, sizeof exe)) {
    dirs[nd++] = owned[2] = xasprintf("%s/share/lambda", exe);
    dirs[nd++] = owned[3] = xasprintf("%s/../share/lambda", exe);
  }
  for (size_t i = 0; !text && i < nd; i++) {
    free(path);
    path = xasprintf("%s/%s.py", dirs[i], name);
    text = hg_read_file(path, MAX_LAMBDA_SOURCE, &len);
    if (!text && errno != ENOENT)
      err = errno;
  }
  for (size_t i = 0; i < HG_COUNTOF(owned); i++)
    free(owned[i]);
  if (!text) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "lambda-source-unreadable",
                             "cannot read the handler source share/lambda/%s.py: %s", name, strerror(err));
    hg_diag_note(d, share ? "looked in %s" : "no share folder was found (set HARDENGEN_SHARE)", share ? share : "");
    free(path);
    return NULL;
  }
  if (strlen(text) != len) {
    hg_diag_add(sink, HG_SEV_ERROR, path, 0, 0, "lambda-source-unreadable", "the handler source holds a NUL byte");
    free(text);
    free(path);
    return NULL;
  }
  char *file = xasprintf("%s.py", name);
  hg_plan_inputs_add(digest, "lambda", file, text, len);
  free(file);
  hg_doc *code = hg_doc_map();
  hg_doc_set_str(code, "ZipFile", text);
  free(text);
  free(path);
  return code;
}
