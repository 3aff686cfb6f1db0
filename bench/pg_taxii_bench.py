#!/usr/bin/env python3
"""TAXII on PostgreSQL against TAXII on SQLite (issue 25), in one run on this machine.

Builds a SQLite node of N indicators (default 100,000), moves a copy of it into a throw-away
PostgreSQL 15 cluster with `kizuna store copy` (fsync on, as SQLite's synchronous=FULL), and
starts three `kizuna serve --dev` processes: one on SQLite, two on the PostgreSQL database.
wrk then requests GET pages of 100 at 10,000 distinct `added_after` cursors picked at random
(few requests find a kept response: each is asked again only every few seconds), against:
the SQLite node; one PostgreSQL process; the two PostgreSQL processes at once (two wrk runs in
parallel, their rates added). Then POST: envelopes of 1,000 new objects from two client
threads, to the SQLite node and to one PostgreSQL process. Prints one JSON line per figure
with its ratio against the SQLite node measured in the same run.

Usage: bench/pg_taxii_bench.py --kizuna build/release/kizuna [--objects 100000] [--duration 10]
Needs wrk (Debian package) and PostgreSQL 15 (tests/integration/pg_cluster.py makes the cluster).
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import pg_cluster  # noqa: E402
from kizuna_bench import add_publisher, kz  # noqa: E402
from taxii_bench import TAXII, free_port, get, indicator  # noqa: E402

LUA = """
local paths = {}
init = function(args)
  for line in io.lines("%s") do paths[#paths + 1] = line end
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def wrk(port, script, token, duration, connections):
    out = subprocess.run(["wrk", "-t", "1", "-c", str(connections), "-d", "%ds" % duration, "--latency", "-s", script,
                          "-H", "Accept: " + TAXII, "-H", "Authorization: Bearer " + token,
                          "http://127.0.0.1:%d/" % port], check=True, capture_output=True).stdout.decode()
    import re
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)], int(non2xx.group(1)) if non2xx else 0


