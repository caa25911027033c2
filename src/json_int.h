/*
 * json_int.h — what the two halves of the JSON reader share: json.c (member
 * lookup, the writer) and json_pruned.c (the parser and its selector trie).
 */
#ifndef HG_JSON_INT_H
#define HG_JSON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* a[0, n) == b[0, n), inline: member names are short and share prefixes
 * (eventName, eventTime, eventType), and a call to memcmp per name costs
 * more than the comparison: word loads, the last one overlapping. */
static inline bool hg_json_name_eq(const char *a, const char *b, size_t n)
{
  if (n >= 8) {
    uint64_t x, y;
    for (size_t i = 0; i + 8 < n; i += 8) {
      memcpy(&x, a + i, 8);
      memcpy(&y, b + i, 8);
      if (x != y)
        return false;
    }
    memcpy(&x, a + n - 8, 8); /* the last eight bytes (may overlap) */
    memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x, y, u, v;
    memcpy(&x, a, 4);
    memcpy(&y, b, 4);
    memcpy(&u, a + n - 4, 4);
    memcpy(&v, b + n - 4, 4);
    return x == y && u == v;
  }
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i])
      return false;
  return true;
}

#endif
