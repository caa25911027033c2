/*
 * cli_common.c — helpers the command front ends share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "hg/resource.h"
#include "hg/util.h"

int hg_cli_usage_error(const char *help, const char *fmt, ...)
{
  va_list ap;
  fputs("hardengen: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nusage: %.*s\n", (int)strcspn(help, "\n"), help);
  return HG_EXIT_USAGE;
}

const char *hg_cli_default_root(void)
{
  return hg_res_default_root();
}

void hg_cli_print_diags(hg_diag_sink *sink, const char *format)
{
  hg_cli_print_diags_root(sink, format, NULL);
}

void hg_cli_print_diags_root(hg_diag_sink *sink, const char *format, const char *root)
{
  if (format && strcmp(format, "json") == 0) {
    char *t = hg_diag_render_json(sink, HG_VERSION);
    fputs(t, stdout);
    free(t);
  } else if (format && strcmp(format, "sarif") == 0) {
    hg_diag_sarif_opts so = {HG_VERSION, root, HG_HOME_URL};
    char *t = hg_diag_render_sarif(sink, &so);
    fputs(t, stdout);
    free(t);
  } else {
    hg_diag_render_text(sink, stderr);
  }
}
