/*
 * cli_match.c — `hardengen match PATTERN [FILE|DIR ...] [-c] [--root DIR] [--format jsonl|count]`:
 * grep for CloudTrail records with a CloudWatch Logs filter pattern.
 *
 * Each record reaches the pattern as the reader hands it over: compact JSON
 * text, the message CloudTrail delivers to CloudWatch Logs (term, regex and
 * space-delimited patterns search that text; JSON patterns read the parsed
 * record). Matching records are printed one per line, or only their count.
 * Exit status as grep: 0 a record matched, 1 none did, 2 usage error or an
 * invalid pattern, 3 a named input could not be read or reading failed.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_opts.h"
#include "cli.h"
#include "hg/jscan.h"
#include "hg/events.h"
#include "hg/fp.h"
#include "hg/json.h"
#include "hg/util.h"


const char hg_help_match[] =
    "hardengen match PATTERN [FILE|DIR ...] [-c] [-j N] [--root DIR] [--format jsonl|count]\n"
    "\n"
    "Print every CloudTrail record that matches a CloudWatch Logs filter pattern,\n"
    "evaluated offline with the service's semantics (JSON, term, space-delimited\n"
    "and %regex% patterns). Inputs are {\"Records\":[...]} files, bare JSON arrays,\n"
    "JSON lines, gzip of any of these, and folders (read recursively); with no\n"
    "input, or '-', records are read from standard input. Term patterns search the\n"
    "record's compact JSON text, as CloudTrail delivers it to CloudWatch Logs.\n"
    "\n"
    "options:\n"
    "  -c, --count           print only the number of matching records\n"
    "  --format jsonl|count  one compact JSON record per line (default), or the count\n"
    "  -j, --jobs N          read that many files at once (default: the number of\n"
    "                        CPUs); the output and its order do not depend on it\n"
    "  --root DIR            read relative FILE and DIR paths from DIR (as\n"
    "                        `git -C DIR` does); default: the current folder\n"
    "  -h, --help            show this help\n"
    "\n"
    "exit status: 0 a record matched, 1 none matched, 2 usage error or invalid\n"
    "pattern (the problem is shown with a caret), 3 an input could not be read.\n"
    "\n"
    "example:\n"
    "  hardengen match '{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != \"Yes\") }' \\\n"
    "      trail/2024/ -c\n";

/* What the run shares (read-only while reading, but for the counters and
 * the first write error). */
typedef struct match_run {
  const hg_fp *fp;
  bool json;          /* the pattern reads the parsed record */
  hg_jpaths *paths;   /* what it reads of it (its steps resolved here) */
  bool count_only;
  size_t matches;     /* committed */
  atomic_int write_error;
} match_run;

/* One thread's matcher: the pattern, or its own copy when a regex in it
 * keeps a DFA cache. */
typedef struct match_worker {
  match_run *m;
  const hg_fp *fp;
  hg_fp *own;
  hg_arena *arena;
} match_worker;

/* What one input produced: its matching records (up to OUT_HELD bytes; past
 * that the input waits for its turn and writes directly) and their count. */
typedef struct match_part {
  hg_buf out;
  size_t matches;
  bool direct;
} match_part;

#define OUT_HELD (1u << 20)

static void add_sel(void *ud, const hg_jsel *sel)
{
  hg_jpaths_add(ud, sel);
}

static void *worker_new(void *ud)
{
  match_run *m = ud;
  match_worker *w = xcalloc(1, sizeof *w);
  w->m = m;
  w->fp = m->fp;
  if (hg_fp_regex_count(m->fp) > 0) {
    char *text = hg_fp_print(m->fp);
    hg_diag_sink sink;
    hg_diag_init(&sink);
    w->own = hg_fp_parse(text, strlen(text), NULL, &sink);
    hg_diag_free(&sink);
    free(text);
    if (w->own) {
      w->fp = w->own; /* checked equal before the run */
      hg_fp_copy_slots(w->own, m->fp);
    }
  }
  w->arena = hg_arena_new();
  return w;
}

static void worker_free(void *ud, void *wp)
{
  (void)ud;
  match_worker *w = wp;
  hg_fp_free(w->own);
  hg_arena_free(w->arena);
  free(w);
}

static void *part_new(void *ud)
{
  (void)ud;
  match_part *p = xcalloc(1, sizeof *p);
  hg_buf_init(&p->out);
  return p;
}

