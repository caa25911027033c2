/*
 * awscfg.h — the AWS shared configuration as the AWS CLI reads it: the
 * config file (AWS_CONFIG_FILE, default ~/.aws/config) and the credentials
 * file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials), the
 * selected profile (AWS_PROFILE, default `default`), and from them the
 * Region and the endpoint of each service.
 *
 * File format (AWS CLI User Guide, "Configuration and credential file
 * settings"): INI sections `[default]`, `[profile NAME]`, `[sso-session
 * NAME]`, `[services NAME]` in the config file, `[NAME]` in the credentials
 * file; `key = value` lines, keys compared without case; `#` and `;` start a
 * comment line; a key with an empty value followed by indented `sub = value`
 * lines is a nested block (`s3 =` / `  endpoint_url = ...` in a services
 * section). For one profile, the credentials file wins over the config file.
 * A missing file is an empty one. A malformed line (no '=', a key before any
 * section, an unclosed '[') is an error at FILE:LINE:COL with a caret
 * (code `awscfg-syntax`); values are never echoed (they may be secrets).
 *
 * Region (first found): the --region flag, the caller's own setting (a
 * profile's publish.region), AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * `region`.
 *
 * Endpoint of a service (AWS SDKs and Tools Reference Guide, "Service-specific
 * endpoints"), first found: --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_ENDPOINT_URL, `endpoint_url` in the profile's services section for
 * the service, `endpoint_url` in the profile; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
 * (or ignore_configured_endpoint_urls = true) keeps only the flag. Else the
 * service's default endpoint in the Region's partition. Service ids: "s3",
 * "sts", "dynamodb", "cloudformation", "sso" (env names upper-case them).
 *
 * Endpoint URLs are parsed with libcurl's URL API (curl_url): http or https,
 * a valid host, no user or password, no query, no fragment. Errors
 * (code `endpoint-invalid`) name the origin (flag, variable, FILE:LINE) and
 * never echo a password.
 *
 * Ownership: an hg_awscfg owns every string it returns; they live until
 * hg_awscfg_free. Library code: nothing printed.
 */
#ifndef HG_AWSCFG_H
#define HG_AWSCFG_H

#include <stdbool.h>

#include "hg/diag.h"

typedef struct hg_awscfg hg_awscfg;

/* Where a setting was found (for messages): the file and its 1-based line. */
typedef struct hg_awscfg_where {
  const char *file; /* owned by the hg_awscfg */
  int line;
} hg_awscfg_where;

/*
 * Read both files from the environment's paths (~ expanded). Returns the
 * parsed configuration, or NULL after adding errors (a file that exists but
 * cannot be read, is a directory, is larger than 1 MiB, or is malformed).
 */
hg_awscfg *hg_awscfg_load(hg_diag_sink *sink);

/*
 * Parse texts directly (tests, fuzzing). Either text may be NULL (absent);
 * the names are used in diagnostics. profile NULL: AWS_PROFILE or "default".
 */
hg_awscfg *hg_awscfg_parse(const char *config_text, const char *config_name,
                           const char *creds_text, const char *creds_name, const char *profile,
                           hg_diag_sink *sink);
void hg_awscfg_free(hg_awscfg *c);

/* The selected profile: AWS_PROFILE (or AWS_DEFAULT_PROFILE), else "default". */
const char *hg_awscfg_profile(const hg_awscfg *c);
/* The files' paths as read ("" when no home is known). */
const char *hg_awscfg_config_path(const hg_awscfg *c);
const char *hg_awscfg_creds_path(const hg_awscfg *c);

/* True when either file has a section for the profile. */
bool hg_awscfg_has_profile(const hg_awscfg *c, const char *profile);

/* Where the profile's first section is in the credentials file (in_creds)
 * or the config file; false when it has none there. */
bool hg_awscfg_profile_where(const hg_awscfg *c, const char *profile, bool in_creds,
                             hg_awscfg_where *where);

/*
 * A profile's setting (credentials file first, then config file), or NULL.
 * where (may be NULL) tells where it was found.
 */
const char *hg_awscfg_get(const hg_awscfg *c, const char *profile, const char *key,
                          hg_awscfg_where *where);

/* True when the profile has the setting in the credentials file (the AWS CLI
 * prefers static keys there over a credential_process in the config file). */
bool hg_awscfg_in_creds_file(const hg_awscfg *c, const char *profile, const char *key);

/* A setting of a `[KIND NAME]` section of the config file ("sso-session",
 * "services"), or NULL. */
const char *hg_awscfg_section_get(const hg_awscfg *c, const char *kind, const char *name,
                                  const char *key, hg_awscfg_where *where);
bool hg_awscfg_has_section(const hg_awscfg *c, const char *kind, const char *name);

/* A nested setting of a `[services NAME]` section: `SERVICE =` then `  key = value`. */
const char *hg_awscfg_service_get(const hg_awscfg *c, const char *services, const char *service,
                                  const char *key, hg_awscfg_where *where);

/*
 * The Region, first of: flag, setting (the caller's own, e.g.
 * publish.region), AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`.
 * NULL when none. *origin (may be NULL) gets a static description ("--region",
 * "AWS_REGION", "the profile", ...). c may be NULL (files not consulted).
 */
const char *hg_awscfg_region(const hg_awscfg *c, const char *flag, const char *setting,
                             const char **origin);

/*
 * The endpoint of service (see above). Returns 0 with *url malloc'd (no
 * trailing '/') or NULL when none is configured (use the default endpoint),
 * -1 after adding an `endpoint-invalid` error. *origin (may be NULL) gets
 * where it came from (owned by c, or static). c may be NULL.
 */
int hg_awscfg_endpoint(const hg_awscfg *c, const char *service, const char *flag, char **url,
                       const char **origin, hg_diag_sink *sink);

/*
 * The default endpoint of a service in a Region: https://SERVICE.REGION.amazonaws.com
 * (.amazonaws.com.cn for cn-*), "portal.sso.REGION" for "sso". malloc'd.
 */
char *hg_awscfg_default_endpoint(const char *service, const char *region);

/*
 * Check an endpoint URL with curl_url (see above). origin names it in the
 * error ("--endpoint-url", "AWS_ENDPOINT_URL_S3", "FILE:LINE"). Returns 0
 * with *out (may be NULL) malloc'd and normalised (scheme://host[:port][/path]
 * without a trailing '/'), or -1 after adding an `endpoint-invalid` error.
 */
int hg_awscfg_check_endpoint(const char *url, const char *origin, char **out,
                             hg_diag_sink *sink);

#endif
