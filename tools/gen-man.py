#!/usr/bin/env python3
"""gen-man.py HARDENGEN OUT — write the hardengen(1) manual page from the
binary's own help texts (`hardengen help` and `hardengen help COMMAND`), so
the page cannot drift from the tool. `make man` runs it; tests/sh/manpages.sh
checks that doc/hardengen.1 is what it writes."""
import re
import subprocess
import sys

binary, out = sys.argv[1], sys.argv[2]


def run(*args):
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout


def esc(line):
    """roff-escape one line of text for a no-fill block."""
    line = line.replace("\\", "\\e").replace("-", "\\-")
    if line.startswith((".", "'")):
        line = "\\&" + line
    return line


overview = run("help")
version = run("version").split()[-1]
commands = []
for line in overview.splitlines():
    m = re.match(r"^  hardengen ([a-z][a-z0-9-]*)", line)
    if m:
        commands.append(m.group(1))

page = [
    f'.TH HARDENGEN 1 "" "hardengen {version}" "User Commands"',
    ".SH NAME",
    "hardengen \\- compile AWS account\\-hardening CloudFormation stacks",
    ".SH SYNOPSIS",
]
for c in commands:
    page.append(".nf")
    page.append(esc(run("help", c).splitlines()[0]))
    page.append(".fi")
page += [
    ".SH DESCRIPTION",
    "hardengen reads per\\-environment profiles (YAML, see",
    ".BR hardengen\\-profile (5))",
    "and Lua filter maps, and compiles them into a CloudFormation nested stack set",
    "that turns on and watches the account\\-level security controls: CloudTrail,",
    "AWS Config and CloudWatch metric filters with alarms for the CIS AWS",
    "Foundations Benchmark monitoring controls. It also checks CloudWatch Logs",
    "filter patterns, replays CloudTrail logs offline, lints IAM action names and",
    "publishes built stack sets to S3.",
    ".PP",
    "Commands that read profiles take",
    ".B \\-\\-root",
    "DIR; without it they use the current folder or the nearest folder above it",
    "that holds",
    ".IR profiles/ ,",
    "as git finds its repository.",
    ".PP",
    "Every command takes the common flags",
    ".B \\-\\-root",
    "DIR,",
    ".B \\-\\-format",
    "FMT (one of the command's formats; the first is the default) and",
    ".BR \\-h \", \" \\-\\-help ;",
    "a value follows its flag as the next argument or after",
    ".BR = ,",
    "options and operands mix in any order, and",
    ".B \\-\\-",
    "ends the options. For",
    ".B match",
    "and",
    ".BR lint\\-iam ,",
    ".B \\-\\-root",
    "DIR is the folder relative files are read from, as with",
    ".BR \"git \\-C\" .",
    "A usage error prints what is wrong and the command's synopsis, and exits 2.",
    ".SH COMMANDS",
]
for c in commands:
    page.append(f".SS {c}")
    page.append(".nf")
    page += [esc(l) for l in run("help", c).rstrip("\n").splitlines()]
    page.append(".fi")
page += [
    ".SH EXIT STATUS",
    ".TP",
    ".B 0",
    "success (for",
    ".BR diff \" and \" build \\-\\-check :",
    "up to date; for",
    ".BR match :",
    "a record matched)",
    ".TP",
    ".B 1",
    "the input is wrong (diagnostics printed), an example failed, the output is",
    "stale, or no record matched",
    ".TP",
    ".B 2",
    "usage error (and an invalid pattern for",
    ".BR match )",
    ".TP",
    ".B 3",
    "I/O, network or internal error (and a missing",
    ".B \\-\\-events",
    "path)",
    ".SH ENVIRONMENT",
    ".TP",
    ".B HARDENGEN_SHARE",
    "the folder holding the shipped",
    ".I filters/",
    "and",
    ".IR templates/",
    "(default: the installed share folder)",
    ".TP",
    ".BR AWS_ACCESS_KEY_ID \", \" AWS_SECRET_ACCESS_KEY \", \" AWS_SESSION_TOKEN \", \" AWS_PROFILE \", \" AWS_REGION",
    "credentials and Region for",
    ".BR publish ,",
    "found as the AWS CLI finds them",
    ".SH FILES",
    ".TP",
    ".I profiles/ENV.yaml",
    "one environment, see",
    ".BR hardengen\\-profile (5)",
    ".TP",
    ".I filters/*.lua",
    "filter maps of the repository; shipped ones come from the share folder",
    ".TP",
    ".I out/ENV/",
    "the built stack set and its",
    ".I manifest.json",
    ".SH SEE ALSO",
    ".BR hardengen\\-profile (5),",
    ".BR cfn\\-lint (1),",
    ".BR aws (1)",
]
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(page) + "\n")