static void part_free(void *ud, void *pp)
{
  (void)ud;
  match_part *p = pp;
  hg_buf_free(&p->out);
  free(p);
}

/* Write what p holds to stdout. False on a write error (recorded). */
static bool flush_part(match_run *m, match_part *p)
{
  if (p->out.len && fwrite(p->out.data, 1, p->out.len, stdout) != p->out.len) {
    int e = errno ? errno : EIO, zero = 0;
    atomic_compare_exchange_strong(&m->write_error, &zero, e);
    hg_buf_reset(&p->out);
    return false;
  }
  hg_buf_reset(&p->out);
  return true;
}

/*
 * Append a record as output text: the compact JSON as read, except that
 * bytes that are not valid UTF-8 become \ufffd and C1 control characters
 * \u0080-\u009f are escaped (a terminal may act on them). Such bytes can
 * only sit inside strings (the record is valid JSON), where the escapes
 * mean the same text.
 */
static void put_record(hg_buf *b, const char *raw, size_t len)
{
  const unsigned char *p = (const unsigned char *)raw, *e = p + len, *run = p;
  while (p < e) {
    if (*p < 0x80) {
      p++;
      continue;
    }
    size_t k = *p >= 0xC2 && *p <= 0xDF ? 2 : *p >= 0xE0 && *p <= 0xEF ? 3 : *p >= 0xF0 && *p <= 0xF4 ? 4 : 0;
    unsigned v = k == 2 ? *p & 0x1Fu : k == 3 ? *p & 0x0Fu : *p & 0x07u;
    size_t i = 1;
    for (; k && i < k && p + i < e && (p[i] & 0xC0) == 0x80; i++)
      v = v << 6 | (p[i] & 0x3Fu);
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    bool ok = k && i == k && v >= min[k] && v <= 0x10FFFF && (v < 0xD800 || v > 0xDFFF);
    if (ok && v >= 0xA0) {
      p += k;
      continue;
    }
    hg_buf_append(b, run, (size_t)(p - run));
    if (ok) {
      hg_buf_printf(b, "\\u%04x", v);
      p += k;
    } else {
      hg_buf_puts(b, "\\ufffd");
      p++;
    }
    run = p;
  }
  hg_buf_append(b, run, (size_t)(p - run));
  hg_buf_putc(b, '\n');
}

static int on_event(void *wp, void *pp, const hg_event *ev)
{
  match_worker *w = wp;
  match_part *p = pp;
  match_run *m = w->m;
  const hg_jv *v = NULL;
  if (m->json) {
    hg_arena_reset(w->arena);
    /* Only what the pattern reads is built; the whole record is still
     * validated, and the record printed is its raw text. */
    v = hg_json_parse_pruned(w->arena, ev->raw, ev->len, m->paths, NULL, NULL);
  }
  if (!hg_fp_match(w->fp, v, ev->raw, ev->len))
    return 0;
  p->matches++;
  if (m->count_only)
    return 0;
  put_record(&p->out, ev->raw, ev->len);
  if (!p->direct && p->out.len > OUT_HELD) {
    /* Hold no more: wait until every earlier input is out, then write. */
    hg_events_wait_turn(ev);
    p->direct = true;
  }
  if (p->direct && p->out.len >= 65536 && !flush_part(m, p))
    return 1;
  return 0;
}

static int on_commit(void *ud, void *pp)
{
  match_run *m = ud;
  match_part *p = pp;
  m->matches += p->matches;
  p->matches = 0;
  p->direct = false;
  return flush_part(m, p) ? 0 : 1;
}

