"""A partner attacks the others: the releasability and authorship findings of issue 16 (1, 2, 3,
9, 10, 11), on one node where JPN, USA and KOR organisations share collections, and across three
national nodes that pull from each other. The adversary is KOR: a KOR publisher on JPN's node,
and KOR's node operator. Each test names the finding it covers; docs/security.md has the model."""
import base64
import datetime
import json
import os
import struct
import time
import unittest
import uuid

from node import Alliance, Client, Node, run

RELEASABLE_TO = "extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde"
RECIPIENTS = "extension-definition--15bbcb9f-57f4-4991-93cf-48742c0df705"
TLP2 = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
REL_USA_JPN = "marking-definition--2a000000-0000-4000-8000-000000000001"
RCPT_JPN_USA = "marking-definition--2a000000-0000-4000-8000-000000000002"
LATER = "2026-06-01T00:00:00.000Z"
ORGS = {"JPN": "identity--0a000000-0000-4000-8000-0000000000a1",
        "USA": "identity--0a000000-0000-4000-8000-0000000000a2",
        "KOR": "identity--0a000000-0000-4000-8000-0000000000a3"}


def uid(kind, n):
    return "%s--%s" % (kind, uuid.UUID(int=n, version=4))


def indicator(n, creator, markings=(), modified="2026-01-01T00:00:00.000Z", **extra):
    o = {"type": "indicator", "spec_version": "2.1", "id": uid("indicator", n),
         "created": "2026-01-01T00:00:00.000Z", "modified": modified,
         "pattern": "[ipv4-addr:value = '198.51.100.%d']" % n, "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z"}
    if creator:
        o["created_by_ref"] = creator
    if markings:
        o["object_marking_refs"] = list(markings)
    o.update(extra)
    return o


def extension_marking(id_, creator, extension, body, created="2026-01-01T00:00:00.000Z"):
    body = dict(body, extension_type="property-extension")
    o = {"type": "marking-definition", "spec_version": "2.1", "id": id_, "created": created,
         "extensions": {extension: body}}
    if creator:
        o["created_by_ref"] = creator
    return o


def statement(n, creator, text):
    return {"type": "marking-definition", "spec_version": "2.1", "id": uid("marking-definition", 0x500 + n),
            "created": "2026-01-01T00:00:00.000Z", "created_by_ref": creator,
            "definition_type": "statement", "definition": {"statement": text}}


def micros(taxii_time):
    t = datetime.datetime.strptime(taxii_time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return (t - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)) // datetime.timedelta(microseconds=1)


