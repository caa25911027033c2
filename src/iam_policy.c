/*
 * iam_policy.c — the policy walker: every Action and NotAction of one policy
 * document, checked against the action database.
 *
 * Severity follows what a bad name does (IAM User Guide, "Policy evaluation
 * logic"): a name that matches no action grants nothing in an Allow (a
 * warning: the policy is only weaker than meant), but in a Deny it denies
 * nothing, in NotAction under Allow it excludes nothing (so the statement
 * allows more), and in a service control policy it leaves a guard-rail out.
 * Those fail open and are errors. A statement whose Effect is missing or not
 * known (an intrinsic function) is treated as a Deny. Casing is always a
 * warning: IAM compares action names without case.
 *
 * Shape problems (no Statement, a statement that is not an object, no Effect,
 * no Action) are errors, since AWS rejects such a policy. A Statement that is
 * a single object rather than a list is accepted by AWS and linted, with a
 * warning that the documented form is a list.
 *
 * Intrinsic functions: Fn::If is followed into both branches; Fn::Sub of a
 * text without ${...} and Fn::Join of plain strings are resolved; a policy
 * given as a string (or Fn::Sub of one) is parsed as JSON/YAML. Anything else
 * (Ref, Fn::GetAtt, Fn::FindInMap, ...) cannot be known and is skipped.
 *
 * Work is bounded by ctx->budget (node visits; parsing a policy string costs
 * its length / 16), so alias bombs end quickly, and by a cap of 1,000
 * findings per input (each costs a did-you-mean search).
 */
#include "hg/iam.h"
#include "text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_EMBED 4
#define HG_IAM_MAX_FINDINGS 1000
#define MAX_DEPTH 64

typedef enum { EFF_ALLOW, EFF_DENY, EFF_UNKNOWN } effect;

typedef struct walk {
  hg_iam_policy_ctx *c;
  char path[512];        /* where we are, for documents without positions */
  size_t plen;
  int embed;
  int depth;
} walk;

static size_t push(walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t push(walk *w, const char *fmt, ...)
{
  size_t old = w->plen;
  /* The path is only shown for documents without positions. */
  if (w->c->file->text == NULL && w->plen < sizeof w->path - 1) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->path + w->plen, sizeof w->path - w->plen, fmt, ap);
    va_end(ap);
    if (n > 0)
      w->plen += (size_t)n < sizeof w->path - w->plen ? (size_t)n : sizeof w->path - w->plen - 1;
  }
  return old;
}

static void pop(walk *w, size_t old)
{
  w->plen = old;
  w->path[old] = '\0';
}

static bool spend(walk *w)
{
  hg_iam_policy_ctx *c = w->c;
  if (c->findings >= HG_IAM_MAX_FINDINGS && *c->budget > 0) {
    /* Bounded time: each finding costs a did-you-mean search. */
    *c->budget = 0;
    c->exhausted = true;
    hg_diag_add(c->sink, HG_SEV_ERROR, c->file->name, 0, 0, "iam-too-many-findings",
                "more than %d findings; the rest of the file is not checked", HG_IAM_MAX_FINDINGS);
    c->findings++;
    return false;
  }
  if (*c->budget == 0) {
    if (!c->exhausted) {
      c->exhausted = true;
      hg_diag_add(c->sink, HG_SEV_ERROR, c->file->name, 0, 0, "iam-too-complex",
                  "the document is too large or repetitive to lint (aliases?)");
      c->findings++;
    }
    return false;
  }
  (*c->budget)--;
  return true;
}

