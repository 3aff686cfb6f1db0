"""A large store for the console benchmark: one collection, JPN and USA organisations, a JPN
publisher and a USA reader with passwords, N indicators (named, described, TLP:GREEN, a tenth
REL TO USA, JPN, a tenth TLP:RED) and N/10 sightings, imported with `kizuna import`; then a
real `kizuna serve` over TLS on 127.0.0.1. Prints one JSON line (URL, users, their tokens, a
sample of ids), serves until standard input closes, stops the node and removes the data (with
--keep DIR: builds the store in DIR once, keeps it, and serves it again on later runs).

  python3 store.py KIZUNA_BIN N [--keep DIR]"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
from node import Node, run  # noqa: E402

PASSWORD = "bench password"
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
REL = "marking-definition--2a000000-0000-4000-8000-000000000001"
RELEASABLE_TO = "extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde"
WORDS = ["lazarus", "kimsuky", "apt", "loader", "beacon", "phishing", "staging", "dropper", "exfil", "c2"]


def uid(kind, n):
    return "%s--%08x-0000-4000-8000-%012x" % (kind, n >> 48, n & 0xFFFFFFFFFFFF)


def write_objects(path, n, creator, now):
    with open(path, "w") as f:
        f.write(json.dumps({"type": "marking-definition", "spec_version": "2.1", "id": REL,
                            "created": "2026-01-01T00:00:00.000Z", "name": "REL TO USA, JPN",
                            "extensions": {RELEASABLE_TO: {"extension_type": "property-extension",
                                                           "releasable_to": ["USA", "JPN"]}}}) + "\n")
        for i in range(n):
            marking = TLP_RED if i % 10 == 3 else REL if i % 10 == 7 else TLP_GREEN
            words = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(3))
            f.write(json.dumps({
                "type": "indicator", "spec_version": "2.1", "id": uid("indicator", i + 1), "created": now,
                "modified": now, "name": "%s %d" % (words, i), "description": "benchmark indicator %d: %s" % (i, words),
                "pattern": "[ipv4-addr:value = '10.%d.%d.%d']" % (i >> 16 & 255, i >> 8 & 255, i & 255),
                "pattern_type": "stix", "valid_from": now, "created_by_ref": creator,
                "object_marking_refs": [marking]}) + "\n")
            if i % 10 == 0:
                f.write(json.dumps({
                    "type": "sighting", "spec_version": "2.1", "id": uid("sighting", i + 1), "created": now,
                    "modified": now, "sighting_of_ref": uid("indicator", i + 1), "count": 1 + i % 7,
                    "first_seen": now, "last_seen": now, "created_by_ref": creator,
                    "object_marking_refs": [TLP_GREEN]}) + "\n")


def build(kizuna, data, n):
    """Builds the store in `data` (which must not exist); returns what serving it needs, and
    writes it to `data`/../store.json so that a kept store is served again without building."""
    tmp = os.path.dirname(data)
    run("init", data_dir=data)
    col = json.loads(run("collection", "create", "--title", "Alliance", "--alias", "alliance", data_dir=data))["id"]
    orgs = {}
    for name, nation, user, role in (("JPN-CERT", "JPN", "jpn-analyst", "publisher"),
                                     ("USA-CERT", "USA", "usa-analyst", "reader")):
        orgs[name] = json.loads(run("admin", "org", "add", "--name", name, "--nation", nation, "--json", data_dir=data))["id"]
        run("admin", "user", "add", user, "--org", orgs[name], "--role", role, data_dir=data)
        run("admin", "user", "passwd", user, "--stdin", data_dir=data, stdin=(PASSWORD + "\n").encode())
        run("admin", "grant", col, "--org", orgs[name], "--read", *(["--write"] if role == "publisher" else []), data_dir=data)
    tokens = {user: json.loads(run("admin", "token", "create", user, "--json", data_dir=data))["token"]
              for user in ("jpn-analyst", "usa-analyst")}
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    objects = os.path.join(tmp, "objects.jsonl")
    write_objects(objects, n, orgs["JPN-CERT"], now)
    started = time.monotonic()
    # No time limit here: a million objects take minutes on two shared cores.
    subprocess.run([kizuna, "--data-dir", data, "import", "--collection", col, "--format", "jsonl", objects],
                   check=True, capture_output=True)
    imported = time.monotonic() - started
    os.remove(objects)
    info = {"password": PASSWORD, "users": ["jpn-analyst", "usa-analyst"], "tokens": tokens, "collection": col,
            "objects": n, "import_s": round(imported, 1),
            "sample": [uid("indicator", i + 1) for i in range(0, n, max(1, n // 50))]}
    with open(os.path.join(tmp, "store.json"), "w") as f:
        json.dump(info, f)
    return info


def prepare(kizuna, n, keep=None):
    """The store's folder and what serving it needs: `keep`'s when it holds a built store of
    `n` objects (built there otherwise, and kept), else a new temporary one."""
    import node as node_module
    node_module.KIZUNA = kizuna
    tmp = keep or tempfile.mkdtemp(prefix="kizuna-console-bench-")
    data = os.path.join(tmp, "data")
    saved = os.path.join(tmp, "store.json")
    if keep and os.path.exists(saved):
        with open(saved) as f:
            info = json.load(f)
        if info["objects"] == n:
            return tmp, info
        raise SystemExit("%s holds a store of %d objects, not %d" % (keep, info["objects"], n))
    os.makedirs(tmp, exist_ok=True)
    return tmp, build(kizuna, data, n)


def serve(data):
    config = ""
    if os.environ.get("KIZUNA_CONSOLE_DIR"):
        config = "console:\n  dir: %s\n" % json.dumps(os.environ["KIZUNA_CONSOLE_DIR"])
    return Node(data, config=config or None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kizuna")
    ap.add_argument("objects", type=int)
    ap.add_argument("--keep", help="build the store in this folder and keep it (serve it again when built)")
    args = ap.parse_args()
    os.environ["KIZUNA_BIN"] = args.kizuna
    tmp, info = prepare(args.kizuna, args.objects, args.keep)
    try:
        node = serve(os.path.join(tmp, "data"))
        try:
            print(json.dumps({"url": node.base, **info}), flush=True)
            sys.stdin.read()
        finally:
            node.stop()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
