/*
 * cli_deploy.c — `hardengen deploy`: roll the built member template out with
 * a service-managed StackSet (SPEC §12). Reads out/ENV/stackset/, uploads
 * member.yaml to S3 with the publish client (s3.h), then creates or updates
 * the StackSet and its instances through the CloudFormation Query API
 * (stackset.c), waits for each operation and reports every instance that is
 * not CURRENT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_aws.h"
#include "cli_opts.h"
#include "hg/awscfg.h"
#include "cli.h"
#include "hg/creds.h"
#include "hg/emit.h"
#include "hg/http.h"
#include "hg/s3.h"
#include "hg/stackset.h"
#include "hg/util.h"
#include "hg/validate.h"

const char hg_help_deploy[] =
    "hardengen deploy --env ENV [--root DIR] [--out DIR] [--profile NAME] [--region R] [--endpoint-url URL] "
    "[--timeout SECONDS] [--dry-run]\n"
    "\n"
    "Roll the env out to the organization with a service-managed CloudFormation StackSet\n"
    "(profile org:, SPEC §12). Reads OUT/ENV/stackset/ (written by `hardengen build`),\n"
    "uploads member.yaml to the profile's publish bucket, creates the StackSet or updates\n"
    "its template and parameters, creates the stack instances that the OUs and Regions\n"
    "still miss, waits for each operation, then lists every instance that is not CURRENT\n"
    "with its reason. Service-managed StackSets never deploy to the management account.\n"
    "\n"
    "options:\n"
    "  --env ENV           the environment (required)\n"
    "  --root DIR          folder holding profiles/ (default: the current folder or\n"
    "                      the nearest one above it that holds profiles/)\n"
    "  --out DIR           folder holding ENV/ (default: ROOT/out)\n"
    "  --profile NAME      the AWS profile of ~/.aws/config and ~/.aws/credentials\n"
    "                      (default: AWS_PROFILE, else default)\n"
    "  --region R          the Region of the StackSet's administration (default: AWS_REGION,\n"
    "                      AWS_DEFAULT_REGION, the AWS profile's region, the first of\n"
    "                      org.regions)\n"
    "  --endpoint-url URL  one endpoint for CloudFormation, S3 and Organizations (default:\n"
    "                      AWS_ENDPOINT_URL_CLOUDFORMATION / _S3 / _ORGANIZATIONS,\n"
    "                      AWS_ENDPOINT_URL)\n"
    "  --timeout SECONDS   how long to wait for each operation (default 3600)\n"
    "  --dry-run           print the calls; touch nothing\n"
    "  -v, --verbose       trace the HTTP requests on stderr (secrets redacted)\n"
    "  --format text       the only format\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 every instance is CURRENT; 1 the build output is missing or changed,\n"
    "or an instance is not CURRENT, or an OU got no instance; 2 usage error; 3 network,\n"
    "credentials or API error.\n"
    "\n"
    "example:\n"
    "  hardengen build --env prod && hardengen deploy --env prod\n";

static const char *str_of(const hg_doc *d, const char *a, const char *b)
{
  const hg_doc *x = hg_doc_get(d, a);
  return b ? hg_doc_get_str(x, b) : (x && x->kind == HG_DOC_STR ? x->str : NULL);
}

static void print_call(const char *action, const hg_cfn_args *a)
{
  printf("%s\n", action);
  for (size_t i = 0; i < a->n; i++)
    printf("  %s=%s\n", a->v[i].name, a->v[i].value);
}

/* Wait for an operation; returns its final status (malloc'd) or NULL. */
static char *wait_operation(const hg_cfn *c, const char *set, const char *call_as, const char *op,
                            double timeout, hg_diag_sink *sink)
{
  bool tty = isatty(STDERR_FILENO);
  time_t start = time(NULL);
  for (int round = 0;; round++) {
    hg_cfn_args a = {0};
    hg_cfn_args_add(&a, "StackSetName", set);
    hg_cfn_args_add(&a, "OperationId", op);
    hg_cfn_args_add(&a, "CallAs", call_as);
    char *body = NULL;
    int rc = hg_cfn_call(c, "DescribeStackSetOperation", &a, &body, NULL, 0, false, sink);
    hg_cfn_args_free(&a);
    if (rc != 0)
      return NULL;
    char *status = hg_http_xml_text(body, strlen(body), "Status");
    free(body);
    if (!status)
      status = xstrdup("UNKNOWN");
    if (tty)
      fprintf(stderr, "\roperation %s: %-10s %lds", op, status, (long)(time(NULL) - start));
    if (strcmp(status, "RUNNING") != 0 && strcmp(status, "QUEUED") != 0 &&
        strcmp(status, "STOPPING") != 0) {
      if (tty)
        fputc('\n', stderr);
      return status;
    }
    free(status);
    if (difftime(time(NULL), start) > timeout) {
      if (tty)
        fputc('\n', stderr);
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "deploy-timeout",
                  "operation %s of %s still runs after %.0f s", op, set, timeout);
      return NULL;
    }
    sleep(round < 5 ? 1 : 5);
  }
}

