/*
 * publish.h — publish a built stack set (out/ENV/) to S3 and describe how to
 * launch it.
 *
 * The last stage of the pipeline, after `build`: read out/ENV/manifest.json,
 * check every template against the manifest (size and sha256: a mismatch
 * means the folder changed after the build), lay the files out under
 *   PREFIX ENV/DIGEST/FILE
 * (content-addressed: a published set is never overwritten by a different
 * one), upload children, then the parent, then manifest.json last, and stop
 * at the first failure, so a set whose manifest is published is complete.
 *
 * Launching: the quick-create console link and the equivalent
 * `aws cloudformation create-stack` command, with every parameter of the
 * manifest and CFtemplateBucketURL pointing at the published folder.
 *
 * Library code: nothing is printed; problems are diagnostics. Strings in a
 * plan are owned by the plan and freed by hg_publish_plan_free.
 */
#ifndef HG_PUBLISH_H
#define HG_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/s3.h"

/* manifest.json as written by `hardengen build` (only what publish needs). */
typedef struct hg_manifest_param {
  char *name;           /* e.g. "InfosecEmail" */
  char *value;          /* the default, as text (numbers in decimal) */
} hg_manifest_param;

typedef struct hg_manifest_template {
  char *name;           /* file name inside out/ENV/, e.g. "config.global.yaml" */
  size_t size;          /* bytes */
  char sha256[65];      /* lower-case hex */
} hg_manifest_template;

typedef struct hg_manifest {
  char *tool, *version; /* may be NULL */
  char *env;            /* required */
  char *digest;         /* required; hex, used as a key segment */
  char *parent;         /* required; one of templates[] */
  hg_manifest_param *params;
  size_t n_params;
  hg_manifest_template *templates;
  size_t n_templates;
  char *capability;     /* "CAPABILITY_IAM" or "CAPABILITY_NAMED_IAM" (the latter when the
                           manifest does not say) */
  size_t email_subscriptions; /* email endpoints that wait for confirmation */
} hg_manifest;

/*
 * Parse manifest text (len bytes). path names it in diagnostics (code
 * `manifest-invalid`, with line and column for JSON syntax errors). Returns 0,
 * or -1 after adding every problem found; *m is then empty. Template names
 * must be plain file names (no '/', no leading '.'), the digest hex, the
 * parent listed among the templates.
 */
int hg_manifest_parse(const char *text, size_t len, const char *path, hg_manifest *m,
                      hg_diag_sink *sink);
void hg_manifest_free(hg_manifest *m);

/* Where and what to publish. */
typedef struct hg_publish_opts {
  const char *env;        /* required */
  const char *dir;        /* the built folder, e.g. "out/prod" */
  const char *bucket;     /* required */
  const char *prefix;     /* "" or NULL: none; a missing trailing '/' is added */
  const char *region;     /* required */
  const char *endpoint;   /* NULL: AWS (virtual-hosted URLs); else path style */
  const char *stack_name; /* NULL: "hardengen-ENV" */
} hg_publish_opts;

typedef struct hg_publish_object {
  char *file;             /* name inside dir */
  char *key;              /* PREFIX ENV/DIGEST/FILE */
  char *url;              /* the object's URL */
  const char *content_type;
  char *data;             /* the file's bytes, as verified */
  size_t len;
} hg_publish_object;

typedef struct hg_publish_plan {
  hg_manifest manifest;
  char *bucket, *region, *endpoint, *prefix; /* endpoint may be NULL; prefix "" or ends in '/' */
  hg_publish_object *objects; /* upload order: children, parent, manifest.json */
  size_t n_objects;
  char *folder;           /* PREFIX ENV/DIGEST/ (a key prefix) */
  char *folder_url;       /* the folder's URL, ending in '/': CFtemplateBucketURL */
  char *template_url;     /* the parent's URL */
  char *stack_name;
} hg_publish_plan;

/*
 * Check the options (bucket and Region names, prefix characters: publish
 * keeps keys to letters, digits and - _ . ~ /), read DIR/manifest.json and
 * every file it lists, verify sizes and hashes, and fill *plan. Returns 0, or
 * -1 after adding diagnostics (codes `publish-option`, `manifest-missing`,
 * `manifest-invalid`, `publish-stale`, `publish-read`); *plan then needs no free.
 */
int hg_publish_plan_make(const hg_publish_opts *o, hg_publish_plan *plan, hg_diag_sink *sink);
void hg_publish_plan_free(hg_publish_plan *plan);

/* Called before each upload (index is 0-based) so a front end can show progress. */
typedef void (*hg_publish_progress_fn)(void *ctx, size_t index, size_t total,
                                       const hg_publish_object *obj);

/*
 * Upload the plan's objects in order with s3 (built for the plan's bucket,
 * region and endpoint). Stops at the first failure, adding a diagnostic
 * that says what was and was not published. Returns HG_S3_OK or the failing
 * status; *uploaded (may be NULL) gets the number of objects written.
 */
hg_s3_status hg_publish_upload(const hg_publish_plan *plan, hg_s3 *s3,
                               hg_publish_progress_fn progress, void *ctx, size_t *uploaded,
                               hg_diag_sink *sink);

/*
 * The CloudFormation console's quick-create link for the plan:
 * https://REGION.console.aws.amazon.com/cloudformation/home?region=REGION
 * #/stacks/create/review?templateURL=…&stackName=…&param_NAME=… with every
 * manifest parameter in manifest order (CFtemplateBucketURL set to the
 * folder URL), values URL-encoded. malloc'd.
 */
char *hg_publish_launch_link(const hg_publish_plan *plan);

/*
 * The equivalent AWS CLI command on one line (arguments shell-quoted where
 * needed; --endpoint-url added when the plan has one). malloc'd.
 */
char *hg_publish_cli_command(const hg_publish_plan *plan);

/* Percent-encode s for a URL query value (RFC 3986 unreserved kept), with
 * libcurl's curl_easy_escape. malloc'd. */
char *hg_publish_url_encode(const char *s);

#endif
