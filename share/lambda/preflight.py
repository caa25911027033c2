"""hardengen preflight audit: the function behind Custom::HardengenPreflight.

hardengen inlines this file into preflight.global.yaml (Code.ZipFile, so it
runs as index.handler on python3.12 with boto3). CloudFormation invokes it
asynchronously with Create, Update and Delete; every request is answered with
one PUT to its pre-signed ResponseURL, on every code path, because an
unanswered request hangs the stack until ServiceTimeout:

  Create, Update  audit the account; a failed check set to "block" answers
                  FAILED with a reason naming each failed check and its fix
                  (the stack set rolls back before anything else exists); a
                  failed check set to "warn" is reported in Data.Warnings.
  Delete          SUCCESS without calling anything: the audit creates
                  nothing, and CloudFormation sends a Delete after a FAILED
                  Create, which must not fail the rollback.
  anything else   FAILED with the reason (malformed request, unexpected error).

The stack set's own trail, recorder and delivery channel (names passed as
OwnTrail, OwnRecorder, OwnDeliveryChannel) never count against the account,
so updates and re-deploys pass. Every AWS call has short timeouts and few
retries, and no check starts once the remaining time drops below RESERVE_S:
the answer always goes out before the Lambda timeout. The response body is
kept within the 4,096 bytes CloudFormation accepts.

Facts: shared/reference/detective-preflight.md (Module B); doc/preflight.md.
"""
import json
import os
import time
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

PHYSICAL_ID = "hardengen-preflight"
MAX_BODY = 4096            # CloudFormation's limit on a response body
RESERVE_S = 25             # seconds kept for the answer: no check starts later
DEFAULT_BUDGET_S = 60      # without a Lambda context
PUT_TIMEOUT_S = 10
TRAILS_PER_REGION = 5      # CloudTrail quota, cannot be raised
BOTO = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})

# SPEC §10, in its order, with the default levels.
CHECKS = (
    ("config-recorder", "block"),
    ("trail-quota", "block"),
    ("duplicate-trail", "warn"),
    ("root-mfa", "warn"),
    ("root-access-keys", "warn"),
    ("s3-account-public-access-block", "warn"),
    ("ebs-default-encryption", "warn"),
    ("password-policy", "warn"),
)
LEVELS = ("block", "warn", "off")
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess")


class Malformed(Exception):
    """The request cannot be audited as sent."""


class Audit:
    """One run: the request's settings, lazily made clients, the deadline."""

    def __init__(self, props, stack_id, deadline):
        self.props = props
        self.deadline = deadline
        self.region = os.environ.get("AWS_REGION") or boto3.session.Session().region_name or "us-east-1"
        self.account = str(props.get("AccountId") or _account_of(stack_id))
        self.own_trail = str(props.get("OwnTrail") or "")
        self.own_recorder = str(props.get("OwnRecorder") or "")
        self.own_channel = str(props.get("OwnDeliveryChannel") or "")
        self.mode = str(props.get("ConfigMode") or "managed")
        if self.mode not in ("managed", "existing"):
            raise Malformed("ConfigMode %r is not managed or existing" % self.mode)
        self._clients = {}
        self._trails = None
        self._summary = None

    def client(self, name):
        if name not in self._clients:
            self._clients[name] = boto3.client(name, region_name=self.region, config=BOTO)
        return self._clients[name]

    def left(self):
        return self.deadline - time.monotonic()

    def trails(self):
        if self._trails is None:
            self._trails = self.client("cloudtrail").describe_trails(includeShadowTrails=True).get("trailList", [])
        return self._trails

    def is_own_trail(self, t):
        own = self.own_trail
        return bool(own) and (t.get("Name") == own or str(t.get("TrailARN", "")).endswith(":trail/" + own))

    def summary(self):
        if self._summary is None:
            self._summary = self.client("iam").get_account_summary().get("SummaryMap", {})
        return self._summary


def _account_of(stack_id):
    # arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID
    parts = str(stack_id or "").split(":")
    return parts[4] if len(parts) > 5 else ""


def _names(items, key):
    return ", ".join("'%s'" % i.get(key, "?") for i in items)


