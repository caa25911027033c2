/*
 * loopback.h — a listening socket on 127.0.0.1 for unit tests that fork a
 * small HTTP server (test_http.c, test_json_sync.c).
 *
 * hg_test_listen binds a free port chosen by the kernel, listens, and
 * returns the socket with the port in *port. When no socket can be made the
 * test program stops (exit 1): a caller never holds a bad pid to kill. The
 * caller forks; the child serves and should call alarm() so it never
 * outlives a broken test.
 *
 * hg_test_read_request reads one request on connection c into buf (cap
 * bytes, NUL-terminated): the head, then as much body as Content-Length
 * says. Returns the body's start in buf, or NULL when no head came.
 */
#ifndef HG_TEST_LOOPBACK_H
#define HG_TEST_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int hg_test_listen(int *port)
{
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) {
    perror("socket");
    exit(1);
  }
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0 ||
      getsockname(s, (struct sockaddr *)&a, &len) != 0) {
    perror("127.0.0.1");
    exit(1);
  }
  *port = ntohs(a.sin_port);
  return s;
}

static char *hg_test_read_request(int c, char *buf, size_t cap)
{
  size_t got = 0;
  buf[0] = '\0';
  for (;;) {
    ssize_t r = read(c, buf + got, cap - 1 - got);
    if (r <= 0)
      break;
    got += (size_t)r;
    buf[got] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    if (end) {
      char *cl = strcasestr(buf, "content-length:");
      size_t want = cl ? (size_t)atol(cl + 15) : 0;
      if (got >= (size_t)(end + 4 - buf) + want)
        return end + 4;
    }
    if (got == cap - 1)
      break;
  }
  char *end = strstr(buf, "\r\n\r\n");
  return end ? end + 4 : NULL;
}

#endif
