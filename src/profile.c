/*
 * profile.c — placeholder profile loader until the libyaml loader lands.
 */
#include "hg/profile.h"

#include <stdlib.h>

hg_profile *hg_profile_load(const char *root, const char *env, hg_diag_sink *sink)
{
  (void)root;
  hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "profile-unavailable", "cannot load profile '%s' yet", env);
  return NULL;
}

void hg_profile_free(hg_profile *p) { (void)p; }
