/*
 * awscfg.c — the AWS shared config and credentials files, the Region and the
 * endpoints of each service (see awscfg.h).
 *
 * Invariant: a value read from these files is never put into a diagnostic
 * (the files hold secret keys); syntax errors show the line with only its
 * leading setting name.
 */
#include "hg/awscfg.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdint.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hg/http.h"
#include "hg/util.h"

/* A config file is a few hundred lines; anything larger is not one. */
#define CFG_FILE_MAX (1u << 20)

enum { F_CONFIG = 0, F_CREDS = 1 };

typedef struct entry {
  char *key;     /* lower-cased */
  char *parent;  /* lower-cased key of the nested block, or NULL */
  char *value;
  int line;
} entry;

typedef struct section {
  int file;      /* F_CONFIG or F_CREDS */
  char *kind;    /* "profile", "sso-session", "services", or the raw name */
  char *name;
  int line;
  entry *v;
  size_t n, cap;
} section;

struct hg_awscfg {
  char *path[2];
  char *profile;
  section *s;
  size_t n, cap;
};

static void wipe_free(char *s)
{
  if (s) {
    explicit_bzero(s, strlen(s));
    free(s);
  }
}

void hg_awscfg_free(hg_awscfg *c)
{
  if (!c)
    return;
  for (size_t i = 0; i < c->n; i++) {
    section *s = &c->s[i];
    for (size_t j = 0; j < s->n; j++) {
      free(s->v[j].key);
      free(s->v[j].parent);
      wipe_free(s->v[j].value);
    }
    free(s->v);
    free(s->kind);
    free(s->name);
  }
  free(c->s);
  free(c->path[0]);
  free(c->path[1]);
  free(c->profile);
  free(c);
}

static char *trim(char *s, char *end)
{
  while (s < end && (*s == ' ' || *s == '\t'))
    s++;
  while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
    end--;
  *end = '\0';
  return s;
}

static char *lower_dup(const char *s)
{
  char *d = xstrdup(s);
  for (char *p = d; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return d;
}

/* A syntax error at line:col. The snippet keeps only a leading lower-case
 * setting name: the rest of the line may be a secret. */
static void syntax_error(hg_diag_sink *sink, const char *file, int line, const char *text,
                         int col, const char *msg)
{
  hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, file, line, col, "awscfg-syntax", "%s", msg);
  size_t k = 0;
  const char *p = text + (col > 0 ? col - 1 : 0);
  while (p[k] && ((p[k] >= 'a' && p[k] <= 'z') || p[k] == '_' || p[k] == '-'))
    k++;
  char *snip = xasprintf("%.*s%.*s%s", col > 0 ? col - 1 : 0, "                                ",
                         (int)(k < 64 ? k : 64), p, p[k] ? " ..." : "");
  hg_diag_snippet(d, snip, col > 0 ? col : 1, k > 0 ? (int)(k < 64 ? k : 64) : 1);
  free(snip);
}

