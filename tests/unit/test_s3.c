/* test_s3.c — S3 addressing, retries, redaction, credentials, the publish
 * plan (manifest checks, keys, order) and the launch link. No network. */
#include "harness.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <unistd.h>

#include "hg/creds.h"
#include "hg/diag.h"
#include "hg/publish.h"
#include "hg/s3.h"
#include "hg/util.h"

/* True when some diagnostic of the sink has this code. */
static int has_code(const hg_diag_sink *s, const char *code)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i].code && strcmp(s->v[i].code, code) == 0)
      return 1;
  return 0;
}

/* True when text occurs in any message or note of the sink. */
static int sink_mentions(const hg_diag_sink *s, const char *text)
{
  for (size_t i = 0; i < s->n; i++) {
    if (strstr(s->v[i].message, text))
      return 1;
    for (size_t j = 0; j < s->v[i].n_notes; j++)
      if (strstr(s->v[i].notes[j], text))
        return 1;
  }
  return 0;
}

/* ------------------------------------------------------------- addressing */

TEST(escape_key_keeps_unreserved_and_slash)
{
  char *k = hg_s3_escape_key("hardening/dev/0af3/a b+c@d~e_f-g.yaml");
  CHECK_STREQ(k, "hardening/dev/0af3/a%20b%2Bc%40d~e_f-g.yaml");
  free(k);
}

TEST(object_url_virtual_hosted_and_path_style)
{
  char *u = hg_s3_object_url(NULL, "acme-cfn", "eu-west-1", "hardening/prod/abc/x.yaml");
  CHECK_STREQ(u, "https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/prod/abc/x.yaml");
  free(u);
  u = hg_s3_object_url("http://localhost:5000/", "acme-cfn", "us-east-1", "p/x.yaml");
  CHECK_STREQ(u, "http://localhost:5000/acme-cfn/p/x.yaml");
  free(u);
  u = hg_s3_object_url("https://minio.example:9000//", "b-1", "us-east-1", "a/");
  CHECK_STREQ(u, "https://minio.example:9000/b-1/a/");
  free(u);
}

TEST(content_types)
{
  CHECK_STREQ(hg_s3_content_type("security.global.yaml"), "application/x-yaml");
  CHECK_STREQ(hg_s3_content_type("x.yml"), "application/x-yaml");
  CHECK_STREQ(hg_s3_content_type("manifest.json"), "application/json");
  CHECK_STREQ(hg_s3_content_type("README"), "application/octet-stream");
}

/* Bucket and Region names: tests/unit/test_validate.c (validate.h). */

/* ---------------------------------------------------------------- errors */

TEST(error_document_and_hints)
{
  const char body[] = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
                      "<Message>The request signature we calculated does not match</Message>"
                      "</Error>";
  char code[64], region[64];
  hg_s3_parse_error(body, sizeof body - 1, code, sizeof code, region, sizeof region);
  CHECK_STREQ(code, "SignatureDoesNotMatch");
  CHECK_STREQ(region, "");
  CHECK_STREQ(hg_s3_error_hint(code), "the secret access key is wrong");

  const char redirect[] = "<Error><Code>AuthorizationHeaderMalformed</Code>"
                          "<Region>eu-central-1</Region></Error>";
  hg_s3_parse_error(redirect, sizeof redirect - 1, code, sizeof code, region, sizeof region);
  CHECK_STREQ(code, "AuthorizationHeaderMalformed");
  CHECK_STREQ(region, "eu-central-1");

  /* Truncated or empty documents give empty fields, never a crash. */
  hg_s3_parse_error("<Error><Code>Slow", 17, code, sizeof code, region, sizeof region);
  CHECK_STREQ(code, "");
  hg_s3_parse_error(NULL, 0, code, sizeof code, region, sizeof region);
  CHECK_STREQ(code, "");
  /* Codes longer than the buffer are cut, not overflowed. */
  char small[5];
  hg_s3_parse_error(body, sizeof body - 1, small, sizeof small, region, sizeof region);
  CHECK_STREQ(small, "Sign");

  CHECK(hg_s3_error_hint("NoSuchThing") == NULL);
  CHECK(hg_s3_error_hint(NULL) == NULL);
}

