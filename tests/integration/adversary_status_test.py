"""Issue 16, findings 5 and 7: a partner's publisher floods Add Objects and its status resources.

A real `kizuna serve` with TLS on 127.0.0.1, driven by the standard-library client of node.py.
The probes sent an envelope of 1,000,000 `{}` (202, a status of 76 MB kept for ever, which then
made every later write copy it) and read that status six times (954 MB). Here the node bounds
the objects of an envelope, the details a status keeps and how long it keeps a status, and a
write no longer reads the statuses before it, even one of the old size left in the store.
"""
import json
import os
import sqlite3
import time
import unittest
import uuid

from node import UNDO_MIGRATION_20, UNDO_MIGRATION_19, UNDO_MIGRATION_17, UNDO_MIGRATION_16, UNDO_MIGRATION_15, UNDO_MIGRATION_18, Alliance, Client, Node

DETAILS_OMITTED = "x_kizuna_details_omitted"


def indicator(n):
    return {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "pattern": "[ipv4-addr:value = '203.0.113.%d']" % (n % 256), "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z"}


def envelope(parts):
    """An envelope from JSON texts, without building a million Python objects."""
    return b'{"objects":[' + b",".join(parts) + b"]}"


def query(data_dir, sql):
    """Reads the node's database beside it (read-only; WAL readers never block the node)."""
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(data_dir, "kizuna.db"), uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def wait_until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


class EnvelopeAndStatusBoundsTest(unittest.TestCase):
    """One node with the default bounds; KOR's publisher writes to a drop box."""

    @classmethod
    def setUpClass(cls):
        a = cls.alliance = Alliance()
        a.collection("dropbox", "KOR drop box", default_release="readers")
        a.org("KOR-CERT", "KOR")
        a.grant("dropbox", "KOR-CERT", read=True, write=True)
        cls.node = Node(a.data_dir)
        cls.kor = Client(cls.node, a.user("kor-publisher", "KOR-CERT", "publisher"))
        cls.objects = "/intel/collections/%s/objects/" % a.collections["dropbox"]

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    def statuses(self):
        return query(self.alliance.data_dir, "SELECT count(*) FROM statuses")[0][0]

    def test_an_envelope_over_the_bound_is_413_and_stores_nothing(self):
        """Finding 5: 1,000,000 `{}` in one envelope (3 MB) are refused with 413 naming the bound."""
        before = self.statuses()
        r = self.kor.post(self.objects, envelope([b"{}"] * 1_000_000))
        self.assertEqual(r.status, 413, r.body[:300])
        self.assertIn("more than 10000 objects (limits.max_envelope_objects)", r.json()["description"])
        self.assertEqual(self.statuses(), before, "no status for a refused envelope")
        # Nor an object of it: an envelope one over the bound with valid objects.
        r = self.kor.post(self.objects, envelope([json.dumps(indicator(n)).encode() for n in range(10_001)]))
        self.assertEqual(r.status, 413)
        self.assertEqual(self.kor.get(self.objects + "?match[id]=%s" % indicator(5)["id"]).json().get("objects", []), [])

    def test_many_invalid_objects_give_a_bounded_status_with_exact_counts(self):
        """Finding 5: 10,000 failures keep 1,000 entries in full; the counts and the summary are exact."""
        parts = [json.dumps(indicator(1_000_000 + n)).encode() for n in range(3)] + [b"{}"] * 9_997
        r = self.kor.post(self.objects, envelope(parts))
        self.assertEqual(r.status, 202)
        status = r.json()
        self.assertEqual((status["total_count"], status["success_count"], status["failure_count"]), (10_000, 3, 9_997))
        self.assertEqual(len(status["successes"]), 3)
        self.assertEqual(len(status["failures"]), 1_000)
        self.assertEqual(status[DETAILS_OMITTED], {"successes": 0, "failures": 8_997})
        self.assertLess(len(r.body), 200_000)
        later = self.kor.get("/intel/status/%s/" % status["id"])
        self.assertEqual(later.status, 200)
        self.assertEqual(later.json(), status)
        stored = query(self.alliance.data_dir, "SELECT length(details) FROM statuses WHERE id = '%s'" % status["id"])
        self.assertLess(stored[0][0], 200_000)

    def test_a_large_status_reads_back_whole(self):
        """Finding 5: the largest status the bounds allow is read back intact, over TLS."""
        long_id = "indicator--" + "e" * 5_000
        parts = [json.dumps({"type": "indicator", "id": long_id, "x_note": n}).encode() for n in range(2_000)]
        r = self.kor.post(self.objects, envelope(parts))
        self.assertEqual(r.status, 202)
        status = r.json()
        self.assertEqual(status["failure_count"], 2_000)
        self.assertEqual(len(status["failures"]), 1_000)
        self.assertTrue(all(len(f["id"].encode()) <= 300 for f in status["failures"]))
        self.assertGreater(len(r.body), 64 * 1024)  # sent as a write of its own over TLS
        for _ in range(6):
            later = self.kor.get("/intel/status/%s/" % status["id"])
            self.assertEqual(later.status, 200)
            self.assertEqual(later.body, r.body)


def peak_rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(next(line for line in f if line.startswith("VmHWM:")).split()[1]) / 1024


