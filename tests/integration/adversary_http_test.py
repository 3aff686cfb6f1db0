"""Issue 16, the HTTP server and authentication: a real `kizuna serve` with TLS on 127.0.0.1,
attacked by an unauthenticated network client with raw sockets and the ssl module, and
probed with `openssl s_client`. Attackers send from other loopback addresses (127.0.0.2 and
up, all on the loopback interface) so that limits kept per client address can be told apart
from the legitimate client on 127.0.0.1. Time-outs and limits are small, set in the node's
configuration file; no test asserts how fast anything is."""
import gzip
import json
import os
import select
import socket
import sqlite3
import ssl
import subprocess
import threading
import time
import unittest
import uuid

from node import TAXII, Alliance, Client, Node, run

STIX_ID = "indicator--%s"


def indicator(n=None):
    return {"type": "indicator", "spec_version": "2.1", "id": STIX_ID % (uuid.uuid4() if n is None else uuid.UUID(int=n, version=4)),
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z"}


class Raw:
    """One TLS connection from a chosen loopback address, speaking HTTP/1.1 by hand."""

    def __init__(self, node, source="127.0.0.1", timeout=20):
        sock = socket.create_connection(("127.0.0.1", node.port), timeout=timeout, source_address=(source, 0))
        self.sock = node.context().wrap_socket(sock, server_hostname="127.0.0.1")
        self.pending = b""

    def send(self, data):
        self.sock.sendall(data)

    def read_response(self, head_only=False):
        """Returns (status, headers with lower-case names, body); an empty status on EOF."""
        while b"\r\n\r\n" not in self.pending:
            chunk = self.sock.recv(65536)
            if not chunk:
                return 0, {}, b""
            self.pending += chunk
        head, self.pending = self.pending.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head_only else int(headers.get("content-length", "0"))
        while len(self.pending) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.pending += chunk
        body, self.pending = self.pending[:length], self.pending[length:]
        return int(lines[0].split(" ")[1]), headers, body

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def request(method, path, token=None, body=b"", headers=()):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1", "Accept: " + TAXII]
    if token:
        lines.append("Authorization: Bearer " + token)
    if body:
        lines += ["Content-Type: " + TAXII, "Content-Length: %d" % len(body)]
    lines += list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def exchange(node, data, source="127.0.0.1", head_only=False, timeout=20):
    raw = Raw(node, source, timeout)
    try:
        raw.send(data)
        return raw.read_response(head_only)
    finally:
        raw.close()


def closed_by_peer(sock):
    """Whether the other side closed `sock` (without waiting)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1) == b""
    except (ssl.SSLError, OSError):
        return True


def bad_token(n):
    """A well-formed token of an id nobody holds."""
    return "kz_%016x_%s" % (0xbad00000 + n, "A" * 43)


class Attacked(unittest.TestCase):
    """A node with one organisation, a publisher, a collection, and the class's CONFIG."""

    CONFIG = ""

    @classmethod
    def setUpClass(cls):
        a = cls.alliance = Alliance()
        a.collection("shared", "Shared", default_release="readers")
        a.org("JPN-CERT", "JPN")
        cls.token = a.user("jpn-analyst", "JPN-CERT", "publisher")
        a.grant("shared", "JPN-CERT", read=True, write=True)
        cls.node = Node(a.data_dir, config=cls.CONFIG)
        cls.client = Client(cls.node, cls.token)
        cls.objects = "/intel/collections/%s/objects/" % a.collections["shared"]

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    def new_token(self):
        """A token the node has not verified yet: its first use needs the slow hash."""
        out = run("admin", "token", "create", "jpn-analyst", "--json", data_dir=self.alliance.data_dir)
        return json.loads(out)["token"]


class FailedLoginTest(Attacked):
    CONFIG = "auth:\n  max_failures_per_client: 5\n  max_tracked_clients: 8\n"

    def test_failures_count_per_address_not_per_connection(self):
        """Finding 4: failed logins were counted per address and port, so every new
        connection started afresh. Now a client that fails from many connections is blocked,
        and only that client."""
        for n in range(8):  # each on a new connection, so from a new port
            status, _, _ = exchange(self.node, request("GET", "/taxii2/", bad_token(n)), source="127.0.0.2")
            self.assertEqual(status, 401)
        fresh = self.new_token()
        status, _, _ = exchange(self.node, request("GET", "/taxii2/", fresh), source="127.0.0.2")
        self.assertEqual(status, 401, "the blocked address gets no slow verification")
        status, _, body = exchange(self.node, request("GET", "/taxii2/", fresh), source="127.0.0.1")
        self.assertEqual(status, 200, body)

    def test_a_flood_from_many_addresses_never_locks_out_a_valid_token(self):
        """Finding 4: bad tokens from many clients filled the failure table, and then every
        valid token not yet verified got 401 for a minute (the table failed closed)."""
        for host in range(1, 25):  # three times the table, every client blocked
            for n in range(5):
                status, _, _ = exchange(self.node, request("GET", "/taxii2/", bad_token(n)),
                                        source="127.0.1.%d" % host)
                self.assertIn(status, (401, 503))
        for source in ("127.0.0.1", "127.0.0.9"):
            status, _, body = exchange(self.node, request("GET", "/taxii2/", self.new_token()), source=source)
            self.assertEqual(status, 200, body)


class ConnectionTest(Attacked):
    CONFIG = ("limits:\n  request_timeout_ms: 1500\n  idle_timeout_ms: 60000\n  max_connections: 40\n"
              "  max_connections_per_client: 8\n  reserved_connections: 4\n")

    def open_many(self, source, count):
        """Opens up to `count` TLS connections from `source`; returns those the node kept."""
        kept = []
        for _ in range(count):
            try:
                kept.append(Raw(self.node, source, timeout=10))
            except (ssl.SSLError, OSError):
                pass
        return kept

    def close_all(self, connections):
        for c in connections:
            c.close()
        time.sleep(0.5)  # let the node see them go before the next test

    def test_one_client_cannot_take_every_connection(self):
        """Finding 6: 1,024 idle connections from one client made the node refuse every new
        connection, /healthz included. Now one client holds at most its cap."""
        hog = self.open_many("127.0.0.3", 20)
        try:
            self.assertEqual(len(hog), 8)
            status, _, body = exchange(self.node, request("GET", "/healthz"))
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body), {"status": "ok"})
            self.assertEqual(self.client.get("/taxii2/").status, 200)
        finally:
            self.close_all(hog)

    def test_the_last_connections_are_kept_for_newcomers(self):
        """Finding 6: clients that each stay under their cap still leave a reserve for a
        client with no connection yet (a health check)."""
        held = []
        try:
            for host in range(10, 14):
                held += self.open_many("127.0.0.%d" % host, 8)
            held += self.open_many("127.0.0.14", 4)
            self.assertEqual(len(held), 36)  # 4 of 40 free: the reserve
            self.assertEqual(self.open_many("127.0.0.14", 1), [], "a client with connections gets no reserve")
            status, _, _ = exchange(self.node, request("GET", "/healthz"))
            self.assertEqual(status, 200)
        finally:
            self.close_all(held)

    def test_a_dripped_header_is_cut_at_the_request_timeout(self):
        """Finding 6: a header sent a byte at a time was cut only by the idle time-out (60 s
        by default), not by the request time-out (30 s). Here they are 1.5 s and 60 s."""
        raw = Raw(self.node, "127.0.0.4")
        started = time.monotonic()
        cut = False
        try:
            raw.send(b"GET /healthz HTTP/1.1\r\n")
            for n in range(100):  # 30 s of dripping, unless the node cuts it
                time.sleep(0.3)
                if closed_by_peer(raw.sock):
                    cut = True
                    break
                try:
                    raw.send(b"X-Drip-%d: x\r\n" % n)
                except OSError:
                    cut = True
                    break
        finally:
            raw.close()
        self.assertTrue(cut, "the dripping client was never cut")
        self.assertLess(time.monotonic() - started, 20, "cut by the request time-out, not the idle one")

    def test_the_idle_time_out_applies_before_the_first_byte(self):
        """Finding 6: a connection waiting for its next request is idle, not slow: it may wait
        longer than the request time-out and is then served."""
        raw = Raw(self.node, "127.0.0.5")
        try:
            time.sleep(2.5)  # more than request_timeout (1.5 s), less than idle_timeout (60 s)
            raw.send(request("GET", "/healthz"))
            status, _, _ = raw.read_response()
            self.assertEqual(status, 200)
        finally:
            raw.close()


