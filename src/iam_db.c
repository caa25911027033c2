/*
 * iam_db.c — the IAM action database: every `service:Action` of the shipped
 * list (share/iam-actions.txt) in a hash set.
 *
 * Layout: one owned copy of the file text (lines NUL-terminated in place) and
 * a lower-cased twin of it; entries point into both. Entries are grouped by
 * service (the generated file is sorted; any other order is sorted on load),
 * so each service is a run [first, first+count) used for wildcard matching and
 * did-you-mean. Two open-addressing tables (linear probing, power-of-two size,
 * at most half full) map lower-case action names and service prefixes to
 * their index + 1. Loading the 20,817-action list is one pass over 600 KB.
 *
 * IAM compares action names case-insensitively, and `*` / `?` in an action
 * match any run of characters / any one character (IAM User Guide, "IAM JSON
 * policy elements: Action").
 */
#include "hg/iam.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hg/resource.h"

typedef struct iam_entry {
  const char *name;    /* canonical "service:Action" */
  const char *lower;   /* the same, lower-cased */
  size_t svc_len;      /* bytes before ':' */
} iam_entry;

typedef struct iam_service {
  const char *lower;   /* lower-case prefix (NUL-terminated copy in the arena) */
  const char *name;    /* canonical prefix */
  size_t first, count; /* run of entries */
} iam_service;

struct hg_iam_db {
  char *text, *lower;  /* owned file copies */
  hg_arena *arena;     /* service prefix strings */
  iam_entry *e;
  size_t n;
  iam_service *s;
  size_t ns;
  uint32_t *slots;     /* action table: entry index + 1, 0 empty */
  size_t mask;
  uint32_t *sslots;    /* service table: service index + 1 */
  size_t smask;
};

/* ASCII lower-case; IAM names are ASCII, and this is much cheaper than
 * the locale-aware tolower() in the hot loops. */
static inline unsigned char lc(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static uint32_t fmix(uint32_t h)
{
  /* FNV's low bits mix poorly and the table uses the low bits: finish with
   * the MurmurHash3 avalanche. */
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/* FNV-1a of the lower-cased bytes; hash_lower(lower(p)) == hash_fold(p). */
static uint32_t hash_fold(const char *p, size_t n)
{
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    h ^= lc((unsigned char)p[i]);
    h *= 16777619u;
  }
  return fmix(h);
}

static uint32_t hash_lower(const char *p, size_t n)
{
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 16777619u;
  }
  return fmix(h);
}

/* lower (already lower-case, NUL-terminated) equals the n bytes of p, ignoring case. */
static bool eq_fold(const char *lower, const char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (lower[i] == '\0' || (unsigned char)lower[i] != lc((unsigned char)p[i]))
      return false;
  return lower[n] == '\0';
}

static size_t table_size(size_t n)
{
  size_t size = 16;
  while (size < 2 * n + 2)
    size *= 2;
  return size;
}

static int cmp_entry(const void *a, const void *b)
{
  const iam_entry *x = a, *y = b;
  size_t n = x->svc_len < y->svc_len ? x->svc_len : y->svc_len;
  int c = memcmp(x->lower, y->lower, n);
  if (c)
    return c;
  if (x->svc_len != y->svc_len)
    return x->svc_len < y->svc_len ? -1 : 1;
  c = strcmp(x->lower, y->lower);
  return c ? c : (x->name < y->name ? -1 : x->name > y->name);
}