int hg_cli_match(int argc, char **argv)
{
  static const char *const formats[] = {"jsonl", "count", NULL};
  bool count_only = false;
  unsigned jobs = hg_events_cpus();
  const hg_opt opts[] = {
      {"count", 'c', HG_OPT_BOOL, &count_only, NULL},
      {"jobs", 'j', HG_OPT_JOBS, &jobs, "N"},
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_match, opts, formats, -1};
  hg_cli_args a;
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &a);
  if (rc == 0 && a.n_operands == 0)
    rc = hg_cli_usage_error(hg_help_match, "a filter pattern is required");
  for (size_t i = 1; rc == 0 && i < a.n_operands; i++)
    if (!*a.operands[i])
      rc = hg_cli_usage_error(hg_help_match, "an empty path is not a file (use - for stdin)");
  /* --root DIR: relative paths are read from DIR, as with `git -C DIR`. */
  if (rc == 0)
    rc = hg_cli_enter_root(&a);
  if (rc != 0) {
    hg_cli_args_free(&a);
    return hg_cli_opts_exit(rc);
  }
  count_only = count_only || strcmp(a.format, "count") == 0;
  const char *pattern = a.operands[0];
  const char **paths = (const char **)a.operands + 1;
  size_t npaths = a.n_operands - 1;
  /* The event scanner's SIMD level (doc/backtest-performance.md). */
  if (hg_jscan_set_level_name(getenv("HARDENGEN_SCAN")) < 0) {
    hg_cli_args_free(&a);
    return hg_cli_usage_error(hg_help_match, "HARDENGEN_SCAN must be portable, sse2, avx2 or avx512");
  }

  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_fp *fp = hg_fp_parse(pattern, strlen(pattern), NULL, &sink);
  if (!fp) {
    hg_diag_render_text(&sink, stderr);
    hg_diag_free(&sink);
    hg_cli_args_free(&a);
    return HG_EXIT_USAGE;
  }
  hg_diag_render_text(&sink, stderr); /* warnings */
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  /* A named input that cannot be opened is an I/O error (as grep), not a
   * skipped record; check before reading so the status says so. */
  int status_io = 0;
  size_t keep = 0;
  for (size_t i = 0; i < npaths; i++) {
    if (strcmp(paths[i], "-") != 0 && access(paths[i], R_OK) != 0) {
      hg_diag_add(&sink, HG_SEV_ERROR, paths[i], 0, 0, "match-read", "cannot read: %s",
                  strerror(errno));
      status_io = 1;
      continue;
    }
    /* A FIFO or device named as input could block for ever: only files
     * and folders are read by name (standard input is '-'). */
    struct stat sb;
    if (strcmp(paths[i], "-") != 0 && stat(paths[i], &sb) == 0 && !S_ISREG(sb.st_mode) &&
        !S_ISDIR(sb.st_mode)) {
      hg_diag_add(&sink, HG_SEV_ERROR, paths[i], 0, 0, "match-read",
                  "not a regular file (a FIFO, socket or device); use - for standard input");
      status_io = 1;
      continue;
    }
    paths[keep++] = paths[i];
  }
  static const char *const stdin_only[] = {"-"};
  const char *const *in = paths;
  size_t nin = keep;
  if (npaths == 0) {
    in = stdin_only;
    nin = 1;
  }

  match_run m;
  memset(&m, 0, sizeof m);
  m.fp = fp;
  m.json = hg_fp_kind_of(fp) == HG_FP_JSON;
  m.paths = hg_jpaths_new();
  hg_fp_selectors(fp, add_sel, m.paths);
  m.count_only = count_only;
  atomic_init(&m.write_error, 0);
  if (jobs > 1 && hg_fp_regex_count(fp) > 0) {
    /* Each thread needs its own copy of a regex: check it can be made. */
    char *text = hg_fp_print(fp);
    hg_diag_sink tmp;
    hg_diag_init(&tmp);
    hg_fp *c = hg_fp_parse(text, strlen(text), NULL, &tmp);
    if (!c || !hg_fp_equal(c, fp))
      jobs = 1;
    hg_fp_free(c);
    hg_diag_free(&tmp);
    free(text);
  }
  hg_events_stats st;
  memset(&st, 0, sizeof st);
  /* Progress on a terminal, unless the matches go to the same one. */
  hg_events_opts eo = {isatty(2) == 1 && (count_only || isatty(1) != 1), false, jobs, false};
  hg_events_ops ops = {worker_new, worker_free, part_new, part_free, on_event, on_commit};
  if (nin > 0)
    rc = hg_events_run(in, nin, &ops, &m, &eo, &st, &sink);
  int write_error = atomic_load(&m.write_error);
  if (count_only)
    printf("%zu\n", m.matches);
  if (fflush(stdout) != 0 && !write_error)
    write_error = errno ? errno : EIO;
  hg_diag_render_text(&sink, stderr);
  hg_diag_free(&sink);
  hg_jpaths_free(m.paths);
  hg_fp_free(fp);
  hg_cli_args_free(&a);
  if (write_error) {
    fprintf(stderr, "hardengen: error writing the output: %s\n", strerror(write_error));
    return HG_EXIT_IO;
  }
  if (rc < 0 || status_io)
    return HG_EXIT_IO;
  return m.matches ? HG_EXIT_OK : HG_EXIT_INPUT;
}