# ---- the checks: each returns None (passed) or (problem, what to do) ----

def check_config_recorder(a):
    cfg = a.client("config")
    if a.mode == "existing":
        status = cfg.describe_configuration_recorder_status().get("ConfigurationRecordersStatus", [])
        if not status:
            return ("config.mode is existing but this Region has no AWS Config recorder",
                    "create and start one (or let Control Tower do it), or set config.mode: managed")
        if not any(s.get("recording") for s in status):
            return ("config.mode is existing but recorder %s is not recording" % _names(status, "name"),
                    "aws configservice start-configuration-recorder --configuration-recorder-name NAME")
        return None
    recs = [r for r in cfg.describe_configuration_recorders().get("ConfigurationRecorders", [])
            if r.get("name") != a.own_recorder]
    chans = [c for c in cfg.describe_delivery_channels().get("DeliveryChannels", [])
             if c.get("name") != a.own_channel]
    if not recs and not chans:
        return None
    what = []
    if recs:
        what.append("recorder %s" % _names(recs, "name"))
    if chans:
        what.append("delivery channel %s" % _names(chans, "name"))
    return ("another AWS Config %s exists in %s; a Region takes one of each, so the Config stack would fail"
            % (" and ".join(what), a.region),
            "set config.mode: existing in the profile to deploy the rules on it, or delete it")


def check_trail_quota(a):
    home = [t for t in a.trails() if t.get("HomeRegion") == a.region]
    if any(a.is_own_trail(t) for t in home) or len(home) < TRAILS_PER_REGION:
        return None
    return ("%s already has %d trails (%s); CloudTrail allows %d per Region"
            % (a.region, len(home), _names(home, "Name"), TRAILS_PER_REGION),
            "delete a trail you no longer need")


def check_duplicate_trail(a):
    logging = []
    for t in a.trails():
        if not t.get("IsMultiRegionTrail") or a.is_own_trail(t):
            continue
        if a.left() < RESERVE_S:
            raise TimeoutError("out of time while reading trail status")
        st = a.client("cloudtrail").get_trail_status(Name=t.get("TrailARN") or t.get("Name"))
        if st.get("IsLogging"):
            logging.append(t)
    if not logging:
        return None
    return ("multi-Region trail %s already logs; a second one doubles the cost" % _names(logging, "Name"),
            "keep one of them, or accept the cost (duplicate-trail: off)")


def check_root_mfa(a):
    if a.summary().get("AccountMFAEnabled") == 1:
        return None
    return ("the root user has no MFA device", "enable MFA on the root user (IAM console, as root)")


def check_root_access_keys(a):
    if not a.summary().get("AccountAccessKeysPresent"):
        return None
    return ("the root user has access keys", "delete the root user's access keys (IAM console, as root)")


def check_s3_pab(a):
    fix = ("aws s3control put-public-access-block --account-id %s --public-access-block-configuration "
           "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true" % a.account)
    try:
        conf = a.client("s3control").get_public_access_block(AccountId=a.account)["PublicAccessBlockConfiguration"]
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "NoSuchPublicAccessBlockConfiguration":
            return ("account-level S3 Block Public Access is not set", fix)
        raise
    off = [k for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
           if not conf.get(k)]
    if not off:
        return None
    return ("account-level S3 Block Public Access has %s off" % ", ".join(off), fix)


def check_ebs_encryption(a):
    if a.client("ec2").get_ebs_encryption_by_default().get("EbsEncryptionByDefault"):
        return None
    return ("EBS encryption by default is off in %s" % a.region,
            "aws ec2 enable-ebs-encryption-by-default --region %s" % a.region)


def _want_int(pp, key):
    try:
        return int(pp.get(key))
    except (TypeError, ValueError):
        return None


