/*
 * diff.c — fresh build versus OUT/ENV, and unified diffs (diff.h).
 */
#include "hg/diff.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hg/util.h"

/* ---- lines and the edit script ---- */

typedef struct line {
  const char *p;
  size_t n; /* bytes, the '\n' included when there is one */
} line;

static line *split_lines(const char *text, size_t len, size_t *n)
{
  size_t cap = 16, k = 0;
  line *v = xmalloc(cap * sizeof *v);
  size_t i = 0;
  while (text && i < len) {
    const char *nl = memchr(text + i, '\n', len - i);
    size_t e = nl ? (size_t)(nl - text) + 1 : len;
    if (k == cap) {
      cap *= 2;
      v = xrealloc(v, cap * sizeof *v);
    }
    v[k++] = (line){text + i, e - i};
    i = e;
  }
  *n = k;
  return v;
}

static bool line_eq(const line *a, const line *b)
{
  return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

typedef enum { OP_EQ, OP_DEL, OP_INS } op_kind;

typedef struct op {
  op_kind kind;
  int a, b; /* line index in a (EQ, DEL) and in b (EQ, INS) */
} op;

typedef struct script {
  op *v;
  size_t n, cap;
} script;

static void push(script *s, op_kind kind, int a, int b)
{
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->v = xrealloc(s->v, s->cap * sizeof *s->v);
  }
  s->v[s->n++] = (op){kind, a, b};
}

/*
 * Myers' greedy O(ND) diff of a[a0..a1) and b[b0..b1), appending the edit
 * script to s in order. Returns false (and appends nothing) when more than
 * HG_DIFF_MAX_D edits are needed.
 */
static bool myers(const line *a, int a0, int a1, const line *b, int b0, int b1, script *s)
{
  int n = a1 - a0, m = b1 - b0, max = n + m;
  int dmax = max < HG_DIFF_MAX_D ? max : HG_DIFF_MAX_D;
  int off = max + 1;
  int *v = xcalloc((size_t)(2 * max + 3), sizeof *v);
  /* trace: for each d, v[-(d+1) .. d+1] as it was when step d began. */
  size_t tcap = 1024, tlen = 0;
  int *trace = xmalloc(tcap * sizeof *trace);
  size_t *tstart = xmalloc((size_t)(dmax + 1) * sizeof *tstart);
  int found = -1;
  for (int d = 0; d <= dmax && found < 0; d++) {
    size_t need = (size_t)(2 * d + 3);
    if (tlen + need > tcap) {
      while (tlen + need > tcap)
        tcap *= 2;
      trace = xrealloc(trace, tcap * sizeof *trace);
    }
    tstart[d] = tlen;
    memcpy(trace + tlen, v + off - d - 1, need * sizeof *v);
    tlen += need;
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1]
                                                                       : v[off + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && line_eq(&a[a0 + x], &b[b0 + y])) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  free(v);
  if (found < 0) {
    free(trace);
    free(tstart);
    return false;
  }
  /* Walk back from (n, m), collecting the script in reverse. */
  script rev = {0};
  int x = n, y = m;
  for (int d = found; d >= 0; d--) {
    const int *tv = trace + tstart[d] + d + 1; /* tv[k] for k in [-(d+1), d+1] */
    int k = x - y;
    int pk = (k == -d || (k != d && tv[k - 1] < tv[k + 1])) ? k + 1 : k - 1;
    int px = tv[pk], py = px - pk;
    while (x > px && y > py) {
      push(&rev, OP_EQ, a0 + x - 1, b0 + y - 1);
      x--;
      y--;
    }
    if (d > 0) {
      if (x == px)
        push(&rev, OP_INS, a0 + x, b0 + y - 1);
      else
        push(&rev, OP_DEL, a0 + x - 1, b0 + y);
    }
    x = px;
    y = py;
  }
  for (size_t i = rev.n; i-- > 0;)
    push(s, rev.v[i].kind, rev.v[i].a, rev.v[i].b);
  free(rev.v);
  free(trace);
  free(tstart);
  return true;
}

