#!/usr/bin/env python3
"""`kizuna match` over real Zeek TSV logs, per CPU second, two binaries alternating.

A node (made with the first binary) holds indicators drawn from the logs themselves: every
4th DNS query or TLS server name seen at most 10 times as a domain, every 4th such responder
address as an IPv4 address, up to 100 such address-and-port pairs (`network-traffic:dst_ref
.value = a AND network-traffic:dst_port = p`), and --fillers (10,000) domains and addresses
that match nothing. The logs named by --logs
(default dns and ssl of ../shared/data/zeek/tsv, the real captures) are decompressed and
repeated until each file holds about --records records. Then, round after round, each
binary runs

  kizuna match --collection intel --input FILE... --threads 1 --no-stored-allowlists \
      --alerts ALERTS --json

and the run's CPU time (user + system of the process, from wait4) is taken. Records per CPU
second = the records it reports / that CPU time (start-up included, which is why --records
is large). Each binary works on its own copy of the node, and runs once before the rounds
(not counted): that run compiles the indicators from the store and writes the node's
compiled-set file (<data>/match-cache, detect/compiled_set.h), which every counted run then
reads, as every run but the first does in use. (A file is read only by the build that wrote
it: with one node, each binary would find the other's file, compile and write its own,
every run.) The output says where each counted run's compiled set came from. The alerts of every run must be identical to the first run's
(compared by SHA-256): the script exits with an error otherwise.

Prints one JSON line per binary (median, min and max records per CPU second, the median
wall figure the command reports, matches) and one with the median ratio of each round's
pair (second binary over first), and the load average before and after.

Usage: bench/zeek_match_bench.py --kizuna BEFORE --kizuna AFTER [--records 3000000]
       [--rounds 5] [--logs dns,ssl] [--data ../shared/data/zeek/tsv] [--keep DIR]
"""
import argparse
import collections
import gzip
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid


def kz(kizuna, data_dir, *rest):
    proc = subprocess.run([kizuna, "--data-dir", data_dir, *rest], capture_output=True)
    if proc.returncode != 0:
        sys.exit("kizuna %s: %s" % (" ".join(rest), proc.stderr.decode()[-2000:]))
    return proc.stdout.decode()


