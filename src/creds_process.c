/*
 * creds_process.c — credentials from a profile's credential_process (AWS
 * CLI User Guide, "Sourcing credentials with an external process").
 *
 * The command line is split into words (hg_creds_split_command) and run
 * with execvp, never through a shell. stdout must be JSON Version 1; stderr
 * is collected and shown as notes after replacing the credentials it may
 * print (the ones of the answer, and any long key-like word) by [redacted].
 * Both are capped at 64 KiB. The process (its whole process group) is killed
 * after HARDENGEN_PROCESS_TIMEOUT seconds (default 60).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "creds_int.h"

#define OUTPUT_MAX (64u * 1024u)
#define DEFAULT_TIMEOUT 60.0
#define STDERR_LINES 20

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double process_timeout(void)
{
  const char *v = getenv("HARDENGEN_PROCESS_TIMEOUT");
  if (v && *v) {
    char *end;
    double t = strtod(v, &end);
    if (end != v && !*end && t > 0 && t <= 3600)
      return t;
  }
  return DEFAULT_TIMEOUT;
}

/* Replace each occurrence of secret in b by [redacted]. */
static void redact_value(hg_buf *b, const char *secret)
{
  if (!secret || strlen(secret) < 4 || !b->data)
    return;
  size_t k = strlen(secret);
  hg_buf out;
  hg_buf_init(&out);
  hg_buf_puts(&out, "");
  for (size_t i = 0; i < b->len;) {
    if (i + k <= b->len && memcmp(b->data + i, secret, k) == 0) {
      hg_buf_puts(&out, "[redacted]");
      i += k;
    } else {
      hg_buf_putc(&out, b->data[i++]);
    }
  }
  explicit_bzero(b->data, b->len);
  hg_buf_free(b);
  *b = out;
}

static bool key_char(unsigned char c)
{
  return isalnum(c) || c == '/' || c == '+' || c == '=';
}

/* Replace every run of 32 or more key-like characters (base64 alphabet:
 * secret keys are 40, session tokens hundreds) by [redacted]. */
static void redact_keylike(hg_buf *b)
{
  if (!b->data)
    return;
  hg_buf out;
  hg_buf_init(&out);
  hg_buf_puts(&out, "");
  for (size_t i = 0; i < b->len;) {
    size_t j = i;
    while (j < b->len && key_char((unsigned char)b->data[j]))
      j++;
    if (j - i >= 32) {
      hg_buf_puts(&out, "[redacted]");
      i = j;
    } else if (j > i) {
      hg_buf_append(&out, b->data + i, j - i);
      i = j;
    } else {
      hg_buf_putc(&out, b->data[i++]);
    }
  }
  explicit_bzero(b->data, b->len);
  hg_buf_free(b);
  *b = out;
}

/* Attach up to STDERR_LINES lines of err as notes, control characters escaped. */
static void stderr_notes(hg_diag *d, const hg_buf *err)
{
  if (!d || !err->data || !err->len)
    return;
  int lines = 0;
  for (const char *line = err->data; line && *line && lines < STDERR_LINES;) {
    const char *nl = memchr(line, '\n', err->len - (size_t)(line - err->data));
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    hg_buf b;
    hg_buf_init(&b);
    hg_buf_puts(&b, "");
    for (size_t i = 0; i < n && i < 300; i++) {
      unsigned char c = (unsigned char)line[i];
      if (c < 0x20 || c == 0x7f)
        hg_buf_printf(&b, "\\x%02x", c);
      else
        hg_buf_putc(&b, (char)c);
    }
    if (n > 0) {
      hg_diag_note(d, "stderr: %s", b.data);
      lines++;
    }
    hg_buf_free(&b);
    line = nl ? nl + 1 : NULL;
  }
}

/* Run argv; collect stdout and stderr. Returns the exit status (>= 0), -1
 * when it could not start (*why), -2 when it timed out and was killed. */