def check_password_policy(a):
    pp = a.props.get("PasswordPolicy") or {}
    if not isinstance(pp, dict):
        raise Malformed("PasswordPolicy is not a map")
    fix = "aws iam update-account-password-policy with the profile's config.rules.iam-password-policy values"
    try:
        pol = a.client("iam").get_account_password_policy()["PasswordPolicy"]
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return ("the account has no IAM password policy", fix)
        raise
    weak = []
    for key in ("MinimumPasswordLength", "PasswordReusePrevention"):
        want = _want_int(pp, key)
        if want is not None and int(pol.get(key) or 0) < want:
            weak.append("%s %s < %d" % (key, pol.get(key, "unset"), want))
    want = _want_int(pp, "MaxPasswordAge")
    have = pol.get("MaxPasswordAge") if pol.get("ExpirePasswords", "MaxPasswordAge" in pol) else None
    if want is not None and (not have or int(have) > want):
        weak.append("MaxPasswordAge %s > %d" % (have or "unset", want))
    for key in ("RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireSymbols", "RequireNumbers"):
        if str(pp.get(key, "false")).lower() == "true" and not pol.get(key):
            weak.append("%s off" % key)
    if not weak:
        return None
    return ("the IAM password policy is weaker than the profile: %s" % ", ".join(weak), fix)


CHECK_FNS = {
    "config-recorder": check_config_recorder,
    "trail-quota": check_trail_quota,
    "duplicate-trail": check_duplicate_trail,
    "root-mfa": check_root_mfa,
    "root-access-keys": check_root_access_keys,
    "s3-account-public-access-block": check_s3_pab,
    "ebs-default-encryption": check_ebs_encryption,
    "password-policy": check_password_policy,
}

# What each check needs from the role, for the reason of an AccessDenied.
CHECK_ACTIONS = {
    "config-recorder": "config:DescribeConfigurationRecorders, config:DescribeDeliveryChannels "
                       "(config:DescribeConfigurationRecorderStatus with config.mode: existing)",
    "trail-quota": "cloudtrail:DescribeTrails",
    "duplicate-trail": "cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus",
    "root-mfa": "iam:GetAccountSummary",
    "root-access-keys": "iam:GetAccountSummary",
    "s3-account-public-access-block": "s3:GetAccountPublicAccessBlock",
    "ebs-default-encryption": "ec2:GetEbsEncryptionByDefault",
    "password-policy": "iam:GetAccountPasswordPolicy",
}


def levels_of(props):
    """The level of every check: Checks property over the defaults."""
    given = props.get("Checks") or {}
    if not isinstance(given, dict):
        raise Malformed("Checks is not a map")
    known = {name for name, _ in CHECKS}
    for name, level in given.items():
        if name not in known:
            raise Malformed("Checks names an unknown check %r" % name)
        if level not in LEVELS:
            raise Malformed("Checks: %s is %r, not block, warn or off" % (name, level))
    return [(name, given.get(name, default)) for name, default in CHECKS]


def run_checks(audit, levels):
    """[(check, level, problem, fix)] for every enabled check that did not pass."""
    found = []
    for name, level in levels:
        if level == "off":
            continue
        if audit.left() < RESERVE_S:
            found.append((name, level, "not checked: the audit ran out of time",
                          "raise preflight.timeout, or retry the deployment"))
            continue
        try:
            res = CHECK_FNS[name](audit)
        except ClientError as e:
            err = e.response.get("Error", {})
            code = err.get("Code", "error")
            if code in DENIED:
                res = ("not checked: %s (%s)" % (code, e.operation_name),
                       "the function's role needs %s" % CHECK_ACTIONS[name])
            else:
                res = ("not checked: %s: %s" % (code, _short(err.get("Message", ""), 120)),
                       "retry the deployment, or set the check to off")
        except (BotoCoreError, TimeoutError) as e:
            res = ("not checked: %s" % _short(str(e), 160), "retry the deployment")
        if res:
            found.append((name, level) + tuple(res))
    return found


def _short(text, n):
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _line(f):
    return "%s: %s (fix: %s)" % (f[0], f[2], f[3])


# ---- the answer ----

def _body(event, status, reason, data):
    return {
        "Status": status,
        "Reason": reason,
        "PhysicalResourceId": str(event.get("PhysicalResourceId") or PHYSICAL_ID),
        "StackId": str(event.get("StackId", "")),
        "RequestId": str(event.get("RequestId", "")),
        "LogicalResourceId": str(event.get("LogicalResourceId", "")),
        "NoEcho": False,
        "Data": data,
    }


