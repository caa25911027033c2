/*
 * test_iam.c — the IAM action linter: database, lookups, wildcards,
 * did-you-mean, the loader, every malformed input, exact diagnostics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hg/iam.h"

static const hg_iam_db *db(void)
{
  static hg_iam_db *d;
  if (!d) {
    const char *top = getenv("HG_TOP");
    char path[4096];
    snprintf(path, sizeof path, "%s/share/iam-actions.txt", top ? top : ".");
    hg_diag_sink s;
    hg_diag_init(&s);
    d = hg_iam_db_load(path, &s);
    hg_diag_free(&s);
  }
  return d;
}

/* Lint text and render every diagnostic as text (no caret lines: the text
 * is registered under the name, so carets are shown; keep them). */
static char *lint(const char *name, const char *text, bool scp, int *count)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_iam_opts o = {scp};
  int n = hg_iam_lint_text(db(), name, text, strlen(text), &o, &s);
  if (count)
    *count = n;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  hg_diag_render_text(&s, f);
  fclose(f);
  hg_diag_free(&s);
  return buf;
}

#define CHECK_LINT(name, text, scp, want)                                              \
  do {                                                                                 \
    char *got_ = lint(name, text, scp, NULL);                                          \
    CHECK_STREQ(got_, want);                                                           \
    free(got_);                                                                        \
  } while (0)

TEST(db_loads_every_action)
{
  CHECK(db() != NULL);
  if (!db())
    return;
  CHECK_INTEQ(hg_iam_db_count_actions(db()), 20817);
  CHECK_INTEQ(hg_iam_db_count_services(db()), 449);
}

TEST(db_lookup_is_case_insensitive_and_canonical)
{
  CHECK_STREQ(hg_iam_db_find(db(), "s3:GetObject"), "s3:GetObject");
  CHECK_STREQ(hg_iam_db_find(db(), "S3:GETOBJECT"), "s3:GetObject");
  CHECK_STREQ(hg_iam_db_find(db(), "iam:listsshpublickeys"), "iam:ListSSHPublicKeys");
  CHECK_STREQ(hg_iam_db_find(db(), "kms:GenerateDataKeyWithoutPlaintext"),
              "kms:GenerateDataKeyWithoutPlaintext");
  CHECK(hg_iam_db_find(db(), "s3:GetObjet") == NULL);
  CHECK(hg_iam_db_find(db(), "s3") == NULL);
  CHECK(hg_iam_db_find(db(), "") == NULL);
  CHECK_STREQ(hg_iam_db_find_service(db(), "EC2", 3), "ec2");
  CHECK_STREQ(hg_iam_db_find_service(db(), "s3:Get", 2), "s3");
  CHECK(hg_iam_db_find_service(db(), "s4", 2) == NULL);
}

TEST(db_wildcards)
{
  const char *first = NULL;
  CHECK(hg_iam_db_match(db(), "s3:Get*", &first) > 50);
  CHECK(first != NULL && strncmp(first, "s3:Get", 6) == 0);
  CHECK_INTEQ(hg_iam_db_match(db(), "s3:Gett*", &first), 0);
  CHECK(first == NULL);
  CHECK_INTEQ(hg_iam_db_match(db(), "s3:GetObjec?", &first), 1);
  CHECK_STREQ(first, "s3:GetObject");
  CHECK_INTEQ(hg_iam_db_match(db(), "S3:getobject", NULL), 1);
  CHECK_INTEQ(hg_iam_db_match(db(), "kms:GenerateDataKey*", NULL), 4);
  CHECK(hg_iam_db_match(db(), "*:GetObject", NULL) >= 1);
  CHECK(hg_iam_db_match(db(), "s?:*", NULL) > 100);
  CHECK_INTEQ(hg_iam_db_match(db(), "s4:*", NULL), 0);
  CHECK_INTEQ(hg_iam_db_match(db(), "GetObject", NULL), 0);
  CHECK_INTEQ(hg_iam_db_match(db(), "s3:***Object***Tagging", NULL), 6);
}

static void check_suggest(const char *in, const char *want)
{
  char *s = hg_iam_db_suggest(db(), in);
  if (want)
    CHECK_STREQ(s, want);
  else
    CHECK(s == NULL);
  free(s);
}

