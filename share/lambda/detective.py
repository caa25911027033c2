"""hardengen detective controls: the processing Lambda (SPEC.md section 11).

One AWS Config compliance change in (an EventBridge event of detail-type
"Config Rules Compliance Change"), at most one Splunk HEC event (through the
Firehose stream) and one ASFF finding (Security Hub) out.

Per event, in this order, each step a function of its own:
  extract          the fields of the event; anything that is not a
                   ComplianceChangeNotification is ignored (and logged);
  rule_metadata    the rule's item in the central rules table, read with the
                   reader role (session cached for the container's life and
                   refreshed before it expires); no item -> defaults and
                   `metadata: "missing"`; `enabled: false` drops the event;
  resource_info    name, ARN, tags and status from AWS Config;
  find_exception   exceptions by ARN and by tag, for the rule or "*", valid
                   at the evaluation's time; the first match wins;
  hec_event        the Splunk HEC event with its index-time fields;
  asff_finding     the Security Hub finding, ASFF limits enforced here.
Sends happen only after every read succeeded: Security Hub first (a replay
carries the same Id and UpdatedAt, which Security Hub ignores), Firehose
last (the record is byte-identical on a replay). Throttling is retried with
a bounded backoff; any other failure raises, so the Lambda's own retries and
then its dead-letter queue take the event. One JSON log line per event.

Shipped as share/lambda/detective.py and inlined by hardengen into the
function's Code.ZipFile, where it runs as module `index`, handler
`index.handler`: it must stay one file with only the standard library and
the boto3 of the python3.12 runtime.
"""

import datetime
import hashlib
import json
import os
import random
import time

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError, HTTPClientError

ASFF_SCHEMA = "2018-10-08"
SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
ROUTES = ("splunk", "securityhub")
DEFAULT_SEVERITY = "MEDIUM"
MESSAGE_TYPE = "ComplianceChangeNotification"
DETAIL_TYPE = "Config Rules Compliance Change"
CONFIG_TYPE = "Software and Configuration Checks/AWS Config Analysis"
STANDARDS = "Software and Configuration Checks/Industry and Regulatory Standards/"
PF = "hardengen/detective/"        # ProductFields prefix (company/product/field)

# ASFF limits (botocore model and the Security Hub user guide); enforced here
# because neither botocore nor moto checks the maximums.
MAX_TITLE = 256
MAX_DESCRIPTION = 1024
MAX_ID = 512
MAX_RESOURCES = 32
MAX_TYPES = 50
MAX_REQUIREMENTS = 32
MAX_MAP_PAIRS = 50
MAX_MAP_KEY = 128
MAX_PRODUCT_FIELD = 2048
MAX_OTHER_VALUE = 1023
MAX_TAG_VALUE = 256
MAX_SEVERITY_ORIGINAL = 64
TRUNCATED = "...[truncated]"

# Retries: error codes that mean "slow down" or "try again", per service
# (DynamoDB, STS, Config, Security Hub's LimitExceededException, Firehose's
# ServiceUnavailableException) and 5xx. Bounded: MAX_ATTEMPTS calls with a
# capped exponential backoff, well inside the function's timeout.
RETRY_CODES = frozenset((
    "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "RequestThrottled", "RequestThrottledException", "SlowDown", "LimitExceededException",
    "ServiceUnavailableException", "ServiceUnavailable", "InternalServerError",
    "InternalFailure", "InternalException", "InternalServerException",
))
MAX_ATTEMPTS = 5
BASE_DELAY = 0.2
MAX_DELAY = 3.0

SESSION_REFRESH = datetime.timedelta(minutes=5)   # renew the reader role this early
SESSION_SECONDS = 3600
METADATA_TTL = 300.0                              # seconds a rule's item is reused

