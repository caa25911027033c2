-- filters/cis.lua — the CIS AWS Foundations Benchmark monitoring controls
-- (v1.2 section 3, v1.3-v5.0 section 4).
--
-- Each control is declared once, with its pattern variants: the Security Hub
-- string (copied byte for byte from the AWS Security Hub user guide, controls
-- CloudWatch.1-14), the CIS texts per version, and the forms the prowler and
-- steampipe checks accept. For the profile's cis.version and cis.targets the
-- compiler emits, per control, the fewest variants such that every target
-- passes; a second one gets the id suffix "-cis". Facts:
-- shared/reference/cis-controls.json.
--
-- Variants are listed in order of preference: the first passing set wins.
-- Without securityhub among the targets, the CIS text of the profile's
-- version is preferred over the Security Hub string.
--
-- Every example must hold for every variant of its control.

filter {
  id = "unauthorized-api-calls",
  title = "Unauthorized API calls",
  topic = "infosec",
  cis = { ["1.2"] = "3.1", ["1.4"] = "4.1", ["3.0"] = "4.1", ["5.0"] = "4.1" },
  securityhub = "CloudWatch.2",
  variants = {
    { name = "securityhub", pattern = [[{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}]] },
    { name = "cis", versions = {"1.2"}, pattern = [[{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }]] },
    -- CIS v2.0+ (and the corrected v1.4): the exclusions joined with &&, which
    -- steampipe requires. The published text relies on && binding tighter
    -- than ||; the parentheses here say so explicitly (same meaning, no
    -- mixed-precedence warning). The v1.3-v1.5 text joins the exclusions with
    -- || and matches nearly every event, so it is not offered.
    { name = "cis-v2.0", pattern = [[{ ($.errorCode = "*UnauthorizedOperation") || (($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket")) }]] },
  },
  examples = {
    match = {
      { eventName = "RunInstances", errorCode = "Client.UnauthorizedOperation", sourceIPAddress = "198.51.100.7" },
      { eventName = "GetObject", errorCode = "AccessDenied", sourceIPAddress = "203.0.113.5" },
    },
    nomatch = {
      { eventName = "DescribeInstances", sourceIPAddress = "203.0.113.5" },
      { eventName = "GetObject", errorCode = "NoSuchKey", sourceIPAddress = "203.0.113.5" },
    },
  },
}

filter {
  id = "console-signin-without-mfa",
  title = "Management Console sign-in without MFA",
  topic = "infosec",
  cis = { ["1.2"] = "3.2", ["1.4"] = "4.2", ["3.0"] = "4.2", ["5.0"] = "4.2" },
  securityhub = "CloudWatch.3",
  variants = {
    -- Also the CIS v1.4+ text.
    { name = "securityhub", pattern = [[{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }]] },
    { name = "cis", versions = {"1.2"}, pattern = [[{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }]] },
  },
  examples = {
    match = {
      { eventName = "ConsoleLogin", userIdentity = { type = "IAMUser" }, additionalEventData = { MFAUsed = "No" }, responseElements = { ConsoleLogin = "Success" } },
    },
    nomatch = {
      { eventName = "ConsoleLogin", userIdentity = { type = "IAMUser" }, additionalEventData = { MFAUsed = "Yes" }, responseElements = { ConsoleLogin = "Success" } },
      { eventName = "GetSigninToken", userIdentity = { type = "IAMUser" }, additionalEventData = { MFAUsed = "No" } },
    },
  },
}

filter {
  id = "root-account-usage",
  title = "Usage of the root account",
  topic = "infosec",
  cis = { ["1.2"] = "3.3", ["1.4"] = "4.3", ["3.0"] = "4.3", ["5.0"] = "4.3" },
  securityhub = "CloudWatch.1",
  variants = {
    { name = "securityhub", pattern = [[{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}]] },
    { name = "cis", pattern = [[{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }]] },
  },
  examples = {
    match = {
      { eventName = "CreateAccessKey", eventType = "AwsApiCall", userIdentity = { type = "Root" } },
    },
    nomatch = {
      { eventName = "CreateAccessKey", eventType = "AwsApiCall", userIdentity = { type = "IAMUser" } },
      { eventName = "DescribeTrails", eventType = "AwsApiCall", userIdentity = { type = "Root", invokedBy = "support.amazonaws.com" } },
    },
  },
}

filter {
  id = "iam-policy-changes",
  title = "IAM policy changes",
  topic = "infosec",
  cis = { ["1.2"] = "3.4", ["1.4"] = "4.4", ["3.0"] = "4.4", ["5.0"] = "4.4" },
  securityhub = "CloudWatch.4",
  variants = {
    { name = "securityhub", pattern = [[{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}]] },
    { name = "cis", pattern = [[{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}]] },
  },
  examples = {
    match = {
      { eventSource = "iam.amazonaws.com", eventName = "PutUserPolicy" },
      { eventSource = "iam.amazonaws.com", eventName = "DetachRolePolicy" },
    },
    nomatch = {
      { eventSource = "iam.amazonaws.com", eventName = "GetPolicy" },
    },
  },
}

filter {
  id = "cloudtrail-config-changes",
  title = "CloudTrail configuration changes",
  topic = "infosec",
  cis = { ["1.2"] = "3.5", ["1.4"] = "4.5", ["3.0"] = "4.5", ["5.0"] = "4.5" },
  securityhub = "CloudWatch.5",
  variants = {
    { name = "securityhub", pattern = [[{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}]] },
    { name = "cis", pattern = [[{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }]] },
  },
  examples = {
    match = {
      { eventSource = "cloudtrail.amazonaws.com", eventName = "StopLogging" },
    },
    nomatch = {
      { eventSource = "cloudtrail.amazonaws.com", eventName = "DescribeTrails" },
    },
  },
}

filter {
  id = "console-auth-failures",
  title = "Management Console authentication failures",
  topic = "infosec",
  cis = { ["1.2"] = "3.6", ["1.4"] = "4.6", ["3.0"] = "4.6", ["5.0"] = "4.6" },
  securityhub = "CloudWatch.6",
  variants = {
    { name = "securityhub", pattern = [[{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}]] },
    { name = "cis", pattern = [[{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }]] },
  },
  examples = {
    match = {
      { eventName = "ConsoleLogin", errorMessage = "Failed authentication" },
    },
    nomatch = {
      { eventName = "ConsoleLogin", responseElements = { ConsoleLogin = "Success" } },
    },
  },
}

filter {
  id = "cmk-disable-or-deletion",
  title = "Disabling or scheduled deletion of customer managed KMS keys",
  topic = "infosec",
  cis = { ["1.2"] = "3.7", ["1.4"] = "4.7", ["3.0"] = "4.7", ["5.0"] = "4.7" },
  securityhub = "CloudWatch.7",
  variants = {
    { name = "securityhub", pattern = [[{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}]] },
    { name = "cis", pattern = [[{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }]] },
  },
  examples = {
    match = {
      { eventSource = "kms.amazonaws.com", eventName = "ScheduleKeyDeletion" },
    },
    nomatch = {
      { eventSource = "kms.amazonaws.com", eventName = "Decrypt" },
    },
  },
}

filter {
  id = "s3-bucket-policy-changes",
  title = "S3 bucket policy changes",
  topic = "infosec",
  cis = { ["1.2"] = "3.8", ["1.4"] = "4.8", ["3.0"] = "4.8", ["5.0"] = "4.8" },
  securityhub = "CloudWatch.8",
  variants = {
    { name = "securityhub", pattern = [[{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}]] },
    { name = "cis", pattern = [[{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }]] },
  },
  examples = {
    match = {
      { eventSource = "s3.amazonaws.com", eventName = "PutBucketPolicy" },
    },
    nomatch = {
      { eventSource = "s3.amazonaws.com", eventName = "GetBucketPolicy" },
    },
  },
}

filter {
  id = "config-changes",
  title = "AWS Config configuration changes",
  topic = "infosec",
  cis = { ["1.2"] = "3.9", ["1.4"] = "4.9", ["3.0"] = "4.9", ["5.0"] = "4.9" },
  securityhub = "CloudWatch.9",
  variants = {
    { name = "securityhub", pattern = [[{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}]] },
    { name = "cis", pattern = [[{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }]] },
  },
  examples = {
    match = {
      { eventSource = "config.amazonaws.com", eventName = "StopConfigurationRecorder" },
    },
    nomatch = {
      { eventSource = "config.amazonaws.com", eventName = "DescribeConfigurationRecorders" },
    },
  },
}

filter {
  id = "security-group-changes",
  title = "Security group changes",
  topic = "infosec",
  cis = { ["1.2"] = "3.10", ["1.4"] = "4.10", ["3.0"] = "4.10", ["5.0"] = "4.10" },
  securityhub = "CloudWatch.10",
  variants = {
    { name = "securityhub", pattern = [[{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}]] },
    { name = "cis", versions = {"1.2", "1.4", "3.0"}, pattern = [[{($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }]] },
    -- CIS v5.0 adds ModifySecurityGroupRules; steampipe wants it for every
    -- version, and Security Hub rejects it.
    { name = "cis-v5.0", pattern = [[{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }]] },
  },
  examples = {
    match = {
      { eventSource = "ec2.amazonaws.com", eventName = "AuthorizeSecurityGroupIngress" },
    },
    nomatch = {
      { eventSource = "ec2.amazonaws.com", eventName = "DescribeSecurityGroups" },
    },
  },
}

filter {
  id = "nacl-changes",
  title = "Network ACL changes",
  topic = "infosec",
  cis = { ["1.2"] = "3.11", ["1.4"] = "4.11", ["3.0"] = "4.11", ["5.0"] = "4.11" },
  securityhub = "CloudWatch.11",
  variants = {
    { name = "securityhub", pattern = [[{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}]] },
    { name = "cis", pattern = [[{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }]] },
  },
  examples = {
    match = {
      { eventSource = "ec2.amazonaws.com", eventName = "CreateNetworkAclEntry" },
    },
    nomatch = {
      { eventSource = "ec2.amazonaws.com", eventName = "DescribeNetworkAcls" },
    },
  },
}

filter {
  id = "network-gateway-changes",
  title = "Network gateway changes",
  topic = "infosec",
  cis = { ["1.2"] = "3.12", ["1.4"] = "4.12", ["3.0"] = "4.12", ["5.0"] = "4.12" },
  securityhub = "CloudWatch.12",
  variants = {
    { name = "securityhub", pattern = [[{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}]] },
    { name = "cis", pattern = [[{($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }]] },
  },
  examples = {
    match = {
      { eventSource = "ec2.amazonaws.com", eventName = "AttachInternetGateway" },
    },
    nomatch = {
      { eventSource = "ec2.amazonaws.com", eventName = "DescribeInternetGateways" },
    },
  },
}

filter {
  id = "route-table-changes",
  title = "Route table changes",
  topic = "infosec",
  cis = { ["1.2"] = "3.13", ["1.4"] = "4.13", ["3.0"] = "4.13", ["5.0"] = "4.13" },
  securityhub = "CloudWatch.13",
  variants = {
    { name = "securityhub", pattern = [[{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}]] },
    { name = "cis", versions = {"1.2", "1.4"}, pattern = [[{($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }]] },
    -- CIS v3.0+ adds $.eventSource = ec2.amazonaws.com (with the parentheses the
    -- published audit text leaves out); prowler wants it for every version,
    -- and Security Hub rejects it.
    { name = "cis-v3.0", pattern = [[{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }]] },
  },
  examples = {
    match = {
      { eventSource = "ec2.amazonaws.com", eventName = "CreateRoute" },
    },
    nomatch = {
      { eventSource = "ec2.amazonaws.com", eventName = "DescribeRouteTables" },
    },
  },
}

filter {
  id = "vpc-changes",
  title = "VPC changes",
  topic = "infosec",
  cis = { ["1.2"] = "3.14", ["1.4"] = "4.14", ["3.0"] = "4.14", ["5.0"] = "4.14" },
  securityhub = "CloudWatch.14",
  variants = {
    { name = "securityhub", pattern = [[{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}]] },
    { name = "cis", pattern = [[{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }]] },
  },
  examples = {
    match = {
      { eventSource = "ec2.amazonaws.com", eventName = "CreateVpcPeeringConnection" },
    },
    nomatch = {
      { eventSource = "ec2.amazonaws.com", eventName = "DescribeVpcs" },
    },
  },
}

filter {
  id = "organizations-changes",
  title = "AWS Organizations changes",
  topic = "infosec",
  cis = { ["1.4"] = "4.15", ["3.0"] = "4.15", ["5.0"] = "4.15" },
  variants = {
    { name = "cis", pattern = [[{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }]] },
    -- prowler also wants CancelHandshake, CreateOrganization and EnableAllFeatures.
    { name = "prowler", pattern = [[{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit") || ($.eventName = "CancelHandshake") || ($.eventName = "CreateOrganization") || ($.eventName = "EnableAllFeatures")) }]] },
  },
  examples = {
    match = {
      { eventSource = "organizations.amazonaws.com", eventName = "CreateAccount" },
    },
    nomatch = {
      { eventSource = "organizations.amazonaws.com", eventName = "ListAccounts" },
    },
  },
}
