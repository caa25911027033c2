/* test_http.c — the HTTP layer (error extraction, retries, limits,
 * redaction), the shared AWS config parser, endpoint checks and the
 * credential helpers. The network cases run against a tiny server forked
 * on 127.0.0.1 (a free port) that answers 500s or drips a byte a second. */
#include "harness.h"
#include "loopback.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hg/awscfg.h"
#include "hg/creds.h"
#include "hg/http.h"
#include "hg/s3.h"
#include "hg/util.h"

static int has_code(const hg_diag_sink *s, const char *code)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i].code && strcmp(s->v[i].code, code) == 0)
      return 1;
  return 0;
}

static int sink_mentions(const hg_diag_sink *s, const char *text)
{
  for (size_t i = 0; i < s->n; i++) {
    if (strstr(s->v[i].message, text) || (s->v[i].snippet && strstr(s->v[i].snippet, text)))
      return 1;
    for (size_t j = 0; j < s->v[i].n_notes; j++)
      if (strstr(s->v[i].notes[j], text))
        return 1;
  }
  return 0;
}

/* ------------------------------------------------------------ the server */

enum { SERVE_500, SERVE_DRIP, SERVE_STS_SHORT, SERVE_STS_LONG };

/* Fork a server on 127.0.0.1; returns its pid and the port in *port. */
static pid_t serve(int mode, int *port)
{
  int s = hg_test_listen(port);
  pid_t pid = fork();
  if (pid != 0) {
    close(s);
    return pid;
  }
  alarm(60); /* never outlive a broken test */
  int served = 0;
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0)
      continue;
    char buf[65536];
    (void)hg_test_read_request(c, buf, sizeof buf);
    served++;
    if (mode == SERVE_STS_SHORT || mode == SERVE_STS_LONG) {
      /* AssumeRoleWithWebIdentity: a new key each time, valid 2 minutes
       * (inside the renewal margin) or an hour. */
      if (!strstr(buf, "Action=AssumeRoleWithWebIdentity") || !strstr(buf, "WebIdentityToken=jwt-1")) {
        dprintf(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        close(c);
        continue;
      }
      time_t exp = time(NULL) + (mode == SERVE_STS_SHORT ? 120 : 3600);
      struct tm tm;
      gmtime_r(&exp, &tm);
      char when[32];
      strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
      char body[1024];
      int n = snprintf(body, sizeof body,
                       "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
                       "<Credentials><AccessKeyId>ASIA%d</AccessKeyId>"
                       "<SecretAccessKey>secret%d</SecretAccessKey>"
                       "<SessionToken>token%d</SessionToken><Expiration>%s</Expiration>"
                       "</Credentials></AssumeRoleWithWebIdentityResult>"
                       "</AssumeRoleWithWebIdentityResponse>",
                       served, served, served, when);
      dprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n"
                 "Connection: close\r\n\r\n%s", n, body);
    } else if (mode == SERVE_500) {
      const char body[] = "<?xml version=\"1.0\"?><Error><Code>InternalError</Code>"
                          "<Message>We encountered an internal error. Please try again.</Message>"
                          "</Error>";
      dprintf(c,
              "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/xml\r\n"
              "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
              sizeof body - 1, body);
    } else {
      dprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n");
      for (int i = 0; i < 1000; i++) {
        if (write(c, "x", 1) != 1)
          break;
        sleep(1);
      }
    }
    close(c);
  }
}

