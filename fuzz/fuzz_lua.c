/*
 * fuzz_lua.c — libFuzzer target for the Lua host: any bytes as one filter
 * file (hg_lua_run_text) under small limits (4 MiB, 200,000 instructions), for
 * a profile with vars, then the diagnostics rendered with carets. Must never
 * crash, leak, abort or run long, whatever the input: the budget and the
 * memory cap bound every run, and filter{} checks every field.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hg/diag.h"
#include "hg/filter.h"
#include "hg/lua.h"
#include "hg/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char profile_text[] =
    "account: { name: acme-prod, id: \"123456789012\" }\n"
    "notify: { infosec: secops@example.com, devops: devops@example.com }\n"
    "logs: { bucket: acme-prod-security-logs, retention_days: 365 }\n"
    "templates: { bucket_url: \"https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/\" }\n"
    "vars:\n"
    "  trusted_source_ips: [\"203.0.113.*\", \"x\\\" || $.a = \\\"\"]\n"
    "  watched_volume_ids: [vol-0abc]\n"
    "  watched_instance_ids: [i-0123456789abcdef0]\n"
    "  large_instance_types: [p4d.24xlarge]\n"
    "  watched_event_source: s3.amazonaws.com\n";

static const hg_profile *fuzz_profile(void)
{
  static hg_profile *p;
  static int done;
  if (!done) {
    done = 1;
    hg_diag_sink s;
    hg_diag_init(&s);
    p = hg_profile_parse_text("profiles/prod.yaml", profile_text, sizeof profile_text - 1, &s);
    hg_diag_free(&s);
  }
  if (!p) {
    /* The loader rejected the text: a bare profile still exercises the host. */
    static hg_profile bare;
    bare.env = "prod";
    return &bare;
  }
  return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static FILE *out;
  if (!out)
    out = fopen("/dev/null", "w");
  const hg_lua_limits limits = {4u << 20, 200000, 2.0};
  hg_filterset fs;
  hg_filterset_init(&fs);
  hg_diag_sink s;
  hg_diag_init(&s);
  (void)hg_lua_run_text(fuzz_profile(), "filters/fuzz.lua", (const char *)data, size, &limits, &fs, &s);
  if (out)
    hg_diag_render_text(&s, out);
  hg_filterset_free(&fs);
  hg_diag_free(&s);
  return 0;
}
