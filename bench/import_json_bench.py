#!/usr/bin/env python3
"""`kizuna import` against Python's bare `json.load` of the same file, in the same run.

Writes a bundle of N generated indicators (the shape of bench_data.cc's IndicatorBundle:
about 660 bytes each, four kinds of pattern, one creator, a TLP marking), then for each of
--runs rounds: times `json.load` of the file in this process, and `kizuna import FILE
--collection bench` into a fresh data directory with each binary (--kizuna, and
--baseline-kizuna when given, alternating). Prints one JSON line: medians of wall, user and
system seconds, objects/s, and `import_vs_json_load` (import time / json.load time; the goal
is <= 1), with the ratio for the baseline too. `kizuna import` leaves the search index behind
its cursor (docs/search.md); --also-index times `import --index` too (caught up before exit).

Usage: bench/import_json_bench.py --kizuna build/rel/src/kizuna/kizuna
          [--baseline-kizuna OLD] [--objects 200000] [--runs 5] [--also-index]
"""
import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid


def write_indicators(path, count, seed=7):
    rng = random.Random(seed)
    new_id = lambda kind: "%s--%s" % (kind, uuid.UUID(int=rng.getrandbits(128), version=4))
    creator = new_id("identity")
    with open(path, "w") as out:
        out.write('{"type": "bundle", "id": "%s", "objects": [\n' % new_id("bundle"))
        for i in range(count):
            r = rng.getrandbits(64)
            kind = i % 4
            if kind == 0:
                pattern = "[domain-name:value = 'h%d.example-%d.com']" % (r % 100000000, i % 997)
            elif kind == 1:
                pattern = "[ipv4-addr:value = '%d.%d.%d.%d']" % ((r >> 8) & 255, (r >> 16) & 255, (r >> 24) & 255, r & 255)
            elif kind == 2:
                pattern = "[url:value = 'http://h%d.example.net/path/%d']" % (r % 1000000, i)
            else:
                pattern = "[file:hashes.'SHA-256' = '%064x']" % rng.getrandbits(256)
            out.write(("," if i else "") + json.dumps({
                "type": "indicator", "spec_version": "2.1", "id": new_id("indicator"),
                "created": "2026-08-01T10:00:00.000Z", "modified": "2026-08-01T10:00:00.000Z",
                "created_by_ref": creator, "name": "Indicator %d" % i,
                "description": "Seen in a campaign against government networks; shared under the framework.",
                "indicator_types": ["malicious-activity"], "pattern": pattern, "pattern_type": "stix",
                "valid_from": "2026-08-01T10:00:00Z", "labels": ["family-%d" % (i % 50)],
                "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}) + "\n")
        out.write("]}\n")


def json_load_seconds(path):
    start = time.perf_counter()
    with open(path, "rb") as f:
        json.load(f)
    return time.perf_counter() - start


def kz(kizuna, data_dir, *args):
    proc = subprocess.run([kizuna, "--data-dir", data_dir, *args], capture_output=True)
    if proc.returncode != 0:
        sys.exit("kizuna %s: %s" % (" ".join(args), proc.stderr.decode()[-2000:]))
    return proc.stdout


def import_once(kizuna, root, path, extra=()):
    """Imports into a fresh data directory; returns (wall, user, system seconds, summary)."""
    data_dir = os.path.join(root, "data")
    shutil.rmtree(data_dir, ignore_errors=True)
    kz(kizuna, data_dir, "init")
    kz(kizuna, data_dir, "collection", "create", "--title", "bench", "--alias", "bench")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = kz(kizuna, data_dir, "import", path, "--collection", "bench", "--json", *extra)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kizuna", required=True)
    parser.add_argument("--baseline-kizuna")
    parser.add_argument("--objects", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--also-index", action="store_true",
                        help="also time --kizuna with `import --index` (the search index caught up before it exits)")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="kizuna-import-json-bench-")
    try:
        path = os.path.join(root, "indicators.json")
        write_indicators(path, args.objects)
        binaries = [("kizuna", args.kizuna, ())]
        if args.also_index:
            binaries.append(("kizuna_index", args.kizuna, ("--index",)))
        if args.baseline_kizuna:
            binaries.append(("baseline", args.baseline_kizuna, ()))
        loads, results = [], {name: [] for name, _, _ in binaries}
        for _ in range(args.runs):
            loads.append(json_load_seconds(path))
            for name, binary, extra in binaries:
                results[name].append(import_once(binary, root, path, extra))
        load = statistics.median(loads)
        line = {"bench": "import_vs_json_load", "objects": args.objects, "bytes": os.path.getsize(path),
                "runs": args.runs, "json_load_median_s": round(load, 4),
                "json_load_range_s": [round(min(loads), 4), round(max(loads), 4)],
                "json_load_objects_per_s": round(args.objects / load)}
        for name, _, _ in binaries:
            runs = results[name]
            wall = statistics.median(r[0] for r in runs)
            summary = json.loads(runs[0][3])
            line[name] = {"median_wall_s": round(wall, 4),
                          "wall_range_s": [round(min(r[0] for r in runs), 4), round(max(r[0] for r in runs), 4)],
                          "median_user_s": round(statistics.median(r[1] for r in runs), 4),
                          "median_system_s": round(statistics.median(r[2] for r in runs), 4),
                          "objects_per_s": round(args.objects / wall),
                          "import_vs_json_load": round(wall / load, 2),
                          "added": summary.get("added"), "rejected": summary.get("rejected"),
                          "index_pending": summary.get("index", {}).get("pending")}
        if args.baseline_kizuna:
            line["speedup"] = round(line["baseline"]["median_wall_s"] / line["kizuna"]["median_wall_s"], 2)
        print(json.dumps(line))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
