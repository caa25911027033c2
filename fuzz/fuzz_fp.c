/*
 * fuzz_fp.c — libFuzzer target for the filter-pattern engine.
 *
 * Input: a pattern, optionally followed by a newline and a message. The
 * pattern is parsed and its diagnostics rendered; a pattern that parses is
 * printed, re-parsed (it must parse and compare equal: the round-trip
 * property, checked with abort()) and evaluated against a fixed CloudTrail
 * record and against the message (as raw text and, when it is JSON, parsed).
 * Must never crash, leak or run long, whatever the bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/diag.h"
#include "hg/fp.h"
#include "hg/json.h"
#include "hg/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char record[] =
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::"
    "123456789012:user/alice\",\"accountId\":\"123456789012\"},\"eventTime\":\"2023-07-10T12:00:00Z\","
    "\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"PutBucketPolicy\",\"sourceIPAddress\":"
    "\"10.1.2.3\",\"errorCode\":\"AccessDenied\",\"readOnly\":false,\"requestParameters\":null,"
    "\"responseElements\":{\"ConsoleLogin\":\"Success\"},\"resources\":[{\"type\":\"AWS::S3::Bucket\","
    "\"ARN\":\"arn:aws:s3:::b\"},{\"type\":\"x\"}],\"latency\":1534,\"coordinates\":[[0,1],[2,3]]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static FILE *devnull;
  static hg_arena *arena;
  static hg_jv *fixed;
  if (!devnull) {
    devnull = fopen("/dev/null", "w");
    arena = hg_arena_new();
    fixed = hg_json_parse(arena, record, sizeof record - 1, NULL, NULL);
    if (!fixed)
      abort();
  }
  const char *text = (const char *)data;
  const char *nl = memchr(text, '\n', size);
  size_t plen = nl ? (size_t)(nl - text) : size;
  const char *msg = nl ? nl + 1 : NULL;
  size_t mlen = nl ? size - plen - 1 : 0;

  hg_diag_sink s;
  hg_diag_init(&s);
  hg_fp_origin o = {"filters/fuzz.lua", 3, (int)(size % 3)};
  hg_fp *fp = hg_fp_parse(text, plen, size % 2 ? &o : NULL, &s);
  if (devnull)
    hg_diag_render_text(&s, devnull);
  hg_diag_free(&s);
  if (!fp)
    return 0;

  char *printed = hg_fp_print(fp);
  hg_diag_init(&s);
  hg_fp *again = hg_fp_parse(printed, strlen(printed), NULL, &s);
  /* parse -> print -> parse must give an equal AST (canonical spacing may
   * push a pattern near the limit over 1024 bytes: then it is an error). */
  if (strlen(printed) <= 1024 && (!again || !hg_fp_equal(fp, again)))
    abort();
  hg_fp_free(again);
  hg_diag_free(&s);
  free(printed);

  volatile bool m = hg_fp_match(fp, fixed, record, sizeof record - 1);
  if (msg) {
    hg_arena *a = hg_arena_new();
    hg_jv *v = hg_json_parse(a, msg, mlen, NULL, NULL);
    m = hg_fp_match(fp, v, msg, mlen);
    if (v) {
      hg_buf b;
      hg_buf_init(&b);
      hg_jv_write(v, &b);
      hg_buf_free(&b);
    }
    hg_arena_free(a);
  }
  (void)m;
  hg_fp_free(fp);
  return 0;
}
