/*
 * report.c — the HTML page of `hardengen report` (report.h).
 *
 * Layout: a header (with several envs, a table setting them side by side),
 * then per env: summary, CIS coverage matrix, filters, Config rules,
 * preflight checks and detective routing. With events each filter row with
 * matches is followed by a chart row (data-for=ID): the per-day SVG bar
 * chart on a time axis shared by every chart of the page, a line on each
 * day with an alarm firing, and the top event names and principals. No
 * script: hover text is a title attribute, and the same text is printed
 * beside the cell, so it survives printing.
 *
 * The CIS matrix reuses the preview of `check --cis` (hg_cis_report_doc),
 * judged for every target; targets the profile does not list are marked.
 * The Config rules are those of the plan's config templates, with the
 * metadata of detective.h (hg_det_rules_of), so the page says what the
 * detective function will read. Ids are "env-ENV", "f-ENV-ID" (env and
 * filter names are [A-Za-z0-9_-]), so they are unique on the page.
 *
 * Memory: per filter at most FIRINGS_MAX firing times are kept (one array
 * reused across filters); everything else is borrowed from the caller.
 */
#include "hg/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/alarm.h"
#include "hg/cis.h"
#include "hg/detective.h"
#include "hg/doc.h"
#include "hg/filter.h"
#include "hg/org.h"
#include "hg/profile.h"

void hg_report_escape(hg_buf *out, const char *s)
{
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '&': hg_buf_puts(out, "&amp;"); break;
    case '<': hg_buf_puts(out, "&lt;"); break;
    case '>': hg_buf_puts(out, "&gt;"); break;
    case '"': hg_buf_puts(out, "&quot;"); break;
    case '\'': hg_buf_puts(out, "&#39;"); break;
    default:
      if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
        hg_buf_puts(out, "\xEF\xBF\xBD");
      else
        hg_buf_putc(out, (char)*p);
    }
  }
}

#define ESC(s) hg_report_escape(out, (s))

/* ---- tally of names and principals ------------------------------------- */

typedef struct tally_slot {
  char *text;   /* owned; NULL marks an empty slot */
  size_t filter;
  int kind;     /* 0 eventName, 1 principal */
  unsigned long long n;
} tally_slot;

struct hg_report_tally {
  tally_slot *slot;
  size_t used, cap;
  unsigned long long *other; /* per filter and kind: [2 * i + kind] */
  size_t n_other;
};

hg_report_tally *hg_report_tally_new(void)
{
  hg_report_tally *t = xcalloc(1, sizeof *t);
  t->cap = 256;
  t->slot = xcalloc(t->cap, sizeof *t->slot);
  return t;
}

void hg_report_tally_free(hg_report_tally *t)
{
  if (!t)
    return;
  for (size_t i = 0; i < t->cap; i++)
    free(t->slot[i].text);
  free(t->slot);
  free(t->other);
  free(t);
}

