/*
 * events_run.c — a read over many paths: walk them in order, read each
 * input (events.c) in the calling thread or in worker threads, and commit
 * what each input produced strictly in input order.
 *
 * The walk is lazy (one sorted listing per open folder level), so a tree
 * of a million files costs the names of one path from the root, not a list
 * of every file. Inputs wait in a ring of 2 * jobs + 2 slots: the calling
 * thread fills free slots from the walk, workers take them in order, and
 * the calling thread commits the oldest slot once it is done (the
 * consumer's part, the input's counts and warnings), then reuses it. So
 * memory is bounded by the ring, and everything observable — results,
 * warnings, their order — is the same for any number of jobs.
 *
 * Warnings of the walk itself (a path that cannot be opened) travel in a
 * slot of their own so they too come out in input order.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "events_int.h"
#include "hg/progress.h"
#include "hg/util.h"

/* Per run cap on warnings shown, so a corpus of bad files cannot grow the
 * sink without bound (all are counted). */
#define MAX_WARNINGS_TOTAL 1000
#define MAX_WALK_DEPTH 64

/* ---- the walk ---- */

typedef struct wdir {
  char **names; /* sorted full paths, owned until handed out */
  size_t n, i;
  int depth;    /* depth of the folder itself */
} wdir;

typedef struct walker {
  const char *const *paths;
  size_t n, i;
  wdir *stack;
  size_t depth, cap;
} walker;

typedef struct slot slot;
typedef struct run run;

struct slot {
  run *run;
  ev_input in;
  char *path;   /* owned (NULL for stdin and walk notes) */
  bool note;    /* a warning of the walk: nothing to read */
  void *part;
  size_t seq;   /* position in input order */
  bool done;
};

struct run {
  const hg_events_ops *ops;
  void *ud;
  bool unchecked, unchecked_docs;
  bool threaded;
  slot *slots;
  size_t nslots;
  size_t filled, taken, committed; /* sequence numbers */
  bool walk_done, finish;
  atomic_int stop;
  pthread_mutex_t mu;
  pthread_cond_t cv_work, cv_done, cv_turn;
  walker walk;
  hg_events_stats *st;
  hg_diag_sink *sink;
  size_t warnings;
  bool progress;
  hg_progress prog;
  unsigned long long disk_done; /* bytes on disk of the inputs committed */
};

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void note(slot *s, const char *path, bool counted, const char *what, const char *err)
{
  s->note = true;
  s->path = xstrdup(path);
  s->in.path = s->path;
  if (counted) {
    s->in.st.files++;
    s->in.st.skipped_files++;
  }
  hg_diag_add(&s->in.sink, HG_SEV_WARNING, path, 0, 0, "events-unreadable", "%s: %s; skipped", what,
              err);
}

/* Look at path (owned) found at depth: fill s and return true when it is
 * an input or a warning; push a folder and return false; ignore the rest. */
static bool visit(walker *w, char *path, int depth, slot *s)
{
  struct stat st;
  if (depth > 0) {
    /* Inside a folder walk: do not follow links to folders (no cycles). */
    if (lstat(path, &st) != 0) {
      note(s, path, true, "cannot stat", strerror(errno));
      free(path);
      return true;
    }
    if (S_ISLNK(st.st_mode) && (stat(path, &st) != 0 || S_ISDIR(st.st_mode))) {
      free(path);
      return false;
    }
  } else if (stat(path, &st) != 0) {
    note(s, path, true, "cannot open", strerror(errno));
    free(path);
    return true;
  }
  if (S_ISDIR(st.st_mode)) {
    if (depth >= MAX_WALK_DEPTH) {
      free(path);
      return false;
    }
    DIR *d = opendir(path);
    if (!d) {
      note(s, path, false, "cannot open folder", strerror(errno));
      free(path);
      return true;
    }
    wdir f = {NULL, 0, 0, depth};
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.')
        continue; /* ".", "..", and hidden files such as .DS_Store */
      if (f.n == cap) {
        cap = cap ? cap * 2 : 64;
        f.names = xrealloc(f.names, cap * sizeof *f.names);
      }
      f.names[f.n++] = xasprintf("%s/%s", path, e->d_name);
    }
    closedir(d);
    free(path);
    if (f.n == 0) {
      free(f.names); /* an empty folder: nothing to sort */
      return false;
    }
    qsort(f.names, f.n, sizeof *f.names, cmp_str);
    if (w->depth == w->cap) {
      w->cap = w->cap ? w->cap * 2 : 8;
      w->stack = xrealloc(w->stack, w->cap * sizeof *w->stack);
    }
    w->stack[w->depth++] = f;
    return false;
  }
  if (depth > 0 && !S_ISREG(st.st_mode)) {
    free(path); /* sockets, FIFOs found while walking */
    return false;
  }
  /* Named inputs that are not regular files are refused when opened. */
  s->path = path;
  s->in.path = path;
  return true;
}