TEST(retry_policy)
{
  CHECK(hg_s3_retryable(CURLE_COULDNT_CONNECT, 0, NULL));
  CHECK(hg_s3_retryable(CURLE_OPERATION_TIMEDOUT, 0, NULL));
  CHECK(hg_s3_retryable(CURLE_COULDNT_RESOLVE_HOST, 0, NULL));
  CHECK(!hg_s3_retryable(CURLE_PEER_FAILED_VERIFICATION, 0, NULL));
  CHECK(hg_s3_retryable(0, 503, "SlowDown"));
  CHECK(hg_s3_retryable(0, 503, ""));
  CHECK(hg_s3_retryable(0, 500, "InternalError"));
  CHECK(hg_s3_retryable(0, 429, ""));
  CHECK(hg_s3_retryable(0, 400, "RequestTimeout"));
  CHECK(!hg_s3_retryable(0, 403, "SignatureDoesNotMatch"));
  CHECK(!hg_s3_retryable(0, 404, "NoSuchBucket"));
  CHECK(!hg_s3_retryable(0, 400, "InvalidDigest"));
}

TEST(backoff_is_bounded_and_reproducible)
{
  uint32_t a = 42, b = 42;
  double total = 0;
  for (int attempt = 1; attempt <= 10; attempt++) {
    double da = hg_s3_backoff(attempt, &a), db = hg_s3_backoff(attempt, &b);
    CHECK(da == db);
    double base = attempt >= 5 ? 4.0 : 0.25 * (double)(1 << (attempt - 1));
    CHECK(da >= base / 2 && da < base);
    total += da;
  }
  CHECK(total < 4.0 * 10);
  /* A zero state still moves. */
  uint32_t z = 0;
  double d1 = hg_s3_backoff(3, &z);
  CHECK(z != 0);
  CHECK(d1 >= 0.5 && d1 < 1.0);
}

TEST(redaction_of_secret_headers)
{
  const char headers[] =
      "PUT /b/k HTTP/1.1\r\n"
      "Host: localhost:5000\r\n"
      "Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/s3/"
      "aws4_request, SignedHeaders=host;x-amz-date, Signature=deadbeef\r\n"
      "x-amz-security-token: FwoGZXIvYXdzEXAMPLETOKEN\r\n"
      "X-Amz-Security-Token:FwoGZXIvYXdzEXAMPLETOKEN\r\n"
      "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
      "x-amz-content-sha256: e3b0c442\r\n"
      "Authorizationx: keep\r\n"
      "\r\n";
  char *r = hg_s3_redact(headers, sizeof headers - 1);
  CHECK(strstr(r, "deadbeef") == NULL);
  CHECK(strstr(r, "AKIAEXAMPLE") == NULL);
  CHECK(strstr(r, "EXAMPLETOKEN") == NULL);
  CHECK(strstr(r, "dXNlcjpwYXNz") == NULL);
  CHECK(strstr(r, "Authorization: [redacted]\r\n") != NULL);
  CHECK(strstr(r, "x-amz-security-token: [redacted]\r\n") != NULL);
  CHECK(strstr(r, "X-Amz-Security-Token: [redacted]\r\n") != NULL);
  CHECK(strstr(r, "Host: localhost:5000\r\n") != NULL);
  CHECK(strstr(r, "x-amz-content-sha256: e3b0c442\r\n") != NULL);
  CHECK(strstr(r, "Authorizationx: keep\r\n") != NULL);
  CHECK(hg_ends_with(r, "\r\n\r\n"));
  free(r);
  /* A single line without a newline (curl's HEADER_IN pieces). */
  r = hg_s3_redact("authorization: x", 16);
  CHECK_STREQ(r, "authorization: [redacted]");
  free(r);
}

/* ------------------------------------------------------------ credentials */

