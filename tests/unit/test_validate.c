/*
 * test_validate.c — the AWS name rules every command shares (validate.h).
 */
#include "harness.h"

#include <string.h>

#include "hg/arn.h"
#include "hg/validate.h"

TEST(bucket_names)
{
  CHECK(hg_valid_bucket("acme-cfn") == NULL);
  CHECK(hg_valid_bucket("a.b-c") == NULL);
  CHECK(hg_valid_bucket("abc") == NULL);
  CHECK(hg_valid_bucket("s3three-logs") == NULL);
  CHECK(hg_valid_bucket("my-xn--bucket") == NULL);       /* only a prefix is reserved */
  CHECK(hg_valid_bucket("logs-s3alias-x") == NULL);      /* only a suffix is reserved */
  CHECK(hg_valid_bucket("1.2.3.4.5") == NULL);           /* four dots: not an IPv4 address */
  char name[64];
  memset(name, 'a', 63);
  name[63] = '\0';
  CHECK(hg_valid_bucket(name) == NULL);                  /* 63: the longest */

  CHECK_STREQ(hg_valid_bucket("ab"), "a bucket name is 3 to 63 characters long");
  char longer[65];
  memset(longer, 'a', 64);
  longer[64] = '\0';
  CHECK_STREQ(hg_valid_bucket(longer), "a bucket name is 3 to 63 characters long");
  CHECK_STREQ(hg_valid_bucket("Acme"), "a bucket name holds only lowercase letters, digits, '-' and '.'");
  CHECK_STREQ(hg_valid_bucket("a_b"), "a bucket name holds only lowercase letters, digits, '-' and '.'");
  CHECK_STREQ(hg_valid_bucket("a/b"), "a bucket name holds only lowercase letters, digits, '-' and '.'");
  CHECK_STREQ(hg_valid_bucket("-acme"), "a bucket name starts and ends with a letter or digit");
  CHECK_STREQ(hg_valid_bucket("acme."), "a bucket name starts and ends with a letter or digit");
  CHECK_STREQ(hg_valid_bucket("a..b"), "a bucket name has no two adjacent dots");
  CHECK_STREQ(hg_valid_bucket("my.-bucket"), "a bucket name has no dash next to a dot");
  CHECK_STREQ(hg_valid_bucket("my-.bucket"), "a bucket name has no dash next to a dot");
  CHECK_STREQ(hg_valid_bucket("192.168.1.10"), "a bucket name is not formatted as an IP address");
  CHECK_STREQ(hg_valid_bucket("xn--abc"), "a bucket name does not start with 'xn--'");
  CHECK_STREQ(hg_valid_bucket("sthree-logs"), "a bucket name does not start with 'sthree-'");
  CHECK_STREQ(hg_valid_bucket("amzn-s3-demo-bucket"), "a bucket name does not start with 'amzn-s3-demo-'");
  CHECK(hg_valid_bucket("logs-s3alias") != NULL);
  CHECK(hg_valid_bucket("logs--ol-s3") != NULL);
  CHECK(hg_valid_bucket("logs.mrap") != NULL);
  CHECK(hg_valid_bucket("logs--x-s3") != NULL);
  CHECK(hg_valid_bucket("logs--table-s3") != NULL);
}