/* Bytes an action name never holds: controls, space, wildcards, DEL. */
static const char bad_bytes[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
                                "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
                                " *?\x7f";

/* s (n bytes, no NUL inside) is `service:Action`; *svc_len gets the prefix length. */
static bool valid_name(const char *s, size_t n, size_t *svc_len)
{
  const char *colon = memchr(s, ':', n);
  if (!colon || colon == s || (size_t)(colon - s) + 1 == n ||
      memchr(colon + 1, ':', n - (size_t)(colon - s) - 1))
    return false;
  if (strcspn(s, bad_bytes) != n)
    return false;
  *svc_len = (size_t)(colon - s);
  return true;
}

hg_iam_db *hg_iam_db_parse(const char *text, size_t len, const char *name, hg_diag_sink *sink)
{
  hg_iam_db *db = xcalloc(1, sizeof *db);
  db->text = xstrndup(text, len);
  db->lower = xstrndup(text, len);
  for (size_t i = 0; i < len; i++)
    db->lower[i] = (char)lc((unsigned char)db->lower[i]);
  db->arena = hg_arena_new();

  size_t cap = 1024, bad = 0;
  db->e = xmalloc(cap * sizeof *db->e);
  int lineno = 0;
  for (size_t pos = 0; pos < len;) {
    size_t start = pos;
    const char *nl = memchr(db->text + pos, '\n', len - pos);
    pos = nl ? (size_t)(nl - db->text) : len;
    size_t end = pos;
    lineno++;
    if (pos < len)
      pos++;
    while (end > start && (db->text[end - 1] == '\r' || db->text[end - 1] == ' ' || db->text[end - 1] == '\t'))
      end--;
    db->text[end] = db->lower[end] = '\0';
    if (end == start || db->text[start] == '#')
      continue;
    size_t svc_len;
    if (memchr(db->text + start, '\0', end - start) || !valid_name(db->text + start, end - start, &svc_len)) {
      if (bad++ < 10)
        hg_diag_add(sink, HG_SEV_ERROR, name, lineno, 1, "iam-db",
                    "not an IAM action name (expected service:Action)");
      continue;
    }
    if (db->n == cap) {
      cap *= 2;
      db->e = xrealloc(db->e, cap * sizeof *db->e);
    }
    db->e[db->n++] = (iam_entry){db->text + start, db->lower + start, svc_len};
  }
  if (db->n == 0) {
    hg_diag_add(sink, HG_SEV_ERROR, name, 0, 0, "iam-db", "the IAM action list holds no action");
    hg_iam_db_free(db);
    return NULL;
  }

  /* Group by service; the shipped file is already in this order. */
  for (size_t i = 1; i < db->n; i++)
    if (cmp_entry(&db->e[i - 1], &db->e[i]) > 0) {
      qsort(db->e, db->n, sizeof *db->e, cmp_entry);
      break;
    }

  db->mask = table_size(db->n) - 1;
  db->slots = xcalloc(db->mask + 1, sizeof *db->slots);
  size_t kept = 0;
  for (size_t i = 0; i < db->n; i++) {
    iam_entry en = db->e[i];
    size_t l = strlen(en.lower);
    size_t h = hash_lower(en.lower, l) & db->mask;
    bool dup = false;
    while (db->slots[h]) {
      if (strcmp(db->e[db->slots[h] - 1].lower, en.lower) == 0) {
        dup = true;
        break;
      }
      h = (h + 1) & db->mask;
    }
    if (dup)
      continue;
    db->e[kept] = en;
    db->slots[h] = (uint32_t)(kept + 1);
    kept++;
  }
  db->n = kept;

  size_t scap = 64;
  db->s = xmalloc(scap * sizeof *db->s);
  for (size_t i = 0; i < db->n;) {
    size_t j = i + 1;
    while (j < db->n && db->e[j].svc_len == db->e[i].svc_len &&
           memcmp(db->e[j].lower, db->e[i].lower, db->e[i].svc_len) == 0)
      j++;
    if (db->ns == scap) {
      scap *= 2;
      db->s = xrealloc(db->s, scap * sizeof *db->s);
    }
    db->s[db->ns++] = (iam_service){
        hg_arena_strndup(db->arena, db->e[i].lower, db->e[i].svc_len),
        hg_arena_strndup(db->arena, db->e[i].name, db->e[i].svc_len), i, j - i};
    i = j;
  }
  db->smask = table_size(db->ns) - 1;
  db->sslots = xcalloc(db->smask + 1, sizeof *db->sslots);
  for (size_t i = 0; i < db->ns; i++) {
    size_t h = hash_lower(db->s[i].lower, strlen(db->s[i].lower)) & db->smask;
    while (db->sslots[h])
      h = (h + 1) & db->smask;
    db->sslots[h] = (uint32_t)(i + 1);
  }
  return db;
}

hg_iam_db *hg_iam_db_load(const char *path, hg_diag_sink *sink)
{
  if (!path) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "iam-db",
                "cannot find the IAM action list iam-actions.txt (set HARDENGEN_IAM_ACTIONS)");
    return NULL;
  }
  size_t len;
  char *text = hg_read_file(path, 64u << 20, &len);
  if (!text) {
    hg_diag_add(sink, HG_SEV_ERROR, path, 0, 0, "iam-db", "cannot read the IAM action list: %s",
                strerror(errno));
    return NULL;
  }
  hg_iam_db *db = hg_iam_db_parse(text, len, path, sink);
  free(text);
  return db;
}

