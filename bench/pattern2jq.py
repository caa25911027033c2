#!/usr/bin/env python3
"""pattern2jq.py — translate CloudWatch Logs JSON filter patterns to jq.

    pattern2jq.py < list.json > program.jq

Reads `hardengen list --format json` ({"filters":[{"id","pattern"},...]}) and
prints one jq program that reads every input once (JSON lines, or
{"Records":[...]} documents) and prints {"ID": matches, ...}. It is the peer of
the backtest benchmark: a program a user would write by hand, written
independently of hardengen's evaluator (semantics from
shared/reference/filter-patterns.md). Patterns it cannot translate (term,
space-delimited, regex-only) are left out and listed on stderr.
"""
import json
import re
import sys


class Untranslatable(Exception):
    pass


TOKEN = re.compile(r"""
    \s*(?:
      (?P<lp>\() | (?P<rp>\)) | (?P<and>&&) | (?P<or>\|\|)
    | (?P<op>!=|<=|>=|=|<|>)
    | (?P<kw>IS\s+NULL|IS\s+TRUE|IS\s+FALSE|NOT\s+EXISTS)
    | (?P<sel>\$(?:\.\[\'[^\']*\'\]|\.[A-Za-z0-9_\-]+|\.\*|\[\d+\]|\[\*\])*)
    | (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<re>%(?:[^%\\]|\\.)*%)
    | (?P<word>[A-Za-z0-9_.*:@/\-+]+)
    )""", re.X)


def tokens(body):
    pos, out = 0, []
    while pos < len(body):
        if body[pos:].strip() == "":
            break
        m = TOKEN.match(body, pos)
        if not m or m.end() == pos:
            raise Untranslatable("cannot read %r" % body[pos:pos + 20])
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def steps(sel):
    out = []
    for m in re.finditer(r"\.\[\'([^\']*)\'\]|\.([A-Za-z0-9_\-]+)|\.\*|\[(\d+)\]|\[\*\]", sel[1:]):
        if m.group(1) is not None or m.group(2) is not None:
            out.append(m.group(1) if m.group(1) is not None else m.group(2))
        elif m.group(3) is not None:
            out.append(int(m.group(3)))
        else:
            out.append(None)  # wildcard
    return out


def sel_stream(sel):
    """jq filter producing every value the selector reaches (empty if none)."""
    parts = []
    for st in steps(sel):
        if isinstance(st, str):
            k = json.dumps(st)
            parts.append('(select(type == "object" and has(%s)) | .[%s])' % (k, k))
        elif isinstance(st, int):
            parts.append('(select(type == "array" and length > %d) | .[%d])' % (st, st))
        else:
            parts.append('(select(type == "object" or type == "array") | .[])')
    return "$e | " + (" | ".join(parts) if parts else ".")


SELS = {}  # selector path (JSON text) -> variable name, bound once per event


def sel_value(sel):
    """For a selector without wildcards: one value, null when it reaches nothing.
    Every distinct selector is read once per event into a variable."""
    st = steps(sel)
    if None in st:
        return None
    key = json.dumps(st)
    if key not in SELS:
        SELS[key] = "$s%d" % len(SELS)
    return SELS[key]


def text_match(v):
    """jq predicate on a string . for a pattern value with * wildcards."""
    star_l = v.startswith("*")
    star_r = v.endswith("*") and not v.endswith("\\*") and len(v) > 1
    if v == "*":
        return "true"
    core = v[1 if star_l else 0: len(v) - 1 if star_r else len(v)]
    core = core.replace("\\*", "*")
    s = json.dumps(core)
    if star_l and star_r:
        return "contains(%s)" % s
    if star_l:
        return "endswith(%s)" % s
    if star_r:
        return "startswith(%s)" % s
    return ". == %s" % s