class AbusedStoreTest(unittest.TestCase):
    """A data directory left as the probes left it: a status of 64 MB in the table of before."""

    LEGACY_STATUS_MB = 64

    def setUp(self):
        a = self.alliance = Alliance()
        a.collection("dropbox", "drop box", default_release="readers")
        a.org("KOR-CERT", "KOR")
        a.grant("dropbox", "KOR-CERT", read=True, write=True)
        self.token = a.user("kor-publisher", "KOR-CERT", "publisher")
        self.objects = "/intel/collections/%s/objects/" % a.collections["dropbox"]
        db = sqlite3.connect(os.path.join(a.data_dir, "kizuna.db"))
        version = db.execute("PRAGMA user_version").fetchone()[0]
        table = db.execute("SELECT sql FROM sqlite_schema WHERE name = 'statuses'").fetchone()[0]
        migrated = "WITHOUT ROWID" not in table
        db.executescript(
            UNDO_MIGRATION_20 + UNDO_MIGRATION_19 + UNDO_MIGRATION_17 + UNDO_MIGRATION_16 + UNDO_MIGRATION_18 + UNDO_MIGRATION_15 +
            "DROP TABLE search_values; DROP TABLE search_ranges; DROP TABLE search_text;"
            "DELETE FROM node_state WHERE key = 'search_index_version';"
            "ALTER TABLE organizations DROP COLUMN partner;"
            "ALTER TABLE entries DROP COLUMN added_by; ALTER TABLE entries DROP COLUMN added_by_nation;"
            "ALTER TABLE peer_mappings DROP COLUMN rejected; ALTER TABLE peer_mappings DROP COLUMN last_rejection;"
            "DROP TABLE statuses;"
            "CREATE TABLE statuses (id TEXT PRIMARY KEY, api_root TEXT NOT NULL, organization TEXT NOT NULL,"
            " request_timestamp_us INTEGER NOT NULL, total_count INTEGER NOT NULL, success_count INTEGER NOT NULL,"
            " failure_count INTEGER NOT NULL, pending_count INTEGER NOT NULL, details TEXT NOT NULL) WITHOUT ROWID;"
            # The migration that keys statuses by rowid (10) and the ones after it run again at start.
            "PRAGMA user_version = %d;" % (9 if migrated else version))
        details = '"successes":[],"failures":[' + ",".join(['{"id":"","version":"","message":"' + "m" * 64 + '"}'] * (self.LEGACY_STATUS_MB * 12_000)) + "]"
        db.execute("INSERT INTO statuses VALUES ('legacy', 'intel', ?, ?, 1, 0, 1, 0, ?)",
                   (a.orgs["KOR-CERT"], int(time.time() * 1e6), details))
        db.commit()
        db.close()
        self.legacy_bytes = len(details)
        self.node = Node(a.data_dir)
        self.kor = Client(self.node, self.token)

    def tearDown(self):
        self.node.stop()
        self.alliance.cleanup()

    def test_writes_do_not_read_a_large_status_left_by_the_abuse(self):
        """Finding 7: after a 76 MB status, every write copied it whole; writes cost what they write."""
        self.assertEqual(self.kor.post(self.objects, {"objects": [indicator(1)]}).status, 202)
        with open("/proc/%d/clear_refs" % self.node.proc.pid, "w") as f:
            f.write("5")  # the node's peak memory starts again from what it holds now
        start = peak_rss_mb(self.node.proc.pid)
        for n in range(2, 22):
            self.assertEqual(self.kor.post(self.objects, {"objects": [indicator(n)]}).status, 202)
        grown = peak_rss_mb(self.node.proc.pid) - start
        self.assertLess(grown, self.LEGACY_STATUS_MB / 2, "a write held a copy of the %d MB status" % self.LEGACY_STATUS_MB)
        legacy = self.kor.get("/intel/status/legacy/")
        self.assertEqual(legacy.status, 200)
        self.assertEqual(legacy.json()["failure_count"], 1)
        self.assertGreater(len(legacy.body), self.legacy_bytes)


class StatusRetentionTest(unittest.TestCase):
    """A node whose statuses expire after one second (statuses.retention_s)."""

    def setUp(self):
        a = self.alliance = Alliance()
        a.collection("dropbox", "drop box", default_release="readers")
        a.org("KOR-CERT", "KOR")
        a.grant("dropbox", "KOR-CERT", read=True, write=True)
        self.node = Node(a.data_dir, config="statuses:\n  retention_s: 1\n")
        self.kor = Client(self.node, a.user("kor-publisher", "KOR-CERT", "publisher"))
        self.objects = "/intel/collections/%s/objects/" % a.collections["dropbox"]

    def tearDown(self):
        self.node.stop()
        self.alliance.cleanup()

    def test_an_expired_status_answers_404_and_is_deleted(self):
        """Finding 5: statuses were kept for ever; past their retention they answer 404 and go."""
        r = self.kor.post(self.objects, envelope([b"{}"] * 100))
        self.assertEqual(r.status, 202)
        path = "/intel/status/%s/" % r.json()["id"]
        self.assertTrue(wait_until(lambda: self.kor.get(path).status == 404), "the status never expired")
        rows = lambda: query(self.alliance.data_dir, "SELECT count(*) FROM statuses")[0][0]
        self.assertTrue(wait_until(lambda: rows() == 0), "the expired status stayed in the database")
        self.assertEqual(self.kor.post(self.objects, envelope([b"{}"])).status, 202, "writes go on")


if __name__ == "__main__":
    unittest.main()
