/* test_json_sync.c — the JSON inputs of sync and publish read with the one
 * JSON reader (hg_emit_read_json): detective-data.json, manifest.json and
 * DynamoDB answers. What a reader does with a repeated member name (the
 * last value wins), a member of the wrong kind and a string holding U+0000
 * (refused: documents hold C strings) is pinned here, together with the
 * DynamoDB request bodies (hg_emit_json_compact). The DynamoDB cases run
 * against a tiny server forked on 127.0.0.1 (a free port) that records the
 * request body and sends a fixed answer. */
#include "harness.h"
#include "fixtures.h"
#include "loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hg/doc.h"
#include "hg/dynamodb.h"
#include "hg/emit.h"
#include "hg/publish.h"
#include "hg/sync.h"
#include "hg/util.h"

static hg_doc *read_json(const char *text)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_doc *d = hg_emit_read_json(text, strlen(text), "t.json", "t", &s);
  hg_diag_free(&s);
  return d;
}

/* ---- hg_doc_equal and hg_doc_get_num ---------------------------------- */

TEST(doc_equal_ignores_map_order_not_list_order)
{
  hg_doc *a = read_json("{\"a\":{\"x\":1,\"y\":[1,2]},\"b\":\"s\",\"c\":null,\"d\":true}");
  hg_doc *b = read_json("{\"d\":true,\"c\":null,\"b\":\"s\",\"a\":{\"y\":[1,2],\"x\":1.0}}");
  hg_doc *c = read_json("{\"d\":true,\"c\":null,\"b\":\"s\",\"a\":{\"y\":[2,1],\"x\":1}}");
  hg_doc *d = read_json("{\"d\":true,\"c\":null,\"b\":\"s\"}");
  hg_doc *e = read_json("{\"d\":true,\"c\":null,\"b\":\"s\",\"a\":{\"y\":[1,2],\"x\":\"1\"}}");
  CHECK(a && b && c && d && e);
  CHECK(hg_doc_equal(a, b));
  CHECK(hg_doc_equal(b, a));
  CHECK(!hg_doc_equal(a, c)); /* lists in order */
  CHECK(!hg_doc_equal(a, d)); /* a member fewer */
  CHECK(!hg_doc_equal(d, a));
  CHECK(!hg_doc_equal(a, e)); /* 1 is not "1" */
  double v = 0;
  CHECK(hg_doc_get_num(a, "d", &v) == false);
  hg_doc *n = read_json("{\"i\":7,\"f\":2.5,\"s\":\"7\"}");
  CHECK(hg_doc_get_num(n, "i", &v) && v == 7);
  CHECK(hg_doc_get_num(n, "f", &v) && v == 2.5);
  CHECK(!hg_doc_get_num(n, "s", &v));
  CHECK(!hg_doc_get_num(n, "none", &v));
  hg_doc_free(n);
  hg_doc_free(a);
  hg_doc_free(b);
  hg_doc_free(c);
  hg_doc_free(d);
  hg_doc_free(e);
}

/* ---- detective-data.json ---------------------------------------------- */

static int parse_data(const char *text, hg_sync_data *d, char **rendered)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  int rc = hg_sync_data_parse(text, strlen(text), "detective-data.json", d, &s);
  *rendered = render(&s);
  hg_diag_free(&s);
  return rc;
}

TEST(sync_data_not_json_has_position_and_caret)
{
  hg_sync_data d;
  char *r = NULL;
  CHECK_INTEQ(parse_data("{\"schema\":1,\n \"env\": oops}\n", &d, &r), -1);
  static const char want[] = "detective-data.json:2:9: error: not valid JSON";
  CHECK(strncmp(r, want, sizeof want - 1) == 0);
  CHECK(strstr(r, "[sync-data]\n") != NULL);
  CHECK(strstr(r, " \"env\": oops}\n") != NULL); /* the line, then a caret under 'o' */
  CHECK(strstr(r, "\n          ^") != NULL);
  CHECK(strstr(r, "  note: build the environment again: hardengen build --env ENV\n") != NULL);
  CHECK(d.root == NULL);
  free(r);
}