static hg_diag *finding(walk *w, hg_severity sev, const hg_iam_node *at, const char *code,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static hg_diag *finding(walk *w, hg_severity sev, const hg_iam_node *at, const char *code,
                        const char *fmt, ...)
{
  hg_iam_policy_ctx *c = w->c;
  va_list ap;
  va_start(ap, fmt);
  int line = at ? at->line : 0, col = at ? at->col : 0;
  hg_diag *d = hg_diag_vadd(c->sink, sev, c->file->name, line, col, code, fmt, ap);
  va_end(ap);
  if (at && at->line > 0)
    d->span = at->span > 0 ? at->span : 1;
  c->findings++;
  return d;
}

/* For documents without positions, say where the finding is. */
static void where_note(walk *w, hg_diag *d, const hg_iam_node *at)
{
  if (at && at->line > 0)
    return;
  if (w->c->where || w->plen)
    hg_diag_note(d, "at %s%s", w->c->where ? w->c->where : "", w->path);
}

static bool is_intrinsic(const hg_iam_node *n)
{
  if (!n || n->kind != HG_IAM_MAP || n->n != 1)
    return false;
  const char *k = n->keys[0];
  return strcmp(k, "Ref") == 0 || strncmp(k, "Fn::", 4) == 0;
}

static bool is_scalar(const hg_iam_node *n)
{
  return n && n->kind == HG_IAM_SCALAR;
}

/* {Ref: AWS::NoValue}: the element is dropped by CloudFormation. */
static bool is_novalue(const hg_iam_node *n)
{
  return is_intrinsic(n) && strcmp(n->keys[0], "Ref") == 0 && is_scalar(n->items[0]) &&
         strcmp(n->items[0]->str, "AWS::NoValue") == 0;
}

/* The two value branches of {Fn::If: [cond, a, b]}, or false. */
static bool if_branches(const hg_iam_node *n, const hg_iam_node **a, const hg_iam_node **b)
{
  if (!is_intrinsic(n) || strcmp(n->keys[0], "Fn::If") != 0)
    return false;
  const hg_iam_node *v = n->items[0];
  if (!v || v->kind != HG_IAM_SEQ || v->n != 3)
    return false;
  *a = v->items[1];
  *b = v->items[2];
  return true;
}

static const char *kind_name(const hg_iam_node *n)
{
  if (!n || n->kind == HG_IAM_NULL)
    return "empty";
  return n->kind == HG_IAM_MAP ? "an object" : n->kind == HG_IAM_SEQ ? "a list" : "a string";
}

/* ---- one action name ---------------------------------------------------- */

typedef struct name_ctx {
  effect eff;
  bool not_action;
} name_ctx;

static bool fails_open(const walk *w, const name_ctx *nc)
{
  return w->c->scp || nc->eff == EFF_DENY || nc->eff == EFF_UNKNOWN ||
         (nc->not_action && nc->eff == EFF_ALLOW);
}

static void why_note(const walk *w, const name_ctx *nc, hg_diag *d)
{
  if (w->c->scp)
    hg_diag_note(d, "in a service control policy a name that matches no action leaves the "
                    "guard-rail out (fails open)");
  else if (nc->eff == EFF_DENY && !nc->not_action)
    hg_diag_note(d, "in a Deny statement a name that matches no action denies nothing (fails open)");
  else if (nc->eff == EFF_DENY)
    hg_diag_note(d, "in a Deny statement's NotAction a name that matches no action excludes "
                    "nothing (the Deny is wider)");
  else if (nc->eff == EFF_ALLOW)
    hg_diag_note(d, "under Allow, NotAction with a name that matches no action excludes nothing: "
                    "the statement allows more than meant (fails open)");
  else
    hg_diag_note(d, "the statement's Effect is not known, so it may be a Deny that fails open");
}

static void suggest_note(walk *w, hg_diag *d, const char *name, const char *none)
{
  char *s = hg_iam_db_suggest(w->c->db, name);
  if (s)
    hg_diag_note(d, "did you mean '%s'?", s);
  else
    hg_diag_note(d, "%s", none);
  free(s);
}

static bool has_wild(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] == '*' || s[i] == '?')
      return true;
  return false;
}

/*
 * Is the spelling `have` (equal to canon but for case) one AWS never uses?
 * The action list's casing is exact for names that are API operations and
 * derived for the rest (see tools/gen-iam-actions.py), so only spellings that
 * cannot be AWS casing are flagged: capitals in the service prefix, an action
 * starting with a lower-case letter, or one in all capitals.
 */
static bool bad_case(const char *have, const char *canon)
{
  if (strcmp(have, canon) == 0)
    return false;
  const char *colon = strchr(have, ':');
  for (const char *p = have; p < colon; p++)
    if (isupper((unsigned char)*p))
      return true;
  const char *act = colon + 1;
  if (islower((unsigned char)act[0]))
    return true;
  bool lower = false;
  for (const char *p = act; *p; p++)
    lower |= islower((unsigned char)*p) != 0;
  return !lower && strlen(act) > 1;
}

