"""The releasability policy on a real node: JPN, USA and KOR organisations read one collection
through TAXII, and `kizuna export --as` gives each the same view."""
import json
import unittest
import uuid

from node import Alliance, Client, Node, run

REL_USA_JPN = "marking-definition--2a000000-0000-4000-8000-000000000001"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
RELEASABLE_TO = "extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde"


def indicator(n, creator, markings=(), **extra):
    o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "description": "source %d" % n, "pattern": "[ipv4-addr:value = '198.51.100.%d']" % n,
         "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z", "created_by_ref": creator}
    if markings:
        o["object_marking_refs"] = list(markings)
    o.update(extra)
    return o


class PolicyTest(unittest.TestCase):
    """One node; the collection serves the community jpn-usa; objects are published by JPN."""

    @classmethod
    def setUpClass(cls):
        a = cls.alliance = Alliance()
        a.collection("alliance", "Alliance", communities=["jpn-usa"])
        for name, nation in (("JPN-CERT", "JPN"), ("JPN-MOD", "JPN"), ("USA-CERT", "USA"), ("KOR-CERT", "KOR")):
            a.org(name, nation)
        a.group("jpn-usa", "JPN-CERT", "JPN-MOD", "USA-CERT")
        a.group("jpn-usa-kor", "JPN-CERT", "JPN-MOD", "USA-CERT", "KOR-CERT")
        cls.tokens = {
            "jpn": a.user("jpn-analyst", "JPN-CERT", "publisher"),
            "jpn-mod": a.user("jpn-mod", "JPN-MOD", "reader"),
            "jpn-mod-pub": a.user("jpn-mod-pub", "JPN-MOD", "publisher"),
            "usa": a.user("usa-analyst", "USA-CERT", "reader"),
            "kor": a.user("kor-analyst", "KOR-CERT", "reader"),
        }
        for org in ("USA-CERT", "KOR-CERT"):
            a.grant("alliance", org, read=True)
        for org in ("JPN-CERT", "JPN-MOD"):
            a.grant("alliance", org, read=True, write=True)
        cls.node = Node(a.data_dir, config="limits:\n  default_page: 2\n  max_page: 3\n")
        cls.clients = {k: Client(cls.node, t) for k, t in cls.tokens.items()}
        cls.base = "/intel/collections/%s/" % a.collections["alliance"]
        jpn = a.orgs["JPN-CERT"]
        cls.objects = {
            "rel": indicator(1, jpn, [REL_USA_JPN]),
            "red": indicator(2, jpn, [TLP_RED]),
            "unmarked": indicator(3, jpn),
            "green": indicator(4, jpn, [TLP_GREEN]),
            "clear": indicator(5, jpn, [TLP_CLEAR]),
            "redacted": indicator(6, jpn, [TLP_CLEAR],
                                  granular_markings=[{"marking_ref": TLP_RED, "selectors": ["description"]}]),
            "rel2": indicator(7, jpn, [REL_USA_JPN]),
        }
        definition = {"type": "marking-definition", "spec_version": "2.1", "id": REL_USA_JPN,
                      "created": "2026-01-01T00:00:00.000Z", "name": "REL TO USA, JPN",
                      "extensions": {RELEASABLE_TO: {"extension_type": "property-extension",
                                                     "releasable_to": ["USA", "JPN"]}}}
        r = cls.clients["jpn"].post(cls.base + "objects/", {"objects": [definition]})
        assert r.status == 202, r.body
        for o in cls.objects.values():  # one request each: interleaved date_added
            r = cls.clients["jpn"].post(cls.base + "objects/", {"objects": [o]})
            assert r.status == 202, r.body
            assert r.json()["success_count"] == 1, r.body
        cls.expected = {
            "jpn": {"rel", "red", "unmarked", "green", "clear", "redacted", "rel2"},
            "jpn-mod": {"rel", "unmarked", "green", "clear", "redacted", "rel2"},
            "usa": {"rel", "green", "clear", "redacted", "rel2"},
            "kor": {"clear", "redacted"},
        }

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    def names(self, ids):
        by_id = {o["id"]: k for k, o in self.objects.items()}
        return [by_id[i] for i in ids if i in by_id]

    def read_all(self, who, endpoint):
        """Every object `who` gets from `endpoint`, following `next`; checks the pages."""
        objects, path = [], self.base + endpoint + "/"
        for _ in range(50):
            r = self.clients[who].get(path)
            self.assertEqual(r.status, 200, r.body)
            page = r.json()
            got = page.get("objects", [])
            self.assertLessEqual(len(got), 2)
            objects += got
            if not page["more"]:
                self.assertNotIn("next", page)
                return objects
            path = self.base + endpoint + "/?next=" + page["next"]
        self.fail("too many pages")

    def test_who_sees_what_through_objects_and_manifest(self):
        for who, expected in self.expected.items():
            with self.subTest(who=who):
                objects = self.read_all(who, "objects")
                ids = [o["id"] for o in objects]
                self.assertEqual(len(ids), len(set(ids)), "no duplicates across pages")
                self.assertEqual(set(self.names(ids)), expected)
                self.assertIn(REL_USA_JPN, ids, "marking definitions are released to readers")
                manifest = [o["id"] for o in self.read_all(who, "manifest")]
                self.assertEqual(manifest, ids)

    def test_withheld_objects_look_absent(self):
        never = self.base + "objects/indicator--%s/" % uuid.UUID(int=99, version=4)
        absent = self.clients["kor"].get(never)
        self.assertEqual(absent.status, 404)
        for name in ("rel", "red", "unmarked", "green"):
            oid = self.objects[name]["id"]
            for suffix in ("", "versions/"):
                r = self.clients["kor"].get(self.base + "objects/" + oid + "/" + suffix)
                self.assertEqual(r.status, 404, (name, suffix))
                self.assertNotIn(oid.encode(), r.body)
                self.assertNotIn(b"source", r.body)
        red = self.objects["red"]["id"]
        self.assertEqual(self.clients["usa"].get(self.base + "objects/" + red + "/").status, 404)
        self.assertEqual(self.clients["jpn-mod"].get(self.base + "objects/" + red + "/").status, 404)
        self.assertEqual(self.clients["jpn"].get(self.base + "objects/" + red + "/").status, 200)

    def test_posting_a_withheld_version_reveals_nothing(self):
        """The status of a post reads the same whether or not a version the poster may not see
        is stored under that id; the stored object is unchanged."""
        red = self.objects["red"]
        changed = dict(red, description="forged")
        never_stored = indicator(51, self.alliance.orgs["JPN-CERT"])
        messages = set()
        for obj in (red, changed, never_stored):  # another organisation's objects: refused alike
            r = self.clients["jpn-mod-pub"].post(self.base + "objects/", {"objects": [obj]})
            self.assertEqual(r.status, 202, r.body)
            status = r.json()
            self.assertEqual((status["success_count"], status["failure_count"]), (0, 1), r.body)
            messages.add(status["failures"][0]["message"])
        self.assertEqual(len(messages), 1, messages)
        fresh = indicator(50, self.alliance.orgs["JPN-MOD"])
        r = self.clients["jpn-mod-pub"].post(self.base + "objects/", {"objects": [fresh]})
        status = r.json()
        self.assertEqual(status["successes"], [{"id": fresh["id"], "version": fresh["modified"]}])
        again = self.clients["jpn-mod-pub"].get("/intel/status/%s/" % status["id"])
        self.assertEqual(again.json(), status)
        self.assertEqual(self.clients["jpn-mod"].get(self.base + "objects/" + red["id"] + "/").status, 404)
        mine = self.clients["jpn"].get(self.base + "objects/" + red["id"] + "/").json()["objects"]
        self.assertEqual([o["description"] for o in mine], ["source 2"])
        # The creator sees its object, so it learns of the conflict.
        r = self.clients["jpn"].post(self.base + "objects/", {"objects": [changed, red]})
        status = r.json()
        self.assertEqual(status["failures"][0]["id"], red["id"], r.body)
        self.assertIn("different object with the same id and version", status["failures"][0]["message"])
        self.assertEqual(status["successes"][0]["message"], "already present")
        gone = self.clients["jpn-mod-pub"].delete(self.base + "objects/" + fresh["id"] + "/")
        self.assertEqual(gone.status, 200, gone.body)

    def test_granular_marking_redacts_the_copy_served(self):
        oid = self.objects["redacted"]["id"]
        kor = self.clients["kor"].get(self.base + "objects/" + oid + "/").json()["objects"][0]
        self.assertNotIn("description", kor)
        self.assertNotIn("granular_markings", kor)
        self.assertEqual(kor["pattern"], self.objects["redacted"]["pattern"])
        jpn = self.clients["jpn"].get(self.base + "objects/" + oid + "/").json()["objects"][0]
        self.assertEqual(jpn["description"], "source 6", "the stored object is unchanged")

    def test_export_as_a_user_matches_taxii(self):
        for who, user in (("usa", "usa-analyst"), ("kor", "kor-analyst")):
            out = run("export", "--collection", "alliance", "--as", user, data_dir=self.alliance.data_dir)
            ids = [o["id"] for o in json.loads(out)["objects"]]
            self.assertEqual(set(self.names(ids)), self.expected[who])
        out = run("export", "--collection", "alliance", data_dir=self.alliance.data_dir)
        self.assertEqual(len(json.loads(out)["objects"]), len(self.objects) + 1, "the operator sees all")
        out = run("export", "--collection", "alliance", "--as", "nobody", data_dir=self.alliance.data_dir, expect=1)
        self.assertEqual(out, "", "nothing is written for an unknown user")


if __name__ == "__main__":
    unittest.main()
