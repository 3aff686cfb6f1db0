"""A throw-away PostgreSQL 15 cluster for tests.

Made with Debian's /usr/lib/postgresql/15/bin/initdb in a temporary folder, started with
pg_ctl on 127.0.0.1 and a free port (its Unix socket stays inside that folder), password
authentication only, and stopped (and the folder removed) at the end. PostgreSQL refuses to
run as root, so as root the cluster runs as the system account `kizuna-pgtest` (made here when
missing, used by nothing else: `nobody` is shared by other daemons), in a folder chowned to it.

As a module:  with PgCluster() as pg: url = pg.url("dbname")   (pg.create_database(name))
As a command: pg_cluster.py start DIR [--fsync]   starts a cluster in a temporary folder (fsync
              off unless --fsync, as benchmarks want) and writes its URL to DIR/url
              pg_cluster.py stop DIR    stops it and removes its folder and DIR
When PostgreSQL is not installed, `start` writes no URL and says so (tests then skip), and
PgCluster() raises Unavailable.
"""

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PG_BIN = os.environ.get("KIZUNA_PG_BIN", "/usr/lib/postgresql/15/bin")
SUPERUSER = "kizuna"
OS_USER = "kizuna-pgtest"


class Unavailable(Exception):
    """PostgreSQL is not installed here."""


def available():
    return os.access(os.path.join(PG_BIN, "initdb"), os.X_OK) and os.access(
        os.path.join(PG_BIN, "pg_ctl"), os.X_OK)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _os_user():
    """As root, the account the cluster runs as, made when missing (idempotent)."""
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", OS_USER], check=True, stdout=subprocess.DEVNULL)
    return OS_USER


def _as_postgres_user(argv):
    """argv run as an unprivileged user when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return argv
    user = _os_user()
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--"] + argv


class PgCluster:
    """A running cluster in `folder` (a new temporary folder when None)."""

    def __init__(self, folder=None, fsync=False):
        if not available():
            raise Unavailable(f"PostgreSQL is not installed ({PG_BIN}/initdb missing)")
        self.folder = folder or tempfile.mkdtemp(prefix="kizuna-pg-")
        os.makedirs(self.folder, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.data = os.path.join(self.folder, "data")
        self.socket_dir = os.path.join(self.folder, "sock")
        os.makedirs(self.socket_dir, exist_ok=True)
        self.password = secrets.token_hex(16)
        pwfile = os.path.join(self.folder, "pw")
        with open(pwfile, "w") as f:
            f.write(self.password + "\n")
        if os.geteuid() == 0:
            for root, dirs, files in os.walk(self.folder):
                for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                    shutil.chown(name, _os_user(), _os_user())
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", SUPERUSER,
                   "--pwfile", pwfile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C",
                   "--no-sync", "--no-instructions"])
        os.remove(pwfile)
        self.port = None
        for _ in range(5):  # the free port may be taken between the probe and the start
            port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {port} "
                       f"-c unix_socket_directories={self.socket_dir} "
                       f"-c fsync={'on' if fsync else 'off'} -c max_connections=200")
            started = subprocess.run(_as_postgres_user(
                [os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l",
                 os.path.join(self.folder, "log"), "-w", "-t", "30", "-o", options, "start"]),
                capture_output=True, text=True)
            if started.returncode == 0:
                self.port = port
                break
        if self.port is None:
            log = open(os.path.join(self.folder, "log")).read()[-2000:]
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start:\n{log}")

    def _run(self, argv):
        done = subprocess.run(_as_postgres_user(argv), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stdout}{done.stderr}")

    def url(self, database="postgres"):
        return (f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"
                "?sslmode=disable")

    def psql(self, sql, database="postgres"):
        """Runs `sql` with psql; returns its output (tuples only, unaligned)."""
        # The password goes in the environment, not on the command line that `ps` shows.
        dsn = f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database} sslmode=disable"
        done = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-t", "-A",
                               "-v", "ON_ERROR_STOP=1", dsn, "-c", sql],
                              capture_output=True, text=True, env=dict(os.environ, PGPASSWORD=self.password))
        if done.returncode != 0:
            raise RuntimeError(f"psql: {done.stderr}")
        return done.stdout

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run(_as_postgres_user(
                [os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"]),
                capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _stop_recorded(folder):
    """Stops the cluster whose folder DIR/cluster names (an interrupted run's too), clears DIR."""
    try:
        with open(os.path.join(folder, "cluster")) as f:
            recorded = f.read().strip()
    except OSError:
        recorded = ""
    if recorded:
        cluster = PgCluster.__new__(PgCluster)
        cluster.folder, cluster.data = recorded, os.path.join(recorded, "data")
        cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


def main(argv):
    fsync = argv[3:] == ["--fsync"]
    if len(argv) not in (3, 4) or argv[1] not in ("start", "stop") or (len(argv) == 4 and not fsync):
        print("usage: pg_cluster.py start DIR [--fsync] | stop DIR", file=sys.stderr)
        return 2
    folder = argv[2]
    _stop_recorded(folder)
    if argv[1] == "stop":
        return 0
    os.makedirs(folder)
    if not available():
        print(f"PostgreSQL is not installed ({PG_BIN}): its tests will skip")
        return 0
    # The cluster lives in a temporary folder of its own (which the cluster's account can reach, unlike a
    # build folder under a private home); DIR only records where, and the URL.
    cluster = PgCluster(fsync=fsync)
    with open(os.path.join(folder, "cluster"), "w") as f:
        f.write(cluster.folder)
    # The URL carries the password: readable by this user only.
    with os.fdopen(os.open(os.path.join(folder, "url.tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                   "w") as f:
        f.write(cluster.url())
    os.replace(os.path.join(folder, "url.tmp"), os.path.join(folder, "url"))
    print(f"PostgreSQL on 127.0.0.1:{cluster.port} in {cluster.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