static void check_name(walk *w, const name_ctx *nc, const hg_iam_node *at, const char *s)
{
  hg_iam_policy_ctx *c = w->c;
  hg_severity sev = fails_open(w, nc) ? HG_SEV_ERROR : HG_SEV_WARNING;
  const char *field = nc->not_action ? "NotAction" : "Action";
  if (strcmp(s, "*") == 0)
    return;
  const char *colon = strchr(s, ':');
  if (!colon || colon == s || colon[1] == '\0') {
    hg_diag *d = finding(w, sev, at, "iam-action-syntax",
                         "%s '%s' is not an action name: expected service:Action or '*'", field, s);
    where_note(w, d, at);
    if (sev == HG_SEV_ERROR)
      why_note(w, nc, d);
    return;
  }
  size_t sl = (size_t)(colon - s);
  bool wild_svc = has_wild(s, sl), wild = wild_svc || has_wild(colon + 1, strlen(colon + 1));
  const char *svc = wild_svc ? NULL : hg_iam_db_find_service(c->db, s, sl);

  if (c->service && !wild_svc && (sl != strlen(c->service) || strncasecmp(s, c->service, sl) != 0)) {
    hg_diag *d = finding(w, sev, at, "iam-wrong-service",
                         "%s '%s' cannot appear in this policy: it only takes '%s' actions", field,
                         s, c->service);
    where_note(w, d, at);
    if (sev == HG_SEV_ERROR)
      why_note(w, nc, d);
    return;
  }

  if (!wild_svc && !svc) {
    hg_diag *d = finding(w, sev, at, "iam-unknown-service", "unknown IAM service prefix '%.*s' in %s '%s'",
                         (int)sl, s, field, s);
    where_note(w, d, at);
    suggest_note(w, d, s, "no known service prefix is close");
    if (sev == HG_SEV_ERROR)
      why_note(w, nc, d);
    return;
  }
  if (wild) {
    if (hg_iam_db_match(c->db, s, NULL) == 0) {
      hg_diag *d = finding(w, sev, at, "iam-wildcard-matches-nothing", "%s '%s' matches no IAM action",
                           field, s);
      where_note(w, d, at);
      suggest_note(w, d, s, "no similar pattern matches an action of this service");
      if (sev == HG_SEV_ERROR)
        why_note(w, nc, d);
      return;
    }
    if (svc && strncmp(s, svc, sl) != 0) {
      hg_diag *d = finding(w, HG_SEV_WARNING, at, "iam-action-case",
                           "%s '%s' is not in AWS casing: service prefixes are lower-case", field, s);
      where_note(w, d, at);
      hg_diag_note(d, "did you mean '%s%s'?", svc, colon);
    }
    return;
  }
  const char *canon = hg_iam_db_find(c->db, s);
  if (!canon) {
    hg_diag *d = finding(w, sev, at, "iam-unknown-action", "unknown IAM action '%s' in %s", s, field);
    where_note(w, d, at);
    suggest_note(w, d, s, "no similar action in this service");
    if (sev == HG_SEV_ERROR)
      why_note(w, nc, d);
    return;
  }
  if (bad_case(s, canon)) {
    hg_diag *d = finding(w, HG_SEV_WARNING, at, "iam-action-case", "%s '%s' is not in AWS casing",
                         field, s);
    where_note(w, d, at);
    hg_diag_note(d, "did you mean '%s'?", canon);
  }
}

/*
 * A scalar name: its text may hold a NUL ("s3:Get\u0000Object" in JSON) or
 * another control character, which no action name has; C string handling
 * would see only the part before a NUL. Report the whole name, escaped.
 */
static void check_scalar_name(walk *w, const name_ctx *nc, const hg_iam_node *at)
{
  hg_text_bad bad;
  if (hg_text_ok(at->str, at->len, 0, &bad)) {
    check_name(w, nc, at, at->str);
    return;
  }
  hg_severity sev = fails_open(w, nc) ? HG_SEV_ERROR : HG_SEV_WARNING;
  hg_buf shown;
  hg_buf_init(&shown);
  hg_text_escape(&shown, at->str, at->len, 200);
  hg_diag *d = finding(w, sev, at, "iam-action-syntax", "%s '%s' is not an action name: it holds a %s",
                       nc->not_action ? "NotAction" : "Action", shown.data ? shown.data : "", bad.why);
  hg_buf_free(&shown);
  where_note(w, d, at);
  if (sev == HG_SEV_ERROR)
    why_note(w, nc, d);
}

/* ---- Action / NotAction values ----------------------------------------- */

