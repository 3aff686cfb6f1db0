"""The command line of the releasability policy and federation: collection policy, peers,
sync status, `export --as` and `export --for-peer`."""
import json
import os
import unittest

from kizuna_cli import SOURCE_DIR, KizunaTestCase

EXTENSIONS = os.path.join(SOURCE_DIR, "docs", "extensions", "extension-definitions.json")
REL = "marking-definition--6f5c1d0e-3a3b-4d2e-9c1f-5e8a7b6c4d21"  # REL TO USA, JPN in EXTENSIONS
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"


def indicator(n, markings=(), creator=None):
    o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-%012d" % n,
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[file:name = 'x']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}
    if markings:
        o["object_marking_refs"] = list(markings)
    if creator:
        o["created_by_ref"] = creator
    return o


class CollectionPolicy(KizunaTestCase):
    def test_create_and_change_the_policy(self):
        self.run_kizuna("init")
        c = json.loads(self.run_kizuna("collection", "create", "--title", "T", "--alias", "a",
                                       "--community", "jpn-usa").stdout)
        self.assertEqual(c["communities"], ["jpn-usa"])
        self.assertEqual(c["default_release"], "creator-nation")
        c = json.loads(self.run_kizuna("collection", "policy", "a", "--community", "jpn-usa,jpn-usa-kor",
                                       "--default-release", "USA,JPN").stdout)
        self.assertEqual(c["communities"], ["jpn-usa", "jpn-usa-kor"])
        listed = json.loads(self.run_kizuna("collection", "list", "--json").stdout)[0]
        self.assertEqual(listed["default_release"], "USA,JPN")
        self.assertEqual(listed["communities"], ["jpn-usa", "jpn-usa-kor"])

    def test_bad_settings_name_the_problem(self):
        self.run_kizuna("init")
        self.run_kizuna("collection", "create", "--title", "T", "--alias", "a")
        err = self.run_kizuna("collection", "policy", "a", "--default-release", "Narnia", expect=1).stderr
        self.assertIn(b"'Narnia'", err)
        err = self.run_kizuna("collection", "policy", "a", "--community", "JPN USA", expect=1).stderr
        self.assertIn(b"'JPN USA' is not a community name", err)
        self.run_kizuna("collection", "policy", "nope", expect=1)


