/*
 * arn.h — Amazon Resource Name syntax, shared by the profile checks and the
 * exceptions loader.
 *
 *   arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
 *
 * (AWS General Reference, "Amazon Resource Names"). PARTITION is one of the
 * known partitions, SERVICE [a-z0-9-]+, REGION empty or a Region name,
 * ACCOUNT empty, 12 digits or "aws" (AWS managed policies), RESOURCE
 * non-empty; no whitespace or control characters; at most 2048 bytes.
 * Pure functions: nothing is allocated, nothing printed.
 */
#ifndef HG_ARN_H
#define HG_ARN_H

#include <stdbool.h>
#include <stddef.h>

/* The parts of an ARN, as spans of the text it was parsed from. */
typedef struct hg_arn {
  const char *partition, *service, *region, *account, *resource;
  size_t partition_len, service_len, region_len, account_len, resource_len;
} hg_arn;

#define HG_ARN_MAX 2048

/*
 * Parse s. Returns NULL when s is a well-formed ARN (out, which may be NULL,
 * gets its parts), else a static reason ("it has fewer than six ':'-separated
 * parts", ...). *col (may be NULL) receives the 0-based byte offset of the
 * problem inside s, for a caret.
 */
const char *hg_arn_parse(const char *s, hg_arn *out, size_t *col);

/* True when s is a Region name such as eu-west-1, us-gov-west-1, cn-north-1:
 * the one rule of hg_valid_region_n (validate.h). */
bool hg_arn_is_region(const char *s, size_t len);

#endif