TEST(db_did_you_mean)
{
  check_suggest("s3:GetObjet", "s3:GetObject");
  check_suggest("s3:getobject", "s3:GetObject");
  check_suggest("s4:GetObject", "s3:GetObject");
  check_suggest("s3:Gett*", "s3:Get*");
  check_suggest("organisations:*", "organizations:*");
  check_suggest("cloudtrail:StopLoging", "cloudtrail:StopLogging");
  check_suggest("sts:AssumeRol", "sts:AssumeRole");
  check_suggest("kms:GenerateDatKey*", "kms:GenerateDataKey*");
  check_suggest("zzzzzzzz:qqqqqqqq", NULL);
  check_suggest("s3:Zqxwvutsrponm", NULL);
  check_suggest("nocolon", NULL);
}

TEST(db_parse_small_lists)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  const char *text = "# comment\n\nsvc:Zeta\r\nabc:Beta\nsvc:Alpha\nbad line\nsvc:alpha\nx:\n:y\nq:W*\n";
  hg_iam_db *d = hg_iam_db_parse(text, strlen(text), "list.txt", &s);
  CHECK(d != NULL);
  CHECK_INTEQ(hg_iam_db_count_actions(d), 3);   /* svc:alpha is a duplicate */
  CHECK_INTEQ(hg_iam_db_count_services(d), 2);
  CHECK_STREQ(hg_iam_db_find(d, "SVC:ZETA"), "svc:Zeta");
  CHECK_STREQ(hg_iam_db_find(d, "svc:alpha"), "svc:Alpha");
  CHECK_INTEQ(hg_iam_db_match(d, "svc:*", NULL), 2);
  CHECK_INTEQ(s.n, 4);
  CHECK_INTEQ(s.v[0].line, 6);
  CHECK_STREQ(s.v[0].code, "iam-db");
  hg_iam_db_free(d);
  hg_diag_free(&s);

  hg_diag_init(&s);
  CHECK(hg_iam_db_parse("# nothing\n", 10, "empty.txt", &s) == NULL);
  CHECK_INTEQ(s.errors, 1);
  CHECK(hg_iam_db_load("/nonexistent/iam-actions.txt", &s) == NULL);
  CHECK_INTEQ(s.errors, 2);
  hg_diag_free(&s);
}

TEST(loader_positions_and_tags)
{
  const char *text = "A: !Sub \"x\"\nB:\n  - !If [c, {k: v}, !Ref AWS::NoValue]\nC: &a [1]\nD: *a\n";
  hg_iam_file f;
  hg_iam_file_init(&f, "t.yaml", text, strlen(text));
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_iam_node *root = hg_iam_load(&f, &s);
  CHECK(root && root->kind == HG_IAM_MAP && root->n == 4);
  hg_iam_node *a = hg_iam_get(root, "A");
  CHECK(a && a->kind == HG_IAM_MAP && strcmp(a->keys[0], "Fn::Sub") == 0);
  CHECK(a && a->items[0]->line == 1 && a->items[0]->col == 9 && a->items[0]->span == 3);
  hg_iam_node *b = hg_iam_get(root, "B");
  CHECK(b && b->kind == HG_IAM_SEQ && b->n == 1);
  CHECK(b && strcmp(b->items[0]->keys[0], "Fn::If") == 0);
  hg_iam_node *ifargs = b ? b->items[0]->items[0] : NULL;
  CHECK(ifargs && ifargs->n == 3 && strcmp(ifargs->items[2]->keys[0], "Ref") == 0);
  CHECK(hg_iam_get(root, "D") == hg_iam_get(root, "C"));
  CHECK_INTEQ(s.n, 0);
  hg_iam_file_free(&f);
  hg_diag_free(&s);
}

TEST(loader_utf8_columns_are_bytes)
{
  const char *text = "{\"d\": \"\xc3\xa9\xc3\xa9\", \"x\": \"s3:Bad\"}";
  hg_iam_file f;
  hg_iam_file_init(&f, "u.json", text, strlen(text));
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_iam_node *root = hg_iam_load(&f, &s);
  hg_iam_node *x = hg_iam_get(root, "x");
  CHECK(x && x->line == 1 && x->col == 20);
  hg_iam_file_free(&f);
  hg_diag_free(&s);
}

