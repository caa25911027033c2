/*
 * cli_match.c — `hardengen match PATTERN [FILE|DIR ...] [-c] [--format jsonl|count]`:
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hg/cli.h"
#include "hg/events.h"
#include "hg/fp.h"
#include "hg/json.h"
#include "hg/util.h"


const char hg_help_match[] =
    "hardengen match PATTERN [FILE|DIR ...] [-c] [--format jsonl|count]\n"
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
    "  -h, --help            show this help\n"
    "\n"
    "exit status: 0 a record matched, 1 none matched, 2 usage error or invalid\n"
    "pattern (the problem is shown with a caret), 3 an input could not be read.\n"
    "\n"
    "example:\n"
    "  hardengen match '{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != \"Yes\") }' \\\n"
    "      trail/2024/ -c\n";

typedef struct match_run {
  const hg_fp *fp;
  bool json;          /* the pattern reads the parsed record */
  bool count_only;
  size_t matches;
  hg_arena *arena;
  int write_error;
} match_run;

static int on_event(void *ud, const hg_event *ev)
{
  match_run *m = ud;
  const hg_jv *v = NULL;
  if (m->json) {
    hg_arena_reset(m->arena);
    v = hg_json_parse(m->arena, ev->raw, ev->len, NULL, NULL);
  }
  if (!hg_fp_match(m->fp, v, ev->raw, ev->len))
    return 0;
  m->matches++;
  if (!m->count_only) {
    if (fwrite(ev->raw, 1, ev->len, stdout) != ev->len || putchar('\n') == EOF) {
      m->write_error = errno ? errno : EIO;
      return 1;
    }
  }
  return 0;
}

int hg_cli_match(int argc, char **argv)
{
  const char *pattern = NULL;
  const char **paths = xcalloc((size_t)argc + 1, sizeof *paths);
  size_t npaths = 0;
  bool count_only = false, opts_done = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!opts_done && a[0] == '-' && a[1] != '\0') {
      if (strcmp(a, "--") == 0) {
        opts_done = true;
      } else if (strcmp(a, "-c") == 0 || strcmp(a, "--count") == 0) {
        count_only = true;
      } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        fputs(hg_help_match, stdout);
        free(paths);
        return HG_EXIT_OK;
      } else if (strcmp(a, "--format") == 0 || strncmp(a, "--format=", 9) == 0) {
        const char *f = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
        if (!f) {
          free(paths);
          return hg_cli_usage_error(hg_help_match, "--format needs a value (jsonl or count)");
        }
        if (strcmp(f, "count") == 0) {
          count_only = true;
        } else if (strcmp(f, "jsonl") == 0) {
          count_only = false;
        } else {
          free(paths);
          return hg_cli_usage_error(hg_help_match, "unknown format '%s' (jsonl or count)", f);
        }
      } else {
        free(paths);
        return hg_cli_usage_error(hg_help_match, "unknown option '%s'", a);
      }
    } else if (!pattern) {
      pattern = a;
    } else {
      paths[npaths++] = a;
    }
  }
  if (!pattern) {
    free(paths);
    return hg_cli_usage_error(hg_help_match, "a filter pattern is required");
  }

  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_fp *fp = hg_fp_parse(pattern, strlen(pattern), NULL, &sink);
  if (!fp) {
    hg_diag_render_text(&sink, stderr);
    hg_diag_free(&sink);
    free(paths);
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
  m.count_only = count_only;
  m.arena = hg_arena_new();
  hg_events_stats st;
  memset(&st, 0, sizeof st);
  int rc = 0;
  if (nin > 0)
    /* Progress on a terminal, unless the matches go to the same one. */
    rc = hg_events_read(in, nin, on_event, &m, isatty(2) == 1 && (count_only || isatty(1) != 1),
                        &st, &sink);
  if (count_only)
    printf("%zu\n", m.matches);
  if (fflush(stdout) != 0 && !m.write_error)
    m.write_error = errno ? errno : EIO;
  hg_diag_render_text(&sink, stderr);
  hg_diag_free(&sink);
  hg_arena_free(m.arena);
  hg_fp_free(fp);
  free(paths);
  if (m.write_error) {
    fprintf(stderr, "hardengen: error writing the output: %s\n", strerror(m.write_error));
    return HG_EXIT_IO;
  }
  if (rc < 0 || status_io)
    return HG_EXIT_IO;
  return m.matches ? HG_EXIT_OK : HG_EXIT_INPUT;
}