static size_t tally_hash(size_t filter, int kind, const char *s)
{
  size_t h = 1469598103934665603u ^ (filter * 31 + (size_t)kind);
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

static tally_slot *tally_find(tally_slot *slot, size_t cap, size_t filter, int kind, const char *s)
{
  size_t k = tally_hash(filter, kind, s) & (cap - 1);
  while (slot[k].text && !(slot[k].filter == filter && slot[k].kind == kind && strcmp(slot[k].text, s) == 0))
    k = (k + 1) & (cap - 1);
  return &slot[k];
}

static void tally_add(hg_report_tally *t, size_t filter, int kind, const char *s)
{
  tally_slot *sl = tally_find(t->slot, t->cap, filter, kind, s);
  if (sl->text) {
    sl->n++;
    return;
  }
  if (t->used >= HG_REPORT_TALLY_MAX) {
    if (2 * filter + 1 >= t->n_other) {
      size_t n = 2 * filter + 2;
      t->other = xrealloc(t->other, n * sizeof *t->other);
      memset(t->other + t->n_other, 0, (n - t->n_other) * sizeof *t->other);
      t->n_other = n;
    }
    t->other[2 * filter + (size_t)kind]++;
    return;
  }
  if (2 * (t->used + 1) > t->cap) {
    size_t cap = t->cap * 2;
    tally_slot *ns = xcalloc(cap, sizeof *ns);
    for (size_t i = 0; i < t->cap; i++)
      if (t->slot[i].text)
        *tally_find(ns, cap, t->slot[i].filter, t->slot[i].kind, t->slot[i].text) = t->slot[i];
    free(t->slot);
    t->slot = ns;
    t->cap = cap;
    sl = tally_find(t->slot, t->cap, filter, kind, s);
  }
  sl->text = xstrdup(s);
  sl->filter = filter;
  sl->kind = kind;
  sl->n = 1;
  t->used++;
}

void hg_report_tally_match(void *ud, size_t i, const char *event_name, const char *principal)
{
  tally_add(ud, i, 0, event_name && *event_name ? event_name : "(none)");
  tally_add(ud, i, 1, principal && *principal ? principal : "(none)");
}

static int top_cmp(const void *a, const void *b)
{
  const tally_slot *x = *(const tally_slot *const *)a, *y = *(const tally_slot *const *)b;
  if (x->n != y->n)
    return x->n > y->n ? -1 : 1;
  return strcmp(x->text, y->text);
}

/* The HG_REPORT_TOP most frequent values of filter i's kind, count first
 * then text (so the order never depends on the hash table). */
static void put_top(hg_buf *out, const hg_report_tally *t, size_t filter, int kind)
{
  size_t n = 0;
  for (size_t k = 0; k < t->cap; k++)
    n += t->slot[k].text && t->slot[k].filter == filter && t->slot[k].kind == kind;
  if (!n)
    return;
  const tally_slot **v = xcalloc(n, sizeof *v);
  n = 0;
  for (size_t k = 0; k < t->cap; k++)
    if (t->slot[k].text && t->slot[k].filter == filter && t->slot[k].kind == kind)
      v[n++] = &t->slot[k];
  qsort(v, n, sizeof *v, top_cmp);
  hg_buf_puts(out, kind ? "<ol class=\"top\" title=\"top principals\">"
                        : "<ol class=\"top\" title=\"top event names\">");
  for (size_t k = 0; k < n && k < HG_REPORT_TOP; k++) {
    hg_buf_puts(out, "<li><code>");
    ESC(v[k]->text);
    hg_buf_printf(out, "</code> %llu</li>", v[k]->n);
  }
  if (n > HG_REPORT_TOP)
    hg_buf_printf(out, "<li class=\"mut\">%zu more</li>", n - HG_REPORT_TOP);
  if (2 * filter + (size_t)kind < t->n_other && t->other[2 * filter + (size_t)kind])
    hg_buf_printf(out, "<li class=\"mut\">other (not tallied) %llu</li>",
                  t->other[2 * filter + (size_t)kind]);
  hg_buf_puts(out, "</ol>");
  free(v);
}

static const char css[] =
    ":root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--mut:#59636e;--line:#d0d7de;"
    "--pass:#1a7f37;--fail:#cf222e;--na:#6e7781;--bar:#0969da;--fire:#cf222e;--code:#f6f8fa;"
    "--str:#0a3069;--sel:#8250df;--op:#cf222e;--num:#0550ae;--warn:#9a6700}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mut:#9198a1;"
    "--line:#30363d;--pass:#3fb950;--fail:#f85149;--na:#8b949e;--bar:#4493f8;--fire:#f85149;"
    "--code:#161b22;--str:#a5d6ff;--sel:#d2a8ff;--op:#ff7b72;--num:#79c0ff;--warn:#d29922}}\n"
    "*{box-sizing:border-box}a{color:var(--bar)}body{margin:0 auto;max-width:80rem;padding:1rem;background:var(--bg);"
    "color:var(--fg);font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}\n"
    "h1{font-size:1.5rem}h2{font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}"
    "h3{font-size:1.05rem;margin-top:1.5rem}\n"
    ".scroll{overflow-x:auto}table{border-collapse:collapse;margin:.5rem 0;width:100%}"
    "th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:left;vertical-align:top}"
    "th{background:var(--code)}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "code,.pat{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}"
    ".pat{white-space:pre-wrap;word-break:break-all;background:var(--code);padding:.1rem .3rem;"
    "border-radius:3px;display:block}\n"
    ".s{color:var(--str)}.k{color:var(--sel)}.o{color:var(--op);font-weight:600}.d{color:var(--num)}\n"
    ".pass{color:var(--pass);font-weight:600}.fail{color:var(--fail);font-weight:600}"
    ".warn{color:var(--warn);font-weight:600}.na{color:var(--na)}.why{display:block;color:var(--mut);font-size:.8rem}"
    ".mut{color:var(--mut)}ol.top{margin:0;padding-left:1.2rem;font-size:.8rem}ol.top code{word-break:break-all}ol.top li.mut{list-style:none}\n"
    "svg.chart{width:100%;height:3.2rem;display:block}svg.chart .b{fill:var(--bar)}"
    "svg.chart line{vector-effect:non-scaling-stroke}svg.chart .f{stroke:var(--fire);stroke-width:2}"
    "svg.chart .ax{stroke:var(--line)}svg.chart .tk{stroke:var(--line);stroke-dasharray:2 3}\n"
    ".axis{position:relative;height:1.3em;font-size:.75rem;color:var(--mut);margin-bottom:.3rem}"
    ".axis span{position:absolute;top:0;transform:translateX(-50%);white-space:nowrap}"
    ".axis .t0{transform:none;left:0!important}.axis .t1{transform:none;left:auto!important;right:0}\n"
    ".tops{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:.3rem 1.5rem}"
    "tr.ev td{border-top:none;padding-top:0}td.wide{min-width:16rem}\n"
    ".envs{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.5rem 0}"
    "dt{color:var(--mut)}dd{margin:0;word-break:break-all}\n"
    "@media (max-width:40rem){body{padding:.5rem;font-size:13px}th,td{padding:.2rem .3rem}}\n"
    "@media print{:root{--bg:#fff;--fg:#000}body{max-width:none;font-size:10pt}"
    ".scroll{overflow:visible}section.env+section.env{break-before:page}tr{break-inside:avoid}"
    "tr.ev{break-inside:avoid}svg.chart .b{fill:#555}}\n";

/* A span of class cls holding p[0 .. n). */
static void put_span(hg_buf *out, const char *cls, const char *p, size_t n)
{
  char *t = xstrndup(p, n);
  if (cls)
    hg_buf_printf(out, "<span class=\"%s\">", cls);
  ESC(t);
  if (cls)
    hg_buf_puts(out, "</span>");
  free(t);
}

static bool word_char(char ch)
{
  return (ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'z') || (ch && strchr("_-.*:/@+", ch));
}

/* A number as the pattern grammar writes it: -?digits(.digits)?([eE]-?digits)? */
static bool is_number(const char *p, size_t n)
{
  size_t i = p[0] == '-' ? 1 : 0, d = 0;
  while (i < n && p[i] >= '0' && p[i] <= '9')
    i++, d++;
  if (i < n && p[i] == '.')
    for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
      d++;
  if (d && i < n && (p[i] | 32) == 'e') {
    i += i + 1 < n && (p[i + 1] == '-' || p[i + 1] == '+') ? 2 : 1;
    size_t e = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9')
      i++, e++;
    if (!e)
      return false;
  }
  return d && i == n;
}

/*
 * A pattern with its tokens in spans: quoted strings (s), $.selectors (k),
 * operators and the keywords NOT EXISTS / IS NULL / TRUE / FALSE (o),
 * numbers standing alone (d). Everything else as plain text.
 */
static void put_pattern(hg_buf *out, const char *p)
{
  static const char *const keywords[] = {"NOT", "EXISTS", "IS", "NULL", "TRUE", "FALSE", NULL};
  hg_buf_puts(out, "<code class=\"pat\">");
  while (p && *p) {
    const char *e = p + 1;
    const char *cls = NULL;
    if (*p == '"') {
      while (*e && *e != '"')
        e += (*e == '\\' && e[1]) ? 2 : 1;
      if (*e)
        e++;
      cls = "s";
    } else if (*p == '$' && p[1] == '.') {
      for (e = p + 2; *e && (word_char(*e) || *e == '[' || *e == ']'); e++)
        ;
      cls = "k";
    } else if ((p[0] == '&' && p[1] == '&') || (p[0] == '|' && p[1] == '|') || (p[0] == '!' && p[1] == '=') ||
               (p[0] == '>' && p[1] == '=') || (p[0] == '<' && p[1] == '=')) {
      e = p + 2;
      cls = "o";
    } else if (*p == '=' || *p == '<' || *p == '>') {
      cls = "o";
    } else if (word_char(*p)) {
      while (word_char(*e))
        e++;
      size_t n = (size_t)(e - p);
      if (is_number(p, n))
        cls = "d";
      for (size_t k = 0; keywords[k]; k++)
        if (strlen(keywords[k]) == n && memcmp(keywords[k], p, n) == 0)
          cls = "o";
    }
    put_span(out, cls, p, (size_t)(e - p));
    p = e;
  }
  hg_buf_puts(out, "</code>");
}

/* The "g" format of a threshold without locale surprises (values are small
 * and usually integral). */
static void put_number(hg_buf *out, double v)
{
  if (v == (double)(long long)v)
    hg_buf_printf(out, "%lld", (long long)v);
  else
    hg_buf_printf(out, "%.6g", v);
}

/* ---- CIS matrix ------------------------------------------------------- */

static hg_doc *cis_rows(const hg_profile *p, const hg_filterset *fs)
{
  hg_profile all = *p; /* shallow: judge every target, not only the profile's */
  all.cis_targets = HG_TARGET_ALL;
  return hg_cis_report_doc(&all, fs);
}

/* The i-th item of seq, or NULL past its end (seq may be NULL). */
static const hg_doc *item_at(const hg_doc *seq, size_t i)
{
  return seq && i < seq->n ? seq->items[i] : NULL;
}

static void put_cis(hg_buf *out, const hg_report_env *e)
{
  const hg_profile *p = e->c->profile;
  static const unsigned targets[] = {HG_TARGET_SECURITYHUB, HG_TARGET_PROWLER, HG_TARGET_STEAMPIPE};
  hg_buf_puts(out, "<h3>CIS ");
  ESC(p->cis_version);
  hg_buf_puts(out, " monitoring coverage</h3>\n");
  hg_doc *j = cis_rows(p, &e->c->filters);
  const hg_doc *controls = hg_doc_get_seq(j, "controls");
  if (!controls) {
    hg_buf_puts(out, "<p class=\"mut\">No CIS controls for this version.</p>\n");
    hg_doc_free(j);
    return;
  }
  hg_buf_puts(out, "<div class=\"scroll\"><table class=\"cis\"><thead><tr><th>CIS</th><th>control</th>"
                   "<th>filters</th>");
  for (size_t k = 0; k < 3; k++) {
    hg_buf_puts(out, "<th>");
    ESC(hg_cis_target_name(targets[k]));
    if (!(p->cis_targets & targets[k]))
      hg_buf_puts(out, " <span class=\"mut\">(not a target)</span>");
    hg_buf_puts(out, "</th>");
  }
  hg_buf_puts(out, "</tr></thead><tbody>\n");
  const hg_doc *c;
  for (size_t ci = 0; (c = item_at(controls, ci)) != NULL; ci++) {
    hg_buf_puts(out, "<tr><td>");
    ESC(hg_doc_get_str(c, "cis"));
    hg_buf_puts(out, "</td><td>");
    ESC(hg_doc_get_str(c, "id"));
    if (hg_doc_get_str(c, "securityhub")) {
      hg_buf_puts(out, " <span class=\"mut\">");
      ESC(hg_doc_get_str(c, "securityhub"));
      hg_buf_puts(out, "</span>");
    }
    hg_buf_puts(out, "</td><td>");
    const hg_doc *f, *filters = hg_doc_get_seq(c, "filters");
    const char *sep = "";
    for (size_t fi = 0; (f = item_at(filters, fi)) != NULL; fi++) {
      if (f->kind != HG_DOC_STR)
        continue;
      hg_buf_puts(out, sep);
      hg_buf_puts(out, "<code>");
      ESC(f->str);
      hg_buf_puts(out, "</code>");
      sep = " ";
    }
    if (!*sep)
      hg_buf_puts(out, "<span class=\"mut\">none</span>");
    hg_buf_puts(out, "</td>");
    const hg_doc *results = hg_doc_get_seq(c, "results");
    for (size_t k = 0; k < 3; k++) {
      const char *tn = hg_cis_target_name(targets[k]);
      const hg_doc *r = NULL, *it;
      for (size_t ri = 0; (it = item_at(results, ri)) != NULL; ri++) {
        const char *t = hg_doc_get_str(it, "target");
        if (t && strcmp(t, tn) == 0)
          r = it;
      }
      const char *res = r ? hg_doc_get_str(r, "result") : NULL;
      const char *why = r ? hg_doc_get_str(r, "reason") : NULL;
      const char *by = r ? hg_doc_get_str(r, "filter") : NULL;
      const char *cls = !res ? "na" : strcmp(res, "pass") == 0 ? "pass"
                                    : strcmp(res, "fail") == 0 ? "fail"
                                                               : "na";
      hg_buf_printf(out, "<td class=\"%s\" title=\"", cls);
      if (why)
        ESC(why);
      else if (by) {
        hg_buf_puts(out, "passed by ");
        ESC(by);
      }
      hg_buf_puts(out, "\">");
      ESC(res ? res : "n/a");
      if (why || by) {
        hg_buf_puts(out, "<span class=\"why\">");
        if (why)
          ESC(why);
        else {
          hg_buf_puts(out, "by ");
          ESC(by);
        }
        hg_buf_puts(out, "</span>");
      }
      hg_buf_puts(out, "</td>");
    }
    hg_buf_puts(out, "</tr>\n");
  }
  hg_buf_puts(out, "</tbody></table></div>\n");
  hg_doc_free(j);
}

/* ---- time axis and charts ---------------------------------------------- */

typedef struct axis {
  long long lo, hi; /* day indexes, inclusive; lo > hi: no data */
} axis;

static void axis_add(axis *a, const hg_bt *daily, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    const hg_alarm_counts *c = hg_bt_counts_of(daily, i);
    for (size_t k = 0; c && k < c->cap; k++)
      if (c->slot[k].n) {
        if (a->lo > a->hi || c->slot[k].k < a->lo)
          a->lo = c->slot[k].k;
        if (a->lo > a->hi || c->slot[k].k > a->hi)
          a->hi = c->slot[k].k;
        if (a->hi < a->lo)
          a->hi = a->lo;
      }
  }
}