TEST(deny_typo_is_an_error)
{
  CHECK_LINT("t.yaml",
             "Resources:\n"
             "  P:\n"
             "    Type: AWS::IAM::Policy\n"
             "    Properties:\n"
             "      PolicyDocument:\n"
             "        Statement:\n"
             "          - Effect: Deny\n"
             "            Action: [s3:DeleteObjcet]\n"
             "            Resource: '*'\n",
             false,
             "t.yaml:8:22: error: unknown IAM action 's3:DeleteObjcet' in Action [iam-unknown-action]\n"
             "              Action: [s3:DeleteObjcet]\n"
             "                       ^~~~~~~~~~~~~~~\n"
             "  note: did you mean 's3:DeleteObject'?\n"
             "  note: in a Deny statement a name that matches no action denies nothing (fails open)\n");
}

TEST(allow_typo_is_a_warning_and_notaction_under_allow_an_error)
{
  CHECK_LINT("p.json",
             "{\"Statement\": [\n"
             " {\"Effect\": \"Allow\", \"Action\": \"ec2:DescribeInstance\", \"Resource\": \"*\"},\n"
             " {\"Effect\": \"Allow\", \"NotAction\": [\"iam:*\", \"organisations:*\"], \"Resource\": \"*\"}\n"
             "]}\n",
             false,
             "p.json:2:32: warning: unknown IAM action 'ec2:DescribeInstance' in Action [iam-unknown-action]\n"
             "   {\"Effect\": \"Allow\", \"Action\": \"ec2:DescribeInstance\", \"Resource\": \"*\"},\n"
             "                                 ^~~~~~~~~~~~~~~~~~~~~~\n"
             "  note: did you mean 'ec2:DescribeInstances'?\n"
             "p.json:3:45: error: unknown IAM service prefix 'organisations' in NotAction 'organisations:*' [iam-unknown-service]\n"
             "   {\"Effect\": \"Allow\", \"NotAction\": [\"iam:*\", \"organisations:*\"], \"Resource\": \"*\"}\n"
             "                                              ^~~~~~~~~~~~~~~~~\n"
             "  note: did you mean 'organizations:*'?\n"
             "  note: under Allow, NotAction with a name that matches no action excludes nothing: the "
             "statement allows more than meant (fails open)\n");
}

TEST(wildcard_case_and_syntax)
{
  CHECK_LINT("w.yaml",
             "Statement:\n"
             "  - Effect: Allow\n"
             "    Action: ['s3:Gett*', s3:getobject, S3:List*, GetObject, 'logs:Put?ogEvents']\n",
             false,
             "w.yaml:3:14: warning: Action 's3:Gett*' matches no IAM action [iam-wildcard-matches-nothing]\n"
             "      Action: ['s3:Gett*', s3:getobject, S3:List*, GetObject, 'logs:Put?ogEvents']\n"
             "               ^~~~~~~~~~\n"
             "  note: did you mean 's3:Get*'?\n"
             "w.yaml:3:26: warning: Action 's3:getobject' is not in AWS casing [iam-action-case]\n"
             "      Action: ['s3:Gett*', s3:getobject, S3:List*, GetObject, 'logs:Put?ogEvents']\n"
             "                           ^~~~~~~~~~~~\n"
             "  note: did you mean 's3:GetObject'?\n"
             "w.yaml:3:40: warning: Action 'S3:List*' is not in AWS casing: service prefixes are lower-case [iam-action-case]\n"
             "      Action: ['s3:Gett*', s3:getobject, S3:List*, GetObject, 'logs:Put?ogEvents']\n"
             "                                         ^~~~~~~~\n"
             "  note: did you mean 's3:List*'?\n"
             "w.yaml:3:50: warning: Action 'GetObject' is not an action name: expected service:Action or '*' [iam-action-syntax]\n"
             "      Action: ['s3:Gett*', s3:getobject, S3:List*, GetObject, 'logs:Put?ogEvents']\n"
             "                                                   ^~~~~~~~~\n");
}

TEST(bare_scp_with_flag)
{
  const char *scp = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"lambda:InvokeFuntion\", \"Resource\": \"*\"}]}\n";
  int n = 0;
  char *out = lint("scp.json", scp, false, &n);
  CHECK_INTEQ(n, 1);
  CHECK(strstr(out, "warning: unknown IAM action 'lambda:InvokeFuntion'") != NULL);
  free(out);
  out = lint("scp.json", scp, true, &n);
  CHECK_INTEQ(n, 1);
  CHECK(strstr(out, "error: unknown IAM action 'lambda:InvokeFuntion'") != NULL);
  CHECK(strstr(out, "note: in a service control policy") != NULL);
  free(out);
}