class Peers(KizunaTestCase):
    def add_usa(self, *extra, expect=0):
        return self.run_kizuna("peer", "add", "usa", "--url", "https://127.0.0.1:9443/", "--token", "s3cret",
                               "--nation", "USA", "--community", "jpn-usa", "--map", "intel:remote-id:push", *extra,
                               expect=expect)

    def test_add_list_remove(self):
        cid = self.init_with_collection()
        self.add_usa()
        peers = json.loads(self.run_kizuna("peer", "list", "--json").stdout)
        self.assertEqual(len(peers), 1)
        p = peers[0]
        self.assertEqual((p["name"], p["url"], p["nation"], p["communities"]),
                         ("usa", "https://127.0.0.1:9443", "USA", ["jpn-usa"]))
        self.assertEqual(p["mappings"], [{"local_collection": cid, "remote_collection": "remote-id", "direction": "push"}])
        self.assertNotIn(b"s3cret", self.run_kizuna("peer", "list").stdout)
        # Issue 19, item 13: listings for people name the local collection; --json keeps its id.
        self.assertIn(b"  intel push remote-id\n", self.run_kizuna("peer", "list").stdout)
        self.assertTrue(self.run_kizuna("sync", "status").stdout.startswith(b"usa  intel push remote-id  pulled 0"))
        self.assertNotIn(b"s3cret", self.run_kizuna("peer", "list", "--json").stdout)
        status = json.loads(self.run_kizuna("sync", "status", "--json").stdout)
        self.assertEqual(len(status), 1)
        self.assertEqual((status[0]["peer"], status[0]["pulled"], status[0]["pushed"], status[0]["last_error"]),
                         ("usa", 0, 0, ""))
        err = self.add_usa(expect=1).stderr
        self.assertIn(b"usa", err)
        self.run_kizuna("peer", "remove", "usa")
        self.assertEqual(json.loads(self.run_kizuna("peer", "list", "--json").stdout), [])
        self.run_kizuna("peer", "remove", "usa", expect=1)

    def test_basic_and_client_certificates(self):
        """Issue 24, item 5: Basic from a file only its owner may read; a client certificate with
        or without a header; update keeps what it is not given."""
        self.init_with_collection()
        basic = os.path.join(self.tmp, "usa.basic")
        with open(basic, "w") as f:
            f.write("user1:Pass word:1\n")
        os.chmod(basic, 0o644)
        base = ["peer", "add", "usa", "--url", "https://127.0.0.1:9443", "--nation", "USA", "--map", "intel:r"]
        err = self.run_kizuna(*base, "--basic-file", basic, expect=1).stderr.decode()
        self.assertIn("--basic-file: %s has mode 0644" % basic, err)
        self.assertIn("chmod 600 %s" % basic, err)
        os.chmod(basic, 0o600)
        out = self.run_kizuna(*base, "--basic-file", basic).stdout.decode()
        self.assertIn("authentication basic (user1)", out)
        p = json.loads(self.run_kizuna("peer", "list", "--json").stdout)[0]
        self.assertEqual((p["auth"], p["basic_user"], p["client_cert"]), ("basic", "user1", ""))
        self.assertNotIn(b"Pass word", self.run_kizuna("peer", "list", "--json").stdout)
        self.run_kizuna(*base[:3], "--nation", "USA", "--map", "intel:r", "--token", "t", "--basic-file", basic,
                        expect=2)
        self.run_kizuna(*base[:3], "--nation", "USA", "--map", "intel:r", expect=2)  # no credential at all
        cert, key = os.path.join(self.tmp, "c.pem"), os.path.join(self.tmp, "c.key")
        for path in (cert, key):
            with open(path, "w") as f:
                f.write("-----BEGIN-----\n")
        os.chmod(key, 0o640)
        err = self.run_kizuna("peer", "update", "usa", "--client-cert", cert, "--client-key", key,
                              expect=1).stderr.decode()
        self.assertIn("--client-key: %s has mode 0640" % key, err)
        os.chmod(key, 0o600)
        out = self.run_kizuna("peer", "update", "usa", "--client-cert", cert, "--client-key", key).stdout.decode()
        self.assertIn("authentication basic (user1) + client certificate", out)
        self.run_kizuna("peer", "update", "usa", "--no-auth")
        p = json.loads(self.run_kizuna("peer", "list", "--json").stdout)[0]
        self.assertEqual((p["auth"], p["basic_user"], p["client_key"], p["api_root"]), ("none", "", key, "intel"))
        err = self.run_kizuna("peer", "update", "usa", "--no-client-cert", expect=1).stderr.decode()
        self.assertIn("authentication 'none' needs a client certificate", err)
        err = self.run_kizuna("peer", "update", "usa", "--url", "http://127.0.0.1:9443", expect=1).stderr.decode()
        self.assertIn("over https:// only", err)
        self.run_kizuna("peer", "update", "nobody", "--no-auth", expect=1)
        help_text = self.run_kizuna("peer", "update", "--help").stdout.decode()
        for flag in ("--basic-file", "--client-cert", "--client-key", "--no-auth", "--no-client-cert"):
            self.assertIn(flag, help_text)
        audit = json.loads(self.run_kizuna("admin", "audit", "--json").stdout)
        self.assertIn("peer.update", [e["action"] for e in audit])

    def test_bad_peers_are_refused(self):
        self.init_with_collection()
        base = ["peer", "add", "usa", "--url", "https://h:1", "--token", "t", "--nation", "USA"]
        self.assertIn(b"'XYZ'", self.run_kizuna(*base[:-1], "XYZ", "--map", "intel:r", expect=1).stderr)
        self.assertIn(b"direction", self.run_kizuna(*base, "--map", "intel:r:sideways", expect=1).stderr)
        self.assertIn(b"nope", self.run_kizuna(*base, "--map", "nope:r", expect=1).stderr)
        self.assertIn(b"url", self.run_kizuna("peer", "add", "usa", "--url", "ftp://h", "--token", "t", "--nation",
                                              "USA", "--map", "intel:r", expect=1).stderr)
        self.run_kizuna(*base, expect=2)  # no --map
        # Issue 16, finding 8: plain HTTP only to a loopback host.
        err = self.run_kizuna("peer", "add", "usa", "--url", "http://192.0.2.1:8443", "--token", "t", "--nation",
                              "USA", "--map", "intel:r", expect=1).stderr.decode()
        self.assertIn("'http://192.0.2.1:8443': plain http:// is allowed only to a loopback host", err)
        self.run_kizuna("peer", "add", "usa", "--url", "http://127.0.0.1:8443", "--token", "t", "--nation", "USA",
                        "--map", "intel:r")


