"""End-to-end tests of `kizuna admin`: organisations, groups, users, tokens, grants, audit."""
import json
import os
import re
import unittest

from kizuna_cli import KizunaTestCase

TOKEN = re.compile(r"^kz_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$")
INDICATOR = {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-000000000001",
             "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
             "pattern": "[file:name = 'x']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}


class AdminTestCase(KizunaTestCase):
    def admin(self, *args, expect=0):
        return self.run_kizuna("admin", *args, expect=expect)

    def admin_json(self, *args):
        return json.loads(self.admin(*args, "--json").stdout)

    def setup_alliance(self):
        """Two organisations in a group, a user each, and a collection `intel`."""
        self.collection = self.init_with_collection()
        self.nisc = self.admin_json("org", "add", "--name", "NISC", "--nation", "JPN")
        self.cisa = self.admin_json("org", "add", "--name", "CISA", "--nation", "USA")
        self.admin("group", "add", "jpn-usa")
        self.admin("group", "join", "jpn-usa", "NISC")
        self.admin("group", "join", "jpn-usa", self.cisa["id"])
        self.admin("user", "add", "alice", "--org", "NISC", "--role", "reader", "--role", "publisher")
        self.admin("user", "add", "bob", "--org", "CISA", "--role", "reader")


class HelpAndUsage(AdminTestCase):
    def test_every_admin_command_has_help(self):
        for cmd in (["admin"], ["admin", "org", "add"], ["admin", "org", "list"],
                    ["admin", "group", "add"], ["admin", "group", "join"], ["admin", "group", "leave"],
                    ["admin", "group", "list"], ["admin", "user", "add"], ["admin", "user", "list"],
                    ["admin", "user", "disable"], ["admin", "user", "enable"],
                    ["admin", "user", "set-roles"], ["admin", "token", "create"],
                    ["admin", "token", "list"], ["admin", "token", "revoke"], ["admin", "grant"],
                    ["admin", "revoke-grant"], ["admin", "grants"], ["admin", "audit"]):
            out = self.run_kizuna(*cmd, "--help").stdout.decode()
            self.assertIn("Usage", out, cmd)

    def test_bad_arguments_exit_2(self):
        self.setup_alliance()
        cases = [
            ("admin",),
            ("admin", "org", "add", "--name", "X"),                      # no nation
            ("admin", "org", "add", "--name", "X", "--nation", "XXX"),   # not ISO 3166-1
            ("admin", "org", "add", "--name", "X", "--nation", "jpn"),   # lowercase
            ("admin", "user", "add", "carol", "--org", "NISC"),          # no role
            ("admin", "user", "add", "carol", "--org", "NISC", "--role", "admin"),
            ("admin", "token", "create", "alice", "--expires-in", "30"),
            ("admin", "token", "create", "alice", "--expires-in", "0d"),
            ("admin", "token", "create"),
            ("admin", "grant", "intel", "--org", "NISC"),                # neither read nor write
            ("admin", "grant", "intel", "--read"),                       # no grantee
            ("admin", "grant", "intel", "--org", "NISC", "--group", "jpn-usa", "--read"),
            ("admin", "revoke-grant", "intel"),
            ("admin", "audit", "--limit", "0"),
            ("admin", "audit", "--bogus"),
        ]
        for args in cases:
            proc = self.run_kizuna(*args, expect=2)
            self.assertTrue(proc.stderr, args)
        nation = self.run_kizuna("admin", "org", "add", "--name", "X", "--nation", "XXX", expect=2)
        self.assertIn(b"ISO 3166-1 alpha-3", nation.stderr)

    def test_failures_exit_1_naming_what_was_wrong(self):
        self.setup_alliance()
        cases = [
            (("org", "add", "--name", "NISC", "--nation", "JPN"), b"NISC"),
            (("org", "add", "--name", "Y", "--nation", "JPN", "--id", "indicator--x"), b"indicator--x"),
            (("group", "join", "no-such-group", "NISC"), b"no-such-group"),
            (("group", "join", "jpn-usa", "NISC"), b"already in group"),
            (("group", "leave", "jpn-usa", "Nobody"), b"Nobody"),
            (("user", "add", "carol", "--org", "Nobody", "--role", "reader"), b"Nobody"),
            (("user", "add", "alice", "--org", "NISC", "--role", "reader"), b"alice"),
            (("user", "add", "car:ol", "--org", "NISC", "--role", "reader"), b"car:ol"),
            (("user", "disable", "nobody"), b"nobody"),
            (("token", "create", "nobody"), b"nobody"),
            (("token", "revoke", "00000000000000ff"), b"00000000000000ff"),
            (("grant", "no-such-collection", "--org", "NISC", "--read"), b"no-such-collection"),
            (("grant", "intel", "--group", "no-such-group", "--read"), b"no-such-group"),
            (("revoke-grant", "intel", "--org", "NISC"), b"no grant"),
        ]
        for args, what in cases:
            proc = self.admin(*args, expect=1)
            self.assertIn(what, proc.stderr, args)
            self.assertTrue(proc.stderr.startswith(b"kizuna: "), args)

    def test_admin_needs_an_initialised_data_dir(self):
        proc = self.admin("org", "list", expect=1)
        self.assertIn(b"kizuna init", proc.stderr)


class Directory(AdminTestCase):
    def test_organisations_groups_and_users(self):
        self.setup_alliance()
        self.assertTrue(self.nisc["id"].startswith("identity--"))
        self.assertEqual(self.nisc["nation"], "JPN")
        self.assertEqual(self.nisc["identity"]["identity_class"], "organization")
        self.assertEqual(self.nisc["identity"]["x_kizuna_nation"], "JPN")
        given = "identity--d20e5b6b-194f-46d9-aa89-883c049c46b9"
        kisa = self.admin_json("org", "add", "--name", "KISA", "--nation", "KOR", "--id", given)
        self.assertEqual(kisa["id"], given)
        orgs = self.admin_json("org", "list")
        self.assertEqual([o["name"] for o in orgs], ["CISA", "KISA", "NISC"])
        self.assertIn("NISC", self.admin("org", "list").stdout.decode())

        groups = self.admin_json("group", "list")
        self.assertEqual(groups[0]["name"], "jpn-usa")
        self.assertEqual(sorted(m["name"] for m in groups[0]["members"]), ["CISA", "NISC"])
        self.admin("group", "leave", "jpn-usa", "CISA")
        self.assertIn("jpn-usa: NISC", self.admin("group", "list").stdout.decode())

        users = {u["name"]: u for u in self.admin_json("user", "list")}
        self.assertEqual(users["alice"]["roles"], ["reader", "publisher"])
        self.assertEqual(users["alice"]["organization"], self.nisc["id"])
        self.assertFalse(users["bob"]["disabled"])
        self.admin("user", "disable", "bob")
        self.admin("user", "set-roles", "alice", "--role", "org-admin")
        users = {u["name"]: u for u in self.admin_json("user", "list")}
        self.assertTrue(users["bob"]["disabled"])
        self.assertEqual(users["alice"]["roles"], ["org-admin"])
        self.admin("user", "enable", "bob")
        self.assertFalse({u["name"]: u for u in self.admin_json("user", "list")}["bob"]["disabled"])


class Tokens(AdminTestCase):
    def test_token_is_shown_once(self):
        self.setup_alliance()
        proc = self.admin("token", "create", "alice", "--label", "laptop", "--expires-in", "30d")
        token = proc.stdout.decode().strip()
        match = TOKEN.match(token)
        self.assertIsNotNone(match, token)
        token_id = match.group(1)
        self.assertIn(b"cannot be shown again", proc.stderr)
        self.assertIn(token_id.encode(), proc.stderr)
        self.assertNotIn(token.encode(), proc.stderr)

        created = self.admin_json("token", "create", "bob")
        self.assertIsNotNone(TOKEN.match(created["token"]))
        self.assertIn("cannot be shown again", created["warning"])
        self.assertIsNone(created["expires"])

        # Nothing shows the secrets again: listings, the audit log, the database files.
        secret = token.split("_", 2)[2]
        for args in (("token", "list"), ("token", "list", "--json"), ("audit", "--json"),
                     ("audit",)):
            out = self.admin(*args).stdout.decode()
            self.assertNotIn(secret, out, args)
            self.assertNotIn(created["token"][20:], out, args)
        for name in os.listdir(self.data_dir):
            with open(os.path.join(self.data_dir, name), "rb") as f:
                self.assertNotIn(secret.encode(), f.read(), name)

        tokens = {t["id"]: t for t in self.admin_json("token", "list", "alice")}
        self.assertEqual(list(tokens), [token_id])
        self.assertEqual(tokens[token_id]["label"], "laptop")
        self.assertIsNotNone(tokens[token_id]["expires"])
        self.assertIsNone(tokens[token_id]["revoked"])
        self.assertIn("active", self.admin("token", "list").stdout.decode())

    def test_revoke(self):
        self.setup_alliance()
        token = self.admin("token", "create", "alice").stdout.decode().strip()
        token_id = TOKEN.match(token).group(1)
        self.assertIn(token_id, self.admin("token", "revoke", token_id).stdout.decode())
        listed = self.admin_json("token", "list", "alice")[0]
        self.assertIsNotNone(listed["revoked"])
        self.assertIn("revoked", self.admin("token", "list").stdout.decode())
        again = self.admin("token", "revoke", token_id, expect=1)
        self.assertIn(b"already revoked", again.stderr)
        # The whole token names its id too.
        other = self.admin("token", "create", "alice").stdout.decode().strip()
        self.admin("token", "revoke", other)
        self.assertTrue(all(t["revoked"] for t in self.admin_json("token", "list", "alice")))


class Grants(AdminTestCase):
    def test_grant_and_revoke(self):
        self.setup_alliance()
        g = self.admin_json("grant", "intel", "--group", "jpn-usa", "--read")
        self.assertEqual(g, {"collection": self.collection, "group": "jpn-usa", "read": True,
                             "write": False})
        g = self.admin_json("grant", self.collection, "--org", "NISC", "--read", "--write")
        self.assertEqual(g["organization"], self.nisc["id"])
        self.assertTrue(g["read"] and g["write"])
        grants = self.admin_json("grants", "intel")
        self.assertEqual(len(grants), 2)
        self.assertEqual(grants[0]["organization"], self.nisc["id"])
        self.assertIn("intel  organisation NISC  read and write", self.admin("grants").stdout.decode())  # names, not ids
        g = self.admin_json("revoke-grant", "intel", "--org", "NISC", "--write")
        self.assertEqual((g["read"], g["write"]), (True, False))
        self.admin("revoke-grant", "intel", "--org", "NISC")
        self.assertEqual([x.get("group") for x in self.admin_json("grants")], ["jpn-usa"])
        self.admin("grants", "no-such-collection", expect=1)


class Audit(AdminTestCase):
    def test_every_change_is_audited(self):
        self.setup_alliance()
        token = self.admin("token", "create", "alice").stdout.decode().strip()
        self.admin("token", "revoke", TOKEN.match(token).group(1))
        self.admin("grant", "intel", "--group", "jpn-usa", "--read")
        self.admin("revoke-grant", "intel", "--group", "jpn-usa")
        self.admin("user", "disable", "bob")
        self.admin("org", "add", "--name", "NISC", "--nation", "JPN", expect=1)  # not a change
        events = self.admin_json("audit", "--limit", "100")
        actions = [e["action"] for e in events]
        self.assertEqual(actions, ["collection.create", "org.create", "org.create", "group.create", "group.join",
                                   "group.join", "user.create", "user.create", "token.create",
                                   "token.revoke", "grant.add", "grant.remove", "user.disable"])
        self.assertTrue(all(e["actor"] == "cli" for e in events))
        self.assertEqual(events[1]["details"], {"name": "NISC", "nation": "JPN", "partner": False})
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, sorted(seqs))

        last_two = self.admin_json("audit", "--limit", "2")
        self.assertEqual([e["action"] for e in last_two], ["grant.remove", "user.disable"])
        after = self.admin_json("audit", "--after", str(seqs[9]), "--limit", "1")
        self.assertEqual([e["seq"] for e in after], [seqs[10]])
        lines = self.admin("audit", "--limit", "3").stdout.decode().splitlines()
        self.assertEqual(len(lines), 3)
        self.assertIn("user.disable", lines[-1])

    # Issue 19, item 8: imports, collections and peers are changes too.
    def test_imports_collections_and_peers_are_audited(self):
        self.setup_alliance()
        self.run_kizuna("collection", "policy", "intel", "--community", "jpn-usa")
        bundle = self.write("one.json", json.dumps({"type": "bundle", "id": "bundle--" + "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                                                    "objects": [INDICATOR]}))
        self.run_kizuna("import", bundle, self.tmp + "/missing.json", "--collection", "intel", expect=1)
        self.run_kizuna("peer", "add", "usa", "--url", "https://127.0.0.1:9443/", "--token", "t", "--nation", "USA",
                        "--map", "intel:remote:push")
        self.run_kizuna("peer", "remove", "usa")
        events = self.admin_json("audit", "--limit", "5")
        self.assertEqual([e["action"] for e in events],
                         ["user.create", "collection.policy", "object.import", "peer.add", "peer.remove"])
        policy, imported = events[1], events[2]
        self.assertEqual((policy["target"], policy["details"]["communities"]), (self.collection, ["jpn-usa"]))
        self.assertEqual(imported["target"], self.collection)
        self.assertEqual(imported["details"]["files"], [bundle, self.tmp + "/missing.json"])
        self.assertEqual((imported["details"]["files_read"], imported["details"]["failed_files"],
                          imported["details"]["added"]), (1, 1, 1))

    # Issue 19, item 13: the text names organisations and collections; --json keeps the ids.
    def test_audit_text_shows_names(self):
        self.setup_alliance()
        self.admin("grant", "intel", "--org", "CISA", "--read")
        events = self.admin_json("audit", "--limit", "1")
        self.assertEqual((events[0]["target"], events[0]["details"]["organization"]),
                         (self.collection, self.cisa["id"]))
        line = self.admin("audit", "--limit", "1").stdout.decode()
        self.assertIn("  grant.add  intel  ", line)
        self.assertIn('"organization":"CISA"', line)
        self.assertNotIn(self.collection, line)
        self.assertNotIn(self.cisa["id"], line)
        created = self.admin("audit", "--limit", "100").stdout.decode().splitlines()[1]
        self.assertIn("  org.create  NISC  ", created)


if __name__ == "__main__":
    unittest.main()
