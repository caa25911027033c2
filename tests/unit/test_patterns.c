/*
 * test_patterns.c — runs the filter-pattern conformance suite,
 * tests/patterns/NAME.test.
 *
 * A .test file is a list of cases; each starts with a `pattern` line:
 *
 *   # comment
 *   pattern { $.eventName = "ConsoleLogin" }   the pattern: the rest of the line
 *   print { $.eventName = "ConsoleLogin" }     optional: the canonical text
 *   event {"eventName":"ConsoleLogin"}         a message (JSON object or raw text)
 *   match                                      ... must match (or: nomatch)
 *   | hardengen: error: ... [code]              the exact diagnostics, line by line
 *
 * `print` and `event` alone stand for the empty text.
 *
 * A case without `|` lines must parse with no diagnostic at all; with them,
 * the rendered diagnostics (errors and warnings, caret lines included) must
 * be exactly those lines. Every pattern that parses is also printed,
 * re-parsed and compared (parse -> print -> parse gives an equal AST).
 * Prints one PASS or FAIL line per file (and one FAIL per failing case).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/fp.h"
#include "hg/json.h"
#include "hg/util.h"

#include "fixtures.h"

typedef struct tcase {
  int line;
  char *pattern;
  char *print;
  hg_buf diag;
  bool has_diag;
  char **events;
  int *expect;   /* 1 match, 0 nomatch, -1 unset */
  int *eline;
  size_t nev;
} tcase;

static int g_failed_cases;

