#!/usr/bin/env python3
"""The abused store of issue 16 (findings 5 and 7), and single-object TAXII POSTs timed on it.

  bench/abused_store.py build --kizuna BIN --out DIR [--fresh]
      Makes DIR/data: one organisation (JPN), a publisher with a token, a collection. Then,
      unless --fresh, it sends through `kizuna serve --dev` what the probes of issue 16 sent:
        - one envelope of 1,000,000 `{}` (3 MB): finding 5. A node that bounds envelopes
          answers 413; the same million then go as envelopes at the node's bound (the
          message names it), so the store sees the same abuse within the bounds;
        - 101 indicators with 1,000 unknown marking-definition refs each: finding 1;
        - six reads of the largest status, after which the node's peak memory (VmHWM) is
          read from /proc.
      The node is then killed (SIGKILL), so the write-ahead log stays as the abuse left it.
      DIR/bench.json records the token, the collection and what the abuse got (statuses,
      database and WAL sizes, peak memory): the input of `post` and of the mixed-load bench.

  bench/abused_store.py post --kizuna BIN --dir DIR [--runs 5] [--seconds 10] [--connections 8]
      Each run copies DIR/data, starts `kizuna serve --dev` on the copy and runs wrk with
      `--connections` connections, each POSTing envelopes of one new indicator for
      `--seconds`. Prints one JSON line per run (with the octets the node wrote per request,
      from /proc/PID/io) and one with the medians (requests/s, p99).

  bench/abused_store.py reads --kizuna BIN --dir DIR [--reads 6]
      Copies DIR/data, starts `kizuna serve --dev` on it, resets the node's peak memory
      (/proc/PID/clear_refs), reads the largest status of the abuse `--reads` times at once and prints
      how far the peak (VmHWM) rose above what the node held before the reads.

Needs wrk (Debian package). Plain HTTP on 127.0.0.1 only; every node started here is stopped
before the script ends.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from kizuna_bench import add_publisher, kz

TAXII = "application/taxii+json;version=2.1"

# wrk's Lua: every request POSTs a new indicator, ids unique per thread and request.
WRK_SCRIPT = r"""
local counter = 0
local thread_id = 0
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_id", next_thread)
end
function request()
  counter = counter + 1
  local id = string.format("indicator--%08x-%04x-4%03x-8000-%012x", os.time() % 0xffffffff,
                           thread_id, math.random(0, 4095), counter)
  local body = '{"objects":[{"type":"indicator","spec_version":"2.1","id":"' .. id ..
    '","created":"2026-08-01T10:00:00.000Z","modified":"2026-08-01T10:00:00.000Z",' ..
    '"name":"single","pattern":"[ipv4-addr:value = \'198.51.100.' .. (counter % 250) .. '\']",' ..
    '"pattern_type":"stix","valid_from":"2026-08-01T10:00:00Z"}]}'
  return wrk.format("POST", nil, nil, body)