/* Parse one file's text into sections of c. Returns the number of errors. */
static int parse_text(hg_awscfg *c, int file, const char *text, const char *name,
                      hg_diag_sink *sink)
{
  char *copy = xstrdup(text);
  size_t copy_len = strlen(copy);
  int errors = 0, lineno = 0;
  section *cur = NULL;
  size_t last = SIZE_MAX;      /* index in cur of the last top-level key=value */
  bool nested_open = false;    /* last had an empty value: indented lines nest */
  for (char *line = copy; line;) {
    char *nl = strchr(line, '\n');
    char *end = nl ? nl : line + strlen(line);
    char *next = nl ? nl + 1 : NULL;
    lineno++;
    bool indented = line < end && (*line == ' ' || *line == '\t');
    char *s = trim(line, end);
    int col = (int)(s - line) + 1;
    if (*s == '\0' || *s == '#' || *s == ';') {
      line = next;
      continue;
    }
    if (*s == '[' && !indented) {
      char *close = strchr(s, ']');
      if (!close) {
        syntax_error(sink, name, lineno, line, col, "a section header without its closing ']'");
        errors++;
        cur = NULL;
        last = SIZE_MAX;
        line = next;
        continue;
      }
      char *after = close + 1;
      while (*after == ' ' || *after == '\t')
        after++;
      if (*after && *after != '#' && *after != ';') {
        syntax_error(sink, name, lineno, line, (int)(after - line) + 1,
                     "text after a section header");
        errors++;
      }
      char *inner = trim(s + 1, close);
      if (!*inner) {
        syntax_error(sink, name, lineno, line, col, "a section without a name");
        errors++;
        cur = NULL;
        last = SIZE_MAX;
        line = next;
        continue;
      }
      if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->s = xrealloc(c->s, c->cap * sizeof *c->s);
      }
      cur = &c->s[c->n++];
      memset(cur, 0, sizeof *cur);
      cur->file = file;
      cur->line = lineno;
      char *sp = inner + strcspn(inner, " \t");
      if (file == F_CREDS) {
        cur->kind = xstrdup("profile");
        cur->name = xstrdup(inner);
      } else if (*sp) {
        *sp = '\0';
        char *rest = sp + 1;
        while (*rest == ' ' || *rest == '\t')
          rest++;
        cur->kind = xstrdup(inner);
        cur->name = xstrdup(rest);
      } else if (strcmp(inner, "default") == 0) {
        cur->kind = xstrdup("profile");
        cur->name = xstrdup("default");
      } else {
        cur->kind = xstrdup(inner);
        cur->name = xstrdup("");
      }
      last = SIZE_MAX;
      nested_open = false;
      line = next;
      continue;
    }
    if (!cur) {
      syntax_error(sink, name, lineno, line, col,
                   "a setting outside any section (a '[profile NAME]' line must come first)");
      errors++;
      line = next;
      continue;
    }
    char *eq = strpbrk(s, "=:");
    if (indented && last != SIZE_MAX && !nested_open && !eq) {
      /* A continuation line of the previous value (configparser). */
      entry *le = &cur->v[last];
      char *v = xasprintf("%s\n%s", le->value, s);
      wipe_free(le->value);
      le->value = v;
      line = next;
      continue;
    }
    if (!eq) {
      syntax_error(sink, name, lineno, line, col, "expected 'name = value'");
      errors++;
      line = next;
      continue;
    }
    char *k = trim(s, eq);
    char *v = trim(eq + 1, eq + 1 + strlen(eq + 1));
    if (!*k) {
      syntax_error(sink, name, lineno, line, col, "a setting without a name");
      errors++;
      line = next;
      continue;
    }
    if (cur->n == cur->cap) {
      cur->cap = cur->cap ? 2 * cur->cap : 8;
      cur->v = xrealloc(cur->v, cur->cap * sizeof *cur->v);
    }
    entry *e = &cur->v[cur->n++];
    e->key = lower_dup(k);
    e->value = xstrdup(v);
    e->line = lineno;
    e->parent = NULL;
    if (indented && nested_open && last != SIZE_MAX) {
      e->parent = xstrdup(cur->v[last].key); /* a setting of the block `last =` opened */
    } else {
      last = cur->n - 1;
      nested_open = *v == '\0';
    }
    line = next;
  }
  explicit_bzero(copy, copy_len);
  free(copy);
  return errors;
}