TEST(sync_data_repeated_member_keeps_the_last)
{
  /* The item's "rule" is given twice: the last value ("b") is its key, as
   * jq reads it (cJSON used to take the first). */
  const char text[] = "{\"schema\":1,\"env\":\"a\",\"env\":\"e\",\"tables\":[{\"name\":\"t\",\"key\":[\"rule\"],"
                      "\"items\":[{\"rule\":{\"S\":\"a\"},\"rule\":{\"S\":\"b\"}},{\"rule\":{\"S\":\"a\"}}]}]}";
  hg_sync_data d;
  char *r = NULL;
  CHECK_INTEQ(parse_data(text, &d, &r), 0);
  CHECK_STREQ(r, "");
  CHECK_STREQ(d.env, "e");
  const hg_doc *first = d.tables[0].items->items[0];
  CHECK_INTEQ(first->n, 1);
  CHECK_STREQ(hg_doc_get_str(hg_doc_get_map(first, "rule"), "S"), "b");
  /* So the two items have different keys, and the diff puts both. */
  hg_doc *empty = hg_doc_seq();
  const hg_doc *cur[1] = {empty};
  hg_sync_plan plan;
  hg_sync_diff(&d, cur, &plan);
  CHECK_INTEQ(plan.n, 2);
  if (plan.n == 2) {
    CHECK_STREQ(plan.v[0].key_text, "rule=b");
    CHECK_STREQ(plan.v[1].key_text, "rule=a");
  }
  hg_sync_plan_free(&plan);
  hg_doc_free(empty);
  hg_sync_data_free(&d);
  free(r);
}

TEST(sync_data_wrong_kinds_and_nul)
{
  hg_sync_data d;
  char *r = NULL;
  /* "schema" as a string, "tables" as an object. */
  CHECK_INTEQ(parse_data("{\"schema\":\"1\",\"env\":\"e\",\"tables\":{}}", &d, &r), -1);
  CHECK_STREQ(r, "detective-data.json: error: \"schema\" is not 1: this file was written by another version "
                 "of hardengen [sync-data]\n"
                 "detective-data.json: error: \"tables\" must be an array of one or two tables [sync-data]\n");
  free(r);
  /* schema 1.0 is 1. */
  CHECK_INTEQ(parse_data("{\"schema\":1.0,\"env\":\"e\",\"tables\":[{\"name\":\"t\",\"key\":[\"k\"],\"items\":[]}]}",
                         &d, &r),
              0);
  hg_sync_data_free(&d);
  free(r);
  /* A key attribute that is a number, a key name that is not a string. */
  CHECK_INTEQ(parse_data("{\"schema\":1,\"env\":\"e\",\"tables\":[{\"name\":\"t\",\"key\":[\"k\"],"
                         "\"items\":[{\"k\":{\"S\":1}}]},{\"name\":\"u\",\"key\":[1],\"items\":[]}]}",
                         &d, &r),
              -1);
  CHECK_STREQ(r, "detective-data.json: error: item 0 of table t is not an object with its key attributes as "
                 "strings [sync-data]\n"
                 "detective-data.json: error: table 2 needs \"name\", \"key\" (one or two attribute names) and "
                 "\"items\" [sync-data]\n");
  free(r);
  /* U+0000 in a string: the file cannot be read (cJSON used to cut the
   * string there). */
  const char nul[] = "{\"schema\":1,\"env\":\"e\\u0000x\",\"tables\":[]}";
  CHECK_INTEQ(parse_data(nul, &d, &r), -1);
  CHECK_STREQ(r, "detective-data.json: error: the JSON holds a string holding U+0000 [sync-data]\n"
                 "  note: build the environment again: hardengen build --env ENV\n");
  free(r);
}

/* ---- manifest.json ----------------------------------------------------- */

#define SHA0 "0000000000000000000000000000000000000000000000000000000000000000"

