/*
 * validate.c — AWS name and address rules (see validate.h).
 */
#include "hg/validate.h"

#include <stdlib.h>
#include <string.h>

#include "hg/util.h"

static bool lower(char c) { return c >= 'a' && c <= 'z'; }
static bool digit(char c) { return c >= '0' && c <= '9'; }
static bool alnum(char c) { return lower(c) || digit(c) || (c >= 'A' && c <= 'Z'); }
static bool lower_alnum(char c) { return lower(c) || digit(c); }

/* ---------------------------------------------------------------- S3 */

const char *hg_valid_bucket(const char *s)
{
  /* Amazon S3 User Guide, "General purpose bucket naming rules". */
  static const char *const prefixes[] = {"xn--", "sthree-", "amzn-s3-demo-", NULL};
  static const char *const suffixes[] = {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3", NULL};
  static const char *const prefix_why[] = {"a bucket name does not start with 'xn--'",
                                           "a bucket name does not start with 'sthree-'",
                                           "a bucket name does not start with 'amzn-s3-demo-'"};
  static const char *const suffix_why[] = {
      "a bucket name does not end with '-s3alias' (reserved for access point aliases)",
      "a bucket name does not end with '--ol-s3' (reserved for Object Lambda aliases)",
      "a bucket name does not end with '.mrap' (reserved for Multi-Region Access Points)",
      "a bucket name does not end with '--x-s3' (reserved for directory buckets)",
      "a bucket name does not end with '--table-s3' (reserved for table buckets)"};
  size_t n = strlen(s);
  if (n < 3 || n > 63)
    return "a bucket name is 3 to 63 characters long";
  for (const char *p = s; *p; p++)
    if (!lower_alnum(*p) && *p != '-' && *p != '.')
      return "a bucket name holds only lowercase letters, digits, '-' and '.'";
  if (!lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
    return "a bucket name starts and ends with a letter or digit";
  if (strstr(s, ".."))
    return "a bucket name has no two adjacent dots";
  if (strstr(s, ".-") || strstr(s, "-."))
    return "a bucket name has no dash next to a dot";
  int dots = 0;
  bool ip = true;
  for (const char *p = s; *p; p++) {
    if (*p == '.')
      dots++;
    else if (!digit(*p))
      ip = false;
  }
  if (ip && dots == 3)
    return "a bucket name is not formatted as an IP address";
  for (size_t i = 0; prefixes[i]; i++)
    if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
      return prefix_why[i];
  for (size_t i = 0; suffixes[i]; i++)
    if (hg_ends_with(s, suffixes[i]))
      return suffix_why[i];
  return NULL;
}

/* ---------------------------------------------------------------- Regions */

const char *const hg_valid_known_regions[] = {
    "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1",
    "ca-west-1",      "cn-north-1",     "cn-northwest-1", "eu-central-1",   "eu-central-2",
    "eu-north-1",     "eu-south-1",     "eu-south-2",     "eu-west-1",      "eu-west-2",
    "eu-west-3",      "il-central-1",   "me-central-1",   "me-south-1",     "mx-central-1",
    "sa-east-1",      "us-east-1",      "us-east-2",      "us-gov-east-1",  "us-gov-west-1",
    "us-west-1",      "us-west-2",      "us-iso-east-1",  "us-iso-west-1",  "us-isob-east-1",
    "us-isof-east-1", "us-isof-south-1", "eu-isoe-west-1", NULL,
};

static bool region_syntax(const char *s, size_t len)
{
  /* two letters, '-', optional "gov-" or "iso[a-z]*-", a word, '-', 1-2 digits */
  size_t i;
  if (len < 6 || !lower(s[0]) || !lower(s[1]) || s[2] != '-')
    return false;
  i = 3;
  if (len - i > 4 && strncmp(s + i, "gov-", 4) == 0) {
    i += 4;
  } else if (len - i > 3 && strncmp(s + i, "iso", 3) == 0) {
    size_t j = i + 3;
    while (j < len && lower(s[j]))
      j++;
    if (j < len && s[j] == '-' && j - i <= 4)
      i = j + 1;
  }
  size_t w = i;
  while (i < len && lower(s[i]))
    i++;
  if (i == w || i >= len || s[i] != '-')
    return false;
  i++;
  size_t d = i;
  while (i < len && digit(s[i]))
    i++;
  return i > d && i - d <= 2 && i == len;
}

/* The part of a Region name before its number ("eu-west-" of "eu-west-1"). */
static size_t area_len(const char *s, size_t len)
{
  while (len > 0 && digit(s[len - 1]))
    len--;
  return len;
}

bool hg_valid_region_n(const char *s, size_t len)
{
  if (!region_syntax(s, len))
    return false;
  char buf[64];
  if (len >= sizeof buf)
    return false;
  memcpy(buf, s, len);
  buf[len] = '\0';
  for (size_t i = 0; hg_valid_known_regions[i]; i++)
    if (strcmp(buf, hg_valid_known_regions[i]) == 0)
      return true;
  /* Unknown but well formed: a new Region of a known area (eu-west-9) is
   * accepted; a near miss of a known Region in another area (eu-wset-2 for
   * eu-west-2) is a typo, not a Region. */
  const char *near = hg_did_you_mean(buf, hg_valid_known_regions, false);
  if (!near)
    return true;
  size_t a = area_len(buf, len);
  return a == area_len(near, strlen(near)) && strncmp(buf, near, a) == 0;
}

bool hg_valid_region(const char *s)
{
  return hg_valid_region_n(s, strlen(s));
}

/* ---------------------------------------------------------------- ids */

const char *hg_valid_account_id(const char *s)
{
  size_t n = strlen(s);
  bool ok = n == 12;
  for (size_t i = 0; ok && i < n; i++)
    ok = digit(s[i]);
  return ok ? NULL : "an account id is exactly 12 digits";
}

const char *hg_valid_org_id(const char *s)
{
  size_t n = strlen(s);
  bool ok = n >= 12 && n <= 34 && strncmp(s, "o-", 2) == 0;
  for (size_t i = 2; ok && i < n; i++)
    ok = lower_alnum(s[i]);
  return ok ? NULL : "an organization id is 'o-' and 10 to 32 lower-case letters or digits (o-a1b2c3d4e5)";
}

const char *hg_valid_table_name(const char *s)
{
  size_t n = strlen(s);
  bool ok = n >= 3 && n <= 255;
  for (size_t i = 0; ok && i < n; i++)
    ok = alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-';
  return ok ? NULL : "a DynamoDB table name is 3 to 255 letters, digits, '_', '.' or '-'";
}

const char *hg_valid_role_name(const char *s)
{
  size_t n = strlen(s);
  bool ok = n >= 1 && n <= 64;
  for (size_t i = 0; ok && i < n; i++)
    ok = alnum(s[i]) || strchr("_+=,.@-", s[i]) != NULL;
  return ok ? NULL : "an IAM role name is 1 to 64 letters, digits or _+=,.@-";
}

const char *hg_valid_role_arn(const char *s)
{
  const char *p = strncmp(s, "arn:", 4) == 0 ? strchr(s + 4, ':') : NULL;
  if (!p || strncmp(p, ":iam::", 6) != 0)
    return "an IAM role ARN has the form arn:aws:iam::123456789012:role/NAME";
  p += 6;
  size_t n = strspn(p, "0123456789");
  if (n != 12 || p[12] != ':')
    return "the ARN needs a 12-digit account id";
  if (strncmp(p + 13, "role/", 5) != 0 || !p[18])
    return "the ARN must name a role (…:role/NAME)";
  for (const char *q = p + 18; *q; q++)
    if (!alnum(*q) && !strchr("+=,.@_-/", *q))
      return "a role name holds only letters, digits and +=,.@_-/";
  return NULL;
}

/* ---------------------------------------------------------------- addresses */

const char *hg_valid_email(const char *s)
{
  const char *atp = strrchr(s, '@');
  if (!atp)
    return "it has no '@'";
  if (strchr(s, '@') != atp)
    return "it has more than one '@'";
  size_t local = (size_t)(atp - s), len = strlen(s);
  if (local == 0)
    return "the part before '@' is empty";
  if (local > 64)
    return "the part before '@' is longer than 64 characters";
  if (len > 254)
    return "it is longer than 254 characters";
  for (const char *p = s; p < atp; p++)
    if (!alnum(*p) && !strchr(".!#$%&'*+/=?^_`{|}~-", *p))
      return "the part before '@' holds a character that is not allowed";
  if (s[0] == '.' || atp[-1] == '.' || memmem(s, local, "..", 2))
    return "the part before '@' has a misplaced dot";
  const char *dom = atp + 1;
  if (!*dom)
    return "the domain is empty";
  if (!strchr(dom, '.'))
    return "the domain has no dot";
  const char *label = dom;
  for (const char *p = dom;; p++) {
    if (*p == '.' || *p == '\0') {
      size_t n = (size_t)(p - label);
      if (n == 0 || n > 63)
        return "the domain has an empty or too long label";
      if (label[0] == '-' || p[-1] == '-')
        return "a domain label starts or ends with '-'";
      if (*p == '\0') {
        for (const char *q = label; q < p; q++)
          if (digit(*q) || *q == '-')
            return "the top-level domain must be letters";
        if (n < 2)
          return "the top-level domain is too short";
        break;
      }
      label = p + 1;
    } else if (!alnum(*p) && *p != '-') {
      return "the domain holds a character that is not allowed";
    }
  }
  return NULL;
}

const char *hg_valid_https_url(const char *s, bool strict)
{
  if (strncmp(s, "https://", 8) != 0)
    return "it is not an https:// URL";
  for (const char *p = s; *p; p++) {
    unsigned char ch = (unsigned char)*p;
    if (ch <= ' ' || ch >= 0x7f)
      return strict ? "it must not contain spaces, '?', '#' or '\\'"
                    : "it must not contain spaces or control characters";
    if (strict && (ch == '?' || ch == '#' || ch == '\\'))
      return "it must not contain spaces, '?', '#' or '\\'";
  }
  const char *host = s + 8;
  if (!strict) {
    /* user:password@host: SNS https subscriptions take basic
     * authentication in the URL (SNS Developer Guide, HTTP/S endpoints). */
    size_t authority = strcspn(host, "/?#");
    const char *at = memrchr(host, '@', authority);
    if (at)
      host = at + 1;
  }
  size_t hl = strcspn(host, ":/?#");
  if (hl == 0)
    return "the host is empty";
  for (size_t i = 0; i < hl; i++)
    if (!alnum(host[i]) && host[i] != '-' && host[i] != '.')
      return "the host holds a character that is not allowed";
  if (host[hl] == ':') {
    const char *port = host + hl + 1;
    size_t pl = strspn(port, "0123456789");
    long pn = pl && pl <= 5 ? strtol(port, NULL, 10) : 0;
    if (pl == 0 || pn < 1 || pn > 65535 || (port[pl] != '\0' && port[pl] != '/' && port[pl] != '?' && port[pl] != '#'))
      return "the port must be a number from 1 to 65535";
  }
  return NULL;
}