static void day_text(long long day, char out[11])
{
  char t[21];
  hg_alarm_format_time(day * HG_REPORT_DAY, t);
  memcpy(out, t, 10);
  out[10] = 0;
}

#define CHART_W 1000
#define CHART_H 60
#define AXIS_TICKS 6

/* x of day d on the shared axis, in chart units. */
static double day_x(const axis *ax, long long d)
{
  return (double)CHART_W * (double)(d - ax->lo) / (double)(ax->hi - ax->lo + 1);
}

static long long day_of(long long t)
{
  return t >= 0 ? t / HG_REPORT_DAY : (t - HG_REPORT_DAY + 1) / HG_REPORT_DAY;
}

/* The days labelled on the axis: AXIS_TICKS evenly spaced (fewer when the
 * axis is shorter), the first and the last day included. */
static size_t axis_ticks(const axis *ax, long long tick[AXIS_TICKS])
{
  long long span = ax->hi - ax->lo;
  size_t n = span + 1 < AXIS_TICKS ? (size_t)span + 1 : AXIS_TICKS;
  for (size_t k = 0; k < n; k++)
    tick[k] = n > 1 ? ax->lo + (span * (long long)k + (long long)(n - 1) / 2) / (long long)(n - 1) : ax->lo;
  return n;
}

/* One filter's per-day bars on the shared axis, every day with an alarm
 * firing marked as a vertical line (its title lists the firings of that
 * day), and the axis dates below. at: the first min(fired, cap) firing
 * times. */
