"""Search and correlation on a real node, through the policy: the principals and markings of
policy_test.py (whose TAXII answers follow docs/policy.md's table), asked through
`kizuna observable|search|related --as USER` and the JSON API with each user's token; and the
example of docs/search.md: an address seen in a Zeek log found in the indicator that matched
it, the sighting, the intrusion set and the technique."""
import json
import os
import unittest
import time
import urllib.parse

import policy_test as base
from node import Client, run

USERS = {"jpn": "jpn-analyst", "jpn-mod": "jpn-mod", "usa": "usa-analyst", "kor": "kor-analyst"}
DATA = os.path.join(os.path.dirname(__file__), "..", "data")


class SearchPolicyTest(unittest.TestCase):
    tearDownClass = classmethod(base.PolicyTest.tearDownClass.__func__)
    names = base.PolicyTest.names

    @classmethod
    def setUpClass(cls):
        base.PolicyTest.setUpClass.__func__(cls)
        # A probe everyone may read that names every address of the fixture's indicators.
        addresses = ", ".join("'198.51.100.%d'" % n for n in range(1, 8))
        cls.probe = base.indicator(60, cls.alliance.orgs["JPN-CERT"], [base.TLP_CLEAR],
                              pattern="[ipv4-addr:value IN (%s)]" % addresses)
        r = cls.clients["jpn"].post(cls.base + "objects/", {"objects": [cls.probe]})
        assert r.json()["success_count"] == 1, r.body
        # And one whose block holds them all.
        cls.block = base.indicator(61, cls.alliance.orgs["JPN-CERT"], [base.TLP_CLEAR],
                                   pattern="[ipv4-addr:value ISSUBSET '198.51.100.0/24']")
        r = cls.clients["jpn"].post(cls.base + "objects/", {"objects": [cls.block]})
        assert r.json()["success_count"] == 1, r.body

    def cli(self, *args, who=None):
        extra = ("--as", USERS[who]) if who else ()
        return json.loads(run(*args, *extra, "--json", data_dir=self.alliance.data_dir))

    def api(self, who, path):
        r = self.clients[who].get(path, accept="application/json")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.headers["Content-Type"], "application/json")
        return r.json()

    def test_observable_shows_exactly_what_taxii_releases(self):
        for who, expected in self.expected.items():
            for name, obj in self.objects.items():
                address = "198.51.100.%d" % int(obj["id"][-12:], 16)
                with self.subTest(who=who, name=name):
                    want = {name} if name in expected else set()
                    for answer in (self.cli("observable", address, who=who),
                                   self.api(who, "/api/v1/observables/" + address)):
                        ids = [r["id"] for r in answer["results"]]
                        self.assertEqual(set(self.names(ids)), want)
                        self.assertIn(self.probe["id"], ids, "the probe is clear")
                        self.assertFalse(answer["more"])
                        self.assertFalse(answer["common"])
                        if not want:
                            self.assertNotIn(obj["id"], json.dumps(answer))

    def test_related_and_limits_count_released_objects_only(self):
        for who, expected in self.expected.items():
            with self.subTest(who=who):
                cli = self.cli("related", self.probe["id"], who=who)
                api = self.api(who, "/api/v1/objects/%s/related" % self.probe["id"])
                for answer in (cli, api):
                    self.assertEqual(set(self.names([r["id"] for r in answer["results"]])), expected)
                    self.assertFalse(answer["more"])
                limit = len(expected) + 1  # and the block, whose range holds the probe's addresses
                exact = self.api(who, "/api/v1/objects/%s/related?limit=%d" % (self.probe["id"], limit))
                self.assertFalse(exact["more"], "withheld objects never show as more")
                short = self.api(who, "/api/v1/objects/%s/related?limit=%d" % (self.probe["id"], limit - 1))
                self.assertTrue(short["more"])

    def test_a_block_lists_the_released_objects_inside_it(self):
        for who, expected in self.expected.items():
            with self.subTest(who=who):
                cli = self.cli("related", self.block["id"], who=who)
                api = self.api(who, "/api/v1/objects/%s/related" % self.block["id"])
                for answer in (cli, api):
                    inside = [r for r in answer["results"]
                              if any(x["relation"] == "in-block" for x in r["reasons"])]
                    self.assertEqual(set(self.names([r["id"] for r in inside])), expected)
                    self.assertIn(self.probe["id"], [r["id"] for r in inside])
                    self.assertFalse(answer["more"])
                    for name, obj in self.objects.items():
                        if name not in expected:
                            self.assertNotIn(obj["id"], json.dumps(answer))
                    why = [x for r in inside for x in r["reasons"] if x["relation"] == "in-block"]
                    self.assertTrue(all(x["block"] == "198.51.100.0/24" for x in why))

    def test_withheld_objects_read_as_absent(self):
        red = self.objects["red"]["id"]
        never = "indicator--00000000-0000-4000-8000-0000000000ff"
        for who in ("usa", "kor", "jpn-mod"):
            a = self.clients[who].get("/api/v1/objects/%s/related" % red, accept="application/json")
            b = self.clients[who].get("/api/v1/objects/%s/related" % never, accept="application/json")
            self.assertEqual((a.status, b.status), (404, 404))
            self.assertEqual(a.json()["description"].replace(red, "X"), b.json()["description"].replace(never, "X"))
        self.assertEqual(self.clients["jpn"].get("/api/v1/objects/%s/related" % red).status, 200)

    def test_full_text_search_respects_redaction(self):
        for who, expected in self.expected.items():
            with self.subTest(who=who):
                # "source N" is every fixture's description; the redacted one's is TLP:RED.
                want = set(expected) if who == "jpn" else set(expected) - {"redacted"}
                for answer in (self.cli("search", "source", "--limit", "100", who=who),
                               self.api(who, "/api/v1/search?q=source&limit=100")):
                    self.assertEqual(set(self.names([r["id"] for r in answer["results"]])), want)

    def test_api_needs_a_token_and_checks_its_input(self):
        anonymous = Client(self.node)
        self.assertEqual(anonymous.get("/api/v1/search?q=source").status, 401)
        bad = self.clients["usa"].get("/api/v1/search?q=source&limit=0")
        self.assertEqual(bad.status, 400)
        self.assertIn("limit", bad.json()["description"])
        self.assertEqual(self.clients["usa"].get("/api/v1/search").status, 400)
        self.assertEqual(self.clients["usa"].post("/api/v1/search?q=x", {}).status, 405)
        self.assertEqual(self.clients["usa"].get("/api/v1/nothing").status, 404)


