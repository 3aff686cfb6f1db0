"""`kizuna delete` and `kizuna revoke` (issue 19, item 8): only what the acting organisation
created (or a node admin), hidden objects are absent, both audited; a revocation is a new
version with `revoked: true` that goes in on the one path in."""
import json
import unittest

from kizuna_cli import KizunaTestCase

RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"


def indicator(n, creator, modified="2026-01-01T00:00:00.000Z", markings=()):
    o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-%012d" % n,
         "created": "2026-01-01T00:00:00.000Z", "modified": modified, "created_by_ref": creator,
         "pattern": "[domain-name:value = 'x%d.example']" % n, "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z", "x_note": [1.5, {"k": "v"}]}
    if markings:
        o["object_marking_refs"] = list(markings)
    return o


class UndoTestCase(KizunaTestCase):
    def setUp(self):
        super().setUp()
        self.collection = self.init_with_collection()
        self.nisc = self.org("NISC", "JPN")
        self.cisa = self.org("CISA", "USA")
        self.run_kizuna("admin", "user", "add", "root", "--org", "CISA", "--role", "node-admin")
        self.run_kizuna("admin", "user", "add", "bob", "--org", "CISA", "--role", "publisher")
        self.run_kizuna("admin", "user", "add", "rita", "--org", "CISA", "--role", "reader")
        self.run_kizuna("admin", "grant", "intel", "--org", "CISA", "--read", "--write")
        self.mine = indicator(1, self.nisc, markings=[CLEAR])  # CISA reads it, but did not create it
        self.theirs = indicator(2, self.cisa)
        self.red = indicator(3, self.cisa, markings=[RED])
        self.imported([self.mine, indicator(1, self.nisc, "2026-02-01T00:00:00.000Z", [CLEAR]), self.theirs, self.red])

    def org(self, name, nation):
        out = self.run_kizuna("admin", "org", "add", "--name", name, "--nation", nation, "--json").stdout
        return json.loads(out)["id"]

    def imported(self, objects, collection="intel"):
        path = self.write("objects.json", json.dumps({"type": "bundle", "id": "bundle--0d8a8f1e-4c55-4c1b-9d2e-"
                                                      "7e0f7a6b5c4d", "objects": objects}))
        self.run_kizuna("import", path, "--collection", collection)

    def versions(self, object_id, collection="intel"):
        out = self.run_kizuna("export", "--collection", collection, "--all-versions").stdout
        return [o for o in json.loads(out)["objects"] if o["id"] == object_id]

    def last_event(self):
        return json.loads(self.run_kizuna("admin", "audit", "--limit", "1", "--json").stdout)[0]


class Delete(UndoTestCase):
    def test_the_creator_deletes_one_version_or_all(self):
        oid = self.mine["id"]
        out = self.run_kizuna("delete", "--collection", "intel", oid, "--version", "2026-02-01T00:00:00.000Z",
                              "--organization", "NISC", "--json").stdout
        self.assertEqual(json.loads(out), {"id": oid, "collection": self.collection, "versions_deleted": 1})
        self.assertEqual([o["modified"] for o in self.versions(oid)], ["2026-01-01T00:00:00.000Z"])
        event = self.last_event()
        self.assertEqual((event["action"], event["actor"], event["target"]), ("object.delete", "cli", self.collection))
        self.assertEqual(event["details"], {"id": oid, "versions": 1, "organization": self.nisc})
        out = self.run_kizuna("delete", "--collection", "intel", oid, "--organization", "NISC").stdout
        self.assertEqual(out, b"deleted 1 version(s) of %s from 'intel'\n" % oid.encode())
        self.assertEqual(self.versions(oid), [])
        err = self.run_kizuna("delete", "--collection", "intel", oid, "--organization", "NISC", expect=1).stderr
        self.assertIn(b"no object " + oid.encode(), err)

    def test_another_organisation_may_not_and_a_node_admin_may(self):
        oid = self.mine["id"]
        err = self.run_kizuna("delete", "--collection", "intel", oid, "--organization", "CISA", expect=1).stderr
        self.assertIn(b"only the organisation that created an object (for an object without created_by_ref, the one that added it) may delete or revoke it", err)
        self.run_kizuna("delete", "--collection", "intel", oid, "--as", "bob", expect=1)
        self.assertEqual(len(self.versions(oid)), 2, "nothing was deleted")
        self.assertNotEqual(self.last_event()["action"], "object.delete", "a refused delete is not audited")
        self.run_kizuna("delete", "--collection", "intel", self.theirs["id"], "--as", "bob")
        # Several organisations: the acting one must be named.
        err = self.run_kizuna("delete", "--collection", "intel", oid, expect=1).stderr
        self.assertIn(b"name the acting organisation with --organization", err)
        self.run_kizuna("delete", "--collection", "intel", oid, "--as", "root")
        self.assertEqual(self.last_event()["actor"], "root")

    def test_a_hidden_object_is_absent(self):
        # TLP:RED of CISA: NISC may not read it, so it may not even learn that it exists.
        err = self.run_kizuna("delete", "--collection", "intel", self.red["id"], "--organization", "NISC",
                              expect=1).stderr
        absent = self.run_kizuna("delete", "--collection", "intel", "indicator--8e2e2d2b-17d4-4cbf-938f-"
                                 "000000000099", "--organization", "NISC", expect=1).stderr
        self.assertEqual(err.replace(self.red["id"].encode(), b"ID"), absent.replace(b"indicator--8e2e2d2b-17d4-"
                                                                                     b"4cbf-938f-000000000099", b"ID"))

    def test_a_user_acts_within_its_grants(self):
        # As on the server: a collection without a grant is absent, one without write refused.
        oid = self.theirs["id"]
        self.run_kizuna("collection", "create", "--title", "Other", "--alias", "other")
        self.imported([self.theirs], collection="other")
        err = self.run_kizuna("delete", "--collection", "other", oid, "--as", "bob", expect=1).stderr
        self.assertIn(b"no object %s in collection 'other'" % oid.encode(), err)
        err = self.run_kizuna("delete", "--collection", "intel", oid, "--as", "rita", expect=1).stderr
        self.assertIn(b"user 'rita' may not write to collection 'intel'", err)
        self.assertEqual(len(self.versions(oid, "other")), 1)
        self.assertEqual(len(self.versions(oid)), 1)
        self.run_kizuna("admin", "grant", "other", "--org", "CISA", "--write")  # a drop box
        self.run_kizuna("delete", "--collection", "other", oid, "--as", "bob")
        self.assertEqual(self.versions(oid, "other"), [])

    def test_bad_arguments(self):
        err = self.run_kizuna("delete", "--collection", "intel", self.mine["id"], "--version", "yesterday",
                              "--organization", "NISC", expect=1).stderr
        self.assertIn(b"--version: ", err)
        self.run_kizuna("delete", self.mine["id"], expect=2)  # no --collection
        self.run_kizuna("delete", "--collection", "intel", self.mine["id"], "--as", "bob", "--organization", "NISC",
                        expect=2)
        self.run_kizuna("delete", "--collection", "nope", self.mine["id"], "--organization", "NISC", expect=1)


