/*
 * progress.c — the progress line of long reads (progress.h).
 */
#include "hg/progress.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hg/util.h"

static unsigned long long walk(const char *path, int depth)
{
  struct stat st;
  if ((depth > 0 ? lstat(path, &st) : stat(path, &st)) != 0)
    return 0;
  if (S_ISLNK(st.st_mode)) {
    /* As the reader: inside a walk, a link to a file is read, to a folder not. */
    if (stat(path, &st) != 0 || S_ISDIR(st.st_mode))
      return 0;
  }
  if (S_ISREG(st.st_mode))
    return (unsigned long long)st.st_size;
  if (!S_ISDIR(st.st_mode) || depth >= 64)
    return 0;
  DIR *d = opendir(path);
  if (!d)
    return 0;
  unsigned long long sum = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char *p = xasprintf("%s/%s", path, e->d_name);
    sum += walk(p, depth + 1);
    free(p);
  }
  closedir(d);
  return sum;
}

unsigned long long hg_progress_total(const char *const *paths, size_t n)
{
  unsigned long long sum = 0;
  for (size_t i = 0; i < n; i++)
    if (strcmp(paths[i], "-") != 0)
      sum += walk(paths[i], 0);
  return sum;
}

void hg_progress_start(hg_progress *p, unsigned long long total, FILE *out)
{
  memset(p, 0, sizeof *p);
  p->total = total;
  p->out = out;
  clock_gettime(CLOCK_MONOTONIC, &p->t0);
  p->tlast = p->t0;
}

static double secs(const struct timespec *a, const struct timespec *b)
{
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void hg_progress_format(char *out, size_t cap, unsigned long long done, unsigned long long total,
                        double elapsed, size_t files, size_t events)
{
  double mb = (double)done / 1e6, rate = elapsed > 0 ? mb / elapsed : 0.0;
  if (total == 0) {
    snprintf(out, cap, "%zu files  %zu events  %.1f MB  %.1f MB/s", files, events, mb, rate);
    return;
  }
  if (done > total)
    done = total; /* a file grew while it was read */
  int pct = (int)((double)done * 100.0 / (double)total);
  char eta[32] = "ETA -";
  if (done > 0 && elapsed > 0) {
    double left = elapsed * (double)(total - done) / (double)done;
    long s = (long)(left + 0.5);
    if (s >= 3600)
      snprintf(eta, sizeof eta, "ETA %ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
      snprintf(eta, sizeof eta, "ETA %ld:%02ld", s / 60, s % 60);
  }
  snprintf(out, cap, "%3d%%  %zu files  %zu events  %.1f/%.1f MB  %.1f MB/s  %s", pct, files,
           events, (double)done / 1e6, (double)total / 1e6, rate, eta);
}

void hg_progress_show(hg_progress *p, unsigned long long done, size_t files, size_t events,
                      bool final)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (!final && secs(&p->tlast, &now) < 0.25)
    return;
  p->tlast = now;
  char line[160];
  hg_progress_format(line, sizeof line, final && p->total ? p->total : done, p->total,
                     secs(&p->t0, &now), files, events);
  /* Pad so a shorter line covers the previous one. */
  fprintf(p->out, "\r%-78s", line);
  if (final)
    fputc('\n', p->out);
  fflush(p->out);
}