static void put_chart(hg_buf *out, const hg_alarm_counts *daily, const hg_alarm_result *a, const long long *at,
                      size_t cap, const axis *ax)
{
  size_t nb = 0;
  hg_alarm_bucket *b = daily ? hg_alarm_counts_sorted(daily, &nb) : NULL;
  unsigned long long max = 0;
  for (size_t i = 0; i < nb; i++)
    max = b[i].n > max ? b[i].n : max;
  double w = (double)CHART_W / (double)(ax->hi - ax->lo + 1);
  long long tick[AXIS_TICKS];
  size_t nt = axis_ticks(ax, tick);
  hg_buf_printf(out,
                "<svg class=\"chart\" viewBox=\"0 0 %d %d\" preserveAspectRatio=\"none\" "
                "role=\"img\" aria-label=\"matches per day\">"
                "<line class=\"ax\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
                CHART_W, CHART_H, CHART_H - 1, CHART_W, CHART_H - 1);
  for (size_t k = 0; k < nt; k++) {
    double x = day_x(ax, tick[k]) + w / 2;
    hg_buf_printf(out, "<line class=\"tk\" x1=\"%.2f\" y1=\"0\" x2=\"%.2f\" y2=\"%d\"/>", x, x, CHART_H);
  }
  for (size_t i = 0; i < nb; i++) {
    double h = max ? (double)(CHART_H - 2) * (double)b[i].n / (double)max : 0;
    if (h < 1)
      h = 1;
    char d[11];
    day_text(b[i].k, d);
    hg_buf_printf(out, "<rect class=\"b\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">",
                  day_x(ax, b[i].k), (double)(CHART_H - 1) - h, w > 3 ? w - 1 : 2.0, h);
    hg_buf_printf(out, "<title>%s: %llu</title></rect>", d, b[i].n);
  }
  size_t stored = a->fired < cap ? (size_t)a->fired : cap;
  for (size_t i = 0; i < stored;) {
    long long day = day_of(at[i]);
    size_t j = i;
    while (j < stored && day_of(at[j]) == day)
      j++;
    double x = day_x(ax, day) + w / 2;
    char d[11];
    day_text(day, d);
    hg_buf_printf(out, "<line class=\"f\" x1=\"%.2f\" y1=\"0\" x2=\"%.2f\" y2=\"%d\"><title>%zu alarm firing%s on %s:",
                  x, x, CHART_H, j - i, j - i == 1 ? "" : "s", d);
    for (size_t k = i; k < j; k++) {
      char t[21];
      hg_alarm_format_time(at[k], t);
      hg_buf_printf(out, " %s", t + 11);
    }
    hg_buf_puts(out, "</title></line>");
    i = j;
  }
  hg_buf_puts(out, "</svg><div class=\"axis\">");
  for (size_t k = 0; k < nt; k++) {
    char d[11];
    day_text(tick[k], d);
    double pct = 100.0 * (day_x(ax, tick[k]) + w / 2) / CHART_W;
    hg_buf_printf(out, "<span class=\"%s\" style=\"left:%.2f%%\">%s</span>",
                  k == 0 && nt > 1 ? "t0" : k + 1 == nt && nt > 1 ? "t1" : "tm", pct, d);
  }
  hg_buf_puts(out, "</div>");
  free(b);
}

/* ---- filters ------------------------------------------------------------ */

/* Firing times kept per filter for the chart and the list (the rest are
 * counted and said). */
#define FIRINGS_MAX 4096
#define FIRINGS_LISTED 12

static hg_alarm_result alarm_of(const hg_filter *f, const hg_bt *bt, size_t i, long long *at)
{
  hg_alarm_spec spec = {f->threshold, HG_ALARM_GE, f->period > 0 ? f->period : 300,
                        f->evaluation_periods > 0 ? f->evaluation_periods : 1};
  const hg_alarm_counts *cnt = bt ? hg_bt_counts_of(bt, i) : NULL;
  hg_alarm_result none = {0, 0, 0};
  return cnt ? hg_alarm_firings_counts(cnt, &spec, at, FIRINGS_MAX) : none;
}

static void put_filter_id(hg_buf *out, const hg_compiled *c, const hg_filter *f)
{
  ESC(c->profile->env);
  hg_buf_putc(out, '-');
  ESC(f->id);
}