# Config resource type -> ASFF resource type; anything else is "Other".
ASFF_TYPES = {
    "AWS::S3::Bucket": "AwsS3Bucket",
    "AWS::EC2::SecurityGroup": "AwsEc2SecurityGroup",
    "AWS::EC2::Instance": "AwsEc2Instance",
    "AWS::EC2::Volume": "AwsEc2Volume",
    "AWS::EC2::VPC": "AwsEc2Vpc",
    "AWS::EC2::Subnet": "AwsEc2Subnet",
    "AWS::EC2::NetworkAcl": "AwsEc2NetworkAcl",
    "AWS::EC2::EIP": "AwsEc2Eip",
    "AWS::IAM::User": "AwsIamUser",
    "AWS::IAM::Role": "AwsIamRole",
    "AWS::IAM::Group": "AwsIamGroup",
    "AWS::IAM::Policy": "AwsIamPolicy",
    "AWS::KMS::Key": "AwsKmsKey",
    "AWS::Lambda::Function": "AwsLambdaFunction",
    "AWS::RDS::DBInstance": "AwsRdsDbInstance",
    "AWS::RDS::DBCluster": "AwsRdsDbCluster",
    "AWS::RDS::DBSnapshot": "AwsRdsDbSnapshot",
    "AWS::CloudTrail::Trail": "AwsCloudTrailTrail",
    "AWS::DynamoDB::Table": "AwsDynamoDbTable",
    "AWS::SNS::Topic": "AwsSnsTopic",
    "AWS::SQS::Queue": "AwsSqsQueue",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "AwsElbv2LoadBalancer",
    "AWS::SecretsManager::Secret": "AwsSecretsManagerSecret",
    "AWS::ECR::Repository": "AwsEcrRepository",
    "AWS::EKS::Cluster": "AwsEksCluster",
}

# Framework key prefix (rule metadata `frameworks`) -> ASFF Types classifier.
FRAMEWORK_TYPES = (
    ("cis", "CIS AWS Foundations Benchmark"),
    ("pci", "PCI-DSS"),
    ("nist-800-53", "NIST 800-53 Controls (USA)"),
    ("nist-csf", "NIST CSF Controls (USA)"),
    ("hipaa", "HIPAA Controls (USA)"),
    ("iso-27001", "ISO 27001 Controls"),
    ("soc2", "SOC 2"),
    ("soc-2", "SOC 2"),
    ("fsbp", "AWS-Foundational-Security-Best-Practices"),
)

_state = {"expires": None, "ddb": None, "clients": {}, "metadata": {}}
_retries = [0]
_sleep = time.sleep          # replaced by the tests
_clock = time.monotonic      # replaced by the tests


def _now():
    """The wall clock, UTC (replaced by the tests)."""
    return datetime.datetime.now(datetime.timezone.utc)


def reset():
    """Forget the cached session, clients and rule items (a cold start)."""
    _state.update(expires=None, ddb=None, clients={}, metadata={})


class Ignored(Exception):
    """The event is not one this function handles; not an error."""


# ------------------------------------------------------ clients, retries, text

def _env(name, default=""):
    return os.environ.get(name, default)


def _boto_config():
    # One retry policy, ours (call()), instead of two stacked ones.
    return Config(retries={"mode": "standard", "total_max_attempts": 1},
                  connect_timeout=5, read_timeout=20)


def _client(service, region=None):
    region = region or _env("AWS_REGION") or _env("AWS_DEFAULT_REGION") or None
    key = (service, region)
    if key not in _state["clients"]:
        _state["clients"][key] = boto3.client(service, region_name=region, config=_boto_config())
    return _state["clients"][key]


