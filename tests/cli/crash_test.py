"""Crash test: `kizuna import` killed with SIGKILL mid-run, again and again.

Every batch the importer reported as committed (--log-commits) must be intact afterwards, and
the database must open cleanly (SQLite integrity_check) before the next run resumes.
"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
import unittest

from kizuna_cli import KIZUNA, KizunaTestCase

OBJECTS = 60000
BATCH = 1500
RUNS = 12


def indicator(i):
    return ('{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-%012d",'
            '"created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z","name":"crash %d",'
            '"pattern":"[ipv4-addr:value = \'198.51.100.%d\']","pattern_type":"stix",'
            '"valid_from":"2016-01-01T00:00:00Z"}') % (i, i, i % 256)


class CrashTest(KizunaTestCase):
    def test_sigkill_never_loses_a_committed_batch(self):
        rng = random.Random(20261127)
        self.init_with_collection()
        ids = ["indicator--8e2e2d2b-17d4-4cbf-938f-%012d" % i for i in range(OBJECTS)]
        path = self.write("feed.jsonl", "\n".join(indicator(i) for i in range(OBJECTS)) + "\n")
        committed_ever = 0
        kills = 0
        for run in range(RUNS):
            proc = subprocess.Popen([KIZUNA, "--data-dir", self.data_dir, "import", path, "--collection",
                                     "intel", "--log-commits", "--batch", str(BATCH)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            want = rng.randint(1, 6)  # kill after this many commits of this run
            seen, committed = 0, 0
            for line in proc.stderr:
                if line.startswith(b"{"):
                    committed = max(committed, json.loads(line)["total"])
                    seen += 1
                    if seen >= want:
                        time.sleep(rng.random() * 0.05)  # land inside the next batch
                        proc.send_signal(signal.SIGKILL)
                        kills += 1
                        break
            proc.wait()
            # Lines written before the kill but not yet read still count as reported.
            for line in proc.stderr.read().splitlines():
                if line.startswith(b"{"):
                    committed = max(committed, json.loads(line)["total"])
            proc.stderr.close()
            committed_ever = max(committed_ever, committed)

            db = sqlite3.connect(os.path.join(self.data_dir, "kizuna.db"))
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            db.close()
            stored = {o["id"] for o in json.loads(
                self.run_kizuna("export", "--collection", "intel").stdout)["objects"]}
            missing = [i for i in ids[:committed_ever] if i not in stored]
            self.assertEqual(missing[:5], [], f"run {run}: {len(missing)} committed objects lost")
        self.assertGreater(kills, RUNS // 2)
        # A last, uninterrupted run completes the import exactly once per object.
        summary = json.loads(self.run_kizuna("import", path, "--collection", "intel", "--json").stdout)
        self.assertEqual(summary["added"] + summary["already_present"], OBJECTS)
        self.assertEqual(len(json.loads(self.run_kizuna("export", "--collection", "intel").stdout)["objects"]), OBJECTS)


if __name__ == "__main__":
    unittest.main()