static void stop(pid_t pid)
{
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

TEST(http_500_is_an_http_error_not_a_network_one)
{
  int port = 0;
  pid_t pid = serve(SERVE_500, &port);
  char *endpoint = xasprintf("http://127.0.0.1:%d", port);
  hg_creds c = {.access_key = "AKIAEXAMPLE", .secret_key = "secret", .source = "test"};
  hg_s3_config cfg = {.bucket = "acme-cfn", .region = "us-east-1", .endpoint = endpoint,
                      .creds = &c, .retry_seconds = 1.0, .seed = 7};
  hg_s3 *s3 = hg_s3_new(&cfg);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  int attempts = 0;
  CHECK_INTEQ(hg_s3_put(s3, "k.yaml", "x", 1, "application/x-yaml", &attempts, &sink),
              HG_S3_ERR_HTTP);
  CHECK(attempts > 1);
  CHECK_INTEQ(sink.n, 1);
  CHECK_STREQ(sink.v[0].code, "s3-http");
  CHECK_STREQ(sink.v[0].message,
              "cannot upload s3://acme-cfn/k.yaml: 500 InternalError: S3 had an internal error: "
              "try again later");
  CHECK(sink_mentions(&sink, "gave up after"));
  hg_diag_free(&sink);
  hg_s3_free(s3);
  free(endpoint);
  stop(pid);
}

TEST(http_drip_is_abandoned_by_the_low_speed_limit)
{
  int port = 0;
  pid_t pid = serve(SERVE_DRIP, &port);
  char *url = xasprintf("http://127.0.0.1:%d/slow", port);
  hg_http_config cfg = {.low_speed_bytes = 100, .low_speed_seconds = 1, .max_attempts = 1};
  hg_http *h = hg_http_new(&cfg);
  hg_http_request rq = {.url = url};
  hg_http_response rs;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  CHECK_INTEQ(hg_http_send(h, &rq, &rs, &sink), HG_HTTP_ERR_NETWORK);
  CHECK_INTEQ(rs.curl_code, CURLE_OPERATION_TIMEDOUT);
  CHECK_INTEQ(rs.attempts, 1);
  hg_diag *d = hg_http_diag(&sink, "dynamodb", &rs, NULL, "cannot read %s", "x");
  CHECK(d != NULL);
  CHECK_STREQ(sink.v[0].code, "dynamodb-network");
  hg_http_response_free(&rs);
  hg_diag_free(&sink);
  hg_http_free(h);
  free(url);
  stop(pid);
}

/* Web identity through STS: credentials near expiry are renewed on the
 * next hg_creds_get, others are kept. */
static void web_identity_round(int mode, int *first, int *second)
{
  int port = 0;
  pid_t pid = serve(mode, &port);
  char tok[] = "/tmp/hg-wit-XXXXXX";
  int fd = mkstemp(tok);
  CHECK(fd >= 0 && write(fd, "jwt-1\n", 6) == 6);
  close(fd);
  char *ep = xasprintf("http://127.0.0.1:%d", port);
  setenv("AWS_CONFIG_FILE", "/dev/null", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
  setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tok, 1);
  setenv("AWS_ENDPOINT_URL_STS", ep, 1);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_creds_provider *p = hg_creds_provider_new(NULL, &sink);
  const hg_creds *c = hg_creds_get(p, &sink);
  *first = c ? atoi(c->access_key + 4) : -1;
  CHECK(c && c->expiration > time(NULL));
  CHECK(c && strstr(c->source, "web identity") != NULL);
  c = hg_creds_get(p, &sink);
  *second = c ? atoi(c->access_key + 4) : -1;
  CHECK_INTEQ(sink.n, 0);
  hg_creds_provider_free(p);
  hg_diag_free(&sink);
  unsetenv("AWS_ROLE_ARN");
  unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
  unsetenv("AWS_ENDPOINT_URL_STS");
  unsetenv("AWS_CONFIG_FILE");
  unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  unlink(tok);
  free(ep);
  stop(pid);
}

TEST(temporary_credentials_are_renewed_before_they_expire)
{
  int a = 0, b = 0;
  web_identity_round(SERVE_STS_SHORT, &a, &b);
  CHECK_INTEQ(a, 1);
  CHECK_INTEQ(b, 2); /* 2 minutes left: renewed */
  web_identity_round(SERVE_STS_LONG, &a, &b);
  CHECK_INTEQ(a, 1);
  CHECK_INTEQ(b, 1); /* an hour left: kept */
}

TEST(http_refuses_header_injection)
{
  hg_http *h = hg_http_new(NULL);
  const char *headers[] = {"x-amz-sso_bearer_token: abc\r\nX-Evil: 1", NULL};
  hg_http_request rq = {.url = "http://127.0.0.1:1/", .headers = headers};
  hg_http_response rs;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  CHECK(hg_http_send(h, &rq, &rs, &sink) != HG_HTTP_OK);
  CHECK_INTEQ(rs.attempts, 0);
  CHECK(has_code(&sink, "http-header"));
  CHECK(!sink_mentions(&sink, "X-Evil"));
  CHECK(!sink_mentions(&sink, "abc"));
  hg_http_response_free(&rs);
  hg_diag_free(&sink);
  hg_http_free(h);
}

/* ------------------------------------------------------------- pure parts */

TEST(http_error_codes_from_xml_json_and_header)
{
  hg_http_response r;
  memset(&r, 0, sizeof r);
  const char xml[] = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                     "<Message>User is not authorized &amp; denied</Message></Error>"
                     "</ErrorResponse>";
  hg_http_parse_error(xml, sizeof xml - 1, NULL, &r);
  CHECK_STREQ(r.error_code, "AccessDenied");
  CHECK_STREQ(r.error_message, "User is not authorized & denied");
  const char json[] = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
                      "\"message\":\"Requested resource not found\"}";
  hg_http_parse_error(json, sizeof json - 1, NULL, &r);
  CHECK_STREQ(r.error_code, "ResourceNotFoundException");
  CHECK_STREQ(r.error_message, "Requested resource not found");
  hg_http_parse_error("{\"message\":\"Session token not found\"}", 37,
                      "UnauthorizedException:http://internal.amazon.com/", &r);
  CHECK_STREQ(r.error_code, "UnauthorizedException");
  CHECK_STREQ(r.error_message, "Session token not found");
  hg_http_parse_error("{broken", 7, NULL, &r);
  CHECK_STREQ(r.error_code, "");
  hg_http_parse_error("<Code>\x1b[31mRed</Code>", 22, NULL, &r);
  CHECK_STREQ(r.error_code, "?[31mRed");

  CHECK(hg_http_retryable(0, 400, "ThrottlingException"));
  CHECK(hg_http_retryable(0, 400, "ProvisionedThroughputExceededException"));
  CHECK(hg_http_retryable(0, 500, ""));
  CHECK(!hg_http_retryable(0, 400, "ValidationError"));
  CHECK(hg_http_auth_failure(403, "InvalidClientTokenId"));
  CHECK(hg_http_auth_failure(400, "ExpiredTokenException"));
  CHECK(!hg_http_auth_failure(404, "NoSuchBucket"));
}

TEST(http_xml_text_form_and_redaction)
{
  const char b[] = "<R><Credentials><AccessKeyId>ASIA1</AccessKeyId>"
                   "<SessionToken>a&#43;b&lt;c</SessionToken></Credentials></R>";
  char *t = hg_http_xml_text(b, sizeof b - 1, "SessionToken");
  CHECK_STREQ(t, "a+b<c");
  free(t);
  CHECK(hg_http_xml_text(b, sizeof b - 1, "Expiration") == NULL);
  CHECK(hg_http_xml_text("<A>open", 7, "A") == NULL);

  hg_buf f;
  hg_buf_init(&f);
  hg_http_form_add(&f, "Action", "AssumeRole");
  hg_http_form_add(&f, "RoleArn", "arn:aws:iam::1:role/a b+c");
  CHECK_STREQ(f.data, "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b%2Bc");
  hg_buf_free(&f);

  const char h[] = "x-amz-sso_bearer_token: secret-1\r\nX-aws-ec2-metadata-token: secret-2\r\n"
                   "Authorization: AWS4-HMAC-SHA256 Signature=abc\r\nX-Custom: v\r\n";
  char *r = hg_http_redact(h, sizeof h - 1, "x-custom");
  CHECK(strstr(r, "x-amz-sso_bearer_token: [redacted]\r\n") != NULL);
  CHECK(strstr(r, "X-aws-ec2-metadata-token: [redacted]\r\n") != NULL);
  CHECK(strstr(r, "Authorization: [redacted]\r\n") != NULL);
  CHECK(strstr(r, "X-Custom: [redacted]\r\n") != NULL);
  CHECK(strstr(r, "secret-") == NULL && strstr(r, "Signature") == NULL);
  free(r);
}

/* -------------------------------------------------------------- endpoints */

TEST(endpoint_urls_are_parsed_by_curl)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  char *out = NULL;
  CHECK_INTEQ(hg_awscfg_check_endpoint("http://localhost:4566/", "--endpoint-url", &out, &sink), 0);
  CHECK_STREQ(out, "http://localhost:4566");
  free(out);
  CHECK_INTEQ(hg_awscfg_check_endpoint("https://[::1]:9000/base/", "x", &out, &sink), 0);
  CHECK_STREQ(out, "https://[::1]:9000/base");
  free(out);
  CHECK_INTEQ(sink.n, 0);
  static const char *const bad[] = {"http://[::1", "http://h/?q=1", "http://h/#f",
                                    "http://user:s3cretpw@h/", "ftp://h/", "h:9000", "",
                                    "http://h\r\nX: y/", "http:///path"};
  for (size_t i = 0; i < HG_COUNTOF(bad); i++) {
    hg_diag_sink s;
    hg_diag_init(&s);
    CHECK_INTEQ(hg_awscfg_check_endpoint(bad[i], "--endpoint-url", &out, &s), -1);
    CHECK(out == NULL);
    CHECK(has_code(&s, "endpoint-invalid"));
    CHECK(!sink_mentions(&s, "s3cretpw"));
    hg_diag_free(&s);
  }
  char *d = hg_awscfg_default_endpoint("sts", "cn-north-1");
  CHECK_STREQ(d, "https://sts.cn-north-1.amazonaws.com.cn");
  free(d);
  d = hg_awscfg_default_endpoint("sso", "eu-west-1");
  CHECK_STREQ(d, "https://portal.sso.eu-west-1.amazonaws.com");
  free(d);
  hg_diag_free(&sink);
}

