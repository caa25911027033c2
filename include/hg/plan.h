/*
 * plan.h — the back half of the pipeline: from the compiled filter set to
 * the stack set of SPEC §5, checked against the CloudFormation quotas and
 * the IAM linter, emitted, described by a manifest, and written.
 *
 *   skeletons (templates/NAME.yaml) + profile + filters
 *     -> documents (parent, cloudtrail, config, cloudwatch[.N])
 *     -> quotas, parameter defaults, IAM lint
 *     -> YAML or JSON text -> manifest.json -> out/ENV/ (atomic)
 *
 * Skeletons come from ROOT/templates first, then from the share folder's
 * templates/. Children are wired to the parent with parameters and
 * DependsOn only (names, never Fn::GetAtt of a child's outputs): the log
 * group, trail and topic names are derived from AWSAccountName.
 *
 * Invariants: the same inputs give the same bytes (no timestamps, fixed
 * order); nothing is written before the whole plan is built and checked.
 */
#ifndef HG_PLAN_H
#define HG_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/compile.h"
#include "hg/diag.h"
#include "hg/doc.h"

/* CloudFormation and CloudWatch Logs quotas (shared/reference/cloudformation.md). */
#define HG_PLAN_MAX_RESOURCES 500          /* resources per template */
#define HG_PLAN_MAX_TEMPLATE_BYTES 1000000 /* template read from S3 (1 MB; cfn-lint E1002) */
#define HG_PLAN_MAX_PARAMETERS 200         /* parameters, and outputs, per template */
#define HG_PLAN_MAX_TREE_RESOURCES 2500    /* resources per nested-stack operation */
#define HG_PLAN_MAX_LOGICAL_ID 255
#define HG_PLAN_MAX_DESCRIPTION 1024
#define HG_PLAN_MAX_FILTERS_PER_GROUP 100  /* metric filters per log group (not adjustable) */
#define HG_PLAN_MAX_REGEX_FILTERS 5        /* filters with a regex per log group */
#define HG_PLAN_MAX_ALARM_NAME 255
#define HG_PLAN_MAX_ACCOUNT_NAME 64        /* AWSAccountName's AllowedPattern */

typedef enum { HG_PLAN_YAML, HG_PLAN_JSON } hg_plan_format;

typedef struct hg_plan_options {
  hg_plan_format format;
  /* Per-template limits the splitter packs against; 0 = the quota above.
   * Tests lower them to exercise the split on small inputs. */
  size_t max_resources;
  size_t max_bytes;
} hg_plan_options;

/* One emitted template. */
typedef struct hg_plan_template {
  char *name;        /* owned; file name, e.g. "cloudwatch.global.2.yaml" */
  hg_doc *doc;       /* owned */
  char *text;        /* owned; the emitted bytes (YAML or JSON) */
  size_t len;
  size_t resources;  /* number of entries under Resources */
  char sha256[65];   /* of text */
} hg_plan_template;

/* What the manifest says about one filter. */
typedef struct hg_plan_filter {
  char *id;          /* owned */
  char *cis;         /* owned; the CIS number for the profile's version, or NULL */
  char *metric;      /* owned; metric name of the filter's transformation */
  char *alarm;       /* owned; alarm name with the profile's account name */
  const char *topic; /* static: "infosec" | "devops" */
  char *logical;     /* owned; logical-id stem (alarm: STEM + "Alarm") */
  size_t part;       /* 1-based index of the cloudwatch template holding it */
} hg_plan_filter;

/* A file written beside the templates: detective-data.json (SPEC §11), or
 * in a subfolder (stackset/member.yaml, SPEC §12). */
typedef struct hg_plan_file {
  char *name;        /* owned; relative path, at most one folder deep */
  char *text;        /* owned */
  size_t len;
  char sha256[65];   /* of text */
  bool listed;       /* in manifest.json's "data" list (name, size, sha256) */
} hg_plan_file;

typedef struct hg_plan {
  char *env;                 /* owned */
  hg_plan_template *t;       /* upload order: cloudtrail, config, cloudwatch, cloudwatch.2, ..., preflight, parent last */
  size_t n;
  hg_plan_filter *filters;   /* emission order */
  size_t n_filters;
  char digest[65];           /* sha256 over the inputs (see hg_plan_build) */
  char *manifest;            /* owned; manifest.json bytes */
  size_t manifest_len;
  hg_plan_file *files;       /* owned; the other files, in the order they were added */
  size_t n_files;
} hg_plan;

