"""The brief's leak test: on a three-nation node, briefs for USA and for KOR never contain a
name, id or value of an object that nation may not read, and their counts equal what its
analysts read over TAXII."""
import json
import os
import unittest
import uuid

from node import Alliance, Client, Node, run

REL_USA_JPN = "marking-definition--2a000000-0000-4000-8000-000000000001"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
RELEASABLE_TO = "extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde"
DEFINITIONS = ("marking-definition", "extension-definition")


def base(kind, n, creator, markings, **extra):
    o = {"type": kind, "spec_version": "2.1", "id": "%s--%s" % (kind, uuid.UUID(int=n, version=4)),
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "created_by_ref": creator}
    if markings:
        o["object_marking_refs"] = list(markings)
    o.update(extra)
    return o


def indicator(n, creator, markings, name):
    return base("indicator", n, creator, markings, name=name, pattern="[ipv4-addr:value = '203.0.113.%d']" % n,
                pattern_type="stix", valid_from="2026-01-01T00:00:00Z")


class BriefLeakTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        a = cls.alliance = Alliance()
        a.collection("alliance", "Alliance", communities=["jpn-usa"])
        tokens = a.three_nations()
        a.grant("alliance", "JPN-CERT", read=True, write=True)
        for org in ("USA-CERT", "KOR-CERT"):
            a.grant("alliance", org, read=True)
        cls.node = Node(a.data_dir)
        cls.clients = {k: Client(cls.node, t) for k, t in tokens.items()}
        cls.base = "/intel/collections/%s/" % a.collections["alliance"]
        jpn = a.orgs["JPN-CERT"]
        technique = lambda n, m, name, tid: base(  # noqa: E731
            "attack-pattern", n, jpn, m, name=name,
            external_references=[{"source_name": "mitre-attack", "external_id": tid}],
            kill_chain_phases=[{"kill_chain_name": "mitre-attack", "phase_name": "execution"}])
        objects = [
            {"type": "marking-definition", "spec_version": "2.1", "id": REL_USA_JPN,
             "created": "2026-01-01T00:00:00.000Z", "name": "REL TO USA, JPN",
             "extensions": {RELEASABLE_TO: {"extension_type": "property-extension", "releasable_to": ["USA", "JPN"]}}},
            indicator(1, jpn, [TLP_CLEAR], "clear-indicator"),
            indicator(2, jpn, [TLP_GREEN], "green-indicator"),
            indicator(3, jpn, [REL_USA_JPN], "jpn-usa-indicator"),
            indicator(4, jpn, [TLP_RED], "red-indicator"),
            indicator(5, jpn, [], "jpn-only-indicator"),
            indicator(6, jpn, [TLP_AMBER], "amber-indicator"),
            technique(20, [TLP_CLEAR], "Clear Technique", "T1001"),
            technique(21, [TLP_RED], "Secret Technique", "T1002"),
            base("intrusion-set", 30, jpn, [TLP_GREEN], name="Green Group"),
            base("intrusion-set", 31, jpn, [], name="Jpn Only Group"),
        ]
        ind = lambda n: "indicator--%s" % uuid.UUID(int=n, version=4)  # noqa: E731
        ap = lambda n: "attack-pattern--%s" % uuid.UUID(int=n, version=4)  # noqa: E731
        iset = lambda n: "intrusion-set--%s" % uuid.UUID(int=n, version=4)  # noqa: E731
        # Readable relationships and sightings that point at objects some may not read.
        objects += [
            base("relationship", 40, jpn, [TLP_CLEAR], relationship_type="indicates", source_ref=ind(1),
                 target_ref=ap(21)),
            base("relationship", 41, jpn, [TLP_CLEAR], relationship_type="indicates", source_ref=ind(1),
                 target_ref=ap(20)),
            base("relationship", 42, jpn, [TLP_GREEN], relationship_type="uses", source_ref=iset(31),
                 target_ref=ap(20)),
            base("relationship", 43, jpn, [TLP_GREEN], relationship_type="uses", source_ref=iset(30),
                 target_ref=ap(20)),
            base("sighting", 50, jpn, [TLP_CLEAR], sighting_of_ref=ind(4), count=9),
            base("sighting", 51, jpn, [TLP_GREEN], sighting_of_ref=ind(2), count=3),
            base("sighting", 52, jpn, [TLP_RED], sighting_of_ref=ind(1), count=100),
        ]
        r = cls.clients["jpn"].post(cls.base + "objects/", {"objects": objects})
        assert r.status == 202 and r.json()["success_count"] == len(objects), r.body
        cls.objects = objects

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    def taxii_ids(self, who):
        ids, path = [], self.base + "objects/"
        for _ in range(100):
            page = self.clients[who].get(path).json()
            ids += [o["id"] for o in page.get("objects", [])]
            if not page.get("more"):
                return set(ids)
            path = self.base + "objects/?next=" + page["next"]
        self.fail("too many pages")

    def brief(self, audience):
        tmp = self.alliance.tmp
        html, figures = os.path.join(tmp, audience + ".html"), os.path.join(tmp, audience + ".json")
        run("brief", "--audience", audience, "--out", html, "--json", figures, data_dir=self.alliance.data_dir)
        with open(html, encoding="utf-8") as h, open(figures) as f:
            return h.read(), json.load(f)

    def check(self, who, audience):
        readable = self.taxii_ids(who)
        html, figures = self.brief(audience)
        counted = {i for i in readable if not i.startswith(DEFINITIONS)}
        self.assertEqual(figures["headline"]["objects"]["current"], len(counted))
        by_type = {}
        for i in counted:
            by_type[i.split("--")[0]] = by_type.get(i.split("--")[0], 0) + 1
        self.assertEqual({r["type"]: r["current"] for r in figures["by_type"]}, by_type)
        self.assertEqual(sum(r["objects"] for r in figures["by_tlp"]), len(counted))
        visible = [o for o in self.objects if o["id"] in readable]
        self.assertEqual(figures["headline"]["sightings"]["current"],
                         sum(o["count"] for o in visible if o["type"] == "sighting"))
        text = html + json.dumps(figures)
        hidden = [o for o in self.objects if o["id"] not in readable]
        self.assertTrue(hidden)
        for o in hidden:
            with self.subTest(audience=audience, hidden=o["id"]):
                self.assertNotIn(o["id"], text)
                for key in ("name", "pattern"):
                    if key in o:
                        self.assertNotIn(o[key], text)
                for ref in o.get("external_references", []):
                    self.assertNotIn(ref["external_id"], text)
        return figures

    def test_usa_brief_shows_only_what_usa_reads(self):
        figures = self.check("usa", "USA")
        self.assertEqual([t["name"] for t in figures["techniques"]], ["Clear Technique"])
        self.assertEqual([g["name"] for g in figures["groups"]], ["Green Group"])
        self.assertEqual(figures["banner"], "TLP:AMBER", "the amber indicator is for every reader")

    def test_kor_brief_shows_only_what_kor_reads(self):
        figures = self.check("kor", "KOR")
        self.assertEqual(figures["banner"], "TLP:AMBER")
        self.assertEqual(figures["groups"], [])
        self.assertEqual(figures["top_indicators"], [], "the sighted red indicator is not named")

    def test_user_audience_equals_its_taxii_view(self):
        self.check("usa", "usa-analyst")


if __name__ == "__main__":
    unittest.main()
