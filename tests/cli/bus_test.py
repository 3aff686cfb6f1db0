"""End-to-end tests of telemetry over NATS JetStream: `kizuna ship`, `kizuna match --from`
workers and `kizuna bus` (the node's side), against a real `nats-server -js` on 127.0.0.1.

Skipped, saying why, when nats-server is not installed (scripts/install-deps --test)."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from kizuna_cli import KIZUNA, KizunaTestCase
from match_test import indicator

NATS_SERVER = shutil.which("nats-server")
WINDOW_S = 600
START_S = 1700000000


INDICATORS = [
    indicator(1, "[domain-name:value = 'evil.example']"),
    indicator(2, "[domain-name:value LIKE '%.bad.example']"),
    indicator(3, "[ipv4-addr:value ISSUBSET '203.0.113.0/24']"),
]
# Created by another organisation, TLP:RED: never released to the sensor's user.
HIDDEN = indicator(9, "[domain-name:value = 'hidden.example']", {
    "object_marking_refs": ["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]})

HIDDEN_ID = json.loads(HIDDEN)["id"]

ZEEK_HEADER = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
               "#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\n"
               "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\n")


def read(path):
    with open(path) as f:
        return f.read()


def dns_lines(first, count):
    """Zeek dns.log data lines `first`..`first+count-1`, one every 2 s: some hit."""
    names = ["evil.example", "www.bad.example", "hidden.example", "ok.example", "fine.example"]
    out = []
    for i in range(first, first + count):
        resp = "203.0.113.7" if i % 17 == 0 else "198.51.100.1"
        out.append("%d.%06d\tC%d\t10.0.0.%d\t5353\t%s\t53\tudp\t%s\n"
                   % (START_S + 2 * i, i % 1000000, i, i % 250, resp, names[i % 7 % 5]))
    return "".join(out)


class NatsServer:
    """`nats-server -js` on 127.0.0.1, on ports it chooses, with a store folder of its own;
    `extra` server flags (TLS, users)."""

    def __init__(self, folder, extra=(), scheme="nats"):
        self.folder = folder
        log = os.path.join(folder, "nats.log")
        self.stderr = os.path.join(folder, "nats.stderr")
        with open(self.stderr, "wb") as stderr:
            self.proc = subprocess.Popen(
                [NATS_SERVER, "-js", "-sd", os.path.join(folder, "js"), "-a", "127.0.0.1", "-p", "-1",
                 "-m", "-1", "-l", log, *extra], stderr=stderr)
        deadline = time.time() + 10
        self.url = self.monitor = None
        while time.time() < deadline and (self.url is None or self.monitor is None):
            time.sleep(0.05)
            text = read(log) if os.path.exists(log) else ""
            m = re.search(r"Listening for client connections on 127\.0\.0\.1:(\d+)", text)
            h = re.search(r"Starting http monitor on 127\.0\.0\.1:(\d+)", text)
            if m:
                self.url = "%s://127.0.0.1:%s" % (scheme, m.group(1))
                self.port = int(m.group(1))
            if h:
                self.monitor = "http://127.0.0.1:%s" % h.group(1)
        if self.url is None:
            self.stop()
            raise RuntimeError("nats-server did not start: " + read(log)[-2000:])

    def jsz(self):
        # The monitor endpoint of a busy nats-server may reset a connection: ask again.
        for attempt in range(5):
            try:
                with urllib.request.urlopen(self.monitor + "/jsz?streams=true&consumers=true", timeout=5) as r:
                    return json.loads(r.read())
            except (ConnectionError, urllib.error.URLError):
                if attempt == 4:
                    raise
                time.sleep(0.2)

    def stream(self, name):
        for account in self.jsz().get("account_details", []):
            for s in account.get("stream_detail", []):
                if s["name"] == name:
                    return s
        return None

    def publish(self, subject, payload):
        """Publishes one plain NATS message (what any client on the bus could send)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.recv(4096)  # INFO
            body = payload.encode()
            s.sendall(b'CONNECT {"verbose":false}\r\nPUB %s %d\r\n%s\r\nPING\r\n' % (subject.encode(), len(body), body))
            reply = b""
            while b"PONG" not in reply:
                reply += s.recv(4096)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def crashed(self):
        """The Go panic the server died of, or ""."""
        text = read(self.stderr) if os.path.exists(self.stderr) else ""
        return text[text.find("panic:"):][:300] if "panic:" in text else ""


