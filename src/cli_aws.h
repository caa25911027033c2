/*
 * cli_aws.h — the AWS set-up publish, sync and deploy share (internal to
 * src/cli_*.c): their common options, the shared configuration, the HTTP
 * client and the credentials.
 *
 *   hg_cli_aws aws;
 *   hg_cli_aws_init(&aws);
 *   hg_opt opts[] = {..., HG_CLI_AWS_OPTS(&aws), {NULL}};
 *   ... hg_cli_opts_parse ...
 *   if (hg_cli_aws_config(&aws, &sink) != 0)       -> exit 2
 *   hg_awscfg_endpoint(aws.cfg, "s3", aws.endpoint, ...)
 *   if (hg_cli_aws_connect(&aws, NULL, true, &sink) != 0)  -> exit 3
 *   ... aws.http, aws.creds ...
 *   hg_cli_aws_free(&aws);
 */
#ifndef HG_CLI_AWS_H
#define HG_CLI_AWS_H

#include <stdbool.h>

#include "cli_opts.h"
#include "hg/awscfg.h"
#include "hg/creds.h"
#include "hg/diag.h"
#include "hg/http.h"

typedef struct hg_cli_aws {
  /* The options (HG_CLI_AWS_OPTS). */
  const char *profile;  /* --profile: the AWS profile (else AWS_PROFILE, default) */
  const char *region;   /* --region */
  const char *endpoint; /* --endpoint-url */
  bool verbose;         /* -v, --verbose: trace HTTP on stderr */
  /* What hg_cli_aws_config and hg_cli_aws_connect make (owned). */
  hg_awscfg *cfg;
  hg_http *http;
  hg_creds_provider *creds;
} hg_cli_aws;

/* The option table entries of the AWS options, for a command's table. */
#define HG_CLI_AWS_OPTS(a)                                                                     \
  {"profile", 0, HG_OPT_STR, &(a)->profile, "NAME"},                                            \
      {"region", 0, HG_OPT_STR, &(a)->region, "R"},                                             \
      {"endpoint-url", 0, HG_OPT_STR, &(a)->endpoint, "URL"},                                   \
      {"verbose", 'v', HG_OPT_BOOL, &(a)->verbose, NULL}

void hg_cli_aws_init(hg_cli_aws *a);

/*
 * Select --profile (as the AWS CLI's --profile: it overrides AWS_PROFILE,
 * for this process and the credential processes it starts) and read the
 * shared configuration into a->cfg. Returns 0, or -1 after adding errors
 * (a malformed file; a --profile that neither file has): a usage error.
 */
int hg_cli_aws_config(hg_cli_aws *a, hg_diag_sink *sink);

/*
 * Make the HTTP client (from base, NULL: the defaults; the trace set by
 * --verbose) and, with creds, the credential provider, resolving the
 * credentials now so that a missing source fails before the first call.
 * Returns 0, or -1 after adding errors (exit status 3).
 */
int hg_cli_aws_connect(hg_cli_aws *a, const hg_http_config *base, bool creds,
                       hg_diag_sink *sink);

void hg_cli_aws_free(hg_cli_aws *a);

#endif
