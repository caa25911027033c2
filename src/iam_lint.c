/*
 * iam_lint.c — find every policy in an input and lint it.
 *
 * An input is a CloudFormation template (a map with Resources) or a bare
 * policy document (a map with Statement). In a template the policies are:
 *   AWS::IAM::Role                 AssumeRolePolicyDocument
 *   AWS::KMS::Key, ReplicaKey      KeyPolicy
 *   AWS::Organizations::Policy     Content (object or JSON string), when its
 *                                  Type is SERVICE_CONTROL_POLICY or
 *                                  RESOURCE_CONTROL_POLICY (linted as SCPs;
 *                                  an unresolved Type counts as one); tag,
 *                                  backup and other policy types hold no IAM
 *                                  actions and are skipped
 *   AWS::SSO::PermissionSet        InlinePolicy
 *   AWS::OpenSearchService::Domain, AWS::Elasticsearch::Domain  AccessPolicies
 *   AWS::ECR::Repository           RepositoryPolicyText
 *   any resource                   every property named PolicyDocument, at
 *                                  any depth (IAM Policy/ManagedPolicy, the
 *                                  Policies list of Role/User/Group, S3 bucket,
 *                                  SNS topic and SQS queue policies, ...)
 * S3 bucket, SNS topic and SQS queue policies may only name their own
 * service's actions (AWS rejects others), as cfn-lint's W3037 also checks.
 */
#include "hg/iam.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Node visits allowed per input: far above any real template (a 1 MB
 * template has ~10^5 nodes), low enough that an alias bomb ends at once. */
#define IAM_BUDGET 4000000u
#define SCAN_DEPTH 32

static const char *scalar(const hg_iam_node *n)
{
  return n && n->kind == HG_IAM_SCALAR ? n->str : NULL;
}

static void lint_at(hg_iam_policy_ctx *ctx, const hg_iam_node *policy, const char *where)
{
  ctx->where = ctx->file->text ? NULL : where;
  hg_iam_lint_policy(ctx, policy);
  ctx->where = NULL;
}

/* Every property named PolicyDocument under n (not inside one). */
static void scan(hg_iam_policy_ctx *ctx, const hg_iam_node *n, hg_buf *path, int depth)
{
  if (!n || depth > SCAN_DEPTH)
    return;
  if (*ctx->budget == 0) {
    if (!ctx->exhausted) {
      ctx->exhausted = true;
      hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file->name, 0, 0, "iam-too-complex",
                  "the document is too large or repetitive to lint (aliases?)");
      ctx->findings++;
    }
    return;
  }
  (*ctx->budget)--;
  size_t old = path->len;
  if (n->kind == HG_IAM_MAP) {
    for (size_t i = 0; i < n->n; i++) {
      hg_buf_printf(path, "/%s", n->keys[i]);
      if (strcmp(n->keys[i], "PolicyDocument") == 0)
        lint_at(ctx, n->items[i], path->data);
      else
        scan(ctx, n->items[i], path, depth + 1);
      path->len = old;
      path->data[old] = '\0';
    }
  } else if (n->kind == HG_IAM_SEQ) {
    for (size_t i = 0; i < n->n; i++) {
      hg_buf_printf(path, "/%zu", i);
      scan(ctx, n->items[i], path, depth + 1);
      path->len = old;
      path->data[old] = '\0';
    }
  }
}

static void lint_resource(hg_iam_policy_ctx *ctx, const char *name, const hg_iam_node *res)
{
  const char *type = scalar(hg_iam_get(res, "Type"));
  const hg_iam_node *props = hg_iam_get(res, "Properties");
  if (!type || !props || props->kind != HG_IAM_MAP)
    return;
  hg_buf path;
  hg_buf_init(&path);
  hg_buf_printf(&path, "Resources/%s/Properties", name);
  size_t base = path.len;
  const char *prop = NULL;
  bool scp = false;
  if (strcmp(type, "AWS::IAM::Role") == 0) {
    prop = "AssumeRolePolicyDocument";
  } else if (strcmp(type, "AWS::KMS::Key") == 0 || strcmp(type, "AWS::KMS::ReplicaKey") == 0) {
    prop = "KeyPolicy";
  } else if (strcmp(type, "AWS::SSO::PermissionSet") == 0) {
    prop = "InlinePolicy";
  } else if (strcmp(type, "AWS::OpenSearchService::Domain") == 0 ||
             strcmp(type, "AWS::Elasticsearch::Domain") == 0) {
    prop = "AccessPolicies";
  } else if (strcmp(type, "AWS::ECR::Repository") == 0) {
    prop = "RepositoryPolicyText";
  } else if (strcmp(type, "AWS::Organizations::Policy") == 0) {
    const hg_iam_node *pt = hg_iam_get(props, "Type");
    const char *t = scalar(pt);
    if (!t || strcmp(t, "SERVICE_CONTROL_POLICY") == 0 || strcmp(t, "RESOURCE_CONTROL_POLICY") == 0) {
      prop = "Content";
      scp = true;
    }
  }
  if (prop) {
    const hg_iam_node *p = hg_iam_get(props, prop);
    if (p) {
      hg_buf_printf(&path, "/%s", prop);
      bool saved = ctx->scp;
      ctx->scp = scp;
      lint_at(ctx, p, path.data);
      ctx->scp = saved;
      path.len = base;
      path.data[base] = '\0';
    }
  }
  if (strcmp(type, "AWS::S3::BucketPolicy") == 0)
    ctx->service = "s3";
  else if (strcmp(type, "AWS::SNS::TopicPolicy") == 0)
    ctx->service = "sns";
  else if (strcmp(type, "AWS::SQS::QueuePolicy") == 0)
    ctx->service = "sqs";
  scan(ctx, props, &path, 0);
  ctx->service = NULL;
  hg_buf_free(&path);
}

