#!/usr/bin/env python3
"""gen_corpus.py — build the backtest benchmark corpus from the shared data sets.

    gen_corpus.py DATASETS_DIR OUT_DIR [EVENTS]

Replicates the 3,663 records of the three CloudTrail data sets until EVENTS
records exist (default 1,000,000), giving each copy its own eventID (a
UUID-shaped counter) and eventTime (the original shifted by whole hours, so
ISO text order still follows time). Writes two copies of the same records in
the same order:

    OUT_DIR/jsonl/events-NN.jsonl     JSON lines, 100,000 records per file
    OUT_DIR/gz/AWSLogs/123456789012/CloudTrail/us-east-1/YYYY/MM/DD/*.json.gz
                                      {"Records":[...]} gzip files of 500
                                      records, as CloudTrail delivers them

Standard library only. Writes into OUT_DIR.tmp and renames at the end, so a
present OUT_DIR is always complete.
"""
import datetime
import gzip
import json
import os
import shutil
import sys
import zlib

PER_JSONL = 100_000
PER_RECORDS = 500


def load(ds):
    recs = []
    for rel in ("invictus-ir/events.jsonl", "stratus-red-team/events.jsonl", "panther/events.jsonl"):
        with open(os.path.join(ds, rel), encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    recs.append(line)
    return recs


def template(line):
    """Split a compact record around its eventID and eventTime values."""
    obj = json.loads(line)
    # Re-serialise compactly so the split points are exact; key order kept.
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    t = obj.get("eventTime")
    parts, times = [], None
    if isinstance(t, str):
        try:
            times = datetime.datetime.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            times = None
    # Replace the values by markers, then split.
    if isinstance(obj.get("eventID"), str):
        obj["eventID"] = "\x00ID\x00"
    if times is not None:
        obj["eventTime"] = "\x00TIME\x00"
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("\\u0000ID\\u0000", "\x01").replace("\\u0000TIME\\u0000", "\x02")
    return text, times


def main():
    ds, out = sys.argv[1], sys.argv[2]
    total = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    recs = load(ds)
    tmpl = [template(r) for r in recs]
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "jsonl"))
    jl = None
    batch = []
    nfile = 0
    base_day = datetime.datetime(2024, 1, 1)

    def flush_records(batch, idx):
        # CloudTrail names: ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
        day = base_day + datetime.timedelta(days=idx // 288)
        d = os.path.join(tmp, "gz", "AWSLogs", "123456789012", "CloudTrail", "us-east-1",
                         day.strftime("%Y"), day.strftime("%m"), day.strftime("%d"))
        os.makedirs(d, exist_ok=True)
        name = "123456789012_CloudTrail_us-east-1_%sT%02d%02dZ_%08x.json.gz" % (
            day.strftime("%Y%m%d"), (idx % 288) // 12, (idx % 12) * 5, idx)
        data = ('{"Records":[' + ",".join(batch) + "]}").encode("utf-8")
        with open(os.path.join(d, name), "wb") as f:
            f.write(gzip.compress(data, compresslevel=6, mtime=0))

    n = 0
    rep = 0
    while n < total:
        for text, t in tmpl:
            if n >= total:
                break
            if n % PER_JSONL == 0:
                if jl:
                    jl.close()
                jl = open(os.path.join(tmp, "jsonl", "events-%02d.jsonl" % (n // PER_JSONL)), "w",
                          encoding="utf-8")
            eid = "%08x-%04x-4%03x-8%03x-%012x" % (n, rep & 0xffff, n % 4096, rep % 4096, n * 2654435761 % (1 << 48))
            rec = text.replace("\x01", eid)
            if t is not None:
                rec = rec.replace("\x02", (t + datetime.timedelta(hours=rep)).strftime("%Y-%m-%dT%H:%M:%SZ"))
            jl.write(rec)
            jl.write("\n")
            batch.append(rec)
            if len(batch) == PER_RECORDS:
                flush_records(batch, nfile)
                nfile += 1
                batch = []
            n += 1
        rep += 1
    if batch:
        flush_records(batch, nfile)
    jl.close()
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)


if __name__ == "__main__":
    main()