/* -------------------------------------------------------------- awscfg */

TEST(awscfg_sections_nesting_and_precedence)
{
  const char config[] = "# comment\n"
                        "[default]\n"
                        "region = eu-west-1\n"
                        "services = dev\n"
                        "[profile ci]\n"
                        "role_arn = arn:aws:iam::1:role/ci\n"
                        "aws_access_key_id = FROMCONFIG\n"
                        "[sso-session acme]\n"
                        "sso_start_url = https://acme.awsapps.com/start\n"
                        "[services dev]\n"
                        "dynamodb =\n"
                        "  endpoint_url = http://localhost:8000\n"
                        "s3 =\n"
                        "  endpoint_url = http://localhost:9000\n"
                        "  addressing_style = path\n";
  const char creds[] = "[ci]\naws_access_key_id = FROMCREDS\n";
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_awscfg *c = hg_awscfg_parse(config, "config", creds, "credentials", "default", &sink);
  CHECK(c != NULL);
  CHECK_INTEQ(sink.n, 0);
  hg_awscfg_where w = {0};
  CHECK_STREQ(hg_awscfg_get(c, "ci", "AWS_ACCESS_KEY_ID", &w), "FROMCREDS");
  CHECK_STREQ(w.file, "credentials");
  CHECK_INTEQ(w.line, 2);
  CHECK(hg_awscfg_in_creds_file(c, "ci", "aws_access_key_id"));
  CHECK_STREQ(hg_awscfg_get(c, "ci", "role_arn", NULL), "arn:aws:iam::1:role/ci");
  CHECK(hg_awscfg_get(c, "default", "role_arn", NULL) == NULL);
  CHECK_STREQ(hg_awscfg_section_get(c, "sso-session", "acme", "sso_start_url", NULL),
              "https://acme.awsapps.com/start");
  CHECK_STREQ(hg_awscfg_service_get(c, "dev", "s3", "endpoint_url", &w), "http://localhost:9000");
  CHECK_INTEQ(w.line, 14);
  CHECK_STREQ(hg_awscfg_service_get(c, "dev", "dynamodb", "endpoint_url", NULL),
              "http://localhost:8000");
  CHECK(hg_awscfg_service_get(c, "dev", "sts", "endpoint_url", NULL) == NULL);
  /* The nested block's keys are not the profile's. */
  CHECK(hg_awscfg_get(c, "default", "endpoint_url", NULL) == NULL);

  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
  unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  char *url = NULL;
  const char *origin = NULL;
  CHECK_INTEQ(hg_awscfg_endpoint(c, "dynamodb", NULL, &url, &origin, &sink), 0);
  CHECK_STREQ(url, "http://localhost:8000");
  CHECK_STREQ(origin, "config:12");
  free(url);
  setenv("AWS_ENDPOINT_URL", "http://global:1", 1);
  CHECK_INTEQ(hg_awscfg_endpoint(c, "dynamodb", NULL, &url, &origin, &sink), 0);
  CHECK_STREQ(url, "http://global:1");
  free(url);
  setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb:2", 1);
  CHECK_INTEQ(hg_awscfg_endpoint(c, "dynamodb", NULL, &url, &origin, &sink), 0);
  CHECK_STREQ(url, "http://ddb:2");
  CHECK_STREQ(origin, "AWS_ENDPOINT_URL_DYNAMODB");
  free(url);
  CHECK_INTEQ(hg_awscfg_endpoint(c, "dynamodb", "http://flag:3", &url, &origin, &sink), 0);
  CHECK_STREQ(url, "http://flag:3");
  free(url);
  setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
  CHECK_INTEQ(hg_awscfg_endpoint(c, "dynamodb", NULL, &url, &origin, &sink), 0);
  CHECK(url == NULL);
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
  unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");

  unsetenv("AWS_REGION");
  unsetenv("AWS_DEFAULT_REGION");
  CHECK_STREQ(hg_awscfg_region(c, NULL, NULL, &origin), "eu-west-1");
  CHECK_STREQ(hg_awscfg_region(c, NULL, "us-west-2", NULL), "us-west-2");
  setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
  CHECK_STREQ(hg_awscfg_region(c, NULL, NULL, NULL), "ap-south-1");
  setenv("AWS_REGION", "sa-east-1", 1);
  CHECK_STREQ(hg_awscfg_region(c, NULL, NULL, NULL), "sa-east-1");
  CHECK_STREQ(hg_awscfg_region(c, "me-south-1", "x", NULL), "me-south-1");
  unsetenv("AWS_REGION");
  unsetenv("AWS_DEFAULT_REGION");
  hg_awscfg_free(c);
  hg_diag_free(&sink);
}