/* The next input (or walk warning) into s; false at the end. */
static bool walk_next(walker *w, slot *s)
{
  for (;;) {
    if (w->depth > 0) {
      wdir *d = &w->stack[w->depth - 1];
      if (d->i == d->n) {
        free(d->names);
        w->depth--;
        continue;
      }
      char *path = d->names[d->i++];
      if (visit(w, path, d->depth + 1, s))
        return true;
      continue;
    }
    if (w->i == w->n)
      return false;
    const char *p = w->paths[w->i++];
    if (strcmp(p, "-") == 0) {
      s->in.is_stdin = true;
      s->in.path = "<stdin>";
      return true;
    }
    if (visit(w, xstrdup(p), 0, s))
      return true;
  }
}

static void walk_free(walker *w)
{
  while (w->depth > 0) {
    wdir *d = &w->stack[--w->depth];
    for (size_t i = d->i; i < d->n; i++)
      free(d->names[i]);
    free(d->names);
  }
  free(w->stack);
}

/* ---- commits ---- */

/* The progress line (progress.h): the bytes on disk of every input
 * committed so far against the total walked at the start. */
static void progress(run *R, bool final)
{
  if (R->progress)
    hg_progress_show(&R->prog, R->disk_done, R->st->files, R->st->events, final);
}

/* Move an input's warnings to the run's sink, up to the run's cap. */
static void merge_warnings(run *R, hg_diag_sink *src)
{
  size_t room = R->warnings < MAX_WARNINGS_TOTAL ? MAX_WARNINGS_TOTAL - R->warnings : 0;
  size_t n = src->n, keep = n < room ? n : room;
  hg_diag_truncate(src, keep);
  hg_diag_move(R->sink, src);
  R->warnings += keep;
  if (keep < n) {
    if (R->warnings == MAX_WARNINGS_TOTAL)
      hg_diag_add(R->sink, HG_SEV_WARNING, NULL, 0, 0, "events-too-many-warnings",
                  "too many input warnings; further ones are counted but not shown");
    R->warnings += n - keep;
  }
}

static void commit(run *R, slot *s)
{
  if (!s->note && R->ops->commit && R->ops->commit(R->ud, s->part))
    atomic_store(&R->stop, 1);
  hg_events_stats *a = R->st, *b = &s->in.st;
  a->files += b->files;
  a->events += b->events;
  a->bytes += b->bytes;
  a->skipped_files += b->skipped_files;
  a->skipped_records += b->skipped_records;
  merge_warnings(R, &s->in.sink);
  struct stat fst;
  if (R->progress && s->in.path && strcmp(s->in.path, "<stdin>") != 0 && stat(s->in.path, &fst) == 0 &&
      S_ISREG(fst.st_mode))
    R->disk_done += (unsigned long long)fst.st_size;
  progress(R, false);
}

/* Make slot s empty for the next input. */
static void slot_reset(slot *s)
{
  free(s->path);
  s->path = NULL;
  hg_diag_free(&s->in.sink);
  memset(&s->in, 0, sizeof s->in);
  hg_diag_init(&s->in.sink);
  s->note = false;
  /* seq and done change only under the lock, when the slot is published:
   * a worker that lags behind may still look at them. */
}

/* ---- workers ---- */

typedef struct tramp {
  const hg_events_ops *ops;
  void *w, *part;
} tramp;