TEST(manifest_readers_behaviour)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_manifest m;
  /* A repeated member keeps its last value; size 12.0 is 12; a big
   * integer parameter keeps every digit. */
  const char ok[] = "{\"env\":\"dev\",\"env\":\"prod\",\"digest\":\"0123456789\",\"parent\":\"a.yaml\","
                    "\"parameters\":{\"N\":12345678901234567,\"F\":2.5,\"B\":false,\"S\":\"x\"},"
                    "\"email_subscriptions\":2,"
                    "\"templates\":[{\"name\":\"a.yaml\",\"size\":12.0,\"sha256\":\"" SHA0 "\"}]}";
  CHECK_INTEQ(hg_manifest_parse(ok, sizeof ok - 1, "m.json", &m, &s), 0);
  CHECK_INTEQ(s.n, 0);
  CHECK_STREQ(m.env, "prod");
  CHECK_INTEQ(m.n_templates, 1);
  CHECK_INTEQ(m.templates[0].size, 12);
  CHECK_INTEQ(m.email_subscriptions, 2);
  CHECK_INTEQ(m.n_params, 4);
  if (m.n_params == 4) {
    CHECK_STREQ(m.params[0].value, "12345678901234567");
    CHECK_STREQ(m.params[1].value, "2.5");
    CHECK_STREQ(m.params[2].value, "false");
    CHECK_STREQ(m.params[3].value, "x");
  }
  CHECK_STREQ(m.capability, "CAPABILITY_NAMED_IAM");
  hg_manifest_free(&m);

  /* Wrong kinds: a size given as a string, parameters as an array. */
  const char kinds[] = "{\"env\":\"dev\",\"digest\":\"0123456789\",\"parent\":\"a.yaml\",\"parameters\":[],"
                       "\"templates\":[{\"name\":\"a.yaml\",\"size\":\"12\",\"sha256\":\"" SHA0 "\"}]}";
  CHECK_INTEQ(hg_manifest_parse(kinds, sizeof kinds - 1, "m.json", &m, &s), -1);
  CHECK_INTEQ(s.errors, 3);
  CHECK_STREQ(s.v[0].message, "\"parameters\" is missing or not an object");
  CHECK_STREQ(s.v[1].message, "template \"a.yaml\" has no valid \"size\"");
  CHECK_STREQ(s.v[2].message, "the parent template \"a.yaml\" is not listed in \"templates\"");
  hg_diag_free(&s);
  hg_diag_init(&s);

  /* U+0000: the manifest cannot be read. */
  const char nul[] = "{\"env\":\"d\\u0000ev\"}";
  CHECK_INTEQ(hg_manifest_parse(nul, sizeof nul - 1, "m.json", &m, &s), -1);
  CHECK_INTEQ(s.errors, 1);
  CHECK_STREQ(s.v[0].message, "manifest.json cannot be read: the JSON holds a string holding U+0000");
  CHECK_STREQ(s.v[0].code, "manifest-invalid");
  hg_diag_free(&s);
  hg_diag_init(&s);

  /* Not JSON: position, caret, the parser's reason. */
  const char bad[] = "{\n  \"env\": \"dev\",\n  \"digest\": oops\n}\n";
  CHECK_INTEQ(hg_manifest_parse(bad, sizeof bad - 1, "out/dev/manifest.json", &m, &s), -1);
  char *r = render(&s);
  static const char want[] = "out/dev/manifest.json:3:13: error: manifest.json is not valid JSON [manifest-invalid]\n"
                             "    \"digest\": oops\n"
                             "              ^\n";
  CHECK(strncmp(r, want, sizeof want - 1) == 0);
  CHECK(strstr(r, "  note: it is written by `hardengen build`: build again\n") != NULL);
  CHECK_INTEQ(s.v[0].n_notes, 2);
  free(r);
  hg_diag_free(&s);
}

/* ---- DynamoDB answers and request bodies ------------------------------- */

/* Fork a server on 127.0.0.1 that answers every request with 200 and
 * answer, and appends each request body (one a line) to log. */
static pid_t serve(const char *answer, const char *log, int *port)
{
  int s = hg_test_listen(port);
  pid_t pid = fork();
  if (pid != 0) {
    close(s);
    return pid;
  }
  alarm(60); /* never outlive a broken test */
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0)
      continue;
    char buf[65536];
    char *body = hg_test_read_request(c, buf, sizeof buf);
    FILE *f = fopen(log, "a");
    if (f) {
      fputs(body ? body : "", f);
      fclose(f);
    }
    dprintf(c,
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: %zu\r\n"
            "Connection: close\r\n\r\n%s",
            strlen(answer), answer);
    close(c);
  }
}

