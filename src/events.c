/*
 * events.c — stream CloudTrail records out of files, folders and stdin.
 *
 * A file is a byte source (plain or gzip, told apart by the magic bytes
 * 1f 8b; multi-member gzip is read to its last member) feeding a window
 * buffer. The window is scanned as a sequence of top-level JSON values:
 *
 *   - an array, or an object with a "Records" array: a document; its
 *     elements are the records. A document is read whole and validated
 *     before any of its records is handed out, so a truncated or malformed
 *     document is skipped as a whole;
 *   - any other object: one record (JSON lines, or concatenated objects).
 *     A malformed value is skipped up to the next line and reading goes on.
 *
 * The scanner validates and compacts in one pass (whitespace outside
 * strings removed, everything else copied byte for byte), copying runs of
 * bytes rather than single characters. Memory is the window (one line, or
 * the largest document) plus its compact copy.
 */
#include "hg/events.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hg/jscan.h"
#include "hg/progress.h"
#include "hg/util.h"

#define READ_CHUNK (256u * 1024u)
#define MAX_DEPTH 512
/* Per file and per run caps on record-level warnings, so a corpus of bad
 * lines cannot grow the sink without bound. */
#define MAX_RECORD_WARNINGS_PER_FILE 20
#define MAX_WARNINGS_TOTAL 1000

/* ---- byte sources ---- */

typedef struct source {
  int fd;
  bool gz;
  bool eof;            /* no more bytes will come */
  bool failed;         /* read or gzip error (message in err) */
  char err[160];
  z_stream z;
  bool z_live;
  unsigned char *in;   /* compressed input buffer (gzip only) */
  size_t in_len;
  unsigned long long raw_bytes; /* bytes read from the file */
} source;

/* Read up to cap bytes of (decompressed) content into dst. Returns the count;
 * 0 means end of data (check failed). */
static size_t src_read(source *s, char *dst, size_t cap)
{
  if (s->eof || s->failed)
    return 0;
  if (!s->gz) {
    for (;;) {
      ssize_t n = read(s->fd, dst, cap);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        s->failed = true;
        snprintf(s->err, sizeof s->err, "read error: %s", strerror(errno));
        return 0;
      }
      if (n == 0)
        s->eof = true;
      s->raw_bytes += (unsigned long long)n;
      return (size_t)n;
    }
  }
  s->z.next_out = (unsigned char *)dst;
  s->z.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
  for (;;) {
    if (s->z.avail_in == 0 && s->in_len != (size_t)-1) {
      ssize_t n;
      do
        n = read(s->fd, s->in, READ_CHUNK);
      while (n < 0 && errno == EINTR);
      if (n < 0) {
        s->failed = true;
        snprintf(s->err, sizeof s->err, "read error: %s", strerror(errno));
        break;
      }
      s->raw_bytes += (unsigned long long)n;
      if (n == 0) {
        s->in_len = (size_t)-1; /* file exhausted */
      } else {
        s->z.next_in = s->in;
        s->z.avail_in = (uInt)n;
      }
    }
    if (s->z.avail_in == 0 && s->in_len == (size_t)-1) {
      /* The file ended inside a gzip member. */
      s->failed = true;
      snprintf(s->err, sizeof s->err, "truncated gzip data");
      break;
    }
    int rc = inflate(&s->z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      /* Another member may follow (multi-member gzip, as `cat a.gz b.gz`). */
      if (s->z.avail_in == 0) {
        ssize_t n;
        do
          n = read(s->fd, s->in, READ_CHUNK);
        while (n < 0 && errno == EINTR);
        if (n > 0) {
          s->raw_bytes += (unsigned long long)n;
          s->z.next_in = s->in;
          s->z.avail_in = (uInt)n;
        }
      }
      if (s->z.avail_in == 0) {
        s->eof = true;
        break;
      }
      if (s->z.next_in[0] != 0x1f || (s->z.avail_in > 1 && s->z.next_in[1] != 0x8b)) {
        s->failed = true;
        snprintf(s->err, sizeof s->err, "trailing garbage after gzip data");
        break;
      }
      inflateReset(&s->z);
      continue;
    }
    if (rc == Z_BUF_ERROR && s->z.avail_out > 0 && s->z.avail_in == 0)
      continue; /* needs input */
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      s->failed = true;
      snprintf(s->err, sizeof s->err, "bad gzip data: %s", s->z.msg ? s->z.msg : "inflate failed");
      break;
    }
    if (s->z.avail_out == 0)
      break;
    if ((size_t)((char *)s->z.next_out - dst) > 0 && s->z.avail_in == 0)
      break; /* hand out what we have before blocking on more input */
  }
  return (size_t)((char *)s->z.next_out - dst);
}