TEST(organizations_scp_in_a_json_string)
{
  CHECK_LINT("o.yaml",
             "Resources:\n"
             "  Scp:\n"
             "    Type: AWS::Organizations::Policy\n"
             "    Properties:\n"
             "      Type: SERVICE_CONTROL_POLICY\n"
             "      Content: |\n"
             "        {\"Statement\": [\n"
             "          {\"Effect\": \"Allow\", \"Action\": \"s3:GetObjet\", \"Resource\": \"*\"}]}\n"
             "  Tags:\n"
             "    Type: AWS::Organizations::Policy\n"
             "    Properties:\n"
             "      Type: TAG_POLICY\n"
             "      Content: {Statement: [{Effect: Deny, Action: x:y}]}\n",
             false,
             "o.yaml:8:41: error: unknown IAM action 's3:GetObjet' in Action [iam-unknown-action]\n"
             "            {\"Effect\": \"Allow\", \"Action\": \"s3:GetObjet\", \"Resource\": \"*\"}]}\n"
             "                                          ^~~~~~~~~~~~~\n"
             "  note: did you mean 's3:GetObject'?\n"
             "  note: in a service control policy a name that matches no action leaves the guard-rail "
             "out (fails open)\n");
}

TEST(escaped_json_string_policy_maps_into_the_file)
{
  int n = 0;
  char *out = lint("e.json",
                   "{\"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\n"
                   "  \"PolicyDocument\": \"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Deny\\\",\\\"Action\\\":\\\"ec2:DeleteVcp\\\"}]}\"}}}}\n",
                   false, &n);
  CHECK_INTEQ(n, 1);
  const char *want = "e.json:2:70: error: unknown IAM action 'ec2:DeleteVcp' in Action";
  CHECK(strncmp(out, want, strlen(want)) == 0);
  free(out);
}

TEST(resource_policies_only_name_their_service)
{
  CHECK_LINT("b.yaml",
             "Resources:\n"
             "  BP:\n"
             "    Type: AWS::S3::BucketPolicy\n"
             "    Properties:\n"
             "      PolicyDocument:\n"
             "        Statement:\n"
             "          - {Effect: Allow, Principal: '*', Action: [s3:GetObject, iam:PassRole], Resource: '*'}\n",
             false,
             "b.yaml:7:68: warning: Action 'iam:PassRole' cannot appear in this policy: it only takes 's3' actions [iam-wrong-service]\n"
             "            - {Effect: Allow, Principal: '*', Action: [s3:GetObject, iam:PassRole], Resource: '*'}\n"
             "                                                                     ^~~~~~~~~~~~\n");
}

TEST(intrinsics_are_followed_or_skipped)
{
  CHECK_LINT("i.yaml",
             "Resources:\n"
             "  P:\n"
             "    Type: AWS::IAM::Policy\n"
             "    Properties:\n"
             "      PolicyDocument:\n"
             "        Statement:\n"
             "          - !If [C, {Effect: Deny, Action: iam:DeleteRoel}, !Ref AWS::NoValue]\n"
             "          - Effect: !If [C, Allow, Deny]\n"
             "            Action:\n"
             "              - !Ref Param\n"
             "              - !Sub '${AWS::Partition}:x'\n"
             "              - !Join ['', ['s3:', 'GetObjet']]\n"
             "              - !GetAtt X.Y\n",
             false,
             "i.yaml:7:44: error: unknown IAM action 'iam:DeleteRoel' in Action [iam-unknown-action]\n"
             "            - !If [C, {Effect: Deny, Action: iam:DeleteRoel}, !Ref AWS::NoValue]\n"
             "                                             ^~~~~~~~~~~~~~\n"
             "  note: did you mean 'iam:DeleteRole'?\n"
             "  note: in a Deny statement a name that matches no action denies nothing (fails open)\n"
             "i.yaml:12:17: error: unknown IAM action 's3:GetObjet' in Action [iam-unknown-action]\n"
             "                - !Join ['', ['s3:', 'GetObjet']]\n"
             "                  ^\n"
             "  note: did you mean 's3:GetObject'?\n"
             "  note: the statement's Effect is not known, so it may be a Deny that fails open\n");
}