class OneNodeTest(unittest.TestCase):
    """JPN's node. JPN, USA and KOR organisations read and write the collection `alliance`
    (community jpn-usa-kor); KOR also writes to a write-only drop box."""

    @classmethod
    def setUpClass(cls):
        a = cls.alliance = Alliance()
        a.collection("alliance", "Alliance", communities=["jpn-usa-kor"])
        a.collection("dropbox", "Drop box", default_release="readers")
        for name, nation in (("JPN-CERT", "JPN"), ("USA-CERT", "USA"), ("KOR-CERT", "KOR")):
            a.org(name, nation)
        a.group("jpn-usa-kor", "JPN-CERT", "USA-CERT", "KOR-CERT")
        cls.tokens = {"jpn": a.user("jpn-analyst", "JPN-CERT", "publisher"),
                      "usa": a.user("usa-analyst", "USA-CERT", "publisher"),
                      "kor": a.user("kor-analyst", "KOR-CERT", "publisher")}
        for org in ("JPN-CERT", "USA-CERT", "KOR-CERT"):
            a.grant("alliance", org, read=True, write=True)
        a.grant("dropbox", "KOR-CERT", read=False, write=True)
        run("peer", "add", "kor", "--url", "https://127.0.0.1:9", "--token", "t", "--nation", "KOR",
            "--community", "jpn-usa-kor", "--organization", a.orgs["KOR-CERT"],
            "--map", "alliance:remote:push", data_dir=a.data_dir)
        cls.node = Node(a.data_dir, config="limits:\n  default_page: 2\n  max_page: 3\n")
        cls.clients = {k: Client(cls.node, t) for k, t in cls.tokens.items()}
        cls.base = "/intel/collections/%s/" % a.collections["alliance"]
        cls.dropbox = "/intel/collections/%s/objects/" % a.collections["dropbox"]
        jpn, usa = a.orgs["JPN-CERT"], a.orgs["USA-CERT"]
        cls.jpn_org = jpn
        cls.definitions = [
            extension_marking(REL_USA_JPN, jpn, RELEASABLE_TO, {"releasable_to": ["USA", "JPN"]}),
            extension_marking(RCPT_JPN_USA, jpn, RECIPIENTS, {"recipients": [jpn, usa]}),
        ]
        cls.secrets = {"rel": indicator(1, jpn, [REL_USA_JPN]),
                       "red": indicator(2, jpn, [TLP_RED, RCPT_JPN_USA]),
                       "strict": indicator(3, jpn, [TLP_AMBER_STRICT, RCPT_JPN_USA])}
        cls.post("jpn", cls.definitions + list(cls.secrets.values()))

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    @classmethod
    def post(cls, who, objects, path=None):
        r = cls.clients[who].post(path or cls.base + "objects/", {"objects": objects})
        assert r.status == 202, r.body
        return r.json()

    def failures(self, status):
        return {f["id"]: f.get("message", "") for f in status.get("failures", [])}

    def readable(self, who, object_id):
        return self.clients[who].get(self.base + "objects/%s/" % object_id).status == 200

    def exported_as(self, *args):
        out = run("export", "--collection", "alliance", *args, data_dir=self.alliance.data_dir)
        return {o["id"] for o in json.loads(out)["objects"]}

    def assert_kor_reads_no_secret(self):
        for name, o in self.secrets.items():
            self.assertFalse(self.readable("kor", o["id"]), name)
            self.assertTrue(self.readable("usa", o["id"]), name)
        secret_ids = {o["id"] for o in self.secrets.values()}
        self.assertFalse(secret_ids & self.exported_as("--as", "kor-analyst"))
        self.assertFalse(secret_ids & self.exported_as("--for-peer", "kor"))
        self.assertEqual(secret_ids & self.exported_as("--as", "usa-analyst"), secret_ids)

    def test_finding_1_marking_definitions_cannot_be_redefined(self):
        """Finding 1: a partner's publisher redefines JPN's REL TO and recipients definitions."""
        kor = self.alliance.orgs["KOR-CERT"]
        jpn = self.jpn_org
        forged = [
            extension_marking(REL_USA_JPN, jpn, RELEASABLE_TO, {"releasable_to": ["USA", "JPN", "KOR"]}, LATER),
            extension_marking(RCPT_JPN_USA, jpn, RECIPIENTS,
                              {"recipients": [jpn, self.alliance.orgs["USA-CERT"], kor]}, LATER),
        ]
        as_kor = [dict(f, created_by_ref=kor) for f in forged]
        for path in (self.dropbox, self.base + "objects/"):
            for batch in (forged, as_kor):
                status = self.post("kor", batch, path)
                self.assertEqual(status["success_count"], 0, status)
                self.assertEqual(set(self.failures(status)), {REL_USA_JPN, RCPT_JPN_USA}, status)
        status = self.post("kor", [as_kor[0]])
        self.assertIn("never versioned or replaced", self.failures(status)[REL_USA_JPN])
        # The TLP ids are constants: TLP:RED cannot be said to be CLEAR.
        fake_red = extension_marking(TLP_RED, kor, TLP2, {"tlp_2_0": "clear"})
        self.assertIn(TLP_RED, self.failures(self.post("kor", [fake_red])))
        # Flooding the policy with unknown marking ids evicts nothing that could be re-read
        # differently: 1,001 objects with 100 unknown markings each (the most one object may
        # carry: 101 are refused), more ids than the policy caches.
        too_many = indicator(0xFFF, kor, [uid("marking-definition", 0x20000 + j) for j in range(101)])
        self.assertIn("at most 100", self.failures(self.post("kor", [too_many]))[too_many["id"]])
        flood = [indicator(0x1000 + i, kor, [uid("marking-definition", 0x10000 + i * 100 + j) for j in range(100)])
                 for i in range(1001)]
        for start in range(0, len(flood), 250):
            chunk = flood[start:start + 250]
            self.assertEqual(self.post("kor", chunk)["success_count"], len(chunk))
        self.assert_kor_reads_no_secret()
        # A restart re-reads every definition from the store: the first one still.
        type(self).node.stop()
        type(self).node = Node(self.alliance.data_dir, config="limits:\n  default_page: 2\n  max_page: 3\n")
        type(self).clients = {k: Client(self.node, t) for k, t in self.tokens.items()}
        self.assert_kor_reads_no_secret()
        audit = run("admin", "audit", "--json", "--limit", "1000", data_dir=self.alliance.data_dir)
        refusals = [e for e in json.loads(audit) if e["action"] == "object.refuse"]
        self.assertTrue(any(e["actor"] == "kor-analyst" for e in refusals), refusals)

    def test_finding_1_a_definition_introduced_first_by_another_organisation_marks_nothing_of_jpn(self):
        """Finding 1: KOR introduces a definition under an id before JPN's definition arrives."""
        kor = self.alliance.orgs["KOR-CERT"]
        early = uid("marking-definition", 0x600)
        pre = extension_marking(early, kor, RELEASABLE_TO, {"releasable_to": ["USA", "JPN", "KOR"]})
        self.assertEqual(self.post("kor", [pre])["success_count"], 1)
        genuine = extension_marking(early, self.jpn_org, RELEASABLE_TO, {"releasable_to": ["USA", "JPN"]})
        secret = indicator(0x601, self.jpn_org, [early])
        status = self.post("jpn", [genuine, secret])
        self.assertIn(early, self.failures(status), "JPN learns its definition was pre-empted")
        for who in ("kor", "usa"):
            self.assertFalse(self.readable(who, secret["id"]), who)
        self.assertTrue(self.readable("jpn", secret["id"]))

    def test_finding_2_releasability_statements_fail_closed(self):
        """Finding 2: REL TO statements that Kizuna does not fully understand deny."""
        texts = ["SECRET//REL TO USA, JPN//FOUO", "REL TO: USA, JPN", "rel to usa, jpn", "SECRET//NOFORN",
                 "REL TO", "ＲＥＬ ＴＯ ＵＳＡ， ＪＰＮ"]
        definitions = [statement(i, self.jpn_org, t) for i, t in enumerate(texts)]
        objects = [indicator(0x700 + i, self.jpn_org, [TLP_CLEAR, d["id"]]) for i, d in enumerate(definitions)]
        status = self.post("jpn", definitions + objects)
        self.assertEqual(status["failure_count"], 0, status)
        for i, text in enumerate(texts):
            with self.subTest(statement=text):
                self.assertFalse(self.readable("kor", objects[i]["id"]))
                self.assertEqual(self.readable("usa", objects[i]["id"]), i == 0, "only the exact form is applied")
                self.assertTrue(self.readable("jpn", objects[i]["id"]))

    def test_finding_3_authorship_cannot_be_forged(self):
        """Finding 3: KOR versions a JPN indicator (revoked, another pattern)."""
        kor = self.alliance.orgs["KOR-CERT"]
        original = indicator(0x800, self.jpn_org, [TLP_GREEN])
        self.post("jpn", [original])
        path = self.base + "objects/%s/" % original["id"]
        for creator in (self.jpn_org, kor, None):
            forged = indicator(0x800, creator, [TLP_GREEN], modified=LATER, revoked=True,
                               pattern="[ipv4-addr:value = '8.8.8.8']")
            status = self.post("kor", [forged])
            self.assertEqual(status["success_count"], 0, (creator, status))
        for who in ("jpn", "usa", "kor"):
            got = self.clients[who].get(path).json()["objects"]
            self.assertEqual([o["modified"] for o in got], [original["modified"]], who)
        # A USA publisher cannot version it either; JPN can, and can delete its object.
        self.assertEqual(self.post("usa", [indicator(0x800, None, [TLP_GREEN], modified=LATER)])["success_count"], 0)
        self.assertEqual(self.clients["kor"].delete(path).status, 403)
        self.assertEqual(self.post("jpn", [indicator(0x800, self.jpn_org, [TLP_GREEN], modified=LATER)])
                         ["success_count"], 1)
        self.assertEqual(self.clients["jpn"].delete(path).status, 200)

    def test_finding_3_objects_without_creator_are_the_writers(self):
        """Finding 3: an object a user sends without created_by_ref is its organisation's."""
        o = indicator(0x900, None)
        self.post("kor", [o])
        self.assertTrue(self.readable("kor", o["id"]), "its creator sees it under creator-nation")
        self.assertFalse(self.readable("usa", o["id"]))
        got = self.clients["kor"].get(self.base + "objects/%s/" % o["id"]).json()["objects"][0]
        self.assertNotIn("created_by_ref", got, "the JSON is kept as sent")
        # JPN may not read KOR's object: its version is answered as an add, so the answer does
        # not tell that the id is held, but nothing of it is stored.
        status = self.post("jpn", [indicator(0x900, self.jpn_org, modified=LATER)])
        self.assertEqual((status["success_count"], status["failure_count"]), (1, 0), status)
        self.assertFalse(self.readable("jpn", o["id"]))
        got = self.clients["kor"].get(self.base + "objects/%s/" % o["id"]).json()["objects"]
        self.assertEqual([v["modified"] for v in got], [o["modified"]], "KOR's object is untouched")
        audit = json.loads(run("admin", "audit", "--limit", "1000", "--json", data_dir=self.alliance.data_dir))
        self.assertIn(o["id"], json.dumps([e for e in audit if e["action"] == "object.refuse"]),
                      "the operator sees the refusal")

    def test_finding_9_a_hidden_newer_version_is_not_revealed(self):
        """Finding 9: v1 is GREEN, v2 RED: KOR reads v1 everywhere, as if v2 did not exist."""
        v1 = indicator(0xA00, self.jpn_org, [TLP_GREEN])
        v2 = indicator(0xA00, self.jpn_org, [TLP_RED], modified=LATER)
        self.post("jpn", [v1])
        self.post("jpn", [v2])
        path = self.base + "objects/%s/" % v1["id"]
        kor = self.clients["kor"]
        r = kor.get(path)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([o["modified"] for o in r.json()["objects"]], [v1["modified"]])
        self.assertEqual(kor.get(path + "?match[version]=first").json()["objects"][0]["modified"], v1["modified"])
        self.assertEqual(kor.get(path + "versions/").json()["versions"], [v1["modified"]])
        listed, manifest, next_ = [], [], None
        while True:  # pages of at most 3
            q = "?limit=3" + ("&next=%s" % next_ if next_ else "")
            page = kor.get(self.base + "objects/" + q).json()
            listed += [(o["id"], o.get("modified")) for o in page.get("objects", [])]
            next_ = page.get("next")
            if not page.get("more"):
                break
        next_ = None
        while True:
            q = "?limit=3" + ("&next=%s" % next_ if next_ else "")
            page = kor.get(self.base + "manifest/" + q).json()
            manifest += [(o["id"], o["version"]) for o in page.get("objects", [])]
            next_ = page.get("next")
            if not page.get("more"):
                break
        self.assertIn((v1["id"], v1["modified"]), listed)
        self.assertIn((v1["id"], v1["modified"]), manifest)
        self.assertEqual(len(listed), len(set(listed)), "each object once")
        self.assertEqual(self.clients["jpn"].get(path).json()["objects"][0]["modified"], LATER)

    def test_finding_10_next_tokens_do_not_reveal_withheld_entries(self):
        """Finding 10: a next token handed to KOR carries no date_added of a withheld entry."""
        for i in range(8):  # GREEN and RED in turn, one request each: interleaved date_added
            self.post("jpn", [indicator(0xD00 + i, self.jpn_org, [TLP_GREEN if i % 2 else TLP_RED])])
        jpn = self.clients["jpn"]
        # Entries in date_added order as the creator sees them (every version).
        added = []
        next_ = None
        while True:
            q = "?limit=3&match[version]=all" + ("&next=%s" % next_ if next_ else "")
            page = jpn.get(self.base + "manifest/" + q).json()
            added += [micros(o["date_added"]) for o in page.get("objects", [])]
            next_ = page.get("next")
            if not page.get("more"):
                break
        encodings = [struct.pack(">q", t) for t in added]
        tokens = []
        next_ = None
        while True:
            q = "?limit=1&match[version]=all" + ("&next=%s" % next_ if next_ else "")
            page = self.clients["kor"].get(self.base + "objects/" + q).json()
            next_ = page.get("next")
            if not page.get("more"):
                break
            tokens.append(next_)
        self.assertGreater(len(tokens), 2)
        for token in tokens:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            for e in encodings:
                self.assertNotIn(e, raw, "a position is readable from the token")

    def test_finding_11_hidden_objects_answer_as_absent_ones(self):
        """Finding 11: GET and DELETE of a hidden object answer as for an absent one."""
        kor = self.clients["kor"]
        hidden = self.base + "objects/%s/" % self.secrets["red"]["id"]
        absent = self.base + "objects/%s/" % uid("indicator", 0xB00)
        for method in ("get", "delete"):
            h, a = getattr(kor, method)(hidden), getattr(kor, method)(absent)
            self.assertEqual((h.status, h.body), (a.status, a.body), method)
            self.assertEqual(h.status, 404)
        h, a = kor.get(hidden + "versions/"), kor.get(absent + "versions/")
        self.assertEqual((h.status, h.body), (a.status, a.body))