const hg_iam_db *hg_iam_db_default(hg_diag_sink *sink)
{
  static hg_iam_db *db;
  if (!db)
    db = hg_iam_db_load(hg_res_iam_actions(), sink);
  return db;
}

void hg_iam_db_free(hg_iam_db *db)
{
  if (!db)
    return;
  free(db->text);
  free(db->lower);
  free(db->e);
  free(db->s);
  free(db->slots);
  free(db->sslots);
  hg_arena_free(db->arena);
  free(db);
}

size_t hg_iam_db_count_actions(const hg_iam_db *db)
{
  return db->n;
}

size_t hg_iam_db_count_services(const hg_iam_db *db)
{
  return db->ns;
}

const char *hg_iam_db_find(const hg_iam_db *db, const char *action)
{
  size_t n = strlen(action);
  size_t h = hash_fold(action, n) & db->mask;
  while (db->slots[h]) {
    const iam_entry *en = &db->e[db->slots[h] - 1];
    if (eq_fold(en->lower, action, n))
      return en->name;
    h = (h + 1) & db->mask;
  }
  return NULL;
}

static const iam_service *find_service(const hg_iam_db *db, const char *prefix, size_t n)
{
  size_t h = hash_fold(prefix, n) & db->smask;
  while (db->sslots[h]) {
    const iam_service *s = &db->s[db->sslots[h] - 1];
    if (eq_fold(s->lower, prefix, n))
      return s;
    h = (h + 1) & db->smask;
  }
  return NULL;
}

const char *hg_iam_db_find_service(const hg_iam_db *db, const char *prefix, size_t n)
{
  const iam_service *s = find_service(db, prefix, n);
  return s ? s->name : NULL;
}

/*
 * Glob match of lower-case text against a pattern (any case), `*` any run,
 * `?` one character. Iterative with one backtrack point: O(|p| * |t|) worst.
 */
static bool glob_fold(const char *p, size_t pn, const char *t)
{
  size_t pi = 0, ti = 0, star = (size_t)-1, mark = 0;
  size_t tn = strlen(t);
  while (ti < tn) {
    if (pi < pn && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < pn && (p[pi] == '?' || lc((unsigned char)p[pi]) == (unsigned char)t[ti])) {
      pi++;
      ti++;
    } else if (star != (size_t)-1) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < pn && p[pi] == '*')
    pi++;
  return pi == pn;
}

static bool has_wild(const char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (p[i] == '*' || p[i] == '?')
      return true;
  return false;
}

