/*
 * fuzz_creds_json.c — libFuzzer target for the JSON answers the credential
 * chain and the HTTP layer read through the one JSON reader: the bytes as a
 * credential_process output (hg_creds_parse_process_output), as a container
 * or instance metadata answer (hg_creds__parse_metadata_json) and as an AWS
 * error body (hg_http_parse_error). Must never crash, leak or run long,
 * whatever the input; what is handed out never holds a control character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/creds_int.h"
#include "hg/creds.h"
#include "hg/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_keys(const hg_creds *c)
{
  if (hg_http_has_control(c->access_key) || hg_http_has_control(c->secret_key) ||
      (c->session_token && hg_http_has_control(c->session_token)))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  hg_creds c;
  const char *why = NULL;
  if (hg_creds_parse_process_output(text, size, &c, &why) == 0) {
    check_keys(&c);
    hg_creds_free(&c);
  } else if (!why || c.access_key) {
    abort();
  }
  why = NULL;
  if (hg_creds__parse_metadata_json(text, size, &c, &why) == 0) {
    check_keys(&c);
    hg_creds_free(&c);
  } else if (!why || c.access_key) {
    abort();
  }
  hg_http_response r;
  memset(&r, 0, sizeof r);
  hg_http_parse_error(text, size, "Header#Type:x", &r);
  for (const char *p = r.error_code; *p; p++)
    if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
      abort();
  return 0;
}
