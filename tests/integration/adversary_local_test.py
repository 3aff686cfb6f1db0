"""Issue 16's adversaries on the node's own machine: another local account, and whoever gets a
copy of the database file (a backup, a disk image). Findings 8 (secrets at rest and in transit)
and 14 (damaged pages going unnoticed)."""
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import tempfile
import unittest
import uuid

from node import KIZUNA, UNDO_MIGRATION_20, UNDO_MIGRATION_19, UNDO_MIGRATION_17, UNDO_MIGRATION_16, UNDO_MIGRATION_15, UNDO_MIGRATION_18, Alliance, Client, Node, run

# Kizuna's files in a data directory (src/kizuna/store/data_dir.h).
KIZUNA_FILES = ("kizuna.db", "kizuna.db-wal", "kizuna.db-shm", "taxii-next-token.key", "peer-tokens.key")
PARTNER_TOKEN_PART = "partner-secret"


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def indicator(n):
    return {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "name": "indicator %d" % n, "pattern": "[ipv4-addr:value = '198.51.100.%d']" % (n % 250),
            "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}


def file_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def kizuna(data_dir, *args, timeout=120):
    return subprocess.run([KIZUNA, "--data-dir", data_dir, *args], capture_output=True, timeout=timeout)


def leaf_pages(db, name):
    """The leaf pages of a table or index (SQLite's dbstat), and the page size."""
    c = sqlite3.connect(db)
    try:
        pages = [r[0] for r in c.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' "
                                         "ORDER BY pageno", (name,))]
        return pages, c.execute("PRAGMA page_size").fetchone()[0]
    finally:
        c.close()


def zero_page(db, page, page_size):
    """What a failing disk or a bad copy does: a page of zeros where data was."""
    with open(db, "r+b") as f:
        f.seek((page - 1) * page_size)
        f.write(b"\0" * page_size)


class LocalAccountTest(unittest.TestCase):
    """Another account on the node's machine reads nothing of the node's data directory."""

    def setUp(self):
        self.old_umask = os.umask(0o022)  # what most accounts have
        self.alliance = Alliance()
        self.data_dir = self.alliance.data_dir
        os.chmod(self.alliance.tmp, 0o755)  # only the data directory's own mode keeps others out

    def tearDown(self):
        os.umask(self.old_umask)
        self.alliance.cleanup()

    def assert_closed(self):
        self.assertEqual(mode(self.data_dir), 0o700)
        for name in KIZUNA_FILES:
            path = os.path.join(self.data_dir, name)
            if os.path.exists(path):
                self.assertEqual(mode(path), 0o600, name)

    def test_init_and_a_serving_node_keep_the_directory_private(self):
        """Finding 8: `kizuna init` makes the data directory 0700 and the database 0600, and the
        -wal and -shm files of a serving node are 0600 too; another account cannot read them."""
        self.assert_closed()
        self.alliance.collection("intel")
        self.alliance.org("JPN-CERT", "JPN")
        token = self.alliance.user("alice", "JPN-CERT", "publisher")
        self.alliance.grant("intel", "JPN-CERT", read=True, write=True)
        node = Node(self.data_dir)
        try:
            r = Client(node, token).post("/intel/collections/%s/objects/" % self.alliance.collections["intel"],
                                         {"objects": [indicator(1)]})
            self.assertEqual(r.status, 202, r.body)
            for name in ("kizuna.db-wal", "kizuna.db-shm", "taxii-next-token.key"):
                self.assertTrue(os.path.exists(os.path.join(self.data_dir, name)), name)
            self.assert_closed()
            if os.geteuid() == 0:
                probe = subprocess.run(["cat", os.path.join(self.data_dir, "kizuna.db")], user="nobody",
                                       capture_output=True)
                self.assertNotEqual(probe.returncode, 0, "another account read the database")
                self.assertIn(b"Permission denied", probe.stderr)
        finally:
            node.stop()

    def test_opening_closes_what_was_left_open_and_says_so(self):
        """Finding 8: a data directory left 0755 with a 0644 database (an older Kizuna, a copy)
        is closed by the next command, which names each change."""
        os.chmod(self.data_dir, 0o755)
        os.chmod(os.path.join(self.data_dir, "kizuna.db"), 0o644)
        proc = kizuna(self.data_dir, "collection", "list")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        err = proc.stderr.decode()
        self.assertIn("%s was 0755" % self.data_dir, err)
        self.assertIn("kizuna.db was 0644, open to other local accounts; it is now 0600", err)
        self.assert_closed()
        self.assertEqual(kizuna(self.data_dir, "collection", "list").stderr, b"", "nothing left to say")