def encode(event, status, reason, data=None):
    """The response body as bytes, within MAX_BODY: warnings are cut first, then the reason."""
    data = dict(data or {})
    body = _body(event, status, reason, data)
    raw = json.dumps(body, separators=(",", ":")).encode()
    for key in ("Warnings", None):
        over = len(raw) - MAX_BODY
        if over <= 0:
            break
        if key is None:
            text = body["Reason"]
            body["Reason"] = text[: max(0, len(text) - over - 40)] + " ... (cut; see the function's log)"
        elif isinstance(data.get(key), str):
            text = data[key]
            data[key] = text[: max(0, len(text) - over - 40)] + " ... (cut; see the function's log)"
        raw = json.dumps(body, separators=(",", ":")).encode()
    if len(raw) > MAX_BODY:  # only a huge id or request field could do this
        body["Data"], body["Reason"] = {}, "response too large"
        raw = json.dumps(body, separators=(",", ":")).encode()[:MAX_BODY]
    return raw


def respond(event, status, reason, data=None):
    raw = encode(event, status, reason, data)
    req = urllib.request.Request(event["ResponseURL"], data=raw, method="PUT",
                                 headers={"content-type": "", "content-length": str(len(raw))})
    for attempt in (1, 2):
        try:
            with urllib.request.urlopen(req, timeout=PUT_TIMEOUT_S) as r:
                r.read()
            print(json.dumps({"answered": status, "reason": reason, "data": data or {}}))
            return True
        except Exception as e:  # noqa: BLE001 - a failed answer is logged, then retried once
            print(json.dumps({"answer_failed": str(e), "attempt": attempt}))
    return False


def audit(event, deadline):
    props = event.get("ResourceProperties")
    if not isinstance(props, dict):
        raise Malformed("ResourceProperties is missing")
    levels = levels_of(props)
    found = run_checks(Audit(props, event.get("StackId"), deadline), levels)
    blocking = [f for f in found if f[1] == "block"]
    warnings = [f for f in found if f[1] == "warn"]
    data = {"Warnings": "; ".join(_line(f) for f in warnings) or "none",
            "Blocking": str(len(blocking)), "Checked": str(sum(1 for _, lv in levels if lv != "off"))}
    if blocking:
        reason = ("hardengen preflight blocked the deployment (%d failed check%s): %s. See doc/preflight.md."
                  % (len(blocking), "" if len(blocking) == 1 else "s", "; ".join(_line(f) for f in blocking)))
        return "FAILED", reason, data
    if warnings:
        return "SUCCESS", "preflight passed with %d warning%s" % (len(warnings), "" if len(warnings) == 1 else "s"), data
    return "SUCCESS", "preflight passed", data


def handler(event, context):
    start = time.monotonic()
    try:
        budget = context.get_remaining_time_in_millis() / 1000.0
    except Exception:  # noqa: BLE001 - no Lambda context
        budget = DEFAULT_BUDGET_S
    if not isinstance(event, dict) or not isinstance(event.get("ResponseURL"), str):
        # Nothing to answer: log it; CloudFormation never sends such a request.
        print(json.dumps({"malformed_event": _short(repr(event), 500)}))
        return
    kind = event.get("RequestType")
    try:
        if kind == "Delete":
            respond(event, "SUCCESS", "nothing to delete: the audit creates nothing")
        elif kind in ("Create", "Update"):
            respond(event, *audit(event, start + budget))
        else:
            respond(event, "FAILED", "malformed request: RequestType %s is not Create, Update or Delete"
                    % _short(repr(kind), 60))
    except Malformed as e:
        respond(event, "FAILED", "malformed request: %s" % _short(str(e), 300))
    except Exception as e:  # noqa: BLE001 - every request gets an answer
        print(json.dumps({"unexpected": repr(e)}))
        respond(event, "SUCCESS" if kind == "Delete" else "FAILED",
                "preflight audit failed unexpectedly: %s: %s; see the function's log"
                % (type(e).__name__, _short(str(e), 300)))
