/*
 * profile-doc.c — print the profile reference generated from the schema
 * table (src/profile_schema.c): `profile-doc man` writes the manual page
 * hardengen-profile(5), `profile-doc md` the Markdown reference. Built and
 * run by `make man`; tests/unit/test_profile_doc.c checks the checked-in
 * files equal a fresh generation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/profile_schema.h"

int main(int argc, char **argv)
{
  if (argc != 2 || (strcmp(argv[1], "man") != 0 && strcmp(argv[1], "md") != 0)) {
    fprintf(stderr, "usage: profile-doc man|md\n");
    return 2;
  }
  char *text = hg_profile_doc(strcmp(argv[1], "man") == 0 ? HG_PROFILE_DOC_MAN : HG_PROFILE_DOC_MARKDOWN);
  int ok = fputs(text, stdout) >= 0 && fflush(stdout) == 0;
  free(text);
  return ok ? 0 : 1;
}
