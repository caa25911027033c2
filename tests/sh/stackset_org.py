"""Helpers of tests/sh/stackset.sh against a moto_server at $E.

  setup OUTFILE      an organization: 3 OUs (one nested), 50 member accounts
                     spread over them, and the template bucket; writes the
                     OU ids and the accounts of each OU as JSON
  instances NAME     the StackSet's instances as "account region status ou"
  operations NAME    the number of operations of the StackSet
  member ACCOUNT     the hardened resources as seen from ACCOUNT, through its
                     role (sts:AssumeRole), one "kind region name" a line
"""
import json
import os
import sys

import boto3

E = os.environ["E"]


def client(svc, region="us-east-1", creds=None):
    kw = {}
    if creds:
        kw = dict(aws_access_key_id=creds["AccessKeyId"],
                  aws_secret_access_key=creds["SecretAccessKey"],
                  aws_session_token=creds["SessionToken"])
    return boto3.client(svc, region_name=region, endpoint_url=E, **kw)


def setup(out):
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ous = {}
    for name in ("security", "workloads", "sandbox"):
        ous[name] = org.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
    accounts = {k: [] for k in ous}
    names = list(ous)
    for i in range(50):
        r = org.create_account(Email=f"member{i}@example.com", AccountName=f"member{i}")
        acct = r["CreateAccountStatus"]["AccountId"]
        ou = names[i % 3]
        org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ous[ou])
        accounts[ou].append(acct)
    client("s3").create_bucket(Bucket="hardengen-stackset-test")
    with open(out, "w") as f:
        json.dump({"ous": ous, "accounts": accounts}, f)


def instances(name):
    cfn = client("cloudformation")
    p = cfn.get_paginator("list_stack_instances")
    for page in p.paginate(StackSetName=name):
        for s in page["Summaries"]:
            print(s["Account"], s["Region"], s["Status"], s.get("OrganizationalUnitId", "-"))


def operations(name):
    cfn = client("cloudformation")
    print(len(cfn.list_stack_set_operations(StackSetName=name)["Summaries"]))


def member(acct):
    sts = client("sts")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole",
                            RoleSessionName="check")["Credentials"]
    who = client("sts", creds=creds).get_caller_identity()["Account"]
    print("identity", "-", who)
    for region in ("us-east-1", "eu-west-1"):
        for t in client("cloudtrail", region, creds).describe_trails(includeShadowTrails=False)["trailList"]:
            print("trail", region, t["Name"])
        for r in client("config", region, creds).describe_configuration_recorders()["ConfigurationRecorders"]:
            print("recorder", region, r["name"], r["recordingGroup"].get("includeGlobalResourceTypes"))
        for a in client("cloudwatch", region, creds).describe_alarms()["MetricAlarms"]:
            print("alarm", region, a["AlarmName"])
    for b in client("s3", creds=creds).list_buckets()["Buckets"]:
        print("bucket", "-", b["Name"])


if __name__ == "__main__":
    {"setup": setup, "instances": instances, "operations": operations, "member": member}[sys.argv[1]](*sys.argv[2:])
