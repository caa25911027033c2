/*
 * cli_sync.c — `hardengen sync`: write out/ENV/detective-data.json to the
 * central detective tables (SPEC §11). The work is in sync.c (diff and
 * apply) and dynamodb.c (signed calls); this file reads flags, checks the
 * built data against manifest.json, finds the Region, the endpoint and the
 * credentials, and prints what changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_aws.h"
#include "cli_opts.h"
#include "hg/awscfg.h"
#include "cli.h"
#include "hg/creds.h"
#include "hg/detective.h"
#include "hg/dynamodb.h"
#include "hg/emit.h"
#include "hg/http.h"
#include "hg/plan.h"
#include "hg/profile.h"
#include "hg/sync.h"
#include "hg/util.h"
#include "hg/validate.h"

const char hg_help_sync[] =
    "hardengen sync --env ENV [--root DIR] [--out DIR] [--profile NAME] [--region R] [--endpoint-url URL] [--dry-run]\n"
    "\n"
    "Write the rule metadata and exceptions of a built environment (OUT/ENV/detective-data.json,\n"
    "written by `hardengen build` when the profile has detective:) to the central DynamoDB\n"
    "tables: items that are new or differ are put, items no longer declared are deleted, and\n"
    "each change is printed. A second run changes nothing. Every table is read before anything\n"
    "is written; after a failure, run it again to finish.\n"
    "\n"
    "options:\n"
    "  --env ENV           the environment (required)\n"
    "  --root DIR          folder holding profiles/ (default: the current folder or\n"
    "                      the nearest one above it that holds profiles/)\n"
    "  --out DIR           folder holding ENV/ (default: ROOT/out)\n"
    "  --profile NAME      the AWS profile of ~/.aws/config and ~/.aws/credentials\n"
    "                      (default: AWS_PROFILE, else default)\n"
    "  --region R          the tables' Region (default: detective.central.region)\n"
    "  --endpoint-url URL  a DynamoDB-compatible endpoint (default: AWS_ENDPOINT_URL_DYNAMODB,\n"
    "                      AWS_ENDPOINT_URL, else https://dynamodb.REGION.amazonaws.com)\n"
    "  --dry-run           read the tables and print what would change; write nothing\n"
    "  -v, --verbose       trace the HTTP requests on stderr (secrets redacted)\n"
    "  --format text       the only format\n"
    "  -h, --help          show this help\n"
    "\n"
    "Credentials: as the AWS CLI finds them (see `hardengen help publish`), for a principal of\n"
    "the central account allowed dynamodb:Scan, PutItem and DeleteItem on the two tables.\n"
    "\n"
    "Exit status: 0 in sync; 1 the profile or the build output is wrong or missing; 2 usage\n"
    "error; 3 network, credentials or DynamoDB error.\n"
    "\n"
    "example:\n"
    "  hardengen build --env security\n"
    "  hardengen sync --env security\n";

static void report(void *ctx, const hg_sync_change *c, bool dry_run)
{
  (void)ctx;
  static const char *const done[] = {"added", "changed", "removed"};
  static const char *const would[] = {"would add", "would change", "would remove"};
  printf("  %-12s %s %s\n", dry_run ? would[c->kind] : done[c->kind], c->table, c->key_text);
}

/*
 * Read DIR/detective-data.json and check it against DIR/manifest.json's
 * "data" entry (size and sha256: a mismatch means it changed after the
 * build). Returns the bytes (malloc'd) or NULL after an error.
 */
