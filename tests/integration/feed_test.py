"""Scheduled feeds (issue 24 item 2): a node pulls a lines list, a CSV, a MISP event and a STIX
bundle from a test server on 127.0.0.1 on their schedule, with conditional requests, as the
feed's user; statistics in `kizuna feed list` and /metrics; hostile servers are cut off."""

import json
import os
import time
import unittest

from feed_server import FeedServer
from node import Alliance, Client, Node, run

HERE = os.path.dirname(os.path.abspath(__file__))
MISP_EVENT = os.path.join(HERE, "..", "data", "misp", "pymisp-existing-event-cut.json")


def indicator(n, creator=None):
    o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--6d1c2f3a-1b2c-4d5e-8f90-0000000000%02d" % n,
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[domain-name:value = 'bundle%d.example']" % n, "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z"}
    if creator:
        o["created_by_ref"] = creator
    return o


class FeedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = FeedServer()
        a = cls.alliance = Alliance()
        a.collection("feeds", "feeds")
        a.collection("closed", "closed")
        cls.org = a.org("JPN-CERT", "JPN")
        cls.other = a.org("USA-CERT", "USA")
        a.grant("feeds", "JPN-CERT", read=True, write=True)
        a.grant("closed", "JPN-CERT", read=True, write=False)
        cls.token = a.user("feeder", "JPN-CERT", "publisher")
        a.user("watcher", "JPN-CERT", "reader")
        cls.admin = a.user("root", "JPN-CERT", "node-admin")
        s = cls.server
        s.routes["/list.txt"] = {"body": b"# a list\nevil1.example\nevil2.example\n10.9.8.7\n", "etag": '"v1"'}
        s.routes["/feed.csv"] = {"body": b"ip,threat\n192.0.2.1,botnet\n192.0.2.2,botnet\n",
                                 "last_modified": "Sat, 05 Dec 2026 10:00:00 GMT", "type": "text/csv"}
        with open(MISP_EVENT, "rb") as f:
            s.routes["/event.json"] = {"body": f.read(), "etag": '"m1"', "type": "application/json"}
        bundle = {"type": "bundle", "id": "bundle--0b7b4f1e-2f49-4c3a-9a0c-3d4b8e1f2a10",
                  "objects": [indicator(1, cls.org), indicator(2), indicator(3, cls.other)]}
        s.routes["/bundle.json"] = {"body": json.dumps(bundle).encode(), "etag": '"s1"', "type": "application/json"}

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.alliance.cleanup()

    def kz(self, *args, expect=0):
        return run(*args, data_dir=self.alliance.data_dir, expect=expect)

    def add(self, name, path, fmt, *extra, every="1s"):
        self.kz("feed", "add", name, "--url", self.server.base + path, "--format", fmt, "--every", every,
                "--collection", "feeds", "--as", "feeder", *extra)

    def feeds(self):
        return {f["name"]: f for f in json.loads(self.kz("feed", "list", "--json"))}

    def wait_for(self, done, what, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            feeds = self.feeds()
            if done(feeds):
                return feeds
            time.sleep(0.3)
        self.fail("%s: %s" % (what, json.dumps(self.feeds(), indent=1)))

    def test_a_node_pulls_feeds_on_schedule(self):
        self.add("lines", "/list.txt", "lines")
        self.add("csv", "/feed.csv", "csv", "--map", "value=ip,family=threat")
        self.add("misp", "/event.json", "misp")
        self.add("stix", "/bundle.json", "stix")
        node = Node(self.alliance.data_dir, tls=False)
        try:
            names = ("lines", "csv", "misp", "stix")
            feeds = self.wait_for(lambda f: all(f[n]["runs"] >= 2 and f[n]["not_modified"] >= 1 for n in names),
                                  "every feed ran twice, the second answered 304")
            self.assertEqual((feeds["lines"]["new"], feeds["lines"]["rejected"]), (3, 0), feeds["lines"])
            self.assertEqual((feeds["csv"]["new"], feeds["csv"]["rejected"]), (2, 0), feeds["csv"])
            self.assertGreater(feeds["misp"]["new"], 4, feeds["misp"])
            # The bundle's indicator created by another organisation is refused: the feed writes
            # as its user, whose organisation is JPN-CERT.
            self.assertEqual((feeds["stix"]["new"], feeds["stix"]["rejected"]), (2, 1), feeds["stix"])
            for f in feeds.values():
                self.assertEqual(f["last_error"], "")
            # Conditional requests carried the validators of the last body.
            self.assertIn('"v1"', [h.get("If-None-Match") for h in self.server.requests_for("/list.txt")])
            self.assertIn("Sat, 05 Dec 2026 10:00:00 GMT",
                          [h.get("If-Modified-Since") for h in self.server.requests_for("/feed.csv")])
            # A changed list: one value more, one new version of a value whose settings changed.
            self.server.routes["/list.txt"] = {"body": b"evil1.example\nevil2.example\n10.9.8.7\nevil3.example\n",
                                               "etag": '"v2"'}
            feeds = self.wait_for(lambda f: f["lines"]["new"] == 4, "the changed list was pulled")
            self.assertEqual(feeds["lines"]["updated"], 0)
            # What came in is the user's organisation's, and readable over TAXII.
            c = Client(node, self.token)
            objects = c.get("/intel/collections/%s/objects/?limit=1000" % self.alliance.collections["feeds"]).json()["objects"]
            lines = [o for o in objects if o.get("name", "").startswith("lines: ")]
            self.assertEqual(len(lines), 4)
            self.assertTrue(all(o["created_by_ref"] == self.org for o in lines))
            self.assertNotIn("indicator--6d1c2f3a-1b2c-4d5e-8f90-000000000003", [o["id"] for o in objects])
            metrics = Client(node, self.admin).get("/metrics", accept=None).body.decode()
            self.assertIn('kizuna_feed_objects_new_total{feed="lines"} 4', metrics)
            self.assertIn('kizuna_feed_objects_rejected_total{feed="stix"} 1', metrics)
        finally:
            node.stop()
        for name in ("lines", "csv", "misp", "stix"):
            self.kz("feed", "remove", name)

    def test_hostile_servers_are_cut_off(self):
        cases = {
            "huge": ("lines", ["--max-bytes", "1000000"], "larger than the limit of 1000000 octets"),
            "drip": ("lines", ["--timeout", "2"], "no complete answer within 2000 ms"),
            "bomb": ("lines", ["--max-bytes", "1000000"], "once gzip is undone"),
            "brotli": ("lines", [], "Content-Encoding 'br' is not supported"),
            "loop": ("lines", [], "more than 5 redirects"),
            # One deadline for the whole fetch: five slow redirects do not each get the timeout.
            "slowloop": ("lines", ["--timeout", "2"], "no complete answer within"),
            "away": ("lines", [], "leaves the feed's scheme, host and port"),
            "downgrade": ("lines", [], "leaves the feed's scheme, host and port"),
            "garbage": ("stix", [], "feed 'h-garbage'"),
            "denied": ("lines", [], "HTTP 401"),
        }
        for what, (fmt, extra, error) in cases.items():
            with self.subTest(what):
                name = "h-" + what
                self.add(name, "/hostile/" + what, fmt, *extra, every="1h")
                out = json.loads(self.kz("feed", "run", name, "--json", expect=1))[0]
                self.assertFalse(out["ok"])
                self.assertIn(error, out["error"])
                f = self.feeds()[name]
                self.assertIn(error, f["last_error"])
                self.assertEqual((f["failures"], f["new"]), (1, 0))
                self.kz("feed", "remove", name)
        # A redirect to a path of the same server is followed.
        self.add("h-same", "/hostile/same", "lines", every="1h")
        out = json.loads(self.kz("feed", "run", "h-same", "--json"))[0]
        self.assertEqual((out["ok"], out["redirects"]), (True, 1), out)
        self.kz("feed", "remove", "h-same")

    def test_who_may_write(self):
        # A reader, or a publisher without the write grant, cannot be a feed's user.
        err = run("feed", "add", "x", "--url", self.server.base + "/list.txt", "--format", "lines",
                  "--collection", "feeds", "--as", "watcher", data_dir=self.alliance.data_dir, expect=1)
        self.kz("feed", "add", "y", "--url", self.server.base + "/list.txt", "--format", "lines",
                "--collection", "closed", "--as", "feeder", expect=1)
        self.assertNotIn("x", self.feeds())
        self.assertNotIn("y", self.feeds())
        # Bad input is refused with what and where.
        self.kz("feed", "add", "z", "--url", "http://198.51.100.1/x", "--format", "lines", "--collection", "feeds",
                "--as", "feeder", expect=1)
        self.kz("feed", "add", "z", "--url", self.server.base + "/x", "--format", "yaml", "--collection", "feeds",
                "--as", "feeder", expect=1)
        del err


class TaxiiFeedTest(unittest.TestCase):
    """A feed of format taxii pulls a real Kizuna node's collection, page by page after the last
    run's X-TAXII-Date-Added-Last, as the feed's user; hostile TAXII answers end a run."""

    @classmethod
    def setUpClass(cls):
        dst = cls.alliance = Alliance()
        dst.collection("feeds", "feeds")
        dst.collection("hostile", "hostile")
        cls.org = dst.org("JPN-CERT", "JPN")
        cls.other = dst.org("USA-CERT", "USA")
        # The source node knows both organisations by the same ids, and releases to its readers.
        src = cls.source = Alliance()
        src.collection("public", "public", default_release="readers")
        for name, nation, id_ in (("JPN-CERT", "JPN", cls.org), ("USA-CERT", "USA", cls.other)):
            src.org(name, nation, id_)
            src.grant("public", name, read=True, write=True)
        cls.publisher = src.user("publisher", "JPN-CERT", "publisher")
        cls.usa_publisher = src.user("usa-publisher", "USA-CERT", "publisher")
        cls.node = Node(src.data_dir, tls=False)
        cls.objects = "/intel/collections/%s/objects/" % src.collections["public"]
        dst.grant("feeds", "JPN-CERT", read=True, write=True)
        dst.grant("hostile", "JPN-CERT", read=True, write=True)
        dst.user("feeder", "JPN-CERT", "publisher")
        cls.reader = dst.user("reader", "JPN-CERT", "reader")
        cls.token_file = os.path.join(dst.tmp, "token")
        with open(os.open(cls.token_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(cls.publisher)
        cls.server = FeedServer()

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.server.stop()
        cls.source.cleanup()
        cls.alliance.cleanup()

    def kz(self, *args, expect=0):
        return run(*args, data_dir=self.alliance.data_dir, expect=expect)

    def publish(self, *objects, token=None):
        r = Client(self.node, token or self.publisher).post(self.objects, {"objects": list(objects)})
        self.assertEqual(r.status, 202, r.body)

    def held(self):
        out = self.kz("export", "--collection", "feeds")
        return sorted(o["id"][-2:] for o in json.loads(out)["objects"]) if out.strip() else []

    def test_runs_read_what_the_collection_added_since_the_last(self):
        self.publish(indicator(11), indicator(12, self.org))
        self.publish(indicator(13, self.other), token=self.usa_publisher)
        url = self.node.base + self.objects[:-len("objects/")]
        self.kz("feed", "add", "src", "--url", url, "--format", "taxii", "--every", "1h", "--collection", "feeds",
                "--as", "feeder", "--token-file", self.token_file)
        # Another organisation's object is refused, as for every feed (so the run exits 1); the
        # rest is the feeder's.
        first = json.loads(self.kz("feed", "run", "src", "--json", expect=1))[0]
        self.assertTrue(first["ok"], first)
        self.assertEqual((first["read"], first["new"], first["rejected"]), (3, 2, 1), first)
        self.assertEqual(self.held(), ["11", "12"])
        self.publish(indicator(14), indicator(15))
        second = json.loads(self.kz("feed", "run", "src", "--json"))[0]
        self.assertEqual((second["ok"], second["read"], second["new"]), (True, 2, 2), second)
        self.assertEqual(self.held(), ["11", "12", "14", "15"])
        third = json.loads(self.kz("feed", "run", "src", "--json"))[0]
        self.assertEqual((third["ok"], third["not_modified"], third["read"]), (True, True, 0), third)
        f = {f["name"]: f for f in json.loads(self.kz("feed", "list", "--json"))}["src"]
        self.assertEqual((f["runs"], f["new"], f["not_modified"]), (3, 4, 1), f)
        self.assertNotIn(self.publisher, self.kz("feed", "list", "--json"))
        # A URL that is not a collection's is refused when the feed is added.
        for bad in (url + "objects/?x=1", url[:-1]):
            self.kz("feed", "add", "not-a-collection", "--url", bad, "--format", "taxii", "--collection", "feeds",
                    "--as", "feeder", expect=1)
        self.assertNotIn("not-a-collection", self.kz("feed", "list", "--json"))

    def test_hostile_taxii_answers_end_a_run(self):
        query = "objects/?limit=500&match[version]=all&match[spec_version]=2.0,2.1"
        page = json.dumps({"more": True, "objects": [indicator(21)]}).encode()
        taxii = "application/taxii+json;version=2.1"
        s = self.server
        # A cursor that is not a timestamp (it would go back into the next request).
        s.routes["/bad-date/" + query] = {"body": page, "type": taxii,
                                          "headers": [("X-TAXII-Date-Added-Last", "x&added_after=1")]}
        # `more` for ever on the same date: the run ends, having imported the page once.
        s.routes["/stuck/" + query] = {"body": page, "type": taxii,
                                       "headers": [("X-TAXII-Date-Added-Last", "2026-01-01T00:00:00.000Z")]}
        s.routes["/stuck/" + query + "&added_after=2026-01-01T00:00:00.000Z"] = s.routes["/stuck/" + query]
        # A server failing at the second page: the run fails, and the next one goes on after the
        # first page, which it imported.
        s.routes["/half/" + query] = {"body": page, "type": taxii,
                                      "headers": [("X-TAXII-Date-Added-Last", "2026-01-02T00:00:00.000Z")]}
        for name, fmt_ok, error in (("bad-date", False, "not a timestamp"), ("stuck", True, None),
                                    ("half", False, "HTTP 404")):
            with self.subTest(name):
                self.kz("feed", "add", name, "--url", "%s/%s/" % (s.base, name), "--format", "taxii", "--every", "1h",
                        "--collection", "hostile", "--as", "feeder")
                out = json.loads(self.kz("feed", "run", name, "--json", expect=0 if fmt_ok else 1))[0]
                self.assertEqual(out["ok"], fmt_ok, out)
                if error:
                    self.assertIn(error, out["error"])
                    self.assertEqual(out["new"], 0)
                else:
                    self.assertEqual(out["read"], 1, out)
        self.assertFalse(any("x&added_after" in path for path, _ in s.requests))
        self.kz("feed", "run", "half", "--json", expect=1)
        self.assertTrue(s.requests[-1][0].endswith("&added_after=2026-01-02T00:00:00.000Z"), s.requests[-1][0])
        # A peer's cursor is checked the same way before a pull uses it.
        s.routes["/hroot/collections/hc/" + query.replace("limit=500", "limit=1000")] = s.routes["/bad-date/" + query]
        self.kz("peer", "add", "hostile", "--url", s.base, "--api-root", "hroot", "--nation", "USA", "--token", "t",
                "--map", "hostile:hc:pull")
        out = [json.loads(x) for x in self.kz("sync", "run", "--once", expect=1).splitlines() if x]
        self.assertIn("X-TAXII-Date-Added-Last is not a timestamp", out[0]["error"])
        self.assertFalse(any("x&added_after" in path for path, _ in s.requests))
        # A page going back in time would move the cursor back (and pull again what was deleted
        # here since): the run fails, and the cursor stays after the page before.
        first = {"body": page, "type": taxii, "headers": [("X-TAXII-Date-Added-Last", "2026-01-03T00:00:00.000Z")]}
        back = {"body": json.dumps({"more": False, "objects": [indicator(22)]}).encode(), "type": taxii,
                "headers": [("X-TAXII-Date-Added-Last", "2025-06-01T00:00:00.000Z")]}
        s.routes["/back/" + query] = first
        s.routes["/back/" + query + "&added_after=2026-01-03T00:00:00.000Z"] = back
        self.kz("feed", "add", "back", "--url", "%s/back/" % s.base, "--format", "taxii", "--every", "1h",
                "--collection", "hostile", "--as", "feeder")
        out = json.loads(self.kz("feed", "run", "back", "--json", expect=1))[0]
        self.assertIn("is before the added_after asked for", out["error"])
        self.kz("feed", "run", "back", "--json", expect=1)
        self.assertTrue(s.requests[-1][0].endswith("&added_after=2026-01-03T00:00:00.000Z"), s.requests[-1][0])
        peer_query = query.replace("limit=500", "limit=1000")
        s.routes["/broot/collections/bc/" + peer_query] = first
        s.routes["/broot/collections/bc/" + peer_query + "&added_after=2026-01-03T00:00:00.000Z"] = back
        self.kz("peer", "add", "backwards", "--url", s.base, "--api-root", "broot", "--nation", "USA", "--token", "t",
                "--map", "hostile:bc:pull")
        out = {x["peer"]: x for x in (json.loads(line) for line in self.kz("sync", "run", "--once",
                                                                          expect=1).splitlines() if line)}
        self.assertIn("is before the added_after asked for", out["backwards"]["error"])
        before = len(s.requests)
        self.kz("sync", "run", "--once", expect=1)
        again = [path for path, _ in s.requests[before:] if path.startswith("/broot/")]
        self.assertTrue(again and again[0].endswith("&added_after=2026-01-03T00:00:00.000Z"), again)


if __name__ == "__main__":
    unittest.main()
