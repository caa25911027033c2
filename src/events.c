/*
 * events.c — one input (a file or stdin) to CloudTrail records.
 *
 * A byte source (plain; gzip inflated whole with libdeflate when the file
 * is small, else through a zlib stream; multi-member gzip is read to its
 * last member) feeds a window buffer, scanned as a sequence of top-level
 * JSON values:
 *
 *   - an array, or an object whose first member is "Records": a document;
 *     its elements are the records. Elements are scanned one at a time.
 *     While the document's records stay under HG_EVENTS_MAX_PENDING bytes
 *     and HG_EVENTS_MAX_PENDING_RECORDS records they are held back until
 *     the whole document validated, so a truncated or malformed document is
 *     skipped as a whole (every file CloudTrail delivers is far below the
 *     bound). Past the bound the held records are handed out and the rest
 *     streams: memory stays bounded, and a later error skips only the rest
 *     of the file;
 *   - any other object: one record (JSON lines, or concatenated objects).
 *     A malformed value is skipped up to the next line and reading goes on.
 *
 * No value is allowed to grow the window past HG_EVENTS_MAX_RECORD: a
 * larger record is reported and skipped (JSON lines) or ends the file
 * (documents).
 *
 * The scanner validates and compacts in one pass (whitespace outside
 * strings removed, everything else copied byte for byte), copying runs of
 * bytes rather than single characters; a record that is already compact is
 * handed out from the window without a copy.
 *
 * For a consumer that validates every record itself (unchecked_docs), the
 * elements of a held-back document are not scanned twice: an element that
 * is a compact object has its end skimmed (jskim.h) and is handed out at
 * once, tentative; the consumer keeps what it derives apart until the
 * document ends in a confirm (it validated, or streams from the bound on)
 * or a drop (malformed). The structure around the elements is checked as
 * usual, and an element the skim cannot take (not compact, not an object,
 * not wholly in the window yet, or one the consumer could not parse) goes
 * through the validating scanner exactly as without the option, so the
 * window grows, slides and streams at the same points and every warning,
 * line and count is the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "events_int.h"
#include "hg/jscan.h"
#include "hg/jskim.h"
#include "hg/util.h"

#define READ_CHUNK (256u * 1024u)
#define MAX_DEPTH 512
/* Per file cap on record-level warnings shown (all are counted). */
#define MAX_RECORD_WARNINGS_PER_FILE 20
/* Gzip files up to this size are inflated whole by libdeflate (CloudTrail
 * delivers files of a few hundred KB); the output may not exceed
 * GZ_WHOLE_OUT_MAX, else the zlib stream takes over. */
#define GZ_WHOLE_MAX (8u << 20)
#define GZ_WHOLE_OUT_MAX (32u << 20)
/* Buffers above this are released after the input that grew them. */
#define KEEP_MAX (8u << 20)
/* Nesting the skim follows inside an element (the scanner allows
 * MAX_DEPTH from the document); deeper elements are scanned. */
#define SKIM_MAX_DEPTH 64

/* ---- byte sources ---- */

typedef struct source {
  int fd;
  bool gz;
  bool eof;            /* no more bytes will come */
  bool failed;         /* read or gzip error (message in err) */
  char err[160];
  z_stream z;
  bool z_live;
  unsigned char *in;   /* compressed input buffer (gzip stream only) */
  bool in_done;        /* the file is exhausted */
} source;

static ssize_t read_retry(int fd, void *buf, size_t n)
{
  ssize_t got;
  do
    got = read(fd, buf, n);
  while (got < 0 && errno == EINTR);
  return got;
}

/* Read up to cap bytes of (decompressed) content into dst. Returns the count;
 * 0 means end of data (check failed). */
