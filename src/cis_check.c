/*
 * cis_check.c — the CIS monitoring controls and the offline acceptance logic
 * of the three checkers hardengen targets.
 *
 * Source document: shared/reference/cis-controls.json — "controls" (ids, CIS
 * numbers, the Security Hub strings, event names and sources) and "checkers"
 * (what AWS Security Hub, prowler and steampipe accept). The table below is
 * a transcription of it; tests/unit/test_cis.c compares it with the JSON.
 *
 * The checkers:
 *   - securityhub: the pattern equals the documented string byte for byte
 *     (added fields, terms, parentheses or spaces fail). Security Hub has no
 *     control for organizations-changes, so there it does not apply.
 *   - prowler: every required clause is present, in any order, extra text
 *     allowed; a value may be preceded by one optional character (a quote);
 *     event names end at a word boundary; whitespace around = and != is free.
 *     Ordered groups: unauthorized-api-calls (*UnauthorizedOperation before
 *     AccessDenied*) and root-account-usage (its three clauses in order).
 *   - steampipe: one ordered sequence per control (clauses in CIS order,
 *     other text between allowed), with quotes required where the reference
 *     lists them (unauthorized-api-calls, console-signin-without-mfa).
 *
 * The alarm half of each check (an alarm on the filter's metric that
 * notifies a subscribed SNS topic) always holds for hardengen's output: every
 * filter gets such an alarm. Matching is linear in the pattern per clause;
 * no regular-expression engine is involved.
 */
#include "hg/cis.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hg/util.h"

const char *const hg_cis_versions[HG_CIS_NVERSIONS] = {"1.2", "1.4", "3.0", "5.0"};

int hg_cis_version_index(const char *version)
{
  for (int i = 0; version && i < HG_CIS_NVERSIONS; i++)
    if (strcmp(hg_cis_versions[i], version) == 0)
      return i;
  return -1;
}

/* ---- clauses ------------------------------------------------------------ */

enum {
  CL_QUOTED = 1u << 0, /* value must be written "value" (steampipe's notable requirements) */
  CL_WORD = 1u << 1,   /* value ends at a word boundary (event names) */
  CL_PAREN = 1u << 2,  /* clause written as ( $.f op value ) */
  CL_AND = 1u << 3,    /* follows the previous clause directly, joined by && */
};

/* One clause "$.FIELD OP VALUE". op "NOT EXISTS" has no value. Values that
 * are not CL_QUOTED may be preceded by one optional character (a quote). */
typedef struct cis_clause {
  const char *field;
  const char *op;
  const char *value;
  unsigned flags;
} cis_clause;

/*
 * One checker's requirements for a control:
 *   seq: clauses in order (prowler: one ordered group found anywhere);
 *   source: "$.eventSource = SOURCE" (NULL: none);
 *   names: "$.eventName = NAME" each.
 * steampipe reads them as one ordered sequence: seq, source, names.
 * prowler reads seq as one ordered group, source and each name anywhere.
 */
typedef struct cis_rule {
  const cis_clause *seq;
  size_t n_seq;
  const char *source;
  const char *const *names;
  size_t n_names;
} cis_rule;

typedef struct cis_entry {
  hg_cis_control pub; /* first member: a pointer to it is a pointer to the entry */
  cis_rule prowler;
  cis_rule steampipe;
} cis_entry;

#define NAMES(a) a, HG_COUNTOF(a)
#define SEQ(a) a, HG_COUNTOF(a)
#define EV(n) {"eventName", "=", n, CL_WORD}

/* Event names, in CIS order (cis-controls.json "event_names"). */
static const char *const N_iam_policy_changes[] = {
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy",
    "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion",
    "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy",
    "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy",
};
static const char *const N_cloudtrail_config_changes[] = {
    "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging",
};
static const char *const N_cmk_disable_or_deletion[] = {
    "DisableKey", "ScheduleKeyDeletion",
};
static const char *const N_s3_bucket_policy_changes[] = {
    "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
    "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle",
    "DeleteBucketReplication",
};
static const char *const N_config_changes[] = {
    "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
    "PutConfigurationRecorder",
};
static const char *const N_security_group_changes[] = {
    "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
    "DeleteSecurityGroup",
};
/* steampipe requires ModifySecurityGroupRules (CIS v5.0) for every version. */
static const char *const N_security_group_changes_steampipe[] = {
    "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
    "DeleteSecurityGroup", "ModifySecurityGroupRules",
};
static const char *const N_nacl_changes[] = {
    "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
    "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
};
static const char *const N_network_gateway_changes[] = {
    "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
    "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway",
};
static const char *const N_route_table_changes[] = {
    "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
    "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable",
};
static const char *const N_vpc_changes[] = {
    "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
    "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
    "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink",
    "EnableVpcClassicLink",
};
static const char *const N_organizations_changes[] = {
    "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit",
    "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit",
    "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
    "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
    "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit",
};
/* prowler: the 18 CIS names plus CancelHandshake, CreateOrganization, EnableAllFeatures. */
static const char *const N_organizations_changes_prowler[] = {
    "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit",
    "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit",
    "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
    "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
    "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit",
    "CancelHandshake", "CreateOrganization", "EnableAllFeatures",
};