static void put_filters(hg_buf *out, const hg_report_env *e, const axis *ax)
{
  const hg_compiled *c = e->c;
  bool ev = e->alarm && e->daily;
  long long *at = ev ? xcalloc(FIRINGS_MAX, sizeof *at) : NULL;
  hg_buf_printf(out, "<h3>Metric filters (%zu)</h3>\n", c->filters.n);
  if (ev && ax->lo <= ax->hi) {
    char a[11], b[11];
    day_text(ax->lo, a);
    day_text(ax->hi, b);
    hg_buf_printf(out, "<p class=\"mut\">Below each filter with matches: its matches per UTC day from %s to %s "
                       "(one time axis shared by every chart of the page), a red line on each day with an "
                       "alarm firing, and the event names and principals behind the matches.</p>\n", a, b);
  }
  int cols = ev ? 7 : 5;
  hg_buf_puts(out, "<div class=\"scroll\"><table class=\"filters\"><thead><tr><th>filter</th>"
                   "<th>pattern</th><th>topic</th><th>threshold</th><th>period</th>");
  if (ev)
    hg_buf_puts(out, "<th>matches</th><th>alarm firings</th>");
  hg_buf_puts(out, "</tr></thead><tbody>\n");
  for (size_t i = 0; i < c->filters.n; i++) {
    const hg_filter *f = &c->filters.v[i];
    const hg_bt_result *r = ev ? hg_bt_result_of(e->alarm, i) : NULL;
    hg_alarm_result a = alarm_of(f, ev ? e->alarm : NULL, i, at);
    hg_buf_puts(out, "<tr id=\"f-");
    put_filter_id(out, c, f);
    hg_buf_puts(out, "\" data-id=\"");
    ESC(f->id);
    hg_buf_putc(out, '"');
    if (ev) {
      const hg_alarm_counts *dc = hg_bt_counts_of(e->daily, i);
      unsigned long long untimed = dc ? dc->untimed : 0;
      hg_buf_printf(out, " data-matches=\"%llu\" data-alarms=\"%llu\" data-charted=\"%llu\"",
                    r->matches, a.fired, r->matches > untimed ? r->matches - untimed : 0);
    }
    hg_buf_puts(out, "><td><strong>");
    ESC(f->title);
    hg_buf_puts(out, "</strong><br><code>");
    ESC(f->id);
    hg_buf_puts(out, "</code>");
    const char *cis = hg_filter_cis(f, c->profile->cis_version);
    if (cis) {
      hg_buf_puts(out, " <span class=\"mut\">CIS ");
      ESC(cis);
      hg_buf_puts(out, "</span>");
    }
    hg_buf_puts(out, "</td><td class=\"wide\">");
    put_pattern(out, f->pattern);
    hg_buf_puts(out, "</td><td>");
    ESC(hg_topic_name(f->topic));
    hg_buf_puts(out, "</td><td class=\"n\">&ge; ");
    put_number(out, f->threshold);
    hg_buf_printf(out, "</td><td class=\"n\">%d s &times; %d</td>", f->period > 0 ? f->period : 300,
                  f->evaluation_periods > 0 ? f->evaluation_periods : 1);
    if (ev) {
      hg_buf_printf(out, "<td class=\"n\">%llu", r->matches);
      if (r->matches) {
        hg_buf_puts(out, "<span class=\"why\">first ");
        ESC(r->first);
        hg_buf_puts(out, "</span><span class=\"why\">last ");
        ESC(r->last);
        hg_buf_puts(out, "</span>");
        for (size_t k = 0; k < r->n_samples; k++) {
          hg_buf_puts(out, "<span class=\"why\">eventID <code>");
          ESC(r->samples[k]);
          hg_buf_puts(out, "</code></span>");
        }
        const hg_alarm_counts *dc = hg_bt_counts_of(e->daily, i);
        if (dc && dc->untimed)
          hg_buf_printf(out, "<span class=\"why\">%llu without a readable eventTime (not charted)</span>",
                        dc->untimed);
      }
      hg_buf_printf(out, "</td><td class=\"n\">%llu", a.fired);
      size_t stored = a.fired < FIRINGS_MAX ? (size_t)a.fired : FIRINGS_MAX;
      for (size_t k = 0; k < stored && k < FIRINGS_LISTED; k++) {
        char t[21];
        hg_alarm_format_time(at[k], t);
        hg_buf_printf(out, "<span class=\"why\">%s</span>", t);
      }
      if (a.fired > FIRINGS_LISTED) {
        char t[21];
        hg_alarm_format_time(a.last, t);
        hg_buf_printf(out, "<span class=\"why\">%llu more, the last at %s</span>", a.fired - FIRINGS_LISTED, t);
      }
      hg_buf_puts(out, "</td>");
    }
    hg_buf_puts(out, "</tr>\n");
    if (ev && r->matches) {
      hg_buf_printf(out, "<tr class=\"ev\" data-for=\"");
      ESC(f->id);
      hg_buf_printf(out, "\"><td colspan=\"%d\">", cols);
      const hg_alarm_counts *dc = hg_bt_counts_of(e->daily, i);
      if (ax->lo <= ax->hi && dc && dc->used)
        put_chart(out, dc, &a, at, FIRINGS_MAX, ax);
      if (a.fired > FIRINGS_MAX)
        hg_buf_printf(out, "<p class=\"mut\">%llu more alarm firings after the first %d are not marked.</p>",
                      a.fired - FIRINGS_MAX, FIRINGS_MAX);
      if (e->tally) {
        hg_buf_puts(out, "<div class=\"tops\"><div><span class=\"mut\">top event names</span>");
        put_top(out, e->tally, i, 0);
        hg_buf_puts(out, "</div><div><span class=\"mut\">top principals</span>");
        put_top(out, e->tally, i, 1);
        hg_buf_puts(out, "</div></div>");
      }
      hg_buf_puts(out, "</td></tr>\n");
    }
  }
  hg_buf_puts(out, "</tbody></table></div>\n");
  free(at);
}

/* ---- profile sections -------------------------------------------------- */

/* ConfigRuleName and Source.SourceIdentifier of every AWS::Config::ConfigRule
 * of the plan's config templates, in template order (borrowed from the
 * plan; malloc'd arrays, *n entries). */
static void config_rules(const hg_plan *plan, const char ***names, const char ***sources, size_t *n)
{
  *names = NULL;
  *sources = NULL;
  *n = 0;
  for (size_t t = 0; plan && t < plan->n; t++) {
    if (strncmp(plan->t[t].name, "config.global.", 14) != 0)
      continue;
    const hg_doc *res = hg_doc_get(plan->t[t].doc, "Resources");
    for (size_t i = 0; res && res->kind == HG_DOC_MAP && i < res->n; i++) {
      const char *type = hg_doc_get_str(res->items[i], "Type");
      const hg_doc *props = hg_doc_get(res->items[i], "Properties");
      const char *name = hg_doc_get_str(props, "ConfigRuleName");
      if (!type || !name || strcmp(type, "AWS::Config::ConfigRule") != 0)
        continue;
      *names = xrealloc(*names, (*n + 1) * sizeof **names);
      *sources = xrealloc(*sources, (*n + 1) * sizeof **sources);
      (*names)[*n] = name;
      (*sources)[*n] = hg_doc_get_str(hg_doc_get(props, "Source"), "SourceIdentifier");
      (*n)++;
    }
  }
}

static const char *severity_class(const char *sev)
{
  return strcmp(sev, "CRITICAL") == 0 || strcmp(sev, "HIGH") == 0 ? "fail"
         : strcmp(sev, "MEDIUM") == 0                               ? "warn"
                                                                    : "na";
}

/* The Config rules the plan deploys, each with the metadata the detective
 * controls use (detective.h: the shipped defaults, replaced field by field
 * by the profile's config.rules.NAME): severity, title, frameworks, route
 * and whether findings are on. */
