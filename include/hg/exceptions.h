/*
 * exceptions.h — exceptions as code: ROOT/exceptions/NAME.yaml (SPEC §11).
 *
 * Each file is a YAML list of entries, reviewed in the infra repo:
 *
 *   - rule: restricted-ssh            # a declared Config rule, or "*"
 *     arn: arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc
 *     reason: bastion host, reachable only through the VPN
 *     approved_by: secops@example.com
 *     expires: 2027-06-30             # valid through the end of that day, UTC
 *   - rule: "*"
 *     tag: { hardengen:exception: EXC-42 }   # instead of arn
 *     ...
 *
 * Checks, each a diagnostic with file:line:col and a caret: the shape of
 * every entry, unknown keys (did-you-mean), an unknown rule (did-you-mean
 * among the declared rules), exactly one of arn and tag, a malformed ARN,
 * a tag that breaks the AWS tag limits, a missing or impossible date, and
 * duplicates (the same rule and match twice, across all files). An entry
 * whose date has passed is a warning and is left out.
 *
 * Files are read in name order; entries come out sorted by (rule, match).
 * Ownership: an hg_exceptions owns everything (one arena); free it with
 * hg_exceptions_free.
 */
#ifndef HG_EXCEPTIONS_H
#define HG_EXCEPTIONS_H

#include <stddef.h>

#include "hg/diag.h"
#include "hg/resource.h"
#include "hg/util.h"

#define HG_EXCEPTIONS_MAX_BYTES (4u << 20) /* per file */
#define HG_EXCEPTIONS_MAX_FILES 1000

typedef struct hg_exception {
  const char *rule;       /* a rule name or "*" */
  const char *match;      /* "arn:" + ARN, or "tag:" + KEY + "=" + VALUE (the table's sort key) */
  const char *arn;        /* or NULL */
  const char *tag_key;    /* with tag_value, when arn is NULL */
  const char *tag_value;
  const char *reason;
  const char *approved_by;
  const char *expires;    /* YYYY-MM-DD */
  const char *source;     /* "exceptions/FILE.yaml:LINE" */
} hg_exception;

/* A file that was read, for the input digest. */
typedef struct hg_exceptions_file {
  const char *name;       /* "exceptions/FILE.yaml" */
  char sha256[65];        /* of the bytes parsed */
} hg_exceptions_file;

typedef struct hg_exceptions {
  hg_arena *arena;        /* owns everything below */
  hg_exception *v;        /* live entries, sorted by (rule, match) */
  size_t n, cap;
  size_t expired;         /* entries left out because their date passed */
  hg_exceptions_file *files;
  size_t n_files;
} hg_exceptions;

void hg_exceptions_init(hg_exceptions *x);
void hg_exceptions_free(hg_exceptions *x);

/*
 * Read every ROOT/exceptions/NAME.yaml (and .yml) (none, or no folder, is fine). rules is
 * the NULL-terminated list of declared rule names; today is "YYYY-MM-DD"
 * (see hg_exceptions_today). Returns 0, or -1 when an error was added (x
 * then holds what was valid and must still be freed).
 */
int hg_exceptions_load(const char *root, const char *const *rules, const char *today, hg_exceptions *x,
                       hg_diag_sink *sink);

/*
 * The same through the resolver res (resource.h): the files are
 * ROOT/exceptions/NAME.yaml (root NULL: hg_res_root(res)), read with
 * hg_res_read, and each
 * file's sha256 is the one res recorded for the bytes parsed (a build's
 * input digest). hg_exceptions_load is this with a resolver of its own.
 */
int hg_exceptions_read(hg_res *res, const char *root, const char *const *rules, const char *today,
                       hg_exceptions *x, hg_diag_sink *sink);

/*
 * Check one file's text and add its live entries to x. file names it in
 * diagnostics (its text is registered with the sink) and in `source`.
 * Entries are sorted again; duplicates are checked against what x holds.
 * For the loader, tests and fuzzing. Returns 0 or -1.
 */
int hg_exceptions_parse_text(const char *file, const char *text, size_t len, const char *const *rules,
                             const char *today, hg_exceptions *x, hg_diag_sink *sink);

/*
 * Today's date in UTC as YYYY-MM-DD into out[11]: from SOURCE_DATE_EPOCH
 * when it is set (reproducible builds, tests), else the clock.
 */
void hg_exceptions_today(char out[11]);

#endif
