"""Tests of the detective controls Lambda (share/lambda/detective.py).

The handler runs against moto's mock_aws: STS (the reader role), DynamoDB
(the central tables created from the AWS::DynamoDB::Table resources of a
CloudFormation template and filled from a detective-data.json), AWS Config
(recorded S3 buckets, a security group and an IAM user, with tags) and
Security Hub (findings read back with get_findings). Firehose is faked at
the client level -- moto's Splunk destination crashes on put_record -- and
records every record after botocore's own parameter validation.

moto's Config describes neither security groups nor IAM users; the two
query models below read them from moto's EC2 and IAM backends the way
Config shapes its items, and are registered for the tests' duration.

Run: python3 -m unittest tests/lambda/test_detective.py, or
     python3 tests/lambda/test_detective.py --lines (PASS/FAIL lines, as
     tests/sh/detective_lambda.sh does).
"""

import contextlib
import copy
import datetime
import importlib.util
import io
import json
import os
import re
import sys
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(HERE, "fixtures")
SOURCE = os.path.join(TOP, "share", "lambda", "detective.py")
# The template the central tables and the reader role are built from: the
# fixture, or a compiled env's out/ENV/central.global.yaml (with the default
# table names, which the fixture data and the cases below use).
CENTRAL_TEMPLATE = os.environ.get("HG_DETECTIVE_CENTRAL") or os.path.join(FIXTURES, "central.global.yaml")
DETECTIVE_DATA = os.path.join(FIXTURES, "detective-data.json")

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",     # seconds per test, and no AMI is used
})
os.environ.pop("AWS_PROFILE", None)

import boto3                                         # noqa: E402
import botocore.session                              # noqa: E402
import yaml                                          # noqa: E402
from botocore.client import BaseClient              # noqa: E402
from botocore.exceptions import ClientError, ParamValidationError  # noqa: E402
from botocore.validate import ParamValidator        # noqa: E402
from moto import mock_aws                            # noqa: E402
from moto.config import models as config_models     # noqa: E402
from moto.core.common_models import ConfigQueryModel  # noqa: E402
from moto.ec2.models import ec2_backends            # noqa: E402
from moto.iam.models import iam_backends            # noqa: E402


def load_handler():
    """The handler as the Lambda runtime sees it: the file alone, module `index`."""
    spec = importlib.util.spec_from_file_location("index", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


index = load_handler()

MEMBER = "123456789012"          # moto's default account: the member account
CENTRAL = "111122223333"         # the security account holding the tables
REGION = "us-east-1"
CENTRAL_REGION = "eu-west-1"
READER_ROLE = "arn:aws:iam::%s:role/hardengen-detective-reader" % CENTRAL
STREAM = "hardengen-detective-splunk"
LAMBDA_ENV = {
    "RULES_TABLE": "hardengen-config-rules",
    "EXCEPTIONS_TABLE": "hardengen-exceptions",
    "READER_ROLE_ARN": READER_ROLE,
    "CENTRAL_REGION": CENTRAL_REGION,
    "FIREHOSE_STREAM": STREAM,
    "SECURITYHUB": "true",
    "SPLUNK_FIELDS": '{"customer":"payments","environment":"test","org":"acme"}',
    "ACCOUNT_NAME": "acme-test",
    "ENV_NAME": "test",
    "ORG_ID": "o-a1b2c3d4e5",
    "SPLUNK_SOURCE": "hardengen:detective",
    "SPLUNK_SOURCETYPE": "aws:config:compliance",
}


# ------------------------------------------------ CloudFormation -> tables

class CfnLoader(yaml.SafeLoader):
    """A YAML loader that reads CloudFormation's short-form tags (!Ref,
    !Sub, !GetAtt, ... and any other) into their long form."""


def _cfn_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + suffix: value}


CfnLoader.add_multi_constructor("!", _cfn_tag)


