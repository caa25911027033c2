"""hardengen detective function: receives AWS Config compliance changes.

This is the minimal handler: it checks its configuration and logs each
compliance change as one JSON line. The enrichment and routing to Splunk
and Security Hub are described in SPEC.md section 11.
"""
import json
import os

REQUIRED = ("RULES_TABLE", "EXCEPTIONS_TABLE", "READER_ROLE_ARN", "CENTRAL_REGION",
            "ACCOUNT_NAME", "ENV_NAME", "ORG_ID")


def handler(event, context):
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        raise RuntimeError("missing environment variables: " + ", ".join(missing))
    detail = event.get("detail") or {}
    result = (detail.get("newEvaluationResult") or {}).get("complianceType")
    print(json.dumps({
        "account": detail.get("awsAccountId"),
        "account_name": os.environ["ACCOUNT_NAME"],
        "env": os.environ["ENV_NAME"],
        "region": detail.get("awsRegion"),
        "rule": detail.get("configRuleName"),
        "resource_type": detail.get("resourceType"),
        "resource_id": detail.get("resourceId"),
        "compliance": result,
    }, sort_keys=True))
    return {"rule": detail.get("configRuleName"), "compliance": result}
