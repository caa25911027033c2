/* test_util.c — buffers, arenas, diagnostics, the document model. */
#include "harness.h"

#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/util.h"

TEST(buf_printf_grows)
{
  hg_buf b;
  hg_buf_init(&b);
  for (int i = 0; i < 1000; i++)
    hg_buf_printf(&b, "%d,", i);
  CHECK(b.len == 3890);
  CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
  hg_buf_free(&b);
}

TEST(edit_distance_and_did_you_mean)
{
  CHECK_INTEQ(hg_edit_distance("notfy", "notify", 3), 1);
  CHECK_INTEQ(hg_edit_distance("kitten", "sitting", 5), 3);
  static const char *const keys[] = {"account", "notify", "logs", NULL};
  CHECK_STREQ(hg_did_you_mean("notfy", keys, false), "notify");
  CHECK(hg_did_you_mean("zzzzzz", keys, false) == NULL);
}

TEST(sha256_known_vector)
{
  char hex[65];
  hg_sha256_hex("abc", 3, hex);
  CHECK_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  char *b64 = hg_base64("hello", 5);
  CHECK_STREQ(b64, "aGVsbG8=");
  free(b64);
}

TEST(arena_alignment_and_reset)
{
  hg_arena *a = hg_arena_new();
  for (int i = 0; i < 10000; i++) {
    char *p = hg_arena_alloc(a, (size_t)(i % 37) + 1);
    CHECK(((size_t)p & 15) == 0);
  }
  hg_arena_reset(a);
  CHECK_STREQ(hg_arena_strdup(a, "x"), "x");
  hg_arena_free(a);
}

/* hg_bytes_eq against memcmp: every length up to 40 (the word, half-word
 * and byte paths, overlapping last words), a difference at every position,
 * strings at odd addresses and read exactly within their n bytes (each
 * copy ends where its allocation does, so ASan sees any byte past n). */
TEST(bytes_eq_agrees_with_memcmp)
{
  static const char text[] = "eventNameeventTimeeventTypeuserIdentity.type!";
  for (size_t n = 0; n <= 40; n++) {
    for (size_t d = 0; d <= n; d++) { /* d == n: equal */
      char *a = malloc(n ? n : 1), *b = malloc(n + 1);
      memcpy(a, text + 1, n);
      memcpy(b + 1, text + 1, n);
      if (d < n)
        b[1 + d] ^= 0x20;
      bool want = memcmp(a, b + 1, n) == 0;
      if (hg_bytes_eq(a, b + 1, n) != want)
        FAIL_AT("n %zu, difference at %zu: %d", n, d, !want);
      free(a);
      free(b);
    }
  }
}

TEST(diag_caret_from_registered_source)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  const char *src = "a: 1\nnotfy: x\n";
  hg_diag_source(&s, "p.yaml", src, strlen(src));
  hg_diag *d = hg_diag_add(&s, HG_SEV_ERROR, "p.yaml", 2, 1, "profile-unknown-key", "unknown key '%s'", "notfy");
  d->span = 5;
  hg_diag_note(d, "did you mean 'notify'?");
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  hg_diag_render_text(&s, f);
  fclose(f);
  CHECK_STREQ(text, "p.yaml:2:1: error: unknown key 'notfy' [profile-unknown-key]\n"
                    "  notfy: x\n"
                    "  ^~~~~\n"
                    "  note: did you mean 'notify'?\n");
  CHECK(hg_diag_has_errors(&s));
  free(text);
  hg_diag_free(&s);
}

TEST(doc_keeps_order)
{
  hg_doc *m = hg_doc_map();
  hg_doc_set_str(m, "b", "1");
  hg_doc_set_str(m, "a", "2");
  CHECK_STREQ(m->keys[0], "b");
  CHECK_STREQ(hg_doc_get_str(m, "a"), "2");
  hg_doc *c = hg_doc_clone(m);
  CHECK_STREQ(c->keys[1], "a");
  hg_doc_free(c);
  hg_doc_free(m);
}

/* An empty path names no folder: it used to be read one byte past its end. */
TEST(mkdirs_empty_path_fails_cleanly)
{
  CHECK(hg_mkdirs("", 0755) == -1);
}
