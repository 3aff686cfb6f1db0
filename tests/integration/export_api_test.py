"""Sensor exports over the JSON API (issue 24 item 3) and collections as MISP feeds (item 2):
GET /api/v1/exports/{format} and /misp-feed/{collection}/... answer each user with what the
policy releases to it (the principals and markings of policy_test.py), the same as `kizuna
export --as`, and a collection it may not read as absent."""
import hashlib
import json
import unittest
import uuid

import policy_test as base
from node import Client, run

USERS = {"jpn": "jpn-analyst", "jpn-mod": "jpn-mod", "usa": "usa-analyst", "kor": "kor-analyst"}


class ExportApiTest(unittest.TestCase):
    tearDownClass = classmethod(base.PolicyTest.tearDownClass.__func__)

    @classmethod
    def setUpClass(cls):
        base.PolicyTest.setUpClass.__func__(cls)
        cls.alliance.collection("closed", "closed")
        cls.path = "/api/v1/exports/%s?collection=" + cls.alliance.collections["alliance"]

    def addresses(self, text):
        return {n for n, o in self.objects.items() if o["pattern"].split("'")[1] in text}

    def test_each_user_gets_what_the_policy_releases(self):
        for who, expected in self.expected.items():
            for fmt in ("csv", "zeek-intel"):
                with self.subTest(who=who, format=fmt):
                    r = self.clients[who].get(self.path % fmt, accept=None)
                    self.assertEqual(r.status, 200, r.body)
                    text = r.body.decode()
                    self.assertEqual(self.addresses(text), expected)
                    self.assertEqual(int(r.headers["X-Kizuna-Exported"]), len(expected))
                    for name in set(self.objects) - expected:
                        self.assertNotIn(self.objects[name]["id"], text)
                    cli = run("export", "--collection", "alliance", "--format", fmt, "--as", USERS[who],
                              data_dir=self.alliance.data_dir)
                    self.assertEqual(self.addresses(cli), expected, "the same as kizuna export --as")

    def test_suricata_lists_its_files(self):
        r = self.clients["kor"].get(self.path % "suricata", accept=None)
        self.assertEqual(r.status, 200, r.body)
        files = r.json()["files"]
        self.assertIn("kizuna.rules", files)
        rules = self.clients["kor"].get(self.path % "suricata" + "&file=kizuna.rules", accept=None)
        self.assertEqual(rules.status, 200)
        self.assertEqual(self.clients["kor"].get(self.path % "suricata" + "&file=nope", accept=None).status, 404)

    def test_unreadable_collections_and_bad_requests(self):
        closed = "/api/v1/exports/csv?collection=" + self.alliance.collections["closed"]
        never = "/api/v1/exports/csv?collection=no-such-collection"
        a, b = self.clients["usa"].get(closed, accept=None), self.clients["usa"].get(never, accept=None)
        self.assertEqual((a.status, b.status), (404, 404))
        self.assertEqual(a.json()["description"].replace(self.alliance.collections["closed"], "X"),
                         b.json()["description"].replace("no-such-collection", "X"))
        self.assertEqual(Client(self.node).get(self.path % "csv", accept=None).status, 401)
        self.assertEqual(self.clients["usa"].get(self.path % "yaml", accept=None).status, 404)
        self.assertEqual(self.clients["usa"].get("/api/v1/exports/csv", accept=None).status, 400)
        self.assertEqual(self.clients["usa"].post(self.path % "csv", {}).status, 405)

    def test_misp_feed_holds_what_the_policy_releases(self):
        feed = "/misp-feed/%s/" % self.alliance.collections["alliance"]
        for who, expected in self.expected.items():
            with self.subTest(who=who):
                c = self.clients[who]
                manifest = c.get(feed + "manifest.json", accept=None)
                self.assertEqual(manifest.status, 200, manifest.body)
                uuids = list(manifest.json())
                self.assertEqual(len(uuids), 1, "the collection's own event")
                event = c.get(feed + uuids[0] + ".json", accept=None).json()["Event"]
                values = {a["value"] for a in event["Attribute"]}
                self.assertEqual(self.addresses(" ".join(values)), expected)
                hashes = c.get(feed + "hashes.csv", accept=None).body.decode()
                for name, o in self.objects.items():
                    md5 = hashlib.md5(o["pattern"].split("'")[1].encode()).hexdigest()
                    self.assertEqual(md5 in hashes, name in expected, (who, name))
                    if name not in expected:
                        self.assertNotIn(o["id"][-36:], json.dumps(event))
        closed = "/misp-feed/%s/manifest.json" % self.alliance.collections["closed"]
        self.assertEqual(self.clients["usa"].get(closed, accept=None).status, 404)
        self.assertEqual(Client(self.node).get(feed + "manifest.json", accept=None).status, 401)
        self.assertEqual(self.clients["usa"].get(feed + "nope.json", accept=None).status, 404)

    def misp_values(self, who):
        """The attribute values of the feed's one event, as `who` gets them."""
        feed = "/misp-feed/%s/" % self.alliance.collections["alliance"]
        manifest = self.clients[who].get(feed + "manifest.json", accept=None)
        self.assertEqual(manifest.status, 200, manifest.body)
        (uuid,) = list(manifest.json())
        event = self.clients[who].get(feed + uuid + ".json", accept=None).json()["Event"]
        return {a["value"] for a in event["Attribute"]}

    def test_misp_feed_kept_for_one_release_serves_no_other(self):
        # Issue 24: the feed is built once and kept per release; each principal, asking right
        # after another whose release differs, still gets only its own.
        orders = (["jpn", "jpn-mod", "usa", "kor"], ["kor", "usa", "jpn-mod", "jpn"], ["usa", "kor", "usa", "jpn"])
        for order in orders:
            for who in order:
                with self.subTest(order=order, who=who):
                    self.assertEqual(self.addresses(" ".join(self.misp_values(who))), self.expected[who])
        # The same organisation, the same release: another user of JPN-MOD gets what jpn-mod got.
        self.clients["jpn-mod-pub"] = Client(self.node, self.tokens["jpn-mod-pub"])
        self.assertEqual(self.addresses(" ".join(self.misp_values("jpn-mod-pub"))), self.expected["jpn-mod"])

    def test_misp_feed_shows_a_write_at_once(self):
        # Issue 24: a kept feed is not served after a write: an address posted now (an SCO
        # under TLP:CLEAR, which the sensor exports leave out) is in the next answer.
        value = "203.0.113.77"
        self.assertNotIn(value, self.misp_values("usa"))
        sco = {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--%s" % uuid.uuid4(),
               "value": value, "object_marking_refs": [base.TLP_CLEAR]}
        r = self.clients["jpn"].post(self.base + "objects/", {"objects": [sco]})
        self.assertEqual(r.status, 202, r.body)
        self.assertIn(value, self.misp_values("usa"))


if __name__ == "__main__":
    unittest.main()