static char *read_data(const char *dir, const char *env, size_t *len, hg_diag_sink *sink)
{
  char *mpath = xasprintf("%s/manifest.json", dir);
  char *dpath = xasprintf("%s/%s", dir, HG_PLAN_DATA_NAME);
  size_t mlen = 0;
  char *mtext = hg_read_file(mpath, 16u << 20, &mlen);
  char *data = NULL;
  hg_doc *m = NULL;
  if (!mtext) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "sync-not-built", "%s: %s", mpath, strerror(errno));
    hg_diag_note(d, "build the environment first: hardengen build --env %s", env);
    goto done;
  }
  m = hg_emit_read_json(mtext, mlen, mpath, "sync-not-built", sink);
  if (!m) {
    hg_diag_note(&sink->v[sink->n - 1], "build the environment again: hardengen build --env %s", env);
    goto done;
  }
  const hg_doc *list = hg_doc_get_seq(m, "data"), *entry = NULL;
  for (size_t i = 0; list && i < list->n; i++) {
    const char *name = hg_doc_get_str(list->items[i], "name");
    if (name && strcmp(name, HG_PLAN_DATA_NAME) == 0)
      entry = list->items[i];
  }
  double size = 0;
  const char *sha = hg_doc_get_str(entry, "sha256");
  if (!entry || !hg_doc_get_num(entry, "size", &size) || !sha) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, mpath, 0, 0, "sync-not-built", "the build lists no %s",
                             HG_PLAN_DATA_NAME);
    hg_diag_note(d, "the profile needs a detective: block; then build again: hardengen build --env %s", env);
    goto done;
  }
  data = hg_read_file(dpath, 64u << 20, len);
  if (!data) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "sync-not-built", "%s: %s", dpath, strerror(errno));
    hg_diag_note(d, "build the environment again: hardengen build --env %s", env);
    goto done;
  }
  char hex[65];
  hg_sha256_hex(data, *len, hex);
  if ((double)*len != size || strcmp(hex, sha) != 0) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, dpath, 0, 0, "sync-stale",
                             "does not match manifest.json: it changed after the build");
    hg_diag_note(d, "build the environment again: hardengen build --env %s", env);
    free(data);
    data = NULL;
  }
done:
  hg_doc_free(m);
  free(mtext);
  free(mpath);
  free(dpath);
  return data;
}