static void lint_root(hg_iam_policy_ctx *ctx, const hg_iam_node *root, const hg_iam_opts *opts)
{
  const hg_iam_node *res = hg_iam_get(root, "Resources");
  if (res && res->kind == HG_IAM_MAP) {
    for (size_t i = 0; i < res->n && *ctx->budget > 0; i++)
      if (res->items[i] && res->items[i]->kind == HG_IAM_MAP)
        lint_resource(ctx, res->keys[i], res->items[i]);
    return;
  }
  if (hg_iam_get(root, "Statement")) {
    ctx->scp = opts && opts->scp;
    hg_iam_lint_policy(ctx, root);
    return;
  }
  int line = root && root->line ? root->line : 0, col = root && root->line ? root->col : 0;
  hg_diag *d = hg_diag_add(ctx->sink, HG_SEV_ERROR, ctx->file->name, line, col, "iam-input-kind",
                           "neither a CloudFormation template (no Resources) nor an IAM policy "
                           "document (no Statement)");
  if (res)
    hg_diag_note(d, "Resources must be an object");
  ctx->findings++;
}

int hg_iam_lint_text(const hg_iam_db *db, const char *name, const char *text, size_t len,
                     const hg_iam_opts *opts, hg_diag_sink *sink)
{
  size_t before = sink->n;
  hg_diag_source(sink, name, text, len);
  hg_iam_file f;
  hg_iam_file_init(&f, name, text, len);
  hg_iam_node *root = hg_iam_load(&f, sink);
  if (root) {
    size_t budget = IAM_BUDGET;
    hg_iam_policy_ctx ctx = {.db = db, .sink = sink, .file = &f, .budget = &budget};
    lint_root(&ctx, root, opts);
  }
  hg_iam_file_free(&f);
  return (int)(sink->n - before);
}

/* All of standard input, malloc'd; NULL on a read error. */
static char *read_stdin(size_t *len)
{
  hg_buf b;
  hg_buf_init(&b);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
    hg_buf_append(&b, chunk, n);
  if (ferror(stdin)) {
    hg_buf_free(&b);
    return NULL;
  }
  return hg_buf_take(&b, len);
}

int hg_iam_lint_file(const hg_iam_db *db, const char *path, const hg_iam_opts *opts,
                     hg_diag_sink *sink)
{
  size_t len = 0;
  bool in = strcmp(path, "-") == 0;
  char *text = in ? read_stdin(&len) : hg_read_file(path, 64u << 20, &len);
  if (!text) {
    hg_diag_add(sink, HG_SEV_ERROR, path, 0, 0, "iam-io", "cannot read: %s", hg_read_error(errno));
    return -1;
  }
  int n = hg_iam_lint_text(db, in ? "<stdin>" : path, text, len, opts, sink);
  free(text);
  return n;
}

int hg_iam_lint_doc(const hg_doc *tmpl, const char *name, hg_diag_sink *sink)
{
  size_t before = sink->n;
  const hg_iam_db *db = hg_iam_db_default(sink);
  if (!db)
    return (int)(sink->n - before);
  hg_iam_file f;
  hg_iam_file_init(&f, name, NULL, 0);
  hg_iam_node *root = hg_iam_from_doc(&f, tmpl);
  size_t budget = IAM_BUDGET;
  hg_iam_policy_ctx ctx = {.db = db, .sink = sink, .file = &f, .budget = &budget};
  lint_root(&ctx, root, NULL);
  hg_iam_file_free(&f);
  return (int)(sink->n - before);
}
