/*
 * bt_pending.c — weak stand-ins for functions of the pattern engine (fp.c)
 * and the full JSON parser (json.c) that the backtest links against before
 * those modules land. Each is weak: the real definition replaces it. The
 * JSON ones are complete (the full parser is the pruned parser keeping
 * everything); the pattern ones match nothing.
 */
#include <string.h>

#include "hg/fp.h"
#include "hg/json.h"

#define HG_WEAK __attribute__((weak))

HG_WEAK hg_jv *hg_json_parse(hg_arena *a, const char *text, size_t len, size_t *err_off,
                             const char **err_msg)
{
  return hg_json_parse_pruned(a, text, len, NULL, err_off, err_msg);
}

HG_WEAK const hg_jv *hg_jv_get(const hg_jv *v, const char *key, size_t keylen)
{
  if (!v || v->kind != HG_JV_OBJECT)
    return NULL;
  for (size_t i = 0; i < v->n; i++)
    if (v->klens[i] == keylen && memcmp(v->keys[i], key, keylen) == 0)
      return &v->items[i];
  return NULL;
}

HG_WEAK bool hg_fp_match(const hg_fp *fp, const hg_jv *event, const char *raw, size_t rawlen)
{
  (void)fp;
  (void)event;
  (void)raw;
  (void)rawlen;
  return false;
}

HG_WEAK bool hg_fp_needs_raw(const hg_fp *fp)
{
  (void)fp;
  return false;
}

HG_WEAK void hg_fp_selectors(const hg_fp *fp, void (*fn)(void *ud, const hg_jsel *sel), void *ud)
{
  (void)fp;
  (void)fn;
  (void)ud;
}
