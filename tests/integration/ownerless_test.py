"""Objects without created_by_ref (issue 18, item 6): every SCO, and any object a partner or the
operator sends without one, belongs to the organisation that added it to the node. Under the
default release (creator-nation) the adder's nation reads it, so an observed-data's object_refs
resolve for whoever reads the observed-data; the adder (and a node admin) may delete it. The
adversary is KOR: a KOR publisher and KOR's node user on JPN's node, who send the same SCOs
(whose ids anyone can compute from their content) to read or take over USA's."""
import json
import os
import unittest
import uuid

from node import Alliance, Client, Node, run

SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")  # STIX 2.1 §2.9
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"


def sco(type_, value, **extra):
    """An SCO with its deterministic id (the JCS of {"value": ...})."""
    name = json.dumps({"value": value}, separators=(",", ":"), ensure_ascii=False)
    o = {"type": type_, "spec_version": "2.1", "id": "%s--%s" % (type_, uuid.uuid5(SCO_NAMESPACE, name)),
         "value": value}
    o.update(extra)
    return o


def observed(n, creator, refs):
    return {"type": "observed-data", "spec_version": "2.1", "id": "observed-data--%s" % uuid.UUID(int=n, version=4),
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "created_by_ref": creator, "first_observed": "2026-01-01T00:00:00Z",
            "last_observed": "2026-01-01T00:00:00Z", "number_observed": 1, "object_refs": refs}


class OneNodeTest(unittest.TestCase):
    """JPN's node; USA's and KOR's nodes push to it through users with the peer role."""

    @classmethod
    def setUpClass(cls):
        a = cls.alliance = Alliance()
        a.collection("alliance", "Alliance")  # default release: creator-nation
        a.collection("open", "Open", default_release="readers")
        for name, nation in (("JPN-CERT", "JPN"), ("JPN-B", "JPN"), ("USA-CERT", "USA"), ("KOR-CERT", "KOR")):
            a.org(name, nation)
            for alias in ("alliance", "open"):
                a.grant(alias, name, read=True, write=True)
        tokens = {"jpn": a.user("jpn-analyst", "JPN-CERT", "publisher"),
                  "jpn-b": a.user("jpn-b-analyst", "JPN-B", "publisher"),
                  "usa": a.user("usa-analyst", "USA-CERT", "publisher"),
                  "kor": a.user("kor-analyst", "KOR-CERT", "publisher"),
                  "usa-node": a.user("usa-node", "USA-CERT", "peer"),
                  "kor-node": a.user("kor-node", "KOR-CERT", "peer")}
        cls.node = Node(a.data_dir)
        cls.clients = {k: Client(cls.node, t) for k, t in tokens.items()}
        cls.usa_org = a.orgs["USA-CERT"]

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    def objects(self, alias="alliance"):
        return "/intel/collections/%s/objects/" % self.alliance.collections[alias]

    def post(self, who, objects, alias="alliance"):
        r = self.clients[who].post(self.objects(alias), {"objects": objects})
        self.assertEqual(r.status, 202, r.body)
        return r.json()

    def get(self, who, object_id, alias="alliance"):
        return self.clients[who].get(self.objects(alias) + "%s/" % object_id)

    def readable(self, who, object_id, alias="alliance"):
        return self.get(who, object_id, alias).status == 200

    def exported_as(self, user):
        out = run("export", "--collection", "alliance", "--as", user, data_dir=self.alliance.data_dir)
        return {o["id"] for o in json.loads(out)["objects"]}

    def test_observed_data_refs_resolve_for_its_readers(self):
        ip, domain = sco("ipv4-addr", "198.51.100.61"), sco("domain-name", "c2.example.net")
        od = observed(0x610, self.usa_org, [ip["id"], domain["id"]])
        self.assertEqual(self.post("usa-node", [ip, domain, od])["success_count"], 3)
        refs = self.get("usa", od["id"]).json()["objects"][0]["object_refs"]
        for ref in refs:
            r = self.get("usa", ref)
            self.assertEqual(r.status, 200, "object_refs resolve for a reader of the observed-data")
            self.assertNotIn("created_by_ref", r.json()["objects"][0], "the JSON is kept as sent")
        for who in ("jpn", "kor"):  # the adder's nation, as the observed-data's creator's
            self.assertFalse(any(self.readable(who, i) for i in [od["id"]] + refs), who)
        self.assertEqual(self.exported_as("usa-analyst") & {ip["id"], domain["id"], od["id"]},
                         {ip["id"], domain["id"], od["id"]})
        self.assertFalse(self.exported_as("kor-analyst") & {ip["id"], domain["id"], od["id"]})

    def test_sending_the_same_sco_takes_nothing_over(self):
        secret = sco("ipv4-addr", "198.51.100.62", object_marking_refs=[TLP_RED])
        self.assertEqual(self.post("usa-node", [secret])["success_count"], 1)
        self.assertTrue(self.readable("usa", secret["id"]), "its adder's organisation sees it whole")
        self.assertFalse(self.readable("jpn", secret["id"]))
        # KOR sends the same content, as a publisher and as a node; then other content under the id.
        plain = sco("ipv4-addr", "198.51.100.62")
        for who, obj in (("kor", secret), ("kor-node", secret), ("kor", plain), ("kor-node", plain)):
            status = self.post(who, [obj])
            self.assertEqual(status["success_count"], 1, "reported as for a new object: nothing is revealed")
            self.assertFalse(self.readable(who if who == "kor" else "kor", secret["id"]), who)
        absent = self.objects() + "%s/" % sco("ipv4-addr", "198.51.100.63")["id"]
        h, a = self.clients["kor"].delete(self.objects() + "%s/" % secret["id"]), self.clients["kor"].delete(absent)
        self.assertEqual((h.status, h.body), (a.status, a.body), "a hidden SCO deletes as an absent one")
        got = self.get("usa", secret["id"]).json()["objects"]
        self.assertEqual(got, [secret], "USA's version, unchanged")
        self.assertFalse(secret["id"] in self.exported_as("kor-analyst"))

    def test_the_adder_deletes_and_others_who_see_it_may_not(self):
        shared = sco("domain-name", "shared.example.org")
        self.assertEqual(self.post("usa-node", [shared], alias="open")["success_count"], 1)
        self.assertEqual(self.post("kor", [shared], alias="open")["success_count"], 1)  # already present
        path = self.objects("open") + "%s/" % shared["id"]
        for who in ("jpn", "kor", "kor-node"):
            self.assertTrue(self.readable(who, shared["id"], "open"), who)
            self.assertEqual(self.clients[who].delete(path).status, 403, who)
        self.assertEqual(self.clients["usa"].delete(path).status, 200)
        self.assertFalse(self.readable("usa", shared["id"], "open"))

    def test_a_users_object_without_creator_stays_its_organisations(self):
        ip = sco("ipv4-addr", "198.51.100.64")
        self.post("jpn", [ip])
        self.assertTrue(self.readable("jpn-b", ip["id"]), "the same nation reads it")
        self.assertFalse(self.readable("usa", ip["id"]))
        self.post("usa-node", [ip])
        self.assertFalse(self.readable("usa", ip["id"]), "a partner sending it again changes nothing")
        self.assertEqual(self.clients["jpn-b"].delete(self.objects() + "%s/" % ip["id"]).status, 403)
        self.assertEqual(self.clients["jpn"].delete(self.objects() + "%s/" % ip["id"]).status, 200)


