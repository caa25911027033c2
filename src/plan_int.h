/*
 * plan_int.h — declarations shared by the plan_*.c files only (not part of
 * the plan.h interface).
 */
#ifndef HG_PLAN_INT_H
#define HG_PLAN_INT_H

#include "hg/plan.h"
#include "hg/resource.h"
#include "hg/util.h"

/* The inputs the digest covers: lines "KIND NAME SHA256", and the resolver
 * the build's input files are read through (resource.h): a line's SHA256 is
 * the one the resolver recorded for the bytes a stage read, never a second
 * read's. */
typedef struct hg_plan_inputs {
  char **v;
  size_t n, cap;
  hg_res *res;    /* borrowed; never NULL while a build runs */
} hg_plan_inputs;

void hg_plan_inputs_add(hg_plan_inputs *in, const char *kind, const char *name, const void *data,
                        size_t len);
/* The same with the digest already computed (NULL: "-", not read). */
void hg_plan_inputs_add_sha(hg_plan_inputs *in, const char *kind, const char *name, const char *sha256);
void hg_plan_inputs_free(hg_plan_inputs *in);

/* Read templates/NAME from ROOT, else from the share folder, through in->res,
 * as a document checked against its contract (hg_plan_contract_check); adds
 * it to in. NULL after adding an error. */
hg_doc *hg_plan_load_skeleton(const char *root, const char *name, hg_plan_inputs *in, hg_diag_sink *sink);

/* Append the file NAME holding text (owned, len bytes) to p->files, its
 * sha256 computed; listed: named in manifest.json's "data" list. */
hg_plan_file *hg_plan_add_file(hg_plan *p, const char *name, char *text, size_t len, bool listed);

/* Replace map[key] (or append it) with val; takes ownership of val. */
void hg_plan_doc_put(hg_doc *map, const char *key, hg_doc *val);
/* Append a template named STEM.EXT (EXT from f) holding doc (owned) to p. */
hg_plan_template *hg_plan_add_template(hg_plan *p, const char *stem, hg_plan_format f, hg_doc *doc);
/* path as shown and digested: relative to root when it lies inside it,
 * else without its leading "./". Points into path. */
const char *hg_plan_display_path(const char *path, const char *root);
/* The first resource of a given Type in a template, or NULL; *id gets its logical id. */
hg_doc *hg_plan_find_resource(const hg_doc *tmpl, const char *type, const char **id);
/* Number of entries under Resources. */
size_t hg_plan_count_resources(const hg_doc *tmpl);
/* Emit d in the format into t->text/len and fill sha256 and resources. */
void hg_plan_emit(hg_plan_template *t, hg_plan_format f);

/* Fill p->filters and append the cloudwatch templates (part 1 from skel1,
 * parts 2.. from skeln) to p->t. trail is the emitted trail template, read
 * for the log group's name. Returns 0 or -1 (error in sink). */
int hg_plan_alarms(const hg_compiled *c, const hg_doc *trail, const hg_doc *skel1,
                   const hg_doc *skeln, const hg_plan_options *o, hg_plan *p, hg_diag_sink *sink);

/* The profile and filter quotas that are not per template (metric filters
 * and regex filters per log group, names, namespace). Returns errors added. */
int hg_plan_check_filters(const hg_compiled *c, const hg_plan *p, hg_diag_sink *sink);

/* Check each profile-derived parameter Default of every template against
 * the parameter's AllowedPattern / AllowedValues. Returns errors added. */
int hg_plan_check_defaults(const hg_compiled *c, const hg_plan *p, hg_diag_sink *sink);

/* The profile's hardening options (plan_harden.c), each applied to one
 * filled template in place: the trail's selectors, Object Lock and the log
 * bucket's deny statement; the parent's account assertion (Rules); extra
 * subscriptions in the first alarms template; tags on every taggable
 * resource of a template. */
void hg_plan_harden_trail(const hg_profile *p, hg_doc *trail);
void hg_plan_harden_parent(const hg_profile *p, hg_doc *parent);
void hg_plan_harden_alarms(const hg_profile *p, hg_doc *cw1);
void hg_plan_tag(const hg_profile *p, hg_doc *tmpl);
/* "CAPABILITY_NAMED_IAM" when a template of p names an IAM resource, else
 * "CAPABILITY_IAM". Static storage. */
const char *hg_plan_capability(const hg_plan *p);

/* With an org: block, add stackset/member.yaml and stackset/stackset.json
 * to p->files (plan_stackset.c). Returns 0 or -1 (errors in sink). */
int hg_plan_stackset(const hg_compiled *c, hg_plan *p, hg_diag_sink *sink);
/* A child of the parent: {Type: AWS::CloudFormation::Stack, explicit Delete
 * policies (what holds evidence inside is retained by its own), DependsOn
 * depends when not NULL, Properties: {TemplateURL: ${CFtemplateBucketURL}
 * STEM.EXT}}. The caller adds Parameters. Returns a new node. */
hg_doc *hg_plan_child_stack(const char *stem, const char *depends, hg_plan_format f);

/* Build p->manifest from the rest of p. */
void hg_plan_manifest(const hg_compiled *c, hg_plan *p);


/*
 * The detective controls of SPEC §11 (plan_detective.c): when the profile
 * sets detective:, append detective.global (and, for the central account,
 * central.global) to p->t (their rows in hg_plan_stacks wire them into the
 * parent), and build p->data (detective-data.json). Skeletons and
 * exception files go to digest. Does nothing when detective: is absent.
 * Returns 0 or -1.
 */
int hg_plan_detective(const hg_compiled *c, const char *root, hg_plan_format f, hg_plan *p,
                      hg_plan_inputs *digest, hg_diag_sink *sink);

#endif