static int on_record(void *ctx, const hg_event *ev)
{
  tramp *t = ctx;
  return t->ops->event(t->w, t->part, ev);
}

static void read_slot(run *R, ev_reader *rd, void *w, slot *s)
{
  tramp t = {R->ops, w, s->part};
  ev_out o = {on_record, &t, s, &R->stop};
  ev_read_input(rd, &s->in, &o);
}

static void *worker_main(void *arg)
{
  run *R = arg;
  void *w = R->ops->worker_new ? R->ops->worker_new(R->ud) : R->ud;
  ev_reader *rd = ev_reader_new(R->unchecked, R->unchecked_docs);
  pthread_mutex_lock(&R->mu);
  for (;;) {
    while (R->taken == R->filled && !R->finish)
      pthread_cond_wait(&R->cv_work, &R->mu);
    if (R->taken == R->filled)
      break;
    size_t k = R->taken++;
    slot *s = &R->slots[k % R->nslots];
    if (s->seq != k || s->done)
      continue; /* a walk warning (already done, maybe already committed) */
    pthread_mutex_unlock(&R->mu);
    if (!atomic_load(&R->stop))
      read_slot(R, rd, w, s);
    pthread_mutex_lock(&R->mu);
    s->done = true;
    pthread_cond_broadcast(&R->cv_done);
  }
  pthread_mutex_unlock(&R->mu);
  ev_reader_free(rd);
  if (R->ops->worker_free)
    R->ops->worker_free(R->ud, w);
  return NULL;
}

void hg_events_wait_turn(const hg_event *ev)
{
  slot *s = ev->turn;
  if (!s || !s->run->threaded)
    return;
  run *R = s->run;
  pthread_mutex_lock(&R->mu);
  while (R->committed != s->seq && !atomic_load(&R->stop))
    pthread_cond_wait(&R->cv_turn, &R->mu);
  pthread_mutex_unlock(&R->mu);
}

unsigned hg_events_cpus(void)
{
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0)
      return (unsigned)n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1u;
}

/* ---- the run ---- */

/*
 * The inflater of a sequential run: a thread that inflates the next gzip
 * file (ev_ahead_prepare) while the calling thread scans the current one,
 * so on two CPUs -j 1 costs about the larger of inflating and scanning
 * rather than their sum. One job at a time, handed over under the lock.
 */
typedef struct inflater {
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  ev_ahead *a;
  const char *path; /* the job: the file to prepare (NULL: none) */
  bool busy, quit;
} inflater;

static void *inflater_main(void *arg)
{
  inflater *f = arg;
  pthread_mutex_lock(&f->mu);
  for (;;) {
    while (!f->busy && !f->quit)
      pthread_cond_wait(&f->cv, &f->mu);
    if (!f->busy)
      break;
    const char *path = f->path;
    pthread_mutex_unlock(&f->mu);
    ev_ahead_prepare(f->a, path);
    pthread_mutex_lock(&f->mu);
    f->busy = false;
    pthread_cond_broadcast(&f->cv);
  }
  pthread_mutex_unlock(&f->mu);
  return NULL;
}

/* Start preparing path (the inflater is idle). */
static void inflater_start(inflater *f, const char *path)
{
  pthread_mutex_lock(&f->mu);
  f->path = path;
  f->busy = true;
  pthread_cond_broadcast(&f->cv);
  pthread_mutex_unlock(&f->mu);
}

/* Wait until the job started last is done. */
static void inflater_wait(inflater *f)
{
  pthread_mutex_lock(&f->mu);
  while (f->busy)
    pthread_cond_wait(&f->cv, &f->mu);
  pthread_mutex_unlock(&f->mu);
}

/* Whether an input is worth preparing ahead: a named file (the walk's
 * notes and stdin are not) whose name says gzip. A file that turns out
 * not to be gzip is read as usual; one named otherwise is never prepared,
 * so JSON lines pay nothing for the inflater. */
static bool ahead_worth(const slot *s)
{
  if (s->note || s->in.is_stdin || !s->in.path)
    return false;
  size_t n = strlen(s->in.path);
  return n > 3 && strcmp(s->in.path + n - 3, ".gz") == 0;
}

