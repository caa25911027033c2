#!/usr/bin/env python3
"""Loopback fakes of the three credential endpoints hardengen reads that
moto does not serve, for tests/sh/creds.sh:

  GET /federation/credentials?role_name=R&account_id=A   IAM Identity Center portal
      (x-amz-sso_bearer_token must be SSO_TOKEN)
  GET /container/credentials                              container credentials
      (Authorization must be CONTAINER_TOKEN)
  PUT /latest/api/token                                   IMDSv2 session token
      (X-aws-ec2-metadata-token-ttl-seconds required)
  GET /latest/meta-data/iam/security-credentials/[ROLE]   IMDSv2 role and credentials
      (X-aws-ec2-metadata-token must be the issued token; no IMDSv1)

They hand out the credentials in CREDS_JSON (AccessKeyId, SecretAccessKey,
SessionToken, Expiration), so a publish signed with them is checked by moto.

usage: fake_aws.py PORT_FILE CREDS_JSON LOG_FILE
Listens on 127.0.0.1 on a free port written to PORT_FILE; logs one line per
request (method, path, the names of the auth headers present; never values).
"""
import datetime
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SSO_TOKEN = "sso-access-token-for-tests"
CONTAINER_TOKEN = "container-auth-token-for-tests"
IMDS_TOKEN = "imds-session-token-for-tests"
ROLE = "publisher-role"

port_file, creds_file, log_file = sys.argv[1:4]
creds = json.load(open(creds_file))


def expiration_ms():
    t = datetime.datetime.strptime(creds["Expiration"][:19], "%Y-%m-%dT%H:%M:%S")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def note(self):
        present = [h for h in ("Authorization", "x-amz-sso_bearer_token",
                               "X-aws-ec2-metadata-token",
                               "X-aws-ec2-metadata-token-ttl-seconds")
                   if self.headers.get(h) is not None]
        with open(log_file, "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path.split("?")[0], ",".join(present)))

    def send(self, status, body, ctype="application/json", extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        self.note()
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        if self.path == "/latest/api/token":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.send(400, "missing TTL", "text/plain")
            return self.send(200, IMDS_TOKEN, "text/plain")
        self.send(404, "not found", "text/plain")

    def do_GET(self):
        self.note()
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/federation/credentials":
            if self.headers.get("x-amz-sso_bearer_token") != SSO_TOKEN:
                return self.send(401, json.dumps({"message": "Session token not found or invalid"}),
                                 extra={"x-amzn-ErrorType": "UnauthorizedException"})
            if q.get("role_name") != ["Publisher"] or q.get("account_id") != ["123456789012"]:
                return self.send(403, json.dumps({"message": "No access"}),
                                 extra={"x-amzn-ErrorType": "ForbiddenException"})
            return self.send(200, json.dumps({"roleCredentials": {
                "accessKeyId": creds["AccessKeyId"],
                "secretAccessKey": creds["SecretAccessKey"],
                "sessionToken": creds["SessionToken"],
                "expiration": expiration_ms()}}))
        if url.path == "/container/credentials":
            if self.headers.get("Authorization") != CONTAINER_TOKEN:
                return self.send(401, json.dumps({"message": "bad token"}))
            return self.send(200, json.dumps({
                "AccessKeyId": creds["AccessKeyId"],
                "SecretAccessKey": creds["SecretAccessKey"],
                "Token": creds["SessionToken"],
                "Expiration": creds["Expiration"],
                "RoleArn": "arn:aws:iam::123456789012:role/" + ROLE}))
        if url.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.send(401, "", "text/plain")
            role = url.path[len("/latest/meta-data/iam/security-credentials/"):]
            if role == "":
                return self.send(200, ROLE, "text/plain")
            if role != ROLE:
                return self.send(404, "", "text/plain")
            return self.send(200, json.dumps({
                "Code": "Success", "LastUpdated": "2024-01-01T00:00:00Z", "Type": "AWS-HMAC",
                "AccessKeyId": creds["AccessKeyId"],
                "SecretAccessKey": creds["SecretAccessKey"],
                "Token": creds["SessionToken"],
                "Expiration": creds["Expiration"]}))
        self.send(404, "not found", "text/plain")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