static void check_actions(walk *w, const name_ctx *nc, const hg_iam_node *v, bool top)
{
  if (!spend(w) || w->depth > MAX_DEPTH)
    return;
  w->depth++;
  const hg_iam_node *a, *b;
  if (is_scalar(v)) {
    check_scalar_name(w, nc, v);
  } else if (v && v->kind == HG_IAM_SEQ && top) {
    for (size_t i = 0; i < v->n; i++) {
      size_t old = push(w, "/%zu", i);
      check_actions(w, nc, v->items[i], false);
      pop(w, old);
    }
  } else if (if_branches(v, &a, &b)) {
    check_actions(w, nc, a, top);
    check_actions(w, nc, b, top);
  } else if (is_intrinsic(v)) {
    const char *k = v->keys[0];
    const hg_iam_node *arg = v->items[0];
    if (strcmp(k, "Fn::Sub") == 0 && is_scalar(arg) && !strstr(arg->str, "${")) {
      check_scalar_name(w, nc, arg);
    } else if (strcmp(k, "Fn::Join") == 0 && arg && arg->kind == HG_IAM_SEQ && arg->n == 2 &&
               is_scalar(arg->items[0]) && arg->items[1]->kind == HG_IAM_SEQ) {
      const hg_iam_node *parts = arg->items[1];
      hg_buf buf;
      hg_buf_init(&buf);
      bool ok = true;
      for (size_t i = 0; i < parts->n && ok; i++) {
        ok = is_scalar(parts->items[i]);
        if (ok)
          hg_buf_printf(&buf, "%s%s", i ? arg->items[0]->str : "", parts->items[i]->str);
      }
      if (ok && buf.data)
        check_name(w, nc, v, buf.data);
      hg_buf_free(&buf);
    }
    /* Ref, Fn::GetAtt, Fn::FindInMap, ...: not known until deployment. */
  } else {
    hg_diag *d = finding(w, HG_SEV_ERROR, v, "iam-policy-shape", "%s must be %s, not %s",
                         nc->not_action ? "NotAction" : "Action",
                         top ? "a string or a list of strings" : "a string", kind_name(v));
    where_note(w, d, v);
  }
  w->depth--;
}

/* ---- statements and policies ------------------------------------------- */

static void lint_statement(walk *w, const hg_iam_node *st, const hg_iam_node *parent)
{
  if (!spend(w) || w->depth > MAX_DEPTH)
    return;
  const hg_iam_node *a, *b;
  if (is_novalue(st))
    return;
  if (if_branches(st, &a, &b)) {
    w->depth++;
    lint_statement(w, a, parent);
    lint_statement(w, b, parent);
    w->depth--;
    return;
  }
  if (is_intrinsic(st))
    return;
  if (!st || st->kind != HG_IAM_MAP) {
    const hg_iam_node *at = st && st->line ? st : parent;
    hg_diag *d = finding(w, HG_SEV_ERROR, at, "iam-policy-shape", "a statement must be an object, not %s",
                         kind_name(st));
    where_note(w, d, at);
    return;
  }
  name_ctx nc = {EFF_UNKNOWN, false};
  const hg_iam_node *eff = hg_iam_get(st, "Effect");
  if (!eff) {
    hg_diag *d = finding(w, HG_SEV_ERROR, st, "iam-policy-shape", "statement has no Effect");
    where_note(w, d, st);
    hg_diag_note(d, "AWS rejects a statement without \"Effect\": \"Allow\" or \"Deny\"");
  } else if (is_scalar(eff)) {
    if (strcmp(eff->str, "Allow") == 0) {
      nc.eff = EFF_ALLOW;
    } else if (strcmp(eff->str, "Deny") == 0) {
      nc.eff = EFF_DENY;
    } else {
      hg_diag *d = finding(w, HG_SEV_ERROR, eff, "iam-policy-shape",
                           "Effect must be \"Allow\" or \"Deny\", not \"%s\"", eff->str);
      where_note(w, d, eff);
      if (strcasecmp(eff->str, "allow") == 0)
        nc.eff = EFF_ALLOW;
      else if (strcasecmp(eff->str, "deny") == 0)
        nc.eff = EFF_DENY;
    }
  } else if (!is_intrinsic(eff)) {
    hg_diag *d = finding(w, HG_SEV_ERROR, eff, "iam-policy-shape",
                         "Effect must be \"Allow\" or \"Deny\", not %s", kind_name(eff));
    where_note(w, d, eff);
  }
  const hg_iam_node *act = hg_iam_get(st, "Action"), *nact = hg_iam_get(st, "NotAction");
  if (act && nact) {
    hg_diag *d = finding(w, HG_SEV_ERROR, nact, "iam-policy-shape",
                         "statement has both Action and NotAction");
    where_note(w, d, nact);
  } else if (!act && !nact) {
    hg_diag *d = finding(w, HG_SEV_ERROR, st, "iam-policy-shape",
                         "statement has neither Action nor NotAction");
    where_note(w, d, st);
  }
  if (act) {
    size_t old = push(w, "/Action");
    check_actions(w, &nc, act, true);
    pop(w, old);
  }
  if (nact) {
    nc.not_action = true;
    size_t old = push(w, "/NotAction");
    check_actions(w, &nc, nact, true);
    pop(w, old);
  }
}

