/*
 * test_profile_doc.c — the profile reference is generated from the schema
 * table: the checked-in doc/hardengen-profile.5 and doc/profile-reference.md
 * must equal a fresh generation (run `make man` after changing the table),
 * and every key the checker knows is in it.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "hg/profile_schema.h"
#include "hg/util.h"

static void same_as_file(hg_profile_doc_format fmt, const char *path)
{
  char *want = hg_profile_doc(fmt);
  size_t len = 0;
  char *got = hg_read_file(path, 1u << 20, &len);
  CHECK(got != NULL);
  if (got && strcmp(got, want) != 0) {
    size_t i = 0;
    while (got[i] && got[i] == want[i])
      i++;
    size_t line = 1;
    for (size_t k = 0; k < i; k++)
      line += got[k] == '\n';
    FAIL_AT("%s differs from the schema table at line %zu: run 'make man'", path, line);
  }
  free(got);
  free(want);
}

TEST(man_page_is_generated)
{
  same_as_file(HG_PROFILE_DOC_MAN, "doc/hardengen-profile.5");
}

TEST(markdown_reference_is_generated)
{
  same_as_file(HG_PROFILE_DOC_MARKDOWN, "doc/profile-reference.md");
}

/* Every leaf of the table appears in the reference, under its full path. */
static void every_leaf(const char *doc, const hg_field *table, const char *prefix, size_t *n)
{
  for (const hg_field *f = table; f->key; f++) {
    char *path = prefix[0] ? xasprintf("%s.%s", prefix, f->key) : xstrdup(f->key);
    if (f->flags & HG_FIELD_RULE_META) {
      free(path);
      path = xasprintf("config.rules.NAME.%s", f->key);
    }
    if (f->type == HG_FT_IDMAP) {
      char *id = xasprintf("%s.ID", path);
      every_leaf(doc, f->kids, id, n);
      free(id);
    } else if (f->kids) {
      every_leaf(doc, f->kids, path, n);
    } else {
      char *cell = xasprintf("| `%s` |", path);
      if (!strstr(doc, cell))
        FAIL_AT("%s is not in the reference", path);
      (*n)++;
      free(cell);
    }
    free(path);
  }
}

TEST(every_key_is_documented)
{
  char *doc = hg_profile_doc(HG_PROFILE_DOC_MARKDOWN);
  size_t n = 0;
  every_leaf(doc, hg_profile_schema, "", &n);
  CHECK(n > 60);
  CHECK(strstr(doc, "Required after merging: `account.name`, `notify.infosec`, `notify.devops`, `logs.bucket`, "
                    "`templates.bucket_url`.") != NULL);
  free(doc);
}

/* The preflight levels the table documents and fills are the ones the
 * audit's own table (hg_preflight_defaults) declares. */
TEST(preflight_defaults_agree)
{
  const hg_field *pf = NULL, *checks = NULL;
  for (const hg_field *f = hg_profile_schema; f->key; f++)
    if (strcmp(f->key, "preflight") == 0)
      pf = f;
  CHECK(pf != NULL);
  for (const hg_field *f = pf ? pf->kids : NULL; f && f->key; f++)
    if (strcmp(f->key, "checks") == 0)
      checks = f->kids;
  CHECK(checks != NULL);
  size_t n = 0;
  for (const hg_field *f = checks; f && f->key; f++, n++) {
    CHECK(n < HG_PF_N_CHECKS);
    if (n >= HG_PF_N_CHECKS)
      break;
    CHECK_STREQ(f->key, hg_preflight_checks[n]);
    CHECK_STREQ(f->dflt, hg_check_level_name(hg_preflight_defaults[n]));
  }
  CHECK_INTEQ(n, HG_PF_N_CHECKS);
}