/* A fresh OperationId, so a request the HTTP layer resends is the same
 * operation for CloudFormation, not a second one. */
static void add_operation_id(hg_cfn_args *a)
{
  unsigned char r[16] = {0};
  FILE *f = fopen("/dev/urandom", "rb");
  if (f) {
    if (fread(r, 1, sizeof r, f) != sizeof r)
      memset(r, 0, sizeof r);
    fclose(f);
  }
  hg_cfn_args_addf(a, "OperationId", "hardengen-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x%02x%02x",
                   r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
                   r[13], r[14], r[15]);
}

/* Whether a ListRoots answer names the root id. */
static bool lists_root(const hg_http_response *rs, const char *id, hg_diag_sink *sink)
{
  hg_doc *d = hg_emit_read_json(rs->body, rs->body_len, "the ListRoots answer", "deploy-answer", sink);
  const hg_doc *roots = hg_doc_get_seq(d, "Roots");
  bool found = false;
  for (size_t i = 0; roots && i < roots->n && !found; i++) {
    const char *rid = hg_doc_get_str(roots->items[i], "Id");
    found = rid && strcmp(rid, id) == 0;
  }
  hg_doc_free(d);
  return found;
}

/*
 * Ask Organizations whether each OU exists (DescribeOrganizationalUnit; the
 * root through ListRoots), so an unknown OU fails before anything is
 * deployed instead of giving zero instances. Without permission to read the
 * organization (a CloudFormation-only delegated admin) the check is skipped
 * with a warning. Returns the number of unknown OUs, or -1 on a network error.
 */
static int check_ous(hg_http *http, hg_creds_provider *creds, const char *endpoint,
                     const hg_doc *ous, hg_diag_sink *sink)
{
  int unknown = 0;
  for (size_t i = 0; ous && i < ous->n; i++) {
    const char *id = ous->items[i]->str;
    bool root = strncmp(id, "r-", 2) == 0;
    hg_doc *q = hg_doc_map();
    if (!root)
      hg_doc_set_str(q, "OrganizationalUnitId", id);
    hg_buf qb;
    hg_buf_init(&qb);
    hg_emit_json_compact(q, &qb);
    hg_doc_free(q);
    char *body = qb.data;
    const char *hdrs[] = {"Content-Type: application/x-amz-json-1.1",
                          root ? "X-Amz-Target: AWSOrganizationsV20161128.ListRoots"
                               : "X-Amz-Target: AWSOrganizationsV20161128.DescribeOrganizationalUnit",
                          NULL};
    hg_http_request rq = {.method = "POST", .url = endpoint, .headers = hdrs, .body = body,
                          .body_len = strlen(body), .service = "organizations",
                          .region = "us-east-1", .provider = creds};
    hg_http_response rs;
    hg_http_status st = hg_http_send(http, &rq, &rs, sink);
    free(body);
    if (st == HG_HTTP_ERR_AUTH) {
      hg_diag_add(sink, HG_SEV_WARNING, NULL, 0, 0, "deploy-ou-unchecked",
                  "cannot read the organization (%s): the OUs are checked after the deployment only",
                  rs.error_code);
      hg_http_response_free(&rs);
      return unknown;
    }
    if (st == HG_HTTP_OK && root && !lists_root(&rs, id, sink))
      st = HG_HTTP_ERR_HTTP;
    if (st == HG_HTTP_ERR_HTTP &&
        (root || strcmp(rs.error_code, "OrganizationalUnitNotFoundException") == 0 ||
         strcmp(rs.error_code, "InvalidInputException") == 0)) {
      hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "deploy-unknown-ou",
                               "%s %s is not part of the organization", root ? "root" : "OU", id);
      hg_diag_note(d, "check org.ou_ids in the profile; nothing was deployed");
      unknown++;
    } else if (st != HG_HTTP_OK) {
      hg_http_diag(sink, "organizations", &rs, NULL, "cannot check %s", id);
      hg_http_response_free(&rs);
      return -1;
    }
    hg_http_response_free(&rs);
  }
  return unknown;
}