class PartnerTokenTest(unittest.TestCase):
    """A copy of kizuna.db does not give away the tokens this node presents to its partners."""

    @classmethod
    def setUpClass(cls):
        # USA's node, which JPN's node pulls from with a token USA gave it.
        cls.usa = Alliance()
        cls.usa.collection("alliance", default_release="readers")
        cls.usa.org("USA-CERT", "USA")
        cls.usa.org("JPN-CERT", "JPN")
        cls.usa_token = cls.usa.user("usa-analyst", "USA-CERT", "publisher")
        cls.jpn_node_token = cls.usa.user("jpn-node", "JPN-CERT", "peer")
        cls.usa.grant("alliance", "USA-CERT", read=True, write=True)
        cls.usa.grant("alliance", "JPN-CERT", read=True)
        cls.usa_node = Node(cls.usa.data_dir, extra_args=("--no-sync",))
        r = Client(cls.usa_node, cls.usa_token).post(
            "/intel/collections/%s/objects/" % cls.usa.collections["alliance"], {"objects": [indicator(7)]})
        assert r.status == 202, r.body

    @classmethod
    def tearDownClass(cls):
        cls.usa_node.stop()
        cls.usa.cleanup()

    def setUp(self):
        self.jpn = Alliance()
        self.jpn.collection("from-usa", default_release="readers")

    def tearDown(self):
        self.jpn.cleanup()

    def add_usa_peer(self):
        run("peer", "add", "usa", "--url", self.usa_node.base, "--token", self.jpn_node_token, "--ca-file",
            self.usa_node.cert, "--nation", "USA", "--map",
            "from-usa:%s:pull" % self.usa.collections["alliance"], data_dir=self.jpn.data_dir)

    def pull(self):
        out = run("sync", "run", "--once", data_dir=self.jpn.data_dir)
        return [json.loads(line) for line in out.splitlines() if line]

    def assert_token_absent(self, token):
        for name in ("kizuna.db", "kizuna.db-wal"):
            self.assertNotIn(token.encode(), file_bytes(os.path.join(self.jpn.data_dir, name)), name)
        self.assertNotIn(token.encode()[-20:], file_bytes(os.path.join(self.jpn.data_dir, "kizuna.db")))

    def test_the_database_file_holds_no_partner_token(self):
        """Finding 8: the partner token is sealed with a key kept in a 0600 file beside the
        database: neither kizuna.db nor its WAL, nor a copy of kizuna.db opened elsewhere, shows
        it, and the node still authenticates to its partner with it."""
        self.add_usa_peer()
        self.assert_token_absent(self.jpn_node_token)
        key = os.path.join(self.jpn.data_dir, "peer-tokens.key")
        self.assertEqual((mode(key), os.path.getsize(key)), (0o600, 32))
        copy = os.path.join(self.jpn.tmp, "stolen.db")
        shutil.copy(os.path.join(self.jpn.data_dir, "kizuna.db"), copy)
        c = sqlite3.connect(copy)
        rows = c.execute("SELECT * FROM peers").fetchall()
        c.close()
        self.assertEqual(len(rows), 1)
        self.assertNotIn(self.jpn_node_token, repr(rows))
        self.assertEqual(self.pull()[0]["pulled"], 1, "the sealed token opens and authenticates")

    def test_tokens_kept_in_clear_by_an_older_store_are_sealed(self):
        """Finding 8: a store whose peers table still holds a token in clear (schema 7) has it
        sealed, and removed from its files, by the next command; pulls keep working."""
        self.add_usa_peer()
        db = os.path.join(self.jpn.data_dir, "kizuna.db")
        c = sqlite3.connect(db)
        c.executescript(UNDO_MIGRATION_20 + UNDO_MIGRATION_19 + UNDO_MIGRATION_17 + UNDO_MIGRATION_16 + UNDO_MIGRATION_18 + UNDO_MIGRATION_15 + "DROP TABLE search_values; DROP TABLE search_ranges; DROP TABLE search_text;"
                        "DELETE FROM node_state WHERE key = 'search_index_version';"
                        "ALTER TABLE organizations DROP COLUMN partner;"
                        "ALTER TABLE entries DROP COLUMN added_by; ALTER TABLE entries DROP COLUMN added_by_nation;"
                        "ALTER TABLE peer_mappings DROP COLUMN rejected; ALTER TABLE peer_mappings DROP COLUMN last_rejection;"
                        "ALTER TABLE peers DROP COLUMN sealed_token; PRAGMA user_version = 8;")
        c.execute("UPDATE peers SET token = ?", (self.jpn_node_token,))
        c.commit()
        c.close()
        os.remove(os.path.join(self.jpn.data_dir, "peer-tokens.key"))
        self.assertIn(self.jpn_node_token.encode(), file_bytes(db), "the older store holds it in clear")
        run("peer", "list", data_dir=self.jpn.data_dir)
        self.assert_token_absent(self.jpn_node_token)
        self.assertEqual(self.pull()[0]["pulled"], 1)

    def test_plain_http_only_to_this_machine(self):
        """Finding 8: `peer add --url http://...` is refused for any host but a loopback one
        (127.0.0.0/8, ::1, localhost), with the URL and the rule in the error; a peer stored
        with such a URL earlier is refused at sync time, before any connection."""
        base = ["peer", "add", "x", "--token", "t", "--nation", "USA", "--map", "from-usa:r:pull"]
        for url in ("http://10.1.2.3:8443", "http://usa.example:8443", "http://127.0.0.1@10.1.2.3:8443",
                    "http://[2001:db8::1]:8443"):
            proc = kizuna(self.jpn.data_dir, *base, "--url", url)
            self.assertEqual(proc.returncode, 1, url)
            self.assertIn(url, proc.stderr.decode())
        proc = kizuna(self.jpn.data_dir, *base, "--url", "http://10.1.2.3:8443")
        self.assertIn("plain http:// is allowed only to a loopback host (127.0.0.0/8, ::1, localhost)",
                      proc.stderr.decode())
        for n, url in enumerate(("http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9")):
            run("peer", "add", "ok%d" % n, *base[3:], "--url", url, data_dir=self.jpn.data_dir)
        for n in range(3):
            run("peer", "remove", "ok%d" % n, data_dir=self.jpn.data_dir)
        run("peer", "add", "old", *base[3:], "--url", "http://127.0.0.1:9", data_dir=self.jpn.data_dir)
        c = sqlite3.connect(os.path.join(self.jpn.data_dir, "kizuna.db"))
        c.execute("UPDATE peers SET url = 'http://0.0.0.0:9' WHERE name = 'old'")  # 0.0.0.0: stays local
        c.commit()
        c.close()
        out = run("sync", "run", "--once", data_dir=self.jpn.data_dir, expect=1)
        self.assertIn("allowed only to a loopback host", json.loads(out.splitlines()[0])["error"])


