#!/usr/bin/env python3
"""A collection served as a MISP feed (issue 24): what MISP's pull costs, first and repeated.

A node (`kizuna serve --dev --no-sync`) holds N indicators (default 100,000) released to
every reader. A reader fetches /misp-feed/{collection}/manifest.json, then the event file,
then hashes.csv, as MISP pulls a feed: the first request builds the feed (the released read
of the whole collection and the MISP events); the requests after it, while nothing changes,
are answered from the kept feed, which leaves the lookup and sending the bytes over loopback
HTTP. Prints one JSON line: median seconds of the first request (a fresh node each time,
--runs) and of the repeated requests, and their ratio.

Usage: bench/misp_feed_bench.py --kizuna build/release/kizuna [--objects 100000] [--runs 3]
"""
import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
import urllib.request

from sync_bench import indicator, kz, serve, setup


def get(url, token):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=600) as r:
        return r.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kizuna", required=True)
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="kizuna-misp-feed-bench-")
    proc = None
    try:
        d, coll, org = setup(args.kizuna, root, "a")
        kz(args.kizuna, d, "admin", "user", "add", "reader", "--org", org, "--role", "reader")
        kz(args.kizuna, d, "admin", "grant", coll, "--org", org, "--read")
        token = kz(args.kizuna, d, "admin", "token", "create", "reader").strip()
        path = os.path.join(root, "objects.jsonl")
        with open(path, "w") as f:
            for n in range(args.objects):
                f.write(indicator(n) + "\n")
        kz(args.kizuna, d, "import", path, "--collection", coll)
        first, repeated, sizes = [], [], {}
        for _ in range(args.runs):
            proc, base = serve(args.kizuna, d, "--no-sync")
            feed = "%s/misp-feed/%s/" % (base, coll)
            start = time.monotonic()
            manifest = json.loads(get(feed + "manifest.json", token))
            first.append(time.monotonic() - start)
            (uuid,) = list(manifest)
            for name in ("%s.json" % uuid, "hashes.csv", "manifest.json", "%s.json" % uuid):
                start = time.monotonic()
                sizes[name] = len(get(feed + name, token))
                repeated.append(time.monotonic() - start)
            proc.terminate()
            proc.wait()
            proc = None
        print(json.dumps({"bench": "misp_feed", "objects": args.objects, "event_bytes": sizes["%s.json" % uuid],
                          "first_request_s": round(statistics.median(first), 3),
                          "repeated_request_s": round(statistics.median(repeated), 4),
                          "first_vs_repeated": round(statistics.median(first) / statistics.median(repeated), 1)}))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