def call(fn, **kwargs):
    """Call a boto3 operation; retry throttling and 5xx with a bounded,
    jittered backoff; re-raise anything else (and the last failure)."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return fn(**kwargs)
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            if attempt == MAX_ATTEMPTS or (code not in RETRY_CODES and status < 500):
                raise
        except (BotoConnectionError, HTTPClientError):
            if attempt == MAX_ATTEMPTS:
                raise
        _retries[0] += 1
        delay = min(MAX_DELAY, BASE_DELAY * (2 ** (attempt - 1)))
        _sleep(delay / 2 + random.random() * delay / 2)
    raise AssertionError("unreachable")


def parse_time(text):
    """ISO 8601 (Config's "2024-05-01T09:59:59.000Z") -> aware datetime, or None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def iso(value):
    """Aware datetime -> "2024-05-01T09:59:59.000Z" (ASFF timestamps)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (value.microsecond // 1000)


def truncate(text, limit):
    """At most `limit` characters; a cut string ends with TRUNCATED."""
    text = str(text)
    if len(text) <= limit:
        return text
    return text[:limit - len(TRUNCATED)] + TRUNCATED


def cap_id(text, limit=MAX_ID):
    """An identifier of at most `limit` characters that stays unique and
    stable: a cut one ends with '#' and 16 hex digits of the full one's SHA-256."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return text[:limit - 17] + "#" + digest


def _field_map(pairs, value_limit):
    """An ASFF FieldMap: non-empty keys and values, at most 50 pairs."""
    out = {}
    for key in sorted(pairs):
        value = pairs[key]
        if value is None or str(value).strip() == "" or str(key).strip() == "":
            continue
        if len(out) == MAX_MAP_PAIRS:
            break
        out[truncate(key, MAX_MAP_KEY)] = truncate(value, value_limit)
    return out


def _partition(arn, region):
    if isinstance(arn, str) and arn.startswith("arn:") and arn.count(":") >= 2:
        return arn.split(":")[1]
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


# ------------------------------------------------------------ 1. extract

def extract(event):
    """The fields of a Config compliance change event; raises Ignored for
    anything else and ValueError for a compliance change missing a field."""
    if not isinstance(event, dict):
        raise Ignored("the event is not a JSON object")
    detail = event.get("detail")
    if event.get("source") != "aws.config" or not isinstance(detail, dict):
        raise Ignored("source %r is not aws.config" % (event.get("source"),))
    if detail.get("messageType") != MESSAGE_TYPE:
        raise Ignored("%r (%s) is not a %s" % (event.get("detail-type"),
                                               detail.get("messageType"), MESSAGE_TYPE))
    new = detail.get("newEvaluationResult") or {}
    old = detail.get("oldEvaluationResult") or {}
    qualifier = (new.get("evaluationResultIdentifier") or {}).get("evaluationResultQualifier") or {}
    fields = {
        "event_id": event.get("id") or "",
        # EventBridge may deliver the envelope without `account`.
        "account": event.get("account") or detail.get("awsAccountId") or "",
        "region": detail.get("awsRegion") or event.get("region") or "",
        "rule": detail.get("configRuleName") or qualifier.get("configRuleName") or "",
        "rule_arn": detail.get("configRuleARN") or "",
        "resource_type": detail.get("resourceType") or qualifier.get("resourceType") or "",
        "resource_id": detail.get("resourceId") or qualifier.get("resourceId") or "",
        "compliance": new.get("complianceType") or "",
        "previous": old.get("complianceType"),
        "annotation": new.get("annotation") or "",
    }
    missing = [k for k in ("account", "region", "rule", "resource_type", "resource_id",
                           "compliance") if not fields[k]]
    if missing:
        raise ValueError("compliance change without %s" % ", ".join(missing))
    when = (parse_time(new.get("resultRecordedTime")) or parse_time(detail.get("notificationCreationTime"))
            or parse_time(event.get("time")))
    if when is None:
        raise ValueError("compliance change without a usable evaluation time")
    fields["time"] = when
    return fields


# ------------------------------------------------------- 2. rule metadata

def _reader():
    """DynamoDB client for the central tables, through the reader role. The
    role's credentials live for the container and are renewed SESSION_REFRESH
    before they expire."""
    now = _now()
    if _state["ddb"] is not None and (_state["expires"] is None or _state["expires"] - now > SESSION_REFRESH):
        return _state["ddb"]
    region = _env("CENTRAL_REGION") or None
    role = _env("READER_ROLE_ARN")
    if role:
        creds = call(_client("sts").assume_role, RoleArn=role, RoleSessionName="hardengen-detective",
                     DurationSeconds=SESSION_SECONDS)["Credentials"]
        keys = {"aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"]}
        expires = creds["Expiration"]
        if isinstance(expires, str):
            expires = parse_time(expires)
        elif expires.tzinfo is None:
            expires = expires.replace(tzinfo=datetime.timezone.utc)
    else:
        keys, expires = {}, None
    # The default session's client factory: the service model is loaded once.
    _state.update(expires=expires, metadata={},
                  ddb=boto3.client("dynamodb", region_name=region, config=_boto_config(), **keys))
    return _state["ddb"]


def _plain(item):
    des = TypeDeserializer()
    return {k: des.deserialize(v) for k, v in item.items()}