class WarninglistTest(unittest.TestCase):
    """The JSON API marks a value of the node's stored warninglists as common, as the commands do."""

    def test_api_and_commands_read_the_same_warninglists(self):
        from node import Alliance, Node
        a = Alliance()
        node = None
        try:
            a.collection("intel", "Intel")
            jpn = a.org("JPN-CERT", "JPN")
            token = a.user("jpn-analyst", "JPN-CERT", "reader")
            a.grant("intel", "JPN-CERT")
            lists = os.path.join(a.tmp, "lists", "resolvers")
            os.makedirs(lists)
            with open(os.path.join(lists, "list.json"), "w") as f:
                json.dump({"name": "Test resolvers", "type": "cidr", "category": "known",
                           "matching_attributes": ["ip-dst"], "list": ["52.85.83.0/24"], "version": 1}, f)
            run("allowlist", "add", os.path.dirname(lists), data_dir=a.data_dir)
            one = base.indicator(1, jpn, [base.TLP_CLEAR], pattern="[ipv4-addr:value = '52.85.83.10']")
            two = base.indicator(2, jpn, [base.TLP_CLEAR],
                                 pattern="[ipv4-addr:value = '52.85.83.10' OR ipv4-addr:value = '203.0.113.5']")
            bundle = os.path.join(a.tmp, "bundle.json")
            with open(bundle, "w") as f:
                json.dump({"type": "bundle", "id": "bundle--%s" % ("0" * 8 + "-0000-4000-8000-" + "0" * 12),
                           "objects": [one, two]}, f)
            run("import", "--collection", "intel", bundle, "--index", data_dir=a.data_dir)
            node = Node(a.data_dir)
            client = Client(node, token)
            r = client.get("/api/v1/observables/52.85.83.10", accept="application/json")
            self.assertEqual(r.status, 200, r.body)
            cli = json.loads(run("observable", "52.85.83.10", "--json", data_dir=a.data_dir))
            for answer in (r.json(), cli):
                self.assertTrue(answer["common"])
                self.assertEqual(answer["listed_in"], "Test resolvers")
            r = client.get("/api/v1/objects/%s/related" % two["id"], accept="application/json")
            self.assertEqual(r.status, 200, r.body)
            results = {x["id"]: x for x in r.json()["results"]}
            self.assertTrue(results[one["id"]]["common_only"])
            self.assertTrue(all(x["common"] for x in results[one["id"]]["reasons"]))
        finally:
            if node:
                node.stop()
            a.cleanup()