def sync_once(alliance):
    out = run("sync", "run", "--once", data_dir=alliance.data_dir, expect=None)
    return {r["peer"]: r for r in (json.loads(line) for line in out.splitlines() if line)}


class ThreeNodesTest(unittest.TestCase):
    """JPN, USA and KOR nodes, each with the three organisations and a collection `alliance`
    (community jpn-usa-kor), pulling from the other two. KOR's node operator attacks."""

    @classmethod
    def setUpClass(cls):
        cls.a = {n: Alliance() for n in ("JPN", "USA", "KOR")}
        for n, a in cls.a.items():
            a.collection("alliance", "Alliance (%s)" % n, communities=["jpn-usa-kor"])
            for m in cls.a:
                a.org(m + "-CERT", m, ORGS[m])  # the same identity on every node
            a.group("jpn-usa-kor", "JPN-CERT", "USA-CERT", "KOR-CERT")
            a.analyst = a.user("analyst", n + "-CERT", "publisher")
            a.grant("alliance", n + "-CERT", read=True, write=True)
            for m in cls.a:
                if m != n:
                    a.grant("alliance", m + "-CERT", read=True)
                    setattr(a, "node_token_" + m, a.user("node-" + m, m + "-CERT", "peer"))
        cls.nodes = {n: Node(a.data_dir, extra_args=("--no-sync",)) for n, a in cls.a.items()}
        for n, a in cls.a.items():
            for m, b in cls.a.items():
                if m == n:
                    continue
                run("peer", "add", m.lower(), "--url", cls.nodes[m].base, "--token", getattr(b, "node_token_" + n),
                    "--ca-file", cls.nodes[m].cert, "--nation", m, "--community", "jpn-usa-kor",
                    "--map", "alliance:%s:pull" % b.collections["alliance"], data_dir=a.data_dir)
        cls.jpn_org = ORGS["JPN"]
        cls.rel = extension_marking(REL_USA_JPN, cls.jpn_org, RELEASABLE_TO, {"releasable_to": ["USA", "JPN"]})

    @classmethod
    def tearDownClass(cls):
        for node in cls.nodes.values():
            node.stop()
        for a in cls.a.values():
            a.cleanup()

    def publish(self, nation, objects):
        r = Client(self.nodes[nation], self.a[nation].analyst).post(
            "/intel/collections/%s/objects/" % self.a[nation].collections["alliance"], {"objects": objects})
        self.assertEqual(r.status, 202, r.body)
        return r.json()

    def import_at(self, nation, objects):
        path = os.path.join(self.a[nation].tmp, "import-%s.json" % uuid.uuid4())
        with open(path, "w") as f:
            json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(), "objects": objects}, f)
        return run("import", path, "--collection", "alliance", "--json", data_dir=self.a[nation].data_dir, expect=None)

    def readable_at_home(self, nation, object_id):
        out = run("export", "--collection", "alliance", "--as", "analyst", data_dir=self.a[nation].data_dir)
        return object_id in {o["id"] for o in json.loads(out)["objects"]}

    def sync_all(self):
        """Two passes at every node; per node and peer, the rejections of both."""
        rejections = {n: {} for n in self.a}
        for _ in range(2):
            for n in ("JPN", "USA", "KOR"):
                for peer, report in sync_once(self.a[n]).items():
                    rejections[n].setdefault(peer, []).extend(report.get("rejections", []))
        return rejections

    def test_forged_definition_and_versions_from_a_partner_node_are_refused(self):
        """Findings 1 and 3 across nodes: KOR's operator forges JPN's definition and versions."""
        first = indicator(0xC01, self.jpn_org, [REL_USA_JPN])
        green = indicator(0xC02, self.jpn_org, [TLP_GREEN])
        self.publish("JPN", [self.rel, first, green])
        self.sync_all()
        self.assertTrue(self.readable_at_home("USA", first["id"]))
        self.assertFalse(self.readable_at_home("KOR", first["id"]))
        self.assertTrue(self.readable_at_home("KOR", green["id"]))
        # KOR's operator writes a wider definition under JPN's id, and a revocation of JPN's
        # GREEN indicator under JPN's name, into KOR's own collection.
        forged = extension_marking(REL_USA_JPN, self.jpn_org, RELEASABLE_TO,
                                   {"releasable_to": ["USA", "JPN", "KOR"]}, LATER)
        revoked = indicator(0xC02, self.jpn_org, [TLP_GREEN], modified=LATER, revoked=True)
        summary = json.loads(self.import_at("KOR", [forged, revoked]))
        self.assertEqual(summary["rejected"], 1, "KOR's own node holds JPN's definition already")
        time.sleep(1.1)  # KOR's node serves writes of another process within a second
        jpn_from_kor = self.sync_all()["JPN"]["kor"]
        self.assertTrue(any(r["id"] == green["id"] and "first written on this node" in r["reason"]
                            for r in jpn_from_kor), jpn_from_kor)
        status = {s["peer"]: s for s in json.loads(run("sync", "status", "--json", data_dir=self.a["JPN"].data_dir))}
        self.assertGreaterEqual(status["kor"]["rejected"], 1, status["kor"])
        self.assertIn("first written on this node", status["kor"]["last_rejection"])
        # A new REL TO USA, JPN indicator from JPN never reaches the KOR analyst.
        second = indicator(0xC03, self.jpn_org, [REL_USA_JPN])
        self.publish("JPN", [second])
        self.sync_all()
        for nation in ("USA", "JPN"):
            self.assertTrue(self.readable_at_home(nation, second["id"]), nation)
        self.assertFalse(self.readable_at_home("KOR", second["id"]))
        jpn_view = Client(self.nodes["JPN"], self.a["JPN"].analyst).get(
            "/intel/collections/%s/objects/%s/" % (self.a["JPN"].collections["alliance"], green["id"]))
        self.assertEqual([o["modified"] for o in jpn_view.json()["objects"]], [green["modified"]],
                         "JPN's object is not revoked at JPN")

    def test_a_partner_node_cannot_bring_new_objects_in_this_nodes_name(self):
        """KOR's operator makes a new object in JPN-CERT's name: JPN, whose organisation it is,
        refuses it from every partner (rule 5), and JPN's analysts never see it as their own."""
        forged = indicator(0xC10, self.jpn_org, [TLP_GREEN])
        summary = json.loads(self.import_at("KOR", [forged]))
        self.assertEqual(summary["rejected"], 0, "KOR's operator writes anything on KOR's own node")
        time.sleep(1.1)  # KOR's node serves writes of another process within a second
        rejections = self.sync_all()["JPN"]
        time.sleep(1.1)  # USA's node serves what its own pull wrote within a second
        for peer, report in sync_once(self.a["JPN"]).items():
            rejections.setdefault(peer, []).extend(report.get("rejections", []))
        for peer in ("kor", "usa"):  # USA cannot tell, and relays it: JPN refuses it from USA too
            self.assertTrue(any(r["id"] == forged["id"] and "an organisation of this node" in r["reason"]
                                for r in rejections.get(peer, [])), (peer, rejections))
        self.assertFalse(self.readable_at_home("JPN", forged["id"]))
        # JPN's own objects still reach both partners, and come back as already held.
        genuine = indicator(0xC11, self.jpn_org, [TLP_GREEN])
        self.publish("JPN", [genuine])
        rejections = self.sync_all()["JPN"]
        for nation in ("USA", "KOR"):
            self.assertTrue(self.readable_at_home(nation, genuine["id"]), nation)
        self.assertFalse(any(r["id"] == genuine["id"] for rs in rejections.values() for r in rs), rejections)


if __name__ == "__main__":
    unittest.main()