typedef struct instance {
  char *account, *region, *status, *reason, *ou, *detailed;
} instance;

static void instances_free(instance *v, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(v[i].account);
    free(v[i].region);
    free(v[i].status);
    free(v[i].reason);
    free(v[i].ou);
    free(v[i].detailed);
  }
  free(v);
}

static int list_instances(const hg_cfn *c, const char *set, const char *call_as, instance **out,
                          size_t *n, hg_diag_sink *sink)
{
  *out = NULL;
  *n = 0;
  char *token = NULL;
  do {
    hg_cfn_args a = {0};
    hg_cfn_args_add(&a, "StackSetName", set);
    hg_cfn_args_add(&a, "CallAs", call_as);
    if (token)
      hg_cfn_args_add(&a, "NextToken", token);
    free(token);
    token = NULL;
    char *body = NULL;
    int rc = hg_cfn_call(c, "ListStackInstances", &a, &body, NULL, 0, false, sink);
    hg_cfn_args_free(&a);
    if (rc != 0)
      return -1;
    char **m = hg_cfn_xml_members(body);
    for (size_t i = 0; m[i]; i++) {
      size_t l = strlen(m[i]);
      *out = xrealloc(*out, (*n + 1) * sizeof **out);
      instance *x = &(*out)[(*n)++];
      x->account = hg_http_xml_text(m[i], l, "Account");
      x->region = hg_http_xml_text(m[i], l, "Region");
      x->status = hg_http_xml_text(m[i], l, "Status");
      x->reason = hg_http_xml_text(m[i], l, "StatusReason");
      x->ou = hg_http_xml_text(m[i], l, "OrganizationalUnitId");
      x->detailed = hg_http_xml_text(m[i], l, "DetailedStatus");
    }
    hg_strv_free(m);
    token = hg_http_xml_text(body, strlen(body), "NextToken");
    free(body);
  } while (token && *token);
  free(token);
  return 0;
}

static int cmp_instance(const void *a, const void *b)
{
  const instance *x = a, *y = b;
  int c = strcmp(x->account ? x->account : "", y->account ? y->account : "");
  return c ? c : strcmp(x->region ? x->region : "", y->region ? y->region : "");
}

