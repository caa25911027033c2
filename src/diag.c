/*
 * diag.c — the diagnostic sink and its text, JSON and SARIF renderers.
 *
 * Caret lines: the column counts bytes of the line as stored; tabs in the
 * source line are kept so the caret line mirrors them.
 */
#include "hg/diag.h"

#include <stdlib.h>
#include <string.h>

#include "hg/util.h"
#include "text.h"

struct hg_src {
  hg_src *next;
  char *file;
  char *text;      /* NULL when the file could not be read */
  size_t len;
};

void hg_diag_init(hg_diag_sink *s)
{
  memset(s, 0, sizeof *s);
}

void hg_diag_free_wiped(hg_diag_sink *s)
{
  for (hg_src *src = s->sources; src; src = src->next)
    if (src->text)
      explicit_bzero(src->text, src->len);
  hg_diag_free(s);
}

static void diag_clear(hg_diag *d)
{
  free(d->file);
  free(d->code);
  free(d->message);
  free(d->snippet);
  for (size_t i = 0; i < d->n_notes; i++)
    free(d->notes[i]);
  free(d->notes);
  for (size_t i = 0; i < d->n_envs; i++)
    free(d->envs[i]);
  free(d->envs);
}

void hg_diag_free(hg_diag_sink *s)
{
  for (size_t i = 0; i < s->n; i++)
    diag_clear(&s->v[i]);
  free(s->v);
  hg_src *src = s->sources;
  while (src) {
    hg_src *next = src->next;
    free(src->file);
    free(src->text);
    free(src);
    src = next;
  }
  memset(s, 0, sizeof *s);
}

/*
 * Messages quote what the user wrote (a Lua error value, a key, a pattern):
 * escape what a terminal or a JSON reader would choke on, and cap the length.
 * Takes ownership of raw; returns a malloc'd string.
 */
static char *clean(char *raw)
{
  size_t n = strlen(raw);
  if (n <= HG_DIAG_MAX_MESSAGE && hg_text_ok(raw, n, 0, NULL))
    return raw;
  hg_buf b;
  hg_buf_init(&b);
  size_t used = hg_text_escape(&b, raw, n, HG_DIAG_MAX_MESSAGE);
  if (used < n)
    hg_buf_printf(&b, "... (%zu more bytes)", n - used);
  free(raw);
  size_t len;
  return hg_buf_take(&b, &len);
}

hg_diag *hg_diag_vadd(hg_diag_sink *s, hg_severity sev, const char *file, int line, int col,
                      const char *code, const char *fmt, va_list ap)
{
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 16;
    s->v = xrealloc(s->v, s->cap * sizeof *s->v);
  }
  hg_diag *d = &s->v[s->n++];
  memset(d, 0, sizeof *d);
  d->sev = sev;
  d->file = file ? xstrdup(file) : NULL;
  d->line = line;
  d->col = col;
  d->span = 1;
  d->code = xstrdup(code ? code : "error");
  d->message = clean(xvasprintf(fmt, ap));
  if (sev == HG_SEV_ERROR)
    s->errors++;
  else if (sev == HG_SEV_WARNING)
    s->warnings++;
  return d;
}

hg_diag *hg_diag_add(hg_diag_sink *s, hg_severity sev, const char *file, int line, int col,
                     const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_diag_vadd(s, sev, file, line, col, code, fmt, ap);
  va_end(ap);
  return d;
}

void hg_diag_note(hg_diag *d, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *note = clean(xvasprintf(fmt, ap));
  va_end(ap);
  d->notes = xrealloc(d->notes, (d->n_notes + 1) * sizeof *d->notes);
  d->notes[d->n_notes++] = note;
}

void hg_diag_snippet(hg_diag *d, const char *text, int col, int span)
{
  free(d->snippet);
  size_t n = strcspn(text, "\n");
  d->snippet = xstrndup(text, n);
  d->snippet_col = col;
  d->span = span > 0 ? span : 1;
}

void hg_diag_source(hg_diag_sink *s, const char *file, const char *text, size_t len)
{
  hg_src *src = xcalloc(1, sizeof *src);
  src->file = xstrdup(file);
  src->text = xstrndup(text, len);
  src->len = len;
  src->next = s->sources;
  s->sources = src;
}

void hg_diag_move(hg_diag_sink *dst, hg_diag_sink *src)
{
  for (size_t i = 0; i < src->n; i++) {
    if (dst->n == dst->cap) {
      dst->cap = dst->cap ? dst->cap * 2 : 16;
      dst->v = xrealloc(dst->v, dst->cap * sizeof *dst->v);
    }
    dst->v[dst->n++] = src->v[i];
  }
  dst->errors += src->errors;
  dst->warnings += src->warnings;
  free(src->v);
  src->v = NULL;
  src->n = src->cap = src->errors = src->warnings = 0;
  /* Sources move too, so carets still find their text. */
  while (src->sources) {
    hg_src *x = src->sources;
    src->sources = x->next;
    x->next = dst->sources;
    dst->sources = x;
  }
}