class ExportAs(KizunaTestCase):
    def test_export_follows_the_policy(self):
        self.init_with_collection()
        self.run_kizuna("import", EXTENSIONS, "--collection", "intel")
        jpn = json.loads(self.run_kizuna("admin", "org", "add", "--name", "JPN-CERT", "--nation", "JPN",
                                         "--json").stdout)["id"]
        self.run_kizuna("admin", "org", "add", "--name", "JPN-MOD", "--nation", "JPN")
        self.run_kizuna("admin", "org", "add", "--name", "USA-CERT", "--nation", "USA")
        self.run_kizuna("admin", "org", "add", "--name", "KOR-CERT", "--nation", "KOR")
        self.run_kizuna("admin", "user", "add", "jp", "--org", "JPN-CERT", "--role", "reader")
        self.run_kizuna("admin", "user", "add", "jm", "--org", "JPN-MOD", "--role", "reader")
        self.run_kizuna("admin", "user", "add", "us", "--org", "USA-CERT", "--role", "reader")
        self.run_kizuna("admin", "user", "add", "kr", "--org", "KOR-CERT", "--role", "reader")
        for org in ("JPN-CERT", "JPN-MOD", "USA-CERT", "KOR-CERT"):
            self.run_kizuna("admin", "grant", "intel", "--org", org, "--read")
        bundle = {"type": "bundle", "id": "bundle--5b0f4a37-9a5e-4a1c-9f0e-3c1f4f9f7a02",
                  "objects": [indicator(1, [REL], jpn), indicator(2, [RED], jpn), indicator(3, [], jpn)]}
        self.run_kizuna("import", self.write("b.json", json.dumps(bundle)), "--collection", "intel")
        self.run_kizuna("peer", "add", "kor-node", "--url", "https://127.0.0.1:1", "--token", "t", "--nation", "KOR",
                        "--map", "intel:r")

        def indicators(*args):
            out = json.loads(self.run_kizuna("export", "--collection", "intel", *args).stdout)["objects"]
            return sorted(int(o["id"][-3:]) for o in out if o["type"] == "indicator")

        self.assertEqual(indicators(), [1, 2, 3])
        self.assertEqual(indicators("--as", "jp"), [1, 2, 3])  # the creator's organisation
        self.assertEqual(indicators("--as", "jm"), [1, 3])
        self.assertEqual(indicators("--as", "us"), [1])
        self.assertEqual(indicators("--as", "kr"), [])
        self.assertEqual(indicators("--for-peer", "kor-node"), [])
        self.run_kizuna("export", "--collection", "intel", "--as", "jp", "--for-peer", "kor-node", expect=2)
        self.assertIn(b"nobody", self.run_kizuna("export", "--collection", "intel", "--as", "nobody", expect=1).stderr)


if __name__ == "__main__":
    unittest.main()