class DamagedStoreTest(unittest.TestCase):
    """A page of zeros in the middle of the database is found, and the node refuses to serve it."""

    def setUp(self):
        self.alliance = Alliance()
        self.alliance.collection("intel", default_release="readers")
        self.alliance.org("JPN-CERT", "JPN")
        self.token = self.alliance.user("alice", "JPN-CERT", "reader")
        self.alliance.grant("intel", "JPN-CERT", read=True)
        bundle = os.path.join(self.alliance.tmp, "bundle.json")
        with open(bundle, "w") as f:
            json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(),
                       "objects": [indicator(n) for n in range(1, 3001)]}, f)
        run("import", bundle, "--collection", "intel", data_dir=self.alliance.data_dir)
        self.db = os.path.join(self.alliance.data_dir, "kizuna.db")

    def tearDown(self):
        self.alliance.cleanup()

    def check(self, *args):
        return kizuna(self.alliance.data_dir, "check", *args)

    def test_check_finds_a_zeroed_page_and_serve_refuses_the_store(self):
        """Finding 14: `kizuna check` reports a page of zeros in the middle of the entries table
        (exit 1, the page named), and `kizuna serve` refuses to start on it."""
        good = self.check("--json")
        self.assertEqual(good.returncode, 0, good.stderr)
        self.assertTrue(json.loads(good.stdout)["clean"])
        pages, page_size = leaf_pages(self.db, "entries")
        self.assertGreater(len(pages), 4)
        page = pages[len(pages) // 2]
        zero_page(self.db, page, page_size)
        for args in ((), ("--quick",)):
            proc = self.check(*args)
            self.assertEqual(proc.returncode, 1, args)
            self.assertIn("Page %d: btreeInitPage() returns error code 11" % page, proc.stdout.decode())
            self.assertIn("problem(s) found", proc.stderr.decode())
        report = json.loads(self.check("--json").stdout)
        self.assertFalse(report["clean"])
        sqlite_step = next(s for s in report["steps"] if s["name"] == "sqlite")
        self.assertGreater(sqlite_step["problems"], 0)
        serve = kizuna(self.alliance.data_dir, "serve", "--dev", "--listen", "127.0.0.1:0", timeout=60)
        self.assertEqual(serve.returncode, 1)
        self.assertEqual(serve.stdout, b"", "it never announced a URL")
        err = serve.stderr.decode()
        self.assertIn("is damaged, so it is not served", err)
        self.assertIn("Page %d" % page, err)
        self.assertIn("kizuna check", err)

    def test_healthz_fails_once_the_node_met_a_damaged_page(self):
        """Finding 14: a node started without its check (`--start-check 0`) on a damaged store
        answers /healthz 503 once a read met the damage."""
        pages, page_size = leaf_pages(self.db, "entries_current")
        zero_page(self.db, pages[0], page_size)  # what a read of the collection reads first
        node = Node(self.alliance.data_dir, tls=False, extra_args=("--start-check", "0", "--no-sync"))
        try:
            anonymous = Client(node)
            self.assertEqual(anonymous.get("/healthz", accept=None).status, 200)
            r = Client(node, self.token).get("/intel/collections/%s/objects/" % self.alliance.collections["intel"])
            self.assertEqual(r.status, 500)
            health = anonymous.get("/healthz", accept=None)
            self.assertEqual(health.status, 503)
            self.assertIn(b"damaged", health.body)
        finally:
            node.stop()

    def test_check_reports_a_redefined_marking_definition(self):
        """Finding 14: `kizuna check` reports a marking definition id stored with different
        contents (here one copy was rewritten in the file to release to KOR as well)."""
        definition = {"type": "marking-definition", "spec_version": "2.1",
                      "id": "marking-definition--2a000000-0000-4000-8000-000000000001",
                      "created": "2026-01-01T00:00:00.000Z", "name": "REL TO USA, JPN",
                      "definition_type": "statement", "definition": {"statement": "REL TO USA, JPN"}}
        self.alliance.collection("other", default_release="readers")
        bundle = os.path.join(self.alliance.tmp, "definition.json")
        with open(bundle, "w") as f:
            json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(), "objects": [definition]}, f)
        for alias in ("intel", "other"):
            run("import", bundle, "--collection", alias, data_dir=self.alliance.data_dir)
        c = sqlite3.connect(self.db)
        c.execute("UPDATE entries SET json = CAST(replace(CAST(json AS TEXT), 'USA, JPN', 'USA, JPN, KOR') AS BLOB)"
                  " WHERE date_added_us = (SELECT max(date_added_us) FROM entries WHERE type = 'marking-definition')")
        c.commit()
        c.close()
        proc = self.check()
        self.assertEqual(proc.returncode, 1)
        self.assertIn("marking-definition--2a000000-0000-4000-8000-000000000001: stored with 2 different contents",
                      proc.stdout.decode())


if __name__ == "__main__":
    unittest.main()