TEST(creds_parse_profiles)
{
  const char text[] = "# comment\n"
                      "[default]\n"
                      "aws_access_key_id = AKIADEFAULT\n"
                      "aws_secret_access_key = defaultsecret\n"
                      "\n"
                      "[ ci ]\r\n"
                      "; another comment\r\n"
                      "AWS_ACCESS_KEY_ID=AKIACI\r\n"
                      "aws_secret_access_key=ci/secret+with=signs\r\n"
                      "aws_session_token = token123\r\n"
                      "region = eu-west-1\r\n"
                      "[broken]\n"
                      "aws_access_key_id = AKIABROKEN\n";
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_creds c;
  memset(&c, 0, sizeof c);
  CHECK_INTEQ(hg_creds_parse(text, "creds", "default", &c, &sink), 1);
  CHECK_STREQ(c.access_key, "AKIADEFAULT");
  CHECK_STREQ(c.secret_key, "defaultsecret");
  CHECK(c.session_token == NULL);
  CHECK_STREQ(c.source, "creds [default]");
  hg_creds_free(&c);
  CHECK(c.secret_key == NULL);

  CHECK_INTEQ(hg_creds_parse(text, "creds", "ci", &c, &sink), 1);
  CHECK_STREQ(c.access_key, "AKIACI");
  CHECK_STREQ(c.secret_key, "ci/secret+with=signs");
  CHECK_STREQ(c.session_token, "token123");
  hg_creds_free(&c);

  CHECK_INTEQ(hg_creds_parse(text, "creds", "nope", &c, &sink), 0);
  CHECK_INTEQ(sink.n, 0);

  CHECK_INTEQ(hg_creds_parse(text, "creds", "broken", &c, &sink), -1);
  CHECK_INTEQ(sink.errors, 1);
  CHECK_STREQ(sink.v[0].code, "creds-incomplete");
  CHECK_STREQ(sink.v[0].file, "creds");
  CHECK_INTEQ(sink.v[0].line, 12);
  CHECK_STREQ(sink.v[0].message, "profile [broken] has no aws_secret_access_key");
  CHECK(!sink_mentions(&sink, "AKIABROKEN"));
  hg_diag_free(&sink);
}

