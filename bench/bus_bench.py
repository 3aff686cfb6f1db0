#!/usr/bin/env python3
"""Telemetry over NATS JetStream: matcher workers against `kizuna match` on the same file.

A node holds --indicators domain indicators (1 in 50 telemetry names hits) readable by a
sensor user; a Zeek dns.log of --records records is written once. Measured in one run:

  match        `kizuna match --threads 1` on the file: records/s as it reports (matching only)
  one worker   the file shipped (`kizuna ship`, batches of --batch), then one
               `kizuna match --from --threads 1` drains the stream: records/s from its first
               batch to its last (fetch, match, sightings report published with ack, ack)
  two workers  the file shipped again, two workers on one durable consumer drain it together:
               their records over the longer of their two spans
  latency      one worker waiting, `kizuna ship --follow` on a file appended with --rate
               records/s for --seconds s; `kizuna bus` reports shipped-to-stored delays of the
               batches that made sightings (p50, p99)

with `nats-server -js` on 127.0.0.1 (temporary store) and `kizuna bus` running throughout.
Prints one JSON line with the rates and the ratios (goals: worker >= 0.8 x match, two
workers >= 1.7 x one, p99 <= 1 s).

Usage: bench/bus_bench.py --kizuna build/release/kizuna [--records 1000000] [--indicators 10000]
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid

HEADER = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
          "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\n"
          "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\n")


def lines(first, count, indicators):
    out = []
    for i in range(first, first + count):
        name = "h%d.example.com" % (i % indicators) if i % 50 == 0 else "n%d.example.org" % (i % 5000)
        out.append("%d.%06d\tC%d\t10.0.%d.%d\t5353\t192.0.2.1\t53\tudp\t%s\n"
                   % (1700000000 + i // 1000, i % 1000000, i, i % 200, i % 250, name))
    return "".join(out)


def kz(args, data_dir, *rest):
    return subprocess.run([args.kizuna, "--data-dir", data_dir, *rest], check=True, capture_output=True).stdout.decode()


def start_nats(root):
    log = os.path.join(root, "nats.log")
    proc = subprocess.Popen(["nats-server", "-js", "-sd", os.path.join(root, "js"), "-a", "127.0.0.1", "-p", "-1",
                             "-l", log])
    for _ in range(200):
        time.sleep(0.05)
        m = re.search(r"client connections on 127\.0\.0\.1:(\d+)", open(log).read() if os.path.exists(log) else "")
        if m:
            return proc, "nats://127.0.0.1:" + m.group(1)
    raise RuntimeError("nats-server did not start")


def worker(args, url, out):
    p = subprocess.run([args.kizuna, "match", "--from", url, "--durable", "bench", "--threads", "1",
                        "--exit-when-idle", "2", "--json"], check=True, capture_output=True)
    out.append(json.loads(p.stdout))


def workers(args, url, n):
    out = []
    threads = [threading.Thread(target=worker, args=(args, url, out)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = sum(w["records"] for w in out)
    return records / max(w["seconds"] for w in out), [w["batches"] for w in out]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kizuna", required=True)
    ap.add_argument("--records", type=int, default=1000000)
    ap.add_argument("--indicators", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=10000)
    ap.add_argument("--rate", type=int, default=20000)
    ap.add_argument("--seconds", type=float, default=5)
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="kizuna-bus-bench-")
    procs = []
    try:
        d = os.path.join(root, "node")
        kz(args, d, "init")
        for alias in ("intel", "sightings"):
            kz(args, d, "collection", "create", "--title", alias, "--alias", alias)
        org = json.loads(kz(args, d, "admin", "org", "add", "--name", "CERT", "--nation", "JPN", "--json"))["id"]
        kz(args, d, "admin", "user", "add", "sensor", "--org", "CERT", "--role", "reader", "--role", "publisher")
        kz(args, d, "admin", "grant", "intel", "--org", "CERT", "--read")
        kz(args, d, "admin", "grant", "sightings", "--org", "CERT", "--read", "--write")
        with open(os.path.join(root, "ind.jsonl"), "w") as f:
            for n in range(args.indicators):
                f.write(json.dumps({"type": "indicator", "spec_version": "2.1",
                                    "id": "indicator--%s" % uuid.UUID(int=n + 1, version=4),
                                    "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                                    "pattern": "[domain-name:value = 'h%d.example.com']" % n,
                                    "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
                                    "created_by_ref": org}) + "\n")
        kz(args, d, "import", os.path.join(root, "ind.jsonl"), "--collection", "intel")
        log = os.path.join(root, "dns.log")
        with open(log, "w") as f:
            f.write(HEADER)
            for start in range(0, args.records, 100000):
                f.write(lines(start, min(100000, args.records - start), args.indicators))
        base = json.loads(kz(args, d, "match", "--collection", "intel", "--input", log, "--threads", "1",
                             "--no-stored-allowlists", "--json"))["match"]
        match_rps = base["records_per_second"]

        nats, url = start_nats(root)
        procs.append(nats)
        node = subprocess.Popen([args.kizuna, "--data-dir", d, "bus", "--nats", url, "--as", "sensor", "--collection",
                                 "intel", "--sightings-to", "sightings", "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        procs.append(node)
        kz(args, d, "ship", "--to", url, "--input", log, "--batch", str(args.batch), "--sensor", "a")
        one_rps, _ = workers(args, url, 1)
        kz(args, d, "ship", "--to", url, "--input", log, "--batch", str(args.batch), "--sensor", "b")
        two_rps, split = workers(args, url, 2)
        node.send_signal(signal.SIGTERM)
        node.wait()

        # Latency: a fresh node process (it reads the reports so far again), one waiting worker.
        node = subprocess.Popen([args.kizuna, "--data-dir", d, "bus", "--nats", url, "--as", "sensor", "--collection",
                                 "intel", "--sightings-to", "sightings", "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        procs.append(node)
        w = subprocess.Popen([args.kizuna, "match", "--from", url, "--durable", "bench", "--threads", "1", "--json"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(w)
        live = os.path.join(root, "live.log")
        with open(live, "w") as f:
            f.write(HEADER)
        shipper = subprocess.Popen([args.kizuna, "ship", "--to", url, "--input", live, "--follow", "--batch",
                                    str(args.batch), "--sensor", "c"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        procs.append(shipper)
        time.sleep(1)
        step = max(1, args.rate // 10)
        n = 0
        end = time.time() + args.seconds
        while time.time() < end:
            with open(live, "a") as f:
                f.write(lines(n, step, args.indicators))
            n += step
            time.sleep(0.1)
        time.sleep(2)
        for p in (shipper, w, node):
            p.send_signal(signal.SIGTERM)
            p.wait()
        final = json.loads(node.stdout.read())
        latency = final["latency"]
        print(json.dumps({
            "bench": "bus", "records": args.records, "indicators": args.indicators, "batch": args.batch,
            "match_records_per_s": round(match_rps), "worker_records_per_s": round(one_rps),
            "worker_vs_match": round(one_rps / match_rps, 3),
            "two_workers_records_per_s": round(two_rps), "two_vs_one": round(two_rps / one_rps, 3),
            "two_workers_batches": split, "worker_indicators": final["indicators"], "latency_samples": latency["samples"],
            "latency_p50_s": round(latency["p50_s"], 4), "latency_p99_s": round(latency["p99_s"], 4)}))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
