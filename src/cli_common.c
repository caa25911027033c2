/*
 * cli_common.c — helpers the command front ends share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hg/cli.h"
#include "hg/util.h"

#ifndef HG_SHAREDIR
#define HG_SHAREDIR "/usr/local/share/hardengen"
#endif

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

static bool is_dir(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *hg_share_dir(void)
{
  static char path[4096];
  static int done;
  if (done)
    return path[0] ? path : NULL;
  done = 1;
  const char *env = getenv("HARDENGEN_SHARE");
  if (env && is_dir(env)) {
    snprintf(path, sizeof path, "%s", env);
    return path;
  }
  if (is_dir(HG_SHAREDIR)) {
    snprintf(path, sizeof path, "%s", HG_SHAREDIR);
    return path;
  }
  /* A binary run from its source tree: the folder beside the executable
   * that holds filters/cis.lua. */
  char exe[4096];
  if (hg_exe_dir(exe, sizeof exe)) {
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/filters/cis.lua", exe);
    if (access(probe, R_OK) == 0) {
      snprintf(path, sizeof path, "%s", exe);
      return path;
    }
  }
  path[0] = '\0';
  return NULL;
}

const char *hg_cli_default_root(void)
{
  static char root[4096];
  strcpy(root, ".");
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return root;
  /* Walk up: cwd, cwd/.., ... to the file system's root. */
  size_t up = 0;
  for (;;) {
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/profiles", strcmp(cwd, "/") == 0 ? "" : cwd);
    if (is_dir(probe))
      break;
    char *slash = strrchr(cwd, '/');
    if (!slash || strcmp(cwd, "/") == 0 || up >= 200)
      return root;
    if (slash == cwd)
      slash[1] = '\0';
    else
      *slash = '\0';
    up++;
  }
  if (up == 0)
    return root;
  root[0] = '\0';
  for (size_t i = 0; i < up && strlen(root) + 3 < sizeof root; i++)
    strcat(root, i ? "/.." : "..");
  return root;
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