static void stop(pid_t pid)
{
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

typedef struct call_result {
  hg_ddb_status st;
  hg_doc *answer;
  char *diags;
  char *requests;
} call_result;

/* One Scan of table t against a server answering answer. */
static call_result scan_once(const char *answer)
{
  char log[] = "/tmp/hg-ddb-XXXXXX";
  int fd = mkstemp(log);
  close(fd);
  int port = 0;
  pid_t pid = serve(answer, log, &port);
  char *endpoint = xasprintf("http://127.0.0.1:%d", port);
  hg_creds creds = {.access_key = "AKIDEXAMPLE", .secret_key = "secret", .source = "test"};
  hg_ddb_config cfg = {.region = "eu-west-1", .endpoint = endpoint, .creds = &creds};
  hg_ddb *ddb = hg_ddb_new(&cfg);
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_doc *rq = hg_doc_map();
  hg_doc_set_str(rq, "TableName", "t");
  hg_doc_set_bool(rq, "ConsistentRead", true);
  call_result res = {0};
  res.st = hg_ddb_call(ddb, "Scan", rq, &res.answer, "cannot read table t", &s);
  stop(pid);
  hg_doc_free(rq);
  hg_ddb_free(ddb);
  res.diags = render(&s);
  hg_diag_free(&s);
  size_t n = 0;
  res.requests = hg_read_file(log, 1u << 20, &n);
  unlink(log);
  /* The endpoint varies: replace it with E in the diagnostics. */
  char *at = strstr(res.diags, endpoint);
  if (at) {
    char *fixed = xasprintf("%.*sE%s", (int)(at - res.diags), res.diags, at + strlen(endpoint));
    free(res.diags);
    res.diags = fixed;
  }
  free(endpoint);
  return res;
}

static void call_free(call_result *r)
{
  hg_doc_free(r->answer);
  free(r->diags);
  free(r->requests);
}

TEST(ddb_call_sends_compact_json_and_reads_the_answer)
{
  call_result r = scan_once("{\"Count\":1,\"Items\":[{\"rule\":{\"S\":\"a\"},\"rule\":{\"S\":\"b\"}}],"
                            "\"ScannedCount\":1}");
  CHECK(r.st == HG_DDB_OK);
  CHECK_STREQ(r.diags, "");
  CHECK_STREQ(r.requests, "{\"TableName\":\"t\",\"ConsistentRead\":true}\n");
  const hg_doc *items = hg_doc_get_seq(r.answer, "Items");
  CHECK(items && items->n == 1);
  if (items && items->n == 1) /* a repeated member name keeps its last value */
    CHECK_STREQ(hg_doc_get_str(hg_doc_get_map(items->items[0], "rule"), "S"), "b");
  call_free(&r);
}

TEST(ddb_call_answer_not_json)
{
  call_result r = scan_once("{\"Items\": [}");
  CHECK(r.st == HG_DDB_ERR_HTTP);
  CHECK(r.answer == NULL);
  static const char want[] = "hardengen: error: cannot read table t: the answer from E is not JSON [dynamodb-http]\n"
                             "  note: ";
  CHECK(strncmp(r.diags, want, sizeof want - 1) == 0);
  CHECK(strstr(r.diags, " at line 1, column 12\n") != NULL);
  call_free(&r);
}

TEST(ddb_call_answer_with_nul)
{
  call_result r = scan_once("{\"Items\":[{\"rule\":{\"S\":\"a\\u0000b\"}}]}");
  CHECK(r.st == HG_DDB_ERR_HTTP);
  CHECK(r.answer == NULL);
  CHECK_STREQ(r.diags, "hardengen: error: cannot read table t: the answer from E cannot be read: the JSON holds a string "
                       "holding U+0000 [dynamodb-http]\n");
  call_free(&r);
}