TEST(creds_from_environment_and_file)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_creds c;

  setenv("AWS_CONFIG_FILE", "/dev/null", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  unsetenv("AWS_ROLE_ARN");
  unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
  unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  setenv("AWS_SESSION_TOKEN", "envtoken", 1);
  CHECK_INTEQ(hg_creds_load(&c, &sink), 0);
  CHECK_STREQ(c.access_key, "AKIAENV");
  CHECK_STREQ(c.secret_key, "envsecret");
  CHECK_STREQ(c.session_token, "envtoken");
  CHECK_STREQ(c.source, "environment");
  hg_creds_free(&c);

  /* Half a pair is an error, not a silent fallback to the file. */
  unsetenv("AWS_ACCESS_KEY_ID");
  CHECK_INTEQ(hg_creds_load(&c, &sink), -1);
  CHECK_STREQ(sink.v[0].code, "creds-incomplete");
  CHECK_STREQ(sink.v[0].message, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  CHECK(!sink_mentions(&sink, "envsecret"));
  hg_diag_free(&sink);
  hg_diag_init(&sink);
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_SESSION_TOKEN");

  char dir[] = "/tmp/hg-creds-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char *path = xasprintf("%s/credentials", dir);
  const char text[] = "[default]\naws_access_key_id=AKIAFILE\naws_secret_access_key=filesecret\n"
                      "[other]\naws_access_key_id=AKIAOTHER\naws_secret_access_key=othersecret\n";
  CHECK_INTEQ(hg_write_atomic(path, text, sizeof text - 1), 0);
  setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
  unsetenv("AWS_PROFILE");
  CHECK_INTEQ(hg_creds_load(&c, &sink), 0);
  CHECK_STREQ(c.access_key, "AKIAFILE");
  hg_creds_free(&c);
  setenv("AWS_PROFILE", "other", 1);
  CHECK_INTEQ(hg_creds_load(&c, &sink), 0);
  CHECK_STREQ(c.secret_key, "othersecret");
  char *want_source = xasprintf("%s [other]", path);
  CHECK_STREQ(c.source, want_source);
  free(want_source);
  hg_creds_free(&c);

  /* A profile named by AWS_PROFILE that no file has is an error naming both
   * files; so is a missing file. */
  setenv("AWS_PROFILE", "absent", 1);
  CHECK_INTEQ(hg_creds_load(&c, &sink), -1);
  CHECK_STREQ(sink.v[0].code, "creds-profile");
  char *want = xasprintf("the profile 'absent' (AWS_PROFILE) is in neither /dev/null nor %s",
                         path);
  CHECK_STREQ(sink.v[0].message, want);
  free(want);
  hg_diag_free(&sink);
  hg_diag_init(&sink);
  unlink(path);
  CHECK_INTEQ(hg_creds_load(&c, &sink), -1);
  CHECK_STREQ(sink.v[0].code, "creds-profile");
  CHECK(sink_mentions(&sink, "[profile absent]"));
  CHECK(!sink_mentions(&sink, "othersecret"));
  hg_diag_free(&sink);
  hg_diag_init(&sink);
  /* Nothing at all: one block listing every source and why it did not apply. */
  unsetenv("AWS_PROFILE");
  CHECK_INTEQ(hg_creds_load(&c, &sink), -1);
  CHECK_STREQ(sink.v[0].code, "creds-missing");
  CHECK(sink_mentions(&sink, "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"));
  CHECK(sink_mentions(&sink, "web identity: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set"));
  CHECK(sink_mentions(&sink, "profile [default]: in neither /dev/null nor"));
  CHECK(sink_mentions(&sink, "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"));
  CHECK(sink_mentions(&sink, "EC2 instance metadata: AWS_EC2_METADATA_DISABLED=true"));
  hg_diag_free(&sink);

  unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  unsetenv("AWS_CONFIG_FILE");
  unsetenv("AWS_EC2_METADATA_DISABLED");
  unsetenv("AWS_PROFILE");
  rmdir(dir);
  free(path);
}

/* -------------------------------------------------------- manifest & plan */

static const char child_yaml[] = "Resources: {}\n";
static const char parent_yaml[] = "Resources: {Child: {Type: AWS::CloudFormation::Stack}}\n";

/* A built folder DIR/dev with two templates and a manifest; mutate lets a
 * test damage the manifest text. Returns the folder (malloc'd). */
static char *make_build(char *root, const char *manifest_override)
{
  CHECK(mkdtemp(root) != NULL);
  char *dir = xasprintf("%s/dev", root);
  hg_mkdirs(dir, 0755);
  char *p = xasprintf("%s/cloudtrail.global.yaml", dir);
  hg_write_atomic(p, child_yaml, strlen(child_yaml));
  free(p);
  p = xasprintf("%s/security.global.yaml", dir);
  hg_write_atomic(p, parent_yaml, strlen(parent_yaml));
  free(p);
  char sc[65], sp[65];
  hg_sha256_hex(child_yaml, strlen(child_yaml), sc);
  hg_sha256_hex(parent_yaml, strlen(parent_yaml), sp);
  char *m = manifest_override
                ? xstrdup(manifest_override)
                : xasprintf("{\"tool\":\"hardengen\",\"version\":\"0.1.0\",\"env\":\"dev\","
                            "\"digest\":\"0123456789abcdef\",\"parent\":\"security.global.yaml\","
                            "\"parameters\":{\"CFtemplateBucketURL\":\"https://x/\","
                            "\"Bucket4Logs\":\"acme-logs\",\"LogRetentionDays\":365,"
                            "\"AWSAccountName\":\"acme dev, eu\",\"InfosecEmail\":\"sec+ops@example.com\","
                            "\"DevOpsEmail\":\"o'neil@example.com\"},"
                            "\"templates\":[{\"name\":\"security.global.yaml\",\"size\":%zu,"
                            "\"sha256\":\"%s\",\"resources\":1},"
                            "{\"name\":\"cloudtrail.global.yaml\",\"size\":%zu,\"sha256\":\"%s\","
                            "\"resources\":0}],\"filters\":[]}\n",
                            strlen(parent_yaml), sp, strlen(child_yaml), sc);
  p = xasprintf("%s/manifest.json", dir);
  hg_write_atomic(p, m, strlen(m));
  free(p);
  free(m);
  return dir;
}

static void remove_build(const char *root, const char *dir)
{
  const char *names[] = {"cloudtrail.global.yaml", "security.global.yaml", "manifest.json"};
  for (size_t i = 0; i < 3; i++) {
    char *p = xasprintf("%s/%s", dir, names[i]);
    unlink(p);
    free(p);
  }
  rmdir(dir);
  rmdir(root);
}

TEST(plan_keys_order_and_urls)
{
  char root[] = "/tmp/hg-pub-XXXXXX";
  char *dir = make_build(root, NULL);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_publish_plan plan;
  hg_publish_opts o = {.env = "dev", .dir = dir, .bucket = "acme-cfn", .prefix = "/hardening",
                       .region = "eu-west-1"};
  CHECK_INTEQ(hg_publish_plan_make(&o, &plan, &sink), 0);
  CHECK_INTEQ(sink.n, 0);
  CHECK_INTEQ(plan.n_objects, 3);
  CHECK_STREQ(plan.prefix, "hardening/");
  CHECK_STREQ(plan.folder, "hardening/dev/0123456789abcdef/");
  /* Children, then the parent, then the manifest. */
  CHECK_STREQ(plan.objects[0].key, "hardening/dev/0123456789abcdef/cloudtrail.global.yaml");
  CHECK_STREQ(plan.objects[1].key, "hardening/dev/0123456789abcdef/security.global.yaml");
  CHECK_STREQ(plan.objects[2].key, "hardening/dev/0123456789abcdef/manifest.json");
  CHECK_STREQ(plan.objects[2].content_type, "application/json");
  CHECK_STREQ(plan.objects[0].content_type, "application/x-yaml");
  CHECK_INTEQ(plan.objects[0].len, strlen(child_yaml));
  CHECK_STREQ(plan.folder_url,
              "https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/dev/0123456789abcdef/");
  CHECK_STREQ(plan.template_url, "https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/dev/"
                                 "0123456789abcdef/security.global.yaml");
  CHECK_STREQ(plan.stack_name, "hardengen-dev");

  char *link = hg_publish_launch_link(&plan);
  CHECK_STREQ(link,
              "https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1"
              "#/stacks/create/review"
              "?templateURL=https%3A%2F%2Facme-cfn.s3.eu-west-1.amazonaws.com%2Fhardening%2Fdev"
              "%2F0123456789abcdef%2Fsecurity.global.yaml"
              "&stackName=hardengen-dev"
              "&param_CFtemplateBucketURL=https%3A%2F%2Facme-cfn.s3.eu-west-1.amazonaws.com"
              "%2Fhardening%2Fdev%2F0123456789abcdef%2F"
              "&param_Bucket4Logs=acme-logs"
              "&param_LogRetentionDays=365"
              "&param_AWSAccountName=acme%20dev%2C%20eu"
              "&param_InfosecEmail=sec%2Bops%40example.com"
              "&param_DevOpsEmail=o%27neil%40example.com");
  free(link);

  char *cmd = hg_publish_cli_command(&plan);
  CHECK_STREQ(cmd,
              "aws cloudformation create-stack --region eu-west-1 --stack-name hardengen-dev "
              "--template-url https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/dev/"
              "0123456789abcdef/security.global.yaml --parameters "
              "ParameterKey=CFtemplateBucketURL,ParameterValue=https://acme-cfn.s3.eu-west-1."
              "amazonaws.com/hardening/dev/0123456789abcdef/ "
              "ParameterKey=Bucket4Logs,ParameterValue=acme-logs "
              "ParameterKey=LogRetentionDays,ParameterValue=365 "
              "'ParameterKey=AWSAccountName,ParameterValue=acme dev\\, eu' "
              "ParameterKey=InfosecEmail,ParameterValue=sec+ops@example.com "
              "'ParameterKey=DevOpsEmail,ParameterValue=o'\\''neil@example.com' "
              "--capabilities CAPABILITY_NAMED_IAM --enable-termination-protection");
  free(cmd);
  hg_publish_plan_free(&plan);

  /* Path style under an endpoint, no prefix, and the endpoint in the command. */
  hg_publish_opts e = {.env = "dev", .dir = dir, .bucket = "acme-cfn", .region = "us-east-1",
                       .endpoint = "http://localhost:5000/"};
  CHECK_INTEQ(hg_publish_plan_make(&e, &plan, &sink), 0);
  CHECK_STREQ(plan.folder_url, "http://localhost:5000/acme-cfn/dev/0123456789abcdef/");
  cmd = hg_publish_cli_command(&plan);
  CHECK(strncmp(cmd, "aws --endpoint-url http://localhost:5000 cloudformation create-stack ",
                69) == 0);
  free(cmd);
  hg_publish_plan_free(&plan);
  hg_diag_free(&sink);
  remove_build(root, dir);
  free(dir);
}

TEST(url_encoding_of_launch_values)
{
  char *e = hg_publish_url_encode("secops@example.com");
  CHECK_STREQ(e, "secops%40example.com");
  free(e);
  e = hg_publish_url_encode("a b&c=d/e#f");
  CHECK_STREQ(e, "a%20b%26c%3Dd%2Fe%23f");
  free(e);
  e = hg_publish_url_encode("");
  CHECK_STREQ(e, "");
  free(e);
}

TEST(plan_rejects_bad_options)
{
  char root[] = "/tmp/hg-pub-XXXXXX";
  char *dir = make_build(root, NULL);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_publish_plan plan;
  hg_publish_opts o = {.env = "dev", .dir = dir, .bucket = "Bad_Bucket", .prefix = "a b/",
                       .region = "eu-west-1:x", .endpoint = "ftp://x"};
  CHECK_INTEQ(hg_publish_plan_make(&o, &plan, &sink), -1);
  CHECK_INTEQ(sink.errors, 4);
  CHECK_STREQ(sink.v[0].message, "invalid bucket name 'Bad_Bucket': a bucket name holds only "
                                 "lowercase letters, digits, '-' and '.'");
  CHECK_STREQ(sink.v[1].message, "invalid Region 'eu-west-1:x'");
  CHECK_STREQ(sink.v[2].message,
              "invalid endpoint URL 'ftp://x' (--endpoint-url): the scheme must be http or https");
  CHECK_STREQ(sink.v[2].code, "endpoint-invalid");
  CHECK_STREQ(sink.v[3].message, "invalid prefix 'a b/'");
  CHECK_STREQ(sink.v[3].code, "publish-option");
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  /* Dot segments would let libcurl climb out of the bucket (path style). */
  static const char *const dots[] = {"../../x/", "a/./b", "..", "a/../b/", "./"};
  for (size_t i = 0; i < HG_COUNTOF(dots); i++) {
    hg_publish_opts dd = {.env = "dev", .dir = dir, .bucket = "acme-cfn", .prefix = dots[i],
                          .region = "eu-west-1", .endpoint = "http://localhost:9000"};
    CHECK_INTEQ(hg_publish_plan_make(&dd, &plan, &sink), -1);
    CHECK(sink.n == 1 && strcmp(sink.v[0].code, "publish-option") == 0);
    hg_diag_free(&sink);
    hg_diag_init(&sink);
  }

  /* Dots work but break TLS for virtual-hosted URLs: a warning. */
  hg_publish_opts d = {.env = "dev", .dir = dir, .bucket = "acme.cfn", .region = "eu-west-1"};
  CHECK_INTEQ(hg_publish_plan_make(&d, &plan, &sink), 0);
  CHECK_INTEQ(sink.warnings, 1);
  CHECK_STREQ(sink.v[0].code, "publish-bucket-dots");
  hg_publish_plan_free(&plan);
  hg_diag_free(&sink);
  remove_build(root, dir);
  free(dir);
}

TEST(plan_detects_stale_output)
{
  char root[] = "/tmp/hg-pub-XXXXXX";
  char *dir = make_build(root, NULL);
  char *p = xasprintf("%s/cloudtrail.global.yaml", dir);
  hg_write_atomic(p, "Resources: {X: 1}\n", 18);
  free(p);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_publish_plan plan;
  hg_publish_opts o = {.env = "dev", .dir = dir, .bucket = "acme-cfn", .region = "eu-west-1"};
  CHECK_INTEQ(hg_publish_plan_make(&o, &plan, &sink), -1);
  CHECK_INTEQ(sink.errors, 1);
  CHECK_STREQ(sink.v[0].code, "publish-stale");
  char *want = xasprintf("%s/cloudtrail.global.yaml does not match manifest.json (size "
                         "differs): it changed after the build",
                         dir);
  CHECK_STREQ(sink.v[0].message, want);
  free(want);
  CHECK_STREQ(sink.v[0].notes[0], "run `hardengen build --env dev` again");
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  /* Same size, other bytes. */
  p = xasprintf("%s/cloudtrail.global.yaml", dir);
  hg_write_atomic(p, "Resources: []\n", 14);
  free(p);
  CHECK_INTEQ(hg_publish_plan_make(&o, &plan, &sink), -1);
  CHECK_INTEQ(sink.errors, 1);
  CHECK(strstr(sink.v[0].message, "(sha256 differs)") != NULL);
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  /* The wrong environment's manifest. */
  hg_publish_opts w = {.env = "prod", .dir = dir, .bucket = "acme-cfn", .region = "eu-west-1"};
  CHECK_INTEQ(hg_publish_plan_make(&w, &plan, &sink), -1);
  CHECK_STREQ(sink.v[0].message, "the manifest is for environment 'dev', not 'prod'");
  hg_diag_free(&sink);
  remove_build(root, dir);
  free(dir);
}

TEST(plan_without_manifest)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_publish_plan plan;
  hg_publish_opts o = {.env = "dev", .dir = "/nonexistent/out/dev", .bucket = "acme-cfn",
                       .region = "eu-west-1"};
  CHECK_INTEQ(hg_publish_plan_make(&o, &plan, &sink), -1);
  CHECK(has_code(&sink, "manifest-missing"));
  CHECK_STREQ(sink.v[0].message, "/nonexistent/out/dev/manifest.json does not exist");
  CHECK_STREQ(sink.v[0].notes[0], "run `hardengen build --env dev` first");
  hg_diag_free(&sink);
}

