#!/usr/bin/env python3
"""check_html.py — structural checks of a `hardengen report` page.

usage: check_html.py PAGE.html [TEST.json]

Parses the page with html.parser and prints one line per problem (nothing
when the page is sound):
  - every element closed, in order (void elements excepted);
  - ids unique;
  - no <script>, <link>, <iframe>, <object>, <embed>, no on* attribute;
  - no external URL: src/href only "#fragment", and no url( or @import in CSS;
  - with TEST.json (`hardengen test --events ... --format json`): each
    filter row's data-matches and data-alarms equal its matches and
    alarms.fired, every filter has a row, and the per-day bars of a filter
    (the <title> "DAY: N" of the rects in its row and in the chart row
    below it, data-for=ID) sum to its charted matches.
"""
import json
import re
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
BANNED = {"script", "link", "iframe", "object", "embed", "base", "img"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.ids = [], [], {}
        self.rows = {}          # filter id -> attrs
        self.bars = {}          # filter id -> sum of bar counts
        self.row = None
        self.in_rect_title = False
        self.in_style = False
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        line = self.getpos()[0]
        if tag in BANNED:
            self.problems.append(f"line {line}: <{tag}> is not allowed")
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append(f"line {line}: event attribute {k}")
            if k in ("src", "href", "xlink:href", "action", "formaction") and not (v or "").startswith("#"):
                self.problems.append(f"line {line}: external {k}={v!r}")
            if k == "style" and v and re.search(r"url\s*\(|@import", v, re.I):
                self.problems.append(f"line {line}: url() in style attribute")
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append(f"line {line}: duplicate id {a['id']!r}")
            self.ids[a["id"]] = line
        if tag == "tr" and "data-id" in a:
            self.row = a["data-id"]
            self.rows[self.row] = a
            self.bars.setdefault(self.row, 0)
        if tag == "tr" and "data-for" in a:  # the chart row below a filter's row
            self.row = a["data-for"]
            if self.row not in self.rows:
                self.problems.append(f"line {line}: data-for={self.row!r} follows no filter row")
            self.bars.setdefault(self.row, 0)
        if tag == "title" and self.stack and self.stack[-1] == "rect":
            self.in_rect_title = True
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"line {self.getpos()[0]}: </{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "tr":
            self.row = None
        if tag == "title":
            self.in_rect_title = False
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        self.text.append(data)
        if self.in_style and re.search(r"url\s*\(|@import|https?:", data, re.I):
            self.problems.append("url(), @import or a URL in <style>")
        if self.in_rect_title and self.row:
            m = re.fullmatch(r"\d{4}-\d\d-\d\d: (\d+)", data.strip())
            if not m:
                self.problems.append(f"bar title {data!r}")
            else:
                self.bars[self.row] += int(m.group(1))


def main():
    src = open(sys.argv[1], encoding="utf-8").read()
    p = Page()
    p.feed(src)
    p.close()
    if p.stack:
        p.problems.append(f"unclosed at the end: {p.stack}")
    if not src.startswith("<!DOCTYPE html>"):
        p.problems.append("no doctype")
    if len(sys.argv) > 2:
        test = json.load(open(sys.argv[2]))
        for f in test["filters"]:
            r = p.rows.get(f["id"])
            if r is None:
                p.problems.append(f"no row for filter {f['id']}")
                continue
            if int(r.get("data-matches", -1)) != f["matches"]:
                p.problems.append(f"{f['id']}: matches {r.get('data-matches')} != {f['matches']}")
            if int(r.get("data-alarms", -1)) != f["alarms"]["fired"]:
                p.problems.append(f"{f['id']}: alarms {r.get('data-alarms')} != {f['alarms']['fired']}")
            charted = int(r.get("data-charted", -1))
            if charted != p.bars.get(f["id"], 0):
                p.problems.append(f"{f['id']}: bars sum to {p.bars.get(f['id'])}, charted {charted}")
            if charted > f["matches"]:
                p.problems.append(f"{f['id']}: charted {charted} > matches {f['matches']}")
    for line in p.problems:
        print(line)
    return 1 if p.problems else 0


if __name__ == "__main__":
    sys.exit(main())
