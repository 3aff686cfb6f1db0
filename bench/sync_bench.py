#!/usr/bin/env python3
"""Federation benchmark: catch-up of N objects between two nodes, and publish-to-visible latency.

Node A (`kizuna serve --dev --no-sync`) holds N indicators (default 100,000; the goal is
1,000,000 in at most 20 s, issue 26) in a collection released to every reader. Node B adds A
as a pull peer and runs `kizuna sync run --once` until a pass pulls nothing: objects/s is N
over that wall time (TAXII pages of 1,000 over loopback HTTP, validation, store, provenance
and cursor).
Then B runs `kizuna serve` (which syncs by itself); one object is published at A and B's TAXII
API is polled every 10 ms until it is readable: the latency, median of --samples.
Prints one JSON line per measurement.

Usage: bench/sync_bench.py --kizuna build/release/kizuna [--objects 100000] [--samples 5]
"""
import argparse
import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid

TAXII = "application/taxii+json;version=2.1"


def kz(kizuna, data_dir, *args):
    return subprocess.run([kizuna, "--data-dir", data_dir, *args], check=True, capture_output=True).stdout.decode()


def indicator(n):
    return json.dumps({"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
                       "created": "2026-08-01T10:00:00.000Z", "modified": "2026-08-01T10:00:00.000Z",
                       "name": "Indicator %d" % n, "pattern": "[domain-name:value = 'h%d.example.com']" % n,
                       "pattern_type": "stix", "valid_from": "2026-08-01T10:00:00Z"})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(kizuna, root, name):
    d = os.path.join(root, name)
    kz(kizuna, d, "init")
    cid = json.loads(kz(kizuna, d, "collection", "create", "--title", "bench", "--alias", "bench",
                        "--default-release", "readers"))["id"]
    org = json.loads(kz(kizuna, d, "admin", "org", "add", "--name", "ORG-" + name, "--nation", "JPN", "--json"))["id"]
    return d, cid, org


def serve(kizuna, data_dir, *extra):
    port = free_port()
    proc = subprocess.Popen([kizuna, "--data-dir", data_dir, "serve", "--dev", "--listen", "127.0.0.1:%d" % port,
                             "--access-log", "off", *extra], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdout.readline()
    return proc, "http://127.0.0.1:%d" % port


def request(url, token, body=None):
    headers = {"Accept": TAXII, "Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = TAXII
    req = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kizuna", required=True)
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=5)
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="kizuna-sync-bench-")
    procs = []
    try:
        a, a_coll, a_org = setup(args.kizuna, root, "a")
        b, b_coll, _ = setup(args.kizuna, root, "b")
        kz(args.kizuna, a, "admin", "user", "add", "node-b", "--org", a_org, "--role", "peer")
        kz(args.kizuna, a, "admin", "user", "add", "writer", "--org", a_org, "--role", "publisher")
        kz(args.kizuna, a, "admin", "grant", a_coll, "--org", a_org, "--read", "--write")
        token_b = kz(args.kizuna, a, "admin", "token", "create", "node-b").strip()
        writer = kz(args.kizuna, a, "admin", "token", "create", "writer").strip()
        path = os.path.join(root, "objects.jsonl")
        with open(path, "w") as f:
            for n in range(args.objects):
                f.write(indicator(n) + "\n")
        kz(args.kizuna, a, "import", path, "--collection", "bench")
        proc_a, url_a = serve(args.kizuna, a, "--no-sync")
        procs.append(proc_a)
        kz(args.kizuna, b, "peer", "add", "a", "--url", url_a, "--token", token_b, "--nation", "JPN",
           "--map", "bench:%s:pull" % a_coll)
        start, pulled = time.monotonic(), 0
        while True:
            lines = [json.loads(x) for x in kz(args.kizuna, b, "sync", "run", "--once").splitlines() if x]
            got = sum(x["pulled"] for x in lines)
            pulled += got
            if got == 0:
                break
        seconds = time.monotonic() - start
        print(json.dumps({"measurement": "catch_up", "objects": pulled, "seconds": round(seconds, 2),
                          "objects_per_second": round(pulled / seconds), "goal_seconds_for_1M": 20}))
        # Latency: B serves and syncs by itself; reader on B.
        kz(args.kizuna, b, "admin", "user", "add", "reader", "--org", "ORG-b", "--role", "reader")
        kz(args.kizuna, b, "admin", "grant", b_coll, "--org", "ORG-b", "--read")
        reader = kz(args.kizuna, b, "admin", "token", "create", "reader").strip()
        proc_b, url_b = serve(args.kizuna, b)
        procs.append(proc_b)
        latencies = []
        for i in range(args.samples):
            obj = indicator(args.objects + i)
            oid = json.loads(obj)["id"]
            t0 = time.monotonic()
            request("%s/intel/collections/%s/objects/" % (url_a, a_coll), writer, ('{"objects":[%s]}' % obj).encode())
            while True:
                try:
                    request("%s/intel/collections/%s/objects/%s/" % (url_b, b_coll, oid), reader)
                    break
                except urllib.error.HTTPError:
                    time.sleep(0.01)
            latencies.append(time.monotonic() - t0)
        print(json.dumps({"measurement": "publish_to_visible", "samples": len(latencies),
                          "median_seconds": round(statistics.median(latencies), 3),
                          "max_seconds": round(max(latencies), 3), "goal_seconds": 1}))
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
