"""The web console's JSON endpoints on a real node, through the policy, with the three-nation
fixture of policy_test.py: a JPN-only (REL TO USA, JPN seen from KOR) and a TLP:RED object,
with a sighting and a relationship each, never show to those who may not read them — not in
object pages, lists, counts, the dashboard, relationships or sightings — and the publish
path and the release preview give the policy's own answers."""
import datetime
import json
import os
import subprocess
import threading
import time
import unittest
import uuid

import policy_test as base
from console_session_test import Browser
from node import Client, run

JSON = "application/json"


def unless_busy(send, attempts=5):
    """send(), again after its Retry-After while the node answers 503 busy: a token's first
    verification draws on the node's Argon2 budget, whose share for an address with recent
    failures (these tests make many) is 2 a second."""
    for _ in range(attempts - 1):
        r = send()
        if r.status != 503 or not r.headers.get("Retry-After"):
            return r
        time.sleep(min(float(r.headers["Retry-After"]), 5))
    return send()


def sighting(n, of, creator, markings):
    return {"type": "sighting", "spec_version": "2.1", "id": "sighting--%s" % uuid.UUID(int=n, version=4),
            "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z",
            "sighting_of_ref": of, "count": 1, "created_by_ref": creator, "object_marking_refs": markings}


def relationship(n, source, target, creator, markings):
    return {"type": "relationship", "spec_version": "2.1", "id": "relationship--%s" % uuid.UUID(int=n, version=4),
            "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z",
            "relationship_type": "related-to", "source_ref": source, "target_ref": target,
            "created_by_ref": creator, "object_marking_refs": markings}


