"""The throw-away PostgreSQL cluster of the tests (pg_cluster.py): loopback only, a socket only
inside its folder, a password required, and nothing left behind when it stops."""

import os
import socket
import subprocess
import unittest

import pg_cluster


@unittest.skipUnless(pg_cluster.available(), "PostgreSQL 15 is not installed: PostgreSQL tests skip")
class PgClusterTest(unittest.TestCase):
    def test_loopback_only_password_required_and_removed_at_stop(self):
        with pg_cluster.PgCluster() as pg:
            folder = pg.folder
            self.assertEqual(pg.psql("SELECT 1").strip(), "1")
            self.assertEqual(pg.psql("SHOW listen_addresses").strip(), "127.0.0.1")
            self.assertEqual(pg.psql("SHOW unix_socket_directories").strip(), pg.socket_dir)
            self.assertTrue(pg.socket_dir.startswith(folder + os.sep))
            # Not on any other address of this machine.
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                other = socket.gethostbyname(socket.gethostname())
                if not other.startswith("127."):
                    self.assertNotEqual(s.connect_ex((other, pg.port)), 0)
            # A wrong password is refused.
            wrong = pg.url().replace(pg.password, "0" * len(pg.password))
            done = subprocess.run([os.path.join(pg_cluster.PG_BIN, "psql"), "-X", wrong, "-c", "SELECT 1"],
                                  capture_output=True, text=True)
            self.assertNotEqual(done.returncode, 0)
            self.assertIn("password authentication failed", done.stderr)
            url = pg.create_database("scratch")
            self.assertTrue(url.endswith("/scratch?sslmode=disable"))
        self.assertFalse(os.path.exists(folder))
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            self.assertNotEqual(s.connect_ex(("127.0.0.1", pg.port)), 0, "the server still listens")

    def test_the_command_writes_the_url_for_a_run_and_stops_it(self):
        import tempfile
        state = os.path.join(tempfile.mkdtemp(prefix="kizuna-pg-state-"), "run")
        self.assertEqual(pg_cluster.main(["pg_cluster.py", "start", state]), 0)
        with open(os.path.join(state, "url")) as f:
            url = f.read()
        self.assertEqual(os.stat(os.path.join(state, "url")).st_mode & 0o077, 0, "the URL holds the password")
        with open(os.path.join(state, "cluster")) as f:
            folder = f.read()
        self.assertTrue(os.path.isdir(folder))
        self.assertTrue(url.startswith("postgresql://kizuna:"))
        self.assertEqual(pg_cluster.main(["pg_cluster.py", "stop", state]), 0)
        self.assertFalse(os.path.exists(folder))
        self.assertFalse(os.path.exists(state))
        os.rmdir(os.path.dirname(state))


if __name__ == "__main__":
    unittest.main()