bool hg_diag_has_errors(const hg_diag_sink *s)
{
  return s->errors > 0;
}

void hg_diag_truncate(hg_diag_sink *s, size_t n)
{
  for (size_t i = n; i < s->n; i++) {
    if (s->v[i].sev == HG_SEV_ERROR)
      s->errors--;
    else if (s->v[i].sev == HG_SEV_WARNING)
      s->warnings--;
    diag_clear(&s->v[i]);
  }
  if (n < s->n)
    s->n = n;
}

static hg_src *find_source(hg_diag_sink *s, const char *file)
{
  for (hg_src *src = s->sources; src; src = src->next)
    if (strcmp(src->file, file) == 0)
      return src;
  /* Not registered: read it once and keep it (NULL text if unreadable). */
  hg_src *src = xcalloc(1, sizeof *src);
  src->file = xstrdup(file);
  src->text = hg_read_file(file, 16u << 20, &src->len);
  src->next = s->sources;
  s->sources = src;
  return src;
}

/* The line-th line of text (1-based) as a malloc'd string, or NULL. */
static char *nth_line(const char *text, size_t len, int line)
{
  const char *p = text, *end = text + len;
  for (int i = 1; i < line && p < end; i++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
      return NULL;
    p = nl + 1;
  }
  if (p >= end && line > 1)
    return NULL;
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
  if (n && p[n - 1] == '\r')
    n--;
  char *copy = xmalloc(n + 1);
  for (size_t i = 0; i < n; i++)
    copy[i] = p[i] ? p[i] : '?'; /* a NUL must not end the line early */
  copy[n] = '\0';
  return copy;
}

/*
 * Show the source line and a caret under col. A long line (a one-line value
 * of many kilobytes, a long pattern) is cut to a window around the caret,
 * marked with "...", so each diagnostic stays readable.
 */
#define CARET_LONG_LINE 100
#define CARET_WINDOW 100

static void print_caret(FILE *out, const char *raw, int col, int span)
{
  /* A byte that is not printable text shows as '?': the line keeps its
   * length, so the caret stays under the byte it points at. */
  size_t len = strlen(raw);
  char *line = xstrdup(raw);
  for (size_t i = 0; i < len;) {
    hg_text_bad bad;
    if (hg_text_ok(line + i, len - i, HG_TEXT_LINES, &bad))
      break;
    i += bad.off;
    for (size_t k = 0; k < bad.len && i < len; k++, i++)
      line[i] = '?';
  }
  size_t c = col > 0 ? (size_t)col - 1 : 0;
  size_t start = 0, end = len;
  if (len > CARET_LONG_LINE) {
    start = c > CARET_WINDOW / 2 ? c - CARET_WINDOW / 2 : 0;
    end = start + CARET_WINDOW < len ? start + CARET_WINDOW : len;
  }
  const char *pre = start > 0 ? "..." : "";
  fprintf(out, "  %s%.*s%s\n  %s", pre, (int)(end - start), line + start, end < len ? "..." : "",
          start > 0 ? "   " : "");
  for (size_t i = start; i < c; i++)
    fputc(i < len && line[i] == '\t' ? '\t' : ' ', out);
  fputc('^', out);
  int max_span = (int)(end > c ? end - c : 1);
  for (int i = 1; i < span && i < max_span; i++)
    fputc('~', out);
  fputc('\n', out);
  free(line);
}

static const char *sev_name(hg_severity sev)
{
  return sev == HG_SEV_ERROR ? "error" : sev == HG_SEV_WARNING ? "warning" : "note";
}

void hg_diag_render_text(hg_diag_sink *s, FILE *out)
{
  hg_diag_render_text_from(s, 0, out);
}

void hg_diag_render_text_from(hg_diag_sink *s, size_t from, FILE *out)
{
  for (size_t i = from; i < s->n; i++) {
    hg_diag *d = &s->v[i];
    if (d->file && d->line > 0 && d->col > 0)
      fprintf(out, "%s:%d:%d: ", d->file, d->line, d->col);
    else if (d->file && d->line > 0)
      fprintf(out, "%s:%d: ", d->file, d->line);
    else if (d->file)
      fprintf(out, "%s: ", d->file);
    else
      fputs("hardengen: ", out);
    fprintf(out, "%s: %s [%s]\n", sev_name(d->sev), d->message, d->code);
    if (d->snippet) {
      print_caret(out, d->snippet, d->snippet_col > 0 ? d->snippet_col : 1, d->span);
    } else if (d->file && d->line > 0 && d->col > 0) {
      hg_src *src = find_source(s, d->file);
      char *line = src->text ? nth_line(src->text, src->len, d->line) : NULL;
      if (line)
        print_caret(out, line, d->col, d->span);
      free(line);
    }
    for (size_t j = 0; j < d->n_notes; j++)
      fprintf(out, "  note: %s\n", d->notes[j]);
  }
}

/* hg_diag_render_json and hg_diag_render_sarif: diag_render.c. */
