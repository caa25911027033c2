# cis_counts.jq — the CIS monitoring controls written by hand in jq, to check
# the backtest's match counts independently of hardengen's pattern engine.
#
#   jq -n -f cis_counts.jq events.jsonl   ->  {"FILTER-ID": count, ...}
#
# Each definition restates the control's filter pattern (filters/cis.lua, the
# variant the prod profile emits: CIS v1.4 with targets securityhub, prowler,
# steampipe) with the semantics of shared/reference/filter-patterns.md: a
# comparison on a missing member is false for = and != alike, `NOT EXISTS`
# is true only for a missing member.

def str($v): $v | type == "string";
def is($v; $s): str($v) and $v == $s;
def ne($v; $s): str($v) and $v != $s;       # != needs a present value
def name_in($names): is(.eventName; .eventName) and (.eventName as $n | $names | index([$n]) != null);
def uoe: str(.errorCode) and (.errorCode | endswith("UnauthorizedOperation"));
def ad: str(.errorCode) and (.errorCode | startswith("AccessDenied"));

def controls: {
  # Security Hub CloudWatch.2: any *UnauthorizedOperation or AccessDenied* error.
  "unauthorized-api-calls": (uoe or ad),
  # The CIS v2.0+ text steampipe checks: A || (B && C && D) by precedence.
  "unauthorized-api-calls-cis": (uoe or (ad and ne(.sourceIPAddress; "delivery.logs.amazonaws.com")
                                          and ne(.eventName; "HeadBucket"))),
  "console-signin-without-mfa": (is(.eventName; "ConsoleLogin")
      and (.additionalEventData | type == "object") and ne(.additionalEventData.MFAUsed; "Yes")
      and (.userIdentity | type == "object") and is(.userIdentity.type; "IAMUser")
      and (.responseElements | type == "object") and is(.responseElements.ConsoleLogin; "Success")),
  "root-account-usage": ((.userIdentity | type == "object") and is(.userIdentity.type; "Root")
      and (.userIdentity | has("invokedBy") | not) and ne(.eventType; "AwsServiceEvent")),
  "iam-policy-changes": name_in(["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy",
      "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy",
      "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
      "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"]),
  "cloudtrail-config-changes": name_in(["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging",
      "StopLogging"]),
  "console-auth-failures": (is(.eventName; "ConsoleLogin") and is(.errorMessage; "Failed authentication")),
  "cmk-disable-or-deletion": (is(.eventSource; "kms.amazonaws.com")
      and name_in(["DisableKey", "ScheduleKeyDeletion"])),
  "s3-bucket-policy-changes": (is(.eventSource; "s3.amazonaws.com") and name_in(["PutBucketAcl",
      "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
      "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"])),
  "config-changes": (is(.eventSource; "config.amazonaws.com") and name_in(["StopConfigurationRecorder",
      "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"])),
  "security-group-changes": name_in(["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
      "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
      "DeleteSecurityGroup"]),
  # steampipe's form adds ModifySecurityGroupRules.
  "security-group-changes-cis": name_in(["AuthorizeSecurityGroupIngress",
      "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
      "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules"]),
  "nacl-changes": name_in(["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
      "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"]),
  "network-gateway-changes": name_in(["CreateCustomerGateway", "DeleteCustomerGateway",
      "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway",
      "DetachInternetGateway"]),
  "route-table-changes": name_in(["CreateRoute", "CreateRouteTable", "ReplaceRoute",
      "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"]),
  # prowler's form also requires eventSource ec2.amazonaws.com.
  "route-table-changes-cis": (is(.eventSource; "ec2.amazonaws.com") and name_in(["CreateRoute",
      "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
      "DeleteRoute", "DisassociateRouteTable"])),
  "vpc-changes": name_in(["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
      "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
      "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"]),
  # The prowler form prod emits: the CIS list plus CancelHandshake,
  # CreateOrganization, EnableAllFeatures.
  "organizations-changes": (is(.eventSource; "organizations.amazonaws.com") and name_in([
      "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
      "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy",
      "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization",
      "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy",
      "UpdateOrganizationalUnit", "CancelHandshake", "CreateOrganization", "EnableAllFeatures"]))
};

reduce (inputs | select(type == "object")) as $e ({};
  ($e | controls) as $c | reduce ($c | keys[]) as $k (.; .[$k] += (if $c[$k] then 1 else 0 end)))
