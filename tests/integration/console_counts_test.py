"""The console's counts are exact (issue 21): on a real node with JPN, USA and KOR readers, the
collections' object counts and the dashboard's counts equal what each reads over TAXII, for
every kind of marking the policy decides on (TLP:RED, AMBER, GREEN, CLEAR, REL TO, statement
markings, a marking not defined yet, granular markings that redact or withhold), for objects
whose newest version is withheld (an older one stands in for it), for objects without a
creator and in an exercise collection; after counting from nothing, after writes (brought up
to date), after a delete and after a marking definition that arrives late. The same cases run
on a node on PostgreSQL (ConsoleCountsOnPostgresTest: its counts go through the store's report
view, store/report_view.h)."""
import json
import time
import unittest
import uuid

import pg_cluster
from node import Alliance, Client, Node
from console_api_test import sighting
from policy_test import indicator

JSON = "application/json"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
EXERCISE = "marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618"
RELEASABLE_TO = "extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde"
REL_USA_JPN = "marking-definition--2a000000-0000-4000-8000-000000000001"
STATEMENT_REL_USA = "marking-definition--2a000000-0000-4000-8000-000000000002"
STATEMENT_COPYRIGHT = "marking-definition--2a000000-0000-4000-8000-000000000003"
LATE = "marking-definition--2a000000-0000-4000-8000-000000000004"


def uid(kind, n):
    return "%s--%s" % (kind, uuid.UUID(int=n, version=4))


def definition(id_, name, releasable_to=None, statement=None):
    o = {"type": "marking-definition", "spec_version": "2.1", "id": id_, "created": "2026-01-01T00:00:00.000Z",
         "name": name}
    if releasable_to:
        o["extensions"] = {RELEASABLE_TO: {"extension_type": "property-extension", "releasable_to": releasable_to}}
    else:
        o["definition_type"] = "statement"
        o["definition"] = {"statement": statement}
    return o


V2 = "2026-02-01T00:00:00.000Z"
V3 = "2026-03-01T00:00:00.000Z"


def without_creator(o):
    del o["created_by_ref"]
    return o


