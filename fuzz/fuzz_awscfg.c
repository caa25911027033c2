/*
 * fuzz_awscfg.c — libFuzzer target for the AWS shared config parser and the
 * helpers that read untrusted credential answers.
 *
 * Input: any bytes. The first half is parsed as a config file and the second
 * as a credentials file; the whole input also goes through the
 * credential_process output parser, the command-line splitter, the ISO 8601
 * reader, the endpoint checker and the HTTP error extraction. A parse that
 * succeeds must answer lookups; a failure must have left an error. Must
 * never crash, leak or run long.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hg/awscfg.h"
#include "hg/creds.h"
#include "hg/http.h"
#include "hg/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *all = xstrndup((const char *)data, size);
  size_t half = strlen(all) / 2;
  char *config = xstrndup(all, half);
  const char *creds = all + half;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_awscfg *c = hg_awscfg_parse(config, "config", creds, "credentials", "default", &sink);
  if (!c && sink.errors == 0)
    abort();
  if (c) {
    (void)hg_awscfg_get(c, "default", "region", NULL);
    (void)hg_awscfg_service_get(c, "x", "s3", "endpoint_url", NULL);
    (void)hg_awscfg_section_get(c, "sso-session", "x", "sso_region", NULL);
    hg_awscfg_free(c);
  }
  hg_diag_free(&sink);

  hg_creds out;
  const char *why = NULL;
  if (hg_creds_parse_process_output((const char *)data, size, &out, &why) == 0)
    hg_creds_free(&out);
  char **argv = hg_creds_split_command(all, &why);
  for (char **a = argv; argv && *a; a++)
    free(*a);
  free(argv);
  (void)hg_creds_parse_time(all);
  hg_diag_init(&sink);
  char *ep = NULL;
  if (hg_awscfg_check_endpoint(all, "fuzz", &ep, &sink) != 0 && sink.errors == 0)
    abort();
  free(ep);
  hg_diag_free(&sink);
  hg_http_response r;
  memset(&r, 0, sizeof r);
  hg_http_parse_error((const char *)data, size, all, &r);
  char *x = hg_http_xml_text((const char *)data, size, "Code");
  free(x);
  free(config);
  free(all);
  return 0;
}