def read_log(path):
    """Returns (header lines, data lines) of a Zeek TSV log."""
    header, data = [], []
    with gzip.open(path, "rt", encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            (header if line.startswith("#") else data).append(line)
    return [h for h in header if not h.startswith("#close")], data


def field_index(header, name):
    for h in header:
        if h.startswith("#fields\t"):
            names = h.rstrip("\n").split("\t")[1:]
            return names.index(name) if name in names else None
    return None


def indicators(logs, fillers):
    names, addresses, pairs = (collections.Counter() for _ in range(3))
    for header, data in logs:
        cols = {n: field_index(header, n) for n in ("query", "server_name", "id.resp_h", "id.resp_p")}
        for line in data:
            parts = line.rstrip("\n").split("\t")
            for n in ("query", "server_name"):
                if cols[n] is not None and parts[cols[n]] not in ("-", "(empty)"):
                    names[parts[cols[n]].lower()] += 1
            if cols["id.resp_h"] is not None:
                addresses[parts[cols["id.resp_h"]]] += 1
                if cols["id.resp_p"] is not None:
                    pairs[(parts[cols["id.resp_h"]], parts[cols["id.resp_p"]])] += 1
    # Values seen at most 10 times, so that matches stay rare (as in a real feed) and the
    # alerts written do not dominate.
    rare = lambda counter: sorted(k for k, v in counter.items() if v <= 10)
    patterns = ["[domain-name:value = '%s']" % n for n in rare(names)[::4] if "'" not in n and "\\" not in n]
    patterns += ["[ipv4-addr:value = '%s']" % a for a in rare(addresses)[::4] if ":" not in a and "." in a]
    v4_pairs = [p for p in rare(pairs) if ":" not in p[0] and "." in p[0] and p[1].isdigit()]
    patterns += ["[network-traffic:dst_ref.value = '%s' AND network-traffic:dst_port = %s]" % p
                 for p in v4_pairs[:: max(1, len(v4_pairs) // 100)][:100]]
    # Indicators no record matches: tables of a realistic size.
    for n in range(fillers):
        patterns.append("[domain-name:value = 'f%d.bench.invalid']" % n if n % 2 else
                        "[ipv4-addr:value = '198.18.%d.%d']" % (n // 256 % 256, n % 256))
    return patterns


def make_node(kizuna, root, patterns):
    d = os.path.join(root, "node")
    kz(kizuna, d, "init")
    kz(kizuna, d, "collection", "create", "--title", "intel", "--alias", "intel")
    org = json.loads(kz(kizuna, d, "admin", "org", "add", "--name", "CERT", "--nation", "JPN", "--json"))["id"]
    path = os.path.join(root, "ind.jsonl")
    with open(path, "w") as f:
        for n, p in enumerate(patterns):
            f.write(json.dumps({"type": "indicator", "spec_version": "2.1",
                                "id": "indicator--%s" % uuid.UUID(int=n + 1, version=4),
                                "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                                "pattern": p, "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
                                "created_by_ref": org}) + "\n")
    kz(kizuna, d, "import", path, "--collection", "intel")
    return d


def run(kizuna, data_dir, inputs, alerts):
    start = time.monotonic()
    proc = subprocess.Popen([kizuna, "--data-dir", data_dir, "match", "--collection", "intel", "--input", *inputs,
                             "--threads", "1", "--no-stored-allowlists", "--alerts", alerts, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.monotonic() - start
    # communicate() reaped the child; its rusage is what RUSAGE_CHILDREN gained.
    if proc.returncode != 0:
        sys.exit("kizuna match: %s" % err.decode()[-2000:])
    out = json.loads(out)
    return out["match"], wall, out["compile"].get("compiled_from", "store")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kizuna", action="append", required=True, help="twice: before, after")
    ap.add_argument("--records", type=int, default=3000000, help="records per log file")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--logs", default="dns,ssl")
    ap.add_argument("--keep", help="an empty directory to work in and keep (node, logs, alerts)")
    ap.add_argument("--fillers", type=int, default=10000, help="indicators that match nothing")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "zeek",
                                                   "tsv"))
    args = ap.parse_args()
    root = args.keep or tempfile.mkdtemp(prefix="kizuna-zeek-match-bench-")
    try:
        logs = [read_log(os.path.join(args.data, name + ".log.gz")) for name in args.logs.split(",")]
        inputs = []
        for name, (header, data) in zip(args.logs.split(","), logs):
            path = os.path.join(root, name + ".log")
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.writelines(header)
                for _ in range(max(1, args.records // len(data))):
                    f.writelines(data)
            inputs.append(path)
        patterns = indicators(logs, args.fillers)
        node = make_node(args.kizuna[0], root, patterns)
        nodes = {}
        for n, k in enumerate(args.kizuna):
            nodes[k] = os.path.join(root, "node-%d" % n)
            shutil.rmtree(nodes[k], ignore_errors=True)
            shutil.copytree(node, nodes[k])
            shutil.rmtree(os.path.join(nodes[k], "match-cache"), ignore_errors=True)
        alerts = os.path.join(root, "alerts.jsonl")
        for k in args.kizuna:  # compiles and writes the compiled-set file of k's node
            run(k, nodes[k], inputs, alerts)
        load_before = os.getloadavg()
        cpu = {k: [] for k in args.kizuna}
        compiled_from = {k: collections.Counter() for k in args.kizuna}
        wall_rate = {k: [] for k in args.kizuna}
        ratios = []
        digest = None
        summary = None
        for _ in range(args.rounds):
            per_round = {}
            for k in args.kizuna:
                before = os.times()
                summary, _, compiled = run(k, nodes[k], inputs, alerts)
                compiled_from[k][compiled] += 1
                after = os.times()
                seconds = (after.children_user - before.children_user) + (after.children_system -
                                                                           before.children_system)
                with open(alerts, "rb") as f:
                    d = hashlib.sha256(f.read()).hexdigest()
                if digest is None:
                    digest = d
                elif d != digest:
                    sys.exit("alerts of %s differ from the first run's" % k)
                rate = summary["records"] / seconds
                cpu[k].append(rate)
                wall_rate[k].append(summary["records_per_second"])
                per_round[k] = rate
            ratios.append(per_round[args.kizuna[-1]] / per_round[args.kizuna[0]])
        for k in args.kizuna:
            print(json.dumps({"binary": k, "records": summary["records"], "matches": summary.get("matches"),
                              "records_per_cpu_second_median": round(statistics.median(cpu[k])),
                              "min": round(min(cpu[k])), "max": round(max(cpu[k])),
                              "reported_records_per_second_median": round(statistics.median(wall_rate[k])),
                              "compiled_from": dict(compiled_from[k])}))
        print(json.dumps({"ratio_last_over_first_median": round(statistics.median(ratios), 3),
                          "ratios": [round(r, 3) for r in ratios], "indicators": len(patterns),
                          "load_before": [round(x, 2) for x in load_before],
                          "load_after": [round(x, 2) for x in os.getloadavg()], "alerts_sha256": digest}))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