def again_if_nats_crashed(cls):
    """Runs each test of `cls` once more, on a new server and data directory, when the first
    run failed because nats-server itself died of a Go panic: Debian 12's nats-server 2.9.10
    can dereference a nil message in its MSG.GET handler when a message of the subject read is
    being stored at that moment. The crash is printed, so that it stays visible."""
    for name in [n for n in vars(cls) if n.startswith("test_")]:
        def wrapped(self, test=getattr(cls, name)):
            try:
                return test(self)
            except Exception:
                crash = self.nats.crashed()
                if not crash:
                    raise
                print("\n%s: nats-server crashed (%s); running it again" % (self.id(), crash.splitlines()[0]))
                self.doCleanups()
                self.tearDown()
                self.setUp()
                return test(self)
        wrapped.__name__ = name
        setattr(cls, name, wrapped)
    return cls


@unittest.skipIf(NATS_SERVER is None, "nats-server is not installed (scripts/install-deps --test installs it)")
class BusCase(KizunaTestCase):
    def setUp(self):
        super().setUp()
        self.nats = NatsServer(tempfile.mkdtemp(prefix="nats-", dir=self.tmp))
        self.addCleanup(self.nats.stop)
        self.procs = []
        self.run_kizuna("init")
        for alias in ("intel", "sightings", "expected"):
            self.run_kizuna("collection", "create", "--title", alias, "--alias", alias)
        self.org = json.loads(self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN",
                                              "--json").stdout)["id"]
        self.other = json.loads(self.run_kizuna("admin", "org", "add", "--name", "OTHER", "--nation", "USA",
                                                "--json").stdout)["id"]
        self.run_kizuna("admin", "user", "add", "sensor", "--org", "CERT-A", "--role", "reader", "--role", "publisher")
        self.run_kizuna("admin", "grant", "intel", "--org", "CERT-A", "--read")
        self.run_kizuna("admin", "grant", "sightings", "--org", "CERT-A", "--read", "--write")
        self.add_indicators(INDICATORS, self.org)
        self.add_indicators([HIDDEN], self.other)

    def add_indicators(self, indicators, creator):
        text = "".join(json.dumps(dict(json.loads(i), created_by_ref=creator)) + "\n" for i in indicators)
        self.run_kizuna("import", self.write("indicators.jsonl", text), "--collection", "intel")

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.communicate()
        super().tearDown()

    def start(self, *args):
        p = subprocess.Popen([KIZUNA, "--data-dir", self.data_dir, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        return p

    def finish(self, p, timeout=60):
        out, err = p.communicate(timeout=timeout)
        self.assertEqual(p.returncode, 0, err)
        return json.loads(out), err

    def bus(self, *extra):
        return self.start("bus", "--nats", self.nats.url, "--as", "sensor", "--collection", "intel",
                          "--sightings-to", "sightings", "--window", str(WINDOW_S), "--json", *extra)

    def worker(self, name="workers", *extra):
        return self.start("match", "--from", self.nats.url, "--durable", name, "--threads", "1", "--json", *extra)

    def ship(self, *inputs, extra=()):
        proc = self.run_kizuna("ship", "--to", self.nats.url, "--input", *inputs, "--sensor", "s1",
                               "--json", *extra)
        return json.loads(proc.stdout)

    def telemetry(self, records):
        return self.write("dns.log", ZEEK_HEADER + dns_lines(0, records))

    def sightings(self, collection):
        """(id, sighted by, indicator, count, first_seen, last_seen) of the latest versions."""
        bundle = json.loads(self.run_kizuna("export", "--collection", collection).stdout)
        return sorted((o["id"], o["created_by_ref"], o["sighting_of_ref"], o["count"], o["first_seen"],
                       o["last_seen"]) for o in bundle["objects"] if o["type"] == "sighting")

    def expected(self, path):
        """What `kizuna match` on the file itself stores, less the sightings of the indicator not
        released to the sensor's user (the operator's match compiles it): what the bus must store."""
        self.run_kizuna("match", "--collection", "intel", "--input", path, "--sightings-to", "expected",
                        "--organization", "CERT-A", "--window", str(WINDOW_S), "--no-stored-allowlists")
        everything = self.sightings("expected")
        self.assertIn(HIDDEN_ID, {s[2] for s in everything})  # the telemetry does hit it
        return [s for s in everything if s[2] != HIDDEN_ID]

    def indicator_messages(self):
        return (self.nats.stream("KIZUNA_INDICATORS") or {}).get("state", {}).get("last_seq", 0)

    def wait_for(self, what, predicate, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        self.fail("timed out waiting for " + what)


@again_if_nats_crashed
class ShipWorkerNode(BusCase):
    def test_sightings_through_the_bus_equal_those_of_kizuna_match(self):
        path = self.telemetry(1000)
        expected = self.expected(path)
        self.assertGreater(len(expected), 3)
        shipped = self.ship(path, extra=("--batch", "100"))
        self.assertEqual((shipped["records"], shipped["batches"]), (1000, 10))
        node = self.bus("--exit-when-idle", "3")
        out, _ = self.finish(self.worker("w", "--exit-when-idle", "2"))
        self.assertEqual((out["batches"], out["records"], out["indicators"]), (10, 1000, 3))
        summary, err = self.finish(node)
        self.assertEqual(summary["records"], 1000, err)
        self.assertEqual(summary["indicators"], 3)  # the TLP:RED one of another organisation: not released
        self.assertEqual(summary["refused_entries"], 0)
        self.assertEqual(summary["sightings"]["rejected"], 0)
        self.assertEqual(self.sightings("sightings"), expected)
        self.assertTrue(all(s[1] == self.org for s in expected))

    def test_a_report_naming_an_indicator_not_published_is_refused(self):
        node = self.bus("--exit-when-idle", "2")
        self.wait_for("the indicator set", lambda: (self.nats.stream("KIZUNA_INDICATORS") or {}).get("state", {}).get("messages", 0) > 0)
        entry = {"window_start_us": START_S * 10**6 // (WINDOW_S * 10**6) * WINDOW_S * 10**6,
                 "first_us": START_S * 10**6, "last_us": START_S * 10**6, "count": 5}
        forged = {"batch": "forged-1", "records": 1, "shipped_us": 0, "set_version": 0,
                  "entries": [dict(entry, indicator="indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000009"),
                              dict(entry, indicator="indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000077")]}
        self.nats.publish("kizuna.sightings", json.dumps(forged))
        self.nats.publish("kizuna.sightings", "not json")
        summary, _ = self.finish(node)
        self.assertEqual(summary["refused_entries"], 2)
        self.assertEqual(len(summary["problems"]), 1)
        self.assertIn("not JSON", summary["problems"][0])
        self.assertEqual(self.sightings("sightings"), [])

    def test_a_new_indicator_reaches_running_workers(self):
        node = self.bus("--check-interval", "1")
        worker = self.worker("w")
        path = self.telemetry(50)
        self.wait_for("the first set", lambda: self.indicator_messages() >= 2)
        self.add_indicators([indicator(4, "[domain-name:value = 'fine.example']")], self.org)
        self.wait_for("the second set", lambda: self.indicator_messages() >= 4)
        time.sleep(1.5)  # the worker checks the head every second
        self.ship(path)
        self.wait_for("the report", lambda: (self.nats.stream("KIZUNA_SIGHTINGS") or {}).get("state", {}).get("messages", 0) >= 1)
        worker.send_signal(signal.SIGTERM)
        out, _ = self.finish(worker)
        self.assertEqual(out["indicators"], 4)
        time.sleep(0.5)
        node.send_signal(signal.SIGTERM)
        self.finish(node)
        self.assertIn("indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000004", {s[2] for s in self.sightings("sightings")})


class SetGrace(BusCase):
    def report(self, batch, *ids):
        entry = {"window_start_us": START_S * 10**6 // (WINDOW_S * 10**6) * WINDOW_S * 10**6,
                 "first_us": START_S * 10**6, "last_us": START_S * 10**6, "count": 2}
        self.nats.publish("kizuna.sightings", json.dumps(
            {"batch": batch, "records": 1, "shipped_us": 0, "set_version": 0,
             "entries": [dict(entry, indicator=i) for i in ids]}))
        time.sleep(0.5)  # the node reads reports every 100 ms

    def test_an_indicator_revoked_two_sets_ago_is_refused(self):
        revoked, kept = (json.loads(INDICATORS[i])["id"] for i in (0, 1))
        node = self.bus("--check-interval", "1", "--set-grace", "600")
        self.wait_for("the first set", lambda: self.indicator_messages() >= 2)
        self.run_kizuna("revoke", revoked, "--collection", "intel", "--organization", "CERT-A")
        self.wait_for("the second set", lambda: self.indicator_messages() >= 4)
        # Revoked in the current set: batches matched against the one before still count.
        self.report("r1", revoked, kept)
        self.add_indicators([indicator(4, "[domain-name:value = 'fine.example']")], self.org)
        self.wait_for("the third set", lambda: self.indicator_messages() >= 6)
        # Two sets ago: refused.
        self.report("r2", revoked, kept)
        node.send_signal(signal.SIGTERM)
        summary, _ = self.finish(node)
        self.assertEqual((summary["sets"], summary["indicators"]), (3, 3))
        self.assertEqual(summary["refused_entries"], 1)
        counts = {s[2]: s[3] for s in self.sightings("sightings")}
        self.assertEqual(counts, {revoked: 2, kept: 4})


    def test_an_indicator_withheld_is_refused_at_once(self):
        """An indicator the policy stops releasing (here: the collection's default release
        changed by another process) leaves the set at the next check, and its reports are
        refused at once, not after the grace."""
        self.run_kizuna("collection", "policy", "intel", "--default-release", "readers")
        shared = indicator(5, "[domain-name:value = 'shared.example']")
        self.add_indicators([shared], self.other)  # unmarked, by USA: released to readers
        withheld, kept = json.loads(shared)["id"], json.loads(INDICATORS[1])["id"]
        node = self.bus("--check-interval", "1", "--set-grace", "600")
        self.wait_for("the first set", lambda: self.indicator_messages() >= 2)
        self.run_kizuna("collection", "policy", "intel")  # back to creator-nation: USA's own
        self.wait_for("the set without it", lambda: self.indicator_messages() >= 4)
        self.report("r1", withheld, kept)
        node.send_signal(signal.SIGTERM)
        summary, _ = self.finish(node)
        self.assertEqual((summary["sets"], summary["indicators"]), (2, 3))
        self.assertEqual(summary["refused_entries"], 1)
        self.assertEqual({s[2]: s[3] for s in self.sightings("sightings")}, {kept: 2})

    def test_marking_definitions_do_not_make_the_set_be_read_at_every_check(self):
        """A new marking definition can only release more, so the set is read again for one
        within a minute, not at every check: whoever may add definitions cannot make the node
        read its whole set once a second."""
        node = self.bus("--check-interval", "1")
        self.wait_for("the first set", lambda: self.indicator_messages() >= 2)
        for i in range(4):
            definition = {"type": "marking-definition", "spec_version": "2.1",
                          "id": "marking-definition--3f1c1b7e-0000-4000-8000-00000000000%d" % i,
                          "created": "2026-01-01T00:00:00.000Z", "name": "statement %d" % i,
                          "definition_type": "statement", "definition": {"statement": "n%d" % i}}
            self.add_indicators([json.dumps(definition)], self.other)
            time.sleep(1.2)
        self.add_indicators([indicator(6, "[domain-name:value = 'later.example']")], self.org)
        self.wait_for("the set with the new indicator", lambda: self.indicator_messages() >= 4)
        node.send_signal(signal.SIGTERM)
        summary, _ = self.finish(node)
        # The first read, and the one the indicator asked for (which also covers the definitions).
        self.assertEqual((summary["set_reads"], summary["sets"]), (2, 2))

    def ends_the_bus(self, change, reason):
        node = self.bus("--check-interval", "1")
        self.wait_for("the first set", lambda: self.indicator_messages() >= 2)
        self.run_kizuna(*change)
        out, err = node.communicate(timeout=30)
        self.assertEqual(node.returncode, 1, err)
        self.assertIn(reason, err)

    def test_a_withdrawn_grant_ends_the_bus(self):
        self.ends_the_bus(("admin", "revoke-grant", "intel", "--org", "CERT-A", "--read"),
                          "may not read collection 'intel'")

    def test_a_disabled_user_ends_the_bus(self):
        self.ends_the_bus(("admin", "user", "disable", "sensor"), "user 'sensor' is disabled")

    def test_a_user_whose_roles_changed_ends_the_bus(self):
        self.ends_the_bus(("admin", "user", "set-roles", "sensor", "--role", "reader"),
                          "user 'sensor' changed")


class NoLoss(BusCase):
    def consumer_pending(self, name):
        stream = self.nats.stream("KIZUNA_TELEMETRY") or {}
        for c in stream.get("consumer_detail", []):
            if c["name"] == name:
                return c.get("num_ack_pending", 0)
        return 0

    def test_workers_and_node_killed_mid_run_lose_and_double_nothing(self):
        path = self.telemetry(3000)
        expected = self.expected(path)
        self.ship(path, extra=("--batch", "20"))
        node = self.bus()
        first = self.worker("w", "--ack-wait", "1")
        # Freeze the first worker while it holds batches it has not acknowledged, then kill it.
        self.wait_for("the first reports", lambda: (self.nats.stream("KIZUNA_SIGHTINGS") or {}).get("state", {}).get("messages", 0) >= 5)
        for _ in range(200):
            first.send_signal(signal.SIGSTOP)
            time.sleep(0.05)
            if self.consumer_pending("w") > 0:
                break
            first.send_signal(signal.SIGCONT)
        self.assertGreater(self.consumer_pending("w"), 0)
        first.kill()
        first.wait()
        # The node too, and a new one started: it reads the reports again, stores nothing twice.
        node.kill()
        node.wait()
        node = self.bus("--exit-when-idle", "3")
        out, _ = self.finish(self.worker("w", "--ack-wait", "1", "--exit-when-idle", "3"))
        self.assertGreater(out["batches"], 0)
        self.assertGreater(out["redelivered"], 0)
        summary, err = self.finish(node)
        self.assertGreater(summary["replayed"], 0)
        self.assertEqual(summary["records"], 3000)  # the reports read again and the new ones: each batch once
        self.assertEqual(summary["sightings"]["rejected"], 0, err)
        self.assertEqual(self.sightings("sightings"), expected)
        reports = self.nats.stream("KIZUNA_SIGHTINGS")["state"]["messages"]
        self.assertEqual(reports, 3000 // 20)  # one report per batch, whoever matched it


class ShipResume(BusCase):
    def test_ship_resumes_at_its_offsets(self):
        path = self.telemetry(100)
        state = os.path.join(self.tmp, "ship.state")
        first = self.ship(path, extra=("--state", state, "--batch", "30"))
        self.assertEqual((first["records"], first["batches"]), (100, 4))
        saved = read(state)
        with open(path, "a") as f:
            f.write(dns_lines(100, 25))
        again = self.ship(path, extra=("--state", state, "--batch", "30"))
        self.assertEqual((again["records"], again["batches"], again["duplicates"]), (25, 1, 0))
        # A shipper that died after publishing and before saving: the batch goes again, and the
        # stream keeps it once.
        with open(state, "w") as f:
            f.write(saved)
        resent = self.ship(path, extra=("--state", state, "--batch", "30"))
        self.assertEqual((resent["records"], resent["duplicates"]), (25, 1))
        self.assertEqual(self.nats.stream("KIZUNA_TELEMETRY")["state"]["messages"], 5)
        self.assertEqual(self.ship(path, extra=("--state", state))["records"], 0)

    def test_a_partial_last_line_waits_for_its_end(self):
        path = self.write("dns.log", ZEEK_HEADER + dns_lines(0, 3) + "1700000099.000000\tCx\t10.0")
        self.assertEqual(self.ship(path, extra=("--state", os.path.join(self.tmp, "s")))["records"], 3)


def openssl(folder, *args):
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def make_pki(folder):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, in `folder`."""
    openssl(folder, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=kizuna test CA")
    with open(os.path.join(folder, "san"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        openssl(folder, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name)
        openssl(folder, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".pem", "-days", "1", "-extfile", "san")
        os.chmod(os.path.join(folder, name + ".key"), 0o600)
    return {n: os.path.join(folder, n) for n in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")}


@unittest.skipIf(NATS_SERVER is None, "nats-server is not installed (scripts/install-deps --test installs it)")
class Security(KizunaTestCase):
    """TLS and credentials, against nats-server configured for them."""

    def server(self, *extra, scheme="nats"):
        nats = NatsServer(tempfile.mkdtemp(prefix="nats-", dir=self.tmp), extra, scheme)
        self.addCleanup(nats.stop)
        return nats

    def ship(self, url, *flags, expect=0):
        path = self.write("dns.log", ZEEK_HEADER + dns_lines(0, 3))
        proc = self.run_kizuna("ship", "--to", url, "--input", path, "--sensor", "s", *flags, expect=expect)
        return proc.stdout.decode() + proc.stderr.decode()

    def test_tls_needs_the_ca_and_the_servers_name(self):
        pki = make_pki(self.tmp)
        nats = self.server("--tls", "--tlscert", pki["server.pem"], "--tlskey", pki["server.key"], scheme="tls")
        self.assertIn("shipped 3 records", self.ship(nats.url, "--nats-ca", pki["ca.pem"]))
        # Without the CA (the system's are not it), and with another name than the certificate's.
        err = self.ship(nats.url, expect=1)
        self.assertIn("unable to get local issuer certificate", err)
        self.assertIn("connecting to " + nats.url, err)
        err = self.ship(nats.url, "--nats-ca", pki["ca.pem"], "--nats-tls-name", "other.example", expect=1)
        self.assertIn("mismatch", err)
        # A nats:// URL with a CA still speaks TLS; without one, the server's TLS is not trusted.
        plain = nats.url.replace("tls://", "nats://")
        self.assertIn("shipped 3 records", self.ship(plain, "--nats-ca", pki["ca.pem"]))
        self.assertIn("unable to get local issuer certificate", self.ship(plain, expect=1))

    def test_client_certificates(self):
        pki = make_pki(self.tmp)
        nats = self.server("--tlsverify", "--tlscert", pki["server.pem"], "--tlskey", pki["server.key"],
                           "--tlscacert", pki["ca.pem"], scheme="tls")
        self.assertIn("shipped 3 records", self.ship(nats.url, "--nats-ca", pki["ca.pem"], "--nats-cert",
                                                     pki["client.pem"], "--nats-key", pki["client.key"]))
        self.ship(nats.url, "--nats-ca", pki["ca.pem"], expect=1)
        err = self.ship(nats.url, "--nats-ca", pki["ca.pem"], "--nats-cert", pki["client.pem"], expect=1)
        self.assertIn("both the certificate and its key", err)
        os.chmod(pki["client.key"], 0o644)
        err = self.ship(nats.url, "--nats-ca", pki["ca.pem"], "--nats-cert", pki["client.pem"], "--nats-key",
                        pki["client.key"], expect=1)
        self.assertIn("chmod 600", err)

    def test_user_and_password_never_shown(self):
        nats = self.server("--user", "sensor", "--pass", "s3cret-pass")
        good = self.write("password", "s3cret-pass\n")
        os.chmod(good, 0o600)
        bad = self.write("wrong", "wrong-pass-77\n")
        os.chmod(bad, 0o600)
        self.assertIn("shipped 3 records", self.ship(nats.url, "--nats-user", "sensor", "--nats-password-file", good))
        err = self.ship(nats.url, "--nats-user", "sensor", "--nats-password-file", bad, expect=1)
        self.assertIn("Authorization Violation", err)
        self.assertNotIn("wrong-pass-77", err)
        with_password = nats.url.replace("nats://", "nats://sensor:wrong-pass-77@")
        err = self.ship(with_password, expect=1)
        self.assertIn("Authorization Violation", err)
        self.assertNotIn("wrong-pass-77", err)
        self.assertIn("shipped 3 records", self.ship(nats.url.replace("nats://", "nats://sensor:s3cret-pass@")))
        err = self.ship(nats.url, "--nats-creds", self.write("none.creds", ""), "--nats-user", "sensor",
                        "--nats-password-file", good, expect=1)
        self.assertIn("not both", err)


class Usage(KizunaTestCase):
    def test_help_and_bad_input(self):
        nats = ["--nats-ca", "--nats-tls-name", "--nats-cert", "--nats-key", "--nats-creds", "--nats-user",
                "--nats-password-file"]
        for cmd, words in ((["ship"], ["--to", "--state", "--batch", "--follow", *nats]),
                           (["bus"], ["--nats", "--as", "--sightings-to", "--window", "--set-grace", *nats]),
                           (["match"], ["--from", "--durable", "--ack-wait", *nats])):
            out = self.run_kizuna(*cmd, "--help").stdout.decode()
            for w in words:
                self.assertIn(w, out)
        path = self.write("x.log", "")
        # Credentials to a server not on this host need TLS: refused before connecting (0.0.0.0,
        # were it tried, is this host too, so no packet leaves it).
        creds_file = self.write("some.creds", "")
        os.chmod(creds_file, 0o600)
        for creds in (["--to", "nats://sensor:pw@0.0.0.0:1"], ["--to", "nats://0.0.0.0:1", "--nats-creds", creds_file]):
            err = self.run_kizuna("ship", *creds, "--input", path, expect=1).stderr.decode()
            self.assertIn("go only over TLS", err)
            self.assertNotIn("pw@", err)
        err = self.run_kizuna("ship", "--to", "http://127.0.0.1:1", "--input", path, expect=1).stderr.decode()
        self.assertIn("NATS URL 'http://127.0.0.1:1'", err)
        err = self.run_kizuna("match", "--from", "nats://127.0.0.1:1", expect=1).stderr.decode()
        self.assertIn("--durable", err)


if __name__ == "__main__":
    unittest.main()