static void run_sequential(run *R)
{
  void *w = R->ops->worker_new ? R->ops->worker_new(R->ud) : R->ud;
  ev_reader *rd = ev_reader_new(R->unchecked, R->unchecked_docs);
  /* With more than one CPU, gzip files are inflated one ahead by a second
   * thread, into the second slot. */
  inflater inf;
  memset(&inf, 0, sizeof inf);
  bool ahead = R->nslots >= 2 && hg_events_cpus() > 1;
  if (ahead) {
    pthread_mutex_init(&inf.mu, NULL);
    pthread_cond_init(&inf.cv, NULL);
    inf.a = ev_ahead_new();
    if (pthread_create(&inf.th, NULL, inflater_main, &inf) != 0) {
      ev_ahead_free(inf.a);
      pthread_cond_destroy(&inf.cv);
      pthread_mutex_destroy(&inf.mu);
      ahead = false;
    }
  }
  size_t cur = 0;
  slot *s = &R->slots[cur];
  slot_reset(s);
  bool have = walk_next(&R->walk, s);
  bool preparing = false; /* the inflater works on s */
  if (ahead && have && ahead_worth(s)) {
    inflater_start(&inf, s->in.path);
    preparing = true;
  }
  while (have && !atomic_load(&R->stop)) {
    slot *next = NULL;
    bool have_next = false;
    if (ahead) {
      next = &R->slots[1 - cur];
      slot_reset(next);
      have_next = walk_next(&R->walk, next);
    }
    if (preparing) {
      /* s's content, when it could be inflated, moves into the reader;
       * then the inflater may start on the next file. */
      inflater_wait(&inf);
      ev_reader_take(rd, inf.a);
      preparing = false;
    }
    if (have_next && ahead_worth(next)) {
      inflater_start(&inf, next->in.path);
      preparing = true;
    }
    if (!s->note)
      read_slot(R, rd, w, s);
    commit(R, s);
    if (!ahead) {
      slot_reset(s);
      have = walk_next(&R->walk, s);
      continue;
    }
    cur = 1 - cur;
    s = next;
    have = have_next;
  }
  if (ahead) {
    if (preparing)
      inflater_wait(&inf);
    pthread_mutex_lock(&inf.mu);
    inf.quit = true;
    pthread_cond_broadcast(&inf.cv);
    pthread_mutex_unlock(&inf.mu);
    pthread_join(inf.th, NULL);
    ev_ahead_free(inf.a);
    pthread_cond_destroy(&inf.cv);
    pthread_mutex_destroy(&inf.mu);
  }
  ev_reader_free(rd);
  if (R->ops->worker_free)
    R->ops->worker_free(R->ud, w);
}

static void run_threaded(run *R, unsigned jobs)
{
  pthread_t *th = xcalloc(jobs, sizeof *th);
  unsigned started = 0;
  for (; started < jobs; started++)
    if (pthread_create(&th[started], NULL, worker_main, R) != 0)
      break;
  if (started == 0) {
    free(th);
    R->threaded = false;
    run_sequential(R);
    return;
  }
  for (;;) {
    /* Fill free slots from the walk. */
    while (!R->walk_done && R->filled - R->committed < R->nslots) {
      if (atomic_load(&R->stop)) {
        R->walk_done = true;
        break;
      }
      slot *s = &R->slots[R->filled % R->nslots];
      slot_reset(s);
      bool more = walk_next(&R->walk, s);
      pthread_mutex_lock(&R->mu);
      if (!more) {
        R->walk_done = true;
      } else {
        s->seq = R->filled;
        s->done = s->note;
        R->filled++;
        pthread_cond_signal(&R->cv_work);
      }
      pthread_mutex_unlock(&R->mu);
    }
    /* Commit the oldest input once read. */
    pthread_mutex_lock(&R->mu);
    if (R->committed == R->filled) {
      pthread_mutex_unlock(&R->mu);
      if (R->walk_done)
        break;
      continue;
    }
    slot *s = &R->slots[R->committed % R->nslots];
    while (!s->done)
      pthread_cond_wait(&R->cv_done, &R->mu);
    pthread_mutex_unlock(&R->mu);
    commit(R, s);
    pthread_mutex_lock(&R->mu);
    R->committed++;
    pthread_cond_broadcast(&R->cv_turn);
    pthread_mutex_unlock(&R->mu);
  }
  pthread_mutex_lock(&R->mu);
  R->finish = true;
  pthread_cond_broadcast(&R->cv_work);
  pthread_mutex_unlock(&R->mu);
  for (unsigned i = 0; i < started; i++)
    pthread_join(th[i], NULL);
  free(th);
}

