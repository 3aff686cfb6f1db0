"""`kizuna store copy`: a node's SQLite database moved into PostgreSQL without loss (issue 25),
then served from there: the same objects byte for byte, the same users and tokens, the same
peers (their tokens still sealed with the data directory's key), the same audit log."""
import json
import os
import shutil
import subprocess
import sys
import unittest
import uuid

from kizuna_cli import KIZUNA, KizunaTestCase, raw_objects

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import pg_cluster  # noqa: E402


def indicator(n, creator):
    return json.dumps({"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
                       "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                       "pattern": "[domain-name:value = 'd%d.example']" % n, "pattern_type": "stix",
                       "valid_from": "2026-01-01T00:00:00Z", "created_by_ref": creator,
                       "x_note": "kept as sent \u00e9 "})


@unittest.skipUnless(pg_cluster.available(), "PostgreSQL 15 is not installed (scripts/install-deps --test installs it)")
class StoreCopy(KizunaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = pg_cluster.PgCluster()

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()

    def setUp(self):
        super().setUp()
        name = "c" + uuid.uuid4().hex[:12]
        self.pg.create_database(name)
        self.url = self.pg.url(name)
        self.collection = self.init_with_collection()
        self.org = json.loads(self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN",
                                              "--json").stdout)["id"]
        self.run_kizuna("admin", "user", "add", "alice", "--org", "CERT-A", "--role", "publisher")
        self.token = json.loads(self.run_kizuna("admin", "token", "create", "alice", "--json").stdout)["token"]
        self.run_kizuna("admin", "grant", "intel", "--org", "CERT-A", "--read", "--write")
        text = "".join(indicator(i, self.org) + "\n" for i in range(300))
        self.run_kizuna("import", self.write("a.jsonl", text), "--collection", "intel")
        self.run_kizuna("delete", "indicator--%s" % uuid.UUID(int=7, version=4), "--collection", "intel",
                        "--organization", "CERT-A")
        token_file = self.write("peer-token", "partner-secret-token\n")
        os.chmod(token_file, 0o600)
        self.run_kizuna("peer", "add", "usa", "--url", "https://127.0.0.1:9", "--nation", "USA", "--token-file", token_file,
                        "--map", "intel:remote-intel:pull")

    def export(self):
        """The exact text of every object exported (the bundle's id is new each time)."""
        return raw_objects(self.run_kizuna("export", "--collection", "intel").stdout.decode())

    def listing(self, *args):
        return json.loads(self.run_kizuna(*args, "--json").stdout)

    def test_a_node_moved_to_postgresql_reads_as_before(self):
        before = {"export": self.export(), "users": self.listing("admin", "user", "list"),
                  "orgs": self.listing("admin", "org", "list"), "peers": self.listing("peer", "list"),
                  "audit": self.listing("admin", "audit")}
        out = self.run_kizuna("store", "copy", "--to", self.url, "--json").stdout
        summary = json.loads(out)
        self.assertEqual(summary["entries"], 299)
        self.assertEqual(summary["tables"]["entries"], 299)
        self.assertIn("entry_id_chunks", summary["left_out"])
        self.assertNotIn(b"partner-secret", out)
        # The node now runs on PostgreSQL: the data directory records the database.
        shutil.move(os.path.join(self.data_dir, "kizuna.db"), os.path.join(self.tmp, "kizuna.db.moved"))
        for f in os.listdir(self.data_dir):
            if f.startswith("kizuna.db"):
                os.remove(os.path.join(self.data_dir, f))
        self.run_kizuna("init", "--store", self.url)
        after = {"export": self.export(), "users": self.listing("admin", "user", "list"),
                 "orgs": self.listing("admin", "org", "list"), "peers": self.listing("peer", "list"),
                 "audit": self.listing("admin", "audit")}
        for key in before:
            self.assertEqual(after[key], before[key], key)
        # The search index was built on PostgreSQL: complete, and it finds what SQLite's found.
        self.run_kizuna("index", "status")
        found = self.run_kizuna("observable", "d5.example", "--json").stdout
        self.assertIn(("indicator--%s" % uuid.UUID(int=5, version=4)).encode(), found)
        # `kizuna check` on the database: the entries' flags and the sealed peer token moved intact.
        report = json.loads(self.run_kizuna("check", "--json").stdout)
        self.assertTrue(report["clean"] and report["complete"], report)
        steps = {s["name"]: s for s in report["steps"]}
        self.assertEqual(list(steps), ["postgresql", "entries", "marking-definitions", "peer-tokens", "modes"])
        self.assertEqual((steps["entries"]["checked"], steps["peer-tokens"]["checked"]), (299, 1))
        self.assertNotIn(self.pg.password, report["database"])
        # Writing goes on, on PostgreSQL.
        self.run_kizuna("import", self.write("b.jsonl", indicator(1000, self.org) + "\n"), "--collection", "intel")
        self.assertEqual(len(self.export()), 300)

    def test_a_database_that_holds_a_node_is_refused_and_left_as_it_was(self):
        self.run_kizuna("store", "copy", "--to", self.url)
        again = self.run_kizuna("store", "copy", "--to", self.url, expect=1)
        self.assertIn(b"already holds", again.stderr)

    def test_a_directory_without_the_keys_cannot_join_the_node(self):
        """Keys made by a second `init --store` would seal and sign what the node's other
        processes cannot open: a database that holds a node is refused to a directory without
        its keys, and `serve` makes no `next`-token key of its own."""
        self.run_kizuna("store", "copy", "--to", self.url)
        other = os.path.join(self.tmp, "other")
        proc = subprocess.run([KIZUNA, "--data-dir", other, "init", "--store", self.url], capture_output=True)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(b"already holds a node", proc.stderr)
        self.assertNotIn(self.pg.password.encode(), proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(other, "peer-tokens.key")))
        self.assertFalse(os.path.exists(os.path.join(other, "store.url")))
        # A copy of the directory with its keys joins; without the next-token key, serve refuses.
        shutil.copytree(self.data_dir, other, ignore=shutil.ignore_patterns("kizuna.db*", "taxii-next-token.key"),
                        dirs_exist_ok=True)
        subprocess.run([KIZUNA, "--data-dir", other, "init", "--store", self.url], check=True, capture_output=True)
        os.remove(os.path.join(other, "taxii-next-token.key"))
        proc = subprocess.run([KIZUNA, "--data-dir", other, "serve", "--dev", "--listen", "127.0.0.1:0"],
                              capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(b"taxii-next-token.key is missing", proc.stderr)

    def test_a_node_without_peers_moves_and_joins(self):
        """A node that never had a peer has no peer key yet: `store copy` makes it in the
        directory the node moves from, so `init --store` there is not taken for a stranger's."""
        fresh = os.path.join(self.tmp, "fresh")
        subprocess.run([KIZUNA, "--data-dir", fresh, "init"], check=True, capture_output=True)
        self.assertFalse(os.path.exists(os.path.join(fresh, "peer-tokens.key")))
        subprocess.run([KIZUNA, "--data-dir", fresh, "store", "copy", "--to", self.url], check=True,
                       capture_output=True)
        self.assertTrue(os.path.exists(os.path.join(fresh, "peer-tokens.key")))
        for f in os.listdir(fresh):
            if f.startswith("kizuna.db"):
                os.remove(os.path.join(fresh, f))
        proc = subprocess.run([KIZUNA, "--data-dir", fresh, "init", "--store", self.url], capture_output=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_bad_arguments_are_named(self):
        self.assertIn(b"postgresql://", self.run_kizuna("store", "copy", "--to", "mysql://x", expect=1).stderr)
        missing = self.run_kizuna("store", "copy", "--from", "sqlite:" + self.tmp + "/none.db", "--to", self.url,
                                  expect=1)
        self.assertIn(b"no SQLite database", missing.stderr)


if __name__ == "__main__":
    unittest.main()