class WriterTest(Attacked):
    CONFIG = "threads: 1\nlimits:\n  max_pending_writes: 1\n"

    def test_reads_and_healthz_do_not_wait_behind_a_stuck_write(self):
        """Finding 7: a POST waiting for the store's writer held up every connection of its
        event loop, /healthz included. Here the database's write lock is held by another
        process, so a POST waits; reads and /healthz are still answered (also a read with a
        token used for the first time, whose last use is written later), and a second write
        is told to retry rather than queued."""
        posted = {}
        reader = self.new_token()  # its first use verifies it and records its last use
        db = sqlite3.connect(os.path.join(self.alliance.data_dir, "kizuna.db"), timeout=30, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")  # the write lock, as a slow write would hold it
        try:
            def post():
                posted["status"] = exchange(self.node, request("POST", self.objects, self.token,
                                                               json.dumps({"objects": [indicator()]}).encode()))[0]
            writer = threading.Thread(target=post)
            writer.start()
            time.sleep(0.5)  # the POST reaches the store and waits for its lock
            # The store waits up to 10 s for its lock; reads must not wait with it.
            status, _, body = exchange(self.node, request("GET", "/healthz"), timeout=5)
            self.assertEqual(status, 200)
            self.assertNotIn("status", posted, "the POST is still waiting for the store")
            status, _, body = exchange(self.node, request("GET", self.objects, reader), timeout=5)
            self.assertEqual(status, 200, body)
            status, headers, body = exchange(self.node, request("POST", self.objects, self.token,
                                                                json.dumps({"objects": [indicator()]}).encode()),
                                             timeout=5)
            self.assertEqual(status, 503, body)
            self.assertEqual(headers.get("retry-after"), "1")
            self.assertIn("retry", json.loads(body)["description"])
            self.assertNotIn("status", posted, "the first POST is still waiting")
        finally:
            db.execute("ROLLBACK")
            db.close()
        writer.join(30)
        self.assertEqual(posted.get("status"), 202)


class TlsTest(Attacked):
    def s_client(self, *args):
        proc = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % self.node.port,
                               "-servername", "localhost", *args], input=b"", capture_output=True, timeout=30)
        out = proc.stdout.decode(errors="replace")
        for line in out.splitlines():
            if "Cipher is" in line:
                return line.split("Cipher is")[1].strip()
        return "(NONE)"

    def test_tls12_refuses_rsa_key_exchange_cbc_and_sha1(self):
        """Finding 12: TLS 1.2 accepted RSA key exchange, CBC and SHA-1 suites."""
        for cipher in ("AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384",
                       "DHE-RSA-AES128-GCM-SHA256"):
            self.assertEqual(self.s_client("-tls1_2", "-cipher", cipher), "(NONE)", cipher)

    def test_intermediate_suites_are_accepted_in_the_servers_order(self):
        """Finding 12: ECDHE with AES-GCM or CHACHA20-POLY1305 is accepted, and the server's
        preference wins over the client's order."""
        for cipher in ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"):
            self.assertEqual(self.s_client("-tls1_2", "-cipher", cipher), cipher)
        self.assertEqual(self.s_client("-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256"),
                         "ECDHE-RSA-AES128-GCM-SHA256")
        self.assertEqual(self.s_client("-tls1_3"), "TLS_AES_128_GCM_SHA256")