static void edit_script(const line *a, int na, const line *b, int nb, script *s)
{
  int pre = 0;
  while (pre < na && pre < nb && line_eq(&a[pre], &b[pre]))
    pre++;
  int suf = 0;
  while (suf < na - pre && suf < nb - pre && line_eq(&a[na - 1 - suf], &b[nb - 1 - suf]))
    suf++;
  for (int i = 0; i < pre; i++)
    push(s, OP_EQ, i, i);
  if (!myers(a, pre, na - suf, b, pre, nb - suf, s)) {
    for (int i = pre; i < na - suf; i++)
      push(s, OP_DEL, i, pre);
    for (int j = pre; j < nb - suf; j++)
      push(s, OP_INS, na - suf, j);
  }
  for (int i = 0; i < suf; i++)
    push(s, OP_EQ, na - suf + i, nb - suf + i);
}

/* ---- rendering ---- */

static void put_line(hg_buf *o, char mark, const line *l)
{
  hg_buf_putc(o, mark);
  hg_buf_append(o, l->p, l->n);
  if (!l->n || l->p[l->n - 1] != '\n')
    hg_buf_puts(o, "\n\\ No newline at end of file\n");
}

static void range(hg_buf *o, int first, int count)
{
  /* GNU diff: an empty range is given by the line before it. */
  if (count == 1)
    hg_buf_printf(o, "%d", first + 1);
  else
    hg_buf_printf(o, "%d,%d", count ? first + 1 : first, count);
}

char *hg_diff_unified(const char *label_a, const char *a, size_t alen, const char *label_b,
                      const char *b, size_t blen)
{
  if ((a && b && alen == blen && memcmp(a, b, alen) == 0) || (!alen && !blen))
    return xstrdup("");
  hg_buf o;
  hg_buf_init(&o);
  size_t na = 0, nb = 0;
  line *la = split_lines(a, alen, &na), *lb = split_lines(b, blen, &nb);
  script s = {0};
  edit_script(la, (int)na, lb, (int)nb, &s);
  hg_buf_printf(&o, "--- %s\n+++ %s\n", label_a, label_b);
  size_t i = 0;
  while (i < s.n) {
    while (i < s.n && s.v[i].kind == OP_EQ)
      i++;
    if (i == s.n)
      break;
    /* A hunk: from CONTEXT lines before this change to CONTEXT lines after
     * the last change that is at most 2*CONTEXT equal lines from the next. */
    size_t start = i >= HG_DIFF_CONTEXT ? i - HG_DIFF_CONTEXT : 0;
    size_t end = i;
    for (;;) {
      while (end < s.n && s.v[end].kind != OP_EQ)
        end++;
      size_t eq = end;
      while (eq < s.n && s.v[eq].kind == OP_EQ)
        eq++;
      if (eq < s.n && eq - end <= 2 * HG_DIFF_CONTEXT) {
        end = eq;
        continue;
      }
      end = end + HG_DIFF_CONTEXT < s.n ? end + HG_DIFF_CONTEXT : s.n;
      if (end > eq)
        end = eq;
      break;
    }
    int a_first = s.v[start].a, b_first = s.v[start].b, ca = 0, cb = 0;
    for (size_t k = start; k < end; k++) {
      ca += s.v[k].kind != OP_INS;
      cb += s.v[k].kind != OP_DEL;
    }
    hg_buf_puts(&o, "@@ -");
    range(&o, a_first, ca);
    hg_buf_puts(&o, " +");
    range(&o, b_first, cb);
    hg_buf_puts(&o, " @@\n");
    for (size_t k = start; k < end; k++) {
      const op *e = &s.v[k];
      if (e->kind == OP_EQ)
        put_line(&o, ' ', &la[e->a]);
      else if (e->kind == OP_DEL)
        put_line(&o, '-', &la[e->a]);
      else
        put_line(&o, '+', &lb[e->b]);
    }
    i = end;
  }
  free(s.v);
  free(la);
  free(lb);
  return hg_buf_take(&o, NULL);
}

/* ---- the folder ---- */