/* Clause sequences of the controls that are not a plain list of event names. */
static const cis_clause P_unauthorized[] = {
    {"errorCode", "=", "*UnauthorizedOperation", 0},
    {"errorCode", "=", "AccessDenied*", 0},
};
static const cis_clause S_unauthorized[] = {
    {"errorCode", "=", "*UnauthorizedOperation", CL_QUOTED},
    {"errorCode", "=", "AccessDenied*", CL_QUOTED},
    {"sourceIPAddress", "!=", "delivery.logs.amazonaws.com", CL_QUOTED},
    {"eventName", "!=", "HeadBucket", CL_QUOTED},
};
static const char *const N_console_login[] = {"ConsoleLogin"};
static const cis_clause P_signin_mfa[] = {
    {"additionalEventData.MFAUsed", "!=", "Yes", 0},
};
static const cis_clause S_signin_mfa[] = {
    {"eventName", "=", "ConsoleLogin", CL_QUOTED | CL_PAREN},
    {"additionalEventData.MFAUsed", "!=", "Yes", CL_QUOTED | CL_PAREN | CL_AND},
};
static const cis_clause PS_root[] = {
    {"userIdentity.type", "=", "Root", 0},
    {"userIdentity.invokedBy", "NOT EXISTS", NULL, 0},
    {"eventType", "!=", "AwsServiceEvent", 0},
};
static const cis_clause P_auth_failures[] = {
    {"errorMessage", "=", "Failed authentication", 0},
};
static const cis_clause S_auth_failures[] = {
    EV("ConsoleLogin"),
    {"errorMessage", "=", "Failed authentication", 0},
};

#define V4(a, b, c, d) {a, b, c, d}
#define ALL4(x, y) V4(x, y, y, y)

