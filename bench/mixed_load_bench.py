#!/usr/bin/env python3
"""Mixed-load benchmark: do writes hold up reads and /healthz?

Starts `kizuna serve --dev` on loopback over a store with a collection of N indicators
(default 10,000, imported fresh), then keeps C connections busy (default 64) for D seconds:
each request is a single-object POST with probability P (default 0.2), otherwise a GET of a
page of 100 objects (the first page, a page 90% deep by `added_after`, or the page after it by
`next`, in turn at random). Beside them a health checker opens a new connection for
`/healthz` every 50 ms. Prints one JSON line per server measured: GET and POST latency (p50,
p99), requests/s, /healthz latency (p50, p99, max) and every status other than 200/202.

--baseline-kizuna runs the same load against a second binary (say, a build of the commit
before a change) on an identical copy of the store, in the same run, and a last line gives the
ratios candidate / baseline. --data-dir runs against an existing data directory instead of a
fresh store (e.g. one that was abused first): the benchmark adds its own organisation, user
and token there, and uses the collection named by --collection (creating and filling it when
missing); nothing is removed afterwards, and with a baseline both servers run on that same
directory in turn. --config passes a configuration file to the candidate's `kizuna serve`
(e.g. to compare settings such as write_threads).

Usage: bench/mixed_load_bench.py --kizuna build/release/kizuna [--baseline-kizuna OLD]
       [--objects 10000] [--duration 10] [--connections 64] [--post-share 0.2]
       [--processes 2] [--data-dir DIR [--collection ALIAS]] [--config FILE]
Standard library only. The load generator shares the machine's cores with the server.
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

from kizuna_bench import add_publisher, kz

TAXII = "application/taxii+json;version=2.1"
REQUEST_TIMEOUT_S = 30
HEALTH_PERIOD_S = 0.05


def indicator(ident, creator):
    return ('{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created_by_ref":"%s",'
            '"created":"2026-08-01T10:00:00.000Z","modified":"2026-08-01T10:00:00.000Z","name":"Mixed load",'
            '"indicator_types":["malicious-activity"],"pattern":"[domain-name:value = \'m%s.example.com\']",'
            '"pattern_type":"stix","valid_from":"2026-08-01T10:00:00Z"}' % (ident, creator, ident[:8]))


def prepare(kizuna, data_dir, alias, objects, tmp):
    """Adds an organisation, a publisher and its token, and the collection (filled when new).
    Returns (collection id, organisation id, token)."""
    if not os.path.exists(os.path.join(data_dir, "kizuna.db")):
        kz(kizuna, data_dir, "init")
    tag = secrets.token_hex(4)
    collections = json.loads(kz(kizuna, data_dir, "collection", "list", "--json"))
    found = [c for c in (collections if isinstance(collections, list) else collections.get("collections", []))
             if c.get("alias") == alias]
    if found:
        cid = found[0]["id"]
    else:
        cid = json.loads(kz(kizuna, data_dir, "collection", "create", "--title", alias, "--alias", alias))["id"]
    org, token = add_publisher(kizuna, data_dir, cid, "mixed-" + tag)
    if not found and objects > 0:
        feed = os.path.join(tmp, "feed.jsonl")
        with open(feed, "w") as f:
            f.write("\n".join(indicator(str(uuid.UUID(int=n, version=4)), org) for n in range(objects)) + "\n")
        kz(kizuna, data_dir, "import", feed, "--collection", alias)
        os.remove(feed)
    return cid, org, token


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kizuna, data_dir, config=None):
    port = free_port()
    extra = ["--config", config] if config else []
    proc = subprocess.Popen([kizuna, "--data-dir", data_dir, "serve", "--dev", "--no-sync", "--listen",
                             "127.0.0.1:%d" % port, "--access-log", "off", *extra], stdout=subprocess.PIPE)
    if not proc.stdout.readline():
        sys.exit("%s serve did not start" % kizuna)
    return proc, port


# --- A minimal HTTP/1.1 client on asyncio streams (the server always sends Content-Length).

def request_bytes(method, path, port, token, body=b""):
    head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: %s\r\n" % (method, path, port, TAXII)
    if token:
        head += "Authorization: Bearer %s\r\n" % token
    if body:
        head += "Content-Type: %s\r\nContent-Length: %d\r\n" % (TAXII, len(body))
    return head.encode() + b"\r\n" + body


async def exchange(reader, writer, data):
    writer.write(data)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection" and value.strip().lower() == "close":
            close = True
    body = await reader.readexactly(length) if length else b""
    return status, body, close


async def load_connection(port, token, paths, base, creator, post_share, deadline, seed, out):
    rng = random.Random(seed)
    conn = None
    while time.time() < deadline:
        if conn is None:
            conn = await asyncio.open_connection("127.0.0.1", port)
        post = rng.random() < post_share
        if post:
            body = ('{"objects":[%s]}' % indicator(str(uuid.UUID(int=rng.getrandbits(128), version=4)), creator)).encode()
            data = request_bytes("POST", base, port, token, body)
        else:
            data = request_bytes("GET", rng.choice(paths), port, token)
        t = time.perf_counter()
        try:
            status, _, close = await asyncio.wait_for(exchange(*conn, data), REQUEST_TIMEOUT_S)
        except (asyncio.TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            out["failures"] += 1
            conn[1].close()
            conn = None
            continue
        out["post" if post else "get"].append(time.perf_counter() - t)
        if status not in (200, 202):
            key = "%s %d" % ("POST" if post else "GET", status)
            out["statuses"][key] = out["statuses"].get(key, 0) + 1
        if close:
            conn[1].close()
            conn = None
    if conn is not None:
        conn[1].close()


async def health_checker(port, deadline, out):
    while time.time() < deadline:
        t = time.perf_counter()
        try:
            conn = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), REQUEST_TIMEOUT_S)
            status, _, _ = await asyncio.wait_for(exchange(*conn, request_bytes("GET", "/healthz", port, None)),
                                                  REQUEST_TIMEOUT_S)
            conn[1].close()
            if status == 200:
                out["healthz"].append(time.perf_counter() - t)
            else:
                out["healthz_failures"] += 1
        except (asyncio.TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            out["healthz_failures"] += 1
        await asyncio.sleep(HEALTH_PERIOD_S)


def run_part(part):
    """One load process: its share of the connections (and, in the first, the health checker)."""
    out = {"get": [], "post": [], "healthz": [], "healthz_failures": 0, "failures": 0, "statuses": {}}

    async def main():
        await asyncio.sleep(max(0.0, part["start"] - time.time()))
        deadline = part["start"] + part["duration"]
        tasks = [load_connection(part["port"], part["token"], part["paths"], part["base"], part["creator"],
                                 part["post_share"], deadline, part["seed"] * 1000 + i, out)
                 for i in range(part["connections"])]
        if part["health"]:
            tasks.append(health_checker(part["port"], deadline, out))
        await asyncio.gather(*tasks)

    asyncio.run(main())
    return out


def pct(values, q):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 2)


def get_json(port, path, token):
    async def one():
        conn = await asyncio.open_connection("127.0.0.1", port)
        status, body, _ = await exchange(*conn, request_bytes("GET", path, port, token))
        conn[1].close()
        return status, json.loads(body)
    return asyncio.run(one())


def measure(kizuna, data_dir, cid, org, token, args, label, store):
    server, port = start(kizuna, data_dir, args.config if label == "candidate" else None)
    try:
        base = "/intel/collections/%s/objects/" % cid
        first = base + "?limit=100"
        status, page = get_json(port, first, token)  # also pays this token's one slow hash
        assert status == 200, (status, page)
        manifest = "/intel/collections/%s/manifest/?limit=1000" % cid
        status, m = get_json(port, manifest, token)
        entries = m.get("objects", [])
        paths = [first]
        if entries:
            deep = entries[int(0.9 * (len(entries) - 1))]["date_added"]
            added = base + "?limit=100&added_after=" + deep
            paths.append(added)
            status, page = get_json(port, added, token)
            if page.get("next"):
                paths.append(added + "&next=" + page["next"])
        n = max(1, args.processes)
        start_at = time.time() + 1.0
        parts = [{"port": port, "token": token, "paths": paths, "base": base, "creator": org,
                  "post_share": args.post_share, "start": start_at, "duration": args.duration, "seed": k,
                  "connections": args.connections // n + (1 if k < args.connections % n else 0), "health": k == 0}
                 for k in range(n)]
        with multiprocessing.Pool(n) as pool:
            results = pool.map(run_part, parts)
    finally:
        server.terminate()
        server.wait()
    merged = {"get": [], "post": [], "healthz": [], "healthz_failures": 0, "failures": 0, "statuses": {}}
    for r in results:
        for key in ("get", "post", "healthz"):
            merged[key] += r[key]
        merged["healthz_failures"] += r["healthz_failures"]
        merged["failures"] += r["failures"]
        for key, count in r["statuses"].items():
            merged["statuses"][key] = merged["statuses"].get(key, 0) + count
    line = {"bench": "mixed_load", "build": label, "binary": kizuna, "store": store,
            "config": args.config if label == "candidate" else None,
            "connections": args.connections, "post_share": args.post_share, "duration_s": args.duration,
            "requests_per_s": round((len(merged["get"]) + len(merged["post"])) / args.duration),
            "get_count": len(merged["get"]), "get_p50_ms": pct(merged["get"], 0.5),
            "get_p99_ms": pct(merged["get"], 0.99), "post_count": len(merged["post"]),
            "post_p50_ms": pct(merged["post"], 0.5), "post_p99_ms": pct(merged["post"], 0.99),
            "healthz_count": len(merged["healthz"]), "healthz_p50_ms": pct(merged["healthz"], 0.5),
            "healthz_p99_ms": pct(merged["healthz"], 0.99),
            "healthz_max_ms": pct(merged["healthz"], 1.0), "healthz_failures": merged["healthz_failures"],
            "failures": merged["failures"], "other_statuses": merged["statuses"]}
    print(json.dumps(line), flush=True)
    return line


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kizuna", required=True, help="the binary measured")
    ap.add_argument("--baseline-kizuna", help="a second binary measured the same way, for ratios")
    ap.add_argument("--objects", type=int, default=10000, help="indicators in a new collection")
    ap.add_argument("--duration", type=int, default=10, help="seconds of load per server")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--post-share", type=float, default=0.2)
    ap.add_argument("--processes", type=int, default=2, help="load-generating processes")
    ap.add_argument("--data-dir", help="an existing data directory to run against (kept)")
    ap.add_argument("--collection", default="mixed-bench", help="collection alias (with --data-dir)")
    ap.add_argument("--config", help="a configuration file for the candidate's `kizuna serve` (docs/config.md)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kizuna-mixed-bench-")
    try:
        builds = ([("baseline", args.baseline_kizuna)] if args.baseline_kizuna else []) + [("candidate", args.kizuna)]
        lines = {}
        if args.data_dir:
            cid, org, token = prepare(args.kizuna, args.data_dir, args.collection, args.objects, tmp)
            for label, binary in builds:
                lines[label] = measure(binary, args.data_dir, cid, org, token, args, label, "existing")
        else:
            # Made by the baseline, the older build: a newer one migrates its copy as it opens it.
            fresh = os.path.join(tmp, "fresh")
            cid, org, token = prepare(args.baseline_kizuna or args.kizuna, fresh, args.collection, args.objects, tmp)
            for label, binary in builds:
                copy = os.path.join(tmp, label)
                shutil.copytree(fresh, copy)
                lines[label] = measure(binary, copy, cid, org, token, args, label, "fresh")
                shutil.rmtree(copy, ignore_errors=True)
        if len(lines) == 2:
            b, c = lines["baseline"], lines["candidate"]
            ratio = {k: (round(c[k] / b[k], 3) if b[k] and c[k] is not None else None)
                     for k in ("requests_per_s", "get_p50_ms", "get_p99_ms", "post_p50_ms", "post_p99_ms",
                               "healthz_p99_ms", "healthz_max_ms")}
            print(json.dumps({"bench": "mixed_load_ratio", "candidate_over_baseline": ratio}), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
