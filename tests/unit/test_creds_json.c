/* test_creds_json.c — credential answers and AWS error bodies read by the
 * one JSON reader (emit.h): what a repeated member, a number where a string
 * is expected, U+0000 in a string, a number out of range and text after the
 * value do to a credential_process output, a container/IMDS answer and an
 * error body. */
#include "harness.h"

#include <string.h>

#include "../../src/creds_int.h"
#include "hg/creds.h"
#include "hg/http.h"

/* Parse a process output given as a C literal (sizeof - 1 keeps U+0000). */
#define PROC(lit, c, why) hg_creds_parse_process_output(lit, sizeof lit - 1, c, why)
#define META(lit, c, why) hg_creds__parse_metadata_json(lit, sizeof lit - 1, c, why)

TEST(process_output_repeated_member_keeps_the_last)
{
  hg_creds c;
  const char *why = NULL;
  /* As jq and the AWS CLI (Python's json) read it: the last one wins. */
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"AKIAFIRST\",\"SecretAccessKey\":\"s\","
                   "\"AccessKeyId\":\"AKIALAST\"}",
                   &c, &why),
              0);
  CHECK_STREQ(c.access_key, "AKIALAST");
  CHECK(c.session_token == NULL);
  CHECK_INTEQ((long long)c.expiration, 0LL);
  hg_creds_free(&c);
  /* A repeated Version: the last decides. */
  CHECK_INTEQ(PROC("{\"Version\":1,\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}", &c,
                   &why),
              -1);
  CHECK_STREQ(why, "its output has no \"Version\": 1");
}

TEST(process_output_types)
{
  hg_creds c;
  const char *why = NULL;
  /* A number where a string is expected is a missing member. */
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":12345,\"SecretAccessKey\":\"s\"}", &c, &why), -1);
  CHECK_STREQ(why, "its output has no AccessKeyId");
  CHECK(c.access_key == NULL);
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":true}", &c, &why), -1);
  CHECK_STREQ(why, "its output has no SecretAccessKey");
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"\",\"SecretAccessKey\":\"s\"}", &c, &why), -1);
  CHECK_STREQ(why, "its output has no AccessKeyId");
  /* A token that is not a string is no token. */
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"SessionToken\":7}", &c,
                   &why),
              0);
  CHECK(c.session_token == NULL);
  hg_creds_free(&c);
  /* Expiration: a string holding an ISO 8601 time, or null / absent. */
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":1893553445}",
                   &c, &why),
              -1);
  CHECK_STREQ(why, "its Expiration is not an ISO 8601 time");
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":null}", &c,
                   &why),
              0);
  CHECK_INTEQ((long long)c.expiration, 0LL);
  hg_creds_free(&c);
  /* Version: the number one however it is written; not the string "1". */
  CHECK_INTEQ(PROC("{\"Version\":1.0,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}", &c, &why), 0);
  hg_creds_free(&c);
  CHECK_INTEQ(PROC("{\"Version\":1e0,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}", &c, &why), 0);
  hg_creds_free(&c);
  CHECK_INTEQ(PROC("{\"Version\":\"1\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}", &c, &why), -1);
  CHECK_STREQ(why, "its output has no \"Version\": 1");
  CHECK_INTEQ(PROC("{\"Version\":1.5,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}", &c, &why), -1);
  CHECK_STREQ(why, "its output has no \"Version\": 1");
}

TEST(process_output_the_reader_refuses)
{
  hg_creds c;
  const char *why = NULL;
  /* U+0000 in a string: the whole output is refused (a C string would cut
   * the secret short), and nothing is kept. */
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"se\\u0000cret\"}", &c, &why),
              -1);
  CHECK_STREQ(why, "its output holds a string with U+0000 or a number out of range");
  CHECK(c.access_key == NULL && c.secret_key == NULL);
  /* The same in a member name, or in a member nobody reads. */
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"x\\u0000\":1}", &c, &why),
              -1);
  CHECK_STREQ(why, "its output holds a string with U+0000 or a number out of range");
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Note\":1e999}", &c, &why),
              -1);
  CHECK_STREQ(why, "its output holds a string with U+0000 or a number out of range");
  /* Text after the object, two objects, a raw NUL byte, an array, nothing. */
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"} trailing", &c, &why), -1);
  CHECK_STREQ(why, "its output is not a JSON object");
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}{}", &c, &why), -1);
  CHECK_STREQ(why, "its output is not a JSON object");
  CHECK_INTEQ(PROC("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}\0", &c, &why), -1);
  CHECK_STREQ(why, "its output is not a JSON object");
  CHECK_INTEQ(PROC("[{\"Version\":1}]", &c, &why), -1);
  CHECK_STREQ(why, "its output is not a JSON object");
  CHECK_INTEQ(hg_creds_parse_process_output("", 0, &c, &why), -1);
  CHECK_STREQ(why, "its output is not a JSON object");
  CHECK_INTEQ(hg_creds_parse_process_output(NULL, 0, &c, &why), -1);
  CHECK_STREQ(why, "its output is not a JSON object");
  /* Whitespace around the value is fine (a trailing newline is usual). */
  CHECK_INTEQ(PROC("\n {\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}\r\n\n", &c, &why), 0);
  hg_creds_free(&c);
}