static const cis_entry controls[] = {
    {{"unauthorized-api-calls", ALL4("3.1", "4.1"), "CloudWatch.2",
      "{($.errorCode=\"*UnauthorizedOperation\") || ($.errorCode=\"AccessDenied*\")}"},
     {SEQ(P_unauthorized), NULL, NULL, 0},
     {SEQ(S_unauthorized), NULL, NULL, 0}},
    {{"console-signin-without-mfa", ALL4("3.2", "4.2"), "CloudWatch.3",
      "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") && "
      "($.userIdentity.type = \"IAMUser\") && ($.responseElements.ConsoleLogin = \"Success\") }"},
     {SEQ(P_signin_mfa), NULL, NAMES(N_console_login)},
     {SEQ(S_signin_mfa), NULL, NULL, 0}},
    {{"root-account-usage", ALL4("3.3", "4.3"), "CloudWatch.1",
      "{$.userIdentity.type=\"Root\" && $.userIdentity.invokedBy NOT EXISTS && "
      "$.eventType !=\"AwsServiceEvent\"}"},
     {SEQ(PS_root), NULL, NULL, 0},
     {SEQ(PS_root), NULL, NULL, 0}},
    {{"iam-policy-changes", ALL4("3.4", "4.4"), "CloudWatch.4",
      "{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || "
      "($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || "
      "($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || "
      "($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || "
      "($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || "
      "($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || "
      "($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || "
      "($.eventName=DetachGroupPolicy)}"},
     {NULL, 0, NULL, NAMES(N_iam_policy_changes)},
     {NULL, 0, NULL, NAMES(N_iam_policy_changes)}},
    {{"cloudtrail-config-changes", ALL4("3.5", "4.5"), "CloudWatch.5",
      "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || "
      "($.eventName=StartLogging) || ($.eventName=StopLogging)}"},
     {NULL, 0, NULL, NAMES(N_cloudtrail_config_changes)},
     {NULL, 0, NULL, NAMES(N_cloudtrail_config_changes)}},
    {{"console-auth-failures", ALL4("3.6", "4.6"), "CloudWatch.6",
      "{($.eventName=ConsoleLogin) && ($.errorMessage=\"Failed authentication\")}"},
     {SEQ(P_auth_failures), NULL, NAMES(N_console_login)},
     {SEQ(S_auth_failures), NULL, NULL, 0}},
    {{"cmk-disable-or-deletion", ALL4("3.7", "4.7"), "CloudWatch.7",
      "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || "
      "($.eventName=ScheduleKeyDeletion))}"},
     {NULL, 0, "kms.amazonaws.com", NAMES(N_cmk_disable_or_deletion)},
     {NULL, 0, "kms.amazonaws.com", NAMES(N_cmk_disable_or_deletion)}},
    {{"s3-bucket-policy-changes", ALL4("3.8", "4.8"), "CloudWatch.8",
      "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || "
      "($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || "
      "($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || "
      "($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || "
      "($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}"},
     {NULL, 0, "s3.amazonaws.com", NAMES(N_s3_bucket_policy_changes)},
     {NULL, 0, "s3.amazonaws.com", NAMES(N_s3_bucket_policy_changes)}},
    {{"config-changes", ALL4("3.9", "4.9"), "CloudWatch.9",
      "{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || "
      "($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || "
      "($.eventName=PutConfigurationRecorder))}"},
     {NULL, 0, "config.amazonaws.com", NAMES(N_config_changes)},
     {NULL, 0, "config.amazonaws.com", NAMES(N_config_changes)}},
    {{"security-group-changes", ALL4("3.10", "4.10"), "CloudWatch.10",
      "{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || "
      "($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || "
      "($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}"},
     {NULL, 0, NULL, NAMES(N_security_group_changes)},
     {NULL, 0, NULL, NAMES(N_security_group_changes_steampipe)}},
    {{"nacl-changes", ALL4("3.11", "4.11"), "CloudWatch.11",
      "{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || "
      "($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || "
      "($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}"},
     {NULL, 0, NULL, NAMES(N_nacl_changes)},
     {NULL, 0, NULL, NAMES(N_nacl_changes)}},
    {{"network-gateway-changes", ALL4("3.12", "4.12"), "CloudWatch.12",
      "{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || "
      "($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || "
      "($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}"},
     {NULL, 0, NULL, NAMES(N_network_gateway_changes)},
     {NULL, 0, NULL, NAMES(N_network_gateway_changes)}},
    /* prowler requires the ec2.amazonaws.com event source; steampipe does not. */
    {{"route-table-changes", ALL4("3.13", "4.13"), "CloudWatch.13",
      "{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || "
      "($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || "
      "($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}"},
     {NULL, 0, "ec2.amazonaws.com", NAMES(N_route_table_changes)},
     {NULL, 0, NULL, NAMES(N_route_table_changes)}},
    {{"vpc-changes", ALL4("3.14", "4.14"), "CloudWatch.14",
      "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || "
      "($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || "
      "($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || "
      "($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || "
      "($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}"},
     {NULL, 0, NULL, NAMES(N_vpc_changes)},
     {NULL, 0, NULL, NAMES(N_vpc_changes)}},
    /* CIS v1.4+ only; no Security Hub control. */
    {{"organizations-changes", V4(NULL, "4.15", "4.15", "4.15"), NULL, NULL},
     {NULL, 0, "organizations.amazonaws.com", NAMES(N_organizations_changes_prowler)},
     {NULL, 0, "organizations.amazonaws.com", NAMES(N_organizations_changes)}},
};

/* Every controls[i] begins with its hg_cis_control, so the two addresses agree. */
static const cis_entry *entry_of(const hg_cis_control *c)
{
  return (const cis_entry *)(const void *)c;
}

size_t hg_cis_control_count(void)
{
  return HG_COUNTOF(controls);
}

const hg_cis_control *hg_cis_control_at(size_t i)
{
  return i < HG_COUNTOF(controls) ? &controls[i].pub : NULL;
}

const hg_cis_control *hg_cis_control_find(const char *id)
{
  for (size_t i = 0; id && i < HG_COUNTOF(controls); i++)
    if (strcmp(controls[i].pub.id, id) == 0)
      return &controls[i].pub;
  return NULL;
}

const char *hg_cis_target_name(unsigned target)
{
  switch (target) {
  case HG_TARGET_SECURITYHUB: return "securityhub";
  case HG_TARGET_PROWLER: return "prowler";
  case HG_TARGET_STEAMPIPE: return "steampipe";
  default: return NULL;
  }
}