TEST(malformed_inputs_give_diagnostics)
{
  CHECK_LINT("m.json", "{\"Statement\": [{\"Effect\": \"Allow\"]}\n", false,
             "m.json:1:34: error: not valid YAML or JSON: did not find expected ',' or '}' (while parsing a flow mapping) [iam-parse-error]\n"
             "  {\"Statement\": [{\"Effect\": \"Allow\"]}\n"
             "                                   ^\n");
  CHECK_LINT("m.yaml", "Resources:\n  - a\n b: c\n", false,
             "m.yaml:3:2: error: not valid YAML or JSON: did not find expected key (while parsing a block mapping) [iam-parse-error]\n"
             "   b: c\n"
             "   ^\n"
             "  note: check the indentation of this line and the one before, and quote values holding ': '\n"
             "  note: the construct started at line 1, column 1\n");
  CHECK_LINT("s.yaml",
             "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: '{\"Statement\": [}'\n",
             false,
             "s.yaml:5:23: error: policy document is a string that does not hold a JSON policy object [iam-policy-shape]\n"
             "        PolicyDocument: '{\"Statement\": [}'\n"
             "                        ^~~~~~~~~~~~~~~~~~\n"
             "  note: the string does not parse: did not find expected node content (while parsing a flow node)\n");
  CHECK_LINT("o.json", "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\"}}\n", false,
             "o.json:1:15: warning: Statement is a single object, not a list [iam-policy-shape]\n"
             "  {\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\"}}\n"
             "                ^\n"
             "  note: AWS accepts it and it is checked as one statement; write it as a list\n");
  CHECK_LINT("e.json", "{\"Statement\": [{\"Action\": \"s3:GetObjet\"}]}\n", false,
             "e.json:1:16: error: statement has no Effect [iam-policy-shape]\n"
             "  {\"Statement\": [{\"Action\": \"s3:GetObjet\"}]}\n"
             "                 ^\n"
             "  note: AWS rejects a statement without \"Effect\": \"Allow\" or \"Deny\"\n"
             "e.json:1:27: error: unknown IAM action 's3:GetObjet' in Action [iam-unknown-action]\n"
             "  {\"Statement\": [{\"Action\": \"s3:GetObjet\"}]}\n"
             "                            ^~~~~~~~~~~~~\n"
             "  note: did you mean 's3:GetObject'?\n"
             "  note: the statement's Effect is not known, so it may be a Deny that fails open\n");
}

TEST(more_shapes)
{
  CHECK_LINT("x.yaml",
             "Statement:\n"
             "  - Effect: allow\n"
             "    Action: 12\n"
             "  - Effect: Allow\n"
             "    Action: {a: b}\n"
             "  - Effect: Deny\n"
             "    Action: s3:GetObject\n"
             "    NotAction: s3:PutObject\n"
             "  - Effect: Allow\n"
             "  - just text\n"
             "  - Effect: [Allow]\n"
             "    Action: [[s3:GetObject]]\n",
             false,
             "x.yaml:2:13: error: Effect must be \"Allow\" or \"Deny\", not \"allow\" [iam-policy-shape]\n"
             "    - Effect: allow\n"
             "              ^~~~~\n"
             "x.yaml:3:13: warning: Action '12' is not an action name: expected service:Action or '*' [iam-action-syntax]\n"
             "      Action: 12\n"
             "              ^~\n"
             "x.yaml:5:13: error: Action must be a string or a list of strings, not an object [iam-policy-shape]\n"
             "      Action: {a: b}\n"
             "              ^\n"
             "x.yaml:8:16: error: statement has both Action and NotAction [iam-policy-shape]\n"
             "      NotAction: s3:PutObject\n"
             "                 ^~~~~~~~~~~~\n"
             "x.yaml:9:5: error: statement has neither Action nor NotAction [iam-policy-shape]\n"
             "    - Effect: Allow\n"
             "      ^\n"
             "x.yaml:10:5: error: a statement must be an object, not a string [iam-policy-shape]\n"
             "    - just text\n"
             "      ^~~~~~~~~\n"
             "x.yaml:11:13: error: Effect must be \"Allow\" or \"Deny\", not a list [iam-policy-shape]\n"
             "    - Effect: [Allow]\n"
             "              ^\n"
             "x.yaml:12:14: error: Action must be a string, not a list [iam-policy-shape]\n"
             "      Action: [[s3:GetObject]]\n"
             "               ^\n");
  CHECK_LINT("n.json", "{\"Version\": \"2012-10-17\", \"Statement\": \"none\"}", false,
             "n.json:1:40: error: Statement must be a list of statements, not a string [iam-policy-shape]\n"
             "  {\"Version\": \"2012-10-17\", \"Statement\": \"none\"}\n"
             "                                         ^~~~~~\n");
  CHECK_LINT("k.json", "{\"Version\": \"2012-10-17\"}", false,
             "k.json:1:1: error: neither a CloudFormation template (no Resources) nor an IAM policy document (no Statement) [iam-input-kind]\n"
             "  {\"Version\": \"2012-10-17\"}\n"
             "  ^\n");
  CHECK_LINT("empty.yaml", "", false,
             "empty.yaml: error: neither a CloudFormation template (no Resources) nor an IAM policy document (no Statement) [iam-input-kind]\n");
  CHECK_LINT("r.yaml",
             "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: [1]\n"
             "  Q:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: {Version: x}\n",
             false,
             "r.yaml:5:23: error: policy document must be an object, not a list [iam-policy-shape]\n"
             "        PolicyDocument: [1]\n"
             "                        ^\n"
             "r.yaml:9:23: error: policy document has no Statement [iam-policy-shape]\n"
             "        PolicyDocument: {Version: x}\n"
             "                        ^\n");
}