static const char *env_nonempty(const char *name)
{
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

static const char *home_dir(void)
{
  const char *home = getenv("HOME");
  if (!home || !*home) {
    struct passwd *pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : NULL;
  }
  return home;
}

/* The path of a shared file: the variable (with ~/ expanded) or ~/.aws/NAME. */
static char *shared_path(const char *var, const char *base)
{
  const char *home = home_dir();
  const char *set = env_nonempty(var);
  if (set) {
    if (set[0] == '~' && set[1] == '/' && home)
      return xasprintf("%s%s", home, set + 1);
    return xstrdup(set);
  }
  return home ? xasprintf("%s/.aws/%s", home, base) : xstrdup("");
}

static hg_awscfg *new_cfg(const char *profile)
{
  hg_awscfg *c = xcalloc(1, sizeof *c);
  const char *p = profile;
  if (!p)
    p = env_nonempty("AWS_PROFILE");
  if (!p)
    p = env_nonempty("AWS_DEFAULT_PROFILE");
  c->profile = xstrdup(p ? p : "default");
  return c;
}

hg_awscfg *hg_awscfg_parse(const char *config_text, const char *config_name,
                           const char *creds_text, const char *creds_name, const char *profile,
                           hg_diag_sink *sink)
{
  hg_awscfg *c = new_cfg(profile);
  c->path[F_CONFIG] = xstrdup(config_name ? config_name : "config");
  c->path[F_CREDS] = xstrdup(creds_name ? creds_name : "credentials");
  int errors = 0;
  if (config_text)
    errors += parse_text(c, F_CONFIG, config_text, c->path[F_CONFIG], sink);
  if (creds_text)
    errors += parse_text(c, F_CREDS, creds_text, c->path[F_CREDS], sink);
  if (errors) {
    hg_awscfg_free(c);
    return NULL;
  }
  return c;
}

/* Read a shared file: NULL text (and 0) when it does not exist, -1 after
 * an error. Refuses what is not a regular file (a FIFO would block). */
static int read_shared(const char *path, const char *what, char **text, hg_diag_sink *sink)
{
  *text = NULL;
  if (!*path)
    return 0;
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return 0;
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-file", "cannot read the %s %s: %s", what,
                path, strerror(errno));
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-file", "the %s %s is a directory", what,
                path);
    return -1;
  }
  if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-file",
                "the %s %s is not a regular file", what, path);
    return -1;
  }
  size_t len = 0;
  char *t = hg_read_file(path, CFG_FILE_MAX, &len);
  if (!t) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-file", "cannot read the %s %s: %s", what,
                path, errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
    return -1;
  }
  if (memchr(t, '\0', len)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-file",
                "the %s %s holds a NUL byte: it is not a text file", what, path);
    explicit_bzero(t, len);
    free(t);
    return -1;
  }
  *text = t;
  return 0;
}

hg_awscfg *hg_awscfg_load(hg_diag_sink *sink)
{
  char *cpath = shared_path("AWS_CONFIG_FILE", "config");
  char *kpath = shared_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  char *ctext = NULL, *ktext = NULL;
  int bad = 0;
  bad += read_shared(cpath, "config file", &ctext, sink) != 0;
  bad += read_shared(kpath, "credentials file", &ktext, sink) != 0;
  hg_awscfg *c = NULL;
  if (!bad) {
    c = hg_awscfg_parse(ctext, cpath, ktext, kpath, NULL, sink);
    if (c) {
      /* An absent file keeps its path for messages. */
      free(c->path[F_CONFIG]);
      free(c->path[F_CREDS]);
      c->path[F_CONFIG] = xstrdup(cpath);
      c->path[F_CREDS] = xstrdup(kpath);
    }
  }
  wipe_free(ctext);
  wipe_free(ktext);
  free(cpath);
  free(kpath);
  return c;
}

const char *hg_awscfg_profile(const hg_awscfg *c)
{
  return c->profile;
}

const char *hg_awscfg_config_path(const hg_awscfg *c)
{
  return c->path[F_CONFIG];
}

const char *hg_awscfg_creds_path(const hg_awscfg *c)
{
  return c->path[F_CREDS];
}

/* The value of key (top level, not nested) in the sections of file, kind
 * and name; the last one wins. */
static const entry *find(const hg_awscfg *c, int file, const char *kind, const char *name,
                         const char *parent, const char *key)
{
  const entry *found = NULL;
  for (size_t i = 0; c && i < c->n; i++) {
    const section *s = &c->s[i];
    if (s->file != file || strcmp(s->kind, kind) != 0 || strcmp(s->name, name) != 0)
      continue;
    for (size_t j = 0; j < s->n; j++) {
      const entry *e = &s->v[j];
      if (strcasecmp(e->key, key) != 0)
        continue;
      if (parent ? (!e->parent || strcasecmp(e->parent, parent) != 0) : e->parent != NULL)
        continue;
      found = e;
    }
  }
  return found;
}

