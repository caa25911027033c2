-- hardengen sql: env rawtext: 25 filters, dialect duckdb
-- rows: filter_id, period_start (NULL: the total of the filter), matches, first_event_time, last_event_time
WITH filters (i, filter_id, period) AS (
  VALUES (1, 'unauthorized-api-calls', 300),
    (2, 'console-signin-without-mfa', 300),
    (3, 'root-account-usage', 300),
    (4, 'iam-policy-changes', 300),
    (5, 'cloudtrail-config-changes', 300),
    (6, 'console-auth-failures', 300),
    (7, 'cmk-disable-or-deletion', 300),
    (8, 's3-bucket-policy-changes', 300),
    (9, 'config-changes', 300),
    (10, 'security-group-changes', 300),
    (11, 'nacl-changes', 300),
    (12, 'network-gateway-changes', 300),
    (13, 'route-table-changes', 300),
    (14, 'vpc-changes', 300),
    (15, 'organizations-changes', 300),
    (16, 'ec2-power-operations', 300),
    (17, 'mass-instance-termination', 300),
    (18, 'ebs-volume-force-detach', 300),
    (19, 'vpc-flow-log-changes', 300),
    (20, 'rds-db-changes', 300),
    (21, 'security-group-lifecycle', 300),
    (22, 'instance-security-group-changes', 300),
    (23, 'elastic-ip-changes', 300),
    (24, 'raw-terms', 300),
    (25, 'raw-regex', 300)
),
docs AS (
  SELECT json AS doc, CAST(json AS VARCHAR) AS doc_text
  FROM read_json_objects(['ct.jsonl'], format = 'auto', maximum_object_size = 1073741824)
),
records AS (
  -- JSON lines and array elements as written; {"Records":[...]} files by element
  SELECT doc AS r, doc_text AS src, false AS redone, false AS risky FROM docs
  WHERE json_type(doc) <> 'ARRAY' AND NOT regexp_matches(doc_text, '^\{[ \t\n\r]*"Records"')
  UNION ALL
  SELECT unnest(CASE WHEN json_type(doc) = 'ARRAY' THEN json_extract(doc, '$[*]') WHEN json_type(doc, '$.Records') = 'ARRAY' THEN json_extract(doc, '$.Records[*]') ELSE []::JSON[] END) AS r, NULL AS src, true AS redone,
    regexp_matches(doc_text, '\\[/u]') OR regexp_matches(regexp_replace(doc_text, '"(?:[^"\\]|\\.)*"', '""', 'g'), '-0([^.eE0-9]|$)') AS risky
  FROM docs
  WHERE json_type(doc) = 'ARRAY' OR regexp_matches(doc_text, '^\{[ \t\n\r]*"Records"')
),
events AS (
  SELECT r, json_extract_string(r, '$.eventTime') AS t,
    json_extract(r, ['$."errorCode"', '$."eventName"', '$."additionalEventData"."MFAUsed"', '$."userIdentity"."type"', '$."responseElements"."ConsoleLogin"', '$."userIdentity"."invokedBy"', '$."eventType"', '$."errorMessage"', '$."eventSource"', '$."requestParameters"."instancesSet"."items"[4]."instanceId"', '$."requestParameters"."force"', '$."requestParameters"."groupSet"."items"[0]."groupId"']) AS p,
    CASE WHEN NOT redone THEN regexp_replace(src, '("(?:[^"\\]|\\.)*")|[ \t\n\r]+', '\1', 'g')
      WHEN risky OR regexp_matches(regexp_replace(CAST(r AS VARCHAR), '"(?:[^"\\]|\\.)*"', '""', 'g'), '[0-9][.eE]') THEN error('hardengen: a record''s text is needed, but its file escapes ''/'' or characters as \u, or spells numbers in a way SQL does not keep; convert the file to JSON lines as written')
      ELSE CAST(r AS VARCHAR) END AS raw
  FROM records
  WHERE json_type(r) = 'OBJECT'
),
flagged AS (
  SELECT t, [
    -- unauthorized-api-calls
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[1]) IN ('VARCHAR', 'BOOLEAN') THEN ends_with(json_extract_string(p[1], '$'), 'UnauthorizedOperation') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[1]) IN ('VARCHAR', 'BOOLEAN') THEN starts_with(json_extract_string(p[1], '$'), 'AccessDenied') ELSE false END, false))),
    -- console-signin-without-mfa
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ConsoleLogin') ELSE false END, false) AND coalesce(CASE WHEN json_type(p[3]) IN ('VARCHAR', 'BOOLEAN') THEN NOT (json_extract_string(p[3], '$') = 'Yes') WHEN json_type(p[3]) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN true ELSE false END, false) AND coalesce(CASE WHEN json_type(p[4]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[4], '$') = 'IAMUser') ELSE false END, false) AND coalesce(CASE WHEN json_type(p[5]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[5], '$') = 'Success') ELSE false END, false))),
    -- root-account-usage
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[4]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[4], '$') = 'Root') ELSE false END, false) AND (p[6] IS NOT NULL) IS NOT TRUE AND coalesce(CASE WHEN json_type(p[7]) IN ('VARCHAR', 'BOOLEAN') THEN NOT (json_extract_string(p[7], '$') = 'AwsServiceEvent') WHEN json_type(p[7]) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN true ELSE false END, false))),
    -- iam-policy-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteGroupPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteRolePolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteUserPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutGroupPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutRolePolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutUserPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreatePolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeletePolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreatePolicyVersion') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeletePolicyVersion') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AttachRolePolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DetachRolePolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AttachUserPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DetachUserPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AttachGroupPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DetachGroupPolicy') ELSE false END, false))),
    -- cloudtrail-config-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateTrail') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'UpdateTrail') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteTrail') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'StartLogging') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'StopLogging') ELSE false END, false))),
    -- console-auth-failures
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ConsoleLogin') ELSE false END, false) AND coalesce(CASE WHEN json_type(p[8]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[8], '$') = 'Failed authentication') ELSE false END, false))),
    -- cmk-disable-or-deletion
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[9]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[9], '$') = 'kms.amazonaws.com') ELSE false END, false) AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DisableKey') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ScheduleKeyDeletion') ELSE false END, false)))),
    -- s3-bucket-policy-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[9]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[9], '$') = 's3.amazonaws.com') ELSE false END, false) AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutBucketAcl') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutBucketPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutBucketCors') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutBucketLifecycle') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutBucketReplication') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteBucketPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteBucketCors') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteBucketLifecycle') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteBucketReplication') ELSE false END, false)))),
    -- config-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[9]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[9], '$') = 'config.amazonaws.com') ELSE false END, false) AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'StopConfigurationRecorder') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteDeliveryChannel') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutDeliveryChannel') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'PutConfigurationRecorder') ELSE false END, false)))),
    -- security-group-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AuthorizeSecurityGroupIngress') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AuthorizeSecurityGroupEgress') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'RevokeSecurityGroupIngress') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'RevokeSecurityGroupEgress') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateSecurityGroup') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteSecurityGroup') ELSE false END, false))),
    -- nacl-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateNetworkAcl') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateNetworkAclEntry') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteNetworkAcl') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteNetworkAclEntry') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ReplaceNetworkAclEntry') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ReplaceNetworkAclAssociation') ELSE false END, false))),
    -- network-gateway-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateCustomerGateway') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteCustomerGateway') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AttachInternetGateway') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateInternetGateway') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteInternetGateway') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DetachInternetGateway') ELSE false END, false))),
    -- route-table-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateRoute') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateRouteTable') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ReplaceRoute') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ReplaceRouteTableAssociation') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteRouteTable') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteRoute') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DisassociateRouteTable') ELSE false END, false))),
    -- vpc-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateVpc') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteVpc') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ModifyVpcAttribute') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AcceptVpcPeeringConnection') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateVpcPeeringConnection') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteVpcPeeringConnection') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'RejectVpcPeeringConnection') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AttachClassicLinkVpc') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DetachClassicLinkVpc') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DisableVpcClassicLink') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'EnableVpcClassicLink') ELSE false END, false))),
    -- organizations-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[9]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[9], '$') = 'organizations.amazonaws.com') ELSE false END, false) AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AcceptHandshake') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AttachPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateAccount') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateOrganizationalUnit') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreatePolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeclineHandshake') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteOrganization') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteOrganizationalUnit') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeletePolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DetachPolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DisablePolicyType') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'EnablePolicyType') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'InviteAccountToOrganization') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'LeaveOrganization') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'MoveAccount') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'RemoveAccountFromOrganization') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'UpdatePolicy') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'UpdateOrganizationalUnit') ELSE false END, false)))),
    -- ec2-power-operations
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[9]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[9], '$') = 'ec2.amazonaws.com') ELSE false END, false) AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'StartInstances') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'StopInstances') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'TerminateInstances') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'RebootInstances') ELSE false END, false)))),
    -- mass-instance-termination
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'TerminateInstances') ELSE false END, false) AND coalesce(CASE WHEN json_type(p[10]) IN ('VARCHAR', 'BOOLEAN') THEN true WHEN json_type(p[10]) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN true ELSE false END, false))),
    -- ebs-volume-force-detach
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DetachVolume') ELSE false END, false) AND coalesce((json_type(p[11]) = 'BOOLEAN' AND json_extract_string(p[11], '$') = 'true'), false))),
    -- vpc-flow-log-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateFlowLogs') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteFlowLogs') ELSE false END, false))),
    -- rds-db-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[9]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[9], '$') = 'rds.amazonaws.com') ELSE false END, false) AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateDBInstance') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateDBInstanceReadReplica') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateDBCluster') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CopyDBSnapshot') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CopyDBClusterSnapshot') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteDBInstance') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteDBCluster') ELSE false END, false)))),
    -- security-group-lifecycle
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateSecurityGroup') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteSecurityGroup') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateCacheSecurityGroup') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteCacheSecurityGroup') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateClusterSecurityGroup') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteClusterSecurityGroup') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'CreateDBSecurityGroup') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DeleteDBSecurityGroup') ELSE false END, false))),
    -- instance-security-group-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ModifyInstanceAttribute') ELSE false END, false) AND coalesce(CASE WHEN json_type(p[12]) IN ('VARCHAR', 'BOOLEAN') THEN true WHEN json_type(p[12]) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN true ELSE false END, false))),
    -- elastic-ip-changes
    (json_type(r) = 'OBJECT' AND (coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AllocateAddress') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'ReleaseAddress') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'AssociateAddress') ELSE false END, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('VARCHAR', 'BOOLEAN') THEN (json_extract_string(p[2], '$') = 'DisassociateAddress') ELSE false END, false))),
    -- raw-terms
    ((strpos(raw, 'it''s') > 0) AND (strpos(raw, '--') = 0)),
    -- raw-regex
    regexp_matches(raw, '(?:[\x4E][\x61][\x6D][\x65][\x22\x3A]{3,3}[\x47][\x65][\x74][\x41-\x5A][\x30-\x39\x41-\x5A\x5F\x61-\x7A]{1,})')
  ] AS hits
  FROM events
),
matched AS (
  SELECT u.i, f.t FROM flagged f CROSS JOIN UNNEST(f.hits) WITH ORDINALITY AS u (hit, i)
  WHERE u.hit
),
totals AS (
  SELECT i, count(*) AS matches, min(coalesce(t, '')) AS first_t, max(coalesce(t, '')) AS last_t
  FROM matched GROUP BY i
),
periods AS (
  SELECT i, p, count(*) AS matches FROM (
    SELECT m.i, floor(CASE WHEN regexp_matches(m.t, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$') THEN epoch(TRY_CAST(m.t AS TIMESTAMPTZ)) END / x.period) * x.period AS p
    FROM matched m JOIN filters x ON x.i = m.i
  ) WHERE p IS NOT NULL GROUP BY i, p
)
SELECT filter_id, period_start, matches, first_event_time, last_event_time FROM (
  SELECT x.i, -1 AS p, x.filter_id, CAST(NULL AS VARCHAR) AS period_start,
    coalesce(s.matches, 0) AS matches, nullif(s.first_t, '') AS first_event_time,
    nullif(s.last_t, '') AS last_event_time
  FROM filters x LEFT JOIN totals s ON s.i = x.i
  UNION ALL
  SELECT x.i, y.p, x.filter_id, strftime(make_timestamp(CAST(y.p AS BIGINT) * 1000000), '%Y-%m-%dT%H:%M:%SZ'), y.matches,
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
  FROM periods y JOIN filters x ON x.i = y.i
) q
ORDER BY q.i, q.p
