"""A real Kizuna node for integration tests: data directory, TLS certificate, `kizuna serve`,
and a TAXII client written with the Python standard library only (not Kizuna's code path)."""
import base64
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

KIZUNA = os.environ.get("KIZUNA_BIN", "kizuna")
TAXII = "application/taxii+json;version=2.1"


# SQL that undoes migration 18 (exercise results kept on the node), for the same tests.
UNDO_MIGRATION_18 = "DROP TABLE exercise_results;"

# SQL that undoes migration 15 (peers' Basic and client certificates, users' certificates), for
# tests that take a store back to an older schema and let the node migrate it again.
UNDO_MIGRATION_15 = ("ALTER TABLE peers DROP COLUMN auth; ALTER TABLE peers DROP COLUMN basic_user;"
                     "ALTER TABLE peers DROP COLUMN client_cert; ALTER TABLE peers DROP COLUMN client_key;"
                     "DROP TABLE user_certificates;")
# SQL that undoes migration 16 (users' console passwords); run it before UNDO_MIGRATION_15.
UNDO_MIGRATION_16 = "ALTER TABLE users DROP COLUMN password_hash;"
# ... and migration 17 (exercise collections).
UNDO_MIGRATION_17 = "ALTER TABLE collections DROP COLUMN exercise;"


# SQL that undoes migration 19 (scheduled feeds), for the same tests.
UNDO_MIGRATION_19 = "DROP TABLE feeds;"
# SQL that undoes migration 20 (the history of sync passes), for the same tests.
UNDO_MIGRATION_20 = "DROP TABLE sync_runs;"


def run(*args, data_dir, expect=0, stdin=None):
    proc = subprocess.run([KIZUNA, "--data-dir", data_dir, *args], capture_output=True, input=stdin, timeout=120)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(f"kizuna {' '.join(args)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}{proc.stdout.decode()[-2000:]}")
    return proc.stdout.decode()


def make_certificate(directory):
    """A self-signed certificate for 127.0.0.1 and localhost (openssl from Debian)."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


class Node:
    """Starts `kizuna serve` on a free loopback port and stops it with SIGTERM."""

    def __init__(self, data_dir, tls=True, config=None, extra_args=(), port=0):
        self.data_dir = data_dir
        self.tls = tls
        self.cert = self.key = None
        args = ["--data-dir", data_dir, "serve", "--listen", "127.0.0.1:%d" % port, *extra_args]
        if tls:
            self.cert, self.key = os.path.join(data_dir, "cert.pem"), os.path.join(data_dir, "key.pem")
            if not os.path.exists(self.cert):  # kept across restarts of the node
                self.cert, self.key = make_certificate(data_dir)
            args += ["--tls-cert", self.cert, "--tls-key", self.key]
        else:
            args += ["--dev"]
        if config:
            path = os.path.join(data_dir, "test-config.yaml")
            with open(path, "w") as f:
                f.write(config)
            args += ["--config", path]
        self.log_path = os.path.join(data_dir, "serve.log")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([KIZUNA, *args], stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            raise AssertionError(f"kizuna serve did not start: {open(self.log_path).read()[-3000:]}")
        info = json.loads(line)
        self.base = info["url"]
        self.port = int(self.base.rsplit(":", 1)[1])

    def context(self):
        if not self.tls:
            return None
        return ssl.create_default_context(cafile=self.cert)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        return self.proc.returncode


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body) if self.body else None


class Client:
    """A TAXII 2.1 client: urllib, Bearer or Basic authentication."""

    def __init__(self, node, token=None, user=None, basic=False):
        self.node, self.token, self.user, self.basic = node, token, user, basic

    def request(self, method, path, body=None, accept=TAXII, content_type=TAXII, headers=None):
        h = dict(headers or {})
        if accept is not None:
            h["Accept"] = accept
        if self.token is not None:
            if self.basic:
                h["Authorization"] = "Basic " + base64.b64encode(f"{self.user}:{self.token}".encode()).decode()
            else:
                h["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h["Content-Type"] = content_type
        req = urllib.request.Request(self.node.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, context=self.node.context(), timeout=60) as r:
                return Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers, e.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


class Alliance:
    """A data directory with organisations, users, tokens, collections and grants."""

    def __init__(self, store=None):
        """`store`: a postgresql:// URL the node keeps its store in (kizuna init --store)."""
        self.tmp = tempfile.mkdtemp(prefix="kizuna-it-")
        self.data_dir = os.path.join(self.tmp, "data")
        run("init", *(("--store", store) if store else ()), data_dir=self.data_dir)
        self.collections = {}
        self.tokens = {}
        self.orgs = {}

    def collection(self, alias, title=None, communities=(), default_release=None, exercise=False):
        args = ["collection", "create", "--title", title or alias, "--alias", alias]
        if exercise:
            args.append("--exercise")
        for c in communities:
            args += ["--community", c]
        if default_release:
            args += ["--default-release", default_release]
        out = run(*args, data_dir=self.data_dir)
        self.collections[alias] = json.loads(out)["id"]
        return self.collections[alias]

    def org(self, name, nation, id_=None):
        extra = ("--id", id_) if id_ else ()
        out = run("admin", "org", "add", "--name", name, "--nation", nation, *extra, "--json", data_dir=self.data_dir)
        self.orgs[name] = json.loads(out)["id"]
        return self.orgs[name]

    def group(self, name, *orgs):
        run("admin", "group", "add", name, data_dir=self.data_dir)
        for org in orgs:
            run("admin", "group", "join", name, self.orgs.get(org, org), data_dir=self.data_dir)

    def user(self, name, org, role):
        run("admin", "user", "add", name, "--org", self.orgs.get(org, org), "--role", role, data_dir=self.data_dir)
        out = run("admin", "token", "create", name, "--json", data_dir=self.data_dir)
        self.tokens[name] = json.loads(out)["token"]
        return self.tokens[name]

    def three_nations(self):
        """JPN-CERT, USA-CERT and KOR-CERT, the community jpn-usa of the first two, a JPN
        publisher and USA and KOR readers; returns their tokens by "jpn", "usa" and "kor"."""
        for name, nation in (("JPN-CERT", "JPN"), ("USA-CERT", "USA"), ("KOR-CERT", "KOR")):
            self.org(name, nation)
        self.group("jpn-usa", "JPN-CERT", "USA-CERT")
        return {"jpn": self.user("jpn-analyst", "JPN-CERT", "publisher"),
                "usa": self.user("usa-analyst", "USA-CERT", "reader"),
                "kor": self.user("kor-analyst", "KOR-CERT", "reader")}

    def grant(self, alias, org, read=True, write=False):
        args = ["admin", "grant", self.collections[alias], "--org", self.orgs.get(org, org)]
        if read:
            args.append("--read")
        if write:
            args.append("--write")
        run(*args, data_dir=self.data_dir)

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