def rule_metadata(rule):
    """The rule's metadata with defaults filled in. A rule without an item
    gets severity MEDIUM, both routes, enabled, its name as title, and
    `missing: True`; bad values fall back too and say so in `warnings`."""
    cached = _state["metadata"].get(rule)
    if cached is not None and _clock() - cached[0] < METADATA_TTL:
        return dict(cached[1])
    ddb = _reader()
    resp = call(ddb.get_item, TableName=_env("RULES_TABLE", "hardengen-config-rules"),
                Key={"rule": {"S": rule}})
    item = _plain(resp.get("Item") or {})
    meta = {"rule": rule, "severity": DEFAULT_SEVERITY, "title": rule, "description": "",
            "frameworks": {}, "route": list(ROUTES), "enabled": True,
            "missing": not item, "warnings": []}
    if not item:
        meta["warnings"].append("no metadata for rule %s: defaults used" % rule)
    severity = item.get("severity", DEFAULT_SEVERITY)
    if severity in SEVERITIES:
        meta["severity"] = severity
    else:
        meta["warnings"].append("severity %r is not a label: %s used" % (severity, DEFAULT_SEVERITY))
    if isinstance(item.get("title"), str) and item["title"].strip():
        meta["title"] = item["title"]
    if isinstance(item.get("description"), str):
        meta["description"] = item["description"]
    if isinstance(item.get("frameworks"), dict):
        meta["frameworks"] = {str(k): str(v) for k, v in item["frameworks"].items()}
    if "route" in item:
        route = item["route"]
        if isinstance(route, (list, set)) and all(r in ROUTES for r in route):
            meta["route"] = [r for r in ROUTES if r in route]
        else:
            meta["warnings"].append("route %r is not a list of %s: both used" % (route, "/".join(ROUTES)))
    if "enabled" in item:
        if isinstance(item["enabled"], bool):
            meta["enabled"] = item["enabled"]
        else:
            meta["warnings"].append("enabled is not a boolean: true used")
    _state["metadata"][rule] = (_clock(), meta)
    return dict(meta)


# ------------------------------------------------------------ 3. resource

def derive_arn(rtype, rid, partition, region, account):
    """The ARN of a resource Config no longer describes, where it can be
    built from the type and id alone; None otherwise."""
    if rtype == "AWS::S3::Bucket":
        return "arn:%s:s3:::%s" % (partition, rid)
    if rtype == "AWS::EC2::SecurityGroup":
        return "arn:%s:ec2:%s:%s:security-group/%s" % (partition, region, account, rid)
    if rtype == "AWS::EC2::Instance":
        return "arn:%s:ec2:%s:%s:instance/%s" % (partition, region, account, rid)
    if rtype == "AWS::EC2::Volume":
        return "arn:%s:ec2:%s:%s:volume/%s" % (partition, region, account, rid)
    if isinstance(rid, str) and rid.startswith("arn:"):
        return rid
    return None


def resource_info(fields):
    """Name, ARN, tags and status of the evaluated resource from AWS Config.
    status: "ok"; "deleted" (Config recorded its deletion); "not-found"
    (Config returns no item: deleted before it was described, or a type it
    does not record). BatchGetResourceConfig gives the current item; its
    items carry no tags, so they come from GetResourceConfigHistory."""
    config = _client("config")
    rtype, rid = fields["resource_type"], fields["resource_id"]
    partition = _partition(fields["rule_arn"], fields["region"])
    info = {"type": rtype, "id": rid, "name": rid, "arn": None, "tags": {}, "status": "not-found"}
    try:
        resp = call(config.batch_get_resource_config,
                    resourceKeys=[{"resourceType": rtype, "resourceId": rid}])
        items = resp.get("baseConfigurationItems") or []
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ValidationException":
            raise
        items = []                    # a resource type Config does not describe
    if items:
        item = items[0]
        info["name"] = item.get("resourceName") or rid
        info["arn"] = item.get("arn") or None
        status = item.get("configurationItemStatus") or "OK"
        info["status"] = "deleted" if status.startswith("ResourceDeleted") else "ok"
        try:
            history = call(config.get_resource_config_history, resourceType=rtype,
                           resourceId=rid, limit=2)
            # Newest first. A deletion's item has no tags: the one before it
            # has the resource's last tags. Otherwise the newest item's tags
            # are the tags, even when empty (older ones may be stale).
            for ci in history.get("configurationItems") or []:
                if str(ci.get("configurationItemStatus", "")).startswith("ResourceDeleted"):
                    continue
                info["tags"] = {k: "" if v is None else str(v) for k, v in (ci.get("tags") or {}).items()}
                break
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") != "ResourceNotDiscoveredException":
                raise
    if not info["arn"]:
        info["arn"] = derive_arn(rtype, rid, partition, fields["region"], fields["account"])
    return info


# ---------------------------------------------------------- 4. exceptions