class DeferredIndexTest(unittest.TestCase):
    """`kizuna import` leaves the search index behind its cursor and says so; `index catch-up`,
    a local question and the node's follower catch it up; the API says the index is not
    complete while it is behind (docs/search.md "Behind a cursor")."""

    def test_import_leaves_the_index_behind_until_caught_up(self):
        from node import Alliance, Node
        a = Alliance()
        node = None
        try:
            a.collection("intel", "Intel")
            jpn = a.org("JPN-CERT", "JPN")
            token = a.user("jpn-analyst", "JPN-CERT", "reader")
            a.grant("intel", "JPN-CERT")

            def bundle(name, first, count):
                path = os.path.join(a.tmp, name)
                objects = [base.indicator(first + i, jpn, [base.TLP_CLEAR],
                                          pattern="[domain-name:value = 'deferred.example']")
                           for i in range(count)]
                with open(path, "w") as f:
                    json.dump({"type": "bundle", "id": "bundle--%s" % ("0" * 8 + "-0000-4000-8000-" + "0" * 12),
                               "objects": objects}, f)
                return path

            summary = json.loads(run("import", "--collection", "intel", bundle("one.json", 1, 3), "--json",
                                     data_dir=a.data_dir))
            self.assertEqual(summary["index"]["pending"], 3)
            status = json.loads(run("index", "status", "--json", data_dir=a.data_dir, expect=1))
            self.assertEqual((status["behind"], status["pending"]), (True, 3))
            caught = json.loads(run("index", "catch-up", "--json", data_dir=a.data_dir))
            self.assertEqual(caught["entries"], 3)
            seen = json.loads(run("observable", "deferred.example", "--json", data_dir=a.data_dir))
            self.assertTrue(seen["index_complete"])
            self.assertEqual(len(seen["results"]), 3)
            # A local question catches the index up first: import, then search, finds.
            run("import", "--collection", "intel", bundle("four.json", 30, 2), data_dir=a.data_dir)
            seen = json.loads(run("observable", "deferred.example", "--json", data_dir=a.data_dir))
            self.assertTrue(seen["index_complete"])
            self.assertEqual(len(seen["results"]), 5)
            self.assertNotIn("pending", seen, "how many entries wait is the operator's to know")
            status = json.loads(run("index", "status", "--json", data_dir=a.data_dir))
            self.assertEqual((status["behind"], status["pending"]), (False, 0))
            # Imported while the node runs: its follower catches up, and the API says when.
            node = Node(a.data_dir)
            client = Client(node, token)
            run("import", "--collection", "intel", bundle("two.json", 10, 2), data_dir=a.data_dir)
            answer = None
            for _ in range(100):
                r = client.get("/api/v1/observables/deferred.example", accept="application/json")
                self.assertEqual(r.status, 200, r.body)
                answer = r.json()
                self.assertNotIn("pending", answer)
                if answer["index_complete"]:
                    break
                self.assertLessEqual(len(answer["results"]), 7)
                time.sleep(0.1)
            self.assertTrue(answer["index_complete"])
            self.assertEqual(len(answer["results"]), 7)
            summary = json.loads(run("import", "--collection", "intel", bundle("three.json", 20, 2), "--index",
                                     "--json", data_dir=a.data_dir))
            self.assertEqual((summary["index"]["pending"], summary["index"]["stale"]), (0, False))
            self.assertLessEqual(summary["index"]["indexed"], 2, "the node may have caught some up first")
        finally:
            if node:
                node.stop()
            a.cleanup()


class ZeekExampleTest(unittest.TestCase):
    """docs/search.md's example, end to end on the command line."""

    def test_an_address_seen_in_zeek_leads_to_the_technique(self):
        from node import Alliance
        a = Alliance()
        try:
            a.collection("intel-jpn", "JPN intel")
            a.org("JPN-CERT", "JPN", id_="identity--7a000000-0000-4000-8000-000000000001")
            run("import", "--collection", "intel-jpn", os.path.join(DATA, "search", "nightfall.json"), "--index",
                data_dir=a.data_dir)
            run("match", "--collection", "intel-jpn", "--input", os.path.join(DATA, "detect", "ssl.log"),
                "--sightings-to", "intel-jpn", "--no-stored-allowlists", data_dir=a.data_dir)
            seen = json.loads(run("observable", "94.237.25.159", "--json", data_dir=a.data_dir))
            reasons = {r["id"].split("--")[0] + ":" + x["relation"] for r in seen["results"] for x in r["reasons"]}
            self.assertIn("indicator:value", reasons)
            self.assertIn("indicator:in-range", reasons, "the /24 indicator contains it")
            ind = "indicator--7a000000-0000-4000-8000-000000000002"
            related = json.loads(run("related", ind, "--json", data_dir=a.data_dir))
            by_type = {r["type"]: r for r in related["results"]}
            self.assertIn("sighting", by_type, "kizuna match sighted it")
            self.assertEqual(by_type["sighting"]["reasons"][0]["relation"], "sighted-by")
            iset = by_type["intrusion-set"]
            self.assertEqual(iset["reasons"][0]["relationship_type"], "indicates")
            onward = json.loads(run("related", iset["id"], "--json", data_dir=a.data_dir))
            technique = [r for r in onward["results"] if r["type"] == "attack-pattern"]
            self.assertEqual(technique[0]["reasons"][0]["relationship_type"], "uses")
            t = json.loads(run("observable", "T1566.001", "--json", data_dir=a.data_dir))
            self.assertEqual([r["id"] for r in t["results"]], [technique[0]["id"]])
        finally:
            a.cleanup()


if __name__ == "__main__":
    unittest.main()
