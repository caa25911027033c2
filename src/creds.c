/*
 * creds.c — AWS credentials from the environment or the shared credentials
 * file (see creds.h for the lookup order and the secrecy rule).
 */
#include "hg/creds.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hg/util.h"

/* The file is a few lines; anything larger is not a credentials file. */
#define CREDS_FILE_MAX (1u << 20)

static void wipe(char *s)
{
  if (s)
    explicit_bzero(s, strlen(s));
}

void hg_creds_free(hg_creds *c)
{
  if (!c)
    return;
  wipe(c->secret_key);
  wipe(c->session_token);
  free(c->access_key);
  free(c->secret_key);
  free(c->session_token);
  free(c->source);
  memset(c, 0, sizeof *c);
}

static const char *env_nonempty(const char *name)
{
  const char *v = getenv(name);
  return v && *v ? v : NULL;
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

int hg_creds_parse(const char *text, const char *file, const char *profile, hg_creds *out,
                   hg_diag_sink *sink)
{
  char *copy = xstrdup(text);
  char *key = NULL, *secret = NULL, *token = NULL;
  bool found = false;
  int section_line = 0;
  int lineno = 0;
  bool in_profile = false;

  for (char *line = copy; line;) {
    char *nl = strchr(line, '\n');
    char *end = nl ? nl : line + strlen(line);
    char *next = nl ? nl + 1 : NULL;
    lineno++;
    char *s = trim(line, end);
    if (*s == '\0' || *s == '#' || *s == ';') {
      line = next;
      continue;
    }
    if (*s == '[') {
      char *close = strchr(s, ']');
      in_profile = false;
      if (close) {
        char *name = trim(s + 1, close);
        if (strcmp(name, profile) == 0) {
          /* A repeated section continues the first, as Python's
           * configparser (which the AWS CLI uses) would refuse; taking the
           * union is the forgiving reading. */
          in_profile = true;
          if (!found)
            section_line = lineno;
          found = true;
        }
      }
      line = next;
      continue;
    }
    if (in_profile) {
      char *eq = strpbrk(s, "=:");
      if (eq) {
        char *k = trim(s, eq);
        char *v = trim(eq + 1, eq + 1 + strlen(eq + 1));
        char **slot = NULL;
        if (strcasecmp(k, "aws_access_key_id") == 0)
          slot = &key;
        else if (strcasecmp(k, "aws_secret_access_key") == 0)
          slot = &secret;
        else if (strcasecmp(k, "aws_session_token") == 0 ||
                 (strcasecmp(k, "aws_security_token") == 0 && !token))
          slot = &token;
        if (slot && *v) {
          if (*slot) {
            wipe(*slot);
            free(*slot);
          }
          *slot = xstrdup(v);
        }
      }
    }
    line = next;
  }
  explicit_bzero(copy, strlen(text));
  free(copy);

  int rc;
  if (!found) {
    rc = 0;
  } else if (!key || !secret) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, file, section_line, 1, "creds-incomplete",
                             "profile [%s] has no %s", profile,
                             !key && !secret ? "aws_access_key_id and no aws_secret_access_key"
                             : !key          ? "aws_access_key_id"
                                             : "aws_secret_access_key");
    hg_diag_note(d, "a profile needs both aws_access_key_id and aws_secret_access_key");
    rc = -1;
  } else {
    out->access_key = key;
    out->secret_key = secret;
    out->session_token = token;
    out->source = xasprintf("%s [%s]", file, profile);
    return 1;
  }
  free(key);
  wipe(secret);
  free(secret);
  wipe(token);
  free(token);
  return rc;
}

/* The credentials file's path: AWS_SHARED_CREDENTIALS_FILE (with ~/
 * expanded) or ~/.aws/credentials. malloc'd; NULL when no home is known. */
static char *creds_path(void)
{
  const char *home = getenv("HOME");
  if (!home || !*home) {
    struct passwd *pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : NULL;
  }
  const char *set = env_nonempty("AWS_SHARED_CREDENTIALS_FILE");
  if (set) {
    if (set[0] == '~' && set[1] == '/' && home)
      return xasprintf("%s%s", home, set + 1);
    return xstrdup(set);
  }
  return home ? xasprintf("%s/.aws/credentials", home) : NULL;
}

int hg_creds_load(hg_creds *out, hg_diag_sink *sink)
{
  memset(out, 0, sizeof *out);
  const char *id = env_nonempty("AWS_ACCESS_KEY_ID");
  const char *secret = env_nonempty("AWS_SECRET_ACCESS_KEY");
  if (id && secret) {
    out->access_key = xstrdup(id);
    out->secret_key = xstrdup(secret);
    const char *token = env_nonempty("AWS_SESSION_TOKEN");
    if (!token)
      token = env_nonempty("AWS_SECURITY_TOKEN");
    out->session_token = token ? xstrdup(token) : NULL;
    out->source = xstrdup("environment");
    return 0;
  }
  if (id || secret) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-incomplete",
                             "%s is set but %s is not",
                             id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                             id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    hg_diag_note(d, "set both, or unset both to use the shared credentials file");
    return -1;
  }

  const char *profile = env_nonempty("AWS_PROFILE");
  if (!profile)
    profile = "default";
  char *path = creds_path();
  if (!path) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-missing",
                "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and "
                "neither HOME nor AWS_SHARED_CREDENTIALS_FILE names a credentials file");
    return -1;
  }
  size_t len = 0;
  char *text = hg_read_file(path, CREDS_FILE_MAX, &len);
  if (!text) {
    int err = errno;
    hg_diag *d;
    if (err == ENOENT)
      d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-missing",
                      "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not "
                      "set, and %s does not exist",
                      path);
    else
      d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-file",
                      "cannot read the credentials file %s: %s", path, strerror(err));
    hg_diag_note(d, "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN "
                    "for temporary credentials), or write a [%s] profile to %s "
                    "(AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE choose the file and profile)",
                 profile, path);
    free(path);
    return -1;
  }
  int rc = hg_creds_parse(text, path, profile, out, sink);
  explicit_bzero(text, len);
  free(text);
  if (rc == 0) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "creds-missing",
                             "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                             "are not set, and %s has no profile [%s]",
                             path, profile);
    hg_diag_note(d, "AWS_PROFILE chooses the profile (default: default)");
  }
  free(path);
  return rc == 1 ? 0 : -1;
}