TEST(clean_template_has_no_findings)
{
  int n = -1;
  char *out = lint("c.yaml",
                   "AWSTemplateFormatVersion: '2010-09-09'\n"
                   "Resources:\n"
                   "  R:\n"
                   "    Type: AWS::IAM::Role\n"
                   "    Properties:\n"
                   "      AssumeRolePolicyDocument:\n"
                   "        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]\n"
                   "      Policies:\n"
                   "        - PolicyName: p\n"
                   "          PolicyDocument:\n"
                   "            Version: '2012-10-17'\n"
                   "            Statement:\n"
                   "              - {Effect: Allow, Action: ['s3:Get*', 'kms:Decrypt', '*'], Resource: '*'}\n"
                   "              - {Effect: Deny, NotAction: ['iam:*'], Resource: '*'}\n",
                   false, &n);
  CHECK_INTEQ(n, 0);
  CHECK_STREQ(out, "");
  free(out);
}

TEST(lint_doc_model)
{
  const char *top = getenv("HG_TOP");
  char path[4096];
  snprintf(path, sizeof path, "%s/share/iam-actions.txt", top ? top : ".");
  setenv("HARDENGEN_IAM_ACTIONS", path, 1);
  hg_doc *t = hg_doc_map();
  hg_doc *res = hg_doc_set_map(t, "Resources");
  hg_doc *pol = hg_doc_set_map(res, "TrailKey");
  hg_doc_set_str(pol, "Type", "AWS::KMS::Key");
  hg_doc *props = hg_doc_set_map(pol, "Properties");
  hg_doc *kp = hg_doc_set_map(props, "KeyPolicy");
  hg_doc *st = hg_doc_set_seq(kp, "Statement");
  hg_doc *s1 = hg_doc_push(st, hg_doc_map());
  hg_doc_set_str(s1, "Effect", "Allow");
  hg_doc *acts = hg_doc_set_seq(s1, "Action");
  hg_doc_push_str(acts, "kms:GenerateDataKey*");
  hg_doc_push_str(acts, "kms:DescribeKeys");
  hg_diag_sink s;
  hg_diag_init(&s);
  CHECK_INTEQ(hg_iam_lint_doc(t, "cloudtrail.global.yaml", &s), 1);
  CHECK_INTEQ(s.n, 1);
  if (s.n == 1) {
    CHECK_STREQ(s.v[0].file, "cloudtrail.global.yaml");
    CHECK_STREQ(s.v[0].message, "unknown IAM action 'kms:DescribeKeys' in Action");
    CHECK_INTEQ(s.v[0].n_notes, 2);
    CHECK_STREQ(s.v[0].notes[0], "at Resources/TrailKey/Properties/KeyPolicy/Statement/0/Action/1");
    CHECK_STREQ(s.v[0].notes[1], "did you mean 'kms:DescribeKey'?");
  }
  hg_diag_free(&s);
  hg_doc_free(t);
}
