/*
 * resource.h — where hardengen's inputs are, and what was read from them.
 *
 * Two kinds of place:
 *   - the repository (--root): profiles/, filters/, templates/, exceptions/;
 *   - the share folder: what ships with hardengen (filters/, templates/,
 *     lambda/, iam-actions.txt). Found, first hit wins, as
 *       $HARDENGEN_SHARE when it names a folder;
 *       ../share/hardengen beside the executable's folder (PREFIX/bin/ of
 *       an install, also once staged with DESTDIR or moved elsewhere);
 *       SHAREDIR (PREFIX/share/hardengen, compiled in) when it exists;
 *       for a binary or test program run from its build tree: the folder
 *       of the executable, or up to three folders above it, that holds
 *       filters/cis.lua (the source tree).
 *     Files of the share folder live at SHARE/REL once installed and at
 *     SHARE/share/REL in the source tree (share/lambda/, share/iam-actions.txt);
 *     hg_res_share_file looks in both.
 *
 * Every stage that reads an input file through a resolver (hg_res_read) has
 * the SHA-256 of the exact bytes it read recorded, so the build digest is
 * computed from what the stages saw, never from a second read (a file edited
 * during a build cannot make the digest disagree with the templates).
 *
 * Library code: nothing here prints or exits. The process-wide lookups
 * (hg_res_share_dir, hg_res_iam_actions) are computed once and are not
 * thread-safe on their first call; a resolver (hg_res) belongs to one thread.
 */
#ifndef HG_RESOURCE_H
#define HG_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>

/* ---- process-wide lookups ---- */

/*
 * The share folder (see above), or NULL when none exists. Computed on the
 * first call and kept for the life of the process. Static storage.
 */
const char *hg_res_share_dir(void);

/*
 * The path of share file REL ("lambda/detective.py", "iam-actions.txt"):
 * the first readable of SHARE/REL and SHARE/share/REL (SHARE =
 * hg_res_share_dir()), then share/REL beside the executable or up to three
 * folders up (a binary or test program in its build tree, when SHARE is
 * another folder). NULL when none is readable. The caller frees the result.
 */
char *hg_res_share_file(const char *rel);

/*
 * The IAM action list: $HARDENGEN_IAM_ACTIONS when set and not empty (even if
 * missing, so the loader reports it), else hg_res_share_file("iam-actions.txt").
 * NULL when there is none. Static storage (valid until the next call).
 */
const char *hg_res_iam_actions(void);

/*
 * The --root a command uses when none is given: like git finding its
 * repository, the current folder or the nearest folder above it that holds
 * profiles/, spelled relatively (".", "..", "../..", ...); "." when none
 * does (the command then reports that profiles/ is missing). Static storage.
 */
const char *hg_res_default_root(void);

/* ---- a resolver: one root, one share folder, the reads of one run ---- */

typedef struct hg_res hg_res;

/*
 * A resolver for ROOT (NULL: ".") with the process's share folder
 * (hg_res_share_dir()). Never NULL; free with hg_res_free. root is copied.
 */
hg_res *hg_res_new(const char *root);

/*
 * Use SHARE as the share folder instead (NULL: none, so only ROOT's files
 * are seen — a test's or an embedder's choice). share is copied.
 */
void hg_res_set_share(hg_res *r, const char *share);

void hg_res_free(hg_res *r);

/* The root as given ("." for NULL), and the share folder or NULL. Owned by r. */
const char *hg_res_root(const hg_res *r);
const char *hg_res_share(const hg_res *r);

/*
 * "ROOT/REL" ("REL" when ROOT is "."), or "SHARE/REL" for hg_res_share_path
 * (NULL without a share folder). The caller frees the result.
 */
char *hg_res_root_path(const hg_res *r, const char *rel);
char *hg_res_share_path(const hg_res *r, const char *rel);

/*
 * Read the file at path as hg_read_file does (at most max bytes, NUL
 * terminated, *len set; NULL with errno set on failure, nothing recorded)
 * and record the SHA-256 of the bytes returned under path, replacing an
 * earlier record of the same path. The caller frees the result.
 */
char *hg_res_read(hg_res *r, const char *path, size_t max, size_t *len);

/*
 * The SHA-256 (64 lowercase hex digits) of the bytes last read from path
 * through r, or NULL when r is NULL or path was not read through it. The
 * path must be spelled as it was read. Owned by r.
 */
const char *hg_res_sha256(const hg_res *r, const char *path);

/* Number of files read through r (distinct paths). */
size_t hg_res_count(const hg_res *r);

/*
 * Call fn(ctx, path) after each successful hg_res_read through r, once the
 * bytes are read and their digest recorded (fn NULL: none). For an
 * embedder's log of what a build read, and for tests that change a file
 * right after a stage read it (the digest must still be of the bytes read).
 */
typedef void (*hg_res_read_fn)(void *ctx, const char *path);
void hg_res_on_read(hg_res *r, hg_res_read_fn fn, void *ctx);

#endif