TEST(manifest_errors)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_manifest m;

  const char bad_json[] = "{\n  \"env\": \"dev\",\n  \"digest\": oops\n}\n";
  CHECK_INTEQ(hg_manifest_parse(bad_json, sizeof bad_json - 1, "out/dev/manifest.json", &m, &sink), -1);
  CHECK_INTEQ(sink.errors, 1);
  CHECK_STREQ(sink.v[0].message, "manifest.json is not valid JSON");
  CHECK_INTEQ(sink.v[0].line, 3);
  CHECK_INTEQ(sink.v[0].col, 13);
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  /* Every problem is reported, not only the first. */
  const char bad[] = "{\"env\":\"dev\",\"digest\":\"XYZ\",\"parent\":\"p.yaml\",\"parameters\":"
                     "{\"A\":[1]},\"templates\":[{\"name\":\"../etc/passwd\",\"size\":1,\"sha256\":"
                     "\"00\"},{\"name\":\"a.yaml\",\"size\":-1,\"sha256\":\"zz\"},"
                     "{\"name\":\"manifest.json\"}]}";
  CHECK_INTEQ(hg_manifest_parse(bad, sizeof bad - 1, "m.json", &m, &sink), -1);
  CHECK_INTEQ(sink.errors, 7);
  CHECK_STREQ(sink.v[0].message, "\"digest\" is not a hex digest: 'XYZ'");
  CHECK_STREQ(sink.v[1].message, "parameter \"A\" is not a string, number or boolean");
  CHECK_STREQ(sink.v[2].message, "template 1 has no plain file name (\"name\")");
  CHECK_STREQ(sink.v[3].message, "template \"a.yaml\" has no valid \"size\"");
  CHECK_STREQ(sink.v[4].message, "template \"a.yaml\" has no valid \"sha256\"");
  CHECK_STREQ(sink.v[5].message, "template 3 has no plain file name (\"name\")");
  CHECK_STREQ(sink.v[6].message, "the parent template \"p.yaml\" is not listed in \"templates\"");
  CHECK_STREQ(sink.v[6].file, "m.json");
  CHECK_STREQ(sink.v[6].code, "manifest-invalid");
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  CHECK_INTEQ(hg_manifest_parse("[]", 2, "m.json", &m, &sink), -1);
  CHECK_STREQ(sink.v[0].message, "manifest.json is not a JSON object");
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  CHECK_INTEQ(hg_manifest_parse("{}", 2, "m.json", &m, &sink), -1);
  CHECK_INTEQ(sink.errors, 5);
  CHECK_STREQ(sink.v[0].message, "\"env\" is missing or not a non-empty string");
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  const char dup[] = "{\"env\":\"dev\",\"digest\":\"0123456789\",\"parent\":\"a.yaml\","
                     "\"parameters\":{},\"templates\":["
                     "{\"name\":\"a.yaml\",\"size\":1,\"sha256\":\"" /* 64 hex */
                     "0000000000000000000000000000000000000000000000000000000000000000\"},"
                     "{\"name\":\"a.yaml\",\"size\":1,\"sha256\":\""
                     "0000000000000000000000000000000000000000000000000000000000000000\"}]}";
  CHECK_INTEQ(hg_manifest_parse(dup, sizeof dup - 1, "m.json", &m, &sink), -1);
  CHECK_INTEQ(sink.errors, 1);
  CHECK_STREQ(sink.v[0].message, "template \"a.yaml\" is listed twice");
  hg_diag_free(&sink);
}