TEST(metadata_answers)
{
  hg_creds c;
  const char *why = NULL;
  CHECK_INTEQ(META("{\"Code\":\"Success\",\"AccessKeyId\":\"ASIA1\",\"SecretAccessKey\":\"s\",\"Token\":\"t\","
                   "\"Expiration\":\"2030-01-02T03:04:05Z\"}",
                   &c, &why),
              0);
  CHECK_STREQ(c.access_key, "ASIA1");
  CHECK_STREQ(c.session_token, "t");
  CHECK_INTEQ((long long)c.expiration, 1893553445LL);
  hg_creds_free(&c);
  /* A repeated Code: the last one decides. */
  CHECK_INTEQ(META("{\"Code\":\"Failure\",\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}",
                   &c, &why),
              0);
  hg_creds_free(&c);
  CHECK_INTEQ(META("{\"Code\":\"Success\",\"Code\":\"Failure\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}",
                   &c, &why),
              -1);
  CHECK_STREQ(why, "the answer's Code is not Success");
  /* A Code or an Expiration that is not a string is ignored, as before. */
  CHECK_INTEQ(META("{\"Code\":0,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":5}", &c, &why),
              0);
  CHECK_INTEQ((long long)c.expiration, 0LL);
  hg_creds_free(&c);
  CHECK_INTEQ(META("{\"AccessKeyId\":[\"A\"],\"SecretAccessKey\":\"s\"}", &c, &why), -1);
  CHECK_STREQ(why, "the answer has no AccessKeyId");
  CHECK_INTEQ(META("{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\\u0000\"}", &c, &why), -1);
  CHECK_STREQ(why, "the answer holds a string with U+0000 or a number out of range");
  CHECK_INTEQ(META("{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"", &c, &why), -1);
  CHECK_STREQ(why, "the answer is not a JSON object");
  CHECK_INTEQ(META("<html>not json</html>", &c, &why), -1);
  CHECK_STREQ(why, "the answer is not a JSON object");
  CHECK_INTEQ(META("\"AccessKeyId\"", &c, &why), -1);
  CHECK_STREQ(why, "the answer is not a JSON object");
}

static hg_doc *read_json(const char *text, bool *unheld)
{
  return hg_creds__read_json(text, strlen(text), unheld);
}

TEST(read_json_is_an_object_or_nothing)
{
  bool unheld = true;
  hg_doc *d = read_json("{\"a\":{\"b\":[1,\"x\"]},\"a\":{\"c\":null}}", &unheld);
  CHECK(d != NULL);
  CHECK(!unheld);
  CHECK_INTEQ((long long)(d ? d->n : 0), 1LL);
  CHECK(hg_doc_get(hg_doc_get_map(d, "a"), "c") != NULL);
  CHECK(hg_doc_get(hg_doc_get_map(d, "a"), "b") == NULL);
  hg_doc_free_wiped(d);
  /* A syntax error: the reader's copy of the text is wiped and dropped. */
  CHECK(read_json("{\"secret\":\"abc\",}", &unheld) == NULL);
  CHECK(!unheld);
  CHECK(read_json("42", &unheld) == NULL);
  CHECK(!unheld);
  CHECK(read_json("{\"a\":-1e400}", &unheld) == NULL);
  CHECK(unheld);
  CHECK(read_json("{\"a\":\"\\u0000\"}", NULL) == NULL);
}

TEST(error_body_members)
{
  hg_http_response r;
  memset(&r, 0, sizeof r);
  /* A repeated member: the last one, as for every JSON input. */
  const char dup[] = "{\"__type\":\"a#First\",\"message\":\"one\",\"__type\":\"b#Second\",\"message\":\"two\"}";
  hg_http_parse_error(dup, sizeof dup - 1, NULL, &r);
  CHECK_STREQ(r.error_code, "Second");
  CHECK_STREQ(r.error_message, "two");
  /* A member of another type is absent: the next name is tried. */
  const char num[] = "{\"__type\":404,\"code\":\"NotFound\",\"message\":[\"x\"],\"Message\":\"gone\"}";
  hg_http_parse_error(num, sizeof num - 1, NULL, &r);
  CHECK_STREQ(r.error_code, "NotFound");
  CHECK_STREQ(r.error_message, "gone");
  /* A body that is not one JSON value (text after it, U+0000) says nothing;
   * the error type header still names the error. */
  const char trailing[] = "{\"__type\":\"Body\"} and more";
  hg_http_parse_error(trailing, sizeof trailing - 1, "HeaderType:http://x/", &r);
  CHECK_STREQ(r.error_code, "HeaderType");
  CHECK_STREQ(r.error_message, "");
  const char nul[] = "{\"__type\":\"Body\",\"message\":\"a\\u0000b\"}";
  hg_http_parse_error(nul, sizeof nul - 1, NULL, &r);
  CHECK_STREQ(r.error_code, "");
  CHECK_STREQ(r.error_message, "");
  /* Escapes are decoded, then what is not printable ASCII becomes '?'. */
  const char esc[] = "{\"code\":\"Bad\\u001b[31m\",\"message\":\"caf\\u00e9 \\\"q\\\"\"}";
  hg_http_parse_error(esc, sizeof esc - 1, NULL, &r);
  CHECK_STREQ(r.error_code, "Bad?[31m");
  CHECK_STREQ(r.error_message, "caf?? \"q\"");
}
