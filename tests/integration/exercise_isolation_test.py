"""Issue 23, item 3: an exercise never leaks into real intelligence (docs/security.md, rule 6).
Real nodes on loopback: objects carrying the exercise marking are refused by production
collections (TAXII POST, push, pull), and sync never moves an exercise collection's objects to
or from a peer outside the exercise (one of the collection's communities), in either direction."""
import json
import unittest
import uuid

from node import Alliance, Client, Node, run

EXERCISE = "marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
RULE = "exercise collections only, and this collection is not one (docs/security.md, rule 6)"


def exercise_marking():
    return {"type": "marking-definition", "spec_version": "2.1", "id": EXERCISE,
            "created": "2026-01-01T00:00:00.000Z", "name": "Kizuna exercise", "definition_type": "statement",
            "definition": {"statement": "KIZUNA EXERCISE: exercise data, not real intelligence."}}


def indicator(n, creator, markings):
    return {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "pattern": "[domain-name:value = 'c2-%d.exercise.example']" % n, "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z", "created_by_ref": creator, "object_marking_refs": markings}


def exported(alliance, collection):
    out = run("export", "--collection", collection, "--all-versions", data_dir=alliance.data_dir)
    return {o["id"] for o in json.loads(out)["objects"]}


def sync_once(alliance):
    out = run("sync", "run", "--once", data_dir=alliance.data_dir, expect=None)
    return {r["peer"]: r for r in (json.loads(line) for line in out.splitlines() if line)}


class ExerciseIsolationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.jpn, cls.usa, cls.kor = Alliance(), Alliance(), Alliance()
        j = cls.jpn
        j.collection("ex", "Pacific Shield", communities=["pacific-shield"], default_release="readers", exercise=True)
        j.collection("intel", "Alliance", communities=["jpn-usa-kor"], default_release="readers")
        for org, nation in (("JPN-CERT", "JPN"), ("USA-CERT", "USA"), ("KOR-CERT", "KOR")):
            j.org(org, nation)
        cls.jpn_token = j.user("jpn-analyst", "JPN-CERT", "publisher")
        cls.usa_node_token = j.user("usa-node", "USA-CERT", "peer")
        cls.kor_node_token = j.user("kor-node", "KOR-CERT", "peer")
        # USA takes part in the exercise (its organisation is in the exercise's community); KOR
        # does not.
        j.group("pacific-shield", "USA-CERT")
        for alias in ("ex", "intel"):
            j.grant(alias, "JPN-CERT", read=True, write=True)
            # KOR-CERT is granted the exercise collection too: only the exercise rule keeps it out.
            j.grant(alias, "USA-CERT", read=True, write=True)
            j.grant(alias, "KOR-CERT", read=True, write=True)
        for a, nation in ((cls.usa, "USA"), (cls.kor, "KOR")):
            a.collection("ex", "Pacific Shield", communities=["pacific-shield"], default_release="readers",
                         exercise=True)
            a.collection("intel", "From JPN", default_release="readers")
            a.org("JPN-CERT", "JPN")
            a.org(nation + "-CERT", nation)
            a.token_for_jpn = a.user("jpn-node", "JPN-CERT", "peer")
            a.group("pacific-shield", "JPN-CERT")
            a.grant("ex", "JPN-CERT", read=True, write=True)
            a.grant("intel", "JPN-CERT", read=True, write=True)
        cls.nodes = {name: Node(a.data_dir, extra_args=("--no-sync",))
                     for name, a in (("jpn", cls.jpn), ("usa", cls.usa), ("kor", cls.kor))}
        creator = j.orgs["JPN-CERT"]
        cls.inject = indicator(1, creator, [TLP_CLEAR, EXERCISE])
        cls.real = indicator(2, creator, [TLP_CLEAR])
        r = cls.post("jpn", cls.jpn_token, cls.jpn, "ex", [exercise_marking(), cls.inject])
        assert r.status == 202 and r.json()["success_count"] == 2, r.body
        r = cls.post("jpn", cls.jpn_token, cls.jpn, "intel", [cls.real])
        assert r.status == 202 and r.json()["success_count"] == 1, r.body

    @classmethod
    def post(cls, node, token, alliance, alias, objects):
        return Client(cls.nodes[node], token).post("/intel/collections/%s/objects/" % alliance.collections[alias],
                                                   {"objects": objects})

    @classmethod
    def tearDownClass(cls):
        for n in cls.nodes.values():
            n.stop()
        for a in (cls.jpn, cls.usa, cls.kor):
            a.cleanup()

    def peer(self, alliance, name, target, token, nation, communities, *mappings):
        node = self.nodes[target]
        args = ["peer", "add", name, "--url", node.base, "--token", token, "--ca-file", node.cert, "--nation", nation,
                "--community", communities]
        for m in mappings:
            args += ["--map", m]
        run(*args, data_dir=alliance.data_dir)

    def assert_no_exercise_data(self, alliance, alias):
        ids = exported(alliance, alias)
        self.assertNotIn(self.inject["id"], ids)
        self.assertNotIn(EXERCISE, ids)

    def test_1_taxii_post_into_a_production_collection_is_refused_with_the_reason(self):
        r = self.post("jpn", self.jpn_token, self.jpn, "intel", [exercise_marking(), indicator(3, self.jpn.orgs["JPN-CERT"], [EXERCISE])])
        self.assertEqual(r.status, 202)
        status = r.json()
        self.assertEqual((status["success_count"], status["failure_count"]), (0, 2), status)
        for failure in status["failures"]:
            self.assertIn(RULE, failure["message"])
        self.assert_no_exercise_data(self.jpn, "intel")
        run("import", "-", "--collection", "intel", data_dir=self.jpn.data_dir, expect=1,
            stdin=json.dumps(self.inject).encode())
        self.assert_no_exercise_data(self.jpn, "intel")

    def test_2_push_reaches_the_peers_in_the_exercise_only(self):
        # USA takes part (pacific-shield); KOR is an ally, but not in this exercise.
        self.peer(self.jpn, "usa", "usa", self.usa.token_for_jpn, "USA", "pacific-shield,jpn-usa-kor",
                  "ex:%s:push" % self.usa.collections["ex"], "intel:%s:push" % self.usa.collections["intel"])
        self.peer(self.jpn, "kor", "kor", self.kor.token_for_jpn, "KOR", "jpn-usa-kor",
                  "ex:%s:push" % self.kor.collections["ex"], "intel:%s:push" % self.kor.collections["intel"])
        reports = sync_once(self.jpn)
        self.assertEqual(exported(self.usa, "ex"), {self.inject["id"], EXERCISE})
        self.assertEqual(exported(self.usa, "intel"), {self.real["id"]})
        self.assertEqual(exported(self.kor, "ex"), set())
        self.assertEqual(exported(self.kor, "intel"), {self.real["id"]})
        status = {(s["peer"], s["local_collection"]): s
                  for s in json.loads(run("sync", "status", "--json", data_dir=self.jpn.data_dir))}
        kor_ex = status[("kor", self.jpn.collections["ex"])]
        self.assertIn("is an exercise collection and peer kor is in none of its communities (pacific-shield)",
                      kor_ex["last_error"])
        self.assertEqual(kor_ex["pushed"], 0)
        self.assertIn("kor", reports)

    def test_3_a_push_mapped_into_a_production_collection_is_refused_there(self):
        # A mistaken mapping: the exercise collection pushed into USA's production collection.
        self.peer(self.jpn, "usa-wrong", "usa", self.usa.token_for_jpn, "USA", "pacific-shield",
                  "ex:%s:push" % self.usa.collections["intel"])
        sync_once(self.jpn)
        self.assert_no_exercise_data(self.usa, "intel")
        run("peer", "remove", "usa-wrong", data_dir=self.jpn.data_dir)

    def test_4_pulls_never_bring_exercise_data_into_production_nor_from_outside(self):
        # USA pulls JPN's exercise collection into its production collection: refused, counted.
        self.peer(self.usa, "jpn", "jpn", self.usa_node_token, "JPN", "pacific-shield",
                  "intel:%s:pull" % self.jpn.collections["ex"])
        report = sync_once(self.usa)["jpn"]
        self.assertEqual(report["pulled"], 0, report)
        self.assertEqual(report["rejected"], 2, report)
        self.assert_no_exercise_data(self.usa, "intel")
        # KOR pulls it into its exercise collection, but KOR does not count JPN in the exercise.
        self.peer(self.kor, "jpn", "jpn", self.kor_node_token, "JPN", "jpn-usa-kor",
                  "ex:%s:pull" % self.jpn.collections["ex"])
        report = sync_once(self.kor)["jpn"]
        self.assertIn("is an exercise collection and peer jpn is in none of its communities", report["error"])
        self.assertEqual(exported(self.kor, "ex"), set())

    def test_5_a_partner_outside_the_exercise_reads_nothing_of_it_despite_a_grant(self):
        # KOR-CERT holds a read grant on JPN's exercise collection, but is not in its community.
        path = "/intel/collections/%s/objects/" % self.jpn.collections["ex"]
        kor = Client(self.nodes["jpn"], self.kor_node_token)
        self.assertEqual(kor.get(path).status, 404)
        self.assertEqual(kor.get("/intel/collections/%s/" % self.jpn.collections["ex"]).status, 404)
        self.assertEqual(kor.get("/api/v1/exports/csv?collection=%s" % self.jpn.collections["ex"],
                                 accept="*/*").status, 404)
        self.assertEqual(kor.get("/misp-feed/%s/manifest.json" % self.jpn.collections["ex"],
                                 accept="application/json").status, 404)
        self.assertEqual(kor.get("/intel/collections/%s/objects/" % self.jpn.collections["intel"]).status, 200)
        # USA takes part: the same grant reads it.
        usa = Client(self.nodes["jpn"], self.usa_node_token).get(path)
        self.assertEqual(usa.status, 200)
        self.assertIn(self.inject["id"], {o["id"] for o in usa.json()["objects"]})


if __name__ == "__main__":
    unittest.main()
