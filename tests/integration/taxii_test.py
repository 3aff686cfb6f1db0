"""The TAXII 2.1 server, started for real on 127.0.0.1 and driven by a standard-library client."""
import json
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
import unittest
import uuid

from node import TAXII, Alliance, Client, Node, run

STIX = "application/stix+json;version=2.1"


def indicator(n, modified="2026-01-01T00:00:00.000Z", creator=None, **extra):
    o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
         "created": "2026-01-01T00:00:00.000Z", "modified": modified, "pattern": "[ipv4-addr:value = '198.51.100.%d']" % (n % 256),
         "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}
    if creator:
        o["created_by_ref"] = creator
    o.update(extra)
    return o


class TaxiiServerTest(unittest.TestCase):
    """One node for the whole class: JPN and USA organisations, a shared and a private collection."""

    @classmethod
    def setUpClass(cls):
        a = cls.alliance = Alliance()
        a.collection("shared", "JPN-USA shared", default_release="readers")
        a.collection("jpn-only", "JPN internal", default_release="readers")
        a.org("JPN-CERT", "JPN")
        a.org("USA-CERT", "USA")
        cls.jpn_writer = a.user("jpn-analyst", "JPN-CERT", "publisher")
        cls.usa_reader = a.user("usa-reader", "USA-CERT", "reader")
        cls.admin = a.user("root", "JPN-CERT", "node-admin")
        a.grant("shared", "JPN-CERT", read=True, write=True)
        a.grant("shared", "USA-CERT", read=True)
        a.grant("jpn-only", "JPN-CERT", read=True, write=True)
        cls.node = Node(a.data_dir, config="limits:\n  max_content_length: 200000\n  default_page: 3\n  max_page: 5\n")
        cls.jpn = Client(cls.node, cls.jpn_writer)
        cls.usa = Client(cls.node, cls.usa_reader, user="usa-reader", basic=True)
        cls.shared = "/intel/collections/%s/" % a.collections["shared"]
        cls.private = "/intel/collections/%s/" % a.collections["jpn-only"]
        cls.jpn_org = a.orgs["JPN-CERT"]

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    def post(self, collection, objects, client=None):
        return (client or self.jpn).post(collection + "objects/", {"objects": objects})

    def test_discovery_api_root_and_collections(self):
        d = self.usa.get("/taxii2/")
        self.assertEqual(d.status, 200)
        self.assertEqual(d.headers["Content-Type"], TAXII)
        self.assertTrue(d.json()["default"].startswith("https://127.0.0.1:"))
        root = self.usa.get("/intel/").json()
        self.assertEqual(root["versions"], [TAXII])
        self.assertEqual(root["max_content_length"], 200000)
        usa_sees = {c["alias"]: c for c in self.usa.get("/intel/collections/").json()["collections"]}
        self.assertEqual(set(usa_sees), {"shared"})
        self.assertEqual((usa_sees["shared"]["can_read"], usa_sees["shared"]["can_write"]), (True, False))
        jpn_sees = {c["alias"] for c in self.jpn.get("/intel/collections/").json()["collections"]}
        self.assertEqual(jpn_sees, {"shared", "jpn-only"})
        self.assertEqual(self.usa.get(self.private).status, 404)  # invisible, not forbidden

    def test_add_get_versions_manifest_delete(self):
        obj = indicator(1001, creator=self.jpn_org)
        v2 = dict(obj, modified="2026-02-01T00:00:00.000Z", name="second version")
        r = self.post(self.shared, [obj, v2, {"type": "indicator", "id": "indicator--bad"}])
        self.assertEqual(r.status, 202)
        status = r.json()
        self.assertEqual((status["total_count"], status["success_count"], status["failure_count"]), (3, 2, 1))
        self.assertEqual(status["failures"][0]["id"], "indicator--bad")
        again = self.jpn.get("/intel/status/%s/" % status["id"])
        self.assertEqual(again.json(), status)
        self.assertEqual(self.usa.get("/intel/status/%s/" % status["id"]).status, 404)

        path = self.shared + "objects/%s/" % obj["id"]
        latest = self.usa.get(path)
        self.assertEqual(latest.status, 200)
        self.assertEqual(latest.json()["objects"], [v2])
        self.assertIn("X-TAXII-Date-Added-First", latest.headers)
        self.assertEqual(len(self.usa.get(path + "?match[version]=all").json()["objects"]), 2)
        self.assertEqual(self.usa.get(path + "?match[version]=first").json()["objects"], [obj])
        versions = self.usa.get(path + "versions/").json()["versions"]
        self.assertEqual(versions, ["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"])
        manifest = self.usa.get(self.shared + "manifest/?match[id]=" + obj["id"]).json()["objects"]
        self.assertEqual(len(manifest), 1)
        self.assertEqual((manifest[0]["version"], manifest[0]["media_type"]), ("2026-02-01T00:00:00.000Z", STIX))

        self.assertEqual(self.usa.delete(path).status, 403)
        self.assertEqual(self.jpn.delete(path + "?match[version]=2026-02-01T00:00:00.000Z").status, 200)
        self.assertEqual(self.usa.get(path).json()["objects"], [obj])
        self.assertEqual(self.jpn.delete(path).status, 200)
        self.assertEqual(self.usa.get(path).status, 404)
        # Each delete wrote its audit entry (in the delete's own transaction).
        events = json.loads(run("admin", "audit", "--limit", "1000", "--json", data_dir=self.alliance.data_dir))
        deletes = [(e["actor"], e["target"], e["details"]["versions"]) for e in events
                   if e["action"] == "object.delete" and e["details"]["id"] == obj["id"]]
        self.assertEqual(deletes, [("jpn-analyst", self.alliance.collections["shared"], 1)] * 2)

    def test_pagination_with_next_and_added_after(self):
        objs = [indicator(2000 + i) for i in range(11)]
        self.assertEqual(self.post(self.private, objs).status, 202)
        seen, url, pages = [], self.private + "objects/?match[id]=" + ",".join(o["id"] for o in objs), 0
        while True:
            r = self.jpn.get(url)
            self.assertEqual(r.status, 200)
            env = r.json()
            seen += [o["id"] for o in env["objects"]]
            pages += 1
            if not env["more"]:
                break
            url = self.private + "objects/?match[id]=" + ",".join(o["id"] for o in objs) + "&next=" + env["next"]
        self.assertEqual(pages, 4)  # default page 3
        self.assertEqual(seen, [o["id"] for o in objs])
        # Clients without next use added_after = X-TAXII-Date-Added-Last.
        first = self.jpn.get(self.private + "objects/?limit=5")
        last = first.headers["X-TAXII-Date-Added-Last"]
        after = self.jpn.get(self.private + "objects/?limit=5&added_after=" + last).json()["objects"]
        self.assertNotIn(first.json()["objects"][-1]["id"], [o["id"] for o in after])
        self.assertEqual(len(self.jpn.get(self.private + "objects/?limit=100000").json()["objects"]), 5)
        forged = self.jpn.get(self.private + "objects/?next=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        self.assertEqual(forged.status, 400)
        self.assertEqual(forged.json()["http_status"], "400")

    def test_error_statuses(self):
        anon = Client(self.node)
        self.assertEqual(anon.get("/taxii2/").status, 401)
        self.assertEqual(Client(self.node, "kz_not_a_token").get("/taxii2/").status, 401)
        self.assertEqual(Client(self.node, self.usa_reader, user="jpn-analyst", basic=True).get("/taxii2/").status, 401)
        self.assertEqual(self.usa.get("/taxii2/", accept="application/json").status, 406)
        self.assertEqual(self.jpn.post(self.shared + "objects/", {"objects": []}, content_type="application/json").status, 415)
        self.assertEqual(self.post(self.shared, [indicator(1)], client=self.usa).status, 403)
        self.assertEqual(self.jpn.request("PUT", self.shared + "objects/").status, 405)
        self.assertEqual(self.usa.get("/intel/collections/no-such/objects/").status, 404)
        self.assertEqual(self.usa.get("/intel/collections/%s/objects/" % self.alliance.collections["shared"][:-1]).status, 404)
        big = {"objects": [indicator(5000 + i, description="x" * 1000) for i in range(300)]}
        self.assertEqual(self.jpn.post(self.shared + "objects/", big).status, 413)
        self.assertEqual(self.jpn.post(self.shared + "objects/", b'{"objects": [{"type": "x"').status, 400)
        bad_utf8 = b'{"objects": [{"type": "indicator", "id": "indicator--' + str(uuid.uuid4()).encode() + b'", "name": "\xff\xfe"}]}'
        r = self.jpn.post(self.shared + "objects/", bad_utf8)
        self.assertEqual(r.status, 202)
        self.assertIn("UTF-8", r.json()["failures"][0]["message"])
        self.assertEqual(self.usa.get("/intel/collections/../../etc/passwd/").status, 404)
        self.assertEqual(self.usa.get("/intel/collections/%2e%2e/objects/").status, 404)

    def test_curl_is_a_client_too(self):
        out = subprocess.run(["curl", "-sS", "--cacert", self.node.cert, "-H", "Accept: " + TAXII,
                              "-H", "Authorization: Bearer " + self.usa_reader, self.node.base + "/taxii2/"],
                             capture_output=True, check=True).stdout
        self.assertEqual(json.loads(out)["title"], "Kizuna TAXII server")
        body = json.dumps({"objects": [indicator(7777)]})
        out = subprocess.run(["curl", "-sS", "--cacert", self.node.cert, "-H", "Accept: " + TAXII,
                              "-H", "Content-Type: " + TAXII, "-H", "Authorization: Bearer " + self.jpn_writer,
                              "--data-binary", body, self.node.base + self.shared + "objects/"],
                             capture_output=True, check=True).stdout
        self.assertEqual(json.loads(out)["success_count"], 1)

    def test_healthz_and_metrics(self):
        self.assertEqual(Client(self.node).get("/healthz").status, 200)
        self.assertEqual(self.usa.get("/metrics").status, 403)
        m = Client(self.node, self.admin).get("/metrics", accept=None)
        self.assertEqual(m.status, 200)
        self.assertIn(b"kizuna_http_requests_total{", m.body)
        self.assertIn(b"kizuna_http_request_duration_seconds_bucket", m.body)
        self.assertIn(b"kizuna_objects_stored", m.body)

    def test_concurrent_writers_and_readers(self):
        alliance_collection = self.private
        errors, written = [], []

        def writer(w):
            for batch in range(8):
                objs = [indicator(100000 + w * 1000 + batch * 10 + i) for i in range(10)]
                r = self.post(alliance_collection, objs)
                if r.status != 202 or r.json()["success_count"] != 10:
                    errors.append(("post", r.status, r.body[:200]))
                written.extend(o["id"] for o in objs)

        def reader():
            for _ in range(10):
                url, seen, last = alliance_collection + "objects/?limit=5&match[version]=all", set(), ""
                while True:
                    r = self.jpn.get(url)
                    if r.status != 200:
                        errors.append(("get", r.status, r.body[:200]))
                        return
                    env = r.json()
                    first = r.headers.get("X-TAXII-Date-Added-First", "")
                    if first and first <= last:
                        errors.append(("order", first, last))  # a page must start after the previous one
                    last = r.headers.get("X-TAXII-Date-Added-Last", last)
                    for o in env.get("objects", []):
                        key = (o["id"], o["modified"])
                        if key in seen:
                            errors.append(("duplicate", key))
                        seen.add(key)
                    if not env["more"]:
                        break
                    url = alliance_collection + "objects/?limit=5&match[version]=all&next=" + env["next"]

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
        threads += [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        ids = set()
        url = alliance_collection + "objects/?limit=5&match[type]=indicator"
        while True:
            env = self.jpn.get(url).json()
            ids |= {o["id"] for o in env.get("objects", [])}
            if not env["more"]:
                break
            url = alliance_collection + "objects/?limit=5&match[type]=indicator&next=" + env["next"]
        self.assertTrue(set(written) <= ids)


class RawHttpTest(unittest.TestCase):
    """Malformed and hostile HTTP on a plain loopback node (--dev)."""

    @classmethod
    def setUpClass(cls):
        a = cls.alliance = Alliance()
        a.collection("c")
        a.org("JPN-CERT", "JPN")
        cls.token = a.user("u", "JPN-CERT", "publisher")
        a.grant("c", "JPN-CERT", read=True, write=True)
        cls.node = Node(a.data_dir, tls=False,
                        config="limits:\n  request_timeout_ms: 1500\n  idle_timeout_ms: 3000\n  max_header_bytes: 4096\n")
        cls.client = Client(cls.node, cls.token)

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    def raw(self, data, read_timeout=5):
        with socket.create_connection(("127.0.0.1", self.node.port), timeout=read_timeout) as s:
            s.sendall(data)
            chunks = []
            try:
                while True:
                    b = s.recv(65536)
                    if not b:
                        break
                    chunks.append(b)
            except socket.timeout:
                pass
            return b"".join(chunks)

    def test_malformed_request_line(self):
        self.assertTrue(self.raw(b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400"))
        self.assertTrue(self.raw(b"GET /taxii2/ HTTP/9.9\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 400"))
        self.assertTrue(self.raw(b"\x16\x03\x01\x00\x05hello").startswith(b"HTTP/1.1 400"))

    def test_oversized_header(self):
        r = self.raw(b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10000 + b"\r\n\r\n")
        self.assertTrue(r.startswith(b"HTTP/1.1 400"), r[:100])

    def test_oversized_body_is_refused_before_reading_it(self):
        head = ("POST /intel/collections/c/objects/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: %s\r\nContent-Length: 999999999\r\n\r\n" % (self.token, TAXII)).encode()
        self.assertTrue(self.raw(head).startswith(b"HTTP/1.1 413"))

    def test_slowloris_is_cut_off_and_others_are_served(self):
        s = socket.create_connection(("127.0.0.1", self.node.port))
        s.sendall(b"GET /taxii2/ HTTP/1.1\r\n")
        start = time.time()
        closed = False
        try:
            for _ in range(20):
                time.sleep(0.3)
                s.sendall(b"X-Drip: 1\r\n")  # never finishes the header
        except OSError:
            closed = True
        if not closed:
            s.settimeout(5)
            closed = s.recv(1) == b""
        s.close()
        self.assertTrue(closed)
        self.assertLess(time.time() - start, 6.5)
        self.assertEqual(self.client.get("/taxii2/").status, 200)

    def test_keep_alive_serves_several_requests(self):
        req = ("GET /taxii2/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % self.token).encode()
        r = self.raw(req * 3, read_timeout=1)
        self.assertEqual(r.count(b"HTTP/1.1 200"), 3)

    def test_graceful_shutdown_finishes_requests_in_flight(self):
        a = Alliance()
        try:
            a.collection("c", default_release="readers")
            a.org("O", "JPN")
            token = a.user("u", "O", "publisher")
            a.grant("c", "O", read=True, write=True)
            node = Node(a.data_dir, tls=False)
            client = Client(node, token)
            results = []
            objs = [indicator(900000 + i) for i in range(3000)]
            t = threading.Thread(target=lambda: results.append(client.post("/intel/collections/c/objects/", {"objects": objs})))
            t.start()
            time.sleep(0.05)
            code = node.stop(signal.SIGTERM)
            t.join()
            self.assertEqual(code, 0)
            if results and results[0].status == 202:  # the request was in flight: it completed
                self.assertEqual(results[0].json()["success_count"], 3000)
            # A restarted node still has every acknowledged object and the status.
            node = Node(a.data_dir, tls=False)
            try:
                if results and results[0].status == 202:
                    sid = results[0].json()["id"]
                    self.assertEqual(Client(node, token).get("/intel/status/%s/" % sid).json()["success_count"], 3000)
            finally:
                node.stop()
        finally:
            a.cleanup()


class RestartTest(unittest.TestCase):
    def test_data_and_statuses_survive_a_restart(self):
        a = Alliance()
        try:
            a.collection("c", default_release="readers")
            a.org("O", "KOR")
            token = a.user("u", "O", "publisher")
            a.grant("c", "O", read=True, write=True)
            node = Node(a.data_dir)
            r = Client(node, token).post("/intel/collections/c/objects/", {"objects": [indicator(42)]})
            self.assertEqual(r.status, 202)
            node.stop(signal.SIGKILL)  # not even a graceful stop
            node = Node(a.data_dir)
            try:
                c = Client(node, token)
                self.assertEqual(c.get("/intel/status/%s/" % r.json()["id"]).json(), r.json())
                self.assertEqual(c.get("/intel/collections/c/objects/").json()["objects"], [indicator(42)])
            finally:
                node.stop()
        finally:
            a.cleanup()


if __name__ == "__main__":
    unittest.main()
