#!/usr/bin/env python3
"""Store check benchmark: how long `kizuna check --quick` (what `kizuna serve` runs at start)
and `kizuna check` (full) take on a store of N indicators (default 1,000,000: about 1 GB).

The baseline, measured in the same run on the same file, is reading the database file once
from start to end (64 KiB reads): `quick_vs_read` is the quick check's time over that read's,
warm (the file in the page cache, as after `kizuna import`) and cold (the file's pages evicted
from the page cache with posix_fadvise, for this file only). Prints one JSON line per
measurement.

Usage: bench/check_bench.py --kizuna build/release/kizuna [--objects 1000000] [--keep DIR]
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid


def indicator(n):
    return json.dumps({"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
                       "created": "2026-08-01T10:00:00.000Z", "modified": "2026-08-01T10:00:00.000Z",
                       "name": "Indicator %d" % n, "pattern": "[domain-name:value = 'h%d.example.com']" % n,
                       "pattern_type": "stix", "valid_from": "2026-08-01T10:00:00Z"})


def kz(kizuna, data_dir, *args, check=True):
    return subprocess.run([kizuna, "--data-dir", data_dir, *args], check=check, capture_output=True)


def evict(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def read_file(path):
    start = time.monotonic()
    with open(path, "rb", buffering=0) as f:
        while f.read(1 << 16):
            pass
    return time.monotonic() - start


def timed_check(kizuna, data_dir, *args):
    start = time.monotonic()
    proc = kz(kizuna, data_dir, "check", "--json", *args, check=False)
    elapsed = time.monotonic() - start
    report = json.loads(proc.stdout)
    assert report["clean"], proc.stdout[-2000:]
    return elapsed, {s["name"]: s["elapsed_ms"] / 1000 for s in report["steps"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kizuna", required=True)
    ap.add_argument("--objects", type=int, default=1_000_000)
    ap.add_argument("--keep", help="build the store here (or reuse it) and keep it")
    args = ap.parse_args()
    root = args.keep or tempfile.mkdtemp(prefix="kizuna-check-bench-")
    data_dir = os.path.join(root, "data")
    db = os.path.join(data_dir, "kizuna.db")
    try:
        if not os.path.exists(db):
            kz(args.kizuna, data_dir, "init")
            kz(args.kizuna, data_dir, "collection", "create", "--title", "bench", "--alias", "bench")
            lines = os.path.join(root, "objects.jsonl")
            with open(lines, "w") as f:
                for n in range(1, args.objects + 1):
                    f.write(indicator(n) + "\n")
            kz(args.kizuna, data_dir, "import", lines, "--collection", "bench")
            os.remove(lines)
        size_mb = os.path.getsize(db) / 1e6
        common = {"bench": "check", "objects": args.objects, "db_mb": round(size_mb, 1)}
        for cache in ("warm", "cold"):
            if cache == "warm":
                read_file(db)
            else:
                evict(db)
            read_s = read_file(db)
            if cache == "cold":
                evict(db)
            else:
                read_file(db)
            quick_s, _ = timed_check(args.kizuna, data_dir, "--quick")
            print(json.dumps({**common, "measurement": "quick_" + cache, "read_s": round(read_s, 3),
                              "quick_s": round(quick_s, 3), "quick_vs_read": round(quick_s / read_s, 2),
                              "quick_mb_per_s": round(size_mb / quick_s, 1)}), flush=True)
        full_s, steps = timed_check(args.kizuna, data_dir)
        print(json.dumps({**common, "measurement": "full_warm", "full_s": round(full_s, 3), "steps_s": steps}),
              flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