static hg_diff_file *add_file(hg_diff_set *s, const char *name)
{
  s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
  hg_diff_file *f = &s->v[s->n++];
  memset(f, 0, sizeof *f);
  f->name = xstrdup(name);
  return f;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compare one planned file with DIR/name. */
static int compare_one(hg_diff_set *s, const char *dir, const char *name, const char *text,
                       size_t len, hg_diag_sink *sink)
{
  hg_diff_file *f = add_file(s, name);
  f->new_text = text;
  f->new_len = len;
  char *path = xasprintf("%s/%s", dir, name);
  f->old_text = hg_read_file(path, 64u << 20, &f->old_len);
  if (!f->old_text && errno != ENOENT) {
    hg_diag_add(sink, HG_SEV_ERROR, path, 0, 0, "diff-read", "cannot read: %s", strerror(errno));
    free(path);
    return -1;
  }
  free(path);
  if (!f->old_text)
    f->state = HG_DIFF_ADDED;
  else if (f->old_len != len || memcmp(f->old_text, text, len) != 0)
    f->state = HG_DIFF_CHANGED;
  if (f->state != HG_DIFF_SAME)
    s->differ++;
  return 0;
}

int hg_diff_compare(const hg_plan *p, const char *dir, hg_diff_set *out, hg_diag_sink *sink)
{
  memset(out, 0, sizeof *out);
  struct stat st;
  if (stat(dir, &st) != 0) {
    if (errno != ENOENT) {
      hg_diag_add(sink, HG_SEV_ERROR, dir, 0, 0, "diff-read", "cannot read: %s", strerror(errno));
      return -1;
    }
    out->dir_missing = true;
  } else if (!S_ISDIR(st.st_mode)) {
    hg_diag_add(sink, HG_SEV_ERROR, dir, 0, 0, "diff-read", "not a folder");
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; i < p->n && rc == 0; i++)
    rc = compare_one(out, dir, p->t[i].name, p->t[i].text, p->t[i].len, sink);
  for (size_t i = 0; i < p->n_files && rc == 0; i++)
    rc = compare_one(out, dir, p->files[i].name, p->files[i].text, p->files[i].len, sink);
  if (rc == 0)
    rc = compare_one(out, dir, "manifest.json", p->manifest, p->manifest_len, sink);
  if (rc != 0 || out->dir_missing)
    return rc != 0 ? -1 : (int)out->differ;

  /* Files a build would remove (it replaces the whole folder). */
  DIR *d = opendir(dir);
  if (!d) {
    hg_diag_add(sink, HG_SEV_ERROR, dir, 0, 0, "diff-read", "cannot read: %s", strerror(errno));
    return -1;
  }
  char **extra = NULL;
  size_t n_extra = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    bool known = false;
    for (size_t i = 0; i < out->n && !known; i++)
      known = strcmp(out->v[i].name, e->d_name) == 0;
    char *path = xasprintf("%s/%s", dir, e->d_name);
    bool reg = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    if (known || !reg)
      continue;
    extra = xrealloc(extra, (n_extra + 1) * sizeof *extra);
    extra[n_extra++] = xstrdup(e->d_name);
  }
  closedir(d);
  if (n_extra > 1)
    qsort(extra, n_extra, sizeof *extra, cmp_str);
  for (size_t i = 0; i < n_extra; i++) {
    char *path = xasprintf("%s/%s", dir, extra[i]);
    hg_diff_file *f = add_file(out, extra[i]);
    f->state = HG_DIFF_REMOVED;
    f->old_text = hg_read_file(path, 64u << 20, &f->old_len);
    if (!f->old_text) {
      hg_diag_add(sink, HG_SEV_ERROR, path, 0, 0, "diff-read", "cannot read: %s", strerror(errno));
      rc = -1;
    }
    out->differ++;
    free(path);
    free(extra[i]);
  }
  free(extra);
  return rc != 0 ? -1 : (int)out->differ;
}

void hg_diff_set_free(hg_diff_set *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].name);
    free(s->v[i].old_text);
  }
  free(s->v);
  memset(s, 0, sizeof *s);
}
