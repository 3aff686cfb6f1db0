"""`kizuna policy explain` (issue 19, item 12): the decision for each version and the rule of
each marking, the same as what `kizuna export` (the released read) gives the same audience."""
import json
import unittest

from federation_test import EXTENSIONS, RED, REL, indicator
from kizuna_cli import KizunaTestCase


class PolicyExplain(KizunaTestCase):
    def setUp(self):
        super().setUp()
        self.init_with_collection()
        self.run_kizuna("import", EXTENSIONS, "--collection", "intel")
        self.jpn = json.loads(self.run_kizuna("admin", "org", "add", "--name", "JPN-CERT", "--nation", "JPN",
                                              "--json").stdout)["id"]
        self.run_kizuna("admin", "org", "add", "--name", "USA-CERT", "--nation", "USA")
        self.run_kizuna("admin", "org", "add", "--name", "KOR-CERT", "--nation", "KOR")
        self.run_kizuna("admin", "org", "add", "--name", "NOGRANT", "--nation", "USA")
        for user, org in (("jp", "JPN-CERT"), ("us", "USA-CERT"), ("kr", "KOR-CERT"), ("ng", "NOGRANT")):
            self.run_kizuna("admin", "user", "add", user, "--org", org, "--role", "reader")
        for org in ("JPN-CERT", "USA-CERT", "KOR-CERT"):
            self.run_kizuna("admin", "grant", "intel", "--org", org, "--read")
        bundle = {"type": "bundle", "id": "bundle--5b0f4a37-9a5e-4a1c-9f0e-3c1f4f9f7a02",
                  "objects": [indicator(1, [REL], self.jpn), indicator(2, [RED], self.jpn),
                              indicator(3, [], self.jpn)]}
        self.run_kizuna("import", self.write("b.json", json.dumps(bundle)), "--collection", "intel")
        self.run_kizuna("peer", "add", "kor-node", "--url", "https://127.0.0.1:1", "--token", "t", "--nation", "KOR",
                        "--map", "intel:r")

    def explain(self, n, *who, expect=0):
        out = self.run_kizuna("policy", "explain", indicator(n)["id"], *who, "--json", expect=expect).stdout
        return json.loads(out) if expect == 0 else None

    def released(self, *who):
        out = json.loads(self.run_kizuna("export", "--collection", "intel", *who).stdout)["objects"]
        return {o["id"] for o in out if o["type"] == "indicator"}

    def test_explain_agrees_with_the_released_read(self):
        for who in (("--as", "jp"), ("--as", "us"), ("--as", "kr"), ("--for-peer", "kor-node")):
            exported = self.released(*who)
            for n in (1, 2, 3):
                with self.subTest(who=who, n=n):
                    e = self.explain(n, *who)
                    version = e["collections"][0]["versions"][-1]
                    self.assertEqual(version["decision"] != "withheld", indicator(n)["id"] in exported, version)

    def test_rules_of_each_marking(self):
        kr = self.explain(1, "--as", "kr")["collections"][0]["versions"][0]
        self.assertEqual((kr["decision"], kr["rule"]), ("withheld", "not-releasable"))
        self.assertEqual(kr["creator_nation"], "JPN")
        self.assertEqual([(m["id"], m["allows"], m["rule"]) for m in kr["markings"]], [(REL, False, "not-releasable")])
        self.assertIn("releasable to USA, JPN", kr["markings"][0]["meaning"])
        us = self.explain(1, "--as", "us")["collections"][0]["versions"][0]
        self.assertEqual((us["decision"], us["rule"]), ("released", "markings"))
        self.assertEqual(us["markings"][0]["rule"], "releasable-to-nation")
        red = self.explain(2, "--org", "USA-CERT")["collections"][0]["versions"][0]
        self.assertEqual((red["decision"], red["markings"][0]["rule"]), ("withheld", "tlp-red-not-named"))
        self.assertEqual(self.explain(2, "--for-peer", "kor-node")["collections"][0]["versions"][0]["rule"],
                         "tlp-red-never-forwarded")
        plain = self.explain(3, "--as", "us")["collections"][0]["versions"][0]
        self.assertEqual((plain["decision"], plain["rule"], plain["markings"]),
                         ("withheld", "default-creator-nation", []))
        own = self.explain(2, "--as", "jp")["collections"][0]["versions"][0]
        self.assertEqual((own["decision"], own["rule"]), ("released", "creator-organization"))
        text = self.run_kizuna("policy", "explain", indicator(1)["id"], "--as", "kr").stdout.decode()
        self.assertIn("withheld by rule not-releasable", text)
        self.assertIn("[releasable to USA, JPN]: denies (not-releasable)", text)

    def test_the_collection_comes_first(self):
        # No read grant: the server answers as if the collection did not exist.
        ng = self.explain(1, "--as", "ng")["collections"][0]
        self.assertEqual((ng["readable"], ng["refusal"], ng["versions"]), (False, "no-read-grant", []))
        self.assertEqual(self.released("--as", "us"), {indicator(1)["id"]})  # export does not check grants
        self.run_kizuna("peer", "add", "pull-only", "--url", "https://127.0.0.1:1", "--token", "t", "--nation",
                        "USA", "--map", "intel:r:pull")
        peer = self.explain(1, "--for-peer", "pull-only")["collections"][0]
        self.assertEqual((peer["readable"], peer["refusal"]), (False, "collection-not-pushed-to-peer"))

    def test_bad_input_is_named(self):
        self.assertIn(b"--as USER", self.run_kizuna("policy", "explain", indicator(1)["id"], expect=2).stderr)
        self.assertIn(b"'nope' is not a STIX id",
                      self.run_kizuna("policy", "explain", "nope", "--as", "us", expect=1).stderr)
        missing = indicator(9)["id"]
        self.assertIn(("no collection holds '%s'" % missing).encode(),
                      self.run_kizuna("policy", "explain", missing, "--as", "us", expect=1).stderr)
        self.assertIn(b"'nobody'", self.run_kizuna("policy", "explain", missing, "--as", "nobody", expect=1).stderr)
        self.run_kizuna("policy", "explain", missing, "--as", "us", "--org", "USA-CERT", expect=2)
        self.assertIn(b"not an API", self.run_kizuna("policy", "explain", "--help").stdout)


if __name__ == "__main__":
    unittest.main()
