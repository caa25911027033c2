/*
 * diag.h — diagnostics as data.
 *
 * Stages never print. They add diagnostics to a sink (file, line, column,
 * severity, a stable code, a message, notes) and return failure; the CLI
 * renders the sink GNU style with the source line and a caret, or as JSON or
 * SARIF. A stage reports every error it finds before it returns, and the
 * driver stops before the next stage when the sink holds an error.
 *
 * Text form (one diagnostic):
 *   profiles/prod.yaml:4:3: error: unknown key 'notfy' [profile-unknown-key]
 *     notfy:
 *     ^~~~~
 *   note: did you mean 'notify'?
 */
#ifndef HG_DIAG_H
#define HG_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { HG_SEV_ERROR, HG_SEV_WARNING, HG_SEV_NOTE } hg_severity;

typedef struct hg_diag {
  hg_severity sev;
  char *file;        /* owned; NULL when the problem has no file */
  int line, col;     /* 1-based; 0 when unknown */
  int span;          /* caret width in columns, >= 1 */
  char *code;        /* owned; stable kebab-case id, e.g. "profile-unknown-key" */
  char *message;     /* owned; no trailing period, no newline; escaped (see below) */
  char *snippet;     /* owned; when set, shown instead of the file's line */
  int snippet_col;   /* 1-based caret column inside snippet */
  char **notes;      /* owned; each a line shown as "note: ..." */
  size_t n_notes;
  char **envs;       /* owned; the envs whose build reported it (check --all), or none */
  size_t n_envs;
} hg_diag;

typedef struct hg_src hg_src;

typedef struct hg_diag_sink {
  hg_diag *v;        /* owned */
  size_t n, cap;
  size_t errors, warnings;
  hg_src *sources;   /* owned; registered source texts for caret lines */
} hg_diag_sink;

void hg_diag_init(hg_diag_sink *s);
void hg_diag_free(hg_diag_sink *s);
/* As hg_diag_free, zeroing the registered source texts first (a sink that
 * saw a credential answer). */
void hg_diag_free_wiped(hg_diag_sink *s);

/* Messages and notes longer than this are cut ("... (N more bytes)"). */
#define HG_DIAG_MAX_MESSAGE 1024

/*
 * Add a diagnostic. The message (and each note) is stored printable: a
 * control character, a byte that is not UTF-8 or a refused character is
 * escaped (\n, \xHH, \u{HHHH}, see text.h), and the text is capped at
 * HG_DIAG_MAX_MESSAGE bytes. file may be NULL; line/col 0 mean unknown. The returned
 * pointer stays valid until the next hg_diag_add on the same sink; use it to
 * attach notes or a snippet.
 */
hg_diag *hg_diag_add(hg_diag_sink *s, hg_severity sev, const char *file, int line, int col,
                     const char *code, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
hg_diag *hg_diag_vadd(hg_diag_sink *s, hg_severity sev, const char *file, int line, int col,
                      const char *code, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));
void hg_diag_note(hg_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Show text (one line) with a caret at col (1-based) of width span. */
void hg_diag_snippet(hg_diag *d, const char *text, int col, int span);

/*
 * Register the text of a source file so carets can show its lines without
 * reading the file again (and for sources that are not files). Copied.
 */
void hg_diag_source(hg_diag_sink *s, const char *file, const char *text, size_t len);

/* Move every diagnostic of src to the end of dst; src is left empty. */
void hg_diag_move(hg_diag_sink *dst, hg_diag_sink *src);

bool hg_diag_has_errors(const hg_diag_sink *s);

/* Drop (and free) every diagnostic of s from index n on; the error and
 * warning counts follow. */
void hg_diag_truncate(hg_diag_sink *s, size_t n);

/* Attribute diagnostics from..n-1 of s to env (appended to their envs). */
void hg_diag_tag_env(hg_diag_sink *s, size_t from, const char *env);

/*
 * Move every diagnostic of src to dst, as hg_diag_move, except that one
 * equal to a diagnostic already in dst (same severity, file, line, column,
 * code and message: the same problem seen by another env's build) is not
 * added again: its envs are appended to the one in dst. Returns how many
 * were folded that way. src is left empty.
 */
size_t hg_diag_merge(hg_diag_sink *dst, hg_diag_sink *src);

/* Renderers. Text goes to out; JSON and SARIF return malloc'd text. */
void hg_diag_render_text(hg_diag_sink *s, FILE *out);
/* Only diagnostics from..n-1 (those a later stage added). */
void hg_diag_render_text_from(hg_diag_sink *s, size_t from, FILE *out);

/*
 * JSON (diag_render.c): {"schema":N,"tool":"hardengen","version":V,
 * "diagnostics":[{"severity","code","message","file","line","column",
 * "end_column","notes":[...],"envs":[...]}]}.
 */
char *hg_diag_render_json(const hg_diag_sink *s, const char *tool_version);

/* What SARIF needs beyond the diagnostics. */
typedef struct hg_diag_sarif_opts {
  const char *tool_version;
  const char *root;     /* files under it get repo-relative URIs with uriBaseId
                           %SRCROOT% (NULL: the current folder) */
  const char *home_url; /* the project's home; rules' helpUri point into its README */
} hg_diag_sarif_opts;

/*
 * SARIF 2.1.0 for code-scanning uploads: one run, tool.driver with name,
 * version, informationUri and a rule per code used (id, shortDescription,
 * helpUri); results with ruleId/ruleIndex, level, message, a physical
 * location (startLine, startColumn, endColumn) relative to %SRCROOT%,
 * partialFingerprints that survive line moves, and the envs in
 * properties.envs.
 */
char *hg_diag_render_sarif(const hg_diag_sink *s, const hg_diag_sarif_opts *opts);

#endif