end
"""


class Serve:
    """`kizuna serve --dev` on a free loopback port."""

    def __init__(self, kizuna, data_dir):
        self.proc = subprocess.Popen([kizuna, "--data-dir", data_dir, "serve", "--dev", "--listen", "127.0.0.1:0",
                                      "--access-log", "off", "--no-sync"], stdout=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("kizuna serve did not start")
        self.port = int(json.loads(line)["url"].rsplit(":", 1)[1])

    def request(self, method, path, token, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Accept": TAXII, "Authorization": "Bearer " + token}
        if body is not None:
            headers["Content-Type"] = TAXII
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        out = r.status, r.read()
        c.close()
        return out

    def peak_rss_mb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) / 1024

    def bytes_written(self):
        with open("/proc/%d/io" % self.proc.pid) as f:
            return int(re.search(r"wchar: (\d+)", f.read()).group(1))

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)
        self.proc.stdout.close()


def size_mb(path):
    return round(os.path.getsize(path) / 1e6, 1) if os.path.exists(path) else 0.0


def unknown_markings_indicator(n):
    refs = ",".join('"marking-definition--%s"' % uuid.UUID(int=(n << 16) | i, version=4) for i in range(1000))
    return ('{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"2026-08-01T10:00:00.000Z",'
            '"modified":"2026-08-01T10:00:00.000Z","pattern":"[domain-name:value = \'m%d.example\']",'
            '"pattern_type":"stix","valid_from":"2026-08-01T10:00:00Z","object_marking_refs":[%s]}'
            % (uuid.UUID(int=(1 << 60) | n, version=4), n, refs))


def abuse(node, token, objects_path, report):
    # Finding 5: a million empty objects in one envelope, or at the node's bound.
    status, body = node.request("POST", objects_path, token, b'{"objects":[' + b",".join([b"{}"] * 1_000_000) + b"]}")
    report["million_envelope_http"] = status
    status_ids = []
    if status == 202:
        status_ids.append(json.loads(body)["id"])
    else:
        bound = int(re.search(rb"(\d[\d,]*) objects", body).group(1).replace(b",", b""))
        report["envelope_bound"] = bound
        for _ in range(1_000_000 // bound):
            status, body = node.request("POST", objects_path, token, b'{"objects":[' + b",".join([b"{}"] * bound) + b"]}")
            assert status == 202, (status, body[:200])
            status_ids.append(json.loads(body)["id"])
    report["invalid_object_statuses"] = len(status_ids)
    # Finding 1: objects with 1,000 unknown marking refs each.
    for n in range(101):
        status, body = node.request("POST", objects_path, token, ('{"objects":[%s]}' % unknown_markings_indicator(n)).encode())
        assert status == 202, (status, body[:200])
    # Six reads of the (largest) status.
    sizes = []
    for _ in range(6):
        status, body = node.request("GET", "/intel/status/%s/" % status_ids[0], token)
        assert status == 200, status
        sizes.append(len(body))
    report["largest_status"] = status_ids[0]
    report["status_read_bytes"] = sizes[0]
    report["peak_rss_mb_after_status_reads"] = round(node.peak_rss_mb())


def build(args):
    data = os.path.join(args.out, "data")
    if os.path.exists(data):
        sys.exit("%s exists" % data)
    os.makedirs(args.out, exist_ok=True)
    kz(args.kizuna, data, "init")
    cid = json.loads(kz(args.kizuna, data, "collection", "create", "--title", "bench", "--alias", "bench"))["id"]
    org, token = add_publisher(args.kizuna, data, cid, "bench")
    report = {"collection": cid, "api_root": "intel", "token": token, "organization": org, "abused": not args.fresh,
              "built_with": os.path.abspath(args.kizuna)}
    if not args.fresh:
        node = Serve(args.kizuna, data)
        try:
            abuse(node, token, "/intel/collections/%s/objects/" % cid, report)
        finally:
            node.stop(signal.SIGKILL)  # the WAL stays as the abuse left it
    db = os.path.join(data, "kizuna.db")
    report["database_mb"], report["wal_mb"] = size_mb(db), size_mb(db + "-wal")
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps({"bench": "abused_store_build", **{k: v for k, v in report.items() if k != "token"}}))


def wrk_post(port, token, path, seconds, connections, script):
    threads = min(2, connections)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", "%ds" % seconds, "--latency",
                          "-s", script, "-H", "Accept: " + TAXII, "-H", "Content-Type: " + TAXII,
                          "-H", "Authorization: Bearer " + token, "http://127.0.0.1:%d%s" % (port, path)],
                         check=True, capture_output=True).stdout.decode()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (rps, float(p99.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)],
            int(errors.group(1)) if errors else 0, requests)


def post(args):
    with open(os.path.join(args.dir, "bench.json")) as f:
        info = json.load(f)
    tmp = tempfile.mkdtemp(prefix="kizuna-abused-")
    script = os.path.join(tmp, "post.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT)
    rates, p99s, writes = [], [], []
    try:
        for run in range(args.runs):
            data = os.path.join(tmp, "data")
            shutil.rmtree(data, ignore_errors=True)
            shutil.copytree(os.path.join(args.dir, "data"), data)
            node = Serve(args.kizuna, data)
            try:
                path = "/%s/collections/%s/objects/" % (info["api_root"], info["collection"])
                time.sleep(0.5)
                written = node.bytes_written()
                rps, p99, errors, requests = wrk_post(node.port, info["token"], path, args.seconds,
                                                      args.connections, script)
                written = node.bytes_written() - written
            finally:
                node.stop()
            rates.append(rps)
            p99s.append(p99)
            writes.append(written // max(requests, 1))
            print(json.dumps({"bench": "single_object_post", "store": os.path.basename(os.path.normpath(args.dir)),
                              "abused": info["abused"], "run": run, "requests_per_s": round(rps, 1),
                              "p99_ms": p99, "non_2xx": errors, "bytes_written_per_post": written // max(requests, 1)}),
                  flush=True)
        print(json.dumps({"bench": "single_object_post_median", "store": os.path.basename(os.path.normpath(args.dir)),
                          "abused": info["abused"], "runs": args.runs, "connections": args.connections,
                          "seconds": args.seconds, "requests_per_s": round(statistics.median(rates), 1),
                          "p99_ms": statistics.median(p99s), "bytes_written_per_post": statistics.median(writes),
                          "kizuna": os.path.abspath(args.kizuna)}), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def reads(args):
    with open(os.path.join(args.dir, "bench.json")) as f:
        info = json.load(f)
    tmp = tempfile.mkdtemp(prefix="kizuna-abused-")
    try:
        data = os.path.join(tmp, "data")
        shutil.copytree(os.path.join(args.dir, "data"), data)
        node = Serve(args.kizuna, data)
        try:
            path = "/%s/status/%s/" % (info["api_root"], info["largest_status"])
            with open("/proc/%d/clear_refs" % node.proc.pid, "w") as f:
                f.write("5")  # the peak starts again from what the node holds after opening the store
            before = node.peak_rss_mb()
            bodies = []

            def read():
                status, body = node.request("GET", path, info["token"])
                assert status == 200, status
                bodies.append(len(body))

            readers = [threading.Thread(target=read) for _ in range(args.reads)]
            for t in readers:
                t.start()
            for t in readers:
                t.join()
            assert len(bodies) == args.reads
            after = node.peak_rss_mb()
        finally:
            node.stop()
        print(json.dumps({"bench": "status_reads", "store": os.path.basename(os.path.normpath(args.dir)),
                          "reads": args.reads, "status_bytes": bodies[0], "rss_mb_before": round(before),
                          "peak_rss_mb_after": round(after), "peak_rise_mb": round(after - before),
                          "kizuna": os.path.abspath(args.kizuna)}), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--kizuna", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--fresh", action="store_true", help="no abuse: the fresh store to compare with")
    p = sub.add_parser("post")
    p.add_argument("--kizuna", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=8)
    r = sub.add_parser("reads")
    r.add_argument("--kizuna", required=True)
    r.add_argument("--dir", required=True)
    r.add_argument("--reads", type=int, default=6)
    args = ap.parse_args()
    if shutil.which("wrk") is None and args.command == "post":
        sys.exit("needs wrk (apt-get install wrk)")
    {"build": build, "post": post, "reads": reads}[args.command](args)


if __name__ == "__main__":
    main()
