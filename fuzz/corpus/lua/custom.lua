-- filters/custom.lua — hardengen's custom detections (beyond the CIS controls).
--
-- Each filter{} becomes one CloudWatch Logs metric filter and one alarm on the
-- CloudTrail log group. Patterns are built with the helpers (eq, any_of,
-- all_of, ...), so values from env.vars are always quoted and cannot change a
-- pattern's structure.
--
-- Filters that need a value from the profile's `vars` are left out when that
-- var is not set (an infra repo that does not watch anything does not get an
-- empty or always-true alarm); `hardengen list --env ENV` shows what an env
-- really gets. The vars read here:
--   large_instance_types   list of EC2 instance types    (large-instance-launched)
--   watched_volume_ids     list of EBS volume ids         (watched-volume-changes, prod)
--   watched_instance_ids   list of EC2 instance ids       (watched-instance-changes, prod)
--   trusted_source_ips     list of addresses or prefixes  (untrusted-source-api-calls)
--                          ("203.0.113.*" is a prefix)
--   watched_event_source   an event source, or a list    (watched-service-mutations)
--                          ("secretsmanager.amazonaws.com")
-- Each may be a single string or a list of strings.

local vars = env.vars

-- A var as a plain list of strings, or nil when it is not set.
local function list(name)
  local v = vars[name]
  if v == nil then
    return nil
  end
  if type(v) == "string" then
    return { v }
  end
  if type(v) ~= "table" then
    error("env.vars." .. name .. " must be a string or a list of strings", 2)
  end
  local out = {}
  for i, item in ipairs(v) do
    if type(item) ~= "string" then
      error("env.vars." .. name .. "[" .. i .. "] must be a string", 2)
    end
    out[#out + 1] = item
  end
  if #out == 0 then
    return nil
  end
  return out
end

-- A CloudTrail record with the fields every management event carries;
-- fields in t are added or replace the defaults.
local function event(t)
  local e = {
    eventVersion = "1.08",
    userIdentity = {
      type = "IAMUser",
      principalId = "AIDAEXAMPLEPRINCIPAL",
      arn = "arn:aws:iam::123456789012:user/alice",
      accountId = "123456789012",
      userName = "alice",
    },
    eventTime = "2024-05-01T12:00:00Z",
    awsRegion = "eu-west-1",
    sourceIPAddress = "198.51.100.23",
    userAgent = "aws-cli/2.15.0",
    requestID = "5d2b1a4e-0000-4000-8000-000000000001",
    eventID = "0c8a7e55-0000-4000-8000-000000000001",
    readOnly = false,
    eventType = "AwsApiCall",
    managementEvent = true,
    recipientAccountId = "123456789012",
    eventCategory = "Management",
  }
  for k, v in pairs(t) do
    e[k] = v
  end
  return e
end

local function ec2(name, params, extra)
  local t = { eventSource = "ec2.amazonaws.com", eventName = name, requestParameters = params or null }
  for k, v in pairs(extra or {}) do
    t[k] = v
  end
  return event(t)
end

local function instances(...)
  local items = {}
  for i, id in ipairs({ ... }) do
    items[i] = { instanceId = id }
  end
  return { instancesSet = { items = items } }
end

-- 1. A burst of EC2 power operations (the original design's "EC2 power" alarm).
filter {
  id = "ec2-power-operations",
  title = "EC2 instances started, stopped, terminated or rebooted in bulk",
  pattern = all_of {
    eq("$.eventSource", "ec2.amazonaws.com"),
    any_of("$.eventName", { "StartInstances", "StopInstances", "TerminateInstances", "RebootInstances" }),
  },
  envs = "all",
  topic = "devops",
  alarm = { threshold = 10, period = 300, evaluation_periods = 1 },
  examples = {
    match = {
      ec2("StopInstances", instances("i-0a1b2c3d4e5f60001")),
      ec2("RebootInstances", instances("i-0a1b2c3d4e5f60002")),
    },
    nomatch = {
      ec2("DescribeInstances", null, { readOnly = true }),
      event({ eventSource = "rds.amazonaws.com", eventName = "StopDBInstance" }),
    },
  },
}

-- 2. Mass termination: one call that terminates five or more instances.
filter {
  id = "mass-instance-termination",
  title = "Five or more EC2 instances terminated in one call",
  pattern = all_of {
    eq("$.eventName", "TerminateInstances"),
    exists("$.requestParameters.instancesSet.items[4].instanceId"),
  },
  topic = "infosec",
  alarm = { threshold = 1 },
  examples = {
    match = {
      ec2("TerminateInstances", instances("i-01", "i-02", "i-03", "i-04", "i-05", "i-06")),
    },
    nomatch = {
      ec2("TerminateInstances", instances("i-01", "i-02")),
      ec2("StopInstances", instances("i-01", "i-02", "i-03", "i-04", "i-05")),
    },
  },
}

-- 3. EBS volumes detached by force (data can be lost or exfiltrated).
filter {
  id = "ebs-volume-force-detach",
  title = "EBS volume detached with force",
  pattern = all_of {
    eq("$.eventName", "DetachVolume"),
    eq("$.requestParameters.force", true),
  },
  topic = "infosec",
  examples = {
    match = {
      ec2("DetachVolume", { volumeId = "vol-0123456789abcdef0", instanceId = "i-0a1b2c3d4e5f60001", force = true }),
    },
    nomatch = {
      ec2("DetachVolume", { volumeId = "vol-0123456789abcdef0", force = false }),
      ec2("DetachVolume", { volumeId = "vol-0123456789abcdef0" }),
    },
  },
}

-- 4. VPC flow logs created or deleted (deleting them blinds network forensics).
filter {
  id = "vpc-flow-log-changes",
  title = "VPC flow log created or deleted",
  pattern = any_of("$.eventName", { "CreateFlowLogs", "DeleteFlowLogs" }),
  topic = "infosec",
  examples = {
    match = {
      ec2("DeleteFlowLogs", { DeleteFlowLogsRequest = { FlowLogId = { content = "fl-064ed3a785e4a37ef", tag = 1 } } }),
      ec2("CreateFlowLogs", { CreateFlowLogsRequest = { ResourceType = "VPC", TrafficType = "REJECT" } }),
    },
    nomatch = {
      ec2("DescribeFlowLogs", null, { readOnly = true }),
    },
  },
}

-- 5. RDS databases created, copied or deleted.
filter {
  id = "rds-db-changes",
  title = "RDS database or snapshot created, copied or deleted",
  pattern = all_of {
    eq("$.eventSource", "rds.amazonaws.com"),
    any_of("$.eventName", {
      "CreateDBInstance", "CreateDBInstanceReadReplica", "CreateDBCluster",
      "CopyDBSnapshot", "CopyDBClusterSnapshot",
      "DeleteDBInstance", "DeleteDBCluster",
    }),
  },
  topic = "devops",
  examples = {
    match = {
      event({ eventSource = "rds.amazonaws.com", eventName = "DeleteDBInstance",
              requestParameters = { dBInstanceIdentifier = "orders-db", skipFinalSnapshot = true } }),
      event({ eventSource = "rds.amazonaws.com", eventName = "CopyDBSnapshot",
              requestParameters = { sourceDBSnapshotIdentifier = "orders-db-2024-05-01",
                                    targetDBSnapshotIdentifier = "copy-1" } }),
    },
    nomatch = {
      event({ eventSource = "rds.amazonaws.com", eventName = "DescribeDBInstances", readOnly = true }),
      ec2("CopySnapshot", { sourceSnapshotId = "snap-0123" }),
    },
  },
}

-- 6. Large (expensive) instance types launched: a classic sign of crypto mining.
local large = list("large_instance_types")
if large then
  filter {
    id = "large-instance-launched",
    title = "Large EC2 instance type launched",
    pattern = all_of {
      eq("$.eventName", "RunInstances"),
      any_of("$.requestParameters.instanceType", large),
    },
    topic = "infosec",
    examples = {
      match = {
        ec2("RunInstances", { instanceType = large[1], instancesSet = { items = { { imageId = "ami-0abc", minCount = 1, maxCount = 1 } } } }),
      },
      nomatch = {
        ec2("RunInstances", { instanceType = "t3.micro.example-not-large" }),
        ec2("StartInstances", instances("i-0a1b2c3d4e5f60001"), { instanceType = large[1] }),
      },
    },
  }
end

-- 7. Changes to watched volumes and instances (production only).
local volumes = list("watched_volume_ids")
if volumes then
  filter {
    id = "watched-volume-changes",
    title = "A watched EBS volume was changed",
    pattern = all_of {
      eq("$.readOnly", false),
      any_of("$.requestParameters.volumeId", volumes),
    },
    envs = { "prod" },
    topic = "infosec",
    examples = {
      match = {
        ec2("DetachVolume", { volumeId = volumes[1], instanceId = "i-0a1b2c3d4e5f60001" }),
        ec2("DeleteVolume", { volumeId = volumes[1] }),
      },
      nomatch = {
        ec2("DescribeVolumes", { volumeId = volumes[1] }, { readOnly = true }),
        ec2("DeleteVolume", { volumeId = "vol-not-watched-0000" }),
      },
    },
  }
end

local watched = list("watched_instance_ids")
if watched then
  -- Calls name instances in instancesSet.items (Stop/Start/Terminate/...) or
  -- in instanceId (ModifyInstanceAttribute, ...). A pattern may hold at most
  -- 3 wildcard selectors, so beyond 3 ids only the first item of a call is
  -- compared.
  local item = #watched <= 3 and "$.requestParameters.instancesSet.items[*].instanceId"
      or "$.requestParameters.instancesSet.items[0].instanceId"
  filter {
    id = "watched-instance-changes",
    title = "A watched EC2 instance was changed",
    pattern = all_of {
      eq("$.readOnly", false),
      either {
        any_of(item, watched),
        any_of("$.requestParameters.instanceId", watched),
      },
    },
    envs = { "prod" },
    topic = "infosec",
    examples = {
      match = {
        ec2("StopInstances", instances(watched[1])),
        ec2("ModifyInstanceAttribute", { instanceId = watched[1], disableApiTermination = { value = false } }),
      },
      nomatch = {
        ec2("DescribeInstances", instances(watched[1]), { readOnly = true }),
        ec2("StopInstances", instances("i-not-watched-00000")),
      },
    },
  }
end

-- 8. Security groups created or deleted in EC2, ElastiCache, Redshift and RDS.
filter {
  id = "security-group-lifecycle",
  title = "Security group created or deleted (EC2, ElastiCache, Redshift, RDS)",
  pattern = any_of("$.eventName", {
    "CreateSecurityGroup", "DeleteSecurityGroup",
    "CreateCacheSecurityGroup", "DeleteCacheSecurityGroup",
    "CreateClusterSecurityGroup", "DeleteClusterSecurityGroup",
    "CreateDBSecurityGroup", "DeleteDBSecurityGroup",
  }),
  topic = "infosec",
  examples = {
    match = {
      ec2("CreateSecurityGroup", { groupName = "web", groupDescription = "web tier", vpcId = "vpc-0255d384b4b458b46" }),
      event({ eventSource = "redshift.amazonaws.com", eventName = "DeleteClusterSecurityGroup",
              requestParameters = { clusterSecurityGroupName = "analytics" } }),
    },
    nomatch = {
      ec2("DescribeSecurityGroups", null, { readOnly = true }),
      ec2("AuthorizeSecurityGroupIngress", { groupId = "sg-0123" }),
    },
  },
}

-- 9. Security groups of an instance changed.
filter {
  id = "instance-security-group-changes",
  title = "Security groups of an EC2 instance changed",
  pattern = all_of {
    eq("$.eventName", "ModifyInstanceAttribute"),
    exists("$.requestParameters.groupSet.items[0].groupId"),
  },
  topic = "infosec",
  examples = {
    match = {
      ec2("ModifyInstanceAttribute", { instanceId = "i-0a1b2c3d4e5f60001",
                                       groupSet = { items = { { groupId = "sg-0123456789abcdef0" } } } }),
    },
    nomatch = {
      ec2("ModifyInstanceAttribute", { instanceId = "i-0a1b2c3d4e5f60001", instanceType = { value = "m5.large" } }),
    },
  },
}

-- 10. Elastic IP addresses allocated, released, associated or disassociated.
filter {
  id = "elastic-ip-changes",
  title = "Elastic IP address allocated, released, associated or disassociated",
  pattern = any_of("$.eventName", { "AllocateAddress", "ReleaseAddress", "AssociateAddress", "DisassociateAddress" }),
  topic = "devops",
  examples = {
    match = {
      ec2("AllocateAddress", { domain = "vpc" }),
      ec2("AssociateAddress", { allocationId = "eipalloc-08a083beb7e83dbc0", instanceId = "i-0a1b2c3d4e5f60001" }),
    },
    nomatch = {
      ec2("DescribeAddresses", null, { readOnly = true }),
    },
  },
}

-- 11. API calls from addresses that are not trusted. "Not any of the trusted
-- addresses" is the && of != clauses (an || of != would be true for every
-- event). Calls made by AWS services on the account's behalf carry a service
-- name or "AWS Internal" as their source and are left out.
local trusted = list("trusted_source_ips")
if trusted then
  local clauses = {}
  for _, ip in ipairs(trusted) do
    clauses[#clauses + 1] = ne("$.sourceIPAddress", ip)
  end
  clauses[#clauses + 1] = ne("$.sourceIPAddress", "*.amazonaws.com")
  clauses[#clauses + 1] = ne("$.sourceIPAddress", "AWS Internal")
  clauses[#clauses + 1] = ne("$.userIdentity.type", "AWSService")
  local nomatch = {
    ec2("DescribeInstances", null, { sourceIPAddress = "ec2.amazonaws.com", readOnly = true }),
  }
  local first = trusted[1]:gsub("%*$", "10")
  if not first:find("*", 1, true) then
    nomatch[#nomatch + 1] = ec2("StopInstances", instances("i-01"), { sourceIPAddress = first })
  end
  filter {
    id = "untrusted-source-api-calls",
    title = "API call from an untrusted source address",
    pattern = all_of(clauses),
    topic = "infosec",
    examples = {
      match = {
        ec2("StopInstances", instances("i-01"), { sourceIPAddress = "198.18.203.77" }),
      },
      nomatch = nomatch,
    },
  }
end

-- 12. Mutating calls to a watched service.
local sources = list("watched_event_source")
if sources then
  filter {
    id = "watched-service-mutations",
    title = "Mutating call to a watched AWS service",
    pattern = all_of {
      any_of("$.eventSource", sources),
      eq("$.readOnly", false),
    },
    topic = "infosec",
    examples = {
      match = {
        event({ eventSource = sources[1], eventName = "DeleteResource", readOnly = false }),
      },
      nomatch = {
        event({ eventSource = sources[1], eventName = "DescribeResource", readOnly = true }),
        event({ eventSource = "not-watched.example.com", eventName = "DeleteResource", readOnly = false }),
      },
    },
  }
end