class Revoke(UndoTestCase):
    def test_revoke_adds_a_revoked_version_everywhere_it_is(self):
        self.run_kizuna("collection", "create", "--title", "Other", "--alias", "other")
        self.imported([self.mine], collection="other")
        oid = self.mine["id"]
        out = json.loads(self.run_kizuna("revoke", oid, "--organization", "NISC", "--json").stdout)
        self.assertEqual(len(out), 2)
        self.assertEqual(out[0]["version"], out[1]["version"], "one revoked version in every collection")
        for collection in ("intel", "other"):
            latest = self.versions(oid, collection)[-1]
            self.assertTrue(latest["revoked"])
            self.assertGreater(latest["modified"], "2026-02-01T00:00:00.000Z")
            self.assertEqual(latest["modified"], out[0]["version"])
            # Every other property is kept.
            previous = self.versions(oid, collection)[-2]
            for key in previous:
                if key not in ("modified", "revoked"):
                    self.assertEqual(latest[key], previous[key], key)
        event = self.last_event()
        self.assertEqual((event["action"], event["details"]["id"], event["details"]["organization"]),
                         ("object.revoke", oid, self.nisc))
        err = self.run_kizuna("revoke", oid, "--collection", "intel", "--organization", "NISC", expect=1).stderr
        self.assertIn(b"is revoked already", err)

    def test_only_the_creator_revokes(self):
        err = self.run_kizuna("revoke", self.mine["id"], "--as", "bob", expect=1).stderr
        self.assertIn(b"only the organisation that created an object (for an object without created_by_ref, the one that added it) may delete or revoke it", err)
        self.assertNotIn("revoked", self.versions(self.mine["id"])[-1])
        err = self.run_kizuna("revoke", self.red["id"], "--organization", "NISC", expect=1).stderr
        self.assertIn(b"no collection holds object", err)  # hidden: as if absent
        self.run_kizuna("revoke", self.theirs["id"], "--collection", "intel", "--as", "bob")
        self.assertTrue(self.versions(self.theirs["id"])[-1]["revoked"])

    def test_a_user_revokes_only_where_it_may_write(self):
        oid = self.theirs["id"]
        self.run_kizuna("collection", "create", "--title", "Other", "--alias", "other")
        self.imported([self.theirs], collection="other")
        # No grant on 'other': revoked where bob may write, absent elsewhere.
        out = json.loads(self.run_kizuna("revoke", oid, "--as", "bob", "--json").stdout)
        self.assertEqual([r["collection"] for r in out], [self.collection])
        self.assertNotIn("revoked", self.versions(oid, "other")[-1])
        err = self.run_kizuna("revoke", self.red["id"], "--as", "rita", expect=1).stderr
        self.assertIn(b"user 'rita' may not write to collection 'intel'", err)


class Export(UndoTestCase):
    def test_a_user_exports_only_collections_it_may_read(self):
        self.run_kizuna("collection", "create", "--title", "Other", "--alias", "other")
        self.imported([self.theirs], collection="other")
        err = self.run_kizuna("export", "--collection", "other", "--as", "bob", expect=1).stderr
        self.assertIn(b"user 'bob' may not read collection 'other'", err)
        for fmt in ("misp", "csv"):
            self.run_kizuna("export", "--collection", "other", "--as", "bob", "--format", fmt, expect=1)
        ids = [o["id"] for o in json.loads(self.run_kizuna("export", "--collection", "intel", "--as", "rita").stdout)["objects"]]
        self.assertIn(self.theirs["id"], ids)
        self.run_kizuna("admin", "grant", "other", "--org", "CISA", "--write")  # write only: still unreadable
        self.run_kizuna("export", "--collection", "other", "--as", "bob", expect=1)


if __name__ == "__main__":
    unittest.main()