/* ---- the reader state for one run ---- */

typedef struct reader {
  hg_event_fn fn;
  void *ud;
  bool progress;
  bool unchecked;        /* JSON lines fast path (hg_events_opts) */
  hg_events_stats *st;
  hg_diag_sink *sink;
  size_t warnings;
  int stopped;           /* callback asked to stop */
  /* window over the current file's content */
  char *win;
  size_t wcap, wpos, wlen;
  unsigned long long wbase; /* file offset of win[0] */
  source src;
  const char *file;      /* display name */
  /* line tracking: line number of win[lpos] */
  size_t line, lpos;
  size_t file_record_warnings;
  bool file_skipped;     /* the current file was counted in skipped_files */
  /* compact output */
  hg_buf out;
  size_t *offs;          /* document element [start,len) pairs in out */
  size_t noffs, coffs;
  /* progress */
  hg_progress prog;
  unsigned long long raw_done; /* bytes on disk of the files finished */
} reader;

static void warn(reader *r, size_t line, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Add a warning unless MAX_WARNINGS_TOTAL were shown already (then one
 * "too many" warning, once); every call is counted. */
static void vwarn(reader *r, size_t line, const char *code, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void vwarn(reader *r, size_t line, const char *code, const char *fmt, va_list ap)
{
  if (r->warnings >= MAX_WARNINGS_TOTAL) {
    if (r->warnings == MAX_WARNINGS_TOTAL)
      hg_diag_add(r->sink, HG_SEV_WARNING, NULL, 0, 0, "events-too-many-warnings",
                  "too many input warnings; further ones are counted but not shown");
    r->warnings++;
    return;
  }
  r->warnings++;
  hg_diag_vadd(r->sink, HG_SEV_WARNING, r->file, (int)(line > (size_t)0x7fffffff ? 0 : line), 0,
               code, fmt, ap);
}

static void warn(reader *r, size_t line, const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vwarn(r, line, code, fmt, ap);
  va_end(ap);
}

/* Line number of win[pos] (pos never moves backwards within a file). */
static size_t line_at(reader *r, size_t pos)
{
  const char *p = r->win + r->lpos, *end = r->win + pos;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
      break;
    r->line++;
    p = nl + 1;
  }
  r->lpos = pos;
  return r->line;
}

/* Make room and read more bytes into the window. Returns bytes added. */
static size_t fill(reader *r, size_t want)
{
  if (r->wpos > 0 && (r->wpos >= r->wlen || r->wpos > r->wcap / 2)) {
    /* Slide the unread part to the front. */
    line_at(r, r->wpos);
    memmove(r->win, r->win + r->wpos, r->wlen - r->wpos);
    r->wbase += r->wpos;
    r->wlen -= r->wpos;
    r->lpos -= r->wpos;
    r->wpos = 0;
  }
  if (want < READ_CHUNK)
    want = READ_CHUNK;
  if (r->wcap - r->wlen < want + 1) {
    size_t ncap = r->wcap ? r->wcap : READ_CHUNK * 2;
    while (ncap - r->wlen < want + 1)
      ncap *= 2;
    r->win = xrealloc(r->win, ncap);
    r->wcap = ncap;
  }
  size_t added = 0;
  while (added < want) {
    size_t n = src_read(&r->src, r->win + r->wlen, r->wcap - r->wlen - 1);
    if (n == 0)
      break;
    r->wlen += n;
    added += n;
    r->st->bytes += n;
  }
  r->win[r->wlen] = '\0';
  if (added == 0 && !r->src.failed)
    r->src.eof = true; /* a source that yields nothing is finished */
  return added;
}

static bool src_done(const reader *r)
{
  return r->src.eof || r->src.failed;
}

/* ---- the validating, compacting scanner ---- */

typedef struct scan {
  const char *p, *end;
  const char *run;       /* start of the pending run to copy */
  hg_buf *out;
  const char *err;       /* NULL, or the syntax error */
  const char *errp;
  bool incomplete;       /* ran off the end of the window */
  /* document bookkeeping: element boundaries at the records level */
  reader *r;
  int rec_depth;         /* depth whose array elements are records (-1: none) */
} scan;

/* Whitespace JSON allows between tokens. */
static unsigned char is_ws[256];
static bool tables_ready;

static void init_tables(void)
{
  if (tables_ready)
    return;
  is_ws[' '] = is_ws['\t'] = is_ws['\n'] = is_ws['\r'] = 1;
  tables_ready = true;
}

static void flush_run(scan *s, const char *upto)
{
  if (upto > s->run)
    hg_buf_append(s->out, s->run, (size_t)(upto - s->run));
}

static inline void skip_ws(scan *s)
{
  const char *p = (const char *)hg_jscan_ws((const unsigned char *)s->p,
                                            (const unsigned char *)s->end);
  if (p == s->p)
    return;
  flush_run(s, s->p);
  s->p = p;
  s->run = p;
}

static bool fail(scan *s, const char *msg)
{
  if (!s->err && !s->incomplete) {
    if (s->p >= s->end)
      s->incomplete = true;
    s->err = msg;
    s->errp = s->p;
  }
  return false;
}

/* At '"'. Leaves s->p after the closing quote. */
static bool scan_string(scan *s)
{
  hg_jscan_str r;
  hg_jscan_err e = hg_jscan_string_body((const unsigned char *)s->p + 1,
                                        (const unsigned char *)s->end, &r);
  s->p = (const char *)r.at;
  switch (e) {
  case HG_JSCAN_OK:
    s->p++;
    return true;
  case HG_JSCAN_UNTERMINATED:
    return fail(s, "unterminated string");
  case HG_JSCAN_BAD_HEX:
    return fail(s, s->p >= s->end ? "unterminated string" : "bad \\u escape");
  case HG_JSCAN_BAD_ESCAPE:
    return fail(s, "bad escape in string");
  default:
    return fail(s, "control character in string");
  }
}

static bool scan_number(scan *s)
{
  const unsigned char *p;
  hg_jscan_err e = hg_jscan_number((const unsigned char *)s->p, (const unsigned char *)s->end, &p);
  s->p = (const char *)p;
  /* A number that touches the end of the window may continue past it. */
  if (e != HG_JSCAN_OK || s->p >= s->end)
    return fail(s, "bad number");
  return true;
}

static bool scan_lit(scan *s, const char *lit, size_t n)
{
  size_t have = (size_t)(s->end - s->p);
  if (have < n) {
    if (memcmp(s->p, lit, have) == 0) {
      s->p = s->end;
      return fail(s, "unexpected end of input");
    }
    return fail(s, "unexpected character");
  }
  if (memcmp(s->p, lit, n) != 0)
    return fail(s, "unexpected character");
  s->p += n;
  return true;
}

static void add_off(reader *r, size_t start, size_t len)
{
  if (r->noffs + 2 > r->coffs) {
    r->coffs = r->coffs ? r->coffs * 2 : 256;
    r->offs = xrealloc(r->offs, r->coffs * sizeof *r->offs);
  }
  r->offs[r->noffs++] = start;
  r->offs[r->noffs++] = len;
}

static bool scan_value(scan *s, int depth);

/* Current length of the compact output including the pending run. */
static size_t out_pos(scan *s, const char *at)
{
  return s->out->len + (size_t)(at - s->run);
}

/* At '{' or '[': step in. True when the container is empty (its close
 * consumed). */
static bool open_empty(scan *s, char close)
{
  s->p++;
  skip_ws(s);
  if (s->p < s->end && *s->p == close) {
    s->p++;
    return true;
  }
  return false;
}

/* After a member or element: 1 at ',' (consumed, up to the next token), 0
 * at close (consumed), -1 otherwise (failed: what ran out, or msg). */
static int next_item(scan *s, char close, const char *unterminated, const char *msg)
{
  skip_ws(s);
  if (s->p >= s->end) {
    fail(s, unterminated);
    return -1;
  }
  if (*s->p == ',') {
    s->p++;
    skip_ws(s);
    return 1;
  }
  if (*s->p == close) {
    s->p++;
    return 0;
  }
  fail(s, msg);
  return -1;
}

static bool scan_array(scan *s, int depth, bool records)
{
  if (open_empty(s, ']'))
    return true;
  int more;
  do {
    size_t start = records ? out_pos(s, s->p) : 0;
    if (!scan_value(s, depth + 1))
      return false;
    if (records)
      add_off(s->r, start, out_pos(s, s->p) - start);
  } while ((more = next_item(s, ']', "unterminated array", "expected ',' or ']' in array")) > 0);
  return more == 0;
}

static bool scan_object(scan *s, int depth)
{
  if (open_empty(s, '}'))
    return true;
  int more;
  do {
    if (s->p >= s->end)
      return fail(s, "unterminated object");
    if (*s->p != '"')
      return fail(s, "expected a member name");
    const char *k = s->p;
    if (!scan_string(s))
      return false;
    bool records = depth == 0 && s->rec_depth == 0 && s->p - k == 9 && memcmp(k, "\"Records\"", 9) == 0;
    skip_ws(s);
    if (s->p >= s->end)
      return fail(s, "unterminated object");
    if (*s->p != ':')
      return fail(s, "expected ':' after a member name");
    s->p++;
    skip_ws(s);
    if (records && s->p < s->end && *s->p == '[') {
      s->rec_depth = 1; /* only the first Records array counts */
      if (depth + 1 >= MAX_DEPTH)
        return fail(s, "nesting too deep");
      if (!scan_array(s, depth + 1, true))
        return false;
    } else if (!scan_value(s, depth + 1)) {
      return false;
    }
  } while ((more = next_item(s, '}', "unterminated object", "expected ',' or '}' in object")) > 0);
  return more == 0;
}

static bool scan_value(scan *s, int depth)
{
  if (depth >= MAX_DEPTH)
    return fail(s, "nesting too deep");
  if (s->p >= s->end)
    return fail(s, "unexpected end of input");
  switch (*s->p) {
  case '{':
    return scan_object(s, depth);
  case '[': {
    bool records = depth == 0 && s->rec_depth == 0;
    if (records)
      s->rec_depth = 1;
    return scan_array(s, depth, records);
  }
  case '"':
    return scan_string(s);
  case 't':
    return scan_lit(s, "true", 4);
  case 'f':
    return scan_lit(s, "false", 5);
  case 'n':
    return scan_lit(s, "null", 4);
  default:
    if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
      return scan_number(s);
    return fail(s, "unexpected character");
  }
}

/* ---- progress ---- */

static void progress(reader *r, bool final)
{
  if (r->progress)
    hg_progress_show(&r->prog, r->raw_done + r->src.raw_bytes, r->st->files, r->st->events, final);
}

/* ---- records ---- */

static void emit(reader *r, const char *text, size_t len, size_t line)
{
  if (r->stopped)
    return;
  hg_event ev = {text, len, r->file, line, true};
  r->st->events++;
  if (r->fn(r->ud, &ev))
    r->stopped = 1;
  if (r->progress && (r->st->events & 4095) == 0)
    progress(r, false);
}

/* Hand out an unchecked JSON line. Returns false when the consumer asked
 * for it to be read again with checking. */
static bool emit_unchecked(reader *r, const char *text, size_t len, size_t line)
{
  hg_event ev = {text, len, r->file, line, false};
  r->st->events++;
  int rc = r->fn(r->ud, &ev);
  if (rc == HG_EVENT_RECHECK) {
    r->st->events--;
    return false;
  }
  if (rc)
    r->stopped = 1;
  if (r->progress && (r->st->events & 4095) == 0)
    progress(r, false);
  return true;
}

static void record_warning(reader *r, size_t line, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void record_warning(reader *r, size_t line, const char *code, const char *fmt, ...)
{
  r->st->skipped_records++;
  r->file_record_warnings++;
  if (r->file_record_warnings > MAX_RECORD_WARNINGS_PER_FILE)
    return;
  va_list ap;
  va_start(ap, fmt);
  vwarn(r, line, code, fmt, ap);
  va_end(ap);
}

/* True when the value at win[pos] (an object) begins with the member name
 * "Records": the mark of a CloudTrail S3 delivery file. */
static bool starts_records(reader *r, size_t pos)
{
  const char *p = r->win + pos + 1, *end = r->win + r->wlen;
  while (p < end && is_ws[(unsigned char)*p])
    p++;
  return (size_t)(end - p) >= 9 && memcmp(p, "\"Records\"", 9) == 0;
}

/* Count the current file as skipped (once, whatever went wrong). */
static void skip_file(reader *r)
{
  if (!r->file_skipped)
    r->st->skipped_files++;
  r->file_skipped = true;
}

/* Read one file's content (the source is open). */
static void read_content(reader *r)
{
  r->wbase = 0;
  r->line = 1;
  r->lpos = 0;
  r->file_record_warnings = 0;
  bool any = false;
  if (!src_done(r))
    fill(r, 0);
  for (;;) {
    if (r->stopped)
      return;
    /* Skip whitespace (and a UTF-8 byte order mark at the very start). */
    for (;;) {
      while (r->wpos < r->wlen && is_ws[(unsigned char)r->win[r->wpos]])
        r->wpos++;
      if (r->wbase == 0 && r->wpos == 0 && r->wlen >= 3 && memcmp(r->win, "\xef\xbb\xbf", 3) == 0) {
        r->wpos = 3;
        continue;
      }
      if (r->wpos < r->wlen || src_done(r) || fill(r, 0) == 0)
        break;
    }
    if (r->wpos >= r->wlen)
      break;
    char c = r->win[r->wpos];
    size_t vline = line_at(r, r->wpos);
    if (c != '{' && c != '[') {
      if (!any) {
        skip_file(r);
        warn(r, 0, "events-not-json", "not a JSON file (first byte 0x%02x); skipped",
             (unsigned char)c);
        return;
      }
      /* Junk between values: drop the line. */
      goto bad_line_junk;
    }
    /* Make sure the value is in the window: a document whole, a record up
     * to its line end at least. */
    while (r->wlen - r->wpos < 64 && !src_done(r) && fill(r, 0) > 0) {
    }
    bool doc = c == '[' || starts_records(r, r->wpos);
    if (doc) {
      while (!src_done(r) && fill(r, r->wlen - r->wpos) > 0) {
      }
    } else {
      size_t seen = 0; /* bytes after wpos already searched for a newline */
      while (!memchr(r->win + r->wpos + seen, '\n', r->wlen - r->wpos - seen) && !src_done(r)) {
        seen = r->wlen - r->wpos;
        if (fill(r, 0) == 0)
          break;
      }
      if (r->unchecked) {
        /* Fast path: the line as it is; the consumer validates it. */
        const char *nl = memchr(r->win + r->wpos, '\n', r->wlen - r->wpos);
        size_t end = nl ? (size_t)(nl - r->win) : r->wlen, e = end;
        while (e > r->wpos && is_ws[(unsigned char)r->win[e - 1]])
          e--;
        if (emit_unchecked(r, r->win + r->wpos, e - r->wpos, vline)) {
          any = true;
          r->wpos = end;
          continue;
        }
        /* Taken back: read it again below, checked. */
      }
    }
    for (;;) {
      scan s = {0};
      s.p = s.run = r->win + r->wpos;
      s.end = r->win + r->wlen;
      s.out = &r->out;
      s.r = r;
      s.rec_depth = doc ? 0 : -1;
      hg_buf_reset(&r->out);
      r->noffs = 0;
      bool ok = scan_value(&s, 0);
      if (!ok && s.incomplete && !src_done(r)) {
        fill(r, r->wlen - r->wpos);
        continue; /* rescan with more data (the window at least doubled) */
      }
      if (ok) {
        /* Already compact (nothing was dropped): hand out the window's
         * bytes without copying them. */
        const char *base = r->win + r->wpos;
        size_t blen = (size_t)(s.p - base);
        if (r->out.len > 0) {
          flush_run(&s, s.p);
          base = r->out.data;
          blen = r->out.len;
        }
        any = true;
        size_t vend = (size_t)(s.p - r->win);
        if (doc) {
          for (size_t i = 0; i < r->noffs && !r->stopped; i += 2) {
            const char *t = base + r->offs[i];
            if (*t == '{')
              emit(r, t, r->offs[i + 1], 0);
            else
              record_warning(r, vline, "events-not-object", "record #%zu is not a JSON object; skipped",
                             i / 2 + 1);
          }
        } else {
          emit(r, base, blen, vline);
        }
        r->wpos = vend;
        break;
      }
      /* A syntax error. */
      any = true;
      if (s.incomplete && r->src.failed)
        return; /* the source's own failure is reported by the caller */
      size_t epos = (size_t)(s.errp - r->win);
      if (doc) {
        size_t eline = line_at(r, epos < r->wlen ? epos : r->wlen);
        skip_file(r);
        warn(r, eline, "events-bad-json", "malformed JSON (%s%s); file skipped", s.err,
             s.incomplete ? ", input ends early" : "");
        return;
      }
      record_warning(r, vline, "events-bad-json", "malformed JSON record (%s); line %zu skipped",
                     s.err, vline);
      goto skip_line;
    }
    continue;
  bad_line_junk:
    record_warning(r, vline, "events-bad-json", "not a JSON value; line %zu skipped", vline);
  skip_line:
    /* Resynchronise at the line after the value's start. */
    for (;;) {
      char *nl = memchr(r->win + r->wpos, '\n', r->wlen - r->wpos);
      if (nl) {
        r->wpos = (size_t)(nl - r->win) + 1;
        break;
      }
      r->wpos = r->wlen;
      if (src_done(r) || fill(r, 0) == 0)
        break;
    }
  }
  if (!any && !r->src.failed) {
    skip_file(r);
    warn(r, 0, "events-empty-file", "empty file; skipped");
  }
  if (r->file_record_warnings > MAX_RECORD_WARNINGS_PER_FILE)
    warn(r, 0, "events-bad-json", "%zu more malformed records not shown",
         r->file_record_warnings - MAX_RECORD_WARNINGS_PER_FILE);
}

static void read_fd(reader *r, int fd)
{
  source *s = &r->src;
  memset(s, 0, sizeof *s);
  s->fd = fd;
  /* Peek at the magic bytes without consuming them from the window: read
   * the first chunk raw, then decide. */
  unsigned char head[2];
  size_t got = 0;
  while (got < 2) {
    ssize_t n = read(fd, head + got, 2 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  if (got == 2 && head[0] == 0x1f && head[1] == 0x8b) {
    s->gz = true;
    s->in = xmalloc(READ_CHUNK);
    s->in[0] = head[0];
    s->in[1] = head[1];
    s->z.next_in = s->in;
    s->z.avail_in = 2;
    s->raw_bytes = 2;
    if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
      free(s->in);
      skip_file(r);
      warn(r, 0, "events-bad-gzip", "cannot start gzip decoder");
      return;
    }
    s->z_live = true;
  } else {
    /* Plain: the bytes already read start the window. */
    if (r->wcap < READ_CHUNK * 2) {
      r->win = xrealloc(r->win, READ_CHUNK * 2);
      r->wcap = READ_CHUNK * 2;
    }
    memcpy(r->win, head, got);
    r->st->bytes += got;
    s->raw_bytes = got;
    if (got < 2)
      s->eof = true;
  }
  r->wpos = 0;
  r->wlen = s->gz ? 0 : got;
  read_content(r);
  if (s->failed) {
    skip_file(r);
    warn(r, 0, s->gz ? "events-bad-gzip" : "events-unreadable", "%s; rest of file skipped", s->err);
  }
  if (s->z_live)
    inflateEnd(&s->z);
  free(s->in);
  s->in = NULL;
}

static void read_path_file(reader *r, const char *path)
{
  r->file = path;
  r->file_skipped = false;
  r->st->files++;
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    skip_file(r);
    warn(r, 0, "events-unreadable", "cannot open: %s; skipped", strerror(errno));
    return;
  }
  read_fd(r, fd);
  close(fd);
  r->raw_done += r->src.raw_bytes;
  r->src.raw_bytes = 0;
  progress(r, false);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void read_path(reader *r, const char *path, int depth);

static void read_dir(reader *r, const char *path, int depth)
{
  DIR *d = opendir(path);
  if (!d) {
    r->file = path;
    warn(r, 0, "events-unreadable", "cannot open folder: %s; skipped", strerror(errno));
    return;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue; /* ".", "..", and hidden files such as .DS_Store */
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      names = xrealloc(names, cap * sizeof *names);
    }
    names[n++] = xasprintf("%s/%s", path, e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    if (!r->stopped)
      read_path(r, names[i], depth + 1);
    free(names[i]);
  }
  free(names);
}

static void read_path(reader *r, const char *path, int depth)
{
  struct stat st;
  if (depth > 0) {
    /* Inside a folder walk: do not follow links to folders (no cycles). */
    if (lstat(path, &st) != 0) {
      r->file = path;
      r->st->files++;
      r->st->skipped_files++;
      warn(r, 0, "events-unreadable", "cannot stat: %s; skipped", strerror(errno));
      return;
    }
    if (S_ISLNK(st.st_mode)) {
      if (stat(path, &st) != 0 || S_ISDIR(st.st_mode))
        return;
    }
  } else if (stat(path, &st) != 0) {
    r->file = path;
    r->st->files++;
    r->st->skipped_files++;
    warn(r, 0, "events-unreadable", "cannot open: %s; skipped", strerror(errno));
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    if (depth < 64)
      read_dir(r, path, depth);
    return;
  }
  if (depth > 0 && !S_ISREG(st.st_mode))
    return; /* sockets, fifos found while walking */
  read_path_file(r, path);
}

int hg_events_read(const char *const *paths, size_t n, hg_event_fn fn, void *ud, bool progress_on,
                   hg_events_stats *st, hg_diag_sink *sink)
{
  hg_events_opts o = {progress_on, false};
  return hg_events_read_opts(paths, n, fn, ud, &o, st, sink);
}

int hg_events_read_opts(const char *const *paths, size_t n, hg_event_fn fn, void *ud,
                        const hg_events_opts *opts, hg_events_stats *st, hg_diag_sink *sink)
{
  bool progress_on = opts && opts->progress;
  init_tables();
  reader r;
  memset(&r, 0, sizeof r);
  memset(st, 0, sizeof *st);
  r.fn = fn;
  r.ud = ud;
  r.progress = progress_on;
  r.unchecked = opts && opts->unchecked_lines;
  r.st = st;
  r.sink = sink;
  hg_buf_init(&r.out);
  if (progress_on)
    hg_progress_start(&r.prog, hg_progress_total(paths, n), stderr);
  for (size_t i = 0; i < n && !r.stopped; i++) {
    if (strcmp(paths[i], "-") == 0) {
      r.file = "<stdin>";
      r.file_skipped = false;
      st->files++;
      read_fd(&r, 0);
    } else {
      read_path(&r, paths[i], 0);
    }
  }
  progress(&r, true);
  free(r.win);
  free(r.offs);
  hg_buf_free(&r.out);
  return r.stopped ? 1 : 0;
}
