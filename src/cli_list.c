/*
 * cli_list.c — `hardengen list`: the filters an env would emit, after CIS
 * selection and the profile's disable/override, as a table or JSON.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_envs.h"
#include "cli_opts.h"
#include "cli.h"
#include "hg/compile.h"
#include "hg/emit.h"
#include "hg/util.h"

const char hg_help_list[] =
    "hardengen list --env ENV [--root DIR] [--format text|json]\n"
    "\n"
    "Show every filter the env would emit (one metric filter and one alarm each):\n"
    "its id, CIS number for the profile's cis.version, SNS topic, alarm threshold\n"
    "and pattern, after CIS selection and the profile's filters.disable and\n"
    "filters.override. JSON output:\n"
    "  {\"env\":..., \"filters\":[{\"id\",\"title\",\"cis\",\"topic\",\"threshold\",\"pattern\"}]}\n"
    "\n"
    "options:\n"
    "  --env ENV       the environment (profiles/ENV.yaml)\n"
    "  --root DIR      the folder holding profiles/, filters/, templates/ (default:\n"
    "                  the nearest folder upward that has profiles/)\n"
    "  --format FMT    text (an aligned table, default) or json\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 ok, 1 input is wrong (diagnostics on stderr), 2 usage.\n"
    "\n"
    "example:\n"
    "  hardengen list --env prod --format json | jq -r '.filters[].id'\n";

static void put_threshold(hg_buf *b, double t)
{
  if (t == floor(t) && fabs(t) < 1e15)
    hg_buf_printf(b, "%lld", (long long)t);
  else
    hg_buf_printf(b, "%.17g", t);
}

/* A whole threshold prints as an integer, any other as the shortest float. */
static hg_doc *threshold_doc(double t)
{
  if (t == floor(t) && fabs(t) < 1e15)
    return hg_doc_int((long long)t);
  return isfinite(t) ? hg_doc_float(t) : hg_doc_strf("%g", t);
}

static void list_json(const hg_compiled *c, hg_buf *b)
{
  const char *ver = c->profile->cis_version;
  hg_doc *d = hg_doc_map();
  hg_doc_set_int(d, "schema", HG_JSON_SCHEMA);
  hg_doc_set_str(d, "env", c->profile->env);
  hg_doc *fs = hg_doc_set_seq(d, "filters");
  for (size_t i = 0; i < c->filters.n; i++) {
    const hg_filter *f = &c->filters.v[i];
    const char *cis = ver ? hg_filter_cis(f, ver) : NULL;
    hg_doc *o = hg_doc_push(fs, hg_doc_map());
    hg_doc_set_str(o, "id", f->id);
    hg_doc_set_str(o, "title", f->title ? f->title : "");
    hg_doc_set(o, "cis", cis ? hg_doc_str(cis) : hg_doc_null());
    hg_doc_set_str(o, "topic", hg_topic_name(f->topic));
    hg_doc_set(o, "threshold", threshold_doc(f->threshold));
    hg_doc_set_str(o, "pattern", f->pattern ? f->pattern : "");
  }
  hg_emit_json(d, b);
  hg_doc_free(d);
}

static void list_text(const hg_compiled *c, hg_buf *b)
{
  const char *ver = c->profile->cis_version;
  size_t wid = 2, wcis = 3, wtopic = 5, wthr = 9;
  char num[64];
  for (size_t i = 0; i < c->filters.n; i++) {
    const hg_filter *f = &c->filters.v[i];
    const char *cis = ver ? hg_filter_cis(f, ver) : NULL;
    hg_buf t;
    hg_buf_init(&t);
    put_threshold(&t, f->threshold);
    if (strlen(f->id) > wid) wid = strlen(f->id);
    if (cis && strlen(cis) > wcis) wcis = strlen(cis);
    if (strlen(hg_topic_name(f->topic)) > wtopic) wtopic = strlen(hg_topic_name(f->topic));
    if (t.len > wthr) wthr = t.len;
    hg_buf_free(&t);
  }
  hg_buf_printf(b, "%-*s  %-*s  %-*s  %*s  %s\n", (int)wid, "ID", (int)wcis, "CIS", (int)wtopic,
                "TOPIC", (int)wthr, "THRESHOLD", "PATTERN");
  for (size_t i = 0; i < c->filters.n; i++) {
    const hg_filter *f = &c->filters.v[i];
    const char *cis = ver ? hg_filter_cis(f, ver) : NULL;
    hg_buf t;
    hg_buf_init(&t);
    put_threshold(&t, f->threshold);
    snprintf(num, sizeof num, "%s", t.data ? t.data : "");
    hg_buf_free(&t);
    hg_buf_printf(b, "%-*s  %-*s  %-*s  %*s  %s\n", (int)wid, f->id, (int)wcis, cis ? cis : "-",
                  (int)wtopic, hg_topic_name(f->topic), (int)wthr, num,
                  f->pattern ? f->pattern : "");
  }
}

int hg_cli_list(int argc, char **argv)
{
  static const char *const formats[] = {"text", "json", NULL};
  const char *env = NULL;
  const hg_opt opts[] = {
      {"env", 0, HG_OPT_STR, &env, "ENV"},
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_list, opts, formats, 0};
  hg_cli_args o;
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &o);
  if (rc == 0 && !env)
    rc = hg_cli_usage_error(hg_help_list, "give --env ENV");
  if (rc == 0 && !hg_cli_env_ok(hg_help_list, env))
    rc = HG_EXIT_USAGE;
  if (rc != 0) {
    hg_cli_args_free(&o);
    return hg_cli_opts_exit(rc);
  }
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_compiled c;
  int status = HG_EXIT_OK;
  if (hg_compile_filters(o.root, env, &c, &sink) != 0) {
    status = HG_EXIT_INPUT;
  } else {
    hg_buf b;
    hg_buf_init(&b);
    if (strcmp(o.format, "json") == 0)
      list_json(&c, &b);
    else
      list_text(&c, &b);
    fwrite(b.data, 1, b.len, stdout);
    hg_buf_free(&b);
    hg_compiled_free(&c);
  }
  hg_diag_render_text(&sink, stderr);
  hg_diag_free(&sink);
  hg_cli_args_free(&o);
  return status;
}
