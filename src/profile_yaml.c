/*
 * profile_yaml.c — the profile's reading of YAML (profile.h): the one
 * loader (yaml.h) with the profile's diagnostic codes, core tags only (a
 * profile holds plain values), text checked, one document.
 */
#include "hg/profile.h"

static const hg_yaml_opts profile_opts = {
    .what = "a profile",
    .text_what = "profile",
    .check_text = true,
    .syntax_what = "YAML syntax error",
    .code_syntax = "profile-yaml-syntax",
    .code_depth = "profile-yaml-too-deep",
    .code_size = "profile-yaml-too-large",
    .code_anchor = "profile-yaml-unknown-anchor",
    .code_alias = "profile-yaml-alias",
    .code_documents = "profile-yaml-documents",
    .code_dup = "profile-duplicate-key",
    .code_complex_key = "profile-yaml-complex-key",
    .code_tag = "profile-yaml-tag",
    .code_type = "profile-type",
    .code_text = "profile-bad-text",
    .code_overflow = "profile-too-many-problems",
};

hg_yval *hg_yval_parse(hg_arena *a, const char *file, const char *text, size_t len, hg_diag_sink *sink)
{
  return hg_yaml_parse(a, file, text, len, &profile_opts, sink);
}
