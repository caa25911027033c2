/*
 * creds_int.h — shared between the credential sources (creds_*.c). Not a
 * public header: commands use creds.h.
 *
 * Every source returns 1 with *out filled, 0 when it does not apply (with a
 * one-line reason appended to the provider's `why` list for the
 * `creds-missing` error), or -1 after adding an error: a source that
 * applies and fails stops the chain, as in the AWS CLI.
 */
#ifndef HG_CREDS_INT_H
#define HG_CREDS_INT_H

#include "hg/awscfg.h"
#include "hg/creds.h"
#include "hg/doc.h"
#include "hg/http.h"
#include "hg/util.h"

struct hg_creds_provider {
  const hg_awscfg *cfg;
  hg_awscfg *own_cfg;
  hg_http *http;
  hg_http *own_http;
  char *profile;       /* the profile to start from */
  bool profile_set;    /* named by AWS_PROFILE or the caller (a missing one is an error) */
  char *region;        /* for STS */
  hg_creds cur;        /* the credentials handed out */
  bool have;
  hg_buf why;          /* reasons of the sources that did not apply, one per line */
};

/* Add a reason line ("SOURCE: why") to p->why. */
void hg_creds__why(hg_creds_provider *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fill *out from the four strings (copied); refuses control characters
 * (creds-invalid, naming origin). 0 or -1. */
int hg_creds__set(hg_creds *out, const char *id, const char *secret, const char *token,
                  time_t expiration, const char *origin, hg_diag_sink *sink);

/* STS AssumeRole with src's credentials. where names the profile for messages. */
int hg_creds__assume_role(hg_creds_provider *p, const hg_creds *src, const char *profile,
                          hg_creds *out, hg_diag_sink *sink);
/* STS AssumeRoleWithWebIdentity (unsigned). role_arn, token_file, session may come from
 * the environment (profile NULL) or a profile. */
int hg_creds__web_identity(hg_creds_provider *p, const char *role_arn, const char *token_file,
                           const char *session, const char *duration, const char *origin,
                           hg_creds *out, hg_diag_sink *sink);
/* IAM Identity Center for a profile with sso_* settings. */
int hg_creds__sso(hg_creds_provider *p, const char *profile, hg_creds *out, hg_diag_sink *sink);
/* credential_process of a profile. */
int hg_creds__process(hg_creds_provider *p, const char *profile, hg_creds *out,
                      hg_diag_sink *sink);
/* Container credentials (AWS_CONTAINER_CREDENTIALS_*). */
int hg_creds__container(hg_creds_provider *p, hg_creds *out, hg_diag_sink *sink);
/* EC2 instance metadata, IMDSv2. */
int hg_creds__imds(hg_creds_provider *p, hg_creds *out, hg_diag_sink *sink);

/*
 * Read a JSON object that holds secrets (an answer, the SSO cache) with the
 * one JSON reader (emit.h): a repeated member keeps its last value, and
 * text after the value, a string holding U+0000 or a value that is not an
 * object makes the whole text unreadable. The reader's diagnostic is
 * dropped (its copy of the text wiped first): callers say what is wrong in
 * their own words, never quoting the text. Returns a MAP (free it with
 * hg_doc_free_wiped) or NULL; then *unheld (when given) tells valid JSON
 * the document cannot hold (U+0000 in a string, a number beyond a double)
 * from a syntax error or a value that is not an object.
 */
hg_doc *hg_creds__read_json(const char *text, size_t len, bool *unheld);

/* Parse {"AccessKeyId","SecretAccessKey","Token","Expiration"} (container and
 * IMDS answers). 0, or -1 with *why. */
int hg_creds__parse_metadata_json(const char *text, size_t len, hg_creds *out, const char **why);

/* The endpoint of service for p (configured, else the default). malloc'd, NULL after an error. */
char *hg_creds__endpoint(hg_creds_provider *p, const char *service, const char *region,
                         hg_diag_sink *sink);

#endif