static size_t src_read(source *s, char *dst, size_t cap)
{
  if (s->eof || s->failed)
    return 0;
  if (!s->gz) {
    ssize_t n = read_retry(s->fd, dst, cap);
    if (n < 0) {
      s->failed = true;
      snprintf(s->err, sizeof s->err, "read error: %s", strerror(errno));
      return 0;
    }
    if (n == 0)
      s->eof = true;
    return (size_t)n;
  }
  s->z.next_out = (unsigned char *)dst;
  s->z.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
  for (;;) {
    if (s->z.avail_in == 0 && !s->in_done) {
      ssize_t n = read_retry(s->fd, s->in, READ_CHUNK);
      if (n < 0) {
        s->failed = true;
        snprintf(s->err, sizeof s->err, "read error: %s", strerror(errno));
        break;
      }
      if (n == 0) {
        s->in_done = true;
      } else {
        s->z.next_in = s->in;
        s->z.avail_in = (uInt)n;
      }
    }
    if (s->z.avail_in == 0 && s->in_done) {
      /* The file ended inside a gzip member. */
      s->failed = true;
      snprintf(s->err, sizeof s->err, "truncated gzip data");
      break;
    }
    int rc = inflate(&s->z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      /* Another member may follow (multi-member gzip, as `cat a.gz b.gz`). */
      if (s->z.avail_in == 0 && !s->in_done) {
        ssize_t n = read_retry(s->fd, s->in, READ_CHUNK);
        if (n > 0) {
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

/* ---- the reader ---- */

/* A record of a document held back until the document validated: where its
 * compact text is (window, relative to the document start, or the compact
 * buffer) and whether it is an object. */
typedef struct pend {
  uint32_t off;
  uint32_t len; /* low 30 bits: length; PEND_OUT, PEND_NOTOBJ flags */
} pend;
#define PEND_OUT (1u << 31)
#define PEND_NOTOBJ (1u << 30)
#define PEND_LEN(x) ((x) & ((1u << 30) - 1))

struct ev_reader {
  bool unchecked;        /* JSON lines fast path (hg_events_opts) */
  bool unchecked_docs;   /* documents fast path (hg_events_opts) */
  size_t tent;           /* tentative records handed out, not yet settled */
  /* window over the current input's content */
  char *win;
  size_t wcap, wpos, wlen;
  source src;
  /* line tracking: line number of win[lpos] */
  size_t line, lpos;
  hg_buf out;            /* compact copies */
  pend *pend;            /* a document's held-back records */
  size_t npend, cpend;
  unsigned char *gz;     /* a whole compressed file */
  size_t gzcap;
  struct libdeflate_decompressor *dd;
  /* the current input */
  ev_input *in;
  const ev_out *o;
  const char *file;      /* display name */
  size_t file_record_warnings;
  bool file_skipped;     /* the current input was counted in skipped_files */
  bool stopped;          /* a consumer asked to stop */
  /* ev_reader_take: the window holds the next input's content */
  bool pre;
  size_t pre_len;
};

ev_reader *ev_reader_new(bool unchecked_lines, bool unchecked_docs)
{
  ev_reader *r = xcalloc(1, sizeof *r);
  r->unchecked = unchecked_lines;
  r->unchecked_docs = unchecked_docs;
  hg_buf_init(&r->out);
  r->dd = libdeflate_alloc_decompressor();
  if (!r->dd) {
    fputs("hardengen: out of memory\n", stderr);
    abort();
  }
  return r;
}

void ev_reader_free(ev_reader *r)
{
  if (!r)
    return;
  free(r->win);
  free(r->pend);
  free(r->gz);
  hg_buf_free(&r->out);
  libdeflate_free_decompressor(r->dd);
  free(r);
}

typedef ev_reader reader;

static void warn(reader *r, size_t line, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void vwarn(reader *r, size_t line, const char *code, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void vwarn(reader *r, size_t line, const char *code, const char *fmt, va_list ap)
{
  hg_diag_vadd(&r->in->sink, HG_SEV_WARNING, r->file,
               (int)(line > (size_t)0x7fffffff ? 0 : line), 0, code, fmt, ap);
}

static void warn(reader *r, size_t line, const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vwarn(r, line, code, fmt, ap);
  va_end(ap);
}

static bool is_stopped(reader *r)
{
  if (!r->stopped && atomic_load_explicit(r->o->stop, memory_order_relaxed))
    r->stopped = true;
  return r->stopped;
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
    r->in->st.bytes += n;
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
} scan;

/* Whitespace JSON allows between tokens. */
static const unsigned char is_ws[256] = {[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1};

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

static bool scan_value(scan *s, int depth);

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

static bool scan_array(scan *s, int depth)
{
  if (open_empty(s, ']'))
    return true;
  int more;
  do {
    if (!scan_value(s, depth + 1))
      return false;
  } while ((more = next_item(s, ']', "unterminated array", "expected ',' or ']' in array")) > 0);
  return more == 0;
}

/* A member name, the ':' and what follows up to the value. */
static bool scan_name(scan *s)
{
  if (s->p >= s->end)
    return fail(s, "unterminated object");
  if (*s->p != '"')
    return fail(s, "expected a member name");
  if (!scan_string(s))
    return false;
  skip_ws(s);
  if (s->p >= s->end)
    return fail(s, "unterminated object");
  if (*s->p != ':')
    return fail(s, "expected ':' after a member name");
  s->p++;
  skip_ws(s);
  return true;
}

static bool scan_object(scan *s, int depth)
{
  if (open_empty(s, '}'))
    return true;
  int more;
  do {
    if (!scan_name(s) || !scan_value(s, depth + 1))
      return false;
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
  case '[':
    return scan_array(s, depth);
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

/* ---- records ---- */

static void emit(reader *r, const char *text, size_t len, size_t line)
{
  if (is_stopped(r))
    return;
  hg_event ev = {text, len, r->file, line, true, r->o->turn, HG_EVENT_FINAL};
  r->in->st.events++;
  if (r->o->fn(r->o->ctx, &ev)) {
    r->stopped = true;
    atomic_store(r->o->stop, 1);
  }
}

/* Hand out an unchecked JSON line. Returns false when the consumer asked
 * for it to be read again with checking. */
static bool emit_unchecked(reader *r, const char *text, size_t len, size_t line)
{
  hg_event ev = {text, len, r->file, line, false, r->o->turn, HG_EVENT_FINAL};
  r->in->st.events++;
  int rc = r->o->fn(r->o->ctx, &ev);
  if (rc == HG_EVENT_RECHECK) {
    r->in->st.events--;
    return false;
  }
  if (rc) {
    r->stopped = true;
    atomic_store(r->o->stop, 1);
  }
  return true;
}

/* Hand out a record of a document not validated yet (unchecked: from the
 * skim). Returns false when the consumer asked for it to be read again
 * with checking. */
static bool emit_tentative(reader *r, const char *text, size_t len, bool checked)
{
  if (is_stopped(r))
    return true;
  hg_event ev = {text, len, r->file, 0, checked, r->o->turn, HG_EVENT_TENTATIVE};
  int rc = r->o->fn(r->o->ctx, &ev);
  if (rc == HG_EVENT_RECHECK && !checked)
    return false;
  r->in->st.events++;
  r->tent++;
  if (rc) {
    r->stopped = true;
    atomic_store(r->o->stop, 1);
  }
  return true;
}

/* The tentative records handed out so far are final (confirm) or never
 * were (drop: they are not counted). The consumer hears it even when the
 * run was stopped, so its part is left settled. */
static void tent_settle(reader *r, bool confirm)
{
  if (!r->tent)
    return;
  if (!confirm)
    r->in->st.events -= r->tent;
  r->tent = 0;
  hg_event ev = {NULL, 0, r->file, 0, true, r->o->turn, confirm ? HG_EVENT_CONFIRM : HG_EVENT_DROP};
  if (r->o->fn(r->o->ctx, &ev)) {
    r->stopped = true;
    atomic_store(r->o->stop, 1);
  }
}

static void record_warning(reader *r, size_t line, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void record_warning(reader *r, size_t line, const char *code, const char *fmt, ...)
{
  r->in->st.skipped_records++;
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
    r->in->st.skipped_files++;
  r->file_skipped = true;
}

/* ---- documents ---- */

/* A document being read: positions are offsets from r->wpos, which stays at
 * the document's start while records are held back (so the window keeps
 * them) and follows the current element once streaming. */
typedef struct doc {
  size_t cur;            /* next byte to look at */
  size_t line;           /* line of the document's start */
  size_t nrec;           /* elements handed out or held so far */
  bool streaming;
  bool object;           /* {"Records":[...]} rather than [...] */
} doc;

static void pend_add(reader *r, uint32_t off, uint32_t len)
{
  if (r->npend == r->cpend) {
    r->cpend = r->cpend ? r->cpend * 2 : 1024;
    r->pend = xrealloc(r->pend, r->cpend * sizeof *r->pend);
  }
  r->pend[r->npend].off = off;
  r->pend[r->npend].len = len;
  r->npend++;
}

/* Hand out the held-back records (in order). With unchecked_docs the
 * objects went out already, tentative (confirmed here, or dropped when the
 * run was stopped, as held records are then never handed out), and only
 * the other elements are held, their number in off. */
static void doc_release(reader *r, doc *d)
{
  size_t first = d->nrec - r->npend;
  for (size_t i = 0; i < r->npend && !is_stopped(r); i++) {
    pend p = r->pend[i];
    if (p.len & PEND_NOTOBJ) {
      record_warning(r, d->line, "events-not-object", "record #%zu is not a JSON object; skipped",
                     r->unchecked_docs ? (size_t)p.off : first + i + 1);
      continue;
    }
    const char *base = p.len & PEND_OUT ? r->out.data : r->win + r->wpos;
    emit(r, base + p.off, PEND_LEN(p.len), 0);
  }
  r->npend = 0;
  tent_settle(r, !is_stopped(r));
}

/* From here on, hand records out as they are read. */
static void doc_stream(reader *r, doc *d)
{
  doc_release(r, d);
  d->streaming = true;
  r->wpos += d->cur;
  d->cur = 0;
  hg_buf_reset(&r->out);
}

/* Skip whitespace at d->cur, reading more as needed. False at the end of
 * the input. */
static bool doc_ws(reader *r, doc *d)
{
  for (;;) {
    while (r->wpos + d->cur < r->wlen && is_ws[(unsigned char)r->win[r->wpos + d->cur]])
      d->cur++;
    if (r->wpos + d->cur < r->wlen)
      return true;
    if (!d->streaming && d->cur > HG_EVENTS_MAX_PENDING)
      doc_stream(r, d); /* whitespace counts toward the bound too */
    if (d->streaming) {
      r->wpos += d->cur; /* whitespace need not be kept */
      d->cur = 0;
    }
    if (src_done(r) || fill(r, 0) == 0)
      return r->wpos + d->cur < r->wlen;
  }
}

typedef enum { PIECE_VALUE, PIECE_MEMBER } piece_kind;

/*
 * Scan one piece at d->cur (an element or a member's value: PIECE_VALUE;
 * a member with its name: PIECE_MEMBER) at depth, reading more as needed.
 * On success, when keep, *off and *len locate its compact text (in the
 * compact buffer when *in_out, else in the window from the document
 * start), and d->cur moves past it. On failure *s holds the error, or
 * *too_large is set.
 */
static bool doc_piece(reader *r, doc *d, piece_kind kind, int depth, bool keep, scan *s,
                      uint32_t *off, uint32_t *len, bool *in_out, bool *too_large)
{
  *too_large = false;
  for (;;) {
    size_t o0 = r->out.len;
    memset(s, 0, sizeof *s);
    s->p = s->run = r->win + r->wpos + d->cur;
    s->end = r->win + r->wlen;
    s->out = &r->out;
    bool ok = kind == PIECE_MEMBER ? scan_name(s) && scan_value(s, depth) : scan_value(s, depth);
    if (!ok && s->incomplete && !src_done(r)) {
      r->out.len = o0;
      size_t have = r->wlen - r->wpos - d->cur;
      if (have > HG_EVENTS_MAX_RECORD) {
        *too_large = true;
        return false;
      }
      if (!d->streaming && r->wlen - r->wpos > HG_EVENTS_MAX_PENDING) {
        doc_stream(r, d);
        continue;
      }
      fill(r, r->wlen - r->wpos);
      continue;
    }
    if (!ok) {
      r->out.len = o0;
      return false;
    }
    const char *start = r->win + r->wpos + d->cur;
    if (!keep) {
      r->out.len = o0;
    } else if (r->out.len > o0) {
      flush_run(s, s->p);
      *in_out = true;
      *off = (uint32_t)o0;
      *len = (uint32_t)(r->out.len - o0);
    } else {
      *in_out = false;
      *off = (uint32_t)d->cur;
      *len = (uint32_t)(s->p - start);
    }
    d->cur += (size_t)(s->p - start);
    return true;
  }
}

/* Report a malformed document (the syntax error in s, or a record over the
 * size bound). */
static void doc_error(reader *r, doc *d, const scan *s, bool too_large)
{
  if (!too_large && s->incomplete && r->src.failed)
    return; /* the source's own failure is reported by the caller */
  skip_file(r);
  size_t epos = too_large ? r->wpos + d->cur : (size_t)(s->errp - r->win);
  size_t eline = line_at(r, epos < r->wlen ? epos : r->wlen);
  if (too_large) {
    warn(r, eline, "events-too-large", "record larger than %u MiB; %s skipped",
         HG_EVENTS_MAX_RECORD >> 20, d->streaming ? "rest of file" : "file");
    return;
  }
  if (d->streaming)
    warn(r, eline, "events-bad-json", "malformed JSON (%s%s) after record #%zu; rest of file skipped",
         s->err, s->incomplete ? ", input ends early" : "", d->nrec);
  else
    warn(r, eline, "events-bad-json", "malformed JSON (%s%s); file skipped", s->err,
         s->incomplete ? ", input ends early" : "");
}

/* Fail the document at d->cur with msg (a structural error outside any
 * element). */
static bool doc_fail_here(reader *r, doc *d, const char *msg)
{
  scan s = {0};
  s.end = r->win + r->wlen;
  s.p = r->win + r->wpos + d->cur;
  fail(&s, msg);
  doc_error(r, d, &s, false);
  return false;
}

/* With unchecked_docs, before the bound: hand out the element at d->cur
 * unchecked when the skim finds it a compact object in the window (d->cur
 * moves past it). False when it must be scanned: not taken, or taken back
 * by the consumer. */
static bool doc_skim(reader *r, doc *d)
{
  size_t at = r->wpos + d->cur;
  if (r->win[at] != '{')
    return false;
  size_t k = hg_jskim_object((const unsigned char *)r->win + at, r->wlen - at, SKIM_MAX_DEPTH);
  if (!k || !emit_tentative(r, r->win + at, k, false))
    return false;
  d->cur += k;
  d->nrec++;
  return true;
}

/* Scan the element at d->cur and hold it, or hand it out (streaming; with
 * unchecked_docs an object goes out at once, tentative, in order with the
 * skimmed ones, and only another element's warning waits for the end).
 * False when the file must be abandoned (reported, or stopped). */
static bool doc_element(reader *r, doc *d, int depth)
{
  scan s;
  uint32_t off = 0, len = 0;
  bool in_out = false, big = false;
  if (!doc_piece(r, d, PIECE_VALUE, depth, true, &s, &off, &len, &in_out, &big)) {
    doc_error(r, d, &s, big);
    return false;
  }
  const char *text = in_out ? r->out.data + off : r->win + r->wpos + off;
  bool obj = *text == '{';
  d->nrec++;
  if (d->streaming) {
    if (obj)
      emit(r, text, len, 0);
    else
      record_warning(r, d->line, "events-not-object", "record #%zu is not a JSON object; skipped",
                     d->nrec);
    r->wpos += d->cur;
    d->cur = 0;
    hg_buf_reset(&r->out);
    return !is_stopped(r);
  }
  if (!r->unchecked_docs) {
    pend_add(r, off, len | (in_out ? PEND_OUT : 0) | (obj ? 0 : PEND_NOTOBJ));
    return true;
  }
  if (obj)
    emit_tentative(r, text, len, true);
  else
    pend_add(r, (uint32_t)d->nrec, PEND_NOTOBJ);
  hg_buf_reset(&r->out);
  return true;
}

/*
 * Read the document at win[wpos] ('[', or '{' with "Records" first). False
 * when the file must be abandoned (reported).
 */
static bool read_document_body(reader *r, size_t line)
{
  doc d = {0};
  d.line = line;
  d.object = r->win[r->wpos] == '{';
  d.cur = 1;
  r->npend = 0;
  hg_buf_reset(&r->out);
  scan s;
  uint32_t off = 0, len = 0;
  bool in_out = false, big = false;
  bool array = true;
  if (d.object) {
    if (!doc_ws(r, &d))
      return doc_fail_here(r, &d, "unterminated object");
    d.cur += 9; /* "Records" (starts_records) */
    if (!doc_ws(r, &d))
      return doc_fail_here(r, &d, "unterminated object");
    if (r->win[r->wpos + d.cur] != ':')
      return doc_fail_here(r, &d, "expected ':' after a member name");
    d.cur++;
    if (!doc_ws(r, &d))
      return doc_fail_here(r, &d, "unexpected end of input");
    if (r->win[r->wpos + d.cur] == '[') {
      d.cur++;
    } else {
      /* Records is not an array: validate it; it holds no records. */
      array = false;
      if (!doc_piece(r, &d, PIECE_VALUE, 1, false, &s, &off, &len, &in_out, &big)) {
        doc_error(r, &d, &s, big);
        return false;
      }
    }
  }
  int edepth = d.object ? 2 : 1;
  if (array) {
    if (!doc_ws(r, &d))
      return doc_fail_here(r, &d, "unterminated array");
    if (r->win[r->wpos + d.cur] == ']') {
      d.cur++;
    } else {
      for (;;) {
        /* Before streaming every element is held: d.nrec of them. */
        if (!d.streaming &&
            (d.cur > HG_EVENTS_MAX_PENDING || d.nrec >= HG_EVENTS_MAX_PENDING_RECORDS))
          doc_stream(r, &d);
        if (!(r->unchecked_docs && !d.streaming && doc_skim(r, &d)) &&
            !doc_element(r, &d, edepth))
          return false;
        if (!doc_ws(r, &d))
          return doc_fail_here(r, &d, "unterminated array");
        char c = r->win[r->wpos + d.cur];
        if (c == ']') {
          d.cur++;
          break;
        }
        if (c != ',')
          return doc_fail_here(r, &d, "expected ',' or ']' in array");
        d.cur++;
        if (!doc_ws(r, &d))
          return doc_fail_here(r, &d, "unexpected end of input");
      }
    }
  }
  /* The members after Records: validated, not kept. */
  while (d.object) {
    if (!doc_ws(r, &d))
      return doc_fail_here(r, &d, "unterminated object");
    char c = r->win[r->wpos + d.cur];
    if (c == '}') {
      d.cur++;
      break;
    }
    if (c != ',')
      return doc_fail_here(r, &d, "expected ',' or '}' in object");
    d.cur++;
    if (!doc_ws(r, &d))
      return doc_fail_here(r, &d, "unterminated object");
    if (!doc_piece(r, &d, PIECE_MEMBER, 1, false, &s, &off, &len, &in_out, &big)) {
      doc_error(r, &d, &s, big);
      return false;
    }
  }
  doc_release(r, &d);
  r->wpos += d.cur;
  return true;
}

/* read_document_body, and the drop of the tentative records of a document
 * abandoned before its end (a confirmed document has none left). */
static bool read_document(reader *r, size_t line)
{
  bool ok = read_document_body(r, line);
  tent_settle(r, false);
  return ok;
}

/* ---- one input ---- */

/* Skip the rest of the line holding win[wpos] (streaming: the window does
 * not grow). */
static void skip_line(reader *r)
{
  for (;;) {
    char *nl = memchr(r->win + r->wpos, '\n', r->wlen - r->wpos);
    if (nl) {
      r->wpos = (size_t)(nl - r->win) + 1;
      return;
    }
    r->wpos = r->wlen;
    if (src_done(r) || fill(r, 0) == 0)
      return;
  }
}

/* Read one file's content (the source is open). */
static void read_content(reader *r)
{
  r->line = 1;
  r->lpos = 0;
  r->file_record_warnings = 0;
  bool any = false, at_start = true;
  if (!src_done(r))
    fill(r, 0);
  for (;;) {
    if (is_stopped(r))
      return;
    /* Skip whitespace (and a UTF-8 byte order mark at the very start). */
    for (;;) {
      while (r->wpos < r->wlen && is_ws[(unsigned char)r->win[r->wpos]])
        r->wpos++, at_start = false;
      if (at_start && r->wpos == 0 && r->wlen >= 3 && memcmp(r->win, "\xef\xbb\xbf", 3) == 0) {
        r->wpos = 3;
        at_start = false;
        continue;
      }
      if (r->wpos < r->wlen || src_done(r) || fill(r, 0) == 0)
        break;
    }
    at_start = false;
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
      record_warning(r, vline, "events-bad-json", "not a JSON value; line %zu skipped", vline);
      skip_line(r);
      continue;
    }
    /* Enough of the value to tell a document from a record. */
    while (r->wlen - r->wpos < 64 && !src_done(r) && fill(r, 0) > 0) {
    }
    any = true;
    if (c == '[' || starts_records(r, r->wpos)) {
      if (!read_document(r, vline))
        return;
      continue;
    }
    /* A record: up to its line end at least. The newline is searched for
     * once: each fill only looks at the bytes it added. */
    size_t seen = 0; /* bytes after wpos already searched for a newline */
    const char *nl;
    bool big = false;
    while (!(nl = memchr(r->win + r->wpos + seen, '\n', r->wlen - r->wpos - seen))) {
      seen = r->wlen - r->wpos;
      if (seen > HG_EVENTS_MAX_RECORD) {
        big = true;
        break;
      }
      if (src_done(r) || fill(r, 0) == 0)
        break;
    }
    if (!big)
      big = (size_t)((nl ? nl - r->win : (ptrdiff_t)r->wlen) - (ptrdiff_t)r->wpos) >
            HG_EVENTS_MAX_RECORD;
    if (!big && r->unchecked) {
      /* Fast path: the line as it is; the consumer validates it. */
      size_t end = nl ? (size_t)(nl - r->win) : r->wlen, e = end;
      while (e > r->wpos && is_ws[(unsigned char)r->win[e - 1]])
        e--;
      if (emit_unchecked(r, r->win + r->wpos, e - r->wpos, vline)) {
        /* The line holds no newline before end (nl is the first one):
         * line_at need not search it again. */
        r->wpos = r->lpos = end;
        continue;
      }
      /* Taken back: read it again below, checked. */
    }
    while (!big) {
      scan s = {0};
      s.p = s.run = r->win + r->wpos;
      s.end = r->win + r->wlen;
      s.out = &r->out;
      hg_buf_reset(&r->out);
      bool ok = scan_value(&s, 0);
      if (!ok && s.incomplete && !src_done(r)) {
        if (r->wlen - r->wpos > HG_EVENTS_MAX_RECORD) {
          big = true;
          break;
        }
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
        emit(r, base, blen, vline);
        r->wpos = (size_t)(s.p - r->win);
        break;
      }
      if (s.incomplete && r->src.failed)
        return; /* the source's own failure is reported by the caller */
      record_warning(r, vline, "events-bad-json", "malformed JSON record (%s); line %zu skipped",
                     s.err, vline);
      skip_line(r);
      break;
    }
    if (big) {
      record_warning(r, vline, "events-too-large", "record larger than %u MiB; line %zu skipped",
                     HG_EVENTS_MAX_RECORD >> 20, vline);
      skip_line(r);
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

static uint32_t le32(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Read the rest of a whole gzip file (size bytes, the first two in head)
 * into r->gz. */
static bool read_whole(reader *r, int fd, const unsigned char head[2], size_t size)
{
  if (r->gzcap < size) {
    free(r->gz);
    r->gzcap = size;
    r->gz = xmalloc(size);
  }
  r->gz[0] = head[0];
  r->gz[1] = head[1];
  size_t got = 2;
  while (got < size) {
    ssize_t n = read_retry(fd, r->gz + got, size - got);
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  if (got != size) {
    /* The file changed under us: the stream reads what is there, from
     * just after the two magic bytes the caller hands it. */
    (void)lseek(fd, 2, SEEK_SET);
  }
  return got == size;
}

/* Inflate gz[0, size) whole with dd into *buf (capacity *cap, grown or
 * replaced as needed; one byte beyond the content stays free for a NUL),
 * setting *len. False when libdeflate cannot (bad data, trailing garbage,
 * output over the bound): the zlib stream then reads it again and words
 * the error. */
static bool inflate_buf(struct libdeflate_decompressor *dd, const unsigned char *gz, size_t size,
                        char **buf, size_t *bcap, size_t *len)
{
  size_t cap = le32(gz + size - 4); /* ISIZE: a hint only (mod 2^32) */
  if (cap > GZ_WHOLE_OUT_MAX)
    return false; /* announced too large: stream it */
  if (cap < size * 3)
    cap = size * 3;
  if (cap < READ_CHUNK)
    cap = READ_CHUNK;
  size_t off = 0, total = 0;
  for (;;) {
    if (cap > GZ_WHOLE_OUT_MAX)
      cap = GZ_WHOLE_OUT_MAX;
    if (*bcap < cap + 1) {
      free(*buf);
      *buf = xmalloc(cap + 1);
      *bcap = cap + 1;
      total = 0;
      off = 0; /* buffer replaced: start over */
    }
    size_t in_n = 0, out_n = 0;
    enum libdeflate_result rc = libdeflate_gzip_decompress_ex(
        dd, gz + off, size - off, *buf + total, *bcap - 1 - total, &in_n, &out_n);
    if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) {
      if (*bcap - 1 >= GZ_WHOLE_OUT_MAX)
        return false;
      cap = (*bcap - 1) * 2;
      continue;
    }
    if (rc != LIBDEFLATE_SUCCESS)
      return false;
    off += in_n;
    total += out_n;
    if (off == size)
      break;
    if (size - off < 2 || gz[off] != 0x1f || gz[off + 1] != 0x8b)
      return false; /* trailing garbage: the stream reports it */
  }
  *len = total;
  (*buf)[total] = '\0';
  return true;
}

/* Inflate r->gz[0, size) whole into the window (see inflate_buf). */
static bool inflate_whole(reader *r, size_t size)
{
  size_t len = 0;
  if (!inflate_buf(r->dd, r->gz, size, &r->win, &r->wcap, &len))
    return false;
  r->wlen = len;
  return true;
}

static bool start_zlib(reader *r)
{
  source *s = &r->src;
  s->in = xmalloc(READ_CHUNK);
  if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
    free(s->in);
    s->in = NULL;
    skip_file(r);
    warn(r, 0, "events-bad-gzip", "cannot start gzip decoder");
    return false;
  }
  s->z_live = true;
  return true;
}

static void read_rest(reader *r);

static void read_fd(reader *r, int fd, bool regular, size_t size)
{
  source *s = &r->src;
  memset(s, 0, sizeof *s);
  s->fd = fd;
  r->wpos = 0;
  r->wlen = 0;
  /* Peek at the magic bytes. */
  unsigned char head[2];
  size_t got = 0;
  while (got < 2) {
    ssize_t n = read_retry(fd, head + got, 2 - got);
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  if (got == 2 && head[0] == 0x1f && head[1] == 0x8b) {
    s->gz = true;
    if (regular && size >= 18 && size <= GZ_WHOLE_MAX && read_whole(r, fd, head, size)) {
      if (inflate_whole(r, size)) {
        s->eof = true; /* the window holds the whole content */
        r->in->st.bytes += r->wlen;
      } else {
        r->wlen = 0;
        if (!start_zlib(r))
          return;
        s->z.next_in = r->gz;
        s->z.avail_in = (uInt)size;
      }
    } else {
      if (!start_zlib(r))
        return;
      s->in[0] = head[0];
      s->in[1] = head[1];
      s->z.next_in = s->in;
      s->z.avail_in = 2;
    }
  } else {
    /* Plain: the bytes already read start the window. */
    if (r->wcap < READ_CHUNK * 2) {
      r->win = xrealloc(r->win, READ_CHUNK * 2);
      r->wcap = READ_CHUNK * 2;
    }
    memcpy(r->win, head, got);
    r->wlen = got;
    r->in->st.bytes += got;
    if (got < 2)
      s->eof = true;
  }
  read_rest(r);
}

/* Read the content of the current input (its source set up) and release
 * what a large input grew. */
static void read_rest(reader *r)
{
  source *s = &r->src;
  read_content(r);
  if (s->failed) {
    skip_file(r);
    warn(r, 0, s->gz ? "events-bad-gzip" : "events-unreadable", "%s; rest of file skipped", s->err);
  }
  if (s->z_live)
    inflateEnd(&s->z);
  free(s->in);
  s->in = NULL;
  /* A large input does not keep its buffers. */
  if (r->wcap > KEEP_MAX) {
    free(r->win);
    r->win = NULL;
    r->wcap = 0;
  }
  if (r->out.cap > KEEP_MAX)
    hg_buf_free(&r->out);
  if (r->gzcap > KEEP_MAX) {
    free(r->gz);
    r->gz = NULL;
    r->gzcap = 0;
  }
  if (r->cpend > 65536) {
    free(r->pend);
    r->pend = NULL;
    r->cpend = 0;
  }
  r->wpos = r->wlen = 0;
}

static void input_start(ev_reader *r, ev_input *in, const ev_out *out)
{
  r->in = in;
  r->o = out;
  r->file = in->path;
  r->file_skipped = false;
  r->stopped = false;
  in->st.files++;
}

/* ---- inflating ahead ---- */

struct ev_ahead {
  struct libdeflate_decompressor *dd;
  unsigned char *gz;     /* the compressed file */
  size_t gzcap;
  char *buf;             /* its content; swapped with the reader's window */
  size_t cap, len;
  bool ready;
};

ev_ahead *ev_ahead_new(void)
{
  ev_ahead *a = xcalloc(1, sizeof *a);
  a->dd = libdeflate_alloc_decompressor();
  if (!a->dd) {
    fputs("hardengen: out of memory\n", stderr);
    abort();
  }
  return a;
}

void ev_ahead_free(ev_ahead *a)
{
  if (!a)
    return;
  libdeflate_free_decompressor(a->dd);
  free(a->gz);
  free(a->buf);
  free(a);
}

void ev_ahead_prepare(ev_ahead *a, const char *path)
{
  a->ready = false;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 18 ||
      (unsigned long long)st.st_size > GZ_WHOLE_MAX) {
    close(fd);
    return;
  }
  size_t size = (size_t)st.st_size;
  if (a->gzcap < size) {
    free(a->gz);
    a->gz = xmalloc(size);
    a->gzcap = size;
  }
  size_t got = 0;
  while (got < size) {
    ssize_t n = read_retry(fd, a->gz + got, size - got);
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  if (got != size || a->gz[0] != 0x1f || a->gz[1] != 0x8b)
    return;
  a->ready = inflate_buf(a->dd, a->gz, size, &a->buf, &a->cap, &a->len);
  if (a->cap > KEEP_MAX && !a->ready) {
    free(a->buf);
    a->buf = NULL;
    a->cap = 0;
  }
}

bool ev_reader_take(ev_reader *r, ev_ahead *a)
{
  r->pre = false;
  if (!a->ready)
    return false;
  a->ready = false;
  /* The content becomes the window: swap buffers (the reader's old window
   * serves the next file). */
  char *w = r->win;
  size_t wcap = r->wcap;
  r->win = a->buf;
  r->wcap = a->cap;
  a->buf = w;
  a->cap = wcap;
  r->pre = true;
  r->pre_len = a->len;
  return true;
}

/* Read the current input from the content taken by ev_reader_take: what
 * read_fd does once a small gzip file is inflated whole. */
static void read_taken(reader *r)
{
  r->pre = false;
  source *s = &r->src;
  memset(s, 0, sizeof *s);
  s->fd = -1;
  s->gz = true;
  s->eof = true;
  r->wpos = 0;
  r->wlen = r->pre_len;
  r->in->st.bytes += r->wlen;
  read_rest(r);
}

void ev_read_input(ev_reader *r, ev_input *in, const ev_out *out)
{
  input_start(r, in, out);
  if (r->pre && !in->is_stdin) {
    read_taken(r);
    return;
  }
  r->pre = false;
  if (in->is_stdin) {
    struct stat st;
    bool reg = fstat(0, &st) == 0 && S_ISREG(st.st_mode);
    off_t pos = reg ? lseek(0, 0, SEEK_CUR) : -1;
    read_fd(r, 0, reg && pos == 0, reg && pos == 0 ? (size_t)st.st_size : 0);
    return;
  }
  /* Non-blocking, so a FIFO without a writer cannot hang the open; only
   * regular files are read. */
  int fd = open(in->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    skip_file(r);
    warn(r, 0, "events-unreadable", "cannot open: %s; skipped", strerror(errno));
    return;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    skip_file(r);
    warn(r, 0, "events-not-regular",
         "not a regular file (a FIFO, socket or device); skipped (use - for standard input)");
    close(fd);
    return;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  read_fd(r, fd, true, (size_t)st.st_size);
  close(fd);
}
