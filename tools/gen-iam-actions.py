#!/usr/bin/env python3
"""gen-iam-actions.py — regenerate share/iam-actions.txt, the list of every IAM action.

    tools/gen-iam-actions.py [OUTPUT]        (default: share/iam-actions.txt)

Works offline, from two Python packages installed on the build machines:

1. The set of actions: cfn-lint's cfnlint/data/AdditionalSpecs/Policies.json,
   which carries AWS's Service Authorization Reference (every service prefix and
   the actions it defines), lower-cased.

2. The casing of each action, in this order of preference:
   a. botocore service models (botocore/data/SERVICE/VERSION/service-2.json[.gz]):
      an operation whose lower-cased name equals the action, in a model whose
      metadata.signingName or metadata.endpointPrefix is the action's service
      prefix. Most IAM actions are named after the API operation they authorise.
   b. the same, in any botocore model (a shared operation name such as
      "TagResource" or "ListTagsForResource" is spelt the same everywhere).
   c. a word split: the lower-case action is cut into words with a dynamic
      programme over a vocabulary learnt from every botocore operation name
      (CamelCase split; each word keeps its most frequent spelling, so "acl"
      becomes "Acl" and "ssh" "SSH"); the split with the fewest words wins,
      ties broken by the more frequent words. A chunk that is no known word is
      capitalised ("xyz" -> "Xyz"); a known word plus a common suffix ("ed",
      "ization", ...) stays one word; runs of digits stay as they are.
   Service prefixes stay lower-case, as AWS writes them.

The output is sorted by service prefix, then by lower-cased action name, one
`service:Action` per line, after a header of `#` comments that records the
source, its date and how many actions each casing method gave. Running the
script twice on the same packages gives the same bytes.
"""
import collections
import datetime
import gzip
import json
import math
import os
import re
import sys

import botocore
import cfnlint
from cfnlint.version import __version__ as CFNLINT_VERSION

SUFFIXES = ("s", "es", "d", "ed", "ing", "er", "ers", "ation", "ations", "ization",
            "izations", "ment", "ments", "able", "ly")
CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def load_policies():
    path = os.path.join(os.path.dirname(cfnlint.__file__), "data", "AdditionalSpecs", "Policies.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
    return path, data, mtime.strftime("%Y-%m-%d")


def load_botocore():
    """Yield (prefixes, operation names) per botocore service model."""
    root = os.path.join(os.path.dirname(botocore.__file__), "data")
    for service in sorted(os.listdir(root)):
        sdir = os.path.join(root, service)
        if not os.path.isdir(sdir):
            continue
        for version in sorted(os.listdir(sdir)):
            for name in ("service-2.json.gz", "service-2.json"):
                p = os.path.join(sdir, version, name)
                if not os.path.exists(p):
                    continue
                opener = gzip.open if p.endswith(".gz") else open
                with opener(p, "rt", encoding="utf-8") as f:
                    model = json.load(f)
                meta = model.get("metadata", {})
                prefixes = {x.lower() for x in (meta.get("signingName"), meta.get("endpointPrefix")) if x}
                shapes = model.get("shapes", {})
                names = list(shapes.keys())
                for sh in shapes.values():
                    names.extend(sh.get("members", {}).keys())
                yield prefixes, list(model.get("operations", {}).keys()), names
                break


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "share", "iam-actions.txt")
    pol_path, policies, pol_date = load_policies()

    by_prefix = collections.defaultdict(dict)     # prefix -> lower -> Name
    anywhere = collections.defaultdict(collections.Counter)  # lower -> Counter(Name)
    words = collections.defaultdict(collections.Counter)     # lower word -> Counter(Word)
    for prefixes, ops, names in load_botocore():
        for op in ops:
            for p in prefixes:
                by_prefix[p].setdefault(op.lower(), op)
            anywhere[op.lower()][op] += 1
        for name in ops + names:
            if name[:1].isupper():
                for w in CAMEL.findall(name):
                    words[w.lower()][w] += 1
    # Service prefixes are words too ("drs" in "GetAgentCommandForDrs").
    for prefix in policies:
        if prefix.isalpha():
            words[prefix][prefix.capitalize()] += 3
    freq = {w: sum(c.values()) for w, c in words.items()}
    # Rare fragments of all-capitals names ("ATI", "Iz") are noise, not words.
    vocab = {w: c.most_common(1)[0][0] for w, c in words.items()
             if not w.isdigit() and freq[w] >= (3 if len(w) > 2 else 20)}
    maxlen = max(len(w) for w in vocab)

    total = sum(freq.values())

    def cost(w):
        # Unigram word segmentation: a word costs -log of its frequency.
        return math.log(total / freq[w])

    def split(lower):
        # best[i] = (cost, pieces) of the cheapest split of lower[:i]
        n = len(lower)
        best = [None] * (n + 1)
        best[0] = (0.0, [])
        for i in range(n):
            if best[i] is None:
                continue
            c0, pieces = best[i]
            cands = []
            for j in range(i + 1, min(n, i + maxlen) + 1):
                w = lower[i:j]
                if w in vocab and (len(w) > 1 or w == "a"):
                    cands.append((j, vocab[w], cost(w)))
                    # An inflected form of a known word stays one word
                    # ("Confirmed", "Containerization").
                    if vocab[w][1:].islower():
                        for suf in SUFFIXES:
                            if lower.startswith(suf, j):
                                cands.append((j + len(suf), vocab[w] + suf, cost(w) + 1.0))
            m = re.match(r"[0-9]+", lower[i:])
            if m:
                cands.append((i + len(m.group(0)), m.group(0), 5.0))
            # An unknown chunk costs more than any run of known words.
            for j in range(i + 1, n + 1):
                cands.append((j, lower[i:j].capitalize(), 30.0 + 3.0 * (j - i)))
            for j, piece, c in cands:
                cand = (c0 + c, pieces + [piece])
                if best[j] is None or cand[0] < best[j][0]:
                    best[j] = cand
        return "".join(best[n][1])

    lines = []
    counts = collections.Counter()
    for prefix in sorted(policies):
        for lower in sorted(policies[prefix].get("Actions", {})):
            if lower in by_prefix.get(prefix, {}):
                name = by_prefix[prefix][lower]
                counts["botocore model of the same service"] += 1
            elif lower in anywhere:
                name = anywhere[lower].most_common(1)[0][0]
                counts["botocore model of another service"] += 1
            else:
                name = split(lower)
                counts["word split"] += 1
            assert name.lower() == lower, (prefix, lower, name)
            lines.append(f"{prefix}:{name}")

    header = [
        "# iam-actions.txt — every IAM action as service:Action in AWS casing, one per line.",
        f"# source: cfn-lint {CFNLINT_VERSION} cfnlint/data/AdditionalSpecs/Policies.json, dated {pol_date}",
        "#   (AWS Service Authorization Reference, lower-cased)",
        f"# casing: botocore {botocore.__version__} service models, then a word split (tools/gen-iam-actions.py)",
        f"# services: {len(policies)}; actions: {len(lines)}",
    ]
    for k in ("botocore model of the same service", "botocore model of another service", "word split"):
        header.append(f"#   cased from {k}: {counts[k]}")
    header.append("# regenerate: python3 tools/gen-iam-actions.py")
    text = "\n".join(header + lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, out_path)
    print(f"{out_path}: {len(policies)} services, {len(lines)} actions", file=sys.stderr)


if __name__ == "__main__":
    main()