int hg_events_run(const char *const *paths, size_t n, const hg_events_ops *ops, void *ud,
                  const hg_events_opts *opts, hg_events_stats *st, hg_diag_sink *sink)
{
  run R;
  memset(&R, 0, sizeof R);
  memset(st, 0, sizeof *st);
  unsigned jobs = opts && opts->jobs > 1 ? opts->jobs : 1;
  R.ops = ops;
  R.ud = ud;
  R.unchecked = opts && opts->unchecked_lines;
  R.unchecked_docs = opts && opts->unchecked_docs;
  R.threaded = jobs > 1;
  /* Sequential: two slots, the one read and the next (inflated ahead). */
  R.nslots = R.threaded ? 2 * (size_t)jobs + 2 : 2;
  R.walk.paths = paths;
  R.walk.n = n;
  R.st = st;
  R.sink = sink;
  R.progress = opts && opts->progress;
  atomic_init(&R.stop, 0);
  pthread_mutex_init(&R.mu, NULL);
  pthread_cond_init(&R.cv_work, NULL);
  pthread_cond_init(&R.cv_done, NULL);
  pthread_cond_init(&R.cv_turn, NULL);
  if (R.progress)
    hg_progress_start(&R.prog, hg_progress_total(paths, n), stderr);
  R.slots = xcalloc(R.nslots, sizeof *R.slots);
  for (size_t i = 0; i < R.nslots; i++) {
    R.slots[i].run = &R;
    hg_diag_init(&R.slots[i].in.sink);
    R.slots[i].part = ops->part_new ? ops->part_new(ud) : NULL;
  }
  if (R.threaded)
    run_threaded(&R, jobs);
  else
    run_sequential(&R);
  progress(&R, true);
  for (size_t i = 0; i < R.nslots; i++) {
    slot_reset(&R.slots[i]);
    hg_diag_free(&R.slots[i].in.sink);
    if (ops->part_free)
      ops->part_free(ud, R.slots[i].part);
  }
  free(R.slots);
  walk_free(&R.walk);
  pthread_cond_destroy(&R.cv_turn);
  pthread_cond_destroy(&R.cv_done);
  pthread_cond_destroy(&R.cv_work);
  pthread_mutex_destroy(&R.mu);
  return atomic_load(&R.stop) ? 1 : 0;
}

/* ---- the single-consumer interface ---- */

typedef struct plain {
  hg_event_fn fn;
  void *ud;
} plain;

static int plain_event(void *w, void *part, const hg_event *ev)
{
  (void)part;
  plain *p = w;
  return p->fn(p->ud, ev);
}

int hg_events_read(const char *const *paths, size_t n, hg_event_fn fn, void *ud, bool progress_on,
                   hg_events_stats *st, hg_diag_sink *sink)
{
  hg_events_opts o = {progress_on, false, 1, false};
  return hg_events_read_opts(paths, n, fn, ud, &o, st, sink);
}

int hg_events_read_opts(const char *const *paths, size_t n, hg_event_fn fn, void *ud,
                        const hg_events_opts *opts, hg_events_stats *st, hg_diag_sink *sink)
{
  /* One consumer state: read in the calling thread. */
  plain p = {fn, ud};
  hg_events_ops ops = {NULL, NULL, NULL, NULL, plain_event, NULL};
  hg_events_opts o = {opts && opts->progress, opts && opts->unchecked_lines, 1,
                      opts && opts->unchecked_docs};
  return hg_events_run(paths, n, &ops, &p, &o, st, sink);
}