def serve(kizuna, data):
    port = free_port()
    p = subprocess.Popen([kizuna, "--data-dir", data, "serve", "--dev", "--no-sync", "--listen", "127.0.0.1:%d" % port,
                          "--access-log", "off"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if not p.stdout.readline():
        sys.exit("kizuna serve did not start on " + data)
    return p, port


def post_rate(port, base, token, envelopes):
    latencies, lock = [], threading.Lock()

    def poster(k):
        c = http.client.HTTPConnection("127.0.0.1", port)
        for body in envelopes[k::2]:
            t = time.perf_counter()
            c.request("POST", base, body=body, headers={"Accept": TAXII, "Content-Type": TAXII,
                                                         "Authorization": "Bearer " + token})
            r = c.getresponse()
            r.read()
            assert r.status == 202, r.status
            with lock:
                latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    threads = [threading.Thread(target=poster, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return 1000 * len(envelopes) / (time.perf_counter() - start), latencies[int(0.99 * (len(latencies) - 1))] * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kizuna", required=True)
    ap.add_argument("--objects", type=int, default=100000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--post-envelopes", type=int, default=20)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("needs wrk (apt-get install wrk)")
    if not pg_cluster.available():
        sys.exit("needs PostgreSQL 15 (apt-get install postgresql)")
    kizuna = os.path.abspath(args.kizuna)
    tmp = tempfile.mkdtemp(prefix="kizuna-pg-bench-")
    procs = []
    cluster = pg_cluster.PgCluster(fsync=True)
    try:
        sqlite_dir = os.path.join(tmp, "sqlite")
        kz(kizuna, sqlite_dir, "init")
        cid = json.loads(kz(kizuna, sqlite_dir, "collection", "create", "--title", "bench", "--alias", "bench"))["id"]
        org, token = add_publisher(kizuna, sqlite_dir, cid, "bench")
        feed = os.path.join(tmp, "feed.jsonl")
        with open(feed, "w") as f:
            f.write("\n".join(indicator(i, org) for i in range(args.objects)) + "\n")
        kz(kizuna, sqlite_dir, "import", feed, "--collection", "bench")
        cluster.create_database("bench")
        url = cluster.url("bench")
        started = time.perf_counter()
        copied = json.loads(kz(kizuna, sqlite_dir, "store", "copy", "--to", url, "--json"))
        print(json.dumps({"bench": "store_copy", "entries": copied["entries"], "rows": copied["rows"],
                          "seconds": round(time.perf_counter() - started, 2)}), flush=True)
        pg_dirs = []
        for name in ("pg1", "pg2"):
            d = os.path.join(tmp, name)
            shutil.copytree(sqlite_dir, d, ignore=shutil.ignore_patterns("kizuna.db*"))
            kz(kizuna, d, "init", "--store", url)
            pg_dirs.append(d)

        sqlite_node, sqlite_port = serve(kizuna, sqlite_dir)
        procs.append(sqlite_node)
        base = "/intel/collections/%s/objects/" % cid
        # 10,000 distinct cursors: every date_added of the collection, sampled evenly.
        added, after = [], None
        while True:
            q = "/intel/collections/%s/manifest/?limit=1000%s" % (cid, "&added_after=" + after if after else "")
            env = json.loads(get(sqlite_port, q, token)[2])
            added += [o["date_added"] for o in env.get("objects", [])]
            if not env.get("more"):
                break
            after = added[-1]
        step = max(1, len(added) // 10000)
        paths = os.path.join(tmp, "paths.txt")
        with open(paths, "w") as f:
            f.write("\n".join(base + "?limit=100&added_after=" + a for a in added[:-100:step]) + "\n")
        script = os.path.join(tmp, "pages.lua")
        with open(script, "w") as f:
            f.write(LUA % paths)
        pg_nodes = [serve(kizuna, d) for d in pg_dirs]
        procs += [p for p, _ in pg_nodes]
        # Both answer the same objects for the same page (a `next` token differs each time).
        probe = base + "?limit=100&added_after=" + added[len(added) // 2]
        assert (json.loads(get(sqlite_port, probe, token)[2])["objects"] ==
                json.loads(get(pg_nodes[0][1], probe, token)[2])["objects"])

        s_rps, s_p99, s_err = wrk(sqlite_port, script, token, args.duration, args.connections)
        p_rps, p_p99, p_err = wrk(pg_nodes[0][1], script, token, args.duration, args.connections)
        both = [None, None]

        def run(i):
            both[i] = wrk(pg_nodes[i][1], script, token, args.duration, args.connections)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        two_rps = both[0][0] + both[1][0]
        common = {"collection_objects": args.objects, "distinct_pages": min(10000, len(added) // step)}
        print(json.dumps({"bench": "pg_taxii_get", **common, "sqlite_rps": round(s_rps), "sqlite_p99_ms": s_p99,
                          "pg_rps": round(p_rps), "pg_p99_ms": p_p99, "ratio_vs_sqlite": round(p_rps / s_rps, 3),
                          "errors": s_err + p_err}), flush=True)
        print(json.dumps({"bench": "pg_taxii_get_two_processes", **common, "one_process_rps": round(p_rps),
                          "two_processes_rps": round(two_rps), "ratio_vs_one": round(two_rps / p_rps, 3),
                          "p99_ms": max(both[0][1], both[1][1]), "errors": both[0][2] + both[1][2]}), flush=True)

        def envelopes(first):
            return [("{\"objects\":[" + ",".join(indicator(first + e * 1000 + i, org) for i in range(1000)) + "]}").encode()
                    for e in range(args.post_envelopes)]

        s_post, s_post_p99 = post_rate(sqlite_port, base, token, envelopes(10_000_000))
        p_post, p_post_p99 = post_rate(pg_nodes[0][1], base, token, envelopes(20_000_000))
        print(json.dumps({"bench": "pg_taxii_post", "objects_per_envelope": 1000, "envelopes": args.post_envelopes,
                          "sqlite_objects_per_s": round(s_post), "sqlite_p99_ms": round(s_post_p99, 1),
                          "pg_objects_per_s": round(p_post), "pg_p99_ms": round(p_post_p99, 1),
                          "ratio_vs_sqlite": round(p_post / s_post, 3)}), flush=True)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
