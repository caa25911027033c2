/*
 * creds.h — AWS credentials for signing S3 requests (`hardengen publish`).
 *
 * Lookup order, as the AWS CLI and SDKs do it:
 *   1. the environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, and
 *      AWS_SESSION_TOKEN when set;
 *   2. the shared credentials file: AWS_SHARED_CREDENTIALS_FILE, default
 *      ~/.aws/credentials, section [AWS_PROFILE] (default `default`), keys
 *      aws_access_key_id, aws_secret_access_key, aws_session_token
 *      (aws_security_token is accepted as its older name).
 *
 * Invariant: a secret (secret access key, session token) never reaches a
 * diagnostic, a trace or any output. Diagnostics name the variables, the file
 * and the profile that were looked at, never a value. hg_creds_free wipes the
 * secrets before releasing them.
 */
#ifndef HG_CREDS_H
#define HG_CREDS_H

#include <stdbool.h>

#include "hg/diag.h"

typedef struct hg_creds {
  char *access_key;     /* owned; never NULL after a successful load */
  char *secret_key;     /* owned; never NULL after a successful load; secret */
  char *session_token;  /* owned; NULL when none; secret */
  char *source;         /* owned; where they came from, for messages:
                           "environment" or "FILE [PROFILE]" */
} hg_creds;

/*
 * Load credentials from the environment, else from the shared credentials
 * file. Returns 0 with *out filled, or -1 after adding an error (code
 * `creds-missing`, `creds-incomplete` or `creds-file`) that names what was
 * looked for. *out needs hg_creds_free only on success.
 */
int hg_creds_load(hg_creds *out, hg_diag_sink *sink);

/*
 * Parse the text of a shared credentials file (INI: `[name]` sections,
 * `key = value` lines, `#` and `;` comments, keys compared without case) and
 * take the section `profile`. file names the text in diagnostics.
 * Returns 1 when the profile was found and complete (*out filled), 0 when
 * the file has no such section (nothing added), -1 after adding an error
 * (the section lacks a key; code `creds-incomplete`).
 */
int hg_creds_parse(const char *text, const char *file, const char *profile, hg_creds *out,
                   hg_diag_sink *sink);

/* Wipe and free the fields; *c is left zeroed. NULL-safe. */
void hg_creds_free(hg_creds *c);

#endif
