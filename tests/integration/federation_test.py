"""Federation between real nodes on loopback: JPN pushes to USA and KOR what the policy
releases to each, USA pulls from JPN with a durable cursor, and loops add nothing."""
import json
import os
import signal
import socket
import subprocess
import time
import unittest
import uuid

from node import Alliance, Client, Node, run

REL_USA_JPN = "marking-definition--2a000000-0000-4000-8000-000000000001"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
RELEASABLE_TO = "extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde"


def indicator(n, creator, markings=()):
    o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[ipv4-addr:value = '198.51.100.%d']" % n, "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z", "created_by_ref": creator}
    if markings:
        o["object_marking_refs"] = list(markings)
    return o


def exported(alliance, collection):
    out = run("export", "--collection", collection, "--all-versions", data_dir=alliance.data_dir)
    return {o["id"] for o in json.loads(out)["objects"]}


def sync_once(alliance, expect=0):
    out = run("sync", "run", "--once", data_dir=alliance.data_dir, expect=expect)
    return [json.loads(line) for line in out.splitlines() if line]


class FederationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.jpn, cls.usa, cls.kor = Alliance(), Alliance(), Alliance()
        j = cls.jpn
        j.collection("alliance", "Alliance", communities=["jpn-usa-kor"])
        j.org("JPN-CERT", "JPN")
        j.org("USA-CERT", "USA")
        j.org("KOR-CERT", "KOR")
        cls.jpn_token = j.user("jpn-analyst", "JPN-CERT", "publisher")
        cls.usa_node_token = j.user("usa-node", "USA-CERT", "peer")  # the USA node reads here
        j.grant("alliance", "JPN-CERT", read=True, write=True)
        j.grant("alliance", "USA-CERT", read=True, write=True)
        for a, nation in ((cls.usa, "USA"), (cls.kor, "KOR")):
            a.collection("from-jpn", "From JPN", default_release="readers")
            a.org("JPN-CERT", "JPN")
            a.org(nation + "-CERT", nation)
            a.token_for_jpn = a.user("jpn-node", "JPN-CERT", "peer")  # what it sends counts as received
            a.grant("from-jpn", "JPN-CERT", read=True, write=True)
        cls.usa.collection("pulled", "Pulled from JPN", default_release="readers")
        # `sync run --once` drives these nodes; LiveSyncTest below lets `kizuna serve` sync.
        cls.nodes = {name: Node(a.data_dir, extra_args=("--no-sync",))
                     for name, a in (("jpn", cls.jpn), ("usa", cls.usa), ("kor", cls.kor))}
        creator = j.orgs["JPN-CERT"]
        cls.objects = {"rel": indicator(1, creator, [REL_USA_JPN]), "red": indicator(2, creator, [TLP_RED]),
                       "unmarked": indicator(3, creator), "clear": indicator(4, creator, [TLP_CLEAR]),
                       "amber": indicator(6, creator, [TLP_AMBER])}
        definition = {"type": "marking-definition", "spec_version": "2.1", "id": REL_USA_JPN,
                      "created": "2026-01-01T00:00:00.000Z", "name": "REL TO USA, JPN",
                      "extensions": {RELEASABLE_TO: {"extension_type": "property-extension",
                                                     "releasable_to": ["USA", "JPN"]}}}
        cls.publish([definition, *cls.objects.values()])
        cls.published = time.monotonic()

    @classmethod
    def publish(cls, objects):
        client = Client(cls.nodes["jpn"], cls.jpn_token)
        r = client.post("/intel/collections/%s/objects/" % cls.jpn.collections["alliance"], {"objects": objects})
        assert r.status == 202, r.body

    @classmethod
    def tearDownClass(cls):
        for n in cls.nodes.values():
            n.stop()
        for a in (cls.jpn, cls.usa, cls.kor):
            a.cleanup()

    def peer(self, alliance, name, target, token, nation, communities, mapping):
        node = self.nodes[target]
        run("peer", "add", name, "--url", node.base, "--token", token, "--ca-file", node.cert, "--nation", nation,
            "--community", communities, "--map", mapping, data_dir=alliance.data_dir)

    def dashboard_out(self):
        r = Client(self.nodes["jpn"], self.jpn_token).get("/api/v1/dashboard", accept="application/json")
        self.assertEqual(r.status, 200, r.body)
        out = r.json()
        self.assertEqual(out["week"]["out"], out["today"]["out"])
        return out["today"]["out"]

    def ids(self, *names):
        return {self.objects[n]["id"] for n in names}

    def test_1_push_releases_rel_to_usa_and_never_kor(self):
        self.peer(self.jpn, "usa", "usa", self.usa.token_for_jpn, "USA", "jpn-usa,jpn-usa-kor",
                  "alliance:%s:push" % self.usa.collections["from-jpn"])
        self.peer(self.jpn, "kor", "kor", self.kor.token_for_jpn, "KOR", "jpn-usa-kor",
                  "alliance:%s:push" % self.kor.collections["from-jpn"])
        # Counted once the policy surely uses the definition published at set-up (unknown
        # markings are remembered for 1 s); then brought up to date, not counted again.
        time.sleep(max(0, self.published + 2.1 - time.monotonic()))
        self.assertEqual(self.dashboard_out(), {}, "nothing pushed yet")
        reports = {r["peer"]: r for r in sync_once(self.jpn)}
        self.assertEqual(reports["usa"]["pushed"], 4, reports)  # definition, rel, clear, amber
        self.assertEqual(reports["kor"]["pushed"], 3, reports)  # definition, clear, amber
        # The console's kept counts follow the push cursors (issue 21).
        self.assertEqual(self.dashboard_out(), {"USA": 4, "KOR": 3})
        self.assertEqual(exported(self.usa, "from-jpn"), self.ids("rel", "clear", "amber") | {REL_USA_JPN})
        self.assertEqual(exported(self.kor, "from-jpn"), self.ids("clear", "amber") | {REL_USA_JPN})
        again = {r["peer"]: r for r in sync_once(self.jpn)}
        self.assertEqual((again["usa"]["pushed"], again["kor"]["pushed"]), (0, 0), "nothing is sent twice")
        status = json.loads(run("sync", "status", "--json", data_dir=self.jpn.data_dir))
        self.assertEqual({s["peer"]: s["pushed"] for s in status}, {"usa": 4, "kor": 3})

    def test_1b_usa_never_forwards_what_kor_may_not_have(self):
        # KOR gives the USA node a user; USA pushes what it received from JPN on to KOR.
        self.kor.collection("from-usa", "From USA", default_release="readers")
        self.kor.org("USA-CERT", "USA")
        token = self.kor.user("usa-node", "USA-CERT", "peer")
        self.kor.grant("from-usa", "USA-CERT", read=True, write=True)
        # The running KOR node notices the new grant within its access-control refresh.
        collection = "/intel/collections/%s/" % self.kor.collections["from-usa"]
        deadline = time.monotonic() + 30
        while Client(self.nodes["kor"], token).get(collection).status != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.peer(self.usa, "kor", "kor", token, "KOR", "jpn-usa-kor", "from-jpn:%s:push" % self.kor.collections["from-usa"])
        report = sync_once(self.usa)[0]
        self.assertEqual(report["pushed"], 2, report)  # definition, clear
        # Not REL TO USA, JPN (KOR is not listed), not the TLP:AMBER USA received from JPN.
        self.assertEqual(exported(self.kor, "from-usa"), self.ids("clear") | {REL_USA_JPN})

    def test_2_pull_resumes_from_its_cursor_and_loops_add_nothing(self):
        self.peer(self.usa, "jpn", "jpn", self.usa_node_token, "JPN", "jpn-usa,jpn-usa-kor",
                  "pulled:%s:both" % self.jpn.collections["alliance"])
        # A pass over another collection's mappings moves nothing; an unknown one is refused.
        out = run("sync", "run", "--once", "--collection", "from-jpn", data_dir=self.usa.data_dir)
        self.assertEqual({json.loads(line)["local_collection"] for line in out.splitlines()},
                         {self.usa.collections["from-jpn"]})
        self.assertEqual(exported(self.usa, "pulled"), set())
        run("sync", "run", "--once", "--collection", "no-such", data_dir=self.usa.data_dir, expect=1)
        first = sync_once(self.usa)[0]
        # What JPN releases to the USA node (TLP:RED and the unmarked object stay home).
        self.assertEqual(first["pulled"], 4, first)
        self.assertEqual(first["pushed"], 0, "what came from JPN is not sent back")
        self.assertEqual(exported(self.usa, "pulled"), self.ids("rel", "clear", "amber") | {REL_USA_JPN})
        self.assertEqual(sync_once(self.usa)[0]["pulled"], 0, "the cursor resumes after the last page")
        new = indicator(5, self.jpn.orgs["JPN-CERT"], [REL_USA_JPN])
        self.publish([new])
        self.assertEqual(sync_once(self.usa)[0]["pulled"], 1)
        self.assertIn(new["id"], exported(self.usa, "pulled"))
        status = json.loads(run("sync", "status", "--json", data_dir=self.usa.data_dir))[0]
        self.assertEqual(status["pulled"], 5)
        self.assertNotEqual(status["pull_cursor"], "")

    def test_3_a_peer_that_is_down_records_the_error(self):
        run("peer", "add", "gone", "--url", "https://127.0.0.1:9", "--token", "t", "--nation", "USA",
            "--map", "alliance:remote:push", data_dir=self.jpn.data_dir)
        reports = {r["peer"]: r for r in sync_once(self.jpn, expect=1)}
        self.assertIn("gone", reports["gone"]["error"])
        self.assertNotIn("error", reports["usa"])
        status = {s["peer"]: s for s in json.loads(run("sync", "status", "--json", data_dir=self.jpn.data_dir))}
        self.assertNotEqual(status["gone"]["last_error"], "")
        run("peer", "remove", "gone", data_dir=self.jpn.data_dir)