/* The detective data's row of hg_plan.files (SPEC §11), out/ENV/NAME. */
#define HG_PLAN_DATA_NAME "detective-data.json"

/*
 * Build the stack set for a compiled env. root is the --root folder (for
 * skeletons and for the input digest); opts may be NULL (YAML, real quotas).
 * Every problem goes to sink: unreadable or malformed skeletons, profile
 * values that break a template's parameter constraint, quota violations,
 * IAM lint findings. Returns 0, or -1 when an error was added; out is
 * filled as far as planning got in both cases and must be freed with
 * hg_plan_free (it must not be written when -1 is returned).
 *
 * The input digest covers, in this order: the tool version and output
 * format, the profile files (the env's file and every file it extends, by
 * name), every filter file that declared an emitted filter, and every
 * skeleton read, every Lambda handler inlined (plan_lambda.h) and every
 * exceptions file read (with detective:), each as "KIND NAME SHA256\n".
 * Every one of these files is read once, through c->res (or a resolver of
 * the build's own when c->res is NULL), and SHA256 is the digest the
 * resolver recorded of the bytes the stage used, never a second read's. NAME is the file's place in a repo ("profiles/prod.yaml",
 * "filters/cis.lua", "cloudtrail.global.yaml"), never a path: two checkouts,
 * or two spellings of --root, digest alike.
 */
int hg_plan_build(const hg_compiled *c, const char *root, const hg_plan_options *opts,
                  hg_plan *out, hg_diag_sink *sink);
void hg_plan_free(hg_plan *p);

/*
 * Check one template against the per-template CloudFormation quotas
 * (resources, size, parameters, outputs, logical ids, description).
 * Returns the number of errors added.
 */
int hg_plan_check_template(const hg_plan_template *t, hg_diag_sink *sink);

/*
 * Write every template, manifest.json and every file of p into DIR/ENV atomically: all
 * files go to a fresh folder beside DIR/ENV, which replaces DIR/ENV only
 * once every file is written and synced. On failure DIR/ENV is untouched
 * and an error is added. Returns 0 or -1.
 */
int hg_plan_write(const hg_plan *p, const char *dir, hg_diag_sink *sink);

/*
 * Compare the env with its previous build in DIR/ENV (manifest.json), for
 * changes a deployed stack cannot take as an update: today, S3 Object Lock
 * added to a log bucket that exists (S3 turns it on only at creation).
 * Adds warnings at the profile line; a missing or unreadable previous
 * manifest is no finding.
 */
void hg_plan_check_previous(const hg_compiled *c, const char *dir, hg_diag_sink *sink);

/*
 * The two halves of hg_plan_write, for writing several envs all or nothing:
 * stage each (files written and synced in DIR/.ENV.XXXXXX; DIR/ENV must be
 * absent or a folder), then commit them together, then free each staged
 * record (which removes what is left: unused new files or replaced old
 * ones). hg_plan_commit swaps every staged folder in; when one swap fails it
 * swaps the earlier ones back, adds an error and returns -1.
 */
enum { HG_STAGED = 1, HG_SWAPPED, HG_SWAPPED_NEW, HG_MOVED_ASIDE };
typedef struct hg_plan_staged {
  char *dir, *env;  /* owned */
  char *target;     /* owned; DIR/ENV */
  char *tmp;        /* owned; the new files, or after a swap the old ones */
  char *old;        /* owned; the old content moved aside (no RENAME_EXCHANGE), or NULL */
  int state;        /* 0 (nothing staged) or one of the HG_STAGED... values */
} hg_plan_staged;

int hg_plan_stage(const hg_plan *p, const char *dir, hg_plan_staged *st, hg_diag_sink *sink);
int hg_plan_commit(hg_plan_staged *st, size_t n, hg_diag_sink *sink);
void hg_plan_staged_free(hg_plan_staged *st);

/* The file extension of a format: "yaml" | "json". */
const char *hg_plan_ext(hg_plan_format f);

#endif