static const char *answer(const hg_awscfg *c, int file, const entry *e, hg_awscfg_where *where)
{
  if (!e)
    return NULL;
  if (where) {
    where->file = c->path[file];
    where->line = e->line;
  }
  return e->value;
}

bool hg_awscfg_has_profile(const hg_awscfg *c, const char *profile)
{
  for (size_t i = 0; c && i < c->n; i++)
    if (strcmp(c->s[i].kind, "profile") == 0 && strcmp(c->s[i].name, profile) == 0)
      return true;
  return false;
}

bool hg_awscfg_profile_where(const hg_awscfg *c, const char *profile, bool in_creds,
                             hg_awscfg_where *where)
{
  int file = in_creds ? F_CREDS : F_CONFIG;
  for (size_t i = 0; c && i < c->n; i++) {
    const section *s = &c->s[i];
    if (s->file == file && strcmp(s->kind, "profile") == 0 && strcmp(s->name, profile) == 0) {
      if (where) {
        where->file = c->path[file];
        where->line = s->line;
      }
      return true;
    }
  }
  return false;
}

const char *hg_awscfg_get(const hg_awscfg *c, const char *profile, const char *key,
                          hg_awscfg_where *where)
{
  const entry *e = find(c, F_CREDS, "profile", profile, NULL, key);
  if (e)
    return answer(c, F_CREDS, e, where);
  return answer(c, F_CONFIG, find(c, F_CONFIG, "profile", profile, NULL, key), where);
}

bool hg_awscfg_in_creds_file(const hg_awscfg *c, const char *profile, const char *key)
{
  return find(c, F_CREDS, "profile", profile, NULL, key) != NULL;
}

const char *hg_awscfg_section_get(const hg_awscfg *c, const char *kind, const char *name,
                                  const char *key, hg_awscfg_where *where)
{
  return answer(c, F_CONFIG, find(c, F_CONFIG, kind, name, NULL, key), where);
}

bool hg_awscfg_has_section(const hg_awscfg *c, const char *kind, const char *name)
{
  for (size_t i = 0; c && i < c->n; i++)
    if (c->s[i].file == F_CONFIG && strcmp(c->s[i].kind, kind) == 0 &&
        strcmp(c->s[i].name, name) == 0)
      return true;
  return false;
}

const char *hg_awscfg_service_get(const hg_awscfg *c, const char *services, const char *service,
                                  const char *key, hg_awscfg_where *where)
{
  return answer(c, F_CONFIG, find(c, F_CONFIG, "services", services, service, key), where);
}

/* ----------------------------------------------------------------- Region */

const char *hg_awscfg_region(const hg_awscfg *c, const char *flag, const char *setting,
                             const char **origin)
{
  const char *o = NULL, *r = NULL;
  if (flag && *flag) {
    r = flag;
    o = "--region";
  } else if (setting && *setting) {
    r = setting;
    o = "the profile's setting";
  } else if ((r = env_nonempty("AWS_REGION"))) {
    o = "AWS_REGION";
  } else if ((r = env_nonempty("AWS_DEFAULT_REGION"))) {
    o = "AWS_DEFAULT_REGION";
  } else if (c && (r = hg_awscfg_get(c, c->profile, "region", NULL)) && *r) {
    o = "the AWS config file";
  } else {
    r = NULL;
  }
  if (origin)
    *origin = o;
  return r;
}

/* -------------------------------------------------------------- endpoints */

/* url with any "user:password@" replaced by "***@", for messages. malloc'd. */
static char *hide_userinfo(const char *url)
{
  const char *scheme = strstr(url, "://");
  const char *from = scheme ? scheme + 3 : url;
  const char *at = strrchr(from, '@');
  if (!at)
    return xstrdup(url);
  return xasprintf("%.*s***%s", (int)(from - url), url, at);
}

