/*
 * cli_publish.c — `hardengen publish`: upload out/ENV/ to S3 and print how to
 * launch it. The work is in publish.c (plan, upload, launch link), s3.c
 * (signed PUTs) and creds.c (credentials); this file reads flags, fills in
 * what the flags leave open from the profile's `publish:` block, and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hg/awscfg.h"
#include "cli_aws.h"
#include "cli_envs.h"
#include "cli_opts.h"
#include "cli.h"
#include "hg/creds.h"
#include "hg/http.h"
#include "hg/profile.h"
#include "hg/publish.h"
#include "hg/s3.h"
#include "hg/util.h"

const char hg_help_publish[] =
    "hardengen publish --env ENV [--root DIR] [--out DIR] [--bucket B] [--prefix P] [--region R] "
    "[--profile NAME] [--endpoint-url URL] [--dry-run]\n"
    "\n"
    "Upload a built stack set (OUT/ENV/, written by `hardengen build`) to S3 and print\n"
    "the CloudFormation quick-create link and the equivalent `aws cloudformation\n"
    "create-stack` command. Every file is checked against manifest.json first. Keys are\n"
    "PREFIX ENV/DIGEST/FILE; children go first, then the parent, manifest.json last.\n"
    "\n"
    "options:\n"
    "  --env ENV           the environment to publish (required)\n"
    "  --root DIR          folder holding profiles/ (default: the current folder or\n"
    "                      the nearest one above it that holds profiles/)\n"
    "  --out DIR           folder holding ENV/ (default: ROOT/out)\n"
    "  --bucket B          S3 bucket (default: the profile's publish.bucket)\n"
    "  --prefix P          key prefix, e.g. hardening/ (default: publish.prefix, or none)\n"
    "  --profile NAME      the AWS profile of ~/.aws/config and ~/.aws/credentials\n"
    "                      (default: AWS_PROFILE, else default)\n"
    "  --region R          the bucket's Region (default: publish.region, AWS_REGION,\n"
    "                      AWS_DEFAULT_REGION, the AWS profile's region; us-east-1\n"
    "                      with an endpoint URL)\n"
    "  --endpoint-url URL  an S3-compatible endpoint (path-style addressing; default:\n"
    "                      AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the AWS profile's)\n"
    "  --dry-run           show what would be uploaded and where; touch nothing\n"
    "  -v, --verbose       trace the HTTP requests on stderr (secrets redacted)\n"
    "  --format text       the only format\n"
    "  -h, --help          show this help\n"
    "\n"
    "Credentials are found as the AWS CLI finds them: the environment, web identity\n"
    "(AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), the profile AWS_PROFILE of ~/.aws/config\n"
    "and ~/.aws/credentials (keys, role_arn, IAM Identity Center, credential_process),\n"
    "container credentials, EC2 instance metadata. See doc/credentials.md.\n"
    "\n"
    "Exit status: 0 published; 1 the build output is missing or changed (build again);\n"
    "2 usage error; 3 network, credentials or S3 error.\n"
    "\n"
    "example:\n"
    "  hardengen build --env prod\n"
    "  hardengen publish --env prod --bucket acme-cfn --prefix hardening/ --region eu-west-1\n";

static void progress(void *ctx, size_t index, size_t total, const hg_publish_object *obj)
{
  (void)ctx;
  fprintf(stderr, "[%zu/%zu] uploading %s (%zu bytes)\n", index + 1, total, obj->file, obj->len);
}

static bool has_code(const hg_diag_sink *sink, const char *code)
{
  for (size_t i = 0; i < sink->n; i++)
    if (sink->v[i].sev == HG_SEV_ERROR && sink->v[i].code && strcmp(sink->v[i].code, code) == 0)
      return true;
  return false;
}

static void print_plan(const hg_publish_plan *plan, bool dry_run)
{
  if (dry_run)
    printf("dry run: would upload %zu objects to s3://%s/%s (Region %s)\n", plan->n_objects,
           plan->bucket, plan->folder, plan->region);
  else
    printf("published %zu objects to s3://%s/%s (Region %s)\n", plan->n_objects, plan->bucket,
           plan->folder, plan->region);
  size_t width = 0;
  for (size_t i = 0; i < plan->n_objects; i++)
    if (strlen(plan->objects[i].file) > width)
      width = strlen(plan->objects[i].file);
  for (size_t i = 0; i < plan->n_objects; i++) {
    const hg_publish_object *o = &plan->objects[i];
    printf("  %-*s %8zu bytes  %s\n", (int)width, o->file, o->len, o->url);
  }
  char *link = hg_publish_launch_link(plan);
  char *cmd = hg_publish_cli_command(plan);
  bool named = plan->manifest.capability && strcmp(plan->manifest.capability, "CAPABILITY_NAMED_IAM") == 0;
  printf("\nlaunch in the console (quick-create; tick the box that acknowledges IAM resources%s):\n  %s\n",
         named ? " with custom names" : "", link);
  printf("\nor with the AWS CLI:\n  %s\n", cmd);
  if (plan->manifest.email_subscriptions)
    printf("\nafter the launch: %zu email subscription%s stay pending until each recipient confirms "
           "the mail from AWS Notifications; alarms reach nobody before that\n",
           plan->manifest.email_subscriptions, plan->manifest.email_subscriptions == 1 ? "" : "s");
  free(link);
  free(cmd);
}

int hg_cli_publish(int argc, char **argv)
{
  static const char *const formats[] = {"text", NULL};
  const char *env = NULL, *out = NULL, *bucket = NULL, *prefix = NULL;
  bool dry_run = false;
  hg_cli_aws aws;
  hg_cli_aws_init(&aws);
  const hg_opt table[] = {
      {"env", 0, HG_OPT_STR, &env, "ENV"},
      {"out", 0, HG_OPT_STR, &out, "DIR"},
      {"bucket", 0, HG_OPT_STR, &bucket, "B"},
      {"prefix", 0, HG_OPT_STR, &prefix, "P"},
      {"dry-run", 0, HG_OPT_BOOL, &dry_run, NULL},
      HG_CLI_AWS_OPTS(&aws),
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_publish, table, formats, 0};
  hg_cli_args args;
  int prc = hg_cli_opts_parse(argc, argv, &cmd, &args);
  if (prc == 0)
    prc = hg_cli_need_env(hg_help_publish, env);
  if (prc != 0) {
    hg_cli_args_free(&args);
    return hg_cli_opts_exit(prc);
  }
  const char *root = args.root, *region = aws.region, *endpoint = aws.endpoint;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  int rc = HG_EXIT_OK;
  hg_profile *profile = NULL;
  char *out_dir = out ? xstrdup(out) : xasprintf("%s/out", root);
  char *dir = xasprintf("%s/%s", out_dir, env);
  hg_publish_plan plan;
  memset(&plan, 0, sizeof plan);
  char *endpoint_url = NULL;
  hg_s3 *s3 = NULL;

  /* What the flags leave open comes from the profile's publish: block. */
  if (!bucket || !prefix || !region) {
    char *ppath = xasprintf("%s/profiles/%s.yaml", root, env);
    bool exists = access(ppath, F_OK) == 0;
    free(ppath);
    if (exists) {
      profile = hg_profile_load(root, env, &sink);
      if (!profile) {
        rc = HG_EXIT_INPUT;
        goto done;
      }
      if (!bucket)
        bucket = profile->publish_bucket;
      if (!prefix)
        prefix = profile->publish_prefix;
      if (!region)
        region = profile->publish_region;
    }
  }
  /* The AWS configuration: Region and endpoint fall back to it. */
  if (hg_cli_aws_config(&aws, &sink) != 0 ||
      hg_awscfg_endpoint(aws.cfg, "s3", endpoint, &endpoint_url, NULL, &sink) != 0) {
    rc = HG_EXIT_USAGE;
    goto done;
  }
  endpoint = endpoint_url;
  region = hg_awscfg_region(aws.cfg, region, NULL, NULL);
  if (!region && endpoint)
    region = "us-east-1";
  if (!bucket) {
    rc = hg_cli_usage_error(hg_help_publish,
                            "no bucket: pass --bucket or set publish.bucket in "
                            "profiles/%s.yaml",
                            env);
    goto done;
  }
  if (!region) {
    rc = hg_cli_usage_error(hg_help_publish,
                            "no Region: pass --region or set publish.region in "
                            "profiles/%s.yaml",
                            env);
    goto done;
  }

  hg_publish_opts opts = {.env = env, .dir = dir, .bucket = bucket, .prefix = prefix,
                          .region = region, .endpoint = endpoint};
  if (hg_publish_plan_make(&opts, &plan, &sink) != 0) {
    rc = has_code(&sink, "publish-option") || has_code(&sink, "endpoint-invalid") ? HG_EXIT_USAGE
         : has_code(&sink, "publish-read") ? HG_EXIT_IO
                                           : HG_EXIT_INPUT;
    goto done;
  }
  /* Publishing what a fresh build would change ships templates that do
   * not match the repository (SPEC §14): refuse, --dry-run included. */
  {
    char *ppath = xasprintf("%s/profiles/%s.yaml", root, env);
    bool have_profile = access(ppath, F_OK) == 0;
    free(ppath);
    char *names = NULL;
    int r = have_profile && access(dir, F_OK) == 0
                ? hg_cli_fresh_diff(root, out_dir, env, NULL, false, &names, &sink)
                : 0;
    if (r == 1)
      hg_diag_add(&sink, HG_SEV_ERROR, dir, 0, 0, "publish-outdated",
                  "a fresh build would change %s; run 'hardengen build --env %s' and commit "
                  "the result before publishing",
                  names, env);
    free(names);
    if (r != 0) {
      rc = r == 1 ? HG_EXIT_INPUT : -r;
      goto done;
    }
  }

  if (dry_run) {
    print_plan(&plan, true);
    goto done;
  }

  /* The credentials are resolved before the first upload, so a missing
   * source fails here rather than as an upload error. */
  if (hg_cli_aws_connect(&aws, NULL, true, &sink) != 0) {
    rc = HG_EXIT_IO;
    goto done;
  }
  hg_s3_config cfg = {.bucket = plan.bucket, .region = plan.region, .endpoint = plan.endpoint,
                      .provider = aws.creds, .http = aws.http};
  s3 = hg_s3_new(&cfg);
  if (!s3) {
    hg_diag_add(&sink, HG_SEV_ERROR, NULL, 0, 0, "s3-internal", "cannot initialise libcurl");
    rc = HG_EXIT_IO;
    goto done;
  }
  size_t uploaded = 0;
  if (hg_publish_upload(&plan, s3, isatty(STDERR_FILENO) ? progress : NULL, NULL, &uploaded,
                        &sink) != HG_S3_OK) {
    rc = HG_EXIT_IO;
    goto done;
  }
  print_plan(&plan, false);

done:
  if (sink.n) /* errors, or warnings of a run that succeeded */
    hg_diag_render_text(&sink, stderr);
  hg_s3_free(s3);
  hg_cli_aws_free(&aws);
  free(endpoint_url);
  hg_publish_plan_free(&plan);
  hg_profile_free(profile);
  hg_diag_free(&sink);
  free(dir);
  free(out_dir);
  hg_cli_args_free(&args);
  return rc;
}