class HttpTest(Attacked):
    def test_errors_quoting_invalid_utf8_are_valid_json(self):
        """Finding 13: raw invalid UTF-8 from the request was echoed into a JSON error."""
        for target in (self.objects + "?match[type]=in%FFdicator%C0%AF",
                       self.objects.encode() + b"?match[type]=in\xffdicator"):
            data = request("GET", "PATH", self.token).replace(b"PATH", target if isinstance(target, bytes) else target.encode())
            status, _, body = exchange(self.node, data)
            self.assertEqual(status, 400, body)
            error = json.loads(body.decode("utf-8"))  # strict: fails on invalid UTF-8
            self.assertIn("\ufffd", error["description"])

    def test_a_broken_chunked_body_is_answered_400(self):
        """Finding 13: a malformed chunked body closed the connection without an answer."""
        head = request("POST", self.objects, self.token, headers=["Content-Type: " + TAXII,
                                                                  "Transfer-Encoding: chunked"])
        status, _, body = exchange(self.node, head + b"zz\r\n{}\r\n0\r\n\r\n")
        self.assertEqual(status, 400, body)
        self.assertIn("chunked", json.loads(body)["description"])

    def test_content_codings_are_refused_with_415(self):
        """Finding 13: a gzip-encoded body was read as if it were plain JSON."""
        envelope = gzip.compress(json.dumps({"objects": [indicator()]}).encode())
        status, headers, body = exchange(self.node, request("POST", self.objects, self.token, envelope,
                                                            headers=["Content-Encoding: gzip"]))
        self.assertEqual(status, 415, body)
        self.assertIn("gzip", json.loads(body)["description"])
        self.assertEqual(headers.get("accept-encoding"), "identity")
        head = request("POST", self.objects, self.token, headers=["Content-Type: " + TAXII,
                                                                  "Transfer-Encoding: gzip, chunked"])
        status, _, body = exchange(self.node, head + b"5\r\nhello\r\n0\r\n\r\n")
        self.assertEqual(status, 501, body)

    def test_head_sends_the_get_headers_without_the_body(self):
        """Finding 13: HEAD answered Content-Length: 0. It must announce the length of the
        body GET sends, and send no body (the next response on the connection proves it)."""
        self.assertEqual(self.client.post(self.objects, {"objects": [indicator(n) for n in range(3)]}).status, 202)
        raw = Raw(self.node)
        try:
            for path in (self.objects, "/taxii2/", "/healthz"):
                raw.send(request("GET", path, self.token))
                status, get_headers, get_body = raw.read_response()
                self.assertEqual(status, 200)
                raw.send(request("HEAD", path, self.token) + request("GET", "/healthz"))
                status, headers, _ = raw.read_response(head_only=True)
                self.assertEqual(status, 200)
                self.assertEqual(int(headers["content-length"]), len(get_body), path)
                self.assertEqual(headers["content-type"], get_headers["content-type"])
                status, _, body = raw.read_response()  # would read HEAD's body if one was sent
                self.assertEqual((status, json.loads(body)), (200, {"status": "ok"}))
        finally:
            raw.close()


if __name__ == "__main__":
    unittest.main()
