"""Tests of the preflight audit handler (share/lambda/preflight.py).

The AWS calls go to moto's mock_aws; the handler's answer goes to a
throw-away HTTP server on 127.0.0.1 (a free port chosen at run time) that
stands in for CloudFormation's pre-signed ResponseURL. moto's root-MFA value
is fixed at 0; tests set it through moto's IAM backend.

Run: python3 tests/lambda/test_preflight.py — prints one PASS/FAIL line per
test case, in tests/sh/lib.sh's form, and exits non-zero on a failure.
"""
import importlib.util
import json
import os
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

# Credentials and Region for moto before boto3 is imported anywhere.
for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(k, None)
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "eu-west-1",
                   "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                   "AWS_EC2_METADATA_DISABLED": "true"})

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT  # noqa: E402
from moto.iam.models import iam_backends  # noqa: E402

TOP = os.environ.get("HG_TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_spec = importlib.util.spec_from_file_location("preflight", os.path.join(TOP, "share", "lambda", "preflight.py"))
preflight = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(preflight)
preflight.print = lambda *a, **k: None  # the handler logs to stdout (CloudWatch Logs in AWS)

REGION = "eu-west-1"
STACK_ID = "arn:aws:cloudformation:%s:%s:stack/hardengen-prod-PreflightStack-1ABC/0f0e" % (REGION, ACCOUNT)
ALL = [name for name, _ in preflight.CHECKS]
OWN_TRAIL = "acme-prod-trail"


# ---- the stand-in ResponseURL ----

class _Sink(BaseHTTPRequestHandler):
    def do_PUT(self):  # noqa: N802 - http.server's naming
        n = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(n)
        self.server.got.append({"path": self.path, "headers": dict(self.headers), "raw": body})
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
        cls.server.got = []
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = "http://127.0.0.1:%d/presigned?X-Amz-Signature=fake" % cls.server.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.thread.join(5)

    def setUp(self):
        self.server.got.clear()
        self.mock = mock_aws()
        self.mock.start()
        self.addCleanup(self.mock.stop)

    # -- requests and answers --

    def event(self, kind="Create", checks=None, **props):
        p = {"ServiceToken": "arn:aws:lambda:%s:%s:function:acme-prod-preflight" % (REGION, ACCOUNT),
             "ServiceTimeout": "300", "AccountId": ACCOUNT, "OwnTrail": OWN_TRAIL,
             "OwnRecorder": "hardengen", "OwnDeliveryChannel": "hardengen", "ConfigMode": "managed",
             "Checks": checks if checks is not None else {n: lv for n, lv in preflight.CHECKS},
             "PasswordPolicy": {"MinimumPasswordLength": "14", "PasswordReusePrevention": "24",
                                "MaxPasswordAge": "90", "RequireUppercaseCharacters": "true",
                                "RequireLowercaseCharacters": "true", "RequireSymbols": "true",
                                "RequireNumbers": "true"}}
        p.update(props)
        e = {"RequestType": kind, "ResponseURL": self.url, "StackId": STACK_ID,
             "RequestId": "req-%s" % kind.lower(), "ResourceType": "Custom::HardengenPreflight",
             "LogicalResourceId": "Preflight", "ResourceProperties": p}
        if kind != "Create":
            e["PhysicalResourceId"] = preflight.PHYSICAL_ID
        if kind == "Update":
            e["OldResourceProperties"] = dict(p)
        return e

    def only(self, name, level="block"):
        """Checks with one check at level and the others off."""
        return {n: (level if n == name else "off") for n in ALL}

    def answer(self, event, context=None):
        self.server.got.clear()
        preflight.handler(event, context)
        self.assertEqual(len(self.server.got), 1, "expected exactly one PUT to the ResponseURL")
        got = self.server.got[0]
        self.assertLessEqual(len(got["raw"]), preflight.MAX_BODY)
        self.assertEqual(got["headers"].get("content-type", got["headers"].get("Content-Type")), "")
        body = json.loads(got["raw"])
        self.assertEqual(body["StackId"], event.get("StackId", ""))
        self.assertEqual(body["RequestId"], event.get("RequestId", ""))
        self.assertEqual(body["LogicalResourceId"], event.get("LogicalResourceId", ""))
        self.assertEqual(body["PhysicalResourceId"], preflight.PHYSICAL_ID)
        self.assertIn(body["Status"], ("SUCCESS", "FAILED"))
        if body["Status"] == "FAILED":
            self.assertTrue(body["Reason"])
        return body

    # -- account states --

    def bucket(self):
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="trail-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
        return "trail-logs"

    def trail(self, name, multi=False, logging=True, region=REGION):
        ct = boto3.client("cloudtrail", region_name=region)
        if not getattr(self, "_bucket", None):
            self._bucket = self.bucket()
        ct.create_trail(Name=name, S3BucketName=self._bucket, IsMultiRegionTrail=multi,
                        IncludeGlobalServiceEvents=multi)
        if logging:
            ct.start_logging(Name=name)

    def recorder(self, name="default", channel=None, start=False):
        cfg = boto3.client("config", region_name=REGION)
        cfg.put_configuration_recorder(ConfigurationRecorder={
            "name": name, "roleARN": "arn:aws:iam::%s:role/config" % ACCOUNT,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
        if channel:
            cfg.put_delivery_channel(DeliveryChannel={"name": channel, "s3BucketName": "config-logs"})
        if start:
            cfg.start_configuration_recorder(ConfigurationRecorderName=name)

    def summary(self, **values):
        s = iam_backends[ACCOUNT]["aws"].account_summary
        for k, v in values.items():
            setattr(s, k, v)

    def pab(self, **off):
        conf = {k: k not in off for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                          "RestrictPublicBuckets")}
        boto3.client("s3control", region_name=REGION).put_public_access_block(
            AccountId=ACCOUNT, PublicAccessBlockConfiguration=conf)

    def password_policy(self, **over):
        pol = {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24, "MaxPasswordAge": 90,
               "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
               "RequireSymbols": True, "RequireNumbers": True}
        pol.update(over)
        boto3.client("iam", region_name=REGION).update_account_password_policy(**pol)

    def good_account(self):
        """Every check passes."""
        self.summary(_account_mfa_enabled=1)
        self.pab()
        boto3.client("ec2", region_name=REGION).enable_ebs_encryption_by_default()
        self.password_policy()


# ---- each check: passing, warning and blocking ----

# check -> (make the account pass it, make the account fail it, text of the failure)
SCENARIOS = {
    "config-recorder": (lambda t: None, lambda t: t.recorder("default"), "recorder 'default'"),
    "trail-quota": (lambda t: [t.trail("trail%d" % i) for i in range(4)],
                    lambda t: [t.trail("trail%d" % i) for i in range(5)], "already has 5 trails"),
    "duplicate-trail": (lambda t: (t.trail("regional"), t.trail("stopped", multi=True, logging=False)),
                        lambda t: t.trail("org-trail", multi=True), "trail 'org-trail' already logs"),
    "root-mfa": (lambda t: t.summary(_account_mfa_enabled=1), lambda t: None, "root user has no MFA"),
    "root-access-keys": (lambda t: None, lambda t: t.summary(_account_access_keys_present=1),
                         "root user has access keys"),
    "s3-account-public-access-block": (lambda t: t.pab(), lambda t: t.pab(IgnorePublicAcls=1),
                                       "IgnorePublicAcls off"),
    "ebs-default-encryption": (
        lambda t: boto3.client("ec2", region_name=REGION).enable_ebs_encryption_by_default(),
        lambda t: None, "EBS encryption by default is off"),
    "password-policy": (lambda t: t.password_policy(MinimumPasswordLength=20),
                        lambda t: t.password_policy(MinimumPasswordLength=8, RequireSymbols=False),
                        "MinimumPasswordLength 8 < 14, RequireSymbols off"),
}


class Checks(Base):
    pass


def _add_check_tests(name, good, bad, text):
    def passing(self):
        good(self)
        body = self.answer(self.event(checks=self.only(name, "block")))
        self.assertEqual(body["Status"], "SUCCESS", body["Reason"])
        self.assertEqual(body["Data"]["Warnings"], "none")
        self.assertEqual(body["Data"]["Checked"], "1")

    def warning(self):
        bad(self)
        body = self.answer(self.event(checks=self.only(name, "warn")))
        self.assertEqual(body["Status"], "SUCCESS", body["Reason"])
        self.assertIn(name + ": ", body["Data"]["Warnings"])
        self.assertIn(text, body["Data"]["Warnings"])
        self.assertIn("(fix: ", body["Data"]["Warnings"])

    def blocking(self):
        bad(self)
        body = self.answer(self.event(checks=self.only(name, "block")))
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("blocked the deployment (1 failed check): " + name + ": ", body["Reason"])
        self.assertIn(text, body["Reason"])
        self.assertIn("(fix: ", body["Reason"])

    def off(self):
        bad(self)
        body = self.answer(self.event(checks=self.only(name, "off")))
        self.assertEqual((body["Status"], body["Data"]["Checked"]), ("SUCCESS", "0"))

    stem = "test_" + name.replace("-", "_")
    for suffix, fn in (("passes", passing), ("warns", warning), ("blocks", blocking), ("off", off)):
        fn.__name__ = "%s_%s" % (stem, suffix)
        setattr(Checks, fn.__name__, fn)


for _name, (_good, _bad, _text) in SCENARIOS.items():
    _add_check_tests(_name, _good, _bad, _text)


# ---- requests, own resources, failure paths ----

class Requests(Base):
    def test_create_fresh_account_warns_with_defaults(self):
        body = self.answer(self.event())
        self.assertEqual(body["Status"], "SUCCESS", body["Reason"])
        self.assertEqual(body["Reason"], "preflight passed with 4 warnings")
        w = body["Data"]["Warnings"]
        for name in ("root-mfa", "s3-account-public-access-block", "ebs-default-encryption", "password-policy"):
            self.assertIn(name + ": ", w)
        for name in ("config-recorder", "trail-quota", "duplicate-trail", "root-access-keys"):
            self.assertNotIn(name + ": ", w)
        self.assertEqual(body["Data"]["Checked"], "8")

    def test_create_good_account_passes(self):
        self.good_account()
        body = self.answer(self.event())
        self.assertEqual((body["Status"], body["Reason"], body["Data"]["Warnings"]),
                         ("SUCCESS", "preflight passed", "none"))

    def test_update_audits_and_keeps_the_physical_id(self):
        self.good_account()
        self.recorder("default")
        body = self.answer(self.event("Update"))
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("config-recorder: another AWS Config recorder 'default'", body["Reason"])

    def test_delete_succeeds_without_calling_aws(self):
        with mock.patch.object(preflight.boto3, "client", side_effect=AssertionError("called AWS")):
            body = self.answer(self.event("Delete"))
        self.assertEqual(body["Status"], "SUCCESS")

    def test_delete_after_failed_create(self):
        self.recorder("default")
        created = self.answer(self.event("Create"))
        self.assertEqual(created["Status"], "FAILED")
        delete = self.event("Delete")
        delete["PhysicalResourceId"] = created["PhysicalResourceId"]
        body = self.answer(delete)
        self.assertEqual(body["Status"], "SUCCESS")

    def test_own_resources_never_block(self):
        # A re-deploy: the stack set's own recorder, channel and trail exist,
        # and the Region's five trails include the own one.
        self.good_account()
        self.recorder("hardengen", channel="hardengen", start=True)
        self.trail(OWN_TRAIL, multi=True)
        for i in range(4):
            self.trail("other%d" % i)
        body = self.answer(self.event("Update"))
        self.assertEqual((body["Status"], body["Data"]["Warnings"]), ("SUCCESS", "none"), body["Reason"])

    def test_foreign_delivery_channel_blocks(self):
        self.recorder("hardengen", channel="landing-zone")
        body = self.answer(self.event(checks=self.only("config-recorder")))
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("delivery channel 'landing-zone'", body["Reason"])
        self.assertNotIn("recorder 'hardengen'", body["Reason"])

    def test_shadow_trail_from_another_region_warns(self):
        self.trail("org-trail", multi=True, region="us-east-1")
        body = self.answer(self.event(checks=self.only("duplicate-trail", "warn")))
        self.assertIn("trail 'org-trail' already logs", body["Data"]["Warnings"])

    def test_config_mode_existing_requires_a_recording_recorder(self):
        body = self.answer(self.event(checks=self.only("config-recorder"), ConfigMode="existing"))
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("config.mode is existing but this Region has no AWS Config recorder", body["Reason"])
        self.recorder("aws-controltower-BaselineConfigRecorder", channel="aws-controltower-BaselineConfigDeliveryChannel")
        body = self.answer(self.event(checks=self.only("config-recorder"), ConfigMode="existing"))
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("is not recording", body["Reason"])
        boto3.client("config", region_name=REGION).start_configuration_recorder(
            ConfigurationRecorderName="aws-controltower-BaselineConfigRecorder")
        body = self.answer(self.event(checks=self.only("config-recorder"), ConfigMode="existing"))
        self.assertEqual(body["Status"], "SUCCESS", body["Reason"])

    def test_access_denied_blocks_with_a_reason(self):
        real = preflight.boto3.client

        def denying(name, **kw):
            c = real(name, **kw)
            if name == "config":
                err = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}
                c.describe_configuration_recorders = mock.Mock(
                    side_effect=ClientError(err, "DescribeConfigurationRecorders"))
            return c

        with mock.patch.object(preflight.boto3, "client", side_effect=denying):
            body = self.answer(self.event())
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("config-recorder: not checked: AccessDeniedException (DescribeConfigurationRecorders)",
                      body["Reason"])
        self.assertIn("role needs config:DescribeConfigurationRecorders", body["Reason"])

    def test_access_denied_on_a_warn_check_warns(self):
        real = preflight.boto3.client

        def denying(name, **kw):
            c = real(name, **kw)
            if name == "ec2":
                err = {"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}
                c.get_ebs_encryption_by_default = mock.Mock(
                    side_effect=ClientError(err, "GetEbsEncryptionByDefault"))
            return c

        with mock.patch.object(preflight.boto3, "client", side_effect=denying):
            body = self.answer(self.event())
        self.assertEqual(body["Status"], "SUCCESS", body["Reason"])
        self.assertIn("ebs-default-encryption: not checked: UnauthorizedOperation", body["Data"]["Warnings"])

    def test_unexpected_exception_answers_failed(self):
        with mock.patch.dict(preflight.CHECK_FNS, {"trail-quota": mock.Mock(side_effect=KeyError("trailList"))}):
            body = self.answer(self.event())
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("preflight audit failed unexpectedly: KeyError", body["Reason"])

    def test_unexpected_exception_on_delete_still_succeeds(self):
        with mock.patch.object(preflight, "encode", side_effect=[RuntimeError("boom"),
                                                                  preflight.encode(self.event("Delete"), "SUCCESS", "x")]):
            preflight.handler(self.event("Delete"), None)
        self.assertEqual(len(self.server.got), 1)
        self.assertEqual(json.loads(self.server.got[0]["raw"])["Status"], "SUCCESS")

    def test_malformed_requests_are_answered(self):
        cases = [
            ({"RequestType": None}, "RequestType None is not Create, Update or Delete"),
            ({"RequestType": "Replace"}, "RequestType 'Replace'"),
            ({"ResourceProperties": "x"}, "ResourceProperties is missing"),
            ({"ResourceProperties": {"Checks": {"root-mfa": "loud"}}}, "root-mfa is 'loud'"),
            ({"ResourceProperties": {"Checks": {"rot-mfa": "warn"}}}, "unknown check 'rot-mfa'"),
            ({"ResourceProperties": {"Checks": ["root-mfa"]}}, "Checks is not a map"),
            ({"ResourceProperties": {"ConfigMode": "owned"}}, "ConfigMode 'owned'"),
        ]
        for change, text in cases:
            e = self.event()
            e.update(change)
            body = self.answer(e)
            self.assertEqual(body["Status"], "FAILED", change)
            self.assertIn("malformed request: ", body["Reason"])
            self.assertIn(text, body["Reason"])
        e = self.event()
        del e["StackId"], e["RequestId"]
        body = self.answer(e)  # answered, ids empty: nothing better to send
        self.assertEqual(body["StackId"], "")

    def test_event_without_response_url_does_not_crash(self):
        for e in (None, [], "x", {"RequestType": "Create"}, {"ResponseURL": 5}):
            preflight.handler(e, None)
        self.assertEqual(self.server.got, [])

    def test_response_size_bound_with_every_check_warning(self):
        # Every check fails at warn, with long trail and recorder names.
        long = lambda i: ("trail-%d-" % i) + "x" * 120  # noqa: E731
        for i in range(5):
            self.trail(long(i), multi=True)
        self.recorder("r" + "y" * 200)
        self.summary(_account_access_keys_present=1)
        self.pab(BlockPublicAcls=1, IgnorePublicAcls=1, BlockPublicPolicy=1, RestrictPublicBuckets=1)
        self.password_policy(MinimumPasswordLength=6, PasswordReusePrevention=1, MaxPasswordAge=365,
                             RequireSymbols=False, RequireNumbers=False, RequireUppercaseCharacters=False,
                             RequireLowercaseCharacters=False)
        body = self.answer(self.event(checks={n: "warn" for n in ALL}))
        self.assertEqual(body["Status"], "SUCCESS")
        self.assertEqual(body["Reason"], "preflight passed with 8 warnings")
        for name in ALL:
            self.assertIn(name + ": ", body["Data"]["Warnings"])
        # and the same findings at block stay within the bound in the reason
        body = self.answer(self.event(checks={n: "block" for n in ALL}))
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("(8 failed checks)", body["Reason"])

    def test_encode_cuts_an_oversized_answer(self):
        raw = preflight.encode(self.event(), "FAILED", "r" * 6000, {"Warnings": "w" * 6000})
        self.assertLessEqual(len(raw), preflight.MAX_BODY)
        body = json.loads(raw)
        self.assertTrue(body["Reason"].endswith("(cut; see the function's log)"))
        self.assertTrue(body["Data"]["Warnings"].endswith("(cut; see the function's log)"))

    def test_out_of_time_answers_before_the_deadline(self):
        class Ctx:
            def get_remaining_time_in_millis(self):
                return (preflight.RESERVE_S - 1) * 1000

        with mock.patch.object(preflight.boto3, "client", side_effect=AssertionError("called AWS")):
            body = self.answer(self.event(), Ctx())
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("trail-quota: not checked: the audit ran out of time", body["Reason"])
        self.assertIn("root-mfa: not checked: the audit ran out of time", body["Data"]["Warnings"])

    def test_put_failure_is_retried_once(self):
        e = self.event("Delete")
        e["ResponseURL"] = "http://127.0.0.1:1/closed"
        self.assertFalse(preflight.respond(e, "SUCCESS", "x"))


# ---- runner: one line per test case, as tests/sh/lib.sh prints ----

class LineResult(unittest.TextTestResult):
    def _name(self, test):
        return "preflight-lambda-" + test.id().split(".", 1)[1].replace(".", "-")

    def addSuccess(self, test):  # noqa: N802
        super().addSuccess(test)
        print("PASS %s" % self._name(test), flush=True)

    def _bad(self, test, err):
        msg = " ".join(self._exc_info_to_string(err, test).strip().splitlines()[-1:])
        print("FAIL %s: %s" % (self._name(test), msg), flush=True)

    def addFailure(self, test, err):  # noqa: N802
        super().addFailure(test, err)
        self._bad(test, err)

    def addError(self, test, err):  # noqa: N802
        super().addError(test, err)
        self._bad(test, err)


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    runner = unittest.TextTestRunner(stream=open(os.devnull, "w"), resultclass=LineResult, verbosity=0)
    sys.exit(0 if runner.run(suite).wasSuccessful() else 1)