static void case_fail(const char *file, const tcase *c, bool *first, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void case_fail(const char *file, const tcase *c, bool *first, const char *fmt, ...)
{
  va_list ap;
  printf("%s %s:%d: ", *first ? "FAIL" : "     also", file, c->line);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  *first = false;
}

/* Run one case; returns true when it passed. */
static bool run_case(const char *file, tcase *c, bool *first)
{
  bool ok = true;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_fp *fp = hg_fp_parse(c->pattern, strlen(c->pattern), NULL, &sink);
  char *got = render(&sink);
  const char *want = c->has_diag ? c->diag.data : "";
  if (strcmp(got, want) != 0) {
    case_fail(file, c, first, "diagnostics differ for pattern %s\n--- want\n%s--- got\n%s---",
              c->pattern, want, got);
    ok = false;
  }
  free(got);
  hg_diag_free(&sink);
  if (!fp) {
    if (c->nev) {
      case_fail(file, c, first, "pattern did not parse but has events");
      ok = false;
    }
    return ok;
  }
  /* Round trip. */
  char *text = hg_fp_print(fp);
  if (c->print && strcmp(text, c->print) != 0) {
    case_fail(file, c, first, "print: want '%s', got '%s'", c->print, text);
    ok = false;
  }
  hg_diag_init(&sink);
  hg_fp *again = hg_fp_parse(text, strlen(text), NULL, &sink);
  if (!again || !hg_fp_equal(fp, again)) {
    case_fail(file, c, first, "round trip failed: '%s'", text);
    ok = false;
  } else {
    char *text2 = hg_fp_print(again);
    if (strcmp(text, text2) != 0) {
      case_fail(file, c, first, "printing is not stable: '%s' then '%s'", text, text2);
      ok = false;
    }
    free(text2);
  }
  hg_fp_free(again);
  hg_diag_free(&sink);
  free(text);
  /* Events. */
  hg_arena *a = hg_arena_new();
  for (size_t i = 0; i < c->nev; i++) {
    const char *raw = c->events[i];
    hg_arena_reset(a);
    hg_jv *v = hg_json_parse(a, raw, strlen(raw), NULL, NULL);
    bool m = hg_fp_match(fp, v, raw, strlen(raw));
    if (c->expect[i] < 0) {
      case_fail(file, c, first, "line %d: event without match/nomatch", c->eline[i]);
      ok = false;
    } else if (m != (c->expect[i] == 1)) {
      case_fail(file, c, first, "line %d: expected %s: %s", c->eline[i],
                c->expect[i] ? "match" : "nomatch", raw);
      ok = false;
    }
  }
  hg_arena_free(a);
  hg_fp_free(fp);
  return ok;
}

static void free_case(tcase *c)
{
  free(c->pattern);
  free(c->print);
  hg_buf_free(&c->diag);
  for (size_t i = 0; i < c->nev; i++)
    free(c->events[i]);
  free(c->events);
  free(c->expect);
  free(c->eline);
  memset(c, 0, sizeof *c);
}

static void run_file(const char *dir, const char *name)
{
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t len;
  char *text = hg_read_file(path, 1u << 24, &len);
  char label[512];
  snprintf(label, sizeof label, "patterns/%s", name);
  if (!text) {
    printf("FAIL %s: cannot read\n", label);
    return;
  }
  bool first = true;
  int cases = 0, failed = 0;
  tcase c;
  memset(&c, 0, sizeof c);
  bool open = false;
  int lineno = 0;
  char *next = text;
  for (;;) {
    char *ln = next;
    if (ln) {
      char *nl = strchr(ln, '\n');
      next = nl ? nl + 1 : NULL;
      if (nl)
        *nl = '\0';
      lineno++;
      if (!next && *ln == '\0')
        ln = NULL;
      else if (*ln == '\0')
        continue;
    }
    if (!ln || strncmp(ln, "pattern", 7) == 0) {
      if (open) {
        cases++;
        if (!run_case(label, &c, &first))
          failed++;
        free_case(&c);
      }
      if (!ln)
        break;
      open = true;
      hg_buf_init(&c.diag);
      c.line = lineno;
      c.pattern = xstrdup(ln[7] == ' ' ? ln + 8 : ln + 7);
      continue;
    }
    if (ln[0] == '#')
      continue;
    if (!open) {
      printf("FAIL %s:%d: text before the first pattern\n", label, lineno);
      failed++;
      continue;
    }
    if (strncmp(ln, "print ", 6) == 0 || strcmp(ln, "print") == 0) {
      c.print = xstrdup(ln[5] ? ln + 6 : "");
    } else if (strncmp(ln, "event ", 6) == 0 || strcmp(ln, "event") == 0) {
      c.events = xrealloc(c.events, (c.nev + 1) * sizeof *c.events);
      c.expect = xrealloc(c.expect, (c.nev + 1) * sizeof *c.expect);
      c.eline = xrealloc(c.eline, (c.nev + 1) * sizeof *c.eline);
      c.events[c.nev] = xstrdup(ln[5] ? ln + 6 : "");
      c.expect[c.nev] = -1;
      c.eline[c.nev] = lineno;
      c.nev++;
    } else if (strcmp(ln, "match") == 0 || strcmp(ln, "nomatch") == 0) {
      if (c.nev == 0 || c.expect[c.nev - 1] != -1) {
        printf("FAIL %s:%d: '%s' without an event\n", label, lineno, ln);
        failed++;
      } else {
        c.expect[c.nev - 1] = ln[0] == 'm';
      }
    } else if (ln[0] == '|') {
      c.has_diag = true;
      hg_buf_puts(&c.diag, ln[1] == ' ' ? ln + 2 : ln + 1);
      hg_buf_putc(&c.diag, '\n');
    } else {
      printf("FAIL %s:%d: unknown line: %s\n", label, lineno, ln);
      failed++;
    }
  }
  free(text);
  g_failed_cases += failed;
  if (failed == 0)
    printf("PASS %s (%d cases)\n", label, cases);
  else if (first)
    printf("FAIL %s: %d of %d cases failed\n", label, failed, cases);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
  const char *top = getenv("HG_TOP");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/tests/patterns", top ? top : ".");
  DIR *d = opendir(dir);
  if (!d) {
    printf("FAIL patterns: cannot open %s\n", dir);
    return 1;
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (hg_ends_with(e->d_name, ".test")) {
      names = xrealloc(names, (n + 1) * sizeof *names);
      names[n++] = xstrdup(e->d_name);
    }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    run_file(dir, names[i]);
    free(names[i]);
  }
  free(names);
  if (n == 0) {
    printf("FAIL patterns: no .test files in %s\n", dir);
    return 1;
  }
  return g_failed_cases ? 1 : 0;
}
