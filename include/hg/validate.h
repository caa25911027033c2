/*
 * validate.h — AWS name and address rules, one implementation for every
 * stage: the profile checks, `publish`, the org: block, the detective:
 * block, the exceptions loader, `sync` and `deploy` all ask here, so a name
 * one of them accepts is never refused by another.
 *
 * Each function is pure: nothing is allocated, printed or kept. The
 * `const char *` ones return NULL when the value is valid, else a static
 * reason written to follow "is not a valid ...: " ("a bucket name has no two
 * adjacent dots"). Each rule names the AWS document it enforces.
 */
#ifndef HG_VALIDATE_H
#define HG_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * S3 general purpose bucket names (Amazon S3 User Guide, "General purpose
 * bucket naming rules"): 3-63 characters of a-z 0-9 '.' '-'; starts and ends
 * with a letter or digit; no two adjacent dots and no '.-' or '-.'; not an
 * IPv4 address; no prefix xn--, sthree-, amzn-s3-demo-; no suffix -s3alias,
 * --ol-s3, .mrap, --x-s3, --table-s3.
 */
const char *hg_valid_bucket(const char *s);

/*
 * Region names, the one rule every command applies (AWS General Reference,
 * "Regional endpoints" and the partition files of the SDKs): two letters,
 * '-', an optional "gov-" or "iso[a-z]*-" part, a word of letters, '-', one
 * or two digits: eu-west-1, us-gov-west-1, cn-north-1, us-isob-east-1. A
 * pattern, not a list, so a Region AWS opens tomorrow is accepted; `eu-west`
 * and `eu-west-1:x` are not Regions. A well-formed name that is a near miss
 * of a known Region in another area (`eu-wset-2` for `eu-west-2`) is a typo
 * and is refused too; a new number in a known area (`eu-west-9`) is not.
 */
bool hg_valid_region(const char *s);
/* The same over the first n bytes of s (an ARN part). */
bool hg_valid_region_n(const char *s, size_t n);

/* Regions known to this release, NULL-terminated: did-you-mean material only
 * (validity is hg_valid_region). */
extern const char *const hg_valid_known_regions[];

/* An AWS account id: exactly 12 digits (AWS Account Management Reference). */
const char *hg_valid_account_id(const char *s);

/*
 * An address SNS accepts for an email subscription: a pragmatic subset of
 * RFC 5321 (a dot-atom local part of at most 64 characters, a dotted domain
 * of letter/digit/hyphen labels with an alphabetic top-level domain, at most
 * 254 characters in all).
 */
const char *hg_valid_email(const char *s);

/*
 * An https:// URL with a host: no spaces, control characters or bytes above
 * 0x7e; a host of letters, digits, '-' and '.'; an optional port 1-65535.
 * Not strict: "user:password@" may precede the host (SNS basic
 * authentication). Strict: no userinfo, and no '?', '#' or '\\' (the URL is
 * a base others append to).
 */
const char *hg_valid_https_url(const char *s, bool strict);

/* An IAM role ARN: arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME (IAM User
 * Guide, "IAM identifiers"). */
const char *hg_valid_role_arn(const char *s);

/* An IAM role name (IAM API Reference, CreateRole): 1-64 of [A-Za-z0-9+=,.@_-]. */
const char *hg_valid_role_name(const char *s);

/* A DynamoDB table name (DynamoDB API Reference, CreateTable): 3-255 of [A-Za-z0-9_.-]. */
const char *hg_valid_table_name(const char *s);

/* An AWS Organizations id (Organizations API Reference): ^o-[a-z0-9]{10,32}$. */
const char *hg_valid_org_id(const char *s);

#endif
