# corpus.jq — a deterministic corpus of CloudTrail-shaped records for the SQL
# backtest test: record i is a real record of the data sets (slurped input,
# chosen round-robin with a stride) changed by the mutations whose modulus
# divides i, so every filter of the prod profile sees matches, near misses,
# nulls, missing members, numbers and booleans where strings are expected.
#
#   jq -n -c --argjson n 100000 --slurpfile base records.jsonl -f corpus.jq
def pick($a; $k): $a[$k % ($a | length)];
def names: ["ConsoleLogin", "TerminateInstances", "DetachVolume", "RunInstances",
  "ModifyInstanceAttribute", "CreateTrail", "StopLogging", "PutBucketPolicy", "DeleteVpc",
  "AuthorizeSecurityGroupIngress", "CreateNetworkAcl", "DisableKey", "HeadBucket",
  "PutSecretValue", "GetSecretValue", "AttachRolePolicy", "CreateRoute", "DeleteFlowLogs",
  "StopInstances", "AllocateAddress", "CreateDBInstance", "AcceptHandshake"];
def stamp($i): 1704067200 + $i * 37 | todate;
$base as $b
| range($n) as $i
| pick($b; $i * 7919)
| .eventID = "gen-\($i)"
| .eventTime = (stamp($i)
    | if $i % 50 == 0 then sub("Z$"; ".250Z")
      elif $i % 97 == 0 then sub("Z$"; "+02:00")
      else . end)
| if $i % 211 == 0 then del(.eventTime) else . end
| if $i % 3 == 0 then .eventName = pick(names; $i / 3 | floor) else . end
| if $i % 7 == 0 then .eventSource = pick(["secretsmanager.amazonaws.com", "kms.amazonaws.com",
    "s3.amazonaws.com", "ec2.amazonaws.com", "config.amazonaws.com"]; $i / 7 | floor) else . end
| if $i % 11 == 0 then .readOnly = pick([false, true, "false", null]; $i / 11 | floor) else . end
| if $i % 13 == 0 then .errorCode = pick(["AccessDenied", "Client.UnauthorizedOperation",
    null, "AccessDeniedException", "accessdenied", 403]; $i / 13 | floor) else . end
| if $i % 17 == 0 then .sourceIPAddress = pick(["delivery.logs.amazonaws.com", "203.0.113.9",
    "198.51.100.200", "AWS Internal", "10.1.2.3", "ec2.amazonaws.com"]; $i / 17 | floor) else . end
| if $i % 19 == 0 then .userIdentity = pick([{"type": "Root"},
    {"type": "Root", "invokedBy": "s3.amazonaws.com"}, {"type": "Root", "invokedBy": null},
    {"type": "IAMUser"}, {"type": "AWSService"}, "Root"]; $i / 19 | floor) else . end
| if $i % 5 == 0 then .requestParameters = pick([
    {"instanceType": "m5.16xlarge"}, {"instanceType": "p5.48xlarge"}, {"instanceType": "c5.metal"},
    {"instanceType": "t3.micro"}, {"force": true}, {"force": "true"}, {"force": false},
    {"volumeId": "vol-0a1b2c3d4e5f60718"}, {"instanceId": "i-0123456789abcdef0"},
    {"instancesSet": {"items": [{"instanceId": "i-1"}, {"instanceId": "i-0a1b2c3d4e5f60718"}]}},
    {"instancesSet": {"items": [range(6) | {"instanceId": "i-\(.)"}]}},
    {"instancesSet": {"items": [range(5) | {"instanceId": null}]}},
    {"instancesSet": {"items": {"instanceId": "i-0123456789abcdef0"}}},
    {"groupSet": {"items": [{"groupId": "sg-1"}]}}, {"groupSet": {"items": []}},
    null, {}]; $i / 5 | floor) else . end
| if $i % 23 == 0 then .additionalEventData = pick([{"MFAUsed": "No"}, {"MFAUsed": "Yes"},
    null, {}]; $i / 23 | floor) else . end
| if $i % 29 == 0 then .responseElements = pick([null, {"ConsoleLogin": "Success"},
    {"ConsoleLogin": "Failure"}]; $i / 29 | floor) else . end
| if $i % 31 == 0 then .errorMessage = "Failed authentication" else . end
| if $i % 41 == 0 then .eventType = pick(["AwsServiceEvent", "AwsApiCall"]; $i / 41 | floor) else . end
