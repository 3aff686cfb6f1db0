"""The console's counts counted from nothing, two builds side by side: a node of each binary in
turn serves the same store (console/store.py), and the USA reader's first GET collections and
GET dashboard after the node started (counted in SQL from nothing) and a second one (kept) are
timed, alternating binaries run by run. Prints one JSON line per run and the medians.

  python3 bench/console/counts_bench.py BEFORE_KIZUNA AFTER_KIZUNA [--objects N] [--runs R] [--keep DIR]"""
import argparse
import json
import os
import shutil
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
sys.path.insert(0, HERE)
import node as node_module  # noqa: E402
import store  # noqa: E402


def timed(client, path):
    started = time.monotonic()
    r = client.get(path, accept="application/json")
    elapsed = time.monotonic() - started
    if r.status != 200:
        raise SystemExit("%s: %d %s" % (path, r.status, r.body[:200]))
    return elapsed * 1000, r.json()


def one_run(kizuna, data, token):
    node_module.KIZUNA = kizuna
    node = node_module.Node(data)
    try:
        client = node_module.Client(node, token)
        out = {}
        for name, path in (("collections", "/api/v1/collections"), ("dashboard", "/api/v1/dashboard")):
            out[name + "_first_ms"], first = timed(client, path)
            out[name + "_kept_ms"], again = timed(client, path)
            assert first == again
            out[name] = first
        return out
    finally:
        node.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep")
    args = ap.parse_args()
    os.environ["KIZUNA_BIN"] = args.before
    tmp, info = store.prepare(args.before, args.objects, args.keep)
    data = os.path.join(tmp, "data")
    token = info["tokens"]["usa-analyst"]
    times = {"before": [], "after": []}
    try:
        for run in range(args.runs):
            for label, binary in (("before", args.before), ("after", args.after)):
                r = one_run(binary, data, token)
                times[label].append(r)
                print(json.dumps({"run": run, "build": label,
                                  **{k: round(v, 1) for k, v in r.items() if k.endswith("_ms")}}), flush=True)
        # The same answers from both builds.
        assert times["before"][0]["collections"] == times["after"][0]["collections"]
        assert times["before"][0]["dashboard"]["week"] == times["after"][0]["dashboard"]["week"]
        summary = {"bench": "console_counts", "objects": args.objects, "runs": args.runs}
        for key in ("collections_first_ms", "dashboard_first_ms", "collections_kept_ms", "dashboard_kept_ms"):
            b = statistics.median(r[key] for r in times["before"])
            a = statistics.median(r[key] for r in times["after"])
            summary[key] = {"before": round(b, 1), "after": round(a, 1), "after_vs_before": round(a / b, 3)}
        print(json.dumps(summary))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