bool hg_cis_target_applies(const hg_cis_control *c, unsigned target)
{
  if (target == HG_TARGET_SECURITYHUB)
    return c->securityhub_pattern != NULL;
  return target == HG_TARGET_PROWLER || target == HG_TARGET_STEAMPIPE;
}

/* Longest pattern the clause checkers read (CloudWatch Logs allows 1024). */
#define HG_CIS_MAX_PATTERN 4096

/* ---- matching ------------------------------------------------------------ */

static bool is_word(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static size_t skip_ws(const char *t, size_t n, size_t i)
{
  while (i < n && is_space(t[i]))
    i++;
  return i;
}

/* Consume the literal s at *i. */
static bool lit(const char *t, size_t n, size_t *i, const char *s)
{
  size_t l = strlen(s);
  if (*i > n || n - *i < l || memcmp(t + *i, s, l) != 0)
    return false;
  *i += l;
  return true;
}

/*
 * Match clause c starting exactly at t[i]. Stores the end offsets of every
 * way it matches (at most two: with and without the optional character
 * before the value) in ends and returns their number.
 */
static int clause_at(const cis_clause *c, const char *t, size_t n, size_t i, size_t ends[2])
{
  size_t cand[2];
  int nc = 0;
  if (c->flags & CL_PAREN) {
    if (!lit(t, n, &i, "("))
      return 0;
    i = skip_ws(t, n, i);
  }
  if (!lit(t, n, &i, "$.") || !lit(t, n, &i, c->field))
    return 0;
  i = skip_ws(t, n, i);
  if (!c->value) { /* NOT EXISTS */
    if (!lit(t, n, &i, "NOT"))
      return 0;
    i = skip_ws(t, n, i);
    if (!lit(t, n, &i, "EXISTS") || (i < n && is_word(t[i])))
      return 0;
    cand[nc++] = i;
  } else {
    if (!lit(t, n, &i, c->op))
      return 0;
    i = skip_ws(t, n, i);
    if (c->flags & CL_QUOTED) {
      if (!lit(t, n, &i, "\"") || !lit(t, n, &i, c->value) || !lit(t, n, &i, "\""))
        return 0;
      cand[nc++] = i;
    } else {
      for (size_t k = 0; k < 2 && i + k <= n; k++) {
        size_t j = i + k;
        if (lit(t, n, &j, c->value) && (!(c->flags & CL_WORD) || j == n || !is_word(t[j])))
          cand[nc++] = j;
      }
    }
  }
  int ne = 0;
  for (int k = 0; k < nc; k++) {
    size_t e = cand[k];
    if (c->flags & CL_PAREN) {
      e = skip_ws(t, n, e);
      if (!lit(t, n, &e, ")"))
        continue;
    }
    ends[ne++] = e;
  }
  return ne;
}

/*
 * Match clauses cl[0..k) in order, any text between them, except that a
 * CL_AND clause must follow its predecessor directly after "&&". Returns the
 * number of clauses matched before the first that could not be (k: all).
 * Time O(k * n * clause length); memory O(n).
 */
static size_t seq_match(const cis_clause *cl, size_t k, const char *t, size_t n)
{
  unsigned char *reach = xcalloc(n + 1, 1), *next = xcalloc(n + 1, 1);
  reach[0] = 1;
  size_t done = 0;
  for (; done < k; done++) {
    memset(next, 0, n + 1);
    bool any = false;
    size_t ends[2];
    if ((cl[done].flags & CL_AND) && done > 0) {
      for (size_t p = 0; p <= n; p++) {
        if (!reach[p])
          continue;
        size_t q = skip_ws(t, n, p);
        if (!lit(t, n, &q, "&&"))
          continue;
        q = skip_ws(t, n, q);
        int ne = clause_at(&cl[done], t, n, q, ends);
        for (int e = 0; e < ne; e++)
          next[ends[e]] = 1, any = true;
      }
    } else {
      size_t lo = 0;
      while (lo <= n && !reach[lo])
        lo++;
      for (size_t s = lo; s < n; s++) {
        int ne = clause_at(&cl[done], t, n, s, ends);
        for (int e = 0; e < ne; e++)
          next[ends[e]] = 1, any = true;
      }
    }
    if (!any)
      break;
    unsigned char *tmp = reach;
    reach = next;
    next = tmp;
  }
  free(reach);
  free(next);
  return done;
}

static bool clause_anywhere(const cis_clause *c, const char *t, size_t n)
{
  return seq_match(c, 1, t, n) == 1;
}

static void clause_text(hg_buf *b, const cis_clause *c)
{
  if (c->flags & CL_PAREN)
    hg_buf_putc(b, '(');
  hg_buf_printf(b, "$.%s %s", c->field, c->op);
  if (c->value)
    hg_buf_printf(b, (c->flags & CL_QUOTED) ? " \"%s\"" : " %s", c->value);
  if (c->flags & CL_PAREN)
    hg_buf_putc(b, ')');
}

/* The steampipe sequence of a control: seq, then source, then names. */
#define MAX_CLAUSES 40
static size_t rule_sequence(const cis_rule *r, cis_clause out[MAX_CLAUSES])
{
  size_t k = 0;
  for (size_t i = 0; i < r->n_seq && k < MAX_CLAUSES; i++)
    out[k++] = r->seq[i];
  if (r->source && k < MAX_CLAUSES)
    out[k++] = (cis_clause){"eventSource", "=", r->source, 0};
  for (size_t i = 0; i < r->n_names && k < MAX_CLAUSES; i++)
    out[k++] = (cis_clause){"eventName", "=", r->names[i], CL_WORD};
  return k;
}

static bool check_securityhub(const hg_cis_control *c, const char *pat, char **reason)
{
  if (strcmp(pat, c->securityhub_pattern) == 0)
    return true;
  if (reason) {
    size_t i = 0;
    while (pat[i] && pat[i] == c->securityhub_pattern[i])
      i++;
    *reason = xasprintf("pattern differs from the Security Hub string of %s at byte %zu "
                        "(Security Hub compares the text exactly)",
                        c->securityhub, i + 1);
  }
  return false;
}

static bool check_prowler(const cis_rule *r, const char *pat, char **reason)
{
  size_t n = strlen(pat);
  hg_buf missing;
  hg_buf_init(&missing);
  size_t n_missing = 0;
  if (r->n_seq) {
    size_t got = seq_match(r->seq, r->n_seq, pat, n);
    if (got < r->n_seq) {
      clause_text(&missing, &r->seq[got]);
      if (got > 0) {
        hg_buf_puts(&missing, " after ");
        clause_text(&missing, &r->seq[got - 1]);
      }
      n_missing++;
    }
  }
  cis_clause all[MAX_CLAUSES];
  size_t k = rule_sequence(&(cis_rule){NULL, 0, r->source, r->names, r->n_names}, all);
  for (size_t i = 0; i < k; i++) {
    if (clause_anywhere(&all[i], pat, n))
      continue;
    if (n_missing < 3) {
      if (n_missing)
        hg_buf_puts(&missing, ", ");
      clause_text(&missing, &all[i]);
    }
    n_missing++;
  }
  if (!n_missing) {
    hg_buf_free(&missing);
    return true;
  }
  if (reason) {
    if (n_missing > 3)
      hg_buf_printf(&missing, " and %zu more", n_missing - 3);
    *reason = xasprintf("missing %s", missing.data);
  }
  hg_buf_free(&missing);
  return false;
}

static bool check_steampipe(const cis_rule *r, const char *pat, char **reason)
{
  cis_clause seq[MAX_CLAUSES];
  size_t k = rule_sequence(r, seq);
  size_t got = seq_match(seq, k, pat, strlen(pat));
  if (got == k)
    return true;
  if (reason) {
    hg_buf b;
    hg_buf_init(&b);
    hg_buf_puts(&b, "needs ");
    clause_text(&b, &seq[got]);
    if (got > 0) {
      hg_buf_puts(&b, (seq[got].flags & CL_AND) ? " joined by && to " : " after ");
      clause_text(&b, &seq[got - 1]);
    }
    hg_buf_puts(&b, " (clauses in CIS order)");
    *reason = hg_buf_take(&b, NULL);
  }
  return false;
}

bool hg_cis_check(const hg_cis_control *c, unsigned target, const char *pattern, char **reason)
{
  if (reason)
    *reason = NULL;
  if (!c) {
    if (reason)
      *reason = xstrdup("not a known CIS control");
    return false;
  }
  if (!hg_cis_target_applies(c, target))
    return true;
  if (!pattern)
    pattern = "";
  const cis_entry *e = entry_of(c);
  /* Bounded work on any input: CloudWatch Logs rejects longer patterns anyway. */
  size_t len = strlen(pattern);
  if (len > HG_CIS_MAX_PATTERN) {
    if (reason)
      *reason = xasprintf("pattern is %zu bytes; CloudWatch Logs allows 1024", len);
    return false;
  }
  switch (target) {
  case HG_TARGET_SECURITYHUB: return check_securityhub(c, pattern, reason);
  case HG_TARGET_PROWLER: return check_prowler(&e->prowler, pattern, reason);
  default: return check_steampipe(&e->steampipe, pattern, reason);
  }
}
