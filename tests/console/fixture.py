"""The console tests' node: the three-nation fixture of tests/integration (JPN, USA and KOR
organisations reading one collection that serves the community jpn-usa), users with passwords
and tokens, seeded objects (XSS probes among them), and a real `kizuna serve` over TLS on
127.0.0.1. Prints one JSON line (the node's URL, tokens, ids), then keeps the node running
until standard input closes, then stops it and removes the data.

  python3 fixture.py [--idle-timeout S] [--objects N]

Needs KIZUNA_BIN (the kizuna binary) and, for the console's files, KIZUNA_CONSOLE_DIR."""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from node import Alliance, Client, Node, run  # noqa: E402
from policy_test import REL_USA_JPN, RELEASABLE_TO, TLP_CLEAR, TLP_GREEN, TLP_RED, indicator  # noqa: E402

PASSWORD = "correct horse battery staple"
XSS = "<img src=x onerror=\"window.kzXss=1;alert(1)\"><script>window.kzXss=1;alert(1)</script>"


def seed(client, base, jpn_org, usa_org):
    definition = {"type": "marking-definition", "spec_version": "2.1", "id": REL_USA_JPN,
                  "created": "2026-01-01T00:00:00.000Z", "name": "REL TO USA, JPN",
                  "extensions": {RELEASABLE_TO: {"extension_type": "property-extension",
                                                 "releasable_to": ["USA", "JPN"]}}}
    objects = {
        "shared": indicator(1, jpn_org, [TLP_GREEN], name="Lazarus staging server",
                            description="Staging server seen in the alliance exercise"),
        "jpn_only": indicator(2, jpn_org, [TLP_RED], name="Lazarus red-only loader"),
        "rel": indicator(3, jpn_org, [REL_USA_JPN], name="Lazarus REL USA JPN beacon"),
        "xss": indicator(4, jpn_org, [TLP_CLEAR], name="Probe " + XSS,
                         description="Probe description " + XSS,
                         pattern="[url:value = '<svg onload=alert(1)>javascript:alert(1)']",
                         external_references=[
                             {"source_name": "probe " + XSS, "url": "javascript:window.kzXss=1;alert(1)"},
                             {"source_name": "probe data", "url": "data:text/html,<script>alert(1)</script>"},
                             {"source_name": "probe good", "url": "https://example.org/report"}],
                         labels=["<b>label</b>"], x_probe_note=XSS),
    }
    sighting = {"type": "sighting", "spec_version": "2.1", "id": "sighting--00000000-0000-4000-8000-000000000101",
                "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z",
                "sighting_of_ref": objects["shared"]["id"], "count": 3, "created_by_ref": jpn_org,
                "first_seen": "2026-01-02T00:00:00Z", "last_seen": "2026-01-02T01:00:00Z",
                "object_marking_refs": [TLP_GREEN]}
    relationship = {"type": "relationship", "spec_version": "2.1",
                    "id": "relationship--00000000-0000-4000-8000-000000000102",
                    "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z",
                    "relationship_type": "related-to", "source_ref": objects["shared"]["id"],
                    "target_ref": objects["rel"]["id"], "created_by_ref": jpn_org,
                    "object_marking_refs": [REL_USA_JPN]}
    r = client.post(base + "objects/", {"objects": [definition, *objects.values(), sighting, relationship]})
    status = r.json()
    assert r.status == 202 and status["failure_count"] == 0, r.body
    return {k: o["id"] for k, o in objects.items()}


def scoreboard(exercise, title, tlp, days_ago):
    """A scored exercise as `kizuna exercise score --json` writes it (the members the console shows)."""
    t0 = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() - days_ago * 86400))
    return {"exercise": exercise, "title": title, "tlp": tlp, "t0": t0, "duration_s": 3600, "alerts": 5,
            "steps": [], "teams": [{"team": "jpn-blue", "nation": "JPN", "steps": 4, "detected": 3, "recall": 0.75,
                                    "precision": 1.0, "mean_ttd_s": 12.5, "share_to_use": 1, "score": 0.8125}],
            "shares": [{"objective": "share-c2 " + XSS, "from": "JPN", "to": "USA", "step": "s1",
                        "time_to_share_s": 42, "shared_at": t0, "met": True, "used": True, "time_to_use_s": 10}]}


def record_exercises(a):
    """Two results in the alliance collection, created by JPN-CERT: a TLP:GREEN one (JPN and USA
    read it, KOR is outside the community) and a TLP:RED one (JPN-CERT's own only)."""
    for name, board in (("green.json", scoreboard("alliance-drill", "Alliance Drill", "green", 3)),
                        ("red.json", scoreboard("crimson-drill", "Crimson Drill", "red", 2))):
        path = os.path.join(a.tmp, name)
        with open(path, "w") as f:
            json.dump(board, f)
        run("exercise", "record", "--result", path, "--collection", "alliance", "--as", "JPN-CERT", data_dir=a.data_dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idle-timeout", type=int, default=1800, help="the console sessions' idle timeout, seconds")
    args = ap.parse_args()
    a = Alliance()
    try:
        a.collection("alliance", "Alliance", communities=["jpn-usa"])
        a.collection("jpn-internal", "JPN internal")
        for name, nation in (("JPN-CERT", "JPN"), ("USA-CERT", "USA"), ("KOR-CERT", "KOR")):
            a.org(name, nation)
        a.group("jpn-usa", "JPN-CERT", "USA-CERT")
        users = {"jpn": ("jpn-analyst", "JPN-CERT", "publisher"), "usa": ("usa-analyst", "USA-CERT", "reader"),
                 "kor": ("kor-analyst", "KOR-CERT", "reader"), "admin": ("jpn-admin", "JPN-CERT", "node-admin"),
                 "kadmin": ("kor-admin", "KOR-CERT", "org-admin")}
        tokens = {k: a.user(name, org, role) for k, (name, org, role) in users.items()}
        for _, (name, _, _) in users.items():
            run("admin", "user", "passwd", name, "--stdin", data_dir=a.data_dir, stdin=(PASSWORD + "\n").encode())
        for org in ("USA-CERT", "KOR-CERT"):
            a.grant("alliance", org, read=True)
        a.grant("alliance", "JPN-CERT", read=True, write=True)
        a.grant("jpn-internal", "JPN-CERT", read=True, write=True)
        record_exercises(a)
        config = "console:\n  idle_timeout_s: %d\n" % args.idle_timeout
        if os.environ.get("KIZUNA_CONSOLE_DIR"):
            config += "  dir: %s\n" % json.dumps(os.environ["KIZUNA_CONSOLE_DIR"])
        node = Node(a.data_dir, config=config)
        try:
            base = "/intel/collections/%s/" % a.collections["alliance"]
            ids = seed(Client(node, tokens["jpn"]), base, a.orgs["JPN-CERT"], a.orgs["USA-CERT"])
            print(json.dumps({"url": node.base, "taxii": base, "password": PASSWORD, "users": {k: v[0] for k, v in users.items()},
                              "tokens": tokens, "collections": a.collections, "orgs": a.orgs, "ids": ids,
                              "data_dir": a.data_dir}), flush=True)
            sys.stdin.read()
        finally:
            node.stop()
    finally:
        a.cleanup()


if __name__ == "__main__":
    main()
