/*
 * cli_aws.c — the AWS set-up of publish, sync and deploy (cli_aws.h).
 */
#include "cli_aws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void trace_line(void *ctx, const char *line)
{
  (void)ctx;
  fprintf(stderr, "%s\n", line);
}

void hg_cli_aws_init(hg_cli_aws *a)
{
  memset(a, 0, sizeof *a);
}

int hg_cli_aws_config(hg_cli_aws *a, hg_diag_sink *sink)
{
  if (a->profile) {
    if (!*a->profile) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "aws-profile", "--profile needs a name");
      return -1;
    }
    setenv("AWS_PROFILE", a->profile, 1);
  }
  a->cfg = hg_awscfg_load(sink);
  if (!a->cfg)
    return -1;
  if (a->profile && !hg_awscfg_has_profile(a->cfg, a->profile)) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "aws-profile",
                             "the AWS profile '%s' is in neither %s nor %s", a->profile,
                             hg_awscfg_config_path(a->cfg), hg_awscfg_creds_path(a->cfg));
    hg_diag_note(d, "the AWS CLI lists the profiles: aws configure list-profiles");
    return -1;
  }
  return 0;
}

int hg_cli_aws_connect(hg_cli_aws *a, const hg_http_config *base, bool creds, hg_diag_sink *sink)
{
  hg_http_config hcfg = {0};
  if (base)
    hcfg = *base;
  if (a->verbose)
    hcfg.trace = trace_line;
  a->http = hg_http_new(&hcfg);
  if (!a->http) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "http-internal", "cannot initialise libcurl");
    return -1;
  }
  if (!creds)
    return 0;
  hg_creds_opts copts = {.cfg = a->cfg, .http = a->http};
  a->creds = hg_creds_provider_new(&copts, sink);
  if (!a->creds || !hg_creds_get(a->creds, sink))
    return -1;
  return 0;
}

void hg_cli_aws_free(hg_cli_aws *a)
{
  hg_creds_provider_free(a->creds);
  hg_http_free(a->http);
  hg_awscfg_free(a->cfg);
  a->creds = NULL;
  a->http = NULL;
  a->cfg = NULL;
}