int hg_cli_deploy(int argc, char **argv)
{
  static const char *const formats[] = {"text", NULL};
  const char *env = NULL, *out = NULL, *timeout_text = NULL;
  double timeout = 3600;
  bool dry_run = false;
  hg_cli_aws aws;
  hg_cli_aws_init(&aws);
  const hg_opt table[] = {
      {"env", 0, HG_OPT_STR, &env, "ENV"},
      {"out", 0, HG_OPT_STR, &out, "DIR"},
      {"timeout", 0, HG_OPT_STR, &timeout_text, "SECONDS"},
      {"dry-run", 0, HG_OPT_BOOL, &dry_run, NULL},
      HG_CLI_AWS_OPTS(&aws),
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_deploy, table, formats, 0};
  hg_cli_args args;
  int prc = hg_cli_opts_parse(argc, argv, &cmd, &args);
  if (prc == 0 && timeout_text) {
    char *end;
    timeout = strtod(timeout_text, &end);
    if (!*timeout_text || *end || !(timeout > 0))
      prc = hg_cli_usage_error(hg_help_deploy, "--timeout needs a positive number of seconds");
  }
  if (prc == 0)
    prc = hg_cli_need_env(hg_help_deploy, env);
  if (prc != 0) {
    hg_cli_args_free(&args);
    return hg_cli_opts_exit(prc);
  }
  const char *root = args.root, *region = aws.region, *endpoint = aws.endpoint;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  int rc = HG_EXIT_OK;
  char *out_dir = out ? xstrdup(out) : xasprintf("%s/out", root);
  char *dir = xasprintf("%s/%s/%s", out_dir, env, HG_STACKSET_DIR);
  char *json_path = xasprintf("%s/stackset.json", dir);
  char *member = NULL, *json = NULL, *cfn_ep = NULL, *s3_ep = NULL, *url = NULL;
  hg_doc *in = NULL;
  hg_s3 *s3 = NULL;
  instance *inst = NULL;
  size_t n_inst = 0;
  size_t jlen = 0, mlen = 0;

  json = hg_read_file(json_path, 4u << 20, &jlen);
  if (!json) {
    hg_diag_add(&sink, HG_SEV_ERROR, json_path, 0, 0, "deploy-missing",
                "no StackSet input: build the env with an org: block first (hardengen build --env %s)",
                env);
    rc = HG_EXIT_INPUT;
    goto done;
  }
  in = hg_emit_read_yaml(json, jlen, json_path, &sink);
  const hg_doc *tm = hg_doc_get(in, "Template");
  const hg_doc *cs = hg_doc_get(in, "CreateStackSet");
  const hg_doc *ci = hg_doc_get(in, "CreateStackInstances");
  const char *set = str_of(in, "CreateStackSet", "StackSetName");
  const char *call_as = str_of(in, "CreateStackSet", "CallAs");
  const char *file = str_of(tm, "File", NULL), *sha = str_of(tm, "Sha256", NULL);
  const char *bucket = str_of(tm, "Bucket", NULL), *key = str_of(tm, "Key", NULL);
  const char *bucket_region = str_of(tm, "Region", NULL);
  if (!in || !cs || !ci || !set || !call_as || !file || !sha || !bucket || !key || !bucket_region) {
    hg_diag_add(&sink, HG_SEV_ERROR, json_path, 0, 0, "deploy-invalid",
                "not a StackSet input written by hardengen build");
    rc = HG_EXIT_INPUT;
    goto done;
  }
  char *mpath = xasprintf("%s/%s/%s", out_dir, env, file);
  member = hg_read_file(mpath, 4u << 20, &mlen);
  char hex[65] = "";
  if (member)
    hg_sha256_hex(member, mlen, hex);
  if (!member || strcmp(hex, sha) != 0) {
    hg_diag_add(&sink, HG_SEV_ERROR, mpath, 0, 0, "deploy-stale",
                member ? "the member template changed after the build; build again"
                       : "cannot read the member template; build again");
    free(mpath);
    rc = HG_EXIT_INPUT;
    goto done;
  }
  free(mpath);

  if (hg_cli_aws_config(&aws, &sink) != 0) {
    rc = HG_EXIT_USAGE;
    goto done;
  }
  hg_awscfg *awscfg = aws.cfg;
  if (hg_awscfg_endpoint(awscfg, "cloudformation", endpoint, &cfn_ep, NULL, &sink) != 0 ||
      hg_awscfg_endpoint(awscfg, "s3", endpoint, &s3_ep, NULL, &sink) != 0) {
    rc = HG_EXIT_USAGE;
    goto done;
  }
  const hg_doc *regions = hg_doc_get(ci, "Regions");
  region = hg_awscfg_region(awscfg, region, NULL, NULL);
  if (!region && regions && regions->n && regions->items[0]->kind == HG_DOC_STR)
    region = regions->items[0]->str;
  if (region && !hg_valid_region(region)) {
    hg_diag_add(&sink, HG_SEV_ERROR, NULL, 0, 0, "deploy-option", "invalid Region '%s'", region);
    rc = HG_EXIT_USAGE;
    goto done;
  }
  if (!cfn_ep)
    cfn_ep = hg_awscfg_default_endpoint("cloudformation", region);
  url = s3_ep ? hg_s3_object_url(s3_ep, bucket, bucket_region, key)
              : xstrdup(str_of(cs, "TemplateURL", NULL));

  /* moto and StackSets may take long to answer a create: no low-speed cut
   * that would resend it (the OperationId keeps a resend idempotent). */
  hg_http_config hcfg = {.retry_seconds = 120, .attempt_seconds = 900, .low_speed_seconds = 900};
  if (hg_cli_aws_connect(&aws, &hcfg, !dry_run, &sink) != 0) {
    rc = HG_EXIT_IO;
    goto done;
  }
  hg_http *http = aws.http;
  hg_creds_provider *creds = aws.creds;
  hg_cfn cfn = {.http = http, .provider = creds, .endpoint = cfn_ep, .region = region};

  /* 0. Every OU exists. */
  const hg_doc *ous = hg_doc_get(hg_doc_get(ci, "DeploymentTargets"), "OrganizationalUnitIds");
  if (!dry_run) {
    char *org_ep = NULL;
    if (hg_awscfg_endpoint(awscfg, "organizations", endpoint, &org_ep, NULL, &sink) != 0) {
      rc = HG_EXIT_USAGE;
      goto done;
    }
    if (!org_ep)
      org_ep = xstrdup("https://organizations.us-east-1.amazonaws.com");
    int unknown = check_ous(http, creds, org_ep, ous, &sink);
    free(org_ep);
    if (unknown != 0) {
      rc = unknown < 0 ? HG_EXIT_IO : HG_EXIT_INPUT;
      goto done;
    }
  }

  /* 1. The template to S3, where the StackSet reads it. */
  if (dry_run) {
    printf("PUT s3://%s/%s (%zu bytes)\n", bucket, key, mlen);
  } else {
    hg_s3_config scfg = {.bucket = bucket, .region = bucket_region, .endpoint = s3_ep,
                         .provider = creds, .http = http};
    s3 = hg_s3_new(&scfg);
    if (!s3 || hg_s3_put(s3, key, member, mlen, hg_s3_content_type(file), NULL, &sink) != HG_S3_OK) {
      rc = HG_EXIT_IO;
      goto done;
    }
  }

  /* 2. The StackSet: create it, or update its template and parameters. */
  char code[128] = "";
  char *body = NULL;
  bool exists = false;
  if (!dry_run) {
    hg_cfn_args a = {0};
    hg_cfn_args_add(&a, "StackSetName", set);
    hg_cfn_args_add(&a, "CallAs", call_as);
    int r = hg_cfn_call(&cfn, "DescribeStackSet", &a, &body, code, sizeof code, true, &sink);
    hg_cfn_args_free(&a);
    if (r != 0 && strcmp(code, "StackSetNotFoundException") != 0) {
      if (!sink.errors)
        hg_diag_add(&sink, HG_SEV_ERROR, NULL, 0, 0, "cloudformation-http",
                    "DescribeStackSet %s failed: %s", set, code);
      rc = HG_EXIT_IO;
      goto done;
    }
    exists = r == 0;
  }
  bool changed = true;
  if (exists) {
    char *status = hg_http_xml_text(body, strlen(body), "Status");
    char *old = hg_http_xml_text(body, strlen(body), "TemplateBody");
    changed = !old || strcmp(old, member) != 0;
    /* Parameters: the same values in the same order. */
    char **keys = hg_cfn_xml_all(body, "ParameterKey");
    char **vals = hg_cfn_xml_all(body, "ParameterValue");
    const hg_doc *ps = hg_doc_get(cs, "Parameters");
    for (size_t i = 0; !changed && ps && i < ps->n; i++) {
      const char *k = hg_doc_get_str(ps->items[i], "ParameterKey");
      const char *v = hg_doc_get_str(ps->items[i], "ParameterValue");
      bool found = false;
      for (size_t j = 0; keys[j] && vals[j]; j++)
        if (strcmp(keys[j], k) == 0 && strcmp(vals[j], v) == 0)
          found = true;
      if (!found)
        changed = true;
    }
    hg_strv_free(keys);
    hg_strv_free(vals);
    free(old);
    free(status);
  }
  free(body);
  body = NULL;
  {
    hg_cfn_args a = {0};
    const char *action = exists ? "UpdateStackSet" : "CreateStackSet";
    for (size_t i = 0; i < cs->n; i++) {
      const char *k = cs->keys[i];
      if (strcmp(k, "TemplateURL") == 0)
        hg_cfn_args_add(&a, k, url);
      else if (!exists || (strcmp(k, "PermissionModel") != 0 && strcmp(k, "Tags") != 0))
        hg_cfn_args_from_doc(&a, k, cs->items[i]);
    }
    if (exists)
      hg_cfn_args_from_doc(&a, "OperationPreferences", hg_doc_get(ci, "OperationPreferences"));
    if (dry_run) {
      print_call("DescribeStackSet, then CreateStackSet (new) or UpdateStackSet (existing):", &a);
    } else if (!exists || changed) {
      if (exists)
        add_operation_id(&a);
      if (hg_cfn_call(&cfn, action, &a, &body, NULL, 0, false, &sink) != 0) {
        hg_cfn_args_free(&a);
        rc = HG_EXIT_IO;
        goto done;
      }
      char *op = exists ? hg_http_xml_text(body, strlen(body), "OperationId") : NULL;
      printf("%s %s\n", exists ? "updated" : "created", set);
      if (op) {
        char *st = wait_operation(&cfn, set, call_as, op, timeout, &sink);
        if (st)
          printf("operation %s: %s\n", op, st);
        if (!st)
          rc = HG_EXIT_IO;
        free(st);
        free(op);
      }
      free(body);
      body = NULL;
    } else {
      printf("%s is up to date\n", set);
    }
    hg_cfn_args_free(&a);
    if (rc != HG_EXIT_OK)
      goto done;
  }

  /* 3. Instances for every OU x Region that has none yet. An answer
   * without OrganizationalUnitId (moto) counts a Region as covered when it
   * has any instance. */
  if (!dry_run && exists && list_instances(&cfn, set, call_as, &inst, &n_inst, &sink) != 0) {
    rc = HG_EXIT_IO;
    goto done;
  }
  hg_doc *want_ous = hg_doc_seq(), *want_regions = hg_doc_seq();
  for (size_t o = 0; ous && o < ous->n; o++) {
    bool missing = false;
    for (size_t r = 0; regions && r < regions->n; r++) {
      bool have = false;
      for (size_t i = 0; i < n_inst; i++)
        if (inst[i].region && strcmp(inst[i].region, regions->items[r]->str) == 0 &&
            (!inst[i].ou || strcmp(inst[i].ou, ous->items[o]->str) == 0))
          have = true;
      if (!have) {
        missing = true;
        bool listed = false;
        for (size_t k = 0; k < want_regions->n; k++)
          if (strcmp(want_regions->items[k]->str, regions->items[r]->str) == 0)
            listed = true;
        if (!listed)
          hg_doc_push_str(want_regions, regions->items[r]->str);
      }
    }
    if (missing)
      hg_doc_push_str(want_ous, ous->items[o]->str);
  }
  instances_free(inst, n_inst);
  inst = NULL;
  n_inst = 0;
  if (want_ous->n) {
    hg_cfn_args a = {0};
    for (size_t i = 0; i < ci->n; i++) {
      const char *k = ci->keys[i];
      if (strcmp(k, "DeploymentTargets") == 0)
        hg_cfn_args_from_doc(&a, "DeploymentTargets.OrganizationalUnitIds", want_ous);
      else if (strcmp(k, "Regions") == 0)
        hg_cfn_args_from_doc(&a, k, want_regions);
      else
        hg_cfn_args_from_doc(&a, k, ci->items[i]);
    }
    if (dry_run) {
      print_call("CreateStackInstances (for the OUs and Regions without instances):", &a);
    } else if (add_operation_id(&a),
               hg_cfn_call(&cfn, "CreateStackInstances", &a, &body, NULL, 0, false, &sink) != 0) {
      rc = HG_EXIT_IO;
    } else {
      char *op = hg_http_xml_text(body, strlen(body), "OperationId");
      free(body);
      body = NULL;
      printf("creating instances in %zu OU(s) x %zu Region(s)\n", want_ous->n, want_regions->n);
      char *st = op ? wait_operation(&cfn, set, call_as, op, timeout, &sink) : NULL;
      if (st)
        printf("operation %s: %s\n", op, st);
      else
        rc = HG_EXIT_IO;
      free(st);
      free(op);
    }
    hg_cfn_args_free(&a);
  }
  hg_doc_free(want_ous);
  hg_doc_free(want_regions);
  if (rc != HG_EXIT_OK || dry_run)
    goto done;

  /* 4. Every instance CURRENT, and every OU reached. */
  if (list_instances(&cfn, set, call_as, &inst, &n_inst, &sink) != 0) {
    rc = HG_EXIT_IO;
    goto done;
  }
  qsort(inst, n_inst, sizeof *inst, cmp_instance);
  size_t current = 0;
  for (size_t i = 0; i < n_inst; i++) {
    if (inst[i].status && strcmp(inst[i].status, "CURRENT") == 0) {
      current++;
      continue;
    }
    hg_diag_add(&sink, HG_SEV_ERROR, NULL, 0, 0, "deploy-instance",
                "account %s, Region %s: %s%s%s", inst[i].account ? inst[i].account : "?",
                inst[i].region ? inst[i].region : "?", inst[i].status ? inst[i].status : "?",
                inst[i].reason && *inst[i].reason ? ": " : "",
                inst[i].reason ? inst[i].reason : "");
  }
  bool with_ou = false;
  for (size_t i = 0; i < n_inst; i++)
    if (inst[i].ou)
      with_ou = true;
  if (!n_inst) {
    hg_diag *d = hg_diag_add(&sink, HG_SEV_ERROR, NULL, 0, 0, "deploy-empty",
                             "the StackSet has no stack instance: its OUs hold no account");
    hg_diag_note(d, "service-managed StackSets never deploy to the management account");
  }
  for (size_t o = 0; with_ou && ous && o < ous->n; o++) {
    size_t k = 0;
    for (size_t i = 0; i < n_inst; i++)
      if (inst[i].ou && strcmp(inst[i].ou, ous->items[o]->str) == 0)
        k++;
    if (!k) {
      hg_diag *d = hg_diag_add(&sink, HG_SEV_ERROR, NULL, 0, 0, "deploy-empty-ou",
                               "OU %s has no stack instance: it is unknown to the organization or "
                               "holds no account",
                               ous->items[o]->str);
      hg_diag_note(d, "service-managed StackSets never deploy to the management account");
    }
  }
  printf("%zu stack instance(s), %zu CURRENT\n", n_inst, current);
  if (sink.errors)
    rc = HG_EXIT_INPUT;

done:
  if (sink.n)
    hg_diag_render_text(&sink, stderr);
  instances_free(inst, n_inst);
  hg_s3_free(s3);
  hg_cli_aws_free(&aws);
  hg_doc_free(in);
  free(member);
  free(json);
  free(cfn_ep);
  free(s3_ep);
  free(url);
  free(json_path);
  free(dir);
  free(out_dir);
  hg_diag_free(&sink);
  hg_cli_args_free(&args);
  return rc;
}
