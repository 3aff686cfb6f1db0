"""`kizuna match` and its compiled-set file (issue 26): the first run compiles from the store
and writes <data-dir>/match-cache/<selection>.kzset; a run with the same inputs reads it back
instead of compiling, and alerts exactly as a compiled run does; any other input (an indicator
or a new version of one entering the collections, an allowlist, other collections, a damaged
file) makes the run compile from the store again, and --json says why; writes of other objects
or to other collections leave the file current."""
import json
import os
import shutil
import stat
import unittest

from kizuna_cli import KizunaTestCase
from match_test import FIXTURES, PLANTED, IntelCase, indicator


class CompiledSet(IntelCase):
    INDICATORS = PLANTED

    def match(self, *args, collection="intel"):
        alerts = os.path.join(self.tmp, "alerts-%d.jsonl" % len(os.listdir(self.tmp)))
        proc = self.run_kizuna("match", "--collection", collection, "--json", "--verbose",
                               "--input", os.path.join(FIXTURES, "dns.log"),
                               os.path.join(FIXTURES, "ssl.log"), os.path.join(FIXTURES, "eve.json"),
                               "--alerts", alerts, *args)
        out = json.loads(proc.stdout)
        with open(alerts) as f:
            out["alerts"] = sorted(f.read().splitlines())
        out["stderr"] = proc.stderr.decode()
        return out

    def files(self):
        folder = os.path.join(self.data_dir, "match-cache")
        return sorted(os.path.join(folder, f) for f in os.listdir(folder)) if os.path.isdir(folder) else []

    def assertFrom(self, out, where, reason=""):
        self.assertEqual(out["compile"]["compiled_from"], where, out["compile"])
        self.assertIn(reason, out["compile"]["compiled_set_reason"])
        self.assertNotIn("compiled_set_write_error", out["compile"])

    def test_a_second_run_reads_the_file_and_alerts_as_the_compiled_run(self):
        first = self.match()
        self.assertFrom(first, "store", "no compiled-set file")
        self.assertIn("indicators compiled from the store (no compiled-set file", first["stderr"])
        [path] = self.files()
        self.assertTrue(path.endswith(".kzset"))
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode), 0o700)
        second = self.match()
        self.assertFrom(second, "file")
        self.assertIn("indicators read from the compiled-set file", second["stderr"])
        self.assertEqual(second["alerts"], first["alerts"])
        self.assertGreater(len(first["alerts"]), 5)
        for key in ("indicators", "active", "revoked", "simple", "evaluated", "multi_observation", "lookup_bytes"):
            self.assertEqual(second["compile"][key], first["compile"][key], key)
        self.assertEqual(second["match"]["alerts"], first["match"]["alerts"])
        self.assertEqual(second["match"]["indicators_hit"], 5)
        # --no-compiled-set neither reads nor writes it.
        os.remove(path)
        off = self.match("--no-compiled-set")
        self.assertFrom(off, "store", "--no-compiled-set")
        self.assertEqual(self.files(), [])
        self.assertEqual(off["alerts"], first["alerts"])

    def test_changes_in_the_store_recompile(self):
        self.assertFrom(self.match(), "store")
        self.assertFrom(self.match(), "file")
        # Objects that are not indicators (a run's sightings, reports) change no compilation:
        # the file stays current though the store's mark moved.
        pattern = json.dumps({
            "type": "attack-pattern", "spec_version": "2.1",
            "id": "attack-pattern--6c1d0d3e-5b1f-4a57-9d6e-000000000099",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "name": "Phishing"})
        self.run_kizuna("import", self.write("ap.jsonl", pattern + "\n"), "--collection", "intel",
                        "--organization", "CERT-A")
        self.assertFrom(self.match(), "file")
        path = self.write("more.jsonl", indicator(7, "[domain-name:value = 'www.dovecot.org']") + "\n")
        self.run_kizuna("import", path, "--collection", "intel",
                        "--organization", "CERT-A")
        added = self.match()
        self.assertFrom(added, "store", "an indicator entered collection")
        self.assertEqual(added["compile"]["active"], 6)
        self.assertFrom(self.match(), "file")
        # A new version (here a revocation) is an add too.
        revoked = self.write("revoked.jsonl", indicator(7, "[domain-name:value = 'www.dovecot.org']", {
            "modified": "2024-02-01T00:00:00.000Z", "revoked": True}) + "\n")
        self.run_kizuna("import", revoked, "--collection", "intel",
                        "--organization", "CERT-A")
        out = self.match()
        self.assertFrom(out, "store", "store.last_date_added differs")
        self.assertEqual(out["compile"]["active"], 5)
        again = self.match()
        self.assertFrom(again, "file")
        self.assertEqual(again["alerts"], out["alerts"])

    def test_other_allowlists_collections_or_exercise_mode_never_read_the_file(self):
        first = self.match()
        self.assertFrom(self.match(), "file")
        listed = self.write("benign.txt", "ise.wrccdc.org\n")
        allowed = self.match("--allowlist", listed)
        self.assertFrom(allowed, "store", "allowlists differs")
        self.assertEqual(allowed["compile"]["suppressed"], 1)
        self.assertFrom(self.match("--allowlist", listed), "file")
        self.assertFrom(self.match(), "store", "allowlists differs")
        # Other collections: a file of their own, never this one's.
        self.run_kizuna("import", self.write("s.jsonl", indicator(8, "[domain-name:value = 'x.example']") + "\n"),
                        "--collection", "sightings")
        other = self.match(collection="sightings")
        self.assertFrom(other, "store", "no compiled-set file")
        self.assertEqual(other["compile"]["active"], 1)
        self.assertEqual(len(self.files()), 2)
        # Both files are kept; an indicator entered another collection: this selection's
        # file stays current.
        mine = self.match()
        self.assertFrom(mine, "file")
        self.assertEqual(mine["alerts"], first["alerts"])

    def test_a_damaged_file_is_compiled_again_and_rewritten(self):
        self.match()
        [path] = self.files()
        with open(path, "rb") as f:
            good = f.read()
        for damaged, reason in ((good[: len(good) // 2], "truncated"),
                                (b"not a snapshot" * 100, "not a compiled-set file"),
                                (good[:-12] + bytes([good[-12] ^ 0x55]) + good[-11:], "damaged")):
            with open(path, "wb") as f:
                f.write(damaged)
            out = self.match()
            self.assertFrom(out, "store", reason)
            self.assertFrom(self.match(), "file")

    def test_a_restored_store_refuses_the_file_of_the_original(self):
        # The delete mark is random, not a count: a store restored from a backup that then
        # deletes as many entries as the original did does not reach the original's mark.
        org = json.loads(self.run_kizuna("admin", "org", "add", "--name", "CERT-B", "--nation", "JPN",
                                         "--json").stdout)["id"]
        self.run_kizuna("admin", "user", "add", "bob", "--org", "CERT-B", "--role", "publisher")
        mine = [indicator(20 + n, "[domain-name:value = 'm%d.example']" % n, {"created_by_ref": org})
                for n in range(2)]
        self.run_kizuna("import", self.write("mine.jsonl", "\n".join(mine) + "\n"), "--collection", "intel")
        self.assertFrom(self.match(), "store")
        db = os.path.join(self.data_dir, "kizuna.db")
        shutil.copy(db, db + ".backup")
        delete = lambda n: self.run_kizuna("delete", "indicator--6c1d0d3e-5b1f-4a57-9d6e-%012d" % n,
                                           "--collection", "intel", "--organization", "CERT-B")
        delete(20)
        self.assertFrom(self.match(), "store", "store.entries_deleted differs")
        self.assertFrom(self.match(), "file")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        shutil.copy(db + ".backup", db)
        delete(21)  # as many deletes as the original made since the backup, of another indicator
        out = self.match()
        self.assertFrom(out, "store", "store.entries_deleted differs")
        self.assertEqual(out["compile"]["active"], 6)
        self.assertFrom(self.match(), "file")

if __name__ == "__main__":
    unittest.main()