class ConsoleApiTest(unittest.TestCase):
    tearDownClass = classmethod(base.PolicyTest.tearDownClass.__func__)
    names = base.PolicyTest.names

    @classmethod
    def setUpClass(cls):
        base.PolicyTest.setUpClass.__func__(cls)
        jpn = cls.alliance.orgs["JPN-CERT"]
        o = cls.objects
        cls.extra = {
            "red-sighting": sighting(101, o["red"]["id"], jpn, [base.TLP_RED]),
            "rel-sighting": sighting(102, o["rel"]["id"], jpn, [base.REL_USA_JPN]),
            "clear-sighting": sighting(103, o["clear"]["id"], jpn, [base.TLP_CLEAR]),
            "clear-to-red": relationship(104, o["clear"]["id"], o["red"]["id"], jpn, [base.TLP_RED]),
            "clear-to-green": relationship(105, o["clear"]["id"], o["green"]["id"], jpn, [base.TLP_GREEN]),
        }
        r = cls.clients["jpn"].post(cls.base + "objects/", {"objects": list(cls.extra.values())})
        assert r.json()["success_count"] == len(cls.extra), r.body
        cls.collection = cls.alliance.collections["alliance"]
        cls.clients["admin"] = Client(cls.node, cls.alliance.user("node-admin", "JPN-CERT", "node-admin"))
        cls.clients["kor-admin"] = Client(cls.node, cls.alliance.user("kor-admin", "KOR-CERT", "org-admin"))
        # A partner node's account that also holds org-admin: still a partner's account.
        run("admin", "user", "add", "kor-peer", "--org", cls.alliance.orgs["KOR-CERT"], "--role", "peer",
            "--role", "org-admin", data_dir=cls.alliance.data_dir)
        peer_token = json.loads(run("admin", "token", "create", "kor-peer", "--json", data_dir=cls.alliance.data_dir))
        cls.clients["kor-peer"] = Client(cls.node, peer_token["token"])
        # A partner this node pulls from, whose name only node administrators may see.
        run("peer", "add", cls.PARTNER, "--url", "https://127.0.0.1:9", "--token", "t", "--nation", "GBR",
            "--map", cls.collection + ":remote:pull", data_dir=cls.alliance.data_dir)

    PARTNER = "gbr-partner-node"

    def api(self, who, path, status=200):
        r = self.clients[who].get(path, accept=JSON)
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.headers["Cache-Control"], "no-store")
        return r.json()

    def post(self, who, path, body):
        return unless_busy(lambda: self.clients[who].post(path, body, accept=JSON, content_type=JSON))

    VISIBLE_EXTRA = {
        "jpn": {"red-sighting", "rel-sighting", "clear-sighting", "clear-to-red", "clear-to-green"},
        "jpn-mod": {"rel-sighting", "clear-sighting", "clear-to-green"},
        "usa": {"rel-sighting", "clear-sighting", "clear-to-green"},
        "kor": {"clear-sighting"},
    }

    def withheld_ids(self, who):
        """Ids of every fixture object `who` may not read."""
        out = {o["id"] for k, o in self.objects.items() if k not in self.expected[who]}
        return out | {o["id"] for k, o in self.extra.items() if k not in self.VISIBLE_EXTRA[who]}

    def test_object_page_shows_exactly_what_taxii_releases(self):
        never = "indicator--%s" % uuid.UUID(int=99, version=4)
        for who, expected in self.expected.items():
            for name, obj in self.objects.items():
                with self.subTest(who=who, name=name):
                    r = self.clients[who].get("/api/v1/objects/" + obj["id"], accept=JSON)
                    if name not in expected:
                        absent = self.clients[who].get("/api/v1/objects/" + never, accept=JSON)
                        self.assertEqual((r.status, absent.status), (404, 404))
                        self.assertEqual(r.json()["description"].replace(obj["id"], "X"),
                                         absent.json()["description"].replace(never, "X"))
                        self.assertNotIn(b"source", r.body)
                        continue
                    self.assertEqual(r.status, 200, r.body)
                    page = r.json()
                    self.assertEqual(page["object"]["id"], obj["id"])
                    self.assertEqual(page["collections"], [self.collection])
                    self.assertEqual(len(page["versions"]), 1)
                    self.assertEqual(page["provenance"][0]["source"], "local")
                    text = json.dumps(page)
                    for hidden in self.withheld_ids(who):
                        self.assertNotIn(hidden, text)
                    if name == "redacted" and who != "jpn":
                        self.assertNotIn("description", page["object"])

    def test_object_page_marking_relationships_and_sightings(self):
        rel = self.api("usa", "/api/v1/objects/" + self.objects["rel"]["id"])
        self.assertEqual(rel["marking"]["release"], ["USA", "JPN"])
        self.assertEqual([s["id"] for s in rel["sightings"]], [self.extra["rel-sighting"]["id"]])
        clear_jpn = self.api("jpn", "/api/v1/objects/" + self.objects["clear"]["id"])
        self.assertEqual(clear_jpn["marking"]["tlp"], "clear")
        self.assertEqual({r["id"] for r in clear_jpn["relationships"]},
                         {self.extra["clear-to-red"]["id"], self.extra["clear-to-green"]["id"]})
        clear_kor = self.api("kor", "/api/v1/objects/" + self.objects["clear"]["id"])
        self.assertEqual(clear_kor["relationships"], [])
        self.assertEqual([s["id"] for s in clear_kor["sightings"]], [self.extra["clear-sighting"]["id"]])
        clear_usa = self.api("usa", "/api/v1/objects/" + self.objects["clear"]["id"])
        self.assertEqual([r["id"] for r in clear_usa["relationships"]], [self.extra["clear-to-green"]["id"]])

    def test_collections_count_released_objects_only(self):
        for who in self.expected:
            with self.subTest(who=who):
                listed = self.api(who, "/api/v1/collections")
                self.assertEqual([c["id"] for c in listed], [self.collection])
                taxii = self.read_all(who, "objects")
                self.assertEqual(listed[0]["objects"], len(taxii))
                self.assertEqual(listed[0]["can_write"], who in ("jpn", "jpn-mod-pub"))
        self.assertLess(self.api("kor", "/api/v1/collections")[0]["objects"],
                        self.api("jpn", "/api/v1/collections")[0]["objects"])

    read_all = base.PolicyTest.read_all

    def test_dashboard_counts_released_entries_only(self):
        for who in self.expected:
            with self.subTest(who=who):
                d = self.api(who, "/api/v1/dashboard")
                released = len(self.read_all(who, "objects"))
                self.assertEqual(sum(d["today"]["in"].values()), released)
                self.assertEqual(sum(d["week"]["in"].values()), released)
                self.assertEqual(len(d["sightings_by_day"]), 30)
                sightings = sum(day["count"] for day in d["sightings_by_day"])
                self.assertEqual(sightings, len([k for k in self.extra if k.endswith("sighting")
                                                 and self.extra[k]["id"] not in self.withheld_ids(who)]))
                self.assertNotIn("partners", d)
                self.assertNotIn(self.PARTNER, json.dumps(d))
        for who in ("kor-admin", "admin"):
            text = json.dumps(self.api(who, "/api/v1/dashboard"))
            self.assertEqual(self.PARTNER in text, who == "admin", who)

    def record_exercises(self):
        """Results in the alliance collection created by JPN-CERT, one per marking, named after
        the fixture object marked the same (so self.expected says who reads each)."""
        if getattr(type(self), "exercises_recorded", False):
            return
        now = datetime.datetime.now(datetime.timezone.utc)
        for n, (like, tlp, markings) in enumerate((("clear", "clear", []), ("green", "green", []), ("red", "red", []),
                                                   ("rel", "clear", [base.REL_USA_JPN]))):
            t0 = (now - datetime.timedelta(days=n + 1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
            board = {"exercise": like + "-drill", "title": like.capitalize() + " Drill", "tlp": tlp, "t0": t0,
                     "duration_s": 3600, "steps": [], "alerts": 0,
                     "teams": [{"team": "blue-" + like, "nation": "JPN", "steps": 2, "detected": 1, "score": 0.5}],
                     "shares": [{"objective": "obj-" + like, "from": "JPN", "to": "USA", "step": "s1",
                                 "time_to_share_s": 30 + n, "met": True, "used": False}]}
            path = os.path.join(self.alliance.tmp, like + "-drill.json")
            with open(path, "w") as f:
                json.dump(board, f)
            extra = [a for m in markings for a in ("--marking", m)]
            run("exercise", "record", "--result", path, "--collection", self.collection, "--as", "JPN-CERT", *extra,
                data_dir=self.alliance.data_dir)
        type(self).exercises_recorded = True

    def test_exercises_show_only_released_results(self):
        self.record_exercises()
        for who, expected in self.expected.items():
            with self.subTest(who=who):
                listed = self.api(who, "/api/v1/exercises")
                want = [k + "-drill" for k in ("clear", "green", "red", "rel") if k in expected]  # newest first
                self.assertEqual([e["exercise"] for e in listed["exercises"]], want)
                text = json.dumps(listed)
                for hidden in {"clear", "green", "red", "rel"} - expected:
                    self.assertNotIn(hidden + "-drill", text)
                    self.assertNotIn(hidden.capitalize() + " Drill", text)
                    # One it may not read answers exactly as one that does not exist.
                    r = self.clients[who].get("/api/v1/exercises/%s-drill?collection=%s" % (hidden, self.collection),
                                              accept=JSON)
                    absent = self.clients[who].get("/api/v1/exercises/none-drill?collection=" + self.collection,
                                                   accept=JSON)
                    self.assertEqual((r.status, absent.status), (404, 404))
                    self.assertEqual(r.body.replace(hidden.encode(), b"X"), absent.body.replace(b"none", b"X"))
                    aar = self.clients[who].get("/api/v1/exercises/%s-drill/aar?collection=%s" % (hidden, self.collection),
                                                accept="text/html")
                    self.assertEqual(aar.status, 404)
        one = self.api("usa", "/api/v1/exercises/green-drill?collection=" + self.collection)
        self.assertEqual((one["title"], one["tlp"]), ("Green Drill", "TLP:GREEN"))
        self.assertEqual(one["teams"][0]["team"], "blue-green")
        self.assertEqual(one["objectives"][0]["objective"], "obj-green")
        self.assertEqual(one["objectives"][0]["time_to_share_s"], 31)
        self.assertTrue(one["aar"])
        aar = self.clients["usa"].get("/api/v1/exercises/green-drill/aar?lang=ja&collection=" + self.collection,
                                      accept="text/html")
        self.assertEqual(aar.status, 200)
        self.assertEqual(aar.headers["Content-Disposition"], 'attachment; filename="aar-green-drill.html"')
        self.assertIn(b"Green Drill", aar.body)
        self.assertEqual(self.clients["usa"].post("/api/v1/exercises", {}, accept=JSON, content_type=JSON).status, 405)

    def test_brief_has_the_caller_as_audience(self):
        self.record_exercises()
        for who, expected in self.expected.items():
            with self.subTest(who=who):
                figures = self.api(who, "/api/v1/brief?top=100")
                self.assertEqual(figures["audience"]["kind"], "user")
                text = json.dumps(figures)
                for hidden in self.withheld_ids(who):
                    self.assertNotIn(hidden, text)
                self.assertEqual({i["exercise"] for i in figures["exercises"]["items"]},
                                 {k + "-drill" for k in ("clear", "green", "red", "rel") if k in expected})
                self.assertEqual(figures["federation"], [], "partners are for node administrators")
                # Only what it reads is counted: the indicators it reads over TAXII, no more.
                taxii = [o for o in self.read_all(who, "objects") if o["type"] == "indicator"]
                self.assertEqual(figures["headline"]["indicators"]["current"], len(taxii))
                page = self.clients[who].get("/api/v1/brief?format=html&lang=ja", accept="text/html")
                self.assertEqual(page.status, 200)
                self.assertTrue(page.headers["Content-Disposition"].startswith('attachment; filename="brief-'))
                for hidden in self.withheld_ids(who):
                    self.assertNotIn(hidden.encode(), page.body)
        self.assertIn(self.PARTNER, json.dumps(self.api("admin", "/api/v1/brief")["federation"]))
        for bad in ("from=2026-13-01", "format=xml", "top=0", "lang=fr"):
            self.assertEqual(self.clients["usa"].get("/api/v1/brief?" + bad, accept=JSON).status, 400, bad)

    def test_brief_as_pdf_prints_the_callers_page(self):
        r = self.clients["usa"].get("/api/v1/brief?format=pdf&lang=ja", accept="application/pdf")
        self.assertEqual(r.status, 200, r.body[:200])
        self.assertEqual(r.headers["Content-Type"], "application/pdf")
        self.assertTrue(r.headers["Content-Disposition"].endswith('.pdf"'), r.headers["Content-Disposition"])
        self.assertTrue(r.body.startswith(b"%PDF-"))
        text = subprocess.run(["pdftotext", "-", "-"], input=r.body, capture_output=True, check=True).stdout
        self.assertIn("TLP".encode(), text)
        for hidden in self.withheld_ids("usa"):
            self.assertNotIn(hidden.encode(), text)

    def test_brief_of_another_audience_is_for_node_administrators_only(self):
        for who in ("usa", "kor", "jpn", "kor-admin", "kor-peer"):
            with self.subTest(who=who):
                r = unless_busy(lambda: self.clients[who].get("/api/v1/brief?audience=USA", accept=JSON))
                self.assertEqual(r.status, 403, r.body)
                self.assertNotIn(b"headline", r.body)
        for audience, reader in (("KOR", "kor"), ("USA", "usa")):
            with self.subTest(audience=audience):
                figures = self.api("admin", "/api/v1/brief?top=100&audience=" + audience)
                self.assertEqual((figures["audience"]["kind"], figures["audience"]["name"]), ("nation", audience))
                text = json.dumps(figures)
                for hidden in self.withheld_ids(reader):
                    self.assertNotIn(hidden, text)
                # The nation reads what its organisation's users read, through the policy.
                taxii = [o for o in self.read_all(reader, "objects") if o["type"] == "indicator"]
                self.assertEqual(figures["headline"]["indicators"]["current"], len(taxii))
                page = self.clients["admin"].get("/api/v1/brief?format=html&audience=" + audience, accept="text/html")
                self.assertEqual(page.status, 200)
                for hidden in self.withheld_ids(reader):
                    self.assertNotIn(hidden.encode(), page.body)
        for bad in ("usa-analyst", "XYZ", "usa"):
            self.assertEqual(self.clients["admin"].get("/api/v1/brief?audience=" + bad, accept=JSON).status, 400, bad)

    def test_brief_is_kept_and_computed_once_at_a_time_per_user(self):
        """A brief costs seconds of CPU at scale: its figures are kept while the store is
        unchanged (for either format and language), a write is counted at once, and a user
        computes one brief at a time (429 with Retry-After meanwhile)."""
        def brief(who, query="", accept=JSON):
            r = self.clients[who].get("/api/v1/brief" + query, accept=accept)
            self.assertEqual(r.status, 200, r.body)
            return r
        first = brief("usa")
        computed = first.headers["X-Kizuna-Figures-Computed"]
        again = brief("usa", "?format=html&lang=ja", accept="text/html")
        self.assertEqual(again.headers["X-Kizuna-Figures-Computed"], computed, "kept")
        self.assertEqual(brief("usa").json(), first.json())
        jpn = self.alliance.orgs["JPN-CERT"]
        r = self.clients["jpn"].post(self.base + "objects/", {"objects": [base.indicator(311, jpn, [base.TLP_GREEN])]})
        self.assertEqual(r.json()["success_count"], 1, r.body)
        after = brief("usa")
        self.assertGreater(after.headers["X-Kizuna-Figures-Computed"], computed)
        self.assertEqual(after.json()["headline"]["indicators"]["current"],
                         first.json()["headline"]["indicators"]["current"] + 1)
        # Concurrent briefs of one user (other rows shown: nothing kept to answer from).
        busy = []
        for round_ in range(10):
            answers = [None] * 8
            barrier = threading.Barrier(len(answers))

            def ask(i):
                barrier.wait()
                answers[i] = self.clients["usa"].get("/api/v1/brief?top=%d" % (round_ * 8 + i + 1), accept=JSON)
            threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(answers))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertTrue(all(a.status in (200, 429) for a in answers), [a.status for a in answers])
            self.assertIn(200, [a.status for a in answers])
            busy += [a for a in answers if a.status == 429]
            if busy:
                break
        self.assertTrue(busy, "no two briefs of one user ever ran at once")
        self.assertEqual(busy[0].headers["Retry-After"], "5")
        self.assertIn("being computed", busy[0].json()["description"])

    def test_kept_counts_follow_every_write_and_each_release(self):
        """The dashboard's and the collections' counts are kept while the store is unchanged:
        a write shows at once, and a principal released less never gets another's counts."""
        def counts(who):
            return (sum(self.api(who, "/api/v1/dashboard")["today"]["in"].values()),
                    self.api(who, "/api/v1/collections")[0]["objects"])
        before = {who: counts(who) for who in ("usa", "kor")}
        self.assertEqual(before, {who: counts(who) for who in ("usa", "kor")}, "kept answers are the same")
        jpn = self.alliance.orgs["JPN-CERT"]
        r = self.clients["jpn"].post(self.base + "objects/", {"objects": [base.indicator(310, jpn, [base.TLP_GREEN])]})
        self.assertEqual(r.json()["success_count"], 1, r.body)
        self.assertEqual(counts("usa"), (before["usa"][0] + 1, before["usa"][1] + 1))
        self.assertEqual(counts("kor"), before["kor"], "KOR is not released TLP:GREEN of the community")

    def test_kept_counts_follow_a_collection_policy_set_by_another_process(self):
        """A collection's default release changed by `kizuna collection policy` in another
        process shows in the kept counts at once, not when they expire (30 s)."""
        def counts(who):
            return (sum(self.api(who, "/api/v1/dashboard")["today"]["in"].values()),
                    self.api(who, "/api/v1/collections")[0]["objects"])
        before = counts("usa")
        self.assertEqual(counts("usa"), before, "kept answers are the same")
        # Objects without markings (JPN's "unmarked") are released to every reader from now on.
        run("collection", "policy", self.collection, "--community", "jpn-usa", "--default-release", "readers",
            data_dir=self.alliance.data_dir)
        try:
            self.assertEqual(counts("usa"), (before[0] + 1, before[1] + 1))
            time.sleep(1.1)  # TAXII's own kept pages follow another process within 1 s
            self.assertEqual(before[1] + 1, len(self.read_all("usa", "objects")))
        finally:
            run("collection", "policy", self.collection, "--community", "jpn-usa", data_dir=self.alliance.data_dir)
        self.assertEqual(counts("usa"), before)

    def test_kept_dashboard_brought_up_to_date_equals_the_released_read(self):
        """The dashboard's kept counts are brought up to date from the entries added since
        (issue 21); after each write, a delete, and a marking definition that arrives after the
        entry it releases, they equal what each principal's released read gives."""
        jpn = self.alliance.orgs["JPN-CERT"]

        def check(step):
            for who in ("jpn", "usa", "kor"):
                d = self.api(who, "/api/v1/dashboard")
                self.assertEqual((sum(d["today"]["in"].values()), sum(d["week"]["in"].values())),
                                 (len(self.read_all(who, "objects")),) * 2, "%s after %s" % (who, step))

        def publish(*objects):
            r = self.clients["jpn"].post(self.base + "objects/", {"objects": list(objects)})
            self.assertEqual(r.json()["success_count"], len(objects), r.body)

        check("nothing")
        for n, marking in ((320, base.TLP_RED), (321, base.REL_USA_JPN), (322, base.TLP_GREEN), (323, base.TLP_CLEAR)):
            publish(base.indicator(n, jpn, [marking]))
            check(marking)
        r = self.clients["jpn"].delete(self.base + "objects/%s/" % base.indicator(323, jpn)["id"])
        self.assertEqual(r.status, 200, r.body)
        check("a delete")
        marking = "marking-definition--2a000000-0000-4000-8000-0000000000ab"
        publish(base.indicator(324, jpn, [marking]))
        check("an entry whose marking is not yet defined")
        publish({"type": "marking-definition", "spec_version": "2.1", "id": marking,
                 "created": "2026-01-01T00:00:00.000Z", "name": "REL TO JPN, KOR",
                 "extensions": {base.RELEASABLE_TO: {"extension_type": "property-extension",
                                                     "releasable_to": ["JPN", "KOR"]}}})
        check("its definition")
        time.sleep(2.1)  # the policy holds an unknown marking as unknown for 1 s
        check("its definition, used by the policy")

    def test_sightings_list_released_sightings_newest_first(self):
        for who in self.expected:
            with self.subTest(who=who):
                got = [s["sighting"]["id"] for s in self.api(who, "/api/v1/sightings")["sightings"]]
                want = {o["id"] for k, o in self.extra.items() if k.endswith("sighting")} - self.withheld_ids(who)
                self.assertEqual(set(got), want)
        page = self.api("jpn", "/api/v1/sightings?limit=1")
        self.assertTrue(page["more"])
        rest = self.api("jpn", "/api/v1/sightings?limit=10&before=" + page["next"])
        self.assertEqual(len(page["sightings"]) + len(rest["sightings"]), 3)
        self.assertEqual(self.clients["jpn"].get("/api/v1/sightings?limit=0", accept=JSON).status, 400)

    def test_release_preview_is_the_policy_decision(self):
        jpn = self.alliance.orgs["JPN-CERT"]
        new_marking = "marking-definition--2a000000-0000-4000-8000-0000000000aa"
        definition = {"type": "marking-definition", "spec_version": "2.1", "id": new_marking,
                      "created": "2026-01-01T00:00:00.000Z", "name": "REL TO JPN, KOR",
                      "extensions": {base.RELEASABLE_TO: {"extension_type": "property-extension",
                                                          "releasable_to": ["JPN", "KOR"]}}}
        cases = (
            (base.indicator(200, jpn, [base.REL_USA_JPN]), [], {"USA-CERT": True, "KOR-CERT": False, "JPN-MOD": True}),
            (base.indicator(201, jpn, [base.TLP_RED]), [], {"USA-CERT": False, "KOR-CERT": False}),
            (base.indicator(202, jpn, [new_marking]), [definition], {"USA-CERT": False, "KOR-CERT": True}),
        )
        for obj, markings, want in cases:
            with self.subTest(markings=obj["object_marking_refs"]):
                r = self.post("jpn", "/api/v1/release-preview",
                              {"collection": self.collection, "object": obj, "markings": markings})
                self.assertEqual(r.status, 200, r.body)
                decisions = r.json()["decisions"]
                orgs = {d["name"]: d for d in decisions if d["kind"] == "organization"}
                for org, receives in want.items():
                    self.assertEqual(orgs[org]["receives"], receives, orgs[org])
                    self.assertTrue(orgs[org]["rule"])
                nations = {d["name"]: d["receives"] for d in decisions if d["kind"] == "nation"}
                self.assertEqual(nations["USA"], want["USA-CERT"])
                self.assertEqual(nations["KOR"], want["KOR-CERT"])
                self.assertIn("community", {d["kind"] for d in decisions})
                # Nothing was stored.
                self.assertEqual(self.clients["jpn"].get("/api/v1/objects/" + obj["id"], accept=JSON).status, 404)
        # A reader, who may not write to the collection, gets no preview.
        r = self.post("kor", "/api/v1/release-preview", {"collection": self.collection, "object": cases[0][0]})
        self.assertEqual(r.status, 404)

    def test_publish_goes_through_the_taxii_write_path(self):
        jpn = self.alliance.orgs["JPN-CERT"]
        obj = base.indicator(300, jpn, [base.REL_USA_JPN])
        r = self.post("jpn", "/api/v1/collections/%s/objects" % self.collection,
                      {"type": "bundle", "id": "bundle--%s" % uuid.uuid4(), "objects": [obj]})
        self.assertEqual(r.status, 202, r.body)
        self.assertEqual(r.json()["success_count"], 1)
        self.assertEqual(self.clients["usa"].get(self.base + "objects/%s/" % obj["id"]).status, 200)
        self.assertEqual(self.clients["kor"].get(self.base + "objects/%s/" % obj["id"]).status, 404)
        self.assertEqual(self.clients["kor"].get("/api/v1/objects/" + obj["id"], accept=JSON).status, 404)
        # A reader may not write; another organisation's objects are refused as over TAXII.
        self.assertEqual(self.post("usa", "/api/v1/collections/%s/objects" % self.collection, obj).status, 403)
        forged = dict(self.objects["clear"], description="forged", modified="2026-02-01T00:00:00.000Z")
        r = self.post("jpn-mod-pub", "/api/v1/collections/%s/objects" % self.collection, forged)
        self.assertEqual(r.json()["success_count"], 0, r.body)
        audit = json.loads(run("admin", "audit", "--json", data_dir=self.alliance.data_dir))
        self.assertIn(obj["id"], json.dumps([e for e in audit if e["action"] == "object.add"]))

    def test_pattern_validation_points_at_the_error(self):
        ok = self.post("jpn", "/api/v1/patterns/validate", {"pattern": "[ipv4-addr:value = '198.51.100.1']"})
        self.assertEqual(ok.json(), {"valid": True})
        bad = self.post("jpn", "/api/v1/patterns/validate", {"pattern": "[ipv4-addr:value = ]"}).json()
        self.assertFalse(bad["valid"])
        self.assertEqual(bad["offset"], 19)
        self.assertEqual(bad["length"], 1)
        self.assertIn("offset 19", bad["message"])

    def test_audit_is_for_administrators(self):
        self.assertEqual(self.clients["usa"].get("/api/v1/audit", accept=JSON).status, 403)
        self.assertEqual(self.clients["jpn"].get("/api/v1/audit", accept=JSON).status, 403)
        everything = self.api("admin", "/api/v1/audit?limit=1000")["events"]
        self.assertIn("object.add", {e["action"] for e in everything})
        seqs = [e["seq"] for e in everything]
        self.assertEqual(seqs, sorted(seqs, reverse=True), "newest first")
        first = self.api("admin", "/api/v1/audit?limit=2")
        self.assertTrue(first["more"])
        second = self.api("admin", "/api/v1/audit?limit=2&before=%d" % first["next"])
        self.assertEqual([e["seq"] for e in first["events"] + second["events"]], seqs[:4])
        # An organisation administrator sees its organisation's users only.
        kor = self.alliance.orgs["KOR-CERT"]
        kor_users = {u["name"] for u in self.api("admin", "/api/v1/users?organization=" + kor)["users"]}
        self.assertTrue({"kor-analyst", "kor-admin"} <= kor_users)
        own = self.api("kor-admin", "/api/v1/audit?limit=1000")["events"]
        self.assertTrue(own)
        for e in own:
            self.assertTrue(e["actor"] in kor_users or e["target"] in kor_users, e)
        self.assertNotIn("object.add", {e["action"] for e in own})

    def test_a_user_name_opens_no_one_elses_audit_events(self):
        # Names the audit log gives the command line and unauthenticated clients are reserved.
        for name in ("cli", "anonymous"):
            r = self.post("kor-admin", "/api/v1/users", {"name": name, "roles": ["reader"]})
            self.assertEqual(r.status, 400, r.body)
            self.assertIn(b"reserved", r.body)
        # A user named as a collection or a peer sees neither's events, nor any from before it.
        for name in (self.collection, self.PARTNER):
            r = self.post("kor-admin", "/api/v1/users", {"name": name, "roles": ["reader"]})
            self.assertEqual(r.status, 201, r.body)
        own = self.api("kor-admin", "/api/v1/audit?limit=1000")["events"]
        self.assertTrue(own)
        kor_users = {u["name"] for u in self.users("kor-admin")["users"]}
        about_users = ("user.", "token.", "session.", "auth.")
        for e in own:
            self.assertNotIn(e["actor"], ("anonymous", self.collection, self.PARTNER), e)
            if e["actor"] not in kor_users:  # the command line, about a KOR user
                self.assertTrue(e["action"].startswith(about_users) and e["target"] in kor_users, e)
            if e["actor"] != "kor-admin":  # its own user.create of those names
                self.assertNotIn(e["target"], (self.collection, self.PARTNER), e)

    def test_partners_are_for_node_administrators(self):
        for who in ("kor", "jpn", "kor-admin"):
            r = self.clients[who].get("/api/v1/partners", accept=JSON)
            self.assertEqual(r.status, 403, who)
            self.assertNotIn(self.PARTNER.encode(), r.body)
        self.assertEqual([p["name"] for p in self.api("admin", "/api/v1/partners")], [self.PARTNER])

    # Organisation administrators (/api/v1/users).

    def users(self, who, query=""):
        return self.api(who, "/api/v1/users" + query)

    def audit_rows(self, action, target):
        audit = json.loads(run("admin", "audit", "--limit", "1000", "--json", data_dir=self.alliance.data_dir))
        return [e for e in audit if e["action"] == action and e["target"] == target]

    def test_org_admin_manages_its_organisation(self):
        kor = self.alliance.orgs["KOR-CERT"]
        listed = self.users("kor-admin")
        self.assertEqual(listed["organization"]["id"], kor)
        self.assertEqual([o["id"] for o in listed["organizations"]], [kor])
        names = {u["name"] for u in listed["users"]}
        self.assertTrue({"kor-analyst", "kor-admin"} <= names)
        self.assertFalse(names & {"jpn-analyst", "usa-analyst", "node-admin"})
        text = json.dumps(listed)
        for secret in ("argon2", "hash", "password", self.tokens["kor"]):
            self.assertNotIn(secret, text)
        analyst = next(u for u in listed["users"] if u["name"] == "kor-analyst")
        self.assertEqual((analyst["roles"], analyst["disabled"]), (["reader"], False))
        self.assertTrue(analyst["last_used"])  # its token read over TAXII in setUpClass
        self.assertEqual(len(analyst["tokens"]), 1)

        r = self.post("kor-admin", "/api/v1/users", {"name": "kor-new", "roles": ["reader"]})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["organization"], kor)
        self.assertEqual(self.audit_rows("user.create", "kor-new")[0]["actor"], "kor-admin")
        r = self.post("kor-admin", "/api/v1/users/kor-new/tokens", {"label": "sensor", "expires_in_days": 30})
        self.assertEqual(r.status, 201, r.body)
        issued = r.json()
        self.assertEqual((issued["user"], issued["label"]), ("kor-new", "sensor"))
        self.assertEqual(self.audit_rows("token.create", issued["id"])[0]["actor"], "kor-admin")
        # The token is kor-new's, a KOR reader: it reads what the KOR analyst reads, writes nothing.
        self.clients["kor-new"] = Client(self.node, issued["token"])
        self.assertEqual({o["id"] for o in self.read_all("kor-new", "objects")},
                         {o["id"] for o in self.read_all("kor", "objects")})
        jpn = self.alliance.orgs["JPN-CERT"]
        self.assertEqual(self.clients["kor-new"].post(self.base + "objects/", {"objects": [base.indicator(400, jpn)]}).status, 403)
        self.assertNotIn(issued["token"], json.dumps(self.users("kor-admin")))

        r = self.post("kor-admin", "/api/v1/users/kor-new", {"roles": ["publisher"]})
        self.assertEqual((r.status, r.json()["roles"]), (200, ["publisher"]), r.body)
        self.assertEqual(self.post("kor-admin", "/api/v1/users/kor-new", {"disabled": True}).json()["disabled"], True)
        self.assertEqual(self.clients["kor-new"].get(self.base + "objects/").status, 401)
        self.post("kor-admin", "/api/v1/users/kor-new", {"disabled": False})
        self.assertEqual(self.clients["kor-new"].get(self.base + "objects/").status, 200)
        self.assertEqual([e["actor"] for e in self.audit_rows("user.disable", "kor-new")], ["kor-admin"])

        r = self.post("kor-admin", "/api/v1/users/kor-new/password", {})
        self.assertEqual(r.status, 200, r.body)
        browser = Browser(self.node)
        self.assertEqual(browser.sign_in(user="kor-new", password=r.json()["password"]).status, 200)
        chosen = "a password chosen by the admin"
        self.assertEqual(self.post("kor-admin", "/api/v1/users/kor-new/password", {"password": chosen}).status, 204)
        self.assertEqual(browser.request("GET", "/api/v1/session").status, 401, "a new password ends sessions")
        self.assertEqual(Browser(self.node).sign_in(user="kor-new", password=chosen).status, 200)
        self.assertEqual(self.post("kor-admin", "/api/v1/users/kor-new/password", {"password": "short"}).status, 400)

        r = self.clients["kor-admin"].delete("/api/v1/users/kor-new/tokens/" + issued["id"], accept=JSON)
        self.assertEqual(r.status, 204, r.body)
        self.assertEqual(self.clients["kor-new"].get(self.base + "objects/").status, 401)
        self.assertEqual(self.audit_rows("token.revoke", issued["id"])[0]["actor"], "kor-admin")

    def test_org_admin_cannot_escalate_or_reach_other_organisations(self):
        def refused(path, body, status, method="POST"):
            if method == "POST":
                r = self.post("kor-admin", path, body)
            else:
                r = self.clients["kor-admin"].delete(path, accept=JSON)
            self.assertEqual(r.status, status, (path, r.body))
            return r
        for roles in (["node-admin"], ["peer"], ["reader", "node-admin"]):
            with self.subTest(roles=roles):
                refused("/api/v1/users", {"name": "kor-escalated", "roles": roles}, 403)
                refused("/api/v1/users/kor-analyst", {"roles": roles}, 403)
        self.assertNotIn("kor-escalated", {u["name"] for u in self.users("kor-admin")["users"]})
        self.assertTrue(self.audit_rows("user.refuse", "kor-escalated"))
        # Another organisation's user answers exactly as one that does not exist.
        for suffix, body, method in (("", {"disabled": True}, "POST"), ("/tokens", {}, "POST"),
                                     ("/password", {}, "POST"), ("/tokens/0123456789abcdef", None, "DELETE")):
            with self.subTest(suffix=suffix):
                other = refused("/api/v1/users/jpn-analyst" + suffix, body, 404, method)
                absent = refused("/api/v1/users/nobody-here" + suffix, body, 404, method)
                self.assertEqual(other.body.replace(b"jpn-analyst", b"X"), absent.body.replace(b"nobody-here", b"X"))
        jpn = self.alliance.orgs["JPN-CERT"]
        other = self.clients["kor-admin"].get("/api/v1/users?organization=" + jpn, accept=JSON)
        absent = self.clients["kor-admin"].get("/api/v1/users?organization=identity--" + str(uuid.UUID(int=7, version=4)), accept=JSON)
        self.assertEqual((other.status, absent.status), (404, 404))
        self.assertNotIn(b"jpn-analyst", other.body)
        refused("/api/v1/users", {"name": "kor-in-jpn", "roles": ["reader"], "organization": jpn}, 404)
        self.assertEqual(self.clients["jpn"].get("/api/v1/users/jpn-analyst", accept=JSON).status, 403)
        self.assertEqual(self.clients["jpn"].get(self.base + "objects/").status, 200, "jpn-analyst untouched")
        # A node administrator of its organisation is out of its reach, even disabled.
        run("admin", "user", "add", "kor-root", "--org", self.alliance.orgs["KOR-CERT"], "--role", "node-admin",
            data_dir=self.alliance.data_dir)
        run("admin", "user", "disable", "kor-root", data_dir=self.alliance.data_dir)
        for suffix, body in (("", {"disabled": False}), ("/tokens", {}), ("/password", {})):
            refused("/api/v1/users/kor-root" + suffix, body, 403)
        # Nobody locks themselves out of the last administrator seat.
        refused("/api/v1/users/kor-admin", {"disabled": True}, 409)
        refused("/api/v1/users/kor-admin", {"roles": ["reader"]}, 409)
        self.assertEqual(self.post("kor-admin", "/api/v1/users", {"name": "kor-second", "roles": ["org-admin"]}).status, 201)
        second = Client(self.node, self.post("kor-admin", "/api/v1/users/kor-second/tokens", {}).json()["token"])
        r = second.post("/api/v1/users/kor-second", {"roles": ["reader"]}, accept=JSON, content_type=JSON)
        self.assertEqual(r.status, 200, "another administrator is left")

    def test_credentials_an_org_admin_made_do_not_carry_a_promotion(self):
        r = self.post("kor-admin", "/api/v1/users", {"name": "kor-promoted", "roles": ["reader"]})
        self.assertEqual(r.status, 201, r.body)
        token = self.post("kor-admin", "/api/v1/users/kor-promoted/tokens", {}).json()["token"]
        password = self.post("kor-admin", "/api/v1/users/kor-promoted/password", {}).json()["password"]
        client = Client(self.node, token)
        self.assertEqual(client.get(self.base + "objects/").status, 200)
        run("admin", "user", "set-roles", "kor-promoted", "--role", "node-admin", data_dir=self.alliance.data_dir)
        try:
            # The node sees a change made by another process within its directory check.
            deadline = time.monotonic() + 10
            while client.get(self.base + "objects/").status != 401 and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(client.get("/api/v1/users", accept=JSON).status, 401,
                             "a token the organisation administrator holds is revoked by the promotion")
            self.assertEqual(Browser(self.node).sign_in(user="kor-promoted", password=password).status, 401)
        finally:
            # Another enabled administrator of KOR would change the last-administrator checks.
            run("admin", "user", "disable", "kor-promoted", data_dir=self.alliance.data_dir)
        # A node administrator's promotion on the console does the same.
        self.assertEqual(self.post("kor-admin", "/api/v1/users", {"name": "kor-peer-to-be", "roles": ["reader"]}).status, 201)
        client = Client(self.node, self.post("kor-admin", "/api/v1/users/kor-peer-to-be/tokens", {}).json()["token"])
        self.assertEqual(client.get(self.base + "objects/").status, 200)
        r = self.post("admin", "/api/v1/users/kor-peer-to-be", {"roles": ["reader", "peer"]})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(client.get(self.base + "objects/").status, 401)
        # A name already taken, here in another organisation, is refused and audited.
        r = self.post("kor-admin", "/api/v1/users", {"name": "jpn-analyst", "roles": ["reader"]})
        self.assertEqual(r.status, 409, r.body)
        self.assertEqual([e["actor"] for e in self.audit_rows("user.refuse", "jpn-analyst")], ["kor-admin"])

    def test_two_concurrent_demotions_cannot_take_the_last_two_seats(self):
        """Two administrators of one organisation, each demoting themselves (or disabling the
        other) at the same moment: the check runs in the change's transaction, so one of them
        always stays an enabled administrator."""
        d = self.alliance.data_dir
        org = self.alliance.org("NZL-CERT", "NZL")
        clients = [Client(self.node, self.alliance.user(name, org, "org-admin")) for name in ("nzl-a", "nzl-b")]
        names = ("nzl-a", "nzl-b")
        for round_ in range(12):
            for name in names:
                run("admin", "user", "enable", name, data_dir=d)
                run("admin", "user", "set-roles", name, "--role", "org-admin", data_dir=d)
            cross = round_ % 2 == 1  # odd rounds: each disables the other; even: each demotes itself
            barrier = threading.Barrier(2)
            statuses = [None, None]

            def change(i):
                target, body = (names[1 - i], {"disabled": True}) if cross else (names[i], {"roles": ["reader"]})
                barrier.wait()
                r = unless_busy(lambda: clients[i].post("/api/v1/users/" + target, body, accept=JSON,
                                                        content_type=JSON))
                statuses[i] = r.status

            threads = [threading.Thread(target=change, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            users = {u["name"]: u for u in self.users("admin", "?organization=" + org)["users"]}
            seats = [n for n in names if not users[n]["disabled"] and "org-admin" in users[n]["roles"]]
            self.assertEqual(len(seats), 1, (round_, statuses, users))
            self.assertIn(200, statuses, (round_, statuses))
            self.assertTrue(set(statuses) <= {200, 401, 403, 409}, (round_, statuses))

    def test_user_management_needs_an_administrator_and_csrf(self):
        for who in ("kor", "jpn", "kor-peer"):
            with self.subTest(who=who):
                self.assertEqual(unless_busy(lambda: self.clients[who].get("/api/v1/users", accept=JSON)).status, 403)
                r = self.post(who, "/api/v1/users", {"name": "made-by-" + who, "roles": ["reader"]})
                self.assertEqual(r.status, 403)
        b = Browser(self.node)
        self.assertEqual(b.sign_in(token=self.alliance.tokens["kor-admin"]).status, 200)
        r = b.request("POST", "/api/v1/users", {"name": "kor-csrf", "roles": ["reader"]}, csrf=False)
        self.assertEqual(r.status, 403)
        self.assertNotIn("kor-csrf", {u["name"] for u in self.users("kor-admin")["users"]})
        self.assertEqual(b.request("POST", "/api/v1/users", {"name": "kor-csrf", "roles": ["reader"]}).status, 201)

    def test_node_admin_manages_any_organisation(self):
        jpn = self.alliance.orgs["JPN-CERT"]
        listed = self.users("admin", "?organization=" + jpn)
        self.assertEqual(len(listed["organizations"]), 4)
        self.assertIn("jpn-analyst", {u["name"] for u in listed["users"]})
        r = self.post("admin", "/api/v1/users", {"name": "jpn-lead", "roles": ["org-admin"], "organization": jpn})
        self.assertEqual((r.status, r.json()["organization"]), (201, jpn), r.body)


if __name__ == "__main__":
    unittest.main()
