"""The console's first load against the real back end, without a browser: the dashboard (a new
TLS connection, then index.html, app.js, app.css, the session check and GET /api/v1/dashboard,
as the console fetches them), the object browser's first page (GET /api/v1/collections, which
fills its collection filter) and a search (GET /api/v1/search), timed from the client, against
a baseline measured in the same run: a TAXII GET of one page of 100 objects (same connection
setup, same user). Each is the median of --runs runs; "cold" runs follow a write (a published
indicator), so no answer the node keeps can serve them as it is, "warm" runs repeat the load
unchanged; the dashboard's first load and the object browser's first page after the node
started (nothing kept: everything counted) are timed once.
Prints one JSON line.

  python3 bench/console/first_load_bench.py KIZUNA_BIN [--objects 1000000] [--runs 7]
                                            [--keep DIR]  (build the store there once, keep it)
KIZUNA_CONSOLE_DIR: the built console (default build/test/console)."""
import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import time
import uuid

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import store  # noqa: E402

TAXII = "application/taxii+json;version=2.1"
ROOT = os.path.join(here, "..", "..")


class Visit:
    """One fresh client: a new TLS connection reused for every request, as a browser does."""

    def __init__(self, node):
        self.conn = http.client.HTTPSConnection("127.0.0.1", node.port, context=node.context(), timeout=600)
        self.headers = {}

    def get(self, path, accept="application/json", expect=200):
        self.conn.request("GET", path, headers={"Accept": accept, **self.headers})
        r = self.conn.getresponse()
        body = r.read()
        if r.status != expect:
            raise SystemExit("GET %s: %d %s" % (path, r.status, body[:200]))
        return r, body

    def close(self):
        self.conn.close()


def sign_in(node, user):
    v = Visit(node)
    body = json.dumps({"user": user, "password": store.PASSWORD})
    v.conn.request("POST", "/api/v1/session", body=body, headers={"Content-Type": "application/json",
                                                                   "Accept": "application/json"})
    r = v.conn.getresponse()
    r.read()
    if r.status != 200:
        raise SystemExit("sign-in failed: %d" % r.status)
    cookie = r.headers["Set-Cookie"].split(";")[0]
    v.close()
    return cookie


def timed(node, headers, paths):
    """Milliseconds to fetch `paths` in order on one new connection, and the last body."""
    started = time.perf_counter()
    v = Visit(node)
    v.headers = headers
    body = b""
    for path, accept in paths:
        _, body = v.get(path, accept)
    v.close()
    return (time.perf_counter() - started) * 1000, body


def publish(node, token, collection, n):
    """One new indicator, so that nothing kept answers the next load."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    indicator = {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.uuid4(), "created": now,
                 "modified": now, "name": "bench write %d" % n, "pattern": "[ipv4-addr:value = '192.0.2.%d']" % (n % 250),
                 "pattern_type": "stix", "valid_from": now,
                 "object_marking_refs": [store.TLP_GREEN]}
    v = Visit(node)
    v.conn.request("POST", "/intel/collections/%s/objects/" % collection, body=json.dumps({"objects": [indicator]}),
                   headers={"Content-Type": TAXII, "Accept": TAXII, "Authorization": "Bearer " + token})
    r = v.conn.getresponse()
    r.read()
    v.close()
    if r.status != 202:
        raise SystemExit("publish failed: %d" % r.status)


def median(values):
    return round(statistics.median(values), 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kizuna")
    ap.add_argument("--objects", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep")
    args = ap.parse_args()
    os.environ.setdefault("KIZUNA_CONSOLE_DIR", os.path.join(ROOT, "build", "test", "console"))
    tmp, info = store.prepare(args.kizuna, args.objects, args.keep)
    try:
        node = store.serve(os.path.join(tmp, "data"))
        try:
            result = measure(node, info, args.runs)
        finally:
            node.stop()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    result.update({"bench": "console_first_load", "objects": args.objects, "runs": args.runs})
    print(json.dumps(result))


def measure(node, info, runs):
    cookie = {"Cookie": sign_in(node, "usa-analyst")}
    bearer = {"Authorization": "Bearer " + info["tokens"]["usa-analyst"]}
    root = "/intel/collections/%s/objects/?limit=100" % info["collection"]
    shell = [("/console/", "text/html"), ("/console/app.js", "*/*"), ("/console/app.css", "text/css"),
             ("/api/v1/session", "application/json")]
    loads = {
        "baseline_taxii_page": (bearer, [(root, TAXII)]),
        "dashboard_first_load": (cookie, shell + [("/api/v1/dashboard", "application/json")]),
        "dashboard_api": (cookie, [("/api/v1/dashboard", "application/json")]),
        "browser_first_page": (cookie, shell[:2] + [("/api/v1/collections", "application/json")]),
        "search": (cookie, [("/api/v1/search?q=lazarus+beacon&limit=50", "application/json")]),
    }
    # The very first load after the node started: nothing kept, everything counted.
    started_ms, _ = timed(node, cookie, shell + [("/api/v1/dashboard", "application/json")])
    browser_started_ms, _ = timed(node, cookie, loads["browser_first_page"][1])
    cold = {k: [] for k in loads}
    warm = {k: [] for k in loads}
    for i in range(runs):
        for name, (headers, paths) in loads.items():
            # A write first: every kept answer is stale for the cold load.
            publish(node, info["tokens"]["jpn-analyst"], info["collection"], 2 * i)
            ms, _ = timed(node, headers, paths)
            cold[name].append(ms)
            ms, _ = timed(node, headers, paths)
            warm[name].append(ms)
    base_cold = median(cold["baseline_taxii_page"])
    base_warm = median(warm["baseline_taxii_page"])
    out = {"cold_ms": {k: median(v) for k, v in cold.items()}, "warm_ms": {k: median(v) for k, v in warm.items()}}
    out["cold_ratio_to_baseline"] = {k: round(v / base_cold, 2) for k, v in out["cold_ms"].items()}
    out["warm_ratio_to_baseline"] = {k: round(v / base_warm, 2) for k, v in out["warm_ms"].items()}
    out["dashboard_first_load_after_start_ms"] = round(started_ms, 1)
    out["browser_first_page_after_start_ms"] = round(browser_started_ms, 1)
    out["goal_dashboard_ms"] = 1000
    # The counts at this size (exact: equal to the reader's TAXII read).
    _, body = timed(node, cookie, [("/api/v1/dashboard", "application/json")])
    out["dashboard_week_in"] = sum(json.loads(body)["week"]["in"].values())
    _, body = timed(node, cookie, [("/api/v1/collections", "application/json")])
    out["collection_objects"] = [c["objects"] for c in json.loads(body)]
    return out


if __name__ == "__main__":
    main()