static int run(char **argv, double timeout, hg_buf *out, hg_buf *err, bool *truncated,
               const char **why)
{
  int po[2], pe[2];
  if (pipe2(po, O_CLOEXEC) != 0) {
    *why = strerror(errno);
    return -1;
  }
  if (pipe2(pe, O_CLOEXEC) != 0) {
    *why = strerror(errno);
    close(po[0]);
    close(po[1]);
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    *why = strerror(errno);
    close(po[0]);
    close(po[1]);
    close(pe[0]);
    close(pe[1]);
    return -1;
  }
  if (pid == 0) {
    /* Its own process group, so a timeout kills what it started too. */
    setpgid(0, 0);
    dup2(po[1], STDOUT_FILENO);
    dup2(pe[1], STDERR_FILENO);
    execvp(argv[0], argv);
    int e = errno;
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(e));
    _exit(127);
  }
  setpgid(pid, pid);
  close(po[1]);
  close(pe[1]);
  struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
  hg_buf *bufs[2] = {out, err};
  int open_fds = 2;
  double deadline = now_seconds() + timeout;
  bool timed_out = false;
  while (open_fds > 0) {
    double left = deadline - now_seconds();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    int n = poll(fds, 2, (int)(left * 1000) + 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      char tmp[4096];
      ssize_t r = read(fds[i].fd, tmp, sizeof tmp);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
        continue;
      }
      size_t room = OUTPUT_MAX - (bufs[i]->len < OUTPUT_MAX ? bufs[i]->len : OUTPUT_MAX);
      if ((size_t)r > room)
        *truncated = true;
      hg_buf_append(bufs[i], tmp, (size_t)r < room ? (size_t)r : room);
      explicit_bzero(tmp, sizeof tmp);
    }
  }
  for (int i = 0; i < 2; i++)
    if (fds[i].fd >= 0)
      close(fds[i].fd);
  int status = 0;
  if (timed_out) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  } else {
    /* Both pipes closed: wait for the exit, still within the deadline. */
    for (;;) {
      pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid)
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (r < 0 && errno != EINTR)
        return 128;
      if (now_seconds() > deadline) {
        timed_out = true;
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        break;
      }
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return -2;
}

int hg_creds__process(hg_creds_provider *p, const char *profile, hg_creds *out,
                      hg_diag_sink *sink)
{
  hg_awscfg_where w = {0};
  const char *cmd = hg_awscfg_get(p->cfg, profile, "credential_process", &w);
  const char *why = NULL;
  char **argv = hg_creds_split_command(cmd, &why);
  if (!argv) {
    hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-process",
                "profile [%s]: credential_process cannot be read: %s", profile, why);
    return -1;
  }
  hg_buf o, e;
  hg_buf_init(&o);
  hg_buf_init(&e);
  hg_buf_puts(&o, "");
  hg_buf_puts(&e, "");
  bool truncated = false;
  double timeout = process_timeout();
  int status = run(argv, timeout, &o, &e, &truncated, &why);
  int rc = -1;
  hg_creds got;
  memset(&got, 0, sizeof got);
  const char *bad = NULL;
  if (status == 0 && !truncated && hg_creds_parse_process_output(o.data, o.len, &got, &bad) == 0) {
    rc = 1;
  }
  /* Whatever happened, what it printed on stderr is shown without secrets. */
  redact_value(&e, got.secret_key);
  redact_value(&e, got.session_token);
  redact_keylike(&e);
  hg_diag *d = NULL;
  if (status == -1) {
    d = hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-process",
                    "profile [%s]: cannot start credential_process %s: %s", profile, argv[0], why);
  } else if (status == -2) {
    d = hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-process",
                    "profile [%s]: credential_process %s did not finish within %g s; killed it",
                    profile, argv[0], timeout);
    hg_diag_note(d, "HARDENGEN_PROCESS_TIMEOUT sets the limit in seconds");
  } else if (status != 0) {
    d = hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-process",
                    "profile [%s]: credential_process %s failed with exit status %d", profile,
                    argv[0], status);
  } else if (truncated) {
    d = hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-process",
                    "profile [%s]: credential_process %s printed more than 64 KiB", profile,
                    argv[0]);
  } else if (rc != 1) {
    d = hg_diag_add(sink, HG_SEV_ERROR, w.file, w.line, 0, "creds-process",
                    "profile [%s]: credential_process %s: %s", profile, argv[0], bad);
    hg_diag_note(d, "expected {\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ..., "
                    "\"SessionToken\": ..., \"Expiration\": \"ISO 8601\"} on stdout");
  } else if (e.len > 0) {
    d = hg_diag_add(sink, HG_SEV_NOTE, NULL, 0, 0, "creds-process-stderr",
                    "credential_process %s of profile [%s] wrote on stderr", argv[0], profile);
  }
  stderr_notes(d, &e);
  if (rc == 1) {
    char *origin = xasprintf("profile [%s]: credential_process", profile);
    got.source = origin;
    *out = got;
  } else {
    hg_creds_free(&got);
  }
  explicit_bzero(o.data, o.len);
  hg_buf_free(&o);
  explicit_bzero(e.data, e.len);
  hg_buf_free(&e);
  for (char **a = argv; *a; a++)
    free(*a);
  free(argv);
  return rc;
}
