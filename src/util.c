/*
 * util.c — allocation, buffers, arenas, files and text helpers.
 *
 * Digests come from OpenSSL's libcrypto (the same library libcurl links for
 * TLS), so no hash function is written here.
 */
#include "hg/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <openssl/evp.h>

static void oom(size_t n)
{
  fprintf(stderr, "hardengen: out of memory (allocating %zu bytes)\n", n);
  abort();
}

void *xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (!p)
    oom(n);
  return p;
}

void *xcalloc(size_t count, size_t size)
{
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p)
    oom(count * size);
  return p;
}

void *xrealloc(void *p, size_t n)
{
  void *q = realloc(p, n ? n : 1);
  if (!q)
    oom(n);
  return q;
}

char *xstrdup(const char *s)
{
  return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
  char *p = xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_vprintf(&b, fmt, ap);
  return hg_buf_take(&b, NULL);
}

char *xasprintf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = xvasprintf(fmt, ap);
  va_end(ap);
  return s;
}

/* ---- buffers ---- */

void hg_buf_init(hg_buf *b)
{
  b->data = NULL;
  b->len = b->cap = 0;
}

void hg_buf_free(hg_buf *b)
{
  free(b->data);
  hg_buf_init(b);
}

void hg_buf_reset(hg_buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

static void buf_reserve(hg_buf *b, size_t extra)
{
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

void hg_buf_append(hg_buf *b, const void *p, size_t n)
{
  buf_reserve(b, n);
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void hg_buf_puts(hg_buf *b, const char *s)
{
  hg_buf_append(b, s, strlen(s));
}

void hg_buf_putc(hg_buf *b, char c)
{
  hg_buf_append(b, &c, 1);
}

void hg_buf_vprintf(hg_buf *b, const char *fmt, va_list ap)
{
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return;
  buf_reserve(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void hg_buf_printf(hg_buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *hg_buf_take(hg_buf *b, size_t *len)
{
  buf_reserve(b, 0);
  b->data[b->len] = '\0'; /* an empty buffer was never terminated */
  char *p = b->data;
  if (len)
    *len = b->len;
  hg_buf_init(b);
  return p;
}

/* ---- arena ---- */

typedef struct chunk {
  struct chunk *next;
  size_t size, used;
  _Alignas(16) unsigned char mem[];
} chunk;

struct hg_arena {
  chunk *head;
};

#define ARENA_CHUNK 65536

hg_arena *hg_arena_new(void)
{
  return xcalloc(1, sizeof(hg_arena));
}

void *hg_arena_alloc_raw(hg_arena *a, size_t n)
{
  n = (n + 15) & ~(size_t)15;
  chunk *c = a->head;
  if (!c || c->size - c->used < n) {
    size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
    c = xmalloc(sizeof(chunk) + size);
    c->size = size;
    c->used = 0;
    c->next = a->head;
    a->head = c;
  }
  void *p = c->mem + c->used;
  c->used += n;
  return p;
}

void *hg_arena_alloc(hg_arena *a, size_t n)
{
  void *p = hg_arena_alloc_raw(a, n);
  memset(p, 0, n);
  return p;
}

char *hg_arena_strndup(hg_arena *a, const char *s, size_t n)
{
  char *p = hg_arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *hg_arena_strdup(hg_arena *a, const char *s)
{
  return hg_arena_strndup(a, s, strlen(s));
}

void hg_arena_reset(hg_arena *a)
{
  chunk *c = a->head;
  if (!c)
    return;
  /* Keep the oldest chunk: it is the one every reset cycle needs. */
  while (c->next) {
    chunk *next = c->next;
    free(c);
    c = next;
  }
  c->used = 0;
  a->head = c;
}

void hg_arena_free(hg_arena *a)
{
  if (!a)
    return;
  chunk *c = a->head;
  while (c) {
    chunk *next = c->next;
    free(c);
    c = next;
  }
  free(a);
}

void hg_arena_free_wiped(hg_arena *a)
{
  for (chunk *c = a ? a->head : NULL; c; c = c->next)
    explicit_bzero(c->mem, c->used);
  hg_arena_free(a);
}

/* ---- files ---- */

char *hg_read_file(const char *path, size_t max, size_t *len)
{
  /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  /* The null device reads as an empty file: AWS_CONFIG_FILE=/dev/null is how
   * users switch a configuration file off. */
  if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3) {
    close(fd);
    if (len)
      *len = 0;
    return xstrdup("");
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int e = errno;
    if (e == 0 || e == EAGAIN)
      e = EIO;
    if (fstat(fd, &st) == 0)
      e = S_ISDIR(st.st_mode) ? EISDIR : ENODEV;
    close(fd);
    errno = e;
    return NULL;
  }
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    int e = errno;
    close(fd);
    errno = e;
    return NULL;
  }
  hg_buf b;
  hg_buf_init(&b);
  char tmp[65536];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
    if (b.len + n > max) {
      fclose(f);
      hg_buf_free(&b);
      errno = EFBIG;
      return NULL;
    }
    hg_buf_append(&b, tmp, n);
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    hg_buf_free(&b);
    errno = EIO;
    return NULL;
  }
  return hg_buf_take(&b, len);
}

const char *hg_read_error(int e)
{
  if (e == EISDIR)
    return "it is a directory, not a file";
  if (e == ENODEV)
    return "it is not a regular file (a FIFO, socket or device)";
  return strerror(e);
}

int hg_write_atomic(const char *path, const void *data, size_t len)
{
  char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    free(tmp);
    return -1;
  }
  const char *p = data;
  size_t left = len;
  while (left > 0) {
    ssize_t w = write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      goto fail;
    }
    p += w;
    left -= (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  if (rename(tmp, path) != 0) {
    fd = -1;
    goto fail;
  }
  free(tmp);
  return 0;
fail: {
  int saved = errno;
  if (fd >= 0)
    close(fd);
  unlink(tmp);
  free(tmp);
  errno = saved;
  return -1;
}
}

bool hg_exe_dir(char *buf, size_t size)
{
  if (size < 2)
    return false;
  ssize_t n = readlink("/proc/self/exe", buf, size - 1);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  char *slash = strrchr(buf, '/');
  if (!slash)
    return false;
  *slash = '\0';
  return true;
}

int hg_mkdirs(const char *path, int mode)
{
  if (!*path) {
    errno = ENOENT;
    return -1;
  }
  char *p = xstrdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = mkdir(p, (mode_t)mode);
  free(p);
  return rc == 0 || errno == EEXIST ? 0 : -1;
}

/* ---- text ---- */

size_t hg_edit_distance(const char *a, const char *b, size_t cap)
{
  size_t la = strlen(a), lb = strlen(b);
  if ((la > lb ? la - lb : lb - la) > cap)
    return cap + 1;
  size_t *row = xmalloc((lb + 1) * sizeof *row);
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0], best = i;
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t v = diag + cost;
      if (up + 1 < v)
        v = up + 1;
      if (row[j - 1] + 1 < v)
        v = row[j - 1] + 1;
      row[j] = v;
      diag = up;
      if (v < best)
        best = v;
    }
    if (best > cap) {
      free(row);
      return cap + 1;
    }
  }
  size_t d = row[lb];
  free(row);
  return d > cap ? cap + 1 : d;
}

static char *lower_dup(const char *s)
{
  char *p = xstrdup(s);
  for (char *q = p; *q; q++)
    *q = (char)tolower((unsigned char)*q);
  return p;
}

const char *hg_did_you_mean(const char *word, const char *const *candidates, bool fold)
{
  size_t len = strlen(word);
  size_t cap = len < 4 ? 1 : len < 9 ? 2 : 3;
  const char *best = NULL;
  size_t best_d = cap + 1;
  char *w = fold ? lower_dup(word) : xstrdup(word);
  for (size_t i = 0; candidates[i]; i++) {
    char *c = fold ? lower_dup(candidates[i]) : xstrdup(candidates[i]);
    size_t d = hg_edit_distance(w, c, cap);
    free(c);
    if (d < best_d) {
      best_d = d;
      best = candidates[i];
    }
  }
  free(w);
  return best;
}

static void digest(const char *name, const void *data, size_t len, unsigned char *out)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned int n = 0;
  if (!ctx || !EVP_DigestInit_ex(ctx, EVP_get_digestbyname(name), NULL) ||
      !EVP_DigestUpdate(ctx, data, len) || !EVP_DigestFinal_ex(ctx, out, &n)) {
    fprintf(stderr, "hardengen: libcrypto %s digest failed\n", name);
    abort();
  }
  EVP_MD_CTX_free(ctx);
}

void hg_sha256(const void *data, size_t len, unsigned char out[32])
{
  digest("SHA256", data, len, out);
}

void hg_md5(const void *data, size_t len, unsigned char out[16])
{
  digest("MD5", data, len, out);
}

void hg_sha256_hex(const void *data, size_t len, char out[65])
{
  unsigned char d[32];
  hg_sha256(data, len, d);
  for (int i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", d[i]);
}

char *hg_base64(const void *data, size_t len)
{
  char *out = xmalloc(4 * ((len + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)out, data, (int)len);
  return out;
}

bool hg_ends_with(const char *s, const char *suffix)
{
  size_t ls = strlen(s), lx = strlen(suffix);
  return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}
