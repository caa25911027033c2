/*
 * stackset.h — the env's stack set for a service-managed StackSet (SPEC §12).
 *
 * Planning (plan_stackset.c, no network):
 *   parent + child templates (hg_plan) -> one flattened member template
 *   (no AWS::CloudFormation::Stack) -> Region conditions -> checks ->
 *   out/ENV/stackset/member.yaml and out/ENV/stackset/stackset.json.
 *
 * The flattener knows no child by name. For every AWS::CloudFormation::Stack
 * of the parent it takes the child template whose file name ends the
 * stack's TemplateURL and merges its Parameters, Conditions, Resources and
 * Outputs into one template:
 *   - a child parameter given as {Ref: P} of the parent becomes P; one given
 *     any other value is replaced by that value (in Ref and in Fn::Sub,
 *     where it becomes a Fn::Sub variable); one not given keeps its
 *     definition (it needs a Default);
 *   - Fn::GetAtt [Stack, Outputs.X] of the parent becomes the child's
 *     output value;
 *   - a logical id that is already taken gets the stack's id (without
 *     "Stack") as prefix; every reference follows the rename;
 *   - a stack's DependsOn on another stack becomes DependsOn from the
 *     child's first resources (those that reference no other resource of
 *     the child) to the other child's last resources (those no other of its
 *     resources references), among the resources that exist in the same
 *     Regions;
 *   - the parent's Rules that pin AWS::AccountId are dropped (a StackSet
 *     deploys to many accounts).
 * Regions (rows of a table, not code per child): resources of the types
 * that must exist in every Region (AWS Config's recorder, delivery channel
 * and rules, ...) and everything they reference are deployed everywhere;
 * every other resource (the multi-Region trail, its bucket, keys and log
 * group, the metric filters and alarms on that log group, the topics) gets
 * the condition IsHomeRegion (AWS::Region = the HomeRegion parameter). The
 * recorder records global resources (IAM) in the home Region only. Names of
 * IAM roles, policies, users, groups and of S3 buckets deployed everywhere
 * get "-${AWS::Region}". The log bucket name gets "-${AWS::AccountId}" so
 * every account of the organization owns its own bucket.
 *
 * Deploying (stackset.c): the CloudFormation Query API over the one HTTP
 * layer (http.h): describe, create or update the StackSet, create the
 * missing stack instances, wait for operations, list instances.
 *
 * Library code: nothing is printed; problems are diagnostics.
 */
#ifndef HG_STACKSET_H
#define HG_STACKSET_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/http.h"
#include "hg/org.h"
#include "hg/plan.h"

#define HG_STACKSET_MAX_BODY 51200     /* TemplateBody bytes */
#define HG_STACKSET_MAX_URL_BODY 1000000 /* a template read from TemplateURL */
#define HG_STACKSET_MAX_URL 5120       /* TemplateURL characters */
#define HG_STACKSET_DIR "stackset"

/* Options of the flattener. */
typedef struct hg_flatten_opts {
  const char *home_region;     /* Default of HomeRegion; required */
  const char *per_account_param; /* a parent parameter whose value gets "-${AWS::AccountId}"
                                    (the log bucket name); NULL: none */
} hg_flatten_opts;

/*
 * Flatten the parent template (named parent_name in diagnostics) and its
 * children (every template of ts but the parent). Returns a new document,
 * or NULL after adding errors (a stack whose template is not among ts, a
 * child parameter with neither value nor Default, an every-Region resource
 * that needs the multi-Region trail).
 */
hg_doc *hg_stackset_flatten(const hg_doc *parent, const char *parent_name,
                            const hg_plan_template *ts, size_t n, const hg_flatten_opts *o,
                            hg_diag_sink *sink);

/*
 * The StackSet rules cfn-lint does not check, on the built member template
 * (len bytes, named file) and the org block: no AWS::CloudFormation::Stack
 * (nor StackSet) resource, no Transform, the size within TemplateURL's
 * limit, the TemplateURL length. Errors point at the org: line of the
 * profile. Returns the number of errors added.
 */
int hg_stackset_check(const hg_doc *member, size_t len, const char *template_url,
                      const hg_org *org, hg_diag_sink *sink);

/* ---- the Query API (stackset.c) ---- */

typedef struct hg_cfn {
  hg_http *http;                /* borrowed */
  hg_creds_provider *provider;  /* borrowed */
  const char *endpoint;         /* e.g. https://cloudformation.eu-west-1.amazonaws.com */
  const char *region;
} hg_cfn;

/* One Key=Value of a request (in order); values are encoded by the caller's form. */
typedef struct hg_cfn_arg {
  char *name, *value;
} hg_cfn_arg;

typedef struct hg_cfn_args {
  hg_cfn_arg *v;
  size_t n;
} hg_cfn_args;

void hg_cfn_args_add(hg_cfn_args *a, const char *name, const char *value);
void hg_cfn_args_addf(hg_cfn_args *a, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void hg_cfn_args_free(hg_cfn_args *a);

/*
 * Turn one call of stackset.json ("CreateStackSet": {...}) into Query API
 * arguments: maps become NAME.KEY, lists NAME.member.N (1-based), as the
 * AWS CLI sends them. Keys are appended to a in document order.
 */
void hg_cfn_args_from_doc(hg_cfn_args *a, const char *prefix, const hg_doc *d);

/*
 * POST Action=ACTION&Version=2010-05-15&ARGS. On success *body gets the XML
 * answer (malloc'd). On failure adds an error (codes cloudformation-auth,
 * -network, -http) and returns -1; *code (may be NULL) gets the AWS error
 * code ("" for none; static buffer of the call, copied into code_buf of
 * code_len bytes).
 */
int hg_cfn_call(const hg_cfn *c, const char *action, const hg_cfn_args *args, char **body,
                char *code_buf, size_t code_len, bool quiet_codes, hg_diag_sink *sink);

/* The text of every <tag>...</tag> in body, in order, as a NULL-terminated
 * malloc'd array of malloc'd strings (hg_strv_free). */
char **hg_cfn_xml_all(const char *body, const char *tag);
/* The member blocks <member>...</member> of body as strings (same ownership). */
char **hg_cfn_xml_members(const char *body);
void hg_strv_free(char **v);

#endif