static void put_config(hg_buf *out, const hg_report_env *e)
{
  const hg_profile *p = e->c->profile;
  hg_buf_puts(out, "<h3>AWS Config</h3>\n<dl><dt>mode</dt><dd>");
  hg_buf_puts(out, p->config_existing ? "existing (rules only; recorder owned elsewhere)"
                                      : "managed (recorder and delivery channel in the stack)");
  hg_buf_printf(out,
                "</dd><dt>iam-password-policy</dt><dd>IAM_PASSWORD_POLICY: length &ge; %d, "
                "reuse prevention %d, max age %d days, upper %s, lower %s, symbols %s, numbers %s"
                "</dd></dl>\n",
                p->pw_min_length, p->pw_reuse_prevention, p->pw_max_age,
                p->pw_require_upper ? "yes" : "no", p->pw_require_lower ? "yes" : "no",
                p->pw_require_symbols ? "yes" : "no", p->pw_require_numbers ? "yes" : "no");
  const char **names, **sources;
  size_t n;
  config_rules(e->plan, &names, &sources, &n);
  if (!n) {
    hg_buf_puts(out, "<p class=\"mut\">No Config rule in the plan.</p>\n");
    free(names);
    free(sources);
    return;
  }
  hg_det_rules meta;
  hg_det_rules_of(p, names, n, &meta);
  hg_det_config dc;
  bool det = hg_det_config_of(p, &dc);
  hg_buf_printf(out, "<div class=\"scroll\"><table class=\"rules\"><thead><tr><th>rule</th><th>severity</th>"
                     "<th>title</th><th>frameworks</th><th>findings routed to</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < meta.n; i++) {
    const hg_det_rule *r = &meta.v[i];
    const char *src = NULL;
    for (size_t k = 0; k < n; k++)
      if (strcmp(names[k], r->name) == 0)
        src = sources[k];
    hg_buf_puts(out, "<tr data-rule=\"");
    ESC(r->name);
    hg_buf_puts(out, "\"><td><code>");
    ESC(r->name);
    hg_buf_puts(out, "</code>");
    if (src) {
      hg_buf_puts(out, "<span class=\"why\">");
      ESC(src);
      hg_buf_puts(out, "</span>");
    }
    hg_buf_printf(out, "</td><td class=\"%s\">", severity_class(r->severity));
    ESC(r->severity);
    hg_buf_puts(out, "</td><td>");
    ESC(r->title);
    hg_buf_puts(out, "<span class=\"why\">");
    ESC(r->description);
    hg_buf_puts(out, "</span></td><td>");
    for (size_t k = 0; k < r->n_fw; k++) {
      hg_buf_puts(out, k ? "<br>" : "");
      ESC(r->fw_names[k]);
      hg_buf_puts(out, " <code>");
      ESC(r->fw_sections[k]);
      hg_buf_puts(out, "</code>");
    }
    if (!r->n_fw)
      hg_buf_puts(out, "<span class=\"mut\">none</span>");
    hg_buf_puts(out, "</td><td>");
    if (!r->enabled) {
      hg_buf_puts(out, "<span class=\"na\">off</span><span class=\"why\">enabled: false (the rule is "
                       "deployed; its findings are dropped)</span>");
    } else if (!det) {
      hg_buf_puts(out, "<span class=\"na\">AWS Config only</span><span class=\"why\">no detective: "
                       "block</span>");
    } else {
      const char *sep = "";
      if (r->route_securityhub) {
        hg_buf_printf(out, "%sSecurity Hub%s", sep, dc.securityhub ? "" : " <span class=\"mut\">(off in "
                                                                           "detective.securityhub)</span>");
        sep = "<br>";
      }
      if (r->route_splunk) {
        hg_buf_printf(out, "%sSplunk%s", sep, dc.splunk ? "" : " <span class=\"mut\">(no detective.splunk)</span>");
        sep = "<br>";
      }
      if (!*sep)
        hg_buf_puts(out, "<span class=\"na\">nowhere</span><span class=\"why\">route: []</span>");
    }
    hg_buf_puts(out, "</td></tr>\n");
  }
  hg_buf_puts(out, "</tbody></table></div>\n");
  hg_det_rules_free(&meta);
  free(names);
  free(sources);
}

static void put_preflight(hg_buf *out, const hg_profile *p)
{
  hg_buf_puts(out, "<h3>Preflight checks</h3>\n");
  if (!p->preflight) {
    hg_buf_puts(out, "<p class=\"mut\">Preflight audit off (<code>preflight: false</code>).</p>\n");
    return;
  }
  hg_buf_printf(out, "<p class=\"mut\">Run before the stacks change, at most %d s; a failed block check "
                     "stops the deployment, a warn check reports and goes on.</p>\n"
                     "<div class=\"scroll\"><table class=\"preflight\"><thead><tr>"
                     "<th>check</th><th>mode</th><th>default</th></tr></thead><tbody>\n",
                p->preflight_timeout);
  for (size_t i = 0; i < HG_PF_N_CHECKS; i++) {
    hg_check_level lv = p->preflight_checks[i];
    const char *cls = "na";
    switch (lv) {
    case HG_CHECK_BLOCK: cls = "fail"; break;
    case HG_CHECK_WARN: cls = "warn"; break;
    case HG_CHECK_OFF: cls = "na"; break;
    }
    hg_buf_puts(out, "<tr data-check=\"");
    ESC(hg_preflight_checks[i]);
    hg_buf_puts(out, "\"><td><code>");
    ESC(hg_preflight_checks[i]);
    hg_buf_printf(out, "</code></td><td class=\"%s\">", cls);
    ESC(hg_check_level_name(lv));
    hg_buf_puts(out, "</td><td>");
    if (lv == hg_preflight_defaults[i]) {
      hg_buf_puts(out, "<span class=\"mut\">default</span>");
    } else {
      hg_buf_puts(out, "set by the profile (default ");
      ESC(hg_check_level_name(hg_preflight_defaults[i]));
      hg_buf_puts(out, ")");
    }
    hg_buf_puts(out, "</td></tr>\n");
  }
  hg_buf_puts(out, "</tbody></table></div>\n");
}

static void put_dd(hg_buf *out, const char *dt, const char *dd)
{
  hg_buf_puts(out, "<dt>");
  ESC(dt);
  hg_buf_puts(out, "</dt><dd>");
  if (dd) {
    hg_buf_puts(out, "<code>");
    ESC(dd);
    hg_buf_puts(out, "</code>");
  } else {
    hg_buf_puts(out, "<span class=\"mut\">unset</span>");
  }
  hg_buf_puts(out, "</dd>");
}

/* Where the Config rules' findings go (the detective: block, SPEC §11):
 * the central account and tables, each destination, and the extra fields. */
static void put_detective(hg_buf *out, const hg_profile *p)
{
  hg_buf_puts(out, "<h3>Detective routing</h3>\n");
  hg_det_config dc;
  if (!hg_det_config_of(p, &dc)) {
    hg_buf_puts(out, "<p class=\"mut\">No <code>detective:</code> block: Config findings stay in AWS "
                     "Config.</p>\n");
    return;
  }
  hg_buf_puts(out, "<p class=\"mut\">Config rule findings go through the detective function, which reads each "
                   "rule's metadata and exceptions from the central tables and sends the finding to the "
                   "destinations of its route (per rule in the AWS Config table above).</p>\n<dl>");
  put_dd(out, "central account", dc.central_account);
  put_dd(out, "central Region", dc.central_region);
  put_dd(out, "organization", dc.org_id);
  put_dd(out, "rules table", dc.rules_table);
  put_dd(out, "exceptions table", dc.exceptions_table);
  put_dd(out, "reader role", dc.reader_role);
  hg_buf_printf(out, "<dt>this account</dt><dd>%s</dd>",
                hg_det_is_central(p, &dc) ? "the central account (deploys the central stack too)"
                                          : "a member account");
  hg_buf_printf(out, "<dt>Security Hub</dt><dd class=\"%s\">%s</dd>", dc.securityhub ? "pass" : "na",
                dc.securityhub ? "on" : "off");
  hg_buf_printf(out, "<dt>Splunk</dt><dd class=\"%s\">%s</dd>", dc.splunk ? "pass" : "na",
                dc.splunk ? "on (Firehose to the HEC endpoint)" : "off");
  if (dc.splunk) {
    put_dd(out, "HEC URL", dc.hec_url);
    put_dd(out, "HEC token secret", dc.hec_token_secret_arn);
    put_dd(out, "endpoint type", dc.endpoint_type);
    put_dd(out, "failed-delivery bucket", dc.backup_bucket);
  }
  if (dc.fields && dc.fields->n) {
    hg_buf_puts(out, "<dt>extra fields</dt><dd>");
    for (size_t i = 0; i < dc.fields->n; i++) {
      hg_buf_puts(out, i ? ", <code>" : "<code>");
      ESC(dc.fields->keys[i]);
      hg_buf_puts(out, "=");
      ESC(dc.fields->items[i]->text ? dc.fields->items[i]->text : "");
      hg_buf_puts(out, "</code>");
    }
    hg_buf_puts(out, "</dd>");
  }
  hg_buf_puts(out, "</dl>\n");
}

