/*
 * plan_lambda.h — inline Lambda code for the planner: the handler sources
 * that ship with hardengen (share/lambda/NAME.py in the source tree,
 * SHAREDIR/lambda/NAME.py once installed) become a function's
 * `Code: {ZipFile: ...}` at compile time, so a template carries its own
 * code and needs no code bucket.
 *
 * Lookup, first hit wins (like the IAM action list, never from --root: the
 * code that runs in the account is the code hardengen shipped):
 *   hg_res_share_file("lambda/NAME.py") (resource.h): SHARE/lambda/NAME.py,
 *   SHARE/share/lambda/NAME.py, then share/lambda/NAME.py beside the
 *   executable or up to three folders up (a binary or test program in its
 *   build tree).
 *
 * Invariants: the text is put in the template byte for byte (CloudFormation
 * writes it to index.py, so the handler is `index.handler`); the digest line
 * is "lambda NAME.py SHA256" whatever folder the file came from.
 */
#ifndef HG_PLAN_LAMBDA_H
#define HG_PLAN_LAMBDA_H

#include "hg/diag.h"
#include "hg/doc.h"

struct hg_plan_inputs; /* plan_int.h: the lines of the input digest */

/* Largest handler source accepted: far inside the 1 MB template quota. */
#define HG_PLAN_MAX_LAMBDA_BYTES (64u << 10)

/*
 * The Code node ({ZipFile: TEXT}) of handler NAME ([a-z0-9_]+, without
 * ".py"). root is the --root folder, used only to shorten the path shown in
 * diagnostics. The source is read through digest->res and added to digest
 * with the digest the resolver recorded (digest may be NULL: read directly,
 * nothing recorded). An
 * unreadable, empty, oversized or binary (NUL byte) file is an error in
 * sink and NULL is returned. The caller owns the result (hg_doc_free).
 */
hg_doc *hg_plan_lambda_code(const char *root, const char *name, struct hg_plan_inputs *digest,
                            hg_diag_sink *sink);

/*
 * The path the handler NAME would be read from, or NULL when no candidate
 * is readable. Returns malloc'd memory.
 */
char *hg_plan_lambda_path(const char *name);

#endif