size_t hg_iam_db_match(const hg_iam_db *db, const char *pattern, const char **first)
{
  if (first)
    *first = NULL;
  const char *colon = strchr(pattern, ':');
  if (!colon)
    return 0;
  size_t sl = (size_t)(colon - pattern), count = 0;
  size_t pn = strlen(pattern);
  for (size_t si = 0; si < db->ns; si++) {
    const iam_service *s = &db->s[si];
    if (!has_wild(pattern, sl)) {
      s = find_service(db, pattern, sl);
      if (!s)
        return 0;
    } else if (!glob_fold(pattern, sl, s->lower)) {
      continue;
    }
    for (size_t i = s->first; i < s->first + s->count; i++) {
      const iam_entry *en = &db->e[i];
      if (glob_fold(colon + 1, pn - sl - 1, en->lower + en->svc_len + 1)) {
        if (!count && first)
          *first = en->name;
        count++;
      }
    }
    if (!has_wild(pattern, sl))
      break;
  }
  return count;
}

/* How far a suggestion may be from the word: grows with its length. */
static size_t cap_for(size_t len)
{
  return len < 4 ? 1 : len < 9 ? 2 : len < 16 ? 3 : len < 24 ? 4 : 5;
}

static char *lower_dup(const char *s, size_t n)
{
  char *d = xstrndup(s, n);
  for (char *p = d; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return d;
}

/* Closest action (exact name) of service s to act; NULL when none is close. */
static const iam_entry *closest_action(const hg_iam_db *db, const iam_service *s, const char *act)
{
  char *w = lower_dup(act, strlen(act));
  size_t cap = cap_for(strlen(w)), best_d = cap + 1;
  const iam_entry *best = NULL;
  for (size_t i = s->first; i < s->first + s->count; i++) {
    const iam_entry *en = &db->e[i];
    size_t d = hg_edit_distance(w, en->lower + en->svc_len + 1, best_d - 1 < cap ? best_d - 1 : cap);
    if (d < best_d) {
      best_d = d;
      best = en;
      if (d == 0)
        break;
    }
  }
  free(w);
  return best;
}

/*
 * The fewest edits to the literal characters of pattern p (wildcards cost
 * nothing) that make it match action a (lower-case), and the corrected
 * pattern, spelt with a's characters (AWS casing taken from canon, the
 * canonical spelling of a). Returns the cost; *out is malloc'd.
 */
static size_t wild_distance(const char *p, const char *a, const char *canon, size_t cap, char **out)
{
  size_t pn = strlen(p), an = strlen(a);
  *out = NULL;
  if (pn > 200 || an > 200)
    return cap + 1;
  size_t w = an + 1;
  size_t *D = xmalloc((pn + 1) * w * sizeof *D);
#define AT(i, j) D[(i) * w + (j)]
  for (size_t j = 0; j <= an; j++)
    AT(0, j) = j;
  for (size_t i = 1; i <= pn; i++) {
    char c = p[i - 1];
    AT(i, 0) = AT(i - 1, 0) + (c == '*' ? 0 : 1);
    for (size_t j = 1; j <= an; j++) {
      size_t v;
      if (c == '*') {
        v = AT(i - 1, j) < AT(i, j - 1) ? AT(i - 1, j) : AT(i, j - 1);
      } else {
        bool same = c == '?' || (char)tolower((unsigned char)c) == a[j - 1];
        v = AT(i - 1, j - 1) + (same ? 0 : 1);
        if (AT(i - 1, j) + 1 < v)
          v = AT(i - 1, j) + 1;
        if (AT(i, j - 1) + 1 < v)
          v = AT(i, j - 1) + 1;
      }
      AT(i, j) = v;
    }
  }
  size_t cost = AT(pn, an);
  *out = NULL;
  if (cost <= cap) {
    /* Walk back, preferring: a star consuming, a match, dropping a pattern
     * character, a substitution, an insertion. Built reversed. */
    hg_buf b;
    hg_buf_init(&b);
    size_t i = pn, j = an;
    while (i > 0 || j > 0) {
      char c = i > 0 ? p[i - 1] : 0;
      if (i > 0 && c == '*') {
        if (j > 0 && AT(i, j) == AT(i, j - 1)) {
          j--;
        } else {
          hg_buf_putc(&b, '*');
          i--;
        }
        continue;
      }
      bool same = i > 0 && j > 0 && (c == '?' || (char)tolower((unsigned char)c) == a[j - 1]);
      if (same && AT(i, j) == AT(i - 1, j - 1)) {
        hg_buf_putc(&b, c == '?' ? '?' : canon[j - 1]);
        i--, j--;
      } else if (i > 0 && AT(i, j) == AT(i - 1, j) + 1) {
        i--;
      } else if (i > 0 && j > 0 && AT(i, j) == AT(i - 1, j - 1) + 1) {
        hg_buf_putc(&b, canon[j - 1]);
        i--, j--;
      } else {
        hg_buf_putc(&b, canon[j - 1]);
        j--;
      }
    }
    size_t n;
    char *rev = hg_buf_take(&b, &n);
    for (size_t k = 0; k < n / 2; k++) {
      char t = rev[k];
      rev[k] = rev[n - 1 - k];
      rev[n - 1 - k] = t;
    }
    *out = rev;
  }
#undef AT
  free(D);
  return cost;
}

/* Closest matching correction of wildcard action pattern act in service s. */
static char *closest_pattern(const hg_iam_db *db, const iam_service *s, const char *act)
{
  size_t lit = 0;
  for (const char *p = act; *p; p++)
    lit += *p != '*' && *p != '?';
  size_t cap = cap_for(lit), best_d = cap + 1;
  char *best = NULL;
  for (size_t i = s->first; i < s->first + s->count; i++) {
    const iam_entry *en = &db->e[i];
    char *fix;
    size_t d = wild_distance(act, en->lower + en->svc_len + 1, en->name + en->svc_len + 1,
                             best_d - 1, &fix);
    if (fix && d < best_d) {
      free(best);
      best = fix;
      best_d = d;
    } else {
      free(fix);
    }
  }
  return best;
}

/* The closest service prefix to svc; NULL when none is close. */
static const iam_service *closest_service(const hg_iam_db *db, const char *svc, size_t n)
{
  char *w = lower_dup(svc, n);
  size_t cap = cap_for(strlen(w)), best_d = cap + 1;
  const iam_service *best = NULL;
  for (size_t i = 0; i < db->ns; i++) {
    size_t d = hg_edit_distance(w, db->s[i].lower, cap);
    if (d < best_d) {
      best_d = d;
      best = &db->s[i];
    }
  }
  free(w);
  return best;
}

char *hg_iam_db_suggest(const hg_iam_db *db, const char *action)
{
  const char *colon = strchr(action, ':');
  if (!colon)
    return NULL;
  size_t sl = (size_t)(colon - action);
  const char *act = colon + 1;
  if (has_wild(action, sl))
    return NULL;
  const iam_service *s = find_service(db, action, sl);
  if (!s) {
    s = closest_service(db, action, sl);
    if (!s)
      return NULL;
    char *fixed = xasprintf("%s:%s", s->name, act);
    if (has_wild(act, strlen(act))) {
      if (hg_iam_db_match(db, fixed, NULL))
        return fixed;
    } else {
      const char *canon = hg_iam_db_find(db, fixed);
      if (canon) {
        free(fixed);
        return xstrdup(canon);
      }
    }
    free(fixed);
    /* Correct the action within the corrected service too. */
  }
  if (has_wild(act, strlen(act))) {
    char *p = closest_pattern(db, s, act);
    if (!p)
      return NULL;
    char *r = xasprintf("%s:%s", s->name, p);
    free(p);
    return r;
  }
  char *probe = xasprintf("%s:%s", s->name, act);
  const char *canon = hg_iam_db_find(db, probe);
  free(probe);
  if (canon)
    return xstrdup(canon);
  const iam_entry *en = closest_action(db, s, act);
  return en ? xstrdup(en->name) : NULL;
}