/* ---- summary ----------------------------------------------------------- */

/* The Regions the env touches: the StackSet's (org: block) or the one the
 * stacks are deployed to, the publish Region, the detective's central
 * Region; the trail itself logs every Region. */
static void put_regions(hg_buf *out, const hg_profile *p)
{
  if (p->org) {
    hg_org o;
    hg_diag_sink quiet; /* the profile was checked; nothing new is said here */
    hg_diag_init(&quiet);
    if (hg_org_read(p->org, &o, &quiet) == 0 && o.n_regions) {
      hg_buf_puts(out, "StackSet: ");
      for (size_t i = 0; i < o.n_regions; i++) {
        hg_buf_puts(out, i ? ", " : "");
        ESC(o.regions[i]);
      }
      if (o.home_region) {
        hg_buf_puts(out, " (home ");
        ESC(o.home_region);
        hg_buf_puts(out, ")");
      }
      hg_buf_puts(out, "; ");
    }
    hg_org_free(&o);
    hg_diag_free(&quiet);
  } else {
    hg_buf_puts(out, "stacks: where deployed; ");
  }
  if (p->publish_region) {
    hg_buf_puts(out, "publish: ");
    ESC(p->publish_region);
    hg_buf_puts(out, "; ");
  }
  hg_det_config dc;
  if (hg_det_config_of(p, &dc) && dc.central_region) {
    hg_buf_puts(out, "detective central: ");
    ESC(dc.central_region);
    hg_buf_puts(out, "; ");
  }
  hg_buf_puts(out, "trail: all Regions");
}

static void put_summary(hg_buf *out, const hg_report_env *e, const char *build_time)
{
  const hg_profile *p = e->c->profile;
  size_t res = 0;
  for (size_t i = 0; e->plan && i < e->plan->n; i++)
    res += e->plan->t[i].resources;
  hg_buf_puts(out, "<dl><dt>env</dt><dd>");
  ESC(p->env);
  hg_buf_puts(out, "</dd><dt>account</dt><dd>");
  ESC(p->account_name);
  if (p->account_id) {
    hg_buf_puts(out, " (");
    ESC(p->account_id);
    hg_buf_puts(out, ")");
  }
  hg_buf_puts(out, "</dd><dt>Regions</dt><dd>");
  put_regions(out, p);
  hg_buf_puts(out, "</dd><dt>CIS</dt><dd>");
  ESC(p->cis_version);
  hg_buf_puts(out, "</dd>");
  if (e->plan) {
    hg_buf_printf(out, "<dt>stacks</dt><dd>%zu (", e->plan->n);
    for (size_t i = 0; i < e->plan->n; i++) {
      if (i)
        hg_buf_puts(out, ", ");
      ESC(e->plan->t[i].name);
    }
    hg_buf_printf(out, ")</dd><dt>resources</dt><dd>%zu</dd><dt>digest</dt><dd><code>", res);
    ESC(e->plan->digest);
    hg_buf_puts(out, "</code></dd>");
  }
  hg_buf_printf(out, "<dt>filters</dt><dd>%zu</dd>", e->c->filters.n);
  if (e->st) {
    hg_buf_printf(out, "<dt>events</dt><dd>%zu in %zu files (skipped %zu files, %zu records)</dd>",
                  e->st->events, e->st->files, e->st->skipped_files, e->st->skipped_records);
  }
  if (build_time) {
    hg_buf_puts(out, "<dt>built</dt><dd>");
    ESC(build_time);
    hg_buf_puts(out, "</dd>");
  }
  hg_buf_puts(out, "</dl>\n");
}

/* ---- envs side by side (--all) ----------------------------------------- */

/* Per target (securityhub, prowler, steampipe): the controls passed and
 * the controls judged (pass or fail; n/a left out). */
static void cis_passes(const hg_report_env *e, size_t pass[3], size_t judged[3])
{
  static const unsigned targets[] = {HG_TARGET_SECURITYHUB, HG_TARGET_PROWLER, HG_TARGET_STEAMPIPE};
  for (size_t k = 0; k < 3; k++)
    pass[k] = judged[k] = 0;
  hg_doc *j = cis_rows(e->c->profile, &e->c->filters);
  const hg_doc *controls = hg_doc_get_seq(j, "controls"), *c, *r;
  for (size_t ci = 0; (c = item_at(controls, ci)) != NULL; ci++) {
    const hg_doc *results = hg_doc_get_seq(c, "results");
    for (size_t ri = 0; (r = item_at(results, ri)) != NULL; ri++) {
      const char *t = hg_doc_get_str(r, "target"), *res = hg_doc_get_str(r, "result");
      for (size_t k = 0; k < 3; k++)
        if (t && res && strcmp(t, hg_cis_target_name(targets[k])) == 0) {
          pass[k] += strcmp(res, "pass") == 0;
          judged[k] += strcmp(res, "pass") == 0 || strcmp(res, "fail") == 0;
        }
    }
  }
  hg_doc_free(j);
}

typedef enum { CMP_ACCOUNT, CMP_CIS, CMP_CIS_SH, CMP_CIS_PROWLER, CMP_CIS_STEAMPIPE, CMP_FILTERS, CMP_STACKS,
               CMP_RESOURCES, CMP_RULES, CMP_PREFLIGHT, CMP_DETECTIVE, CMP_DIGEST, CMP_EVENTS, CMP_MATCHES,
               CMP_ALARMS, CMP_N } cmp_row;

static const char *const cmp_names[CMP_N] = {
    "account", "CIS version", "CIS controls passed: Security Hub", "CIS controls passed: prowler",
    "CIS controls passed: steampipe", "metric filters", "stacks", "resources", "Config rules",
    "preflight checks (block / warn / off)", "detective routing", "digest", "events read",
    "matches (all filters)", "alarm firings (all filters)"};

