"""Organisations across nodes and `kizuna provenance` (issue 19, item 14), on two real nodes:
JPN exports its organisation, USA imports it under the same identity id, and what USA pulls
and is pushed from JPN is attributed to JPN's organisation and nation there."""
import json
import subprocess
import unittest

from federation_test import REL_USA_JPN, RELEASABLE_TO, TLP_CLEAR, indicator, sync_once
from node import KIZUNA, Alliance, Client, Node, run


def provenance(alliance, object_id, *extra):
    return json.loads(run("provenance", object_id, "--json", *extra, data_dir=alliance.data_dir))


class ProvenanceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.jpn, cls.usa = Alliance(), Alliance()
        j, u = cls.jpn, cls.usa
        j.collection("alliance", "Alliance")
        jpn_cert = j.org("JPN-CERT", "JPN")
        j.org("JPN-OTHER", "JPN")  # never exported: unknown at USA
        u.org("USA-CERT", "USA")
        kor_cert = run("admin", "org", "add", "--name", "KOR-CERT", "--nation", "KOR", "--partner", "--json",
                       data_dir=u.data_dir)
        cls.kor_cert = json.loads(kor_cert)["id"]
        cls.identity = run("admin", "org", "export", "JPN-CERT", data_dir=j.data_dir)
        cls.identity_file = j.tmp + "/jpn-cert.json"
        with open(cls.identity_file, "w") as f:
            f.write(cls.identity)
        cls.usa_identity_file = u.tmp + "/usa-cert.json"
        with open(cls.usa_identity_file, "w") as f:
            f.write(run("admin", "org", "export", "USA-CERT", data_dir=u.data_dir))
        imported = json.loads(run("admin", "org", "import", cls.identity_file, "--nation", "JPN", "--json",
                                  data_dir=u.data_dir))
        assert imported["id"] == jpn_cert and imported["added"], imported
        run("admin", "org", "import", cls.usa_identity_file, "--nation", "USA", data_dir=j.data_dir)
        cls.jpn_token = j.user("jpn-analyst", "JPN-CERT", "publisher")
        cls.usa_node_token = j.user("usa-node", "USA-CERT", "peer")
        j.grant("alliance", "JPN-CERT", read=True, write=True)
        j.grant("alliance", "USA-CERT", read=True)
        u.collection("pulled", "Pulled from JPN")
        u.collection("from-jpn", "Pushed by JPN")
        u.grant("pulled", "USA-CERT", read=True)
        cls.jpn_node_token = u.user("jpn-node", "JPN-CERT", "peer")
        u.grant("from-jpn", "JPN-CERT", read=True, write=True)
        cls.nodes = {"jpn": Node(j.data_dir, extra_args=("--no-sync",)), "usa": Node(u.data_dir, extra_args=("--no-sync",))}
        definition = {"type": "marking-definition", "spec_version": "2.1", "id": REL_USA_JPN,
                      "created": "2026-01-01T00:00:00.000Z", "name": "REL TO USA, JPN",
                      "extensions": {RELEASABLE_TO: {"extension_type": "property-extension",
                                                     "releasable_to": ["USA", "JPN"]}}}
        cls.rel = indicator(11, jpn_cert, [REL_USA_JPN])
        cls.other = indicator(12, j.orgs["JPN-OTHER"], [TLP_CLEAR])
        # JPN's operator writes one in the name of KOR's organisation and one in USA's (the
        # operator may, on its own node).
        cls.spoofed = indicator(13, cls.kor_cert, [TLP_CLEAR])
        cls.in_usas_name = indicator(14, u.orgs["USA-CERT"], [TLP_CLEAR])
        r = Client(cls.nodes["jpn"], cls.jpn_token).post(
            "/intel/collections/%s/objects/" % j.collections["alliance"], {"objects": [definition, cls.rel]})
        assert r.status == 202, r.body
        run("import", "-", "--collection", "alliance", data_dir=j.data_dir,
            stdin=json.dumps({"type": "bundle", "id": "bundle--6b0f4a37-9a5e-4a1c-9f0e-3c1f4f9f7a03",
                              "objects": [cls.other, cls.spoofed, cls.in_usas_name]}).encode())
        for name, target, token, mapping in (
                ("jpn", "jpn", cls.usa_node_token, "pulled:%s:pull" % j.collections["alliance"]),):
            node = cls.nodes[target]
            run("peer", "add", name, "--url", node.base, "--token", token, "--ca-file", node.cert, "--nation", "JPN",
                "--map", mapping, data_dir=u.data_dir)
        node = cls.nodes["usa"]
        run("peer", "add", "usa", "--url", node.base, "--token", cls.jpn_node_token, "--ca-file", node.cert,
            "--nation", "USA", "--map", "alliance:%s:push" % u.collections["from-jpn"], data_dir=j.data_dir)
        cls.usa_pulled = {r["peer"]: r for r in sync_once(u, expect=None)}
        sync_once(j)

    @classmethod
    def tearDownClass(cls):
        for n in cls.nodes.values():
            n.stop()
        cls.jpn.cleanup()
        cls.usa.cleanup()

    def test_pulled_objects_name_the_peer_and_the_creators_organisation(self):
        p = provenance(self.usa, self.rel["id"], "--collection", "pulled")
        [v] = p["collections"][0]["versions"]
        self.assertEqual((v["source"], v["peer"], v["remote_collection"]),
                         ("pulled", "jpn", self.jpn.collections["alliance"]))
        self.assertEqual((v["creator_organization"], v["creator_nation"]), ("JPN-CERT", "JPN"))
        self.assertEqual(v["version"], "2026-01-01T00:00:00.000Z")
        self.assertTrue(v["received"].endswith("Z") and v["remote_date_added"].endswith("Z"), v)
        self.assertNotIn("warning", v)
        text = run("provenance", self.rel["id"], "--collection", "pulled", data_dir=self.usa.data_dir)
        self.assertIn("pulled from peer jpn (collection %s" % self.jpn.collections["alliance"], text)
        self.assertIn("creator JPN-CERT (JPN)", text)

    def test_pushed_objects_name_the_peers_user(self):
        p = provenance(self.usa, self.rel["id"], "--collection", "from-jpn")
        [v] = p["collections"][0]["versions"]
        self.assertEqual((v["source"], v["peer"], v["creator_nation"]), ("pushed", "jpn-node", "JPN"))
        # Without --collection: every collection that holds it.
        self.assertEqual({c["name"] for c in provenance(self.usa, self.rel["id"])["collections"]},
                         {"pulled", "from-jpn"})

    def test_written_here_names_the_writer(self):
        [v] = provenance(self.jpn, self.rel["id"])["collections"][0]["versions"]
        self.assertEqual((v["source"], v["writer"], v["creator_organization"]), ("here", "jpn-analyst", "JPN-CERT"))
        self.assertTrue(v["remote"].startswith("127.0.0.1"), v)

    def test_an_organisation_not_imported_is_unknown(self):
        [v] = provenance(self.usa, self.other["id"], "--collection", "pulled")["collections"][0]["versions"]
        self.assertEqual((v["creator_organization"], v["creator_nation"]), ("", ""))
        self.assertIn("(unknown here)", run("provenance", self.other["id"], "--collection", "pulled",
                                            data_dir=self.usa.data_dir))

    def test_a_creator_of_another_nation_than_the_peer_is_flagged(self):
        [v] = provenance(self.usa, self.spoofed["id"], "--collection", "pulled")["collections"][0]["versions"]
        self.assertEqual((v["peer"], v["creator_organization"]), ("jpn", "KOR-CERT"))
        self.assertEqual(v["warning"], "the creator's nation KOR is not the peer's (JPN)")

    def test_a_partner_cannot_bring_objects_in_this_nodes_name(self):
        """USA refuses what JPN's operator made in USA-CERT's name (docs/security.md, rule 5)."""
        rejections = self.usa_pulled["jpn"]["rejections"]
        self.assertIn(self.in_usas_name["id"], {r["id"] for r in rejections}, rejections)
        self.assertNotIn(self.spoofed["id"], {r["id"] for r in rejections})
        self.assertIn("an organisation of this node", rejections[0]["reason"])

    def test_the_policy_knows_the_creators_nation(self):
        e = json.loads(run("policy", "explain", self.rel["id"], "--collection", "pulled", "--org", "USA-CERT", "--json",
                           data_dir=self.usa.data_dir))
        [v] = e["collections"][0]["versions"]
        self.assertEqual((v["creator_nation"], v["received"], v["decision"]), ("JPN", True, "released"))

    def test_an_import_cannot_claim_another_nation(self):
        # The JPN identity again, recorded as KOR: refused, the file says JPN.
        r = subprocess.run([KIZUNA, "--data-dir", self.usa.data_dir, "admin", "org", "import", self.identity_file,
                            "--nation", "KOR"], capture_output=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"'x_kizuna_nation' says JPN", r.stderr)
        # An identity that reuses the id of USA's own organisation, claiming JPN: refused, audited.
        with open(self.usa_identity_file) as f:
            spoof = json.load(f)
        spoof["x_kizuna_nation"], spoof["name"] = "JPN", "Not USA-CERT"
        path = self.usa.tmp + "/spoof.json"
        with open(path, "w") as f:
            json.dump(spoof, f)
        r = subprocess.run([KIZUNA, "--data-dir", self.usa.data_dir, "admin", "org", "import", path, "--nation", "JPN"],
                           capture_output=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"is already 'USA-CERT' of USA", r.stderr)
        audit = run("admin", "audit", "--json", data_dir=self.usa.data_dir)
        self.assertIn("org.import.refused", audit)
        orgs = {o["name"]: o["nation"] for o in json.loads(run("admin", "org", "list", "--json",
                                                                 data_dir=self.usa.data_dir))}
        self.assertEqual(orgs, {"USA-CERT": "USA", "JPN-CERT": "JPN", "KOR-CERT": "KOR"})
        # Importing the same identity again changes nothing.
        again = json.loads(run("admin", "org", "import", self.identity_file, "--nation", "JPN", "--json",
                               data_dir=self.usa.data_dir))
        self.assertFalse(again["added"])


if __name__ == "__main__":
    unittest.main()