static void lint_policy(walk *w, const hg_iam_node *p)
{
  if (!spend(w) || w->depth > MAX_DEPTH)
    return;
  hg_iam_policy_ctx *c = w->c;
  const hg_iam_node *a, *b;
  if (if_branches(p, &a, &b)) {
    w->depth++;
    lint_policy(w, a);
    lint_policy(w, b);
    w->depth--;
    return;
  }
  if (is_intrinsic(p)) {
    const hg_iam_node *arg = p->items[0];
    if (strcmp(p->keys[0], "Fn::Sub") == 0) {
      if (arg && arg->kind == HG_IAM_SEQ && arg->n >= 1)
        arg = arg->items[0];
      if (is_scalar(arg))
        lint_policy(w, arg);
    }
    return;
  }
  if (is_scalar(p)) {
    /* Parsing costs the string's length: charge it, so an alias to a large
     * policy string used many times cannot make the run unbounded. */
    size_t cost = p->len / 16;
    if (*c->budget < cost) {
      *c->budget = 0;
      spend(w);
      return;
    }
    *c->budget -= cost;
    const char *why = NULL;
    hg_iam_node *inner = w->embed < MAX_EMBED ? hg_iam_load_embedded(c->file, p, &why) : NULL;
    if (inner && inner->kind == HG_IAM_MAP) {
      w->embed++;
      lint_policy(w, inner);
      w->embed--;
    } else {
      hg_diag *d = finding(w, HG_SEV_ERROR, p, "iam-policy-shape",
                           "policy document is a string that does not hold a JSON policy object");
      where_note(w, d, p);
      if (why)
        hg_diag_note(d, "the string does not parse: %s", why);
    }
    return;
  }
  if (!p || p->kind != HG_IAM_MAP) {
    hg_diag *d = finding(w, HG_SEV_ERROR, p, "iam-policy-shape",
                         "policy document must be an object, not %s", kind_name(p));
    where_note(w, d, p);
    return;
  }
  const hg_iam_node *st = hg_iam_get(p, "Statement");
  size_t old = push(w, "/Statement");
  if (!st) {
    hg_diag *d = finding(w, HG_SEV_ERROR, p, "iam-policy-shape", "policy document has no Statement");
    where_note(w, d, p);
  } else if (st->kind == HG_IAM_SEQ) {
    for (size_t i = 0; i < st->n; i++) {
      size_t o2 = push(w, "/%zu", i);
      lint_statement(w, st->items[i], st);
      pop(w, o2);
    }
  } else if (st->kind == HG_IAM_MAP && is_intrinsic(st)) {
    if (if_branches(st, &a, &b)) {
      /* Each branch is a list of statements or one statement. */
      const hg_iam_node *br[2] = {a, b};
      for (int k = 0; k < 2; k++) {
        if (br[k] && br[k]->kind == HG_IAM_SEQ)
          for (size_t i = 0; i < br[k]->n; i++)
            lint_statement(w, br[k]->items[i], br[k]);
        else
          lint_statement(w, br[k], st);
      }
    }
  } else if (st->kind == HG_IAM_MAP) {
    hg_diag *d = finding(w, HG_SEV_WARNING, st, "iam-policy-shape",
                         "Statement is a single object, not a list");
    where_note(w, d, st);
    hg_diag_note(d, "AWS accepts it and it is checked as one statement; write it as a list");
    lint_statement(w, st, st);
  } else {
    hg_diag *d = finding(w, HG_SEV_ERROR, st, "iam-policy-shape",
                         "Statement must be a list of statements, not %s", kind_name(st));
    where_note(w, d, st);
  }
  pop(w, old);
}

void hg_iam_lint_policy(hg_iam_policy_ctx *ctx, const hg_iam_node *policy)
{
  walk w;
  memset(&w, 0, sizeof w);
  w.c = ctx;
  lint_policy(&w, policy);
}