static void put_compare_cell(hg_buf *out, const hg_report_env *e, cmp_row row)
{
  const hg_profile *p = e->c->profile;
  switch (row) {
  case CMP_ACCOUNT:
    ESC(p->account_name);
    if (p->account_id) {
      hg_buf_puts(out, " (");
      ESC(p->account_id);
      hg_buf_puts(out, ")");
    }
    break;
  case CMP_CIS: ESC(p->cis_version); break;
  case CMP_CIS_SH:
  case CMP_CIS_PROWLER:
  case CMP_CIS_STEAMPIPE: {
    size_t pass[3], judged[3], k = (size_t)(row - CMP_CIS_SH);
    cis_passes(e, pass, judged);
    hg_buf_printf(out, "<span class=\"%s\">%zu</span> of %zu", pass[k] == judged[k] ? "pass" : "fail", pass[k],
                  judged[k]);
    break;
  }
  case CMP_FILTERS: hg_buf_printf(out, "%zu", e->c->filters.n); break;
  case CMP_STACKS: hg_buf_printf(out, "%zu", e->plan ? e->plan->n : 0); break;
  case CMP_RESOURCES: {
    size_t res = 0;
    for (size_t i = 0; e->plan && i < e->plan->n; i++)
      res += e->plan->t[i].resources;
    hg_buf_printf(out, "%zu", res);
    break;
  }
  case CMP_RULES: {
    const char **names, **sources;
    size_t n;
    config_rules(e->plan, &names, &sources, &n);
    hg_buf_printf(out, "%zu", n);
    free(names);
    free(sources);
    break;
  }
  case CMP_PREFLIGHT: {
    if (!p->preflight) {
      hg_buf_puts(out, "<span class=\"na\">audit off</span>");
      break;
    }
    size_t c[3] = {0, 0, 0};
    for (size_t i = 0; i < HG_PF_N_CHECKS; i++)
      c[p->preflight_checks[i]]++;
    hg_buf_printf(out, "%zu / %zu / %zu", c[HG_CHECK_BLOCK], c[HG_CHECK_WARN], c[HG_CHECK_OFF]);
    break;
  }
  case CMP_DETECTIVE: {
    hg_det_config dc;
    if (!hg_det_config_of(p, &dc))
      hg_buf_puts(out, "<span class=\"na\">none</span>");
    else
      hg_buf_printf(out, "%s%s%s", dc.securityhub ? "Security Hub" : "", dc.securityhub && dc.splunk ? ", " : "",
                    dc.splunk ? "Splunk" : "");
    break;
  }
  case CMP_DIGEST: {
    const char *d = e->plan ? e->plan->digest : "";
    hg_buf_puts(out, "<code title=\"");
    ESC(d);
    hg_buf_puts(out, "\">");
    char *head = xstrndup(d, 12);
    ESC(head);
    free(head);
    hg_buf_puts(out, strlen(d) > 12 ? "&hellip;</code>" : "</code>");
    break;
  }
  case CMP_EVENTS:
    if (e->st)
      hg_buf_printf(out, "%zu", e->st->events);
    else
      hg_buf_puts(out, "<span class=\"na\">no --events</span>");
    break;
  case CMP_MATCHES:
  case CMP_ALARMS: {
    if (!e->alarm) {
      hg_buf_puts(out, "<span class=\"na\">no --events</span>");
      break;
    }
    unsigned long long sum = 0;
    for (size_t i = 0; i < e->c->filters.n; i++)
      sum += row == CMP_MATCHES ? hg_bt_result_of(e->alarm, i)->matches
                                : alarm_of(&e->c->filters.v[i], e->alarm, i, NULL).fired;
    hg_buf_printf(out, "%llu", sum);
    break;
  }
  case CMP_N: break;
  }
}

/* The envs side by side: one column per env, one row per measure. */
static void put_compare(hg_buf *out, const hg_report_env *envs, size_t n)
{
  bool ev = false;
  for (size_t i = 0; i < n; i++)
    ev = ev || envs[i].alarm;
  hg_buf_puts(out, "<h2>Envs side by side</h2>\n<div class=\"scroll\"><table class=\"compare\"><thead><tr><th></th>");
  for (size_t i = 0; i < n; i++) {
    hg_buf_puts(out, "<th><a href=\"#env-");
    ESC(envs[i].c->profile->env);
    hg_buf_puts(out, "\">");
    ESC(envs[i].c->profile->env);
    hg_buf_puts(out, "</a></th>");
  }
  hg_buf_puts(out, "</tr></thead><tbody>\n");
  for (cmp_row row = 0; row < CMP_N; row++) {
    if (!ev && row >= CMP_EVENTS)
      break;
    hg_buf_printf(out, "<tr data-row=\"%d\"><th>%s</th>", (int)row, cmp_names[row]);
    for (size_t i = 0; i < n; i++) {
      hg_buf_puts(out, "<td>");
      put_compare_cell(out, &envs[i], row);
      hg_buf_puts(out, "</td>");
    }
    hg_buf_puts(out, "</tr>\n");
  }
  hg_buf_puts(out, "</tbody></table></div>\n");
}

void hg_report_html(const hg_report_env *envs, size_t n, const char *build_time, hg_buf *out)
{
  axis ax = {1, 0};
  for (size_t i = 0; i < n; i++)
    if (envs[i].daily)
      axis_add(&ax, envs[i].daily, envs[i].c->filters.n);
  hg_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"color-scheme\" content=\"light dark\">\n<title>hardengen report: ");
  for (size_t i = 0; i < n; i++) {
    if (i)
      hg_buf_puts(out, ", ");
    ESC(envs[i].c->profile->env);
  }
  hg_buf_puts(out, "</title>\n<style>\n");
  hg_buf_puts(out, css);
  hg_buf_puts(out, "</style>\n</head>\n<body>\n<header><h1>hardengen report</h1>\n");
  if (n > 1)
    put_compare(out, envs, n);
  if (build_time) {
    hg_buf_puts(out, "<p class=\"mut\">Built ");
    ESC(build_time);
    hg_buf_puts(out, ".</p>\n");
  }
  hg_buf_puts(out, "</header>\n<main>\n");
  for (size_t i = 0; i < n; i++) {
    const hg_report_env *e = &envs[i];
    hg_buf_puts(out, "<section class=\"env\" id=\"env-");
    ESC(e->c->profile->env);
    hg_buf_puts(out, "\">\n<h2>");
    ESC(e->c->profile->env);
    hg_buf_puts(out, "</h2>\n");
    put_summary(out, e, n > 1 ? NULL : build_time);
    put_cis(out, e);
    put_filters(out, e, &ax);
    put_config(out, e);
    put_preflight(out, e->c->profile);
    put_detective(out, e->c->profile);
    hg_buf_puts(out, "</section>\n");
  }
  hg_buf_puts(out, "</main>\n</body>\n</html>\n");
}