class PullTest(unittest.TestCase):
    """JPN's node pulls USA's collection: what it pulls without creator is USA's at JPN."""

    def test_pulled_scos_are_released_as_the_peers(self):
        usa, jpn = Alliance(), Alliance()
        try:
            for a in (usa, jpn):
                a.collection("alliance", "Alliance")
                for name, nation in (("JPN-CERT", "JPN"), ("USA-CERT", "USA")):
                    a.org(name, nation, {"JPN": "identity--0a000000-0000-4000-8000-0000000006a1",
                                         "USA": "identity--0a000000-0000-4000-8000-0000000006a2"}[nation])
                    a.grant("alliance", name, read=True, write=True)
                a.user("jpn-analyst", "JPN-CERT", "publisher")
                a.user("usa-analyst", "USA-CERT", "publisher")
            node_token = usa.user("node-jpn", "JPN-CERT", "peer")
            node = Node(usa.data_dir, extra_args=("--no-sync",))
            try:
                ip = sco("ipv4-addr", "198.51.100.65")
                od = observed(0x650, usa.orgs["USA-CERT"], [ip["id"]])
                r = Client(node, usa.tokens["usa-analyst"]).post(
                    "/intel/collections/%s/objects/" % usa.collections["alliance"], {"objects": [ip, od]})
                self.assertEqual(r.json()["success_count"], 2, r.body)
                # At USA, the JPN node's user reads nothing of it (creator-nation USA).
                run("collection", "policy", "alliance", "--default-release", "readers", data_dir=usa.data_dir)
                run("peer", "add", "usa", "--url", node.base, "--token", node_token, "--ca-file", node.cert,
                    "--nation", "USA", "--map", "alliance:%s:pull" % usa.collections["alliance"],
                    data_dir=jpn.data_dir)
                run("sync", "run", "--once", data_dir=jpn.data_dir)
            finally:
                node.stop()

            def exported_as(user):
                out = run("export", "--collection", "alliance", "--as", user, data_dir=jpn.data_dir)
                return {o["id"] for o in json.loads(out)["objects"]}
            self.assertEqual(exported_as("usa-analyst"), {ip["id"], od["id"]})
            self.assertEqual(exported_as("jpn-analyst"), set())
        finally:
            usa.cleanup()
            jpn.cleanup()


if __name__ == "__main__":
    unittest.main()