TEST(awscfg_syntax_errors_point_at_the_line_and_hide_values)
{
  const char config[] = "[profile a]\n"
                        "region = eu-west-1\n"
                        "aws_secret_access_key wJalrXUtnFEMIsecretvalue\n"
                        "  ABCDEFSECRETONITSOWN\n"
                        "[profile b\n"
                        "[profile c] junk\n";
  hg_diag_sink sink;
  hg_diag_init(&sink);
  CHECK(hg_awscfg_parse(config, "cfg", NULL, NULL, "a", &sink) == NULL);
  CHECK_INTEQ(sink.errors, 3);
  CHECK_STREQ(sink.v[0].file, "cfg");
  CHECK_INTEQ(sink.v[0].line, 3);
  CHECK_INTEQ(sink.v[0].col, 1);
  CHECK_STREQ(sink.v[0].message, "expected 'name = value'");
  CHECK_STREQ(sink.v[0].snippet, "aws_secret_access_key ...");
  CHECK_INTEQ(sink.v[1].line, 5);
  CHECK_STREQ(sink.v[1].message, "a section header without its closing ']'");
  CHECK_INTEQ(sink.v[2].line, 6);
  CHECK_INTEQ(sink.v[2].col, 13);
  CHECK(!sink_mentions(&sink, "wJalr"));
  CHECK(!sink_mentions(&sink, "ABCDEF"));
  hg_diag_free(&sink);

  /* A NUL or binary junk never crashes; key before any section. */
  hg_diag_init(&sink);
  CHECK(hg_awscfg_parse("key = v\n", "cfg", NULL, NULL, NULL, &sink) == NULL);
  CHECK(has_code(&sink, "awscfg-syntax"));
  hg_diag_free(&sink);
}