def cond(sel, op, kind, val):
    one = sel_value(sel)
    stream = sel_stream(sel)
    if kind == "re":
        rx = json.dumps(val[1:-1])
        pred = 'type == "string" and test(%s)' % rx
        if op == "!=":
            pred = 'type == "string" and (test(%s) | not)' % rx
        elif op != "=":
            raise Untranslatable("regex with " + op)
    else:
        if kind == "str":
            text, isnum = json.loads(val), False
        else:
            text = val
            isnum = re.fullmatch(r"-?\d+(\.\d+)?([eE][+-]?\d+)?", val) is not None
        if op in ("<", ">", "<=", ">="):
            if not isnum:
                raise Untranslatable("ordering on text")
            pred = 'type == "number" and . %s %s' % (op, text)
        else:
            m = text_match(text)
            if isnum:
                eq = '(type == "number" and . == %s) or (type == "string" and (%s))' % (text, m)
            elif m.startswith(". == "):
                eq = m  # exact text: only an equal string matches
            else:
                eq = '(type == "string" and (%s))' % m
            if op == "=":
                pred = eq
            elif op == "!=":
                pred = '(type == "string" or type == "number" or type == "boolean") and ((%s) | not)' % eq
            else:
                raise Untranslatable(op)
    if one is not None:
        return "(%s | %s)" % (one, pred)
    return "any(%s; %s)" % (stream, pred)


def exists_not(sel):
    st = steps(sel)
    if None in st:
        return "([%s] | length == 0)" % sel_stream(sel)
    checks, cur = [], "$e"
    for k in st:
        if isinstance(k, str):
            checks.append('(%s | type == "object" and has(%s))' % (cur, json.dumps(k)))
        else:
            checks.append('(%s | type == "array" and length > %d)' % (cur, k))
        cur = "%s[%s]" % (cur, json.dumps(k))
    return "((%s) | not)" % " and ".join(checks) if checks else "false"


def parse(pattern):
    p = pattern.strip()
    if not (p.startswith("{") and p.endswith("}")):
        raise Untranslatable("not a JSON pattern")
    toks = tokens(p[1:-1])
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else (None, None)

    def take():
        t = peek()
        pos[0] += 1
        return t

    def expr():
        left = conj()
        while peek()[0] == "or":
            take()
            left = "(%s or %s)" % (left, conj())
        return left

    def conj():
        left = unary()
        while peek()[0] == "and":
            take()
            left = "(%s and %s)" % (left, unary())
        return left

    def unary():
        k, v = take()
        if k == "lp":
            e = expr()
            if take()[0] != "rp":
                raise Untranslatable("')' expected")
            return e
        if k != "sel":
            raise Untranslatable("selector expected")
        k2, v2 = take()
        if k2 == "kw":
            w = " ".join(v2.split())
            st = sel_stream(v)
            return {"IS NULL": "any(%s; . == null)" % st, "IS TRUE": "any(%s; . == true)" % st,
                    "IS FALSE": "any(%s; . == false)" % st,
                    "NOT EXISTS": exists_not(v)}[w]
        if k2 != "op":
            raise Untranslatable("operator expected")
        k3, v3 = take()
        if k3 not in ("str", "re", "word"):
            raise Untranslatable("value expected")
        return cond(v, v2, k3, v3)

    e = expr()
    if pos[0] != len(toks):
        raise Untranslatable("trailing tokens")
    return e


def main():
    doc = json.load(sys.stdin)
    ids, conds = [], []
    for f in doc["filters"]:
        try:
            c = parse(f["pattern"])
        except Untranslatable as ex:
            print("pattern2jq: %s left out: %s" % (f["id"], ex), file=sys.stderr)
            continue
        ids.append(f["id"])
        conds.append(c)
    init = "[" + ",".join("0" for _ in ids) + "]"
    upd = " | ".join("(if %s then .[%d] += 1 else . end)" % (c, i) for i, c in enumerate(conds))
    binds = "".join("($e | try getpath(%s) catch null) as %s | " % (k, v) for k, v in SELS.items())
    upd = binds + (upd or ".")
    print("reduce (inputs | if type == \"object\" and (.Records | type) == \"array\" then .Records[] "
          "elif type == \"array\" then .[] else . end) as $e\n  (%s; %s)\n| [%s] as $ids "
          "| [range(0; length) as $i | {key: $ids[$i], value: .[$i]}] | from_entries"
          % (init, upd, ",".join(json.dumps(i) for i in ids)))


if __name__ == "__main__":
    main()
