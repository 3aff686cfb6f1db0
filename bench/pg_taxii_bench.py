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

Each figure is measured --rounds times (default 3), the three GET runs and the two POST runs
alternating within a round, and the medians are printed (the machine is shared: alternating
spreads what other processes take over all of them). Each GET and POST line also gives the CPU
seconds per 1,000 requests (or per 1,000 objects) of the client (wrk, or this script's POST
threads), of the kizuna processes and of the
PostgreSQL server's processes (/proc/PID/stat, reaped backends included), to tell what bounds
the rate.

Usage: bench/pg_taxii_bench.py --kizuna build/release/kizuna [--objects 100000] [--duration 10]
Needs wrk (Debian package) and PostgreSQL 15 (tests/integration/pg_cluster.py makes the cluster).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import pg_cluster  # noqa: E402
from kizuna_bench import add_publisher, kz  # noqa: E402
from taxii_bench import TAXII, free_port, get, indicator, post_rate  # noqa: E402

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


HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid, children=False):
    """CPU seconds of process PID (all its threads; with `children`, its reaped children's too)."""
    try:
        f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)) / HZ


def postgres_seconds(cluster):
    """CPU seconds of the cluster's postmaster and all its processes, live or reaped."""
    with open(os.path.join(cluster.data, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    total = cpu_seconds(postmaster, children=True)
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if int(open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()[1]) == postmaster:
                    total += cpu_seconds(int(d))
            except (OSError, ValueError):
                pass
    return total


class CpuMeter:
    """CPU seconds of the client (this process and its children: wrk), the kizuna nodes and
    PostgreSQL, between start() and stop()."""

    def __init__(self, cluster, nodes):
        self.cluster, self.nodes = cluster, nodes

    def sample(self):
        import resource
        client = sum(ru.ru_utime + ru.ru_stime for ru in (resource.getrusage(resource.RUSAGE_CHILDREN),
                                                           resource.getrusage(resource.RUSAGE_SELF)))
        return (client, sum(cpu_seconds(p.pid) for p in self.nodes), postgres_seconds(self.cluster))

    def start(self):
        self.begin = self.sample()

    def stop(self, per):
        """Seconds per `per` units (requests or objects) / 1,000: client, kizuna, postgres."""
        end = self.sample()
        return {k: round((e - b) * 1000 / per, 3) for k, b, e in zip(("client", "kizuna", "postgres"), self.begin, end)}


def serve(kizuna, data):
    port = free_port()
    p = subprocess.Popen([kizuna, "--data-dir", data, "serve", "--dev", "--no-sync", "--listen", "127.0.0.1:%d" % port,
                          "--access-log", "off"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if not p.stdout.readline():
        sys.exit("kizuna serve did not start on " + data)
    return p, port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kizuna", required=True)
    ap.add_argument("--objects", type=int, default=100000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--post-envelopes", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
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

        sqlite_meter = CpuMeter(cluster, [sqlite_node])
        pg_meter = CpuMeter(cluster, [pg_nodes[0][0]])
        two_meter = CpuMeter(cluster, [p for p, _ in pg_nodes])
        common = {"collection_objects": args.objects, "distinct_pages": min(10000, len(added) // step)}

        def envelopes(first):
            return [("{\"objects\":[" + ",".join(indicator(first + e * 1000 + i, org) for i in range(1000)) + "]}").encode()
                    for e in range(args.post_envelopes)]

        get_runs, post_runs = [], []
        for r in range(args.rounds):
            sqlite_meter.start()
            s_rps, s_p99, s_err = wrk(sqlite_port, script, token, args.duration, args.connections)
            s_cpu = sqlite_meter.stop(s_rps * args.duration)
            pg_meter.start()
            p_rps, p_p99, p_err = wrk(pg_nodes[0][1], script, token, args.duration, args.connections)
            p_cpu = pg_meter.stop(p_rps * args.duration)
            both = [None, None]

            def run(i):
                both[i] = wrk(pg_nodes[i][1], script, token, args.duration, args.connections)

            threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
            two_meter.start()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            two_rps = both[0][0] + both[1][0]
            two_cpu = two_meter.stop(two_rps * args.duration)
            get_runs.append({"sqlite_rps": round(s_rps), "pg_rps": round(p_rps), "two_processes_rps": round(two_rps),
                             "ratio_vs_sqlite": round(p_rps / s_rps, 3), "two_ratio_vs_one": round(two_rps / p_rps, 3),
                             "sqlite_p99_ms": s_p99, "pg_p99_ms": p_p99, "two_p99_ms": max(both[0][1], both[1][1]),
                             "errors": s_err + p_err + both[0][2] + both[1][2],
                             "cpu_s_per_1000_requests": {"sqlite": s_cpu, "pg": p_cpu, "two_processes": two_cpu}})
            print(json.dumps({"bench": "pg_taxii_get_round", "round": r + 1, **get_runs[-1]}), flush=True)

            first = 10_000_000 + r * 1_000_000
            to_sqlite, to_pg = envelopes(first), envelopes(first + 500_000)
            sqlite_meter.start()
            s_post, s_post_p99 = post_rate(sqlite_port, base, token, to_sqlite)
            s_post_cpu = sqlite_meter.stop(1000 * args.post_envelopes)
            pg_meter.start()
            p_post, p_post_p99 = post_rate(pg_nodes[0][1], base, token, to_pg)
            p_post_cpu = pg_meter.stop(1000 * args.post_envelopes)
            post_runs.append({"sqlite_objects_per_s": round(s_post), "sqlite_p99_ms": round(s_post_p99, 1),
                              "pg_objects_per_s": round(p_post), "pg_p99_ms": round(p_post_p99, 1),
                              "ratio_vs_sqlite": round(p_post / s_post, 3),
                              "cpu_s_per_1000_objects": {"sqlite": s_post_cpu, "pg": p_post_cpu}})
            print(json.dumps({"bench": "pg_taxii_post_round", "round": r + 1, **post_runs[-1]}), flush=True)

        def median(runs, key):
            return statistics.median(run[key] for run in runs)

        print(json.dumps({"bench": "pg_taxii_get", **common, "rounds": args.rounds,
                          "sqlite_rps": median(get_runs, "sqlite_rps"), "pg_rps": median(get_runs, "pg_rps"),
                          "ratio_vs_sqlite": median(get_runs, "ratio_vs_sqlite"),
                          "errors": sum(run["errors"] for run in get_runs)}), flush=True)
        print(json.dumps({"bench": "pg_taxii_get_two_processes", **common, "rounds": args.rounds,
                          "one_process_rps": median(get_runs, "pg_rps"),
                          "two_processes_rps": median(get_runs, "two_processes_rps"),
                          "ratio_vs_one": median(get_runs, "two_ratio_vs_one")}), flush=True)
        print(json.dumps({"bench": "pg_taxii_post", "objects_per_envelope": 1000, "envelopes": args.post_envelopes,
                          "rounds": args.rounds, "sqlite_objects_per_s": median(post_runs, "sqlite_objects_per_s"),
                          "pg_objects_per_s": median(post_runs, "pg_objects_per_s"),
                          "ratio_vs_sqlite": median(post_runs, "ratio_vs_sqlite")}), flush=True)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