int hg_cli_sync(int argc, char **argv)
{
  static const char *const formats[] = {"text", NULL};
  const char *env = NULL, *out = NULL;
  bool dry_run = false;
  hg_cli_aws aws;
  hg_cli_aws_init(&aws);
  const hg_opt table[] = {
      {"env", 0, HG_OPT_STR, &env, "ENV"},
      {"out", 0, HG_OPT_STR, &out, "DIR"},
      {"dry-run", 0, HG_OPT_BOOL, &dry_run, NULL},
      HG_CLI_AWS_OPTS(&aws),
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_sync, table, formats, 0};
  hg_cli_args args;
  int prc = hg_cli_opts_parse(argc, argv, &cmd, &args);
  if (prc == 0)
    prc = hg_cli_need_env(hg_help_sync, env);
  if (prc != 0) {
    hg_cli_args_free(&args);
    return hg_cli_opts_exit(prc);
  }
  const char *root = args.root, *region = aws.region;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  int rc = HG_EXIT_OK;
  char *out_dir = out ? xstrdup(out) : xasprintf("%s/out", root);
  char *dir = xasprintf("%s/%s", out_dir, env);
  char *data = NULL;
  hg_sync_data sd;
  memset(&sd, 0, sizeof sd);
  hg_sync_plan plan;
  memset(&plan, 0, sizeof plan);
  char *endpoint_url = NULL;
  hg_ddb *ddb = NULL;
  size_t applied = 0;

  hg_profile *profile = hg_profile_load(root, env, &sink);
  hg_det_config dc;
  if (!profile) {
    rc = HG_EXIT_INPUT;
    goto done;
  }
  if (!hg_det_config_of(profile, &dc)) {
    hg_diag *d = hg_diag_add(&sink, HG_SEV_ERROR, profile->path, 0, 0, "sync-no-detective",
                             "the profile has no detective: block, so there is nothing to sync");
    hg_diag_note(d, "see doc/detective.md");
    rc = HG_EXIT_INPUT;
    goto done;
  }
  /* Region: --region, else detective.central.region (always set in a
   * checked profile). Endpoint: --endpoint-url, AWS_ENDPOINT_URL_DYNAMODB,
   * AWS_ENDPOINT_URL, the shared configuration, else AWS's. */
  if (hg_cli_aws_config(&aws, &sink) != 0 ||
      hg_awscfg_endpoint(aws.cfg, "dynamodb", aws.endpoint, &endpoint_url, NULL, &sink) != 0) {
    rc = HG_EXIT_USAGE;
    goto done;
  }
  region = hg_awscfg_region(aws.cfg, region, dc.central_region, NULL);
  if (region && !hg_valid_region(region)) {
    hg_diag_add(&sink, HG_SEV_ERROR, NULL, 0, 0, "sync-option", "invalid Region '%s'", region);
    rc = HG_EXIT_USAGE;
    goto done;
  }

  size_t len = 0;
  data = read_data(dir, env, &len, &sink);
  if (!data || hg_sync_data_parse(data, len, HG_PLAN_DATA_NAME, &sd, &sink) != 0) {
    rc = HG_EXIT_INPUT;
    goto done;
  }
  if (strcmp(sd.env, env) != 0) {
    hg_diag_add(&sink, HG_SEV_ERROR, NULL, 0, 0, "sync-data", "%s/%s is for environment '%s', not '%s'", dir,
                HG_PLAN_DATA_NAME, sd.env, env);
    rc = HG_EXIT_INPUT;
    goto done;
  }
  /* Credentials first, so a missing source fails here, not as a read error. */
  if (hg_cli_aws_connect(&aws, NULL, true, &sink) != 0) {
    rc = HG_EXIT_IO;
    goto done;
  }
  hg_ddb_config cfg = {.region = region, .endpoint = endpoint_url, .provider = aws.creds,
                       .http = aws.http};
  ddb = hg_ddb_new(&cfg);
  if (!ddb) {
    hg_diag_add(&sink, HG_SEV_ERROR, NULL, 0, 0, "dynamodb-internal", "cannot initialise libcurl");
    rc = HG_EXIT_IO;
    goto done;
  }
  hg_ddb_status st = hg_sync_run(ddb, &sd, dry_run, report, NULL, &plan, &applied, &sink);
  if (st != HG_DDB_OK) {
    rc = HG_EXIT_IO;
    if (sink.n) {
      hg_diag *last = &sink.v[sink.n - 1];
      if (applied == 0)
        hg_diag_note(last, "nothing was written");
      else
        hg_diag_note(last, "%zu of %zu changes were written; run sync again to finish", applied, plan.n);
    }
    goto done;
  }
  size_t counts[3] = {0, 0, 0};
  for (size_t i = 0; i < plan.n; i++)
    counts[plan.v[i].kind]++;
  char tables[600];
  snprintf(tables, sizeof tables, "%s%s%s", sd.tables[0].name, sd.n_tables > 1 ? ", " : "",
           sd.n_tables > 1 ? sd.tables[1].name : "");
  if (dry_run)
    printf("dry run: %zu to add, %zu to change, %zu to remove, %zu unchanged (%s at %s)\n", counts[0], counts[1],
           counts[2], plan.unchanged, tables, hg_ddb_endpoint(ddb));
  else
    printf("sync: %zu added, %zu changed, %zu removed, %zu unchanged (%s at %s)\n", counts[0], counts[1], counts[2],
           plan.unchanged, tables, hg_ddb_endpoint(ddb));

done:
  if (sink.n)
    hg_diag_render_text(&sink, stderr);
  hg_sync_plan_free(&plan);
  hg_sync_data_free(&sd);
  hg_ddb_free(ddb);
  hg_cli_aws_free(&aws);
  free(endpoint_url);
  hg_profile_free(profile);
  hg_diag_free(&sink);
  free(data);
  free(dir);
  free(out_dir);
  hg_cli_args_free(&args);
  return rc;
}
