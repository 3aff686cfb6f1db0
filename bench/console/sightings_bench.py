"""The console's sightings page on PostgreSQL (issue 25), two builds side by side, with the
SQLite node of the same store for reference. Builds an SQLite store of N sightings (default
100,000: a tenth TLP:RED, a tenth REL TO USA, JPN, the rest TLP:GREEN, all in one collection,
console/store.py's users), copies it into a throw-away PostgreSQL cluster (`kizuna store
copy`), then, alternating builds within each round, serves the PostgreSQL database with each
build in turn and the SQLite file with AFTER, and times the USA reader's GET
/api/v1/sightings?limit=50 and the page after it (before=next): CPU milliseconds per request of
the kizuna process and of PostgreSQL's processes (/proc, reaped backends included), and wall
milliseconds. Checks every build answers the same pages. Prints one JSON line per run and the
medians.

  python3 bench/console/sightings_bench.py BEFORE_KIZUNA AFTER_KIZUNA [--sightings N]
      [--requests R] [--rounds K] [--keep DIR]
(--keep DIR: the SQLite store is built in DIR once and kept; the PostgreSQL copy is made anew.)
Needs PostgreSQL 15 (tests/integration/pg_cluster.py makes the cluster)."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import node as node_module  # noqa: E402
import pg_cluster  # noqa: E402
import store  # noqa: E402
from pg_taxii_bench import cpu_seconds, postgres_seconds  # noqa: E402


def write_sightings(path, n, creator, now):
    """N sightings in place of console/store.py's indicators (store.build writes through this)."""
    with open(path, "w") as f:
        f.write(json.dumps({"type": "marking-definition", "spec_version": "2.1", "id": store.REL,
                            "created": "2026-01-01T00:00:00.000Z", "name": "REL TO USA, JPN",
                            "extensions": {store.RELEASABLE_TO: {"extension_type": "property-extension",
                                                                 "releasable_to": ["USA", "JPN"]}}}) + "\n")
        for i in range(n):
            marking = store.TLP_RED if i % 10 == 3 else store.REL if i % 10 == 7 else store.TLP_GREEN
            f.write(json.dumps({
                "type": "sighting", "spec_version": "2.1", "id": store.uid("sighting", i + 1), "created": now,
                "modified": now, "sighting_of_ref": store.uid("indicator", i + 1), "count": 1 + i % 7,
                "first_seen": now, "last_seen": now, "created_by_ref": creator,
                "object_marking_refs": [marking]}) + "\n")


def one_run(kizuna, data, token, requests, cluster):
    node_module.KIZUNA = kizuna
    node = node_module.Node(data)
    try:
        client = node_module.Client(node, token)

        def get(path):
            r = client.get(path, accept="application/json")
            if r.status != 200:
                raise SystemExit("%s: %d %s" % (path, r.status, r.body[:200]))
            return r.json()

        first = get("/api/v1/sightings?limit=50")  # warms the node's caches
        second = get("/api/v1/sightings?limit=50&before=" + first["next"])
        pages = ["/api/v1/sightings?limit=50", "/api/v1/sightings?limit=50&before=" + first["next"]]
        pg_before = postgres_seconds(cluster) if cluster else 0.0
        node_before = cpu_seconds(node.proc.pid)
        started = time.monotonic()
        for i in range(requests):
            get(pages[i % 2])
        wall = time.monotonic() - started
        node_cpu = cpu_seconds(node.proc.pid) - node_before
        pg_cpu = (postgres_seconds(cluster) - pg_before) if cluster else 0.0
        return {"kizuna_cpu_ms": node_cpu * 1000 / requests, "postgres_cpu_ms": pg_cpu * 1000 / requests,
                "cpu_ms": (node_cpu + pg_cpu) * 1000 / requests, "wall_ms": wall * 1000 / requests,
                "answers": [first, second]}
    finally:
        node.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--sightings", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep")
    args = ap.parse_args()
    if not pg_cluster.available():
        sys.exit("needs PostgreSQL 15 (apt-get install postgresql)")
    before, after = os.path.abspath(args.before), os.path.abspath(args.after)
    os.environ["KIZUNA_BIN"] = before
    store.write_objects = write_sightings
    tmp, info = store.prepare(before, args.sightings, args.keep)
    token = info["tokens"]["usa-analyst"]
    sqlite_dir = os.path.join(tmp, "data")
    cluster = pg_cluster.PgCluster(fsync=True)
    try:
        name = "sightings" + uuid.uuid4().hex[:8]
        cluster.create_database(name)
        url = cluster.url(name)
        subprocess.run([before, "--data-dir", sqlite_dir, "store", "copy", "--to", url, "--json"], check=True,
                       capture_output=True)
        pg_dir = os.path.join(tmp, "pg")
        shutil.rmtree(pg_dir, ignore_errors=True)
        shutil.copytree(sqlite_dir, pg_dir, ignore=shutil.ignore_patterns("kizuna.db*"))
        subprocess.run([before, "--data-dir", pg_dir, "init", "--store", url], check=True, capture_output=True)
        runs = {"pg_before": [], "pg_after": [], "sqlite_after": []}
        for rnd in range(args.rounds):
            for label, binary, data, pg in (("pg_before", before, pg_dir, cluster),
                                            ("pg_after", after, pg_dir, cluster),
                                            ("sqlite_after", after, sqlite_dir, None)):
                r = one_run(binary, data, token, args.requests, pg)
                runs[label].append(r)
                print(json.dumps({"round": rnd, "run": label,
                                  **{k: round(v, 2) for k, v in r.items() if k.endswith("_ms")}}), flush=True)
        answers = runs["sqlite_after"][0]["answers"]
        for label, rs in runs.items():
            for r in rs:
                assert r["answers"] == answers, "%s answered otherwise than SQLite" % label
        summary = {"bench": "console_sightings", "sightings": args.sightings, "requests": args.requests,
                   "rounds": args.rounds, "shown": len(answers[0]["sightings"]),
                   "load_avg": os.getloadavg()}
        for key in ("cpu_ms", "kizuna_cpu_ms", "postgres_cpu_ms", "wall_ms"):
            summary[key] = {label: round(statistics.median(r[key] for r in rs), 2) for label, rs in runs.items()}
        summary["pg_after_vs_before_cpu"] = round(summary["cpu_ms"]["pg_after"] / summary["cpu_ms"]["pg_before"], 3)
        print(json.dumps(summary))
    finally:
        cluster.stop()
        if args.keep:
            shutil.rmtree(os.path.join(tmp, "pg"), ignore_errors=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
