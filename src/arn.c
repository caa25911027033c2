/*
 * arn.c — ARN syntax (see arn.h).
 */
#include "hg/arn.h"

#include <string.h>

#include "hg/validate.h"

static const char *const partitions[] = {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b",
                                         "aws-iso-e", "aws-iso-f", "aws-eusc", NULL};

static bool lower(char c) { return c >= 'a' && c <= 'z'; }
static bool digit(char c) { return c >= '0' && c <= '9'; }

bool hg_arn_is_region(const char *s, size_t len)
{
  return hg_valid_region_n(s, len);
}

const char *hg_arn_parse(const char *s, hg_arn *out, size_t *col)
{
  size_t n = strlen(s), at = 0;
  hg_arn a;
  memset(&a, 0, sizeof a);
  if (col)
    *col = 0;
#define FAIL(off, why)                                                                             \
  do {                                                                                             \
    if (col)                                                                                       \
      *col = (off);                                                                                \
    return (why);                                                                                  \
  } while (0)
  if (strncmp(s, "arn:", 4) != 0)
    FAIL(0, "an ARN starts with 'arn:'");
  if (n > HG_ARN_MAX)
    FAIL(HG_ARN_MAX, "an ARN is at most 2048 characters");
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
      FAIL(i, "an ARN holds no spaces or control characters");
  const char *parts[4];
  size_t lens[4];
  const char *p = s + 4;
  for (int k = 0; k < 4; k++) {
    const char *colon = strchr(p, ':');
    if (!colon)
      FAIL(n, "it has fewer than six ':'-separated parts (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)");
    parts[k] = p;
    lens[k] = (size_t)(colon - p);
    p = colon + 1;
  }
  a.partition = parts[0], a.partition_len = lens[0];
  a.service = parts[1], a.service_len = lens[1];
  a.region = parts[2], a.region_len = lens[2];
  a.account = parts[3], a.account_len = lens[3];
  a.resource = p, a.resource_len = strlen(p);
  bool known = false;
  for (size_t i = 0; partitions[i]; i++)
    known = known || (strlen(partitions[i]) == a.partition_len &&
                      strncmp(partitions[i], a.partition, a.partition_len) == 0);
  at = (size_t)(a.partition - s);
  if (!known)
    FAIL(at, "the partition is not aws, aws-cn, aws-us-gov or another AWS partition");
  at = (size_t)(a.service - s);
  if (!a.service_len)
    FAIL(at, "the service part is empty");
  for (size_t i = 0; i < a.service_len; i++)
    if (!lower(a.service[i]) && !digit(a.service[i]) && a.service[i] != '-')
      FAIL(at + i, "the service part holds only lower-case letters, digits and '-'");
  at = (size_t)(a.region - s);
  if (a.region_len && !hg_arn_is_region(a.region, a.region_len))
    FAIL(at, "the Region part is not a Region name like eu-west-1");
  at = (size_t)(a.account - s);
  bool acct = a.account_len == 0 || (a.account_len == 3 && strncmp(a.account, "aws", 3) == 0);
  if (a.account_len == 12) {
    acct = true;
    for (size_t i = 0; i < 12; i++)
      acct = acct && digit(a.account[i]);
  }
  if (!acct)
    FAIL(at, "the account part is not empty or 12 digits");
  if (!a.resource_len)
    FAIL(n, "the resource part is empty");
#undef FAIL
  if (out)
    *out = a;
  return NULL;
}
