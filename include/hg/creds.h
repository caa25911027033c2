/*
 * creds.h — AWS credentials for every command that calls AWS (`publish`,
 * `sync`, `deploy`), found as the AWS CLI and SDKs find them (SPEC.md §16).
 *
 * The chain, first source that applies wins:
 *   1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
 *      AWS_SESSION_TOKEN);
 *   2. web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE
 *      (+ AWS_ROLE_SESSION_NAME) -> STS AssumeRoleWithWebIdentity (unsigned);
 *   3. the profile (AWS_PROFILE, default `default`) of the shared files
 *      (awscfg.h), in the AWS CLI's order inside a profile:
 *      a. role_arn with source_profile (a chain of profiles, cycles refused)
 *         or credential_source (Environment, Ec2InstanceMetadata,
 *         EcsContainer) -> STS AssumeRole, with external_id,
 *         role_session_name, duration_seconds;
 *      b. role_arn with web_identity_token_file -> AssumeRoleWithWebIdentity;
 *      c. IAM Identity Center: sso_session (-> [sso-session NAME] with
 *         sso_start_url, sso_region) or the legacy sso_start_url/sso_region,
 *         plus sso_account_id and sso_role_name: the token cached by `aws sso
 *         login` in ~/.aws/sso/cache/SHA1.json (SHA1 = hex SHA-1 of the
 *         session name, or of the start URL for legacy profiles), then the
 *         portal's GetRoleCredentials; an expired token says to run
 *         `aws sso login`;
 *      d. static keys in the credentials file;
 *      e. credential_process: run without a shell (the command line is
 *         split like a POSIX shell would, no expansion), output JSON
 *         Version 1 with AccessKeyId, SecretAccessKey, SessionToken,
 *         Expiration; its stderr is kept and shown as notes with any
 *         credential it printed replaced by [redacted]; bounded by
 *         HARDENGEN_PROCESS_TIMEOUT seconds (default 60);
 *      f. static keys in the config file;
 *   4. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 *      169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to
 *      a loopback or the ECS/EKS link-local hosts), with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN;
 *   5. EC2 instance metadata, IMDSv2 (PUT a session token, then GET the role
 *      and its credentials) unless AWS_EC2_METADATA_DISABLED=true; endpoint
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT, default http://169.254.169.254.
 * When nothing applies, one error (`creds-missing`) lists each source tried
 * and why it did not apply. A source that applies but fails is an error of
 * its own (`creds-sts`, `creds-sso`, `creds-process`, `creds-container`,
 * `creds-imds`, `creds-config`, `creds-cycle`, ...), not a fall-through.
 *
 * Invariant: a secret (secret access key, session token, web identity token,
 * SSO access token, container authorization token) never reaches a
 * diagnostic, a trace or any output. Diagnostics name the variables, the files
 * and the profiles that were looked at, never a value. Credentials holding a
 * control character are refused (`creds-invalid`: CR/LF would inject an HTTP
 * header). hg_creds_free wipes the secrets before releasing them.
 */
#ifndef HG_CREDS_H
#define HG_CREDS_H

#include <stdbool.h>
#include <time.h>

#include "hg/diag.h"

typedef struct hg_creds {
  char *access_key;     /* owned; never NULL after a successful load */
  char *secret_key;     /* owned; never NULL after a successful load; secret */
  char *session_token;  /* owned; NULL when none; secret */
  char *source;         /* owned; where they came from, for messages:
                           "environment", "FILE [PROFILE]", "profile X: role R", ... */
  time_t expiration;    /* 0: does not expire; else when they stop working (UTC) */
} hg_creds;

/* Seconds before expiration at which temporary credentials are renewed. */
#define HG_CREDS_REFRESH_MARGIN 300

typedef struct hg_creds_provider hg_creds_provider;
typedef struct hg_http hg_http;
typedef struct hg_awscfg hg_awscfg;

/* How a provider is built. Everything may be NULL / 0. */
typedef struct hg_creds_opts {
  const hg_awscfg *cfg;     /* borrowed; NULL: the provider loads (and owns) one */
  const char *profile;      /* NULL: the cfg's profile (AWS_PROFILE or default) */
  const char *region;       /* Region for STS; NULL: hg_awscfg_region, else us-east-1 */
  hg_http *http;            /* borrowed client for STS, SSO, container and IMDS calls;
                               NULL: the provider makes its own (no trace) */
} hg_creds_opts;

/*
 * A provider for the chain above. Nothing is looked up yet (creation never
 * fails but for a malformed shared file: NULL after adding its error).
 */
hg_creds_provider *hg_creds_provider_new(const hg_creds_opts *o, hg_diag_sink *sink);
void hg_creds_provider_free(hg_creds_provider *p);

/*
 * Credentials valid for at least HG_CREDS_REFRESH_MARGIN more seconds (or
 * that do not expire): resolved on the first call, renewed by the same
 * source when they come near their expiration. The result is borrowed: valid
 * until the next call or hg_creds_provider_free. NULL after adding errors.
 */
const hg_creds *hg_creds_get(hg_creds_provider *p, hg_diag_sink *sink);

/* The credentials last returned by hg_creds_get (for messages: their
 * source), or NULL. Borrowed as above. */
const hg_creds *hg_creds_current(const hg_creds_provider *p);

/*
 * One-shot: resolve the chain (environment, shared files, ...) once and copy
 * the result into *out. Returns 0 with *out filled, or -1 after adding errors
 * (see above). *out needs hg_creds_free only on success. Callers that run
 * long should keep a provider instead (temporary credentials expire).
 */
int hg_creds_load(hg_creds *out, hg_diag_sink *sink);

/*
 * Parse the text of a shared credentials file and take the section
 * `profile` (static keys only). file names the text in diagnostics.
 * Returns 1 when the profile was found and complete (*out filled), 0 when
 * the file has no such section (nothing added), -1 after adding an error
 * (the section lacks a key: `creds-incomplete`; a malformed line:
 * `awscfg-syntax`; a control character: `creds-invalid`).
 */
int hg_creds_parse(const char *text, const char *file, const char *profile, hg_creds *out,
                   hg_diag_sink *sink);

/* Deep copy (secrets included); *dst needs hg_creds_free. */
void hg_creds_copy(hg_creds *dst, const hg_creds *src);

/* Wipe and free the fields; *c is left zeroed. NULL-safe. */
void hg_creds_free(hg_creds *c);

/*
 * Split a credential_process command line into argv as a POSIX shell would
 * split words (blanks separate; '...' literal; "..." with \ escaping " \ $ `;
 * \ outside quotes escapes the next character), without any expansion.
 * Returns a malloc'd NULL-terminated vector (free each and the vector), or
 * NULL with *why (static) for an unterminated quote or an empty command.
 */
char **hg_creds_split_command(const char *cmd, const char **why);

/*
 * Parse credential_process output (JSON, Version 1). Returns 0 with *out
 * filled (source left NULL), or -1 with *why (static) naming what is wrong,
 * never a value.
 */
int hg_creds_parse_process_output(const char *text, size_t len, hg_creds *out, const char **why);

/* An ISO 8601 UTC time ("2024-01-02T03:04:05Z", fractions and "+00:00"
 * accepted) as time_t; -1 when malformed. */
time_t hg_creds_parse_time(const char *s);

#endif