def _resolve(value, params, pseudo):
    """A literal string, or !Ref / !Sub over parameters (their Default, or
    `params`) and pseudo parameters. Anything else raises ValueError."""
    names = dict(pseudo)
    names.update(params)
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in names:
        return names[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        text, extra = value["Fn::Sub"], {}
        if isinstance(text, list):
            text, extra = text[0], {k: _resolve(v, params, pseudo) for k, v in text[1].items()}
        names.update(extra)

        def one(m):
            if m.group(1) not in names:
                raise ValueError("cannot resolve ${%s}" % m.group(1))
            return names[m.group(1)]
        return re.sub(r"\$\{([^}!]+)\}", one, text)
    raise ValueError("cannot resolve %r" % (value,))


def tables_from_template(path, params=None, pseudo=None):
    """create_table arguments for every AWS::DynamoDB::Table of a
    CloudFormation YAML template, sorted by table name."""
    with open(path, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=CfnLoader)
    values = {name: p.get("Default") for name, p in (doc.get("Parameters") or {}).items()
              if isinstance(p, dict) and "Default" in p}
    values.update(params or {})
    pseudo = pseudo or {"AWS::AccountId": CENTRAL, "AWS::Region": CENTRAL_REGION,
                        "AWS::Partition": "aws", "AWS::StackName": "hardengen-central",
                        "AWS::URLSuffix": "amazonaws.com"}
    out = []
    for logical, res in (doc.get("Resources") or {}).items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::DynamoDB::Table":
            continue
        props = res.get("Properties") or {}
        args = {
            "TableName": _resolve(props.get("TableName", logical), values, pseudo),
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if args["BillingMode"] == "PROVISIONED":
            args["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        out.append(args)
    return sorted(out, key=lambda a: a["TableName"])


def reader_role_from_template(path, ddb):
    """The reader role of the template: name, trust policy, inline policies
    and the table ARNs its !GetAtt TABLE.Arn resolve to (from the tables
    `ddb` holds). moto's IAM checks actions but matches every request against
    the resource "*", so the policies come back with their DynamoDB
    statements on "*" and without the KMS ones (moto's tables are not
    encrypted with the key): the actions are what is tested."""
    with open(path, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=CfnLoader)
    resources = doc["Resources"]
    params = {n: p.get("Default") for n, p in doc.get("Parameters", {}).items()}
    pseudo = {"AWS::AccountId": CENTRAL, "AWS::Region": CENTRAL_REGION, "AWS::Partition": "aws"}
    logical = [n for n, r in resources.items() if r.get("Type") == "AWS::IAM::Role"]
    if len(logical) != 1:
        raise ValueError("expected one AWS::IAM::Role, found %d" % len(logical))
    props = resources[logical[0]]["Properties"]
    arns = {}
    for name, res in resources.items():
        if res.get("Type") == "AWS::DynamoDB::Table":
            table = _resolve(res["Properties"]["TableName"], params, pseudo)
            arns[name] = ddb.describe_table(TableName=table)["Table"]["TableArn"]

    def subst(value):
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            target, attr = value["Fn::GetAtt"]
            if target in arns and attr == "Arn":
                return arns[target]
            raise ValueError("cannot resolve %r" % (value,))
        if isinstance(value, dict) and set(value) <= {"Ref", "Fn::Sub"}:
            return _resolve(value, params, pseudo)
        if isinstance(value, dict):
            return {k: subst(v) for k, v in value.items()}
        if isinstance(value, list):
            return [subst(v) for v in value]
        return value

    policies, tables = {}, []
    for policy in props.get("Policies", []):
        statements = []
        for st in policy["PolicyDocument"]["Statement"]:
            if str(st.get("Action")).startswith("kms:"):
                continue
            st = subst(st)
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            tables += [r for r in resources if r.startswith("arn:aws:dynamodb:")]
            statements.append(dict(st, Resource="*"))
        policies[policy["PolicyName"]] = dict(policy["PolicyDocument"], Statement=statements)
    return {"name": _resolve(props["RoleName"], params, pseudo), "tables": sorted(tables),
            "trust": subst(props["AssumeRolePolicyDocument"]), "policies": policies}


def fill_tables(ddb, data_path):
    """Write detective-data.json's items (DynamoDB typed JSON) as they are."""
    with open(data_path, encoding="utf-8") as f:
        data = json.load(f)
    for table in data["tables"]:
        items = table["items"]
        for start in range(0, len(items), 25):
            ddb.batch_write_item(RequestItems={table["name"]: [
                {"PutRequest": {"Item": it}} for it in items[start:start + 25]]})
    return data


# --------------------------------------- Config for SGs and users in moto

class SecurityGroupConfigQuery(ConfigQueryModel):
    """AWS::EC2::SecurityGroup items from moto's EC2 backend."""

    def list_config_service_resources(self, account_id, partition, resource_ids, resource_name,
                                      limit, next_token, backend_region=None, resource_region=None,
                                      aggregator=None):
        backend = self.backends[account_id][backend_region or resource_region]
        groups = [g for vpc in backend.groups.values() for g in vpc.values()]
        return [{"type": "AWS::EC2::SecurityGroup", "id": g.id, "name": g.name,
                 "region": backend_region} for g in groups
                if (not resource_ids or g.id in resource_ids)], None

    def get_config_resource(self, account_id, partition, resource_id, resource_name=None,
                            backend_region=None, resource_region=None):
        backend = self.backends[account_id][backend_region or resource_region]
        group = backend.get_security_group_from_id(resource_id)
        if group is None:
            return None
        tags = dict(backend.tags.get(group.id, {}))
        return {
            "version": "1.3", "accountId": account_id, "configurationItemStatus": "OK",
            "configurationStateId": "1", "arn": group.arn, "resourceType": "AWS::EC2::SecurityGroup",
            "resourceId": group.id, "resourceName": group.name, "awsRegion": backend_region,
            "availabilityZone": "Not Applicable", "tags": tags,
            "configuration": json.dumps({"groupId": group.id, "groupName": group.name,
                                         "vpcId": group.vpc_id,
                                         "tags": [{"key": k, "value": v} for k, v in tags.items()]}),
            "supplementaryConfiguration": {},
        }


class UserConfigQuery(ConfigQueryModel):
    """AWS::IAM::User items (global, resourceId = the user id) from moto's IAM backend."""

    def list_config_service_resources(self, account_id, partition, resource_ids, resource_name,
                                      limit, next_token, backend_region=None, resource_region=None,
                                      aggregator=None):
        users = self.backends[account_id][partition].users.values()
        return [{"type": "AWS::IAM::User", "id": u.id, "name": u.name, "region": "global"}
                for u in users if not resource_ids or u.id in resource_ids], None

    def get_config_resource(self, account_id, partition, resource_id, resource_name=None,
                            backend_region=None, resource_region=None):
        backend = self.backends[account_id][partition]
        for user in backend.users.values():
            if user.id == resource_id:
                tags = {t["Key"]: t["Value"] for t in backend.list_user_tags(user.name)}
                return {
                    "version": "1.3", "accountId": account_id, "configurationItemStatus": "OK",
                    "configurationStateId": "1", "arn": user.arn, "resourceType": "AWS::IAM::User",
                    "resourceId": user.id, "resourceName": user.name, "awsRegion": "global",
                    "availabilityZone": "Not Applicable", "tags": tags,
                    "configuration": json.dumps({"userName": user.name, "userId": user.id}),
                    "supplementaryConfiguration": {},
                }
        return None


# ----------------------------------------------- client-level fakes

_ORIGINAL_CALL = BaseClient._make_api_call
_validator = ParamValidator()


def _client_error(code, operation, message="", status=400):
    return ClientError({"Error": {"Code": code, "Message": message or code},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


class Wire:
    """Sits in botocore's client: validates the parameters of every call as
    botocore does, counts calls, records Firehose records and the findings
    sent, and lets a test inject failures. Firehose never reaches moto."""

    def __init__(self):
        self.calls = []            # (service, operation)
        self.records = []          # Firehose record bytes
        self.findings = []         # every finding sent to BatchImportFindings
        self.failures = {}         # (service, op) -> list of exceptions to raise first
        self.responses = {}        # (service, op) -> canned response (instead of moto)

    def __call__(self, client, operation, params):
        service = client.meta.service_model.service_name
        key = (service, operation)
        op = client.meta.service_model.operation_model(operation)
        report = _validator.validate(params, op.input_shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
        self.calls.append(key)
        pending = self.failures.get(key)
        if pending:
            raise pending.pop(0)
        if key == ("securityhub", "BatchImportFindings"):
            self.findings.extend(copy.deepcopy(params["Findings"]))
        if service == "firehose":
            if operation != "PutRecord":
                raise AssertionError("unexpected Firehose call " + operation)
            self.records.append(params["Record"]["Data"])
            return {"RecordId": "record-%d" % len(self.records), "Encrypted": False}
        if key in self.responses:
            return copy.deepcopy(self.responses[key])
        return _ORIGINAL_CALL(client, operation, params)

    def count(self, service, operation):
        return sum(1 for c in self.calls if c == (service, operation))


# -------------------------------------------------- strict ASFF validation

def strict_errors(shape, value, path="finding"):
    """What botocore's validator leaves to the service: string patterns and
    enums, recursively. Returns a list of messages."""
    errors = []
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            if name in value:
                errors += strict_errors(member, value[name], path + "." + name)
    elif shape.type_name == "list":
        for i, item in enumerate(value):
            errors += strict_errors(shape.member, item, "%s[%d]" % (path, i))
    elif shape.type_name == "map":
        for k, v in value.items():
            errors += strict_errors(shape.key, k, path + " key")
            errors += strict_errors(shape.value, v, "%s[%s]" % (path, k))
    elif shape.type_name == "string":
        pattern = shape.metadata.get("pattern")
        if pattern and not re.fullmatch(pattern, value, re.S):
            errors.append("%s: %r does not match %s" % (path, value, pattern))
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            errors.append("%s: %r not in %s" % (path, value, enum))
    return errors


_models = {}


def _boto3_session():
    if "session" not in _models:
        _models["session"] = boto3.session.Session()
    return _models["session"]


def _securityhub_model():
    if "securityhub" not in _models:
        _models["securityhub"] = botocore.session.get_session().get_service_model("securityhub")
    return _models["securityhub"]


ASFF_REQUIRED = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types",
                 "CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Resources")


def asff_problems(finding):
    """Every rule the Security Hub user guide states and botocore/moto do not check."""
    problems = [f for f in ASFF_REQUIRED if f not in finding]
    model = _securityhub_model()
    shape = model.operation_model("BatchImportFindings").input_shape
    report = _validator.validate({"Findings": [finding]}, shape)
    if report.has_errors():
        problems.append(report.generate_report())
    problems += strict_errors(model.shape_for("AwsSecurityFinding"), finding)
    limits = {"Title": 256, "Description": 1024, "Id": 512, "GeneratorId": 512}
    for field, limit in limits.items():
        if len(finding.get(field, "")) > limit:
            problems.append("%s longer than %d" % (field, limit))
    if not 1 <= len(finding.get("Resources", [])) <= 32:
        problems.append("Resources not 1..32")
    if len(finding.get("Types", [])) > 50:
        problems.append("more than 50 Types")
    if finding.get("CreatedAt", "") > finding.get("UpdatedAt", ""):
        problems.append("CreatedAt after UpdatedAt")
    for field in ("CreatedAt", "UpdatedAt"):
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", finding.get(field, "")):
            problems.append("%s is not ISO 8601 UTC" % field)
    if finding.get("Severity", {}).get("Label") not in index.SEVERITIES:
        problems.append("Severity.Label")
    for k, v in finding.get("ProductFields", {}).items():
        if len(k) > 128 or len(v) > 2048 or k.startswith("aws/"):
            problems.append("ProductFields %s" % k)
    return problems


# ----------------------------------------------------------------- events

with open(os.path.join(FIXTURES, "events.json"), encoding="utf-8") as _f:
    EVENTS = json.load(_f)


def event(name, **change):
    """A fixture event, optionally with another rule/resource/compliance/time."""
    e = copy.deepcopy(EVENTS[name])
    d = e["detail"]
    q = d["newEvaluationResult"]["evaluationResultIdentifier"]["evaluationResultQualifier"]
    if "rule" in change:
        d["configRuleName"] = q["configRuleName"] = change["rule"]
    if "resource_id" in change:
        d["resourceId"] = q["resourceId"] = change["resource_id"]
    if "resource_type" in change:
        d["resourceType"] = q["resourceType"] = change["resource_type"]
    if "compliance" in change:
        d["newEvaluationResult"]["complianceType"] = change["compliance"]
    if "recorded" in change:
        d["newEvaluationResult"]["resultRecordedTime"] = change["recorded"]
    if "id" in change:
        e["id"] = change["id"]
    return e


# ------------------------------------------------------------------ tests

class StepTests(unittest.TestCase):
    """The pure steps, without AWS."""

    def test_extract_sample(self):
        f = index.extract(EVENTS["sample"])
        self.assertEqual(f["account"], MEMBER)
        self.assertEqual(f["rule"], "s3-bucket-public-read-prohibited")
        self.assertEqual((f["resource_type"], f["resource_id"]), ("AWS::S3::Bucket", "hg-test-bucket"))
        self.assertEqual(f["compliance"], "NON_COMPLIANT")
        self.assertIsNone(f["previous"])
        self.assertEqual(index.iso(f["time"]), "2024-05-01T09:59:59.000Z")
        self.assertEqual(f["annotation"], "Bucket allows public read")

    def test_extract_envelope_without_account(self):
        e = EVENTS["no-account"]
        self.assertNotIn("account", e)
        self.assertEqual(index.extract(e)["account"], MEMBER)
        f = index.extract(EVENTS["compliant-after"])
        self.assertEqual((f["compliance"], f["previous"]), ("COMPLIANT", "NON_COMPLIANT"))

    def test_extract_ignores_other_messages(self):
        for bad in (EVENTS["configuration-item-change"], EVENTS["evaluation-started"], [], "x",
                    dict(EVENTS["sample"], source="aws.ec2")):
            with self.assertRaises(index.Ignored):
                index.extract(bad)

    def test_extract_incomplete_change_raises(self):
        e = event("sample")
        del e["detail"]["configRuleName"]
        del e["detail"]["newEvaluationResult"]["evaluationResultIdentifier"]
        with self.assertRaisesRegex(ValueError, "rule"):
            index.extract(e)
        e = event("sample")
        for k in ("resultRecordedTime",):
            del e["detail"]["newEvaluationResult"][k]
        e["detail"]["notificationCreationTime"] = "garbage"
        e["time"] = None
        with self.assertRaisesRegex(ValueError, "time"):
            index.extract(e)

    def test_exception_expiry_is_end_of_day_utc(self):
        at = datetime.datetime(2024, 5, 1, 23, 59, 59, tzinfo=datetime.timezone.utc)
        self.assertTrue(index.exception_valid({"expires": "2024-05-01"}, at))
        self.assertFalse(index.exception_valid({"expires": "2024-04-30"}, at))
        self.assertFalse(index.exception_valid({"expires": "2024-05-01"}, at + datetime.timedelta(seconds=1)))
        for bad in ("", "2024-13-01", "tomorrow", None):
            self.assertFalse(index.exception_valid({"expires": bad}, at))

    def test_exception_keys_priority(self):
        keys = index.exception_keys("r", {"arn": "arn:aws:s3:::b", "tags": {"z": "1", "a": "2"}})
        self.assertEqual(keys, [("r", "arn:arn:aws:s3:::b"), ("r", "tag:a=2"), ("r", "tag:z=1"),
                                ("*", "arn:arn:aws:s3:::b"), ("*", "tag:a=2"), ("*", "tag:z=1")])
        self.assertEqual(index.exception_keys("r", {"arn": None, "tags": {}}), [])

    def test_truncation_markers(self):
        self.assertEqual(index.truncate("abc", 3), "abc")
        cut = index.truncate("x" * 300, 256)
        self.assertEqual(len(cut), 256)
        self.assertTrue(cut.endswith(index.TRUNCATED))
        a, b = index.cap_id("a" * 600 + "1"), index.cap_id("a" * 600 + "2")
        self.assertEqual((len(a), len(b)), (512, 512))
        self.assertNotEqual(a, b)
        self.assertEqual(a, index.cap_id("a" * 600 + "1"))
        self.assertRegex(a, r"#[0-9a-f]{16}$")

    def test_effective_severity(self):
        meta = {"severity": "HIGH"}
        self.assertEqual(index.effective_severity(meta, "NON_COMPLIANT", None), "HIGH")
        self.assertEqual(index.effective_severity(meta, "NON_COMPLIANT", {"reason": "x"}), "INFORMATIONAL")
        self.assertEqual(index.effective_severity(meta, "COMPLIANT", None), "INFORMATIONAL")

    def _meta(self, **change):
        meta = {"rule": "r", "severity": "HIGH", "title": "T", "description": "D",
                "frameworks": {"cis-1.4": "1.1", "custom": "x"}, "route": ["splunk", "securityhub"],
                "enabled": True, "missing": False, "warnings": []}
        meta.update(change)
        return meta

    def test_asff_mapping_without_aws(self):
        f = index.extract(EVENTS["sample"])
        res = {"type": "AWS::S3::Bucket", "id": "b", "name": "b", "arn": "arn:aws:s3:::b",
               "tags": {"k": "v", "e": ""}, "status": "ok"}
        with mock.patch.dict(os.environ, LAMBDA_ENV):
            cases = {"NON_COMPLIANT": ("FAILED", "ACTIVE"), "COMPLIANT": ("PASSED", "ARCHIVED"),
                     "INSUFFICIENT_DATA": ("WARNING", "ACTIVE"), "NOT_APPLICABLE": ("NOT_AVAILABLE", "ARCHIVED")}
            for compliance, (status, state) in cases.items():
                g = dict(f, compliance=compliance)
                finding = index.asff_finding(g, self._meta(), res, None,
                                             index.effective_severity(self._meta(), compliance, None))
                self.assertEqual((finding["Compliance"]["Status"], finding["RecordState"]), (status, state))
                self.assertEqual(asff_problems(finding), [])
            self.assertEqual(finding["Types"], [index.CONFIG_TYPE, index.STANDARDS + "CIS AWS Foundations Benchmark"])
            self.assertEqual(finding["Resources"][0]["Tags"], {"k": "v"})
            china = dict(f, region="cn-north-1", rule_arn="arn:aws-cn:config:cn-north-1:123456789012:config-rule/x")
            finding = index.asff_finding(china, self._meta(), dict(res, status="deleted"), None, "HIGH")
            self.assertTrue(finding["ProductArn"].startswith("arn:aws-cn:securityhub:cn-north-1:"))
            self.assertEqual(finding["Resources"][0]["Partition"], "aws-cn")
            self.assertEqual(finding["RecordState"], "ARCHIVED")        # Config recorded the deletion

    def test_hec_event_without_aws(self):
        f = index.extract(EVENTS["sample"])
        res = {"type": "AWS::S3::Bucket", "id": "b", "name": "b", "arn": None, "tags": {}, "status": "not-found"}
        env = dict(LAMBDA_ENV, SPLUNK_FIELDS='{"account_id":"spoofed","team":"sec","n":3,"empty":""}')
        with mock.patch.dict(os.environ, env):
            hec = index.hec_event(f, self._meta(missing=True), res, None, "HIGH")
        self.assertEqual(hec["fields"], {"account_id": MEMBER, "account_name": "acme-test", "env": "test",
                                         "org_id": "o-a1b2c3d4e5", "team": "sec", "n": "3"})
        self.assertEqual(hec["event"]["metadata"], "missing")
        self.assertEqual(index.hec_record(hec), index.hec_record(copy.deepcopy(hec)))
        self.assertTrue(index.hec_record(hec).endswith(b"}\n"))

    def test_retry_is_bounded(self):
        sleeps, calls = [], []

        def throttled(**kw):
            calls.append(kw)
            raise _client_error("ThrottlingException", "X")
        with mock.patch.object(index, "_sleep", sleeps.append):
            with self.assertRaises(ClientError):
                index.call(throttled, a=1)
        self.assertEqual(len(calls), index.MAX_ATTEMPTS)
        self.assertEqual(len(sleeps), index.MAX_ATTEMPTS - 1)
        self.assertTrue(all(0 < s <= index.MAX_DELAY for s in sleeps))

        def denied(**kw):
            calls.append(kw)
            raise _client_error("AccessDeniedException", "X")
        calls.clear()
        with mock.patch.object(index, "_sleep", sleeps.append):
            with self.assertRaises(ClientError):
                index.call(denied)
        self.assertEqual(len(calls), 1)


class TemplateTests(unittest.TestCase):
    """The tables come from the template's own definitions."""

    def test_tables_from_central_template(self):
        tables = tables_from_template(CENTRAL_TEMPLATE)
        self.assertEqual([t["TableName"] for t in tables], ["hardengen-config-rules", "hardengen-exceptions"])
        self.assertEqual(tables[0]["KeySchema"], [{"AttributeName": "rule", "KeyType": "HASH"}])
        self.assertEqual(tables[1]["KeySchema"], [{"AttributeName": "rule", "KeyType": "HASH"},
                                                  {"AttributeName": "match", "KeyType": "RANGE"}])
        self.assertEqual({t["BillingMode"] for t in tables}, {"PAY_PER_REQUEST"})
        renamed = tables_from_template(os.path.join(FIXTURES, "central.global.yaml"),
                                       params={"RulesTableName": "other-rules"})
        self.assertEqual(renamed[1]["TableName"], "other-rules")

    def test_data_matches_interface(self):
        with open(DETECTIVE_DATA, encoding="utf-8") as f:
            data = json.load(f)
        self.assertEqual(data["schema"], 1)
        names = [t["name"] for t in data["tables"]]
        self.assertEqual(names, sorted(names))
        for t in data["tables"]:
            keys = [tuple(it[k]["S"] for k in t["key"]) for it in t["items"]]
            self.assertEqual(keys, sorted(keys))


class LambdaTests(unittest.TestCase):
    """The handler end to end against moto."""

    def setUp(self):
        self.mock = mock_aws()
        self.mock.start()
        self.addCleanup(self.mock.stop)
        # mock_aws starts each test without a default session; one botocore
        # session for all tests loads each service model once.
        boto3.DEFAULT_SESSION = _boto3_session()
        self.env = mock.patch.dict(os.environ, LAMBDA_ENV)
        self.env.start()
        self.addCleanup(self.env.stop)
        self.resource_map = mock.patch.dict(config_models.RESOURCE_MAP, {
            "AWS::EC2::SecurityGroup": SecurityGroupConfigQuery(ec2_backends),
            "AWS::IAM::User": UserConfigQuery(iam_backends)})
        self.resource_map.start()
        self.addCleanup(self.resource_map.stop)
        self.wire = Wire()
        wire = self.wire
        self.patch = mock.patch.object(BaseClient, "_make_api_call",
                                       lambda client, op, params: wire(client, op, params))
        self.patch.start()
        self.addCleanup(self.patch.stop)
        self.sleeps = []
        sleep = mock.patch.object(index, "_sleep", self.sleeps.append)
        sleep.start()
        self.addCleanup(sleep.stop)
        index.reset()
        self.addCleanup(index.reset)
        self._central()
        self._member()
        self.wire.calls.clear()

    def _central(self):
        """The security account: its tables from the template, its data, the reader role."""
        creds = boto3.client("sts").assume_role(
            RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % CENTRAL,
            RoleSessionName="setup")["Credentials"]
        session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                        aws_secret_access_key=creds["SecretAccessKey"],
                                        aws_session_token=creds["SessionToken"])
        ddb = session.client("dynamodb", region_name=CENTRAL_REGION)
        for args in tables_from_template(CENTRAL_TEMPLATE):
            ddb.create_table(**args)
        fill_tables(ddb, DETECTIVE_DATA)
        role = reader_role_from_template(CENTRAL_TEMPLATE, ddb)
        self.assertEqual(role["tables"], ["arn:aws:dynamodb:%s:%s:table/%s" % (CENTRAL_REGION, CENTRAL, t)
                                          for t in ("hardengen-config-rules", "hardengen-exceptions")])
        iam = session.client("iam")
        iam.create_role(RoleName=role["name"], AssumeRolePolicyDocument=json.dumps(role["trust"]))
        for name, document in role["policies"].items():
            iam.put_role_policy(RoleName=role["name"], PolicyName=name, PolicyDocument=json.dumps(document))
        # A reader that may only Query: what a wrong deployment looks like.
        iam.create_role(RoleName="hardengen-detective-query-only",
                        AssumeRolePolicyDocument=json.dumps(role["trust"]))
        iam.put_role_policy(RoleName="hardengen-detective-query-only", PolicyName="read",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Action": "dynamodb:Query", "Resource": "*"}]}))
        self.central_ddb = ddb
        self.assertEqual(boto3.client("dynamodb", region_name=CENTRAL_REGION).list_tables()["TableNames"], [])

    def _member(self):
        """The member account: recorded resources with tags, Security Hub on."""
        s3 = boto3.client("s3", region_name=REGION)
        buckets = {"hg-test-bucket": {"owner": "team-a", "cost-center": "42", "empty": ""},
                   "hg-excepted-bucket": {"owner": "web"},
                   "hg-tagged-bucket": {"hg:exception": "EXC-42", "owner": "team-b"},
                   "hg-expired-bucket": {"owner": "team-c"},
                   "hg-lastday-bucket": {"owner": "team-d"}}
        for name, tags in buckets.items():
            s3.create_bucket(Bucket=name)
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v}
                                                                   for k, v in tags.items()]})
        ec2 = boto3.client("ec2", region_name=REGION)
        self.sg = ec2.create_security_group(
            GroupName="hg-ssh-open", Description="ssh from anywhere",
            TagSpecifications=[{"ResourceType": "security-group",
                                "Tags": [{"Key": "owner", "Value": "net-team"}]}])["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=self.sg, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        iam = boto3.client("iam")
        user = iam.create_user(UserName="hg-alice", Tags=[{"Key": "team", "Value": "payments"}])["User"]
        iam.put_user_policy(UserName="hg-alice", PolicyName="inline",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}))
        self.user = user
        self.securityhub = boto3.client("securityhub", region_name=REGION)
        self.securityhub.enable_security_hub()

    # -- running an event

    def run_event(self, evt):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result = index.handler(copy.deepcopy(evt), None)
        return result, self._log(out)

    def run_failing(self, evt, exc=Exception):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            with self.assertRaises(exc) as cm:
                index.handler(copy.deepcopy(evt), None)
        return cm.exception, self._log(out)

    def _log(self, out):
        lines = out.getvalue().splitlines()
        self.assertEqual(len(lines), 1, "one log line per event: %r" % lines)
        log = json.loads(lines[0])
        for secret in ("SecretAccessKey", "SessionToken", "configuration\""):
            self.assertNotIn(secret, lines[0])
        return log

    def findings(self):
        return self.securityhub.get_findings(MaxResults=100)["Findings"]

    def finding(self, finding_id):
        found = [f for f in self.findings() if f["Id"] == finding_id]
        self.assertEqual(len(found), 1, "one finding with Id %s" % finding_id)
        return found[0]

    def hec(self, n=0):
        return json.loads(self.wire.records[n].decode("utf-8"))

    def assert_findings_valid(self):
        for f in self.wire.findings:
            self.assertEqual(asff_problems(f), [], f["Id"])

    def tearDown(self):
        self.assert_findings_valid()

    # -- cases

    def test_noncompliant_bucket(self):
        result, log = self.run_event(EVENTS["sample"])
        self.assertEqual(result["outcome"], "sent")
        self.assertEqual(len(self.wire.records), 1)
        hec = self.hec()
        self.assertEqual(hec["fields"], {"account_id": MEMBER, "account_name": "acme-test",
                                         "org_id": "o-a1b2c3d4e5", "env": "test", "customer": "payments",
                                         "environment": "test", "org": "acme"})
        self.assertEqual(hec["time"], 1714557599.0)
        self.assertEqual((hec["source"], hec["sourcetype"]), ("hardengen:detective", "aws:config:compliance"))
        ev = hec["event"]
        self.assertEqual(ev["resource"]["arn"], "arn:aws:s3:::hg-test-bucket")
        self.assertEqual(ev["resource"]["tags"], {"owner": "team-a", "cost-center": "42", "empty": ""})
        self.assertEqual((ev["severity"], ev["excepted"], ev["exception"]), ("HIGH", False, None))
        self.assertNotIn("metadata", ev)

        fid = "hardengen/%s/us-east-1/s3-bucket-public-read-prohibited/AWS::S3::Bucket/hg-test-bucket" % MEMBER
        self.assertEqual(result["finding_id"], fid)
        f = self.finding(fid)
        self.assertEqual(f["Severity"]["Label"], "HIGH")
        self.assertEqual(f["GeneratorId"], "s3-bucket-public-read-prohibited")
        self.assertEqual(f["ProductArn"], "arn:aws:securityhub:us-east-1:%s:product/%s/default" % (MEMBER, MEMBER))
        self.assertEqual(f["Compliance"]["Status"], "FAILED")
        self.assertEqual(f["Compliance"]["RelatedRequirements"], ["cis-1.4 2.1.5", "pci-dss-3.2.1 1.2.1"])
        self.assertEqual(f["RecordState"], "ACTIVE")
        self.assertEqual(f["Title"], "S3 buckets do not allow public read access")
        self.assertTrue(all(t.startswith("Software and Configuration Checks/") for t in f["Types"]))
        self.assertIn("Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark",
                      f["Types"])
        res = f["Resources"][0]
        self.assertEqual((res["Type"], res["Id"]), ("AwsS3Bucket", "arn:aws:s3:::hg-test-bucket"))
        self.assertEqual(res["Tags"], {"owner": "team-a", "cost-center": "42"})   # ASFF: no empty values
        self.assertEqual(log["outcome"], "sent")
        self.assertEqual(log["event_id"], EVENTS["sample"]["id"])
        self.assertEqual(log["rule"], "s3-bucket-public-read-prohibited")
        self.assertEqual(log["resource"]["arn"], "arn:aws:s3:::hg-test-bucket")
        self.assertEqual(log["decisions"]["splunk"], "sent")
        self.assertEqual(log["decisions"]["securityhub"], "sent")
        self.assertNotIn("tags", log["resource"])
        self.assertEqual(self.wire.count("sts", "AssumeRole"), 1)

    def test_excepted_by_arn(self):
        _, log = self.run_event(event("sample", resource_id="hg-excepted-bucket"))
        f = self.wire.findings[0]
        self.assertEqual(f["Severity"], {"Label": "INFORMATIONAL", "Original": "HIGH"})
        self.assertEqual(f["FindingProviderFields"]["Severity"]["Label"], "INFORMATIONAL")
        pf = f["ProductFields"]
        self.assertEqual(pf["hardengen/detective/Excepted"], "true")
        self.assertEqual(pf["hardengen/detective/ExceptionApprovedBy"], "secops@example.com")
        self.assertEqual(pf["hardengen/detective/ExceptionExpires"], "2099-12-31")
        self.assertEqual(pf["hardengen/detective/ExceptionReason"], "Public website assets (static, no data)")
        self.assertEqual(pf["hardengen/detective/ExceptionMatch"],
                         "s3-bucket-public-read-prohibited arn:arn:aws:s3:::hg-excepted-bucket")
        self.assertTrue(f["Description"].startswith("Excepted until 2099-12-31 (approved by secops@example.com)"))
        self.assertEqual(f["Compliance"]["Status"], "FAILED")
        ev = self.hec()["event"]
        self.assertTrue(ev["excepted"])
        self.assertEqual(ev["severity"], "INFORMATIONAL")
        self.assertEqual(ev["exception"]["source"], "exceptions/web.yaml:1")
        self.assertEqual(log["decisions"]["exception"]["match"], "arn:arn:aws:s3:::hg-excepted-bucket")

    def test_excepted_by_tag(self):
        self.run_event(event("sample", resource_id="hg-tagged-bucket"))
        f = self.wire.findings[0]
        self.assertEqual(f["Severity"]["Label"], "INFORMATIONAL")
        self.assertEqual(f["ProductFields"]["hardengen/detective/ExceptionMatch"], "* tag:hg:exception=EXC-42")
        self.assertEqual(self.hec()["event"]["exception"]["approved_by"], "ciso@example.com")

    def test_expired_exception_not_applied(self):
        _, log = self.run_event(event("sample", resource_id="hg-expired-bucket"))
        f = self.wire.findings[0]
        self.assertEqual(f["Severity"]["Label"], "HIGH")
        self.assertEqual(f["ProductFields"]["hardengen/detective/Excepted"], "false")
        self.assertIsNone(log["decisions"]["exception"])
        self.assertEqual(log["decisions"]["expired_exceptions"][0]["expires"], "2024-04-30")

    def test_exception_valid_through_its_last_day(self):
        self.run_event(event("sample", resource_id="hg-lastday-bucket"))
        self.assertEqual(self.wire.findings[0]["Severity"]["Label"], "INFORMATIONAL")
        self.wire.findings.clear()
        self.run_event(event("sample", resource_id="hg-lastday-bucket", recorded="2024-05-02T00:00:00.000Z"))
        self.assertEqual(self.wire.findings[0]["Severity"]["Label"], "HIGH")

    def test_exception_for_another_rule_not_applied(self):
        # hg-test-bucket is excepted for restricted-ssh only.
        _, log = self.run_event(EVENTS["sample"])
        self.assertEqual(self.wire.findings[0]["Severity"]["Label"], "HIGH")
        self.assertIsNone(log["decisions"]["exception"])

    def test_compliant_after_noncompliant(self):
        first, _ = self.run_event(EVENTS["sample"])
        before = self.finding(first["finding_id"])
        second, log = self.run_event(EVENTS["compliant-after"])
        self.assertEqual(first["finding_id"], second["finding_id"])
        after = self.finding(second["finding_id"])
        self.assertEqual(after["RecordState"], "ARCHIVED")
        self.assertEqual(after["Compliance"]["Status"], "PASSED")
        self.assertEqual(after["Severity"]["Label"], "INFORMATIONAL")
        self.assertGreater(after["UpdatedAt"], before["UpdatedAt"])
        self.assertEqual(log["record_state"], "ARCHIVED")
        self.assertEqual([r["event"]["compliance"] for r in map(lambda b: json.loads(b), self.wire.records)],
                         ["NON_COMPLIANT", "COMPLIANT"])

    def test_replay_sends_identical_data(self):
        self.run_event(EVENTS["sample"])
        self.run_event(EVENTS["sample"])
        self.assertEqual(self.wire.records[0], self.wire.records[1])
        self.assertEqual(self.wire.findings[0], self.wire.findings[1])
        self.assertEqual(len(self.findings()), 1)

    def test_rule_disabled(self):
        result, log = self.run_event(event("sample", rule="root-account-mfa-enabled"))
        self.assertEqual(result["outcome"], "dropped")
        self.assertEqual((self.wire.records, self.wire.findings), ([], []))
        self.assertEqual(log["outcome"], "dropped")
        self.assertFalse(log["decisions"]["enabled"])
        self.assertEqual(self.wire.count("config", "BatchGetResourceConfig"), 0)

    def test_route_splunk_only_iam_user(self):
        _, log = self.run_event(event("iam-user", resource_id=self.user["UserId"]))
        self.assertEqual(self.wire.findings, [])
        self.assertEqual(len(self.wire.records), 1)
        ev = self.hec()["event"]
        self.assertEqual(ev["resource"]["name"], "hg-alice")
        self.assertEqual(ev["resource"]["arn"], self.user["Arn"])
        self.assertEqual(ev["resource"]["tags"], {"team": "payments"})
        self.assertEqual(ev["severity"], "LOW")
        self.assertEqual(log["decisions"]["securityhub"], "not-routed")

    def test_route_securityhub_only_security_group(self):
        _, log = self.run_event(event("security-group", resource_id=self.sg))
        self.assertEqual(self.wire.records, [])
        f = self.wire.findings[0]
        res = f["Resources"][0]
        self.assertEqual(res["Type"], "AwsEc2SecurityGroup")
        self.assertEqual(res["Id"], "arn:aws:ec2:us-east-1:%s:security-group/%s" % (MEMBER, self.sg))
        self.assertEqual(res["Tags"], {"owner": "net-team"})
        self.assertEqual(res["Details"]["Other"]["ConfigResourceName"], "hg-ssh-open")
        self.assertEqual(f["Severity"]["Label"], "HIGH")
        self.assertEqual(log["decisions"]["splunk"], "not-routed")
        self.assertEqual(len(self.findings()), 1)

    def test_rule_without_metadata(self):
        result, log = self.run_event(event("sample", rule="s3-bucket-versioning-enabled"))
        self.assertEqual(result["outcome"], "sent")
        self.assertEqual(log["metadata"], "missing")
        self.assertTrue(log["warnings"])
        self.assertEqual(self.hec()["event"]["metadata"], "missing")
        f = self.wire.findings[0]
        self.assertEqual(f["Severity"]["Label"], "MEDIUM")
        self.assertEqual(f["Title"], "s3-bucket-versioning-enabled")
        self.assertEqual(f["ProductFields"]["hardengen/detective/Metadata"], "missing")

    def test_deleted_resource(self):
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="hg-deleted-bucket")
        s3.delete_bucket(Bucket="hg-deleted-bucket")
        _, log = self.run_event(event("sample", resource_id="hg-deleted-bucket"))
        self.assertEqual(log["resource"]["status"], "not-found")
        self.assertEqual(log["resource"]["arn"], "arn:aws:s3:::hg-deleted-bucket")
        self.assertEqual(self.wire.findings[0]["Resources"][0]["Id"], "arn:aws:s3:::hg-deleted-bucket")
        self.assertEqual(self.hec()["event"]["resource"]["tags"], {})

    def test_config_records_deletion(self):
        # Real Config keeps the deleted resource's last item: ResourceDeleted.
        self.wire.responses[("config", "BatchGetResourceConfig")] = {"baseConfigurationItems": [{
            "version": "1.3", "accountId": MEMBER, "configurationItemStatus": "ResourceDeleted",
            "arn": "arn:aws:s3:::hg-gone-bucket", "resourceType": "AWS::S3::Bucket",
            "resourceId": "hg-gone-bucket", "resourceName": "hg-gone-bucket", "awsRegion": REGION}],
            "unprocessedResourceKeys": []}
        self.wire.responses[("config", "GetResourceConfigHistory")] = {"configurationItems": [
            {"configurationItemStatus": "ResourceDeleted", "resourceType": "AWS::S3::Bucket",
             "resourceId": "hg-gone-bucket", "tags": {}},
            {"configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket",
             "resourceId": "hg-gone-bucket", "tags": {"hg:exception": "EXC-42"}}]}
        _, log = self.run_event(event("sample", resource_id="hg-gone-bucket"))
        self.assertEqual(log["resource"]["status"], "deleted")
        self.assertEqual(log["resource"]["tag_count"], 1)
        f = self.wire.findings[0]
        self.assertEqual(f["RecordState"], "ARCHIVED")
        self.assertEqual(f["Severity"]["Label"], "INFORMATIONAL")   # tag exception from history

    def test_tags_are_the_current_ones(self):
        # Tags removed since the last item: the newest item's (empty) tags
        # count, not an older item's, so an old exception tag cannot match.
        self.wire.responses[("config", "GetResourceConfigHistory")] = {"configurationItems": [
            {"configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket",
             "resourceId": "hg-test-bucket", "tags": {}},
            {"configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket",
             "resourceId": "hg-test-bucket", "tags": {"hg:exception": "EXC-42"}}]}
        _, log = self.run_event(EVENTS["sample"])
        self.assertEqual(log["resource"]["tag_count"], 0)
        self.assertEqual(self.wire.findings[0]["Severity"]["Label"], "HIGH")

    def test_resource_type_config_does_not_describe(self):
        result, log = self.run_event(EVENTS["unrecorded-type"])
        self.assertEqual(result["outcome"], "sent")
        self.assertEqual(log["resource"]["status"], "not-found")
        res = self.wire.findings[0]["Resources"][0]
        self.assertEqual((res["Type"], res["Id"]), ("Other", "i-0abc123def4567890"))
        self.wire.failures[("config", "BatchGetResourceConfig")] = [
            _client_error("ValidationException", "BatchGetResourceConfig", "unknown resource type")]
        result, _ = self.run_event(EVENTS["unrecorded-type"])
        self.assertEqual(result["outcome"], "sent")

    def test_throttling_then_success(self):
        t = _client_error
        self.wire.failures = {
            ("sts", "AssumeRole"): [t("Throttling", "AssumeRole")],
            ("dynamodb", "GetItem"): [t("ProvisionedThroughputExceededException", "GetItem")],
            ("config", "BatchGetResourceConfig"): [t("ThrottlingException", "BatchGetResourceConfig")],
            ("dynamodb", "BatchGetItem"): [t("ThrottlingException", "BatchGetItem")],
            ("securityhub", "BatchImportFindings"): [t("TooManyRequestsException", "BatchImportFindings", status=429),
                                                     t("LimitExceededException", "BatchImportFindings", status=429)],
            ("firehose", "PutRecord"): [t("ServiceUnavailableException", "PutRecord", status=503)],
        }
        result, log = self.run_event(EVENTS["sample"])
        self.assertEqual(result["outcome"], "sent")
        self.assertEqual(log["retries"], 7)
        self.assertEqual(len(self.sleeps), 7)
        self.assertEqual(len(self.wire.records), 1)
        self.assertEqual(len(self.findings()), 1)
        self.assertEqual(self.wire.count("securityhub", "BatchImportFindings"), 3)

    def test_throttling_without_end_raises(self):
        self.wire.failures[("firehose", "PutRecord")] = [
            _client_error("ServiceUnavailableException", "PutRecord", status=503)] * index.MAX_ATTEMPTS
        err, log = self.run_failing(EVENTS["sample"], ClientError)
        self.assertEqual(log["outcome"], "error")
        self.assertEqual(self.wire.count("firehose", "PutRecord"), index.MAX_ATTEMPTS)
        self.assertEqual(self.wire.records, [])

    def test_dynamodb_access_denied_goes_to_dlq(self):
        self.wire.failures[("dynamodb", "GetItem")] = [_client_error(
            "AccessDeniedException", "GetItem",
            "User: arn:aws:sts::111122223333:assumed-role/hardengen-detective-reader/x is not authorized")]
        err, log = self.run_failing(EVENTS["sample"], ClientError)
        self.assertEqual(err.response["Error"]["Code"], "AccessDeniedException")
        self.assertEqual(self.wire.count("dynamodb", "GetItem"), 1)      # not retried
        self.assertEqual((self.wire.records, self.wire.findings), ([], []))
        self.assertEqual(log["outcome"], "error")
        self.assertIn("AccessDeniedException", log["error"])

    def test_rule_metadata_bad_values_fall_back(self):
        self.central_ddb.put_item(TableName="hardengen-config-rules", Item={
            "rule": {"S": "odd-rule"}, "severity": {"S": "SEVERE"}, "route": {"S": "splunk"},
            "enabled": {"S": "yes"}, "title": {"S": "  "}, "frameworks": {"M": {"cis-1.4": {"N": "3"}}}})
        meta = index.rule_metadata("odd-rule")
        self.assertEqual((meta["severity"], meta["route"], meta["enabled"], meta["title"]),
                         ("MEDIUM", ["splunk", "securityhub"], True, "odd-rule"))
        self.assertEqual(meta["frameworks"], {"cis-1.4": "3"})
        self.assertFalse(meta["missing"])
        self.assertEqual(len(meta["warnings"]), 3)
        meta = index.rule_metadata("restricted-ssh")
        self.assertEqual((meta["severity"], meta["route"], meta["warnings"]), ("HIGH", ["securityhub"], []))

    def _enforce_iam(self):
        """From here on moto checks every request against IAM: the function
        runs as a member-account user allowed everything, and reads the
        tables only with what the reader role's policy grants."""
        iam = boto3.client("iam")
        iam.create_user(UserName="detective-function")
        iam.put_user_policy(UserName="detective-function", PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="detective-function")["AccessKey"]
        env = mock.patch.dict(os.environ, {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
                                           "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]})
        env.start()
        self.addCleanup(env.stop)
        for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            token = mock.patch.dict(os.environ)
            token.start()
            self.addCleanup(token.stop)
            os.environ.pop(name, None)
        boto3.DEFAULT_SESSION = None       # credentials are read again
        index.reset()
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin
        for target, attr in ((settings, "INITIAL_NO_AUTH_ACTION_COUNT"),
                             (ActionAuthenticatorMixin, "request_count")):
            patch = mock.patch.object(target, attr, 0)
            patch.start()
            self.addCleanup(patch.stop)

    def test_reader_role_policy_is_enough(self):
        self._enforce_iam()
        result, log = self.run_event(event("sample", resource_id="hg-tagged-bucket"))
        self.assertEqual(result["outcome"], "sent")
        self.assertIsNotNone(log["decisions"]["exception"])

    def test_reader_role_denied_by_iam_goes_to_dlq(self):
        self._enforce_iam()
        role = "arn:aws:iam::%s:role/hardengen-detective-query-only" % CENTRAL
        with mock.patch.dict(os.environ, {"READER_ROLE_ARN": role}):
            err, log = self.run_failing(EVENTS["sample"], ClientError)
        # moto answers a JSON protocol's denial in XML: botocore sees code "403".
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertIn("not authorized to perform: dynamodb:GetItem", str(err))
        self.assertEqual(err.operation_name, "GetItem")
        self.assertEqual(self.wire.count("dynamodb", "GetItem"), 1)      # not retried
        self.assertEqual((self.wire.records, self.wire.findings), ([], []))
        self.assertEqual(log["outcome"], "error")

    def test_securityhub_rejection_raises_before_firehose(self):
        self.wire.responses[("securityhub", "BatchImportFindings")] = {
            "FailedCount": 1, "SuccessCount": 0,
            "FailedFindings": [{"Id": "x", "ErrorCode": "InvalidAccess", "ErrorMessage": "hub not enabled"}]}
        err, log = self.run_failing(EVENTS["sample"], RuntimeError)
        self.assertIn("InvalidAccess", str(err))
        self.assertEqual(self.wire.records, [])     # nothing half sent

    def test_over_limit_title_and_description(self):
        self.run_event(event("sample", rule="long-text-rule"))
        f = self.wire.findings[0]
        self.assertEqual(len(f["Title"]), 256)
        self.assertEqual(len(f["Description"]), 1024)
        self.assertTrue(f["Title"].endswith(index.TRUNCATED))
        self.assertTrue(f["Description"].endswith(index.TRUNCATED))
        self.assertEqual(f["Severity"]["Label"], "CRITICAL")
        self.assertEqual(len(self.findings()), 1)

    def test_over_limit_ids(self):
        long_id = "x" * 700
        result, _ = self.run_event(event("unrecorded-type", resource_id=long_id))
        f = self.wire.findings[0]
        self.assertEqual(len(f["Id"]), 512)
        self.assertLessEqual(len(f["Resources"][0]["Id"]), 512)
        result2, _ = self.run_event(event("unrecorded-type", resource_id=long_id + "y"))
        self.assertNotEqual(result["finding_id"], result2["finding_id"])

    def test_every_fixture_finding_passes_validation(self):
        names = {"sample": {}, "compliant-after": {}, "no-account": {},
                 "security-group": {"resource_id": self.sg}, "unrecorded-type": {}}
        for name, change in names.items():
            self.run_event(event(name, **change))
        for rid in ("hg-excepted-bucket", "hg-tagged-bucket", "hg-expired-bucket"):
            self.run_event(event("sample", resource_id=rid))
        self.run_event(event("sample", rule="long-text-rule"))
        self.assertEqual(len(self.wire.findings), 9)
        # assert_findings_valid runs in tearDown; check one bad finding is caught.
        bad = dict(self.wire.findings[0], Title="", Resources=[])
        self.assertTrue(asff_problems(bad))

    def test_ignored_events_are_logged(self):
        for name in ("configuration-item-change", "evaluation-started"):
            result, log = self.run_event(EVENTS[name])
            self.assertEqual(result["outcome"], "ignored")
            self.assertEqual(log["outcome"], "ignored")
            self.assertIn("ComplianceChangeNotification", log["reason"])
        self.assertEqual(self.wire.calls, [])

    def test_role_session_cached_and_refreshed(self):
        self.run_event(EVENTS["sample"])
        self.run_event(event("sample", resource_id="hg-excepted-bucket"))
        self.assertEqual(self.wire.count("sts", "AssumeRole"), 1)
        self.assertEqual(self.wire.count("dynamodb", "GetItem"), 1)   # the rule's item is cached
        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=56)
        with mock.patch.object(index, "_now", lambda: later):
            self.run_event(EVENTS["sample"])
        self.assertEqual(self.wire.count("sts", "AssumeRole"), 2)

    def test_switches_off(self):
        with mock.patch.dict(os.environ, {"SECURITYHUB": "false", "FIREHOSE_STREAM": ""}):
            result, log = self.run_event(EVENTS["sample"])
        self.assertEqual(result["outcome"], "nothing-to-send")
        self.assertEqual((log["decisions"]["splunk"], log["decisions"]["securityhub"]), ("off", "off"))
        self.assertEqual((self.wire.records, self.wire.findings), ([], []))


# -------------------------------------------------------------- the runner

class LineResult(unittest.TextTestResult):
    """PASS/FAIL/SKIP lines in the tests/sh/lib.sh convention."""

    def _name(self, test):
        return "detective_lambda." + test.id().split(".")[-1]

    def addSuccess(self, test):
        super().addSuccess(test)
        print("PASS " + self._name(test), flush=True)

    def _bad(self, test, err):
        text = self._exc_info_to_string(err, test).rstrip().splitlines()
        first = (str(err[1]).strip().splitlines() or [err[0].__name__])[0]
        print("FAIL %s: %s: %s" % (self._name(test), err[0].__name__, first[:200]), flush=True)
        for line in text[-12:]:
            print("     also " + line, flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._bad(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._bad(test, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print("SKIP %s: %s" % (self._name(test), reason), flush=True)


if __name__ == "__main__":
    if "--lines" in sys.argv:
        sys.argv.remove("--lines")
        suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
        runner = unittest.TextTestRunner(stream=io.StringIO(), resultclass=LineResult, verbosity=0)
        sys.exit(0 if runner.run(suite).wasSuccessful() else 1)
    unittest.main()