def exception_keys(rule, resource):
    """The exception table keys to look up, in priority order: this rule
    before "*", the ARN before tags, tags by key."""
    matches = []
    if resource.get("arn"):
        matches.append("arn:" + resource["arn"])
    for key in sorted(resource.get("tags") or {}):
        matches.append("tag:%s=%s" % (key, resource["tags"][key]))
    return [(r, m) for r in (rule, "*") for m in matches]


def exception_valid(item, at):
    """True when `expires` (YYYY-MM-DD, valid through that day UTC) is not
    past at the time `at`."""
    try:
        day = datetime.date.fromisoformat(str(item.get("expires", "")))
    except ValueError:
        return False
    end = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc) + datetime.timedelta(days=1)
    return at < end


def find_exception(rule, resource, at):
    """(the first valid exception or None, the matching ones that were
    skipped as expired). Reads with BatchGetItem, 100 keys a call."""
    keys = exception_keys(rule, resource)
    if not keys:
        return None, []
    ddb = _reader()
    table = _env("EXCEPTIONS_TABLE", "hardengen-exceptions")
    found = {}
    for start in range(0, len(keys), 100):
        request = {table: {"Keys": [{"rule": {"S": r}, "match": {"S": m}} for r, m in keys[start:start + 100]]}}
        for _ in range(MAX_ATTEMPTS):
            resp = call(ddb.batch_get_item, RequestItems=request)
            for item in resp.get("Responses", {}).get(table, []):
                plain = _plain(item)
                found[(plain.get("rule"), plain.get("match"))] = plain
            request = resp.get("UnprocessedKeys") or {}
            if not request:
                break
            _retries[0] += 1
            _sleep(BASE_DELAY)
        if request:
            raise RuntimeError("DynamoDB left %d exception keys unprocessed" % len(request[table]["Keys"]))
    skipped = []
    for key in keys:
        item = found.get(key)
        if item is None:
            continue
        if exception_valid(item, at):
            return item, skipped
        skipped.append({"rule": key[0], "match": key[1], "expires": str(item.get("expires", ""))})
    return None, skipped


# --------------------------------------------------------------- 5. Splunk

def hec_event(fields, meta, resource, exception, severity):
    """The HEC event (Splunk's /services/collector/event shape) put to Firehose."""
    index_fields = {}
    try:
        profile_fields = json.loads(_env("SPLUNK_FIELDS") or "{}")
    except ValueError:
        profile_fields = {}
    if isinstance(profile_fields, dict):
        for key, value in profile_fields.items():
            index_fields[str(key)] = value if isinstance(value, str) else json.dumps(value)
    # Ours are facts about the event: a profile field cannot override them.
    ours = {"account_id": fields["account"], "account_name": _env("ACCOUNT_NAME"),
            "org_id": _env("ORG_ID"), "env": _env("ENV_NAME")}
    index_fields.update({k: v for k, v in ours.items() if v})
    index_fields = {k: v for k, v in index_fields.items() if v != ""}
    body = {
        "event_id": fields["event_id"],
        "time": iso(fields["time"]),
        "account_id": fields["account"],
        "account_name": _env("ACCOUNT_NAME"),
        "region": fields["region"],
        "rule": fields["rule"],
        "rule_arn": fields["rule_arn"],
        "title": meta["title"],
        "compliance": fields["compliance"],
        "previous_compliance": fields["previous"],
        "annotation": fields["annotation"],
        "severity": severity,
        "rule_severity": meta["severity"],
        "frameworks": meta["frameworks"],
        "resource": {"type": resource["type"], "id": resource["id"], "name": resource["name"],
                     "arn": resource["arn"], "tags": resource["tags"], "status": resource["status"]},
        "excepted": exception is not None,
        "exception": _exception_summary(exception),
    }
    if meta["missing"]:
        body["metadata"] = "missing"
    return {
        "time": round(fields["time"].timestamp(), 3),
        "host": fields["account"],
        "source": _env("SPLUNK_SOURCE") or "hardengen:detective",
        "sourcetype": _env("SPLUNK_SOURCETYPE") or "aws:config:compliance",
        "event": body,
        "fields": index_fields,
    }


