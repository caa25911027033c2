/*
 * test_stackset.c — the flattener knows no child by name: a parent with two
 * stacks it has never seen (a preflight custom resource every other stack
 * waits for, a detective stack) flattens with parameters mapped, ids
 * renamed on collision, stack outputs resolved, DependsOn rewritten and the
 * Region conditions applied. Also the Query API argument encoding.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hg/emit.h"
#include "hg/stackset.h"
#include "hg/util.h"

static const char parent_yaml[] =
    "Parameters:\n"
    "  Url: {Type: String, Default: 'https://b.s3.amazonaws.com/'}\n"
    "  Name: {Type: String, Default: acme}\n"
    "  Unused: {Type: String, Default: x}\n"
    "Rules:\n"
    "  Account:\n"
    "    Assertions:\n"
    "      - Assert: {Fn::Equals: [{Ref: AWS::AccountId}, '123456789012']}\n"
    "Resources:\n"
    "  PreflightStack:\n"
    "    Type: AWS::CloudFormation::Stack\n"
    "    Properties:\n"
    "      TemplateURL: {Fn::Sub: '${Url}preflight.yaml'}\n"
    "      Parameters:\n"
    "        Name: {Ref: Name}\n"
    "        Tag: literal\n"
    "        Arn: {Fn::Sub: 'arn:aws:lambda:${Name}'}\n"
    "  DetectiveStack:\n"
    "    Type: AWS::CloudFormation::Stack\n"
    "    DependsOn: PreflightStack\n"
    "    Properties:\n"
    "      TemplateURL: {Fn::Sub: '${Url}detective.yaml'}\n"
    "      Parameters:\n"
    "        TopicArn: {Fn::GetAtt: [PreflightStack, Outputs.TopicArn]}\n"
    "Outputs:\n"
    "  RuleArn:\n"
    "    Value: {Fn::GetAtt: [DetectiveStack, Outputs.RuleArn]}\n";

static const char preflight_yaml[] =
    "Parameters:\n"
    "  Name: {Type: String}\n"
    "  Tag: {Type: String}\n"
    "  Arn: {Type: String}\n"
    "  Extra: {Type: String, Default: kept}\n"
    "Resources:\n"
    "  Topic:\n"
    "    Type: AWS::SNS::Topic\n"
    "    Properties:\n"
    "      TopicName: {Fn::Sub: '${Name}-${Tag}-${Extra}'}\n"
    "  Check:\n"
    "    Type: Custom::Preflight\n"
    "    Properties:\n"
    "      ServiceToken: {Ref: Arn}\n"
    "      Topic: {Ref: Topic}\n"
    "Outputs:\n"
    "  TopicArn:\n"
    "    Value: {Ref: Topic}\n";

static const char detective_yaml[] =
    "Parameters:\n"
    "  TopicArn: {Type: String}\n"
    "Resources:\n"
    "  Topic:\n"
    "    Type: AWS::Events::Rule\n"
    "    Properties:\n"
    "      Targets: [{Arn: {Ref: TopicArn}, Id: t}]\n"
    "  Recorder:\n"
    "    Type: AWS::Config::ConfigurationRecorder\n"
    "    Properties:\n"
    "      RoleARN: {Fn::GetAtt: [Role, Arn]}\n"
    "      RecordingGroup: {AllSupported: true, IncludeGlobalResourceTypes: true}\n"
    "  Role:\n"
    "    Type: AWS::IAM::Role\n"
    "    Properties:\n"
    "      RoleName: recorder\n"
    "      AssumeRolePolicyDocument: {}\n"
    "Outputs:\n"
    "  RuleArn:\n"
    "    Value: {Fn::GetAtt: [Topic, Arn]}\n";

static hg_doc *read(const char *text, hg_diag_sink *sink)
{
  return hg_emit_read_yaml(text, strlen(text), "t.yaml", sink);
}

static char *yaml_of(const hg_doc *d)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_emit_yaml(d, &b);
  size_t n;
  return hg_buf_take(&b, &n);
}

TEST(flatten_unknown_children_generically)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_doc *parent = read(parent_yaml, &sink);
  hg_plan_template ts[2] = {{.name = "preflight.yaml", .doc = read(preflight_yaml, &sink)},
                            {.name = "detective.yaml", .doc = read(detective_yaml, &sink)}};
  CHECK(parent && ts[0].doc && ts[1].doc);
  hg_flatten_opts o = {.home_region = "eu-west-1"};
  hg_doc *m = hg_stackset_flatten(parent, "parent.yaml", ts, 2, &o, &sink);
  CHECK(m != NULL);
  CHECK_INTEQ((long long)sink.errors, 0);
  char *y = yaml_of(m);
  const hg_doc *res = hg_doc_get(m, "Resources");
  /* No stack left; the second Topic is renamed with its stack's prefix. */
  CHECK(strstr(y, "AWS::CloudFormation::Stack") == NULL);
  CHECK(hg_doc_get(res, "Topic") && hg_doc_get(res, "DetectiveTopic"));
  CHECK_STREQ(hg_doc_get_str(hg_doc_get(res, "DetectiveTopic"), "Type"), "AWS::Events::Rule");
  /* Parameters: Name renamed to the parent's, Tag inlined, Extra kept, Unused pruned. */
  CHECK(strstr(y, "TopicName:\n        Fn::Sub: ${Name}-literal-${Extra}") != NULL);
  CHECK(hg_doc_get(hg_doc_get(m, "Parameters"), "Extra") != NULL);
  CHECK(hg_doc_get(hg_doc_get(m, "Parameters"), "Unused") == NULL);
  CHECK(hg_doc_get(hg_doc_get(m, "Parameters"), "HomeRegion") != NULL);
  CHECK(strstr(y, "ServiceToken:\n        Fn::Sub: arn:aws:lambda:${Name}") != NULL);
  /* The detective's parameter is the preflight's output: Ref Topic, not renamed. */
  CHECK(strstr(y, "Arn:\n            Ref: Topic\n") != NULL);
  /* The parent's output follows the renamed resource. */
  CHECK(strstr(y, "RuleArn:\n    Value:\n      Fn::GetAtt:\n        - DetectiveTopic\n        - Arn") != NULL);
  /* The account rule is dropped. */
  CHECK(hg_doc_get(m, "Rules") == NULL);
  /* Regions: Config (and its role) everywhere, the rest in the home Region. */
  const hg_doc *rec = hg_doc_get(res, "Recorder");
  CHECK(hg_doc_get(rec, "Condition") == NULL);
  CHECK(hg_doc_get(hg_doc_get(res, "Role"), "Condition") == NULL);
  CHECK(strstr(y, "RoleName:\n        Fn::Sub: recorder-${AWS::Region}") != NULL);
  CHECK(strstr(y, "IncludeGlobalResourceTypes:\n          Fn::If:\n            - IsHomeRegion") != NULL);
  CHECK_STREQ(hg_doc_get_str(hg_doc_get(res, "Topic"), "Condition"), "IsHomeRegion");
  CHECK_STREQ(hg_doc_get_str(hg_doc_get(res, "Check"), "Condition"), "IsHomeRegion");
  CHECK_STREQ(hg_doc_get_str(hg_doc_get(res, "DetectiveTopic"), "Condition"), "IsHomeRegion");
  /* DependsOn: the detective's first home resource waits for the preflight's last. */
  CHECK_STREQ(hg_doc_get_str(hg_doc_get(res, "DetectiveTopic"), "DependsOn"), "Check");
  CHECK(hg_doc_get(rec, "DependsOn") == NULL);
  CHECK_INTEQ(hg_stackset_check(m, strlen(y), "https://b.s3.amazonaws.com/k", NULL, &sink), 0);
  free(y);
  hg_doc_free(m);
  hg_doc_free(parent);
  hg_doc_free(ts[0].doc);
  hg_doc_free(ts[1].doc);
  hg_diag_free(&sink);
}

