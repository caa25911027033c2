/*
 * util.h — memory, growable buffers, arenas and small text helpers shared by
 * every stage.
 *
 * Out of memory is not an error a caller can handle here: the x* allocators
 * print a message and abort, as jq and cmark do. Everything else returns a
 * status and never prints.
 */
#ifndef HG_UTIL_H
#define HG_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Allocation that never returns NULL; abort with a message on exhaustion. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh malloc'd string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As xasprintf with a va_list (the caller va_starts and va_ends it). */
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Growable byte buffer; always NUL-terminated after any append. */
typedef struct hg_buf {
  char *data;   /* owned; NULL until the first append */
  size_t len;
  size_t cap;
} hg_buf;

void hg_buf_init(hg_buf *b);
void hg_buf_free(hg_buf *b);
void hg_buf_reset(hg_buf *b);                      /* len = 0, keeps memory */
void hg_buf_append(hg_buf *b, const void *p, size_t n);
void hg_buf_puts(hg_buf *b, const char *s);
void hg_buf_putc(hg_buf *b, char c);
void hg_buf_printf(hg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hg_buf_vprintf(hg_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hand the buffer's memory to the caller (never NULL); the buffer is reset. */
char *hg_buf_take(hg_buf *b, size_t *len);

/*
 * Arena: bump allocation in chunks, freed all at once. Used for the profile
 * tree, ASTs and per-record JSON values. Memory is 16-byte aligned.
 */
typedef struct hg_arena hg_arena;
hg_arena *hg_arena_new(void);
void *hg_arena_alloc(hg_arena *a, size_t n);       /* zeroed */
void *hg_arena_alloc_raw(hg_arena *a, size_t n);   /* not zeroed (the caller writes it all) */
char *hg_arena_strndup(hg_arena *a, const char *s, size_t n);
char *hg_arena_strdup(hg_arena *a, const char *s);
void hg_arena_reset(hg_arena *a);                  /* keep the first chunk */
void hg_arena_free(hg_arena *a);
void hg_arena_free_wiped(hg_arena *a);             /* zero every chunk, then free */

/*
 * Read a whole regular file. Returns malloc'd bytes (NUL-terminated, *len
 * excludes the NUL) or NULL with errno set. A file larger than max bytes
 * fails with EFBIG, a directory with EISDIR, and anything else that is not a
 * regular file (a FIFO, socket or device, which could block or never end)
 * with ENODEV; the open itself never blocks. The null device (/dev/null)
 * reads as an empty file.
 */
char *hg_read_file(const char *path, size_t max, size_t *len);

/* What hg_read_file's errno means, for a diagnostic: "it is a directory, ...", "it is not
 * a regular file (a FIFO, socket or device)", else strerror(e). Static text. */
const char *hg_read_error(int e);

/*
 * Write bytes to path atomically: a temporary file in the same folder, fsync,
 * rename. Returns 0, or -1 with errno set (the target is untouched).
 */
int hg_write_atomic(const char *path, const void *data, size_t len);

/* mkdir -p; 0 or -1 with errno. */
int hg_mkdirs(const char *path, int mode);

/* The folder holding the running executable, into buf (NUL-terminated).
 * False when it cannot be told (no /proc/self/exe, or longer than size). */
bool hg_exe_dir(char *buf, size_t size);

/* Levenshtein distance, capped at cap+1 (for did-you-mean). */
size_t hg_edit_distance(const char *a, const char *b, size_t cap);

/*
 * From candidates (NULL-terminated), the closest to word within a distance
 * that scales with the word's length, or NULL. Comparison ignores case when
 * fold is true. The result points into candidates.
 */
const char *hg_did_you_mean(const char *word, const char *const *candidates, bool fold);

/* Lower-case hex SHA-256 of bytes into out[65]. */
void hg_sha256_hex(const void *data, size_t len, char out[65]);
/* Raw SHA-256 digest (32 bytes) and MD5 digest (16 bytes). */
void hg_sha256(const void *data, size_t len, unsigned char out[32]);
void hg_md5(const void *data, size_t len, unsigned char out[16]);
/* Standard base64 of bytes; malloc'd, the caller frees it. */
char *hg_base64(const void *data, size_t len);

/* True when s ends with suffix. */
bool hg_ends_with(const char *s, const char *suffix);

/* a[0, n) == b[0, n), inline: the strings compared per event (member
 * names, values against a pattern's literals) are short and share
 * prefixes (eventName, eventTime, eventType), and a call to memcmp each
 * costs more than the comparison: word loads, the last one overlapping. */
static inline bool hg_bytes_eq(const char *a, const char *b, size_t n)
{
  if (n >= 8) {
    uint64_t x, y;
    for (size_t i = 0; i + 8 < n; i += 8) {
      memcpy(&x, a + i, 8);
      memcpy(&y, b + i, 8);
      if (x != y)
        return false;
    }
    memcpy(&x, a + n - 8, 8); /* the last eight bytes (may overlap) */
    memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x, y, u, v;
    memcpy(&x, a, 4);
    memcpy(&y, b, 4);
    memcpy(&u, a + n - 4, 4);
    memcpy(&v, b + n - 4, 4);
    return x == y && u == v;
  }
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i])
      return false;
  return true;
}

#define HG_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

#endif