class ConsoleCountsTest(unittest.TestCase):
    store = None  # the node's store: its SQLite file (None) or a postgresql:// URL

    @classmethod
    def setUpClass(cls):
        a = cls.alliance = Alliance(store=cls.store)
        a.collection("alliance", "Alliance", communities=["jpn-usa"])
        a.collection("ex", "Pacific Shield", communities=["jpn-usa"], default_release="readers", exercise=True)
        tokens = a.three_nations()
        for alias in ("alliance", "ex"):
            a.grant(alias, "JPN-CERT", read=True, write=True)
            for org in ("USA-CERT", "KOR-CERT"):
                a.grant(alias, org, read=True)
        cls.node = Node(a.data_dir)
        cls.clients = {k: Client(cls.node, t) for k, t in tokens.items()}
        jpn = cls.jpn = a.orgs["JPN-CERT"]
        cls.publish("alliance", [
            definition(REL_USA_JPN, "REL TO USA, JPN", releasable_to=["USA", "JPN"]),
            definition(STATEMENT_REL_USA, "REL TO USA", statement="REL TO USA"),
            definition(STATEMENT_COPYRIGHT, "Copyright", statement="Copyright 2026 JPN-CERT"),
            indicator(1, jpn, [TLP_RED]),
            indicator(2, jpn, [TLP_AMBER]),
            indicator(3, jpn, [TLP_GREEN]),
            indicator(4, jpn, [TLP_CLEAR]),
            indicator(5, jpn, [REL_USA_JPN]),
            indicator(6, jpn, [STATEMENT_REL_USA]),
            indicator(7, jpn, [STATEMENT_COPYRIGHT, TLP_CLEAR]),
            indicator(8, jpn, []),  # the creator's nation only
            indicator(9, jpn, ["marking-definition--2a000000-0000-4000-8000-0000000000ff"]),  # never defined
            # Granular: a redacted copy for others; a withheld one (the pattern is required).
            indicator(10, jpn, [TLP_CLEAR],
                      granular_markings=[{"marking_ref": TLP_RED, "selectors": ["description"]}]),
            indicator(11, jpn, [TLP_CLEAR], granular_markings=[{"marking_ref": TLP_RED, "selectors": ["pattern"]}]),
            # No creator: released as its adder's (JPN-CERT).
            without_creator(indicator(12, jpn, [TLP_GREEN])),
            without_creator(indicator(13, jpn, [])),
            sighting(20, uid("indicator", 3), jpn, [TLP_GREEN]),
            sighting(21, uid("indicator", 1), jpn, [TLP_RED]),
            sighting(22, uid("indicator", 4), jpn, [TLP_CLEAR]),
        ])
        # Second versions: the newest withheld (an older one stands in), the newest released.
        cls.publish("alliance", [indicator(3, jpn, [TLP_RED], modified=V2), indicator(1, jpn, [TLP_GREEN], modified=V2),
                                 indicator(5, jpn, [TLP_CLEAR], modified=V2)])
        cls.publish("ex", [
            {"type": "marking-definition", "spec_version": "2.1", "id": EXERCISE, "created": "2026-01-01T00:00:00.000Z",
             "name": "Kizuna exercise", "definition_type": "statement",
             "definition": {"statement": "KIZUNA EXERCISE: exercise data, not real intelligence."}},
            indicator(30, jpn, [TLP_CLEAR, EXERCISE]),
            indicator(31, jpn, [TLP_RED, EXERCISE]),
            indicator(32, jpn, [TLP_GREEN, EXERCISE]),
        ])

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    @classmethod
    def publish(cls, alias, objects):
        path = "/intel/collections/%s/objects/" % cls.alliance.collections[alias]
        r = cls.clients["jpn"].post(path, {"objects": objects})
        assert r.status == 202 and r.json()["success_count"] == len(objects), r.body

    def api(self, who, path):
        r = self.clients[who].get(path, accept=JSON)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def taxii(self, who, collection, all_versions):
        """Every entry `who` reads from `collection` over TAXII: the latest versions, or all."""
        objects, query = [], "?match[version]=all" if all_versions else "?"
        base = "/intel/collections/%s/objects/%s" % (collection, query)
        path = base
        for _ in range(100):
            r = self.clients[who].get(path)
            self.assertEqual(r.status, 200, r.body)
            page = r.json()
            objects += page.get("objects", [])
            if not page.get("more"):
                return objects
            path = base + ("&" if all_versions else "") + "next=" + page["next"]
        self.fail("too many pages")

    def check(self, step):
        counted = {}
        for who in ("jpn", "usa", "kor"):
            listed = self.api(who, "/api/v1/collections")
            self.assertEqual(sorted(c["id"] for c in listed), sorted(self.alliance.collections.values()))
            entries = []
            for c in listed:
                self.assertNotIn("objects_capped", c)
                self.assertEqual(c["objects"], len(self.taxii(who, c["id"], False)),
                                 "%s's objects in %s after %s" % (who, c["title"], step))
                entries += self.taxii(who, c["id"], True)
            d = self.api(who, "/api/v1/dashboard")
            self.assertNotIn("capped", d)
            self.assertEqual((sum(d["today"]["in"].values()), sum(d["week"]["in"].values())),
                             (len(entries),) * 2, "%s's dashboard after %s" % (who, step))
            self.assertEqual(sum(day["count"] for day in d["sightings_by_day"]),
                             len([o for o in entries if o["type"] == "sighting"]), "%s after %s" % (who, step))
            counted[who] = sum(c["objects"] for c in listed)
        self.assertGreater(counted["jpn"], counted["usa"], step)
        self.assertGreater(counted["usa"], counted["kor"], step)

    def test_sightings_list_pages_through_the_released_sightings(self):
        """The sightings list reads from the newest sightings back, widening its window while
        the released read gives too few: one a page, every released sighting comes once."""
        for who in ("jpn", "usa", "kor"):
            shown, before = [], ""
            for _ in range(20):
                page = self.api(who, "/api/v1/sightings?limit=1" + ("&before=" + before if before else ""))
                shown += [s["sighting"]["id"] for s in page["sightings"]]
                if not page["more"]:
                    break
                before = page["next"]
            released = [o["id"] for c in self.alliance.collections.values() for o in self.taxii(who, c, False)
                        if o["type"] == "sighting"]
            self.assertEqual(sorted(shown), sorted(released), who)
            self.assertEqual(len(shown), len(set(shown)), who)

    def test_counts_equal_the_released_read(self):
        jpn = self.jpn
        self.check("counting from nothing")
        self.assertEqual(self.api("usa", "/api/v1/collections"), self.api("usa", "/api/v1/collections"))
        # Brought up to date: a new object, versions that withhold or release an object.
        self.publish("alliance", [indicator(40, jpn, [TLP_GREEN]), indicator(3, jpn, [TLP_GREEN], modified=V3),
                                  indicator(4, jpn, [TLP_RED], modified=V2), indicator(2, jpn, [TLP_CLEAR], modified=V2)])
        self.check("versions written")
        self.publish("alliance", [indicator(41, jpn, [REL_USA_JPN]), sighting(23, uid("indicator", 41), jpn, [TLP_GREEN])])
        self.check("an object and its sighting")
        self.publish("ex", [indicator(33, jpn, [TLP_CLEAR, EXERCISE])])
        self.check("an exercise object")
        r = self.clients["jpn"].delete("/intel/collections/%s/objects/%s/" % (self.alliance.collections["alliance"],
                                                                             uid("indicator", 40)))
        self.assertEqual(r.status, 200, r.body)
        self.check("a delete")
        self.publish("alliance", [indicator(42, jpn, [LATE])])
        self.check("an object whose marking is not defined yet")
        self.publish("alliance", [definition(LATE, "REL TO USA, KOR", releasable_to=["USA", "KOR"])])
        self.check("its definition")
        time.sleep(2.1)  # the policy holds an unknown marking as unknown for 1 s
        self.check("its definition, used by the policy")
        usa = self.api("usa", "/api/v1/collections")
        self.assertIn(uid("indicator", 42), json.dumps(self.taxii("usa", self.alliance.collections["alliance"], False)))
        self.assertEqual(usa, self.api("usa", "/api/v1/collections"))
        # A delete and an add between two requests: counted again, not brought up to date
        # from the added entry alone.
        r = self.clients["jpn"].delete("/intel/collections/%s/objects/%s/" % (self.alliance.collections["alliance"],
                                                                             uid("indicator", 41)))
        self.assertEqual(r.status, 200, r.body)
        self.publish("alliance", [indicator(43, jpn, [TLP_CLEAR])])
        self.check("a delete and an add")


@unittest.skipUnless(pg_cluster.available(), "PostgreSQL 15 is not installed (scripts/install-deps --test installs it)")
class ConsoleCountsOnPostgresTest(ConsoleCountsTest):
    """The same counts, leaks checked the same way, on a node on PostgreSQL."""

    @classmethod
    def setUpClass(cls):
        cls.pg = pg_cluster.PgCluster()
        try:
            name = "counts" + uuid.uuid4().hex[:12]
            cls.pg.create_database(name)
            cls.store = cls.pg.url(name)
            super().setUpClass()
        except BaseException:
            cls.pg.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.pg.stop()


if __name__ == "__main__":
    unittest.main()