TEST(flatten_refuses_a_missing_child_and_a_parameter_without_value)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_doc *parent = read(parent_yaml, &sink);
  hg_plan_template ts[1] = {{.name = "detective.yaml", .doc = read(detective_yaml, &sink)}};
  hg_flatten_opts o = {.home_region = "eu-west-1"};
  CHECK(hg_stackset_flatten(parent, "parent.yaml", ts, 1, &o, &sink) == NULL);
  CHECK(sink.errors > 0 && strcmp(sink.v[0].code, "stackset-child") == 0);
  hg_diag_free(&sink);
  hg_diag_init(&sink);
  hg_doc *bad = read("Resources:\n  AStack:\n    Type: AWS::CloudFormation::Stack\n"
                     "    Properties: {TemplateURL: 'https://x/detective.yaml'}\n",
                     &sink);
  CHECK(hg_stackset_flatten(bad, "parent.yaml", ts, 1, &o, &sink) == NULL);
  CHECK(sink.errors > 0 && strcmp(sink.v[0].code, "stackset-parameter") == 0);
  hg_doc_free(bad);
  hg_doc_free(parent);
  hg_doc_free(ts[0].doc);
  hg_diag_free(&sink);
}

TEST(check_refuses_nested_stacks_and_transforms)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_doc *d = read("Transform: AWS::Serverless-2016-10-31\nResources:\n  S:\n"
                   "    Type: AWS::CloudFormation::Stack\n    Properties: {TemplateURL: x}\n",
                   &sink);
  CHECK_INTEQ(hg_stackset_check(d, 2000000, NULL, NULL, &sink), 3);
  hg_doc_free(d);
  hg_diag_free(&sink);
}

TEST(query_arguments_from_a_document)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_doc *d = read("A: x\nP: [{K: a, V: 1}]\nT: {O: [ou-1, ou-2], On: true}\n", &sink);
  hg_cfn_args a = {0};
  hg_cfn_args_from_doc(&a, "", d);
  CHECK_INTEQ((long long)a.n, 6);
  CHECK_STREQ(a.v[1].name, "P.member.1.K");
  CHECK_STREQ(a.v[2].value, "1");
  CHECK_STREQ(a.v[4].name, "T.O.member.2");
  CHECK_STREQ(a.v[5].value, "true");
  hg_cfn_args_free(&a);
  char **m = hg_cfn_xml_members("<S><member><A>1</A></member><member><A>2&amp;</A></member></S>");
  CHECK(m[0] && m[1] && !m[2]);
  char **v = hg_cfn_xml_all("<member><A>1</A></member><member><A>2&amp;</A></member>", "A");
  CHECK_STREQ(v[1], "2&");
  hg_strv_free(m);
  hg_strv_free(v);
  hg_doc_free(d);
  hg_diag_free(&sink);
}