TEST(region_names)
{
  CHECK(hg_valid_region("eu-west-1"));
  CHECK(hg_valid_region("eu-central-2"));
  CHECK(hg_valid_region("us-gov-west-1"));
  CHECK(hg_valid_region("cn-northwest-1"));
  CHECK(hg_valid_region("us-isob-east-1"));
  CHECK(hg_valid_region("eu-west-9"));      /* a new Region of a known area */
  CHECK(hg_valid_region("ap-southeast-6"));
  CHECK(!hg_valid_region("eu-west"));
  CHECK(!hg_valid_region("eu-west-"));
  CHECK(!hg_valid_region("eu-west-1:evil"));
  CHECK(!hg_valid_region("EU-WEST-1"));
  CHECK(!hg_valid_region(""));
  CHECK(!hg_valid_region("eu-west-123"));
  CHECK(!hg_valid_region("eu-wset-2"));     /* a near miss of eu-west-2 */
  CHECK(!hg_valid_region("us-esat-1"));
  CHECK(hg_valid_region_n("eu-west-1:123", 9));
  CHECK(!hg_valid_region_n("eu-west-1", 7));
  /* The ARN parser applies the same rule. */
  CHECK(hg_arn_parse("arn:aws:ec2:eu-west:123456789012:x", NULL, NULL) != NULL);
  CHECK(hg_arn_parse("arn:aws:ec2:eu-west-1:123456789012:x", NULL, NULL) == NULL);
  for (size_t i = 0; hg_valid_known_regions[i]; i++)
    CHECK(hg_valid_region(hg_valid_known_regions[i]));
}

TEST(ids_and_names)
{
  CHECK(hg_valid_account_id("012345678901") == NULL);
  CHECK(hg_valid_account_id("12345678901") != NULL);
  CHECK(hg_valid_account_id("12345678901x") != NULL);
  CHECK(hg_valid_org_id("o-a1b2c3d4e5") == NULL);
  CHECK(hg_valid_org_id("o-abc") != NULL);
  CHECK(hg_valid_org_id("o-A1B2C3D4E5") != NULL);
  CHECK(hg_valid_table_name("hardengen-exceptions") == NULL);
  CHECK(hg_valid_table_name("ab") != NULL);
  CHECK(hg_valid_table_name("a b c") != NULL);
  CHECK(hg_valid_role_name("hardengen-detective-reader") == NULL);
  CHECK(hg_valid_role_name("") != NULL);
  CHECK(hg_valid_role_name("a/b") != NULL);
  CHECK(hg_valid_role_arn("arn:aws:iam::123456789012:role/ops/BreakGlass") == NULL);
  CHECK_STREQ(hg_valid_role_arn("arn:aws:iam::1234:role/x"), "the ARN needs a 12-digit account id");
  CHECK(hg_valid_role_arn("arn:aws:s3:::bucket") != NULL);
}

TEST(addresses)
{
  CHECK(hg_valid_email("secops@example.com") == NULL);
  CHECK(hg_valid_email("a.b+c@mail.example.co") == NULL);
  CHECK_STREQ(hg_valid_email("secops"), "it has no '@'");
  CHECK_STREQ(hg_valid_email("a@b@example.com"), "it has more than one '@'");
  CHECK_STREQ(hg_valid_email("a@example"), "the domain has no dot");
  CHECK_STREQ(hg_valid_email("a@example.c0m"), "the top-level domain must be letters");
  CHECK_STREQ(hg_valid_email("a..b@example.com"), "the part before '@' has a misplaced dot");
  CHECK(hg_valid_https_url("https://hooks.example.com/x?y=1", false) == NULL);
  CHECK(hg_valid_https_url("https://hec.example.com:443", true) == NULL);
  CHECK(hg_valid_https_url("https://user:pass@hooks.example.com/x", false) == NULL);
  CHECK(hg_valid_https_url("https://user:pass@hooks.example.com/x", true) != NULL);
  CHECK_STREQ(hg_valid_https_url("https://hooks.example.com/x?y=1", true),
              "it must not contain spaces, '?', '#' or '\\'");
  CHECK_STREQ(hg_valid_https_url("https:///x", false), "the host is empty");
  CHECK_STREQ(hg_valid_https_url("https://a_b.example.com/", false), "the host holds a character that is not allowed");
  CHECK_STREQ(hg_valid_https_url("https://a.example.com:0/", false), "the port must be a number from 1 to 65535");
  CHECK_STREQ(hg_valid_https_url("https://a.example.com:99999", false), "the port must be a number from 1 to 65535");
  CHECK_STREQ(hg_valid_https_url("http://a.example.com/", false), "it is not an https:// URL");
  CHECK_STREQ(hg_valid_https_url("https://a b/", false), "it must not contain spaces or control characters");
}
