-- hardengen sql: env hostile: 27 filters, dialect athena
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
    (21, 'large-instance-launched', 300),
    (22, 'security-group-lifecycle', 300),
    (23, 'instance-security-group-changes', 300),
    (24, 'elastic-ip-changes', 300),
    (25, 'untrusted-source-api-calls', 300),
    (26, 'watched-service-mutations', 300),
    (27, 'quoted-member', 300)
),
flagged AS (
  SELECT eventtime AS t, ARRAY[
    -- unauthorized-api-calls
    ((coalesce((substr(errorcode, -21) = 'UnauthorizedOperation'), false) OR coalesce(starts_with(errorcode, 'AccessDenied'), false))),
    -- console-signin-without-mfa
    ((coalesce((eventname = 'ConsoleLogin'), false) AND coalesce(CASE WHEN substr(json_format(json_extract(json_extract(additionaleventdata, '$'), '$["MFAUsed"]')), 1, 1) IN ('"', 't', 'f') THEN NOT (json_extract_scalar(json_extract(json_extract(additionaleventdata, '$'), '$["MFAUsed"]'), '$') = 'Yes') WHEN regexp_like(json_format(json_extract(json_extract(additionaleventdata, '$'), '$["MFAUsed"]')), '^-?[0-9]') THEN true ELSE false END, false) AND coalesce((useridentity.type = 'IAMUser'), false) AND coalesce(CASE WHEN substr(json_format(json_extract(json_extract(responseelements, '$'), '$["ConsoleLogin"]')), 1, 1) IN ('"', 't', 'f') THEN (json_extract_scalar(json_extract(json_extract(responseelements, '$'), '$["ConsoleLogin"]'), '$') = 'Success') ELSE false END, false))),
    -- root-account-usage
    ((coalesce((useridentity.type = 'Root'), false) AND (useridentity.invokedby IS NULL) AND coalesce(NOT (eventtype = 'AwsServiceEvent'), false))),
    -- iam-policy-changes
    ((coalesce((eventname = 'DeleteGroupPolicy'), false) OR coalesce((eventname = 'DeleteRolePolicy'), false) OR coalesce((eventname = 'DeleteUserPolicy'), false) OR coalesce((eventname = 'PutGroupPolicy'), false) OR coalesce((eventname = 'PutRolePolicy'), false) OR coalesce((eventname = 'PutUserPolicy'), false) OR coalesce((eventname = 'CreatePolicy'), false) OR coalesce((eventname = 'DeletePolicy'), false) OR coalesce((eventname = 'CreatePolicyVersion'), false) OR coalesce((eventname = 'DeletePolicyVersion'), false) OR coalesce((eventname = 'AttachRolePolicy'), false) OR coalesce((eventname = 'DetachRolePolicy'), false) OR coalesce((eventname = 'AttachUserPolicy'), false) OR coalesce((eventname = 'DetachUserPolicy'), false) OR coalesce((eventname = 'AttachGroupPolicy'), false) OR coalesce((eventname = 'DetachGroupPolicy'), false))),
    -- cloudtrail-config-changes
    ((coalesce((eventname = 'CreateTrail'), false) OR coalesce((eventname = 'UpdateTrail'), false) OR coalesce((eventname = 'DeleteTrail'), false) OR coalesce((eventname = 'StartLogging'), false) OR coalesce((eventname = 'StopLogging'), false))),
    -- console-auth-failures
    ((coalesce((eventname = 'ConsoleLogin'), false) AND coalesce((errormessage = 'Failed authentication'), false))),
    -- cmk-disable-or-deletion
    ((coalesce((eventsource = 'kms.amazonaws.com'), false) AND (coalesce((eventname = 'DisableKey'), false) OR coalesce((eventname = 'ScheduleKeyDeletion'), false)))),
    -- s3-bucket-policy-changes
    ((coalesce((eventsource = 's3.amazonaws.com'), false) AND (coalesce((eventname = 'PutBucketAcl'), false) OR coalesce((eventname = 'PutBucketPolicy'), false) OR coalesce((eventname = 'PutBucketCors'), false) OR coalesce((eventname = 'PutBucketLifecycle'), false) OR coalesce((eventname = 'PutBucketReplication'), false) OR coalesce((eventname = 'DeleteBucketPolicy'), false) OR coalesce((eventname = 'DeleteBucketCors'), false) OR coalesce((eventname = 'DeleteBucketLifecycle'), false) OR coalesce((eventname = 'DeleteBucketReplication'), false)))),
    -- config-changes
    ((coalesce((eventsource = 'config.amazonaws.com'), false) AND (coalesce((eventname = 'StopConfigurationRecorder'), false) OR coalesce((eventname = 'DeleteDeliveryChannel'), false) OR coalesce((eventname = 'PutDeliveryChannel'), false) OR coalesce((eventname = 'PutConfigurationRecorder'), false)))),
    -- security-group-changes
    ((coalesce((eventname = 'AuthorizeSecurityGroupIngress'), false) OR coalesce((eventname = 'AuthorizeSecurityGroupEgress'), false) OR coalesce((eventname = 'RevokeSecurityGroupIngress'), false) OR coalesce((eventname = 'RevokeSecurityGroupEgress'), false) OR coalesce((eventname = 'CreateSecurityGroup'), false) OR coalesce((eventname = 'DeleteSecurityGroup'), false))),
    -- nacl-changes
    ((coalesce((eventname = 'CreateNetworkAcl'), false) OR coalesce((eventname = 'CreateNetworkAclEntry'), false) OR coalesce((eventname = 'DeleteNetworkAcl'), false) OR coalesce((eventname = 'DeleteNetworkAclEntry'), false) OR coalesce((eventname = 'ReplaceNetworkAclEntry'), false) OR coalesce((eventname = 'ReplaceNetworkAclAssociation'), false))),
    -- network-gateway-changes
    ((coalesce((eventname = 'CreateCustomerGateway'), false) OR coalesce((eventname = 'DeleteCustomerGateway'), false) OR coalesce((eventname = 'AttachInternetGateway'), false) OR coalesce((eventname = 'CreateInternetGateway'), false) OR coalesce((eventname = 'DeleteInternetGateway'), false) OR coalesce((eventname = 'DetachInternetGateway'), false))),
    -- route-table-changes
    ((coalesce((eventname = 'CreateRoute'), false) OR coalesce((eventname = 'CreateRouteTable'), false) OR coalesce((eventname = 'ReplaceRoute'), false) OR coalesce((eventname = 'ReplaceRouteTableAssociation'), false) OR coalesce((eventname = 'DeleteRouteTable'), false) OR coalesce((eventname = 'DeleteRoute'), false) OR coalesce((eventname = 'DisassociateRouteTable'), false))),
    -- vpc-changes
    ((coalesce((eventname = 'CreateVpc'), false) OR coalesce((eventname = 'DeleteVpc'), false) OR coalesce((eventname = 'ModifyVpcAttribute'), false) OR coalesce((eventname = 'AcceptVpcPeeringConnection'), false) OR coalesce((eventname = 'CreateVpcPeeringConnection'), false) OR coalesce((eventname = 'DeleteVpcPeeringConnection'), false) OR coalesce((eventname = 'RejectVpcPeeringConnection'), false) OR coalesce((eventname = 'AttachClassicLinkVpc'), false) OR coalesce((eventname = 'DetachClassicLinkVpc'), false) OR coalesce((eventname = 'DisableVpcClassicLink'), false) OR coalesce((eventname = 'EnableVpcClassicLink'), false))),
    -- organizations-changes
    ((coalesce((eventsource = 'organizations.amazonaws.com'), false) AND (coalesce((eventname = 'AcceptHandshake'), false) OR coalesce((eventname = 'AttachPolicy'), false) OR coalesce((eventname = 'CreateAccount'), false) OR coalesce((eventname = 'CreateOrganizationalUnit'), false) OR coalesce((eventname = 'CreatePolicy'), false) OR coalesce((eventname = 'DeclineHandshake'), false) OR coalesce((eventname = 'DeleteOrganization'), false) OR coalesce((eventname = 'DeleteOrganizationalUnit'), false) OR coalesce((eventname = 'DeletePolicy'), false) OR coalesce((eventname = 'DetachPolicy'), false) OR coalesce((eventname = 'DisablePolicyType'), false) OR coalesce((eventname = 'EnablePolicyType'), false) OR coalesce((eventname = 'InviteAccountToOrganization'), false) OR coalesce((eventname = 'LeaveOrganization'), false) OR coalesce((eventname = 'MoveAccount'), false) OR coalesce((eventname = 'RemoveAccountFromOrganization'), false) OR coalesce((eventname = 'UpdatePolicy'), false) OR coalesce((eventname = 'UpdateOrganizationalUnit'), false)))),
    -- ec2-power-operations
    ((coalesce((eventsource = 'ec2.amazonaws.com'), false) AND (coalesce((eventname = 'StartInstances'), false) OR coalesce((eventname = 'StopInstances'), false) OR coalesce((eventname = 'TerminateInstances'), false) OR coalesce((eventname = 'RebootInstances'), false)))),
    -- mass-instance-termination
    ((coalesce((eventname = 'TerminateInstances'), false) AND coalesce(CASE WHEN substr(json_format(json_extract(CASE WHEN substr(json_format(json_extract(json_extract(requestparameters, '$'), '$["instancesSet"]["items"]')), 1, 1) = '[' THEN json_extract(json_extract(json_extract(requestparameters, '$'), '$["instancesSet"]["items"]'), '$[4]') END, '$["instanceId"]')), 1, 1) IN ('"', 't', 'f') THEN true WHEN regexp_like(json_format(json_extract(CASE WHEN substr(json_format(json_extract(json_extract(requestparameters, '$'), '$["instancesSet"]["items"]')), 1, 1) = '[' THEN json_extract(json_extract(json_extract(requestparameters, '$'), '$["instancesSet"]["items"]'), '$[4]') END, '$["instanceId"]')), '^-?[0-9]') THEN true ELSE false END, false))),
    -- ebs-volume-force-detach
    ((coalesce((eventname = 'DetachVolume'), false) AND coalesce(json_format(json_extract(json_extract(requestparameters, '$'), '$["force"]')) = 'true', false))),
    -- vpc-flow-log-changes
    ((coalesce((eventname = 'CreateFlowLogs'), false) OR coalesce((eventname = 'DeleteFlowLogs'), false))),
    -- rds-db-changes
    ((coalesce((eventsource = 'rds.amazonaws.com'), false) AND (coalesce((eventname = 'CreateDBInstance'), false) OR coalesce((eventname = 'CreateDBInstanceReadReplica'), false) OR coalesce((eventname = 'CreateDBCluster'), false) OR coalesce((eventname = 'CopyDBSnapshot'), false) OR coalesce((eventname = 'CopyDBClusterSnapshot'), false) OR coalesce((eventname = 'DeleteDBInstance'), false) OR coalesce((eventname = 'DeleteDBCluster'), false)))),
    -- large-instance-launched
    ((coalesce((eventname = 'RunInstances'), false) AND (coalesce(CASE WHEN substr(json_format(json_extract(json_extract(requestparameters, '$'), '$["instanceType"]')), 1, 1) IN ('"', 't', 'f') THEN (json_extract_scalar(json_extract(json_extract(requestparameters, '$'), '$["instanceType"]'), '$') = 'p5.48xlarge''''') ELSE false END, false) OR coalesce(CASE WHEN substr(json_format(json_extract(json_extract(requestparameters, '$'), '$["instanceType"]')), 1, 1) IN ('"', 't', 'f') THEN (json_extract_scalar(json_extract(json_extract(requestparameters, '$'), '$["instanceType"]'), '$') = '%') ELSE false END, false)))),
    -- security-group-lifecycle
    ((coalesce((eventname = 'CreateSecurityGroup'), false) OR coalesce((eventname = 'DeleteSecurityGroup'), false) OR coalesce((eventname = 'CreateCacheSecurityGroup'), false) OR coalesce((eventname = 'DeleteCacheSecurityGroup'), false) OR coalesce((eventname = 'CreateClusterSecurityGroup'), false) OR coalesce((eventname = 'DeleteClusterSecurityGroup'), false) OR coalesce((eventname = 'CreateDBSecurityGroup'), false) OR coalesce((eventname = 'DeleteDBSecurityGroup'), false))),
    -- instance-security-group-changes
    ((coalesce((eventname = 'ModifyInstanceAttribute'), false) AND coalesce(CASE WHEN substr(json_format(json_extract(CASE WHEN substr(json_format(json_extract(json_extract(requestparameters, '$'), '$["groupSet"]["items"]')), 1, 1) = '[' THEN json_extract(json_extract(json_extract(requestparameters, '$'), '$["groupSet"]["items"]'), '$[0]') END, '$["groupId"]')), 1, 1) IN ('"', 't', 'f') THEN true WHEN regexp_like(json_format(json_extract(CASE WHEN substr(json_format(json_extract(json_extract(requestparameters, '$'), '$["groupSet"]["items"]')), 1, 1) = '[' THEN json_extract(json_extract(json_extract(requestparameters, '$'), '$["groupSet"]["items"]'), '$[0]') END, '$["groupId"]')), '^-?[0-9]') THEN true ELSE false END, false))),
    -- elastic-ip-changes
    ((coalesce((eventname = 'AllocateAddress'), false) OR coalesce((eventname = 'ReleaseAddress'), false) OR coalesce((eventname = 'AssociateAddress'), false) OR coalesce((eventname = 'DisassociateAddress'), false))),
    -- untrusted-source-api-calls
    ((coalesce(NOT (sourceipaddress = '1.2.3.4'' OR ''1''=''1'), false) AND coalesce(NOT (sourceipaddress = 'x"y'), false) AND coalesce(NOT (sourceipaddress = 'a\b'), false) AND coalesce(NOT starts_with(sourceipaddress, '100%_'), false) AND coalesce(NOT (sourceipaddress = '''); DROP TABLE t; --'), false) AND coalesce(NOT (sourceipaddress = '/* c */ é'), false) AND coalesce(NOT (substr(sourceipaddress, -14) = '.amazonaws.com'), false) AND coalesce(NOT (sourceipaddress = 'AWS Internal'), false) AND coalesce(NOT (useridentity.type = 'AWSService'), false))),
    -- watched-service-mutations
    ((coalesce((eventsource = 's3.amazonaws.com'' -- UNION SELECT 1'), false) AND coalesce(readonly = 'false', false))),
    -- quoted-member
    ((coalesce(CASE WHEN substr(json_format(json_extract(json_extract(requestparameters, '$'), '$["it''''s.a.key"]')), 1, 1) IN ('"', 't', 'f') THEN (json_extract_scalar(json_extract(json_extract(requestparameters, '$'), '$["it''''s.a.key"]'), '$') = 'v''; --') ELSE false END, false) OR coalesce(CASE WHEN substr(json_format(json_extract(json_extract(additionaleventdata, '$'), '$["x"]')), 1, 1) IN ('"', 't', 'f') THEN (strpos(json_extract_scalar(json_extract(json_extract(additionaleventdata, '$'), '$["x"]'), '$'), '%_') > 0) ELSE false END, false)))
  ] AS hits
  FROM "cloudtrail_logs"
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
    SELECT m.i, floor(CASE WHEN regexp_like(m.t, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$') THEN to_unixtime(try(from_iso8601_timestamp(m.t))) END / x.period) * x.period AS p
    FROM matched m JOIN filters x ON x.i = m.i
  ) WHERE p IS NOT NULL GROUP BY i, p
)
SELECT filter_id, period_start, matches, first_event_time, last_event_time FROM (
  SELECT x.i, -1 AS p, x.filter_id, CAST(NULL AS VARCHAR) AS period_start,
    coalesce(s.matches, 0) AS matches, nullif(s.first_t, '') AS first_event_time,
    nullif(s.last_t, '') AS last_event_time
  FROM filters x LEFT JOIN totals s ON s.i = x.i
  UNION ALL
  SELECT x.i, y.p, x.filter_id, format_datetime(from_unixtime(y.p, 'UTC'), 'yyyy-MM-dd''T''HH:mm:ss''Z'''), y.matches,
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
  FROM periods y JOIN filters x ON x.i = y.i
) q
ORDER BY q.i, q.p