class PushCountTest(unittest.TestCase):
    """Issue 19, item 13: `sync status` said "pushed 2" for one object, counting each pass
    that sent it (the node's own and `kizuna sync run`) instead of the objects."""

    def test_one_object_pushed_by_concurrent_passes_counts_once(self):
        jpn, usa = Alliance(), Alliance()
        self.addCleanup(jpn.cleanup)
        self.addCleanup(usa.cleanup)
        jpn.collection("alliance", "Alliance")
        creator = jpn.org("JPN-CERT", "JPN")
        usa.collection("from-jpn", "From JPN", default_release="readers")
        usa.org("JPN-CERT", "JPN")
        token = usa.user("jpn-node", "JPN-CERT", "peer")
        usa.grant("from-jpn", "JPN-CERT", read=True, write=True)
        node = Node(usa.data_dir, extra_args=("--no-sync",))
        self.addCleanup(node.stop)
        run("peer", "add", "usa", "--url", node.base, "--token", token, "--ca-file", node.cert, "--nation", "USA",
            "--map", "alliance:%s:push" % usa.collections["from-jpn"], data_dir=jpn.data_dir)
        run("import", "-", "--collection", "alliance", data_dir=jpn.data_dir,
            stdin=json.dumps(indicator(7, creator, [TLP_CLEAR])).encode())
        passes = [subprocess.Popen([os.environ.get("KIZUNA_BIN", "kizuna"), "--data-dir", jpn.data_dir, "sync", "run",
                                    "--once"], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
        for p in passes:
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, "%s%s\nserve.log: %s" % (out.decode(errors="replace"),
                                                                      err.decode(errors="replace"),
                                                                      open(node.log_path).read()[-2000:]))
        self.assertEqual(exported(usa, "from-jpn"), {indicator(7, creator)["id"]})
        status = run("sync", "status", data_dir=jpn.data_dir)
        self.assertIn("  pushed 1  ", status)
        self.assertEqual(json.loads(run("sync", "status", "--json", data_dir=jpn.data_dir))[0]["pushed"], 1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveSyncTest(unittest.TestCase):
    """`kizuna serve` pushes on commit, and catches a peer up when it returns."""

    @classmethod
    def setUpClass(cls):
        cls.jpn, cls.usa = Alliance(), Alliance()
        cls.jpn.collection("alliance", "Alliance")
        cls.jpn.org("JPN-CERT", "JPN")
        cls.jpn_token = cls.jpn.user("jpn-analyst", "JPN-CERT", "publisher")
        cls.jpn.grant("alliance", "JPN-CERT", read=True, write=True)
        cls.usa.collection("from-jpn", "From JPN", default_release="readers")
        cls.usa.org("JPN-CERT", "JPN")
        cls.usa.org("USA-CERT", "USA")
        push_token = cls.usa.user("jpn-node", "JPN-CERT", "peer")
        cls.usa_reader = cls.usa.user("usa-analyst", "USA-CERT", "reader")
        cls.usa.grant("from-jpn", "JPN-CERT", read=True, write=True)
        cls.usa.grant("from-jpn", "USA-CERT", read=True)
        cls.usa_port = free_port()
        cls.usa_node = Node(cls.usa.data_dir, port=cls.usa_port)
        run("peer", "add", "usa", "--url", cls.usa_node.base, "--token", push_token, "--ca-file", cls.usa_node.cert,
            "--nation", "USA", "--map", "alliance:%s:push" % cls.usa.collections["from-jpn"], data_dir=cls.jpn.data_dir)
        cls.jpn_node = Node(cls.jpn.data_dir)
        cls.creator = cls.jpn.orgs["JPN-CERT"]

    @classmethod
    def tearDownClass(cls):
        cls.jpn_node.stop()
        cls.usa_node.stop()
        cls.jpn.cleanup()
        cls.usa.cleanup()

    def publish(self, objects):
        r = Client(self.jpn_node, self.jpn_token).post(
            "/intel/collections/%s/objects/" % self.jpn.collections["alliance"], {"objects": objects})
        self.assertEqual(r.status, 202, r.body)

    def wait_for(self, ids, timeout=30):
        """Seconds until every id is readable at USA (polling every 20 ms)."""
        reader = Client(self.usa_node, self.usa_reader)
        path = "/intel/collections/%s/objects/?match[version]=all" % self.usa.collections["from-jpn"]
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            page = reader.get(path).json() or {}
            have = {o["id"] for o in page.get("objects", [])}
            if set(ids) <= have:
                return time.monotonic() - start
            time.sleep(0.02)
        self.fail("not readable at USA after %d s: %s" % (timeout, sorted(set(ids))))

    def wait_for_push_error(self, timeout=30):
        """Waits until JPN's `sync status` records a failed push to USA."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = json.loads(run("sync", "status", "--json", data_dir=self.jpn.data_dir))
            if any(s["peer"] == "usa" and s["last_error"] for s in status):
                return
            time.sleep(0.05)
        self.fail("JPN recorded no failed push to the stopped USA node within %d s" % timeout)

    def test_push_latency_and_catch_up_after_the_peer_was_down(self):
        o = indicator(10, self.creator, [TLP_CLEAR])
        self.publish([o])
        latency = self.wait_for([o["id"]])
        print("\npublish-to-readable latency JPN -> USA: %.3f s" % latency)
        type(self).usa_node.stop()
        down = [indicator(20 + i, self.creator, [TLP_CLEAR]) for i in range(5)]
        red = indicator(11, self.creator, [TLP_RED])
        self.publish(down + [red])
        self.wait_for_push_error()  # the push fails meanwhile (and backs off)
        type(self).usa_node = Node(self.usa.data_dir, port=self.usa_port)
        self.wait_for([d["id"] for d in down], timeout=90)
        out = run("export", "--collection", "from-jpn", "--all-versions", data_dir=self.usa.data_dir)
        got = [x["id"] for x in json.loads(out)["objects"]]
        self.assertEqual(len(got), len(set(got)), "no duplicates")
        self.assertEqual(set(got), {o["id"]} | {d["id"] for d in down}, "TLP:RED never left JPN")


class RestartMidSyncTest(unittest.TestCase):
    """A pull killed mid-pass resumes from its cursor: no gaps, no duplicates."""

    def test_kill_during_pull_then_resume(self):
        jpn, usa = Alliance(), Alliance()
        node = None
        try:
            jpn.collection("alliance", "Alliance", default_release="readers")
            jpn.org("USA-CERT", "USA")
            token = jpn.user("usa-node", "USA-CERT", "peer")
            jpn.grant("alliance", "USA-CERT", read=True)
            count = 4000
            path = os.path.join(jpn.tmp, "objects.jsonl")
            with open(path, "w") as f:
                for n in range(count):
                    f.write(json.dumps(indicator(1000 + n, "identity--%s" % uuid.UUID(int=7, version=4))) + "\n")
            run("import", path, "--collection", "alliance", data_dir=jpn.data_dir)
            node = Node(jpn.data_dir, extra_args=("--no-sync",))
            usa.collection("pulled", "Pulled", default_release="readers")
            run("peer", "add", "jpn", "--url", node.base, "--token", token, "--ca-file", node.cert, "--nation", "JPN",
                "--map", "pulled:%s:pull" % jpn.collections["alliance"], data_dir=usa.data_dir)
            proc = subprocess.Popen([os.environ.get("KIZUNA_BIN", "kizuna"), "--data-dir", usa.data_dir, "sync", "run",
                                     "--once"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Killed once the first pages are committed (its status shows them), mid-pass.
            deadline = time.monotonic() + 30
            while (proc.poll() is None and time.monotonic() < deadline and
                   json.loads(run("sync", "status", "--json", data_dir=usa.data_dir))[0]["pulled"] == 0):
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            before = json.loads(run("sync", "status", "--json", data_dir=usa.data_dir))[0]["pulled"]
            print("\npulled before SIGKILL: %d of %d" % (before, count))
            while sync_once(usa)[0]["pulled"] > 0:
                pass
            out = run("export", "--collection", "pulled", "--all-versions", data_dir=usa.data_dir)
            ids = [o["id"] for o in json.loads(out)["objects"]]
            self.assertEqual(len(ids), count)
            self.assertEqual(len(set(ids)), count, "no duplicates")
            status = json.loads(run("sync", "status", "--json", data_dir=usa.data_dir))[0]
            self.assertEqual(status["pulled"], count, "each version stored once, counted once")
        finally:
            if node:
                node.stop()
            jpn.cleanup()
            usa.cleanup()


if __name__ == "__main__":
    unittest.main()