int hg_awscfg_check_endpoint(const char *url, const char *origin, char **out,
                             hg_diag_sink *sink)
{
  if (out)
    *out = NULL;
  char *shown = hide_userinfo(url);
  const char *why = NULL;
  CURLU *u = curl_url();
  char *scheme = NULL, *host = NULL, *part = NULL, *full = NULL;
  if (!u) {
    why = "out of memory";
  } else if (hg_http_has_control(url) || strchr(url, ' ')) {
    why = "it holds a space or a control character";
  } else if (strstr(url, ":///")) {
    /* libcurl would read "http:///x" as the host "x". */
    why = "it has no host";
  } else {
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK) {
      why = curl_url_strerror(rc);
    } else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
               (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
      why = "the scheme must be http or https";
    } else if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
               curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
      why = "it must not hold a user name or password";
    } else if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK) {
      why = "it must not have a query ('?...')";
    } else if (curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
      why = "it must not have a fragment ('#...')";
    } else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
      why = "it has no host";
    } else if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
      why = "it cannot be read back";
    }
  }
  if (part) {
    explicit_bzero(part, strlen(part));
    curl_free(part);
  }
  int rc = 0;
  if (why) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "endpoint-invalid",
                             "invalid endpoint URL '%s' (%s): %s", shown, origin, why);
    hg_diag_note(d, "an endpoint is scheme://host[:port][/path], e.g. http://localhost:4566");
    rc = -1;
  } else if (out) {
    size_t n = strlen(full);
    while (n > 0 && full[n - 1] == '/')
      n--;
    *out = xstrndup(full, n);
  }
  curl_free(scheme);
  curl_free(host);
  curl_free(full);
  curl_url_cleanup(u);
  free(shown);
  return rc;
}

static bool truthy(const char *v)
{
  return v && strcasecmp(v, "true") == 0;
}

int hg_awscfg_endpoint(const hg_awscfg *c, const char *service, const char *flag, char **url,
                       const char **origin, hg_diag_sink *sink)
{
  *url = NULL;
  const char *o = NULL, *value = NULL;
  static char origin_buf[512];
  if (flag) {
    value = flag;
    o = "--endpoint-url";
  } else {
    bool ignore = truthy(env_nonempty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"));
    if (!env_nonempty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") && c)
      ignore = truthy(hg_awscfg_get(c, c->profile, "ignore_configured_endpoint_urls", NULL));
    if (!ignore) {
      char var[96];
      size_t n = (size_t)snprintf(var, sizeof var, "AWS_ENDPOINT_URL_");
      for (const char *p = service; *p && n + 1 < sizeof var; p++)
        var[n++] = (char)(*p == '-' || *p == ' ' ? '_' : toupper((unsigned char)*p));
      var[n] = '\0';
      hg_awscfg_where w = {0};
      const char *services = c ? hg_awscfg_get(c, c->profile, "services", NULL) : NULL;
      if ((value = env_nonempty(var))) {
        snprintf(origin_buf, sizeof origin_buf, "%s", var);
        o = origin_buf;
      } else if ((value = env_nonempty("AWS_ENDPOINT_URL"))) {
        o = "AWS_ENDPOINT_URL";
      } else if (services && *services &&
                 (value = hg_awscfg_service_get(c, services, service, "endpoint_url", &w))) {
        snprintf(origin_buf, sizeof origin_buf, "%s:%d", w.file, w.line);
        o = origin_buf;
      } else if (c && (value = hg_awscfg_get(c, c->profile, "endpoint_url", &w)) && *value) {
        snprintf(origin_buf, sizeof origin_buf, "%s:%d", w.file, w.line);
        o = origin_buf;
      } else {
        value = NULL;
      }
    }
  }
  if (origin)
    *origin = o;
  if (!value)
    return 0;
  return hg_awscfg_check_endpoint(value, o, url, sink);
}

char *hg_awscfg_default_endpoint(const char *service, const char *region)
{
  const char *r = region && *region ? region : "us-east-1";
  const char *suffix = strncmp(r, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
  if (strcmp(service, "sso") == 0)
    return xasprintf("https://portal.sso.%s.%s", r, suffix);
  return xasprintf("https://%s.%s.%s", service, r, suffix);
}