def hec_record(hec):
    """The Firehose record: deterministic bytes, so a replay is identical."""
    return (json.dumps(hec, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def _exception_summary(exception):
    if exception is None:
        return None
    return {k: str(exception.get(k, "")) for k in ("rule", "match", "reason", "approved_by", "expires", "source")}


# --------------------------------------------------------- 6. Security Hub

def finding_id(fields):
    """Stable per account/Region/rule/resource type/resource id."""
    return cap_id("hardengen/%s/%s/%s/%s/%s" % (fields["account"], fields["region"], fields["rule"],
                                                fields["resource_type"], fields["resource_id"]))


def effective_severity(meta, compliance, exception):
    """The rule's severity for a failure; INFORMATIONAL when excepted or not failed."""
    if compliance == "NON_COMPLIANT" and exception is None:
        return meta["severity"]
    return "INFORMATIONAL"


def finding_types(meta):
    types = [CONFIG_TYPE]
    for key in sorted(meta["frameworks"]):
        for prefix, classifier in FRAMEWORK_TYPES:
            if key.lower().startswith(prefix) and STANDARDS + classifier not in types:
                types.append(STANDARDS + classifier)
    return types[:MAX_TYPES]


def asff_finding(fields, meta, resource, exception, severity):
    """The ASFF finding for BatchImportFindings, within ASFF's limits."""
    account, region = fields["account"], fields["region"]
    partition = _partition(fields["rule_arn"], region)
    when = iso(fields["time"])
    compliance = fields["compliance"]
    status = {"NON_COMPLIANT": "FAILED", "COMPLIANT": "PASSED",
              "INSUFFICIENT_DATA": "WARNING"}.get(compliance, "NOT_AVAILABLE")
    archived = compliance in ("COMPLIANT", "NOT_APPLICABLE") or resource["status"] == "deleted"

    text = meta["description"].strip() or "AWS Config rule %s evaluated %s %s as %s." % (
        fields["rule"], resource["type"], resource["id"], compliance)
    if fields["annotation"]:
        text += " Config: " + fields["annotation"]
    if exception is not None:
        # First, so that truncation never cuts the exception's details.
        text = "Excepted until %s (approved by %s): %s. %s" % (
            exception.get("expires", ""), exception.get("approved_by", ""), exception.get("reason", ""), text)

    res = {"Type": ASFF_TYPES.get(resource["type"], "Other"),
           "Id": cap_id(resource["arn"] or resource["id"]),
           "Region": region,
           "Details": {"Other": _field_map({"ConfigResourceType": resource["type"],
                                            "ConfigResourceId": resource["id"],
                                            "ConfigResourceName": resource["name"],
                                            "ConfigStatus": resource["status"]}, MAX_OTHER_VALUE)}}
    if partition in ("aws", "aws-cn", "aws-us-gov"):
        res["Partition"] = partition
    tags = _field_map(resource["tags"], MAX_TAG_VALUE)
    if tags:
        res["Tags"] = tags

    product = {"Rule": fields["rule"], "RuleSeverity": meta["severity"],
               "ComplianceType": compliance, "Excepted": "true" if exception else "false",
               "Env": _env("ENV_NAME"), "EventId": fields["event_id"]}
    if meta["missing"]:
        product["Metadata"] = "missing"
    if exception is not None:
        product.update({"ExceptionReason": exception.get("reason"),
                        "ExceptionApprovedBy": exception.get("approved_by"),
                        "ExceptionExpires": exception.get("expires"),
                        "ExceptionMatch": "%s %s" % (exception.get("rule"), exception.get("match")),
                        "ExceptionSource": exception.get("source")})
    types = finding_types(meta)
    sev = {"Label": severity, "Original": truncate(meta["severity"], MAX_SEVERITY_ORIGINAL)}
    finding = {
        "SchemaVersion": ASFF_SCHEMA,
        "Id": finding_id(fields),
        "ProductArn": "arn:%s:securityhub:%s:%s:product/%s/default" % (partition, region, account, account),
        "GeneratorId": cap_id(fields["rule"]),
        "AwsAccountId": account,
        "Types": types,
        # Deterministic: the evaluation's time. A later evaluation of the
        # same resource is recorded later, so its UpdatedAt is newer; a
        # replayed event carries the same one and Security Hub ignores it.
        "CreatedAt": when,
        "UpdatedAt": when,
        "LastObservedAt": when,
        "Severity": dict(sev),
        "FindingProviderFields": {"Severity": dict(sev), "Types": list(types)},
        "Title": truncate(meta["title"], MAX_TITLE),
        "Description": truncate(text, MAX_DESCRIPTION),
        "Resources": [res][:MAX_RESOURCES],
        "Compliance": {"Status": status},
        "ProductFields": _field_map({PF + k: v for k, v in product.items()}, MAX_PRODUCT_FIELD),
        "RecordState": "ARCHIVED" if archived else "ACTIVE",
    }
    requirements = ["%s %s" % (k, meta["frameworks"][k]) for k in sorted(meta["frameworks"])]
    if requirements:
        finding["Compliance"]["RelatedRequirements"] = requirements[:MAX_REQUIREMENTS]
    return finding


def send_finding(finding):
    resp = call(_client("securityhub").batch_import_findings, Findings=[finding])
    failed = resp.get("FailedFindings") or []
    if resp.get("FailedCount") or failed:
        first = failed[0] if failed else {}
        raise RuntimeError("Security Hub rejected finding %s: %s: %s" % (
            finding["Id"], first.get("ErrorCode"), first.get("ErrorMessage")))


def send_record(record):
    call(_client("firehose").put_record, DeliveryStreamName=_env("FIREHOSE_STREAM"),
         Record={"Data": record})


# ------------------------------------------------------------- the handler

def process(event, log):
    """Run the steps for one event, filling `log` with the decisions."""
    fields = extract(event)
    log.update(rule=fields["rule"], account=fields["account"], region=fields["region"],
               compliance=fields["compliance"],
               resource={"type": fields["resource_type"], "id": fields["resource_id"]})
    meta = rule_metadata(fields["rule"])
    decisions = log["decisions"]
    decisions["metadata"] = "missing" if meta["missing"] else "found"
    if meta["missing"]:
        log["metadata"] = "missing"
    if meta["warnings"]:
        log["warnings"] = meta["warnings"]
    if not meta["enabled"]:
        decisions["enabled"] = False
        log["outcome"] = "dropped"
        log["reason"] = "rule %s is disabled" % fields["rule"]
        return {"outcome": "dropped"}
    resource = resource_info(fields)
    log["resource"].update(arn=resource["arn"], name=resource["name"], status=resource["status"],
                           tag_count=len(resource["tags"]))
    exception, skipped = find_exception(fields["rule"], resource, fields["time"])
    decisions["exception"] = _exception_summary(exception)
    if skipped:
        decisions["expired_exceptions"] = skipped
    severity = effective_severity(meta, fields["compliance"], exception)
    decisions["severity"] = severity
    decisions["route"] = meta["route"]

    want_sh = "securityhub" in meta["route"]
    want_splunk = "splunk" in meta["route"]
    finding = record = None
    if want_sh and _env("SECURITYHUB", "true").lower() == "true":
        finding = asff_finding(fields, meta, resource, exception, severity)
    if want_splunk and _env("FIREHOSE_STREAM"):
        record = hec_record(hec_event(fields, meta, resource, exception, severity))
    decisions["securityhub"] = "send" if finding else ("off" if want_sh else "not-routed")
    decisions["splunk"] = "send" if record else ("off" if want_splunk else "not-routed")

    result = {"outcome": "sent"}
    if finding is not None:
        send_finding(finding)
        decisions["securityhub"] = "sent"
        log["finding_id"] = finding["Id"]
        log["record_state"] = finding["RecordState"]
        result["finding_id"] = finding["Id"]
    if record is not None:
        send_record(record)
        decisions["splunk"] = "sent"
    log["outcome"] = "sent" if (finding or record) else "nothing-to-send"
    result["outcome"] = log["outcome"]
    return result


def _emit(log):
    print(json.dumps(log, sort_keys=True, separators=(",", ":"), default=str), flush=True)


def handler(event, context=None):
    """Lambda entry point. Returns a small summary; raises on any failure
    other than throttling that retries could not absorb."""
    _retries[0] = 0
    log = {"event_id": event.get("id", "") if isinstance(event, dict) else "", "decisions": {}}
    try:
        result = process(event, log)
    except Ignored as why:
        log["outcome"] = "ignored"
        log["reason"] = str(why)
        result = {"outcome": "ignored"}
    except Exception as err:
        log["outcome"] = "error"
        log["error"] = truncate("%s: %s" % (type(err).__name__, err), 1000)
        if _retries[0]:
            log["retries"] = _retries[0]
        _emit(log)
        raise
    if _retries[0]:
        log["retries"] = _retries[0]
    _emit(log)
    return result
