#!/usr/bin/env python3
"""TAXII server benchmark: Kizuna against nginx serving the same response bytes, with wrk.

Builds a collection of N indicators (default 100,000), starts `kizuna serve --dev` on loopback,
fetches three GET pages of 100 objects -- the first page, a page 90% deep by `added_after`, and
a page 90% deep by `next` -- saves their exact bodies, and serves those files from nginx on
another loopback port. wrk then measures both servers with the same settings; the ratio is
Kizuna's requests/s over nginx's for the same bytes. Then POST: envelopes of 1,000 new
objects from several client threads, in objects/s. Prints one JSON line per measurement.

Usage: bench/taxii_bench.py --kizuna build/release/kizuna [--objects 100000] [--duration 10]
Needs wrk and nginx (Debian packages).
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from kizuna_bench import add_publisher, kz

TAXII = "application/taxii+json;version=2.1"


def indicator(n, creator):
    return ('{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created_by_ref":"%s",'
            '"created":"2026-08-01T10:00:00.000Z",'
            '"modified":"2026-08-01T10:00:00.000Z","name":"Indicator %d","description":"Seen in a campaign '
            'against government networks; shared under the framework.","indicator_types":["malicious-activity"],'
            '"pattern":"[domain-name:value = \'h%d.example.com\']","pattern_type":"stix",'
            '"valid_from":"2026-08-01T10:00:00Z","labels":["family-%d"]}' % (uuid.UUID(int=n, version=4), creator, n, n, n % 50))


def wrk(url, headers, duration, threads, connections):
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", "%ds" % duration, "--latency"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], check=True, capture_output=True).stdout.decode()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * scale, int(non2xx.group(1)) if non2xx else 0


def start_nginx(root, port, files):
    conf = os.path.join(root, "nginx.conf")
    locations = "".join('    location = /%s { default_type "%s"; alias %s; }\n' % (name, TAXII, path)
                        for name, path in files.items())
    with open(conf, "w") as f:
        f.write("worker_processes %d;\ndaemon off;\nerror_log %s/error.log;\npid %s/nginx.pid;\n"
                "events { worker_connections 1024; }\nhttp {\n  access_log off;\n  sendfile on;\n"
                "  keepalive_requests 1000000;\n  server {\n    listen 127.0.0.1:%d;\n%s  }\n}\n"
                % (os.cpu_count(), root, root, port, locations))
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", root], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, token):
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", path, headers={"Accept": TAXII, "Authorization": "Bearer " + token})
    r = c.getresponse()
    return r.status, dict(r.getheaders()), r.read()


def post_rate(port, base, token, envelopes):
    """POSTs `envelopes` (of 1,000 objects each) from two client threads; returns objects per
    second and the p99 latency in ms."""
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
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--post-envelopes", type=int, default=40)
    args = ap.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not os.path.exists("/usr/sbin/" + tool):
            sys.exit("needs %s (apt-get install %s)" % (tool, tool))
    os.environ["PATH"] += ":/usr/sbin"
    tmp = tempfile.mkdtemp(prefix="kizuna-taxii-bench-")
    data = os.path.join(tmp, "data")
    server = None
    try:
        kz(args.kizuna, data, "init")
        cid = json.loads(kz(args.kizuna, data, "collection", "create", "--title", "bench", "--alias", "bench"))["id"]
        org, token = add_publisher(args.kizuna, data, cid, "bench")
        feed = os.path.join(tmp, "feed.jsonl")
        with open(feed, "w") as f:
            f.write("\n".join(indicator(i, org) for i in range(args.objects)) + "\n")
        kz(args.kizuna, data, "import", feed, "--collection", "bench")

        port = free_port()
        server = subprocess.Popen([args.kizuna, "--data-dir", data, "serve", "--dev", "--listen",
                                   "127.0.0.1:%d" % port, "--access-log", "off"], stdout=subprocess.PIPE)
        server.stdout.readline()
        base = "/intel/collections/%s/objects/" % cid
        # A page 90% deep: the date_added of object 0.9 N, from the manifest.
        manifest_path = "/intel/collections/%s/manifest/?limit=1&match[id]=indicator--%s&match[version]=all" % (
            cid, uuid.UUID(int=int(args.objects * 0.9), version=4))
        deep_added = json.loads(get(port, manifest_path, token)[2])["objects"][0]["date_added"]
        first_path = base + "?limit=100"
        added_path = base + "?limit=100&added_after=" + deep_added
        prev = json.loads(get(port, added_path, token)[2])
        # The next page of that request: the token goes back with the same filters (§3.5).
        next_path = added_path + "&next=" + prev["next"]
        pages = {"first": first_path, "deep_added_after": added_path, "deep_next": next_path}
        files = {}
        for name, path in pages.items():
            status, headers, body = get(port, path, token)
            assert status == 200 and len(json.loads(body)["objects"]) == 100, (name, status)
            files[name] = os.path.join(tmp, name + ".json")
            with open(files[name], "wb") as f:
                f.write(body)
        nginx_port = free_port()
        nginx = start_nginx(tmp, nginx_port, files)
        try:
            threads = min(2, os.cpu_count())
            for name, path in pages.items():
                k_rps, k_p99, k_err = wrk("http://127.0.0.1:%d%s" % (port, path),
                                          ["Accept: " + TAXII, "Authorization: Bearer " + token],
                                          args.duration, threads, args.connections)
                n_rps, n_p99, n_err = wrk("http://127.0.0.1:%d/%s" % (nginx_port, name), ["Accept: " + TAXII],
                                          args.duration, threads, args.connections)
                print(json.dumps({"bench": "taxii_get", "page": name, "collection_objects": args.objects,
                                  "bytes": os.path.getsize(files[name]), "kizuna_rps": round(k_rps),
                                  "kizuna_p99_ms": k_p99, "kizuna_errors": k_err, "nginx_rps": round(n_rps),
                                  "nginx_p99_ms": n_p99, "ratio_vs_nginx": round(k_rps / n_rps, 3),
                                  "objects_per_s": round(k_rps * 100)}), flush=True)
        finally:
            nginx.terminate()
            nginx.wait()

        # POST: envelopes of 1,000 new objects, from two client threads.
        envelopes = [("{\"objects\":[" + ",".join(indicator(10_000_000 + e * 1000 + i, org) for i in range(1000)) + "]}").encode()
                     for e in range(args.post_envelopes)]
        objects_per_s, p99_ms = post_rate(port, base, token, envelopes)
        print(json.dumps({"bench": "taxii_post", "envelopes": len(envelopes), "objects_per_envelope": 1000,
                          "requests_per_s": round(objects_per_s / 1000, 1),
                          "objects_per_s": round(objects_per_s),
                          "p99_ms": round(p99_ms, 1)}), flush=True)
    finally:
        if server is not None:  # also when a measurement failed: the node never outlives the run
            server.terminate()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