/* --------------------------------------------------------- creds helpers */

TEST(creds_command_words_and_process_output)
{
  const char *why = NULL;
  char **v = hg_creds_split_command("/usr/bin/get-creds --profile 'my team' \"a \\\"b\\\"\" c\\ d", &why);
  CHECK(v != NULL);
  if (v) {
    CHECK_STREQ(v[0], "/usr/bin/get-creds");
    CHECK_STREQ(v[1], "--profile");
    CHECK_STREQ(v[2], "my team");
    CHECK_STREQ(v[3], "a \"b\"");
    CHECK_STREQ(v[4], "c d");
    CHECK(v[5] == NULL);
    for (char **a = v; *a; a++)
      free(*a);
    free(v);
  }
  CHECK(hg_creds_split_command("x 'open", &why) == NULL);
  CHECK_STREQ(why, "a quote is not closed");
  CHECK(hg_creds_split_command("   ", &why) == NULL);
  /* No expansion: $HOME and ; stay literal words. */
  v = hg_creds_split_command("echo $HOME;rm", &why);
  CHECK_STREQ(v[1], "$HOME;rm");
  for (char **a = v; *a; a++)
    free(*a);
  free(v);

  hg_creds c;
  const char ok[] = "{\"Version\":1,\"AccessKeyId\":\"AKIA1\",\"SecretAccessKey\":\"s\","
                    "\"SessionToken\":\"t\",\"Expiration\":\"2030-01-02T03:04:05Z\"}";
  CHECK_INTEQ(hg_creds_parse_process_output(ok, sizeof ok - 1, &c, &why), 0);
  CHECK_STREQ(c.access_key, "AKIA1");
  CHECK_STREQ(c.session_token, "t");
  CHECK_INTEQ((long long)c.expiration, 1893553445LL);
  hg_creds_free(&c);
  CHECK_INTEQ(hg_creds_parse_process_output("nope", 4, &c, &why), -1);
  CHECK_STREQ(why, "its output is not a JSON object");
  const char v2[] = "{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}";
  CHECK_INTEQ(hg_creds_parse_process_output(v2, sizeof v2 - 1, &c, &why), -1);
  const char crlf[] = "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\\r\\nX: y\"}";
  CHECK_INTEQ(hg_creds_parse_process_output(crlf, sizeof crlf - 1, &c, &why), -1);
  CHECK_STREQ(why, "a credential in its output holds a control character");

  CHECK_INTEQ((long long)hg_creds_parse_time("1970-01-01T00:00:10Z"), 10LL);
  CHECK_INTEQ((long long)hg_creds_parse_time("2024-02-29T12:00:00.123456Z"), 1709208000LL);
  CHECK_INTEQ((long long)hg_creds_parse_time("2024-02-29T13:00:00+01:00"), 1709208000LL);
  CHECK_INTEQ((long long)hg_creds_parse_time("2024-02-29 12:00:00"), -1LL);
  CHECK_INTEQ((long long)hg_creds_parse_time("2024-13-01T00:00:00Z"), -1LL);
  CHECK_INTEQ((long long)hg_creds_parse_time("2024-01-01T00:00:00Zjunk"), -1LL);
}

TEST(creds_with_control_characters_are_refused)
{
  setenv("AWS_CONFIG_FILE", "/dev/null", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
  setenv("AWS_SESSION_TOKEN", "tok\r\nX-Injected: 1", 1);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_creds c;
  CHECK_INTEQ(hg_creds_load(&c, &sink), -1);
  CHECK(has_code(&sink, "creds-invalid"));
  CHECK(!sink_mentions(&sink, "X-Injected"));
  hg_diag_free(&sink);
  hg_diag_init(&sink);
  CHECK_INTEQ(hg_creds_parse("[p]\naws_access_key_id = A\x01K\naws_secret_access_key = s\n", "f",
                             "p", &c, &sink),
              -1);
  CHECK(has_code(&sink, "creds-invalid"));
  hg_diag_free(&sink);
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_SESSION_TOKEN");
  unsetenv("AWS_CONFIG_FILE");
  unsetenv("AWS_SHARED_CREDENTIALS_FILE");
}
