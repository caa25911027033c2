/*
 * plan_lambda.c — read a shipped Lambda handler and make it a function's
 * inline code (see plan_lambda.h).
 */
#include "plan_lambda.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hg/resource.h"
#include "plan_int.h"

static bool is_handler_name(const char *s)
{
  if (!*s || strlen(s) > 64)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
      return false;
  return true;
}

char *hg_plan_lambda_path(const char *name)
{
  char *rel = xasprintf("lambda/%s.py", name);
  char *path = hg_res_share_file(rel);
  free(rel);
  return path;
}

hg_doc *hg_plan_lambda_code(const char *root, const char *name, struct hg_plan_inputs *digest,
                            hg_diag_sink *sink)
{
  if (!is_handler_name(name)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "lambda-name", "'%s' is not a handler name ([a-z0-9_]+)", name);
    return NULL;
  }
  char *file = xasprintf("%s.py", name);
  char *path = hg_plan_lambda_path(name);
  if (!path) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "lambda-missing",
                             "cannot find the Lambda handler lambda/%s", file);
    hg_diag_note(d, "it ships with hardengen in share/lambda/ and is installed to SHAREDIR/lambda/ "
                    "(HARDENGEN_SHARE overrides SHAREDIR)");
    free(file);
    return NULL;
  }
  const char *shown = hg_plan_display_path(path, root);
  size_t len = 0;
  char *text = digest && digest->res ? hg_res_read(digest->res, path, HG_PLAN_MAX_LAMBDA_BYTES, &len)
                                     : hg_read_file(path, HG_PLAN_MAX_LAMBDA_BYTES, &len);
  hg_doc *code = NULL;
  if (!text) {
    if (errno == EFBIG)
      hg_diag_add(sink, HG_SEV_ERROR, shown, 0, 0, "lambda-too-large",
                  "the Lambda handler %s is larger than %u bytes", file, HG_PLAN_MAX_LAMBDA_BYTES);
    else
      hg_diag_add(sink, HG_SEV_ERROR, shown, 0, 0, "lambda-unreadable", "cannot read the Lambda handler %s: %s",
                  file, strerror(errno));
  } else if (len == 0) {
    hg_diag_add(sink, HG_SEV_ERROR, shown, 0, 0, "lambda-empty", "the Lambda handler %s is empty", file);
  } else if (memchr(text, '\0', len)) {
    hg_diag_add(sink, HG_SEV_ERROR, shown, 0, 0, "lambda-binary",
                "the Lambda handler %s holds a NUL byte: inline code is text", file);
  } else {
    code = hg_doc_map();
    hg_doc_set_str(code, "ZipFile", text);
  }
  if (text && digest && digest->res)
    hg_plan_inputs_add_sha(digest, "lambda", file, hg_res_sha256(digest->res, path));
  else if (text && digest)
    hg_plan_inputs_add(digest, "lambda", file, text, len);
  free(text);
  free(path);
  free(file);
  return code;
}
