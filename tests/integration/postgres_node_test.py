"""Issue 25: several `kizuna serve` processes on one PostgreSQL database (docs/deploy.md).

Two nodes (two processes, two data directories holding the same keys and the same recorded
database) behind no balancer: the client picks a node per request, as a balancer would. Each
test gets a database of its own in one throw-away cluster (pg_cluster.py)."""
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import unittest
import uuid

import datetime
import json
import re

import pg_cluster
from node import Alliance, Client, Node, run

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)

TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
# What "at once" allows for: a notification's way through PostgreSQL and a loaded machine.
# A kept response lives 1 s, so a node that did not hear of the change answers stale for
# nearly that long.
AT_ONCE_S = 0.5


def indicator(n, creator):
    return {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.UUID(int=n, version=4),
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "pattern": "[ipv4-addr:value = '198.51.100.%d']" % (n % 256), "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z", "created_by_ref": creator, "object_marking_refs": [TLP_CLEAR]}


@unittest.skipUnless(pg_cluster.available(), "PostgreSQL 15 is not installed (scripts/install-deps --test installs it)")
class TwoNodesOnOneDatabase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = pg_cluster.PgCluster()

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()

    def setUp(self):
        name = "n" + uuid.uuid4().hex[:12]
        self.pg.create_database(name)
        self.url = self.pg.url(name)
        a = self.alliance = Alliance(store=self.url)
        self.addCleanup(a.cleanup)
        tokens = self.tokens = a.three_nations()
        a.collection("intel")
        a.grant("intel", "JPN-CERT", read=True, write=True)
        a.grant("intel", "USA-CERT", read=True)
        self.jpn_org = a.orgs["JPN-CERT"]
        # The second process of the node: the same keys and recorded database, nothing else.
        self.second_dir = os.path.join(a.tmp, "second")
        shutil.copytree(a.data_dir, self.second_dir)
        self.assertNotIn("kizuna.db", os.listdir(self.second_dir))
        self.nodes = [Node(a.data_dir, tls=False), Node(self.second_dir, tls=False)]
        for n in self.nodes:
            self.addCleanup(n.stop)
        self.jpn = [Client(n, tokens["jpn"]) for n in self.nodes]
        self.usa = [Client(n, tokens["usa"]) for n in self.nodes]
        self.objects = "/intel/collections/%s/objects/" % a.collections["intel"]

    def post(self, client, first, count):
        r = client.post(self.objects, {"objects": [indicator(first + i, self.jpn_org) for i in range(count)]})
        self.assertEqual(r.status, 202, r.body)
        self.assertEqual(r.json()["success_count"], count, r.body)

    def ids(self, client, query=""):
        r = client.get(self.objects + query)
        self.assertEqual(r.status, 200, r.body)
        return [o["id"] for o in r.json().get("objects", [])]

    def seen_within(self, predicate):
        """Seconds until predicate() held, polling; fails after 10 s."""
        start = time.monotonic()
        while not predicate():
            if time.monotonic() - start > 10:
                self.fail("not seen within 10 s")
            time.sleep(0.005)
        return time.monotonic() - start

    def test_a_write_through_one_node_is_read_through_the_other_at_once(self):
        self.post(self.jpn[0], 1, 2)
        self.assertEqual(len(self.ids(self.usa[1])), 2)  # now kept by the second node
        self.post(self.jpn[0], 100, 3)
        self.assertLess(self.seen_within(lambda: len(self.ids(self.usa[1])) == 5), AT_ONCE_S)

    def test_a_delete_through_one_node_is_seen_through_the_other_at_once(self):
        self.post(self.jpn[0], 1, 3)
        self.assertEqual(len(self.ids(self.usa[0])), 3)
        gone = "indicator--%s" % uuid.UUID(int=2, version=4)
        r = self.jpn[1].delete(self.objects + gone + "/")
        self.assertEqual(r.status, 200, r.body)
        self.assertLess(self.seen_within(lambda: gone not in self.ids(self.usa[0])), AT_ONCE_S)

    def test_pages_and_next_tokens_are_the_same_from_either_node(self):
        self.post(self.jpn[0], 1, 12)
        self.post(self.jpn[1], 50, 13)

        def pages(pick):
            seen, query, n = [], "?limit=4", 0
            while True:
                r = pick(n).get(self.objects + query)
                self.assertEqual(r.status, 200, r.body)
                env = r.json()
                seen.append([o["id"] for o in env.get("objects", [])])
                if not env.get("more"):
                    return seen
                query, n = "?limit=4&next=" + env["next"], n + 1

        alone = pages(lambda n: self.usa[0])
        self.assertEqual(sum(len(p) for p in alone), 25)
        self.assertEqual(pages(lambda n: self.usa[n % 2]), alone)
        self.assertEqual(pages(lambda n: self.usa[1]), alone)
        # The manifest and the versions agree too.
        first = alone[0][0]
        for path in ("manifest/", first + "/versions/"):
            base = self.objects[:-len("objects/")] + ("" if path == "manifest/" else "objects/")
            self.assertEqual(self.usa[0].get(base + path).json(), self.usa[1].get(base + path).json())

    @unittest.skipIf(NGINX is None, "nginx is not installed (scripts/install-deps --test installs it)")
    def test_behind_a_load_balancer_the_reads_are_those_of_one_node(self):
        """nginx sends each request to the next node in turn: paging with `next`, the manifest
        and a delete read exactly as through one node."""
        balancer = LoadBalancer(self.alliance.tmp, [n.base for n in self.nodes])
        self.addCleanup(balancer.stop)
        through = Client(balancer, self.tokens["usa"])
        writer = Client(balancer, self.tokens["jpn"])
        for first in (1, 40, 80):
            self.post(writer, first, 7)

        def walk(client):
            seen, query = [], "?limit=3"
            while True:
                env = client.get(self.objects + query).json()
                seen.append([o["id"] for o in env.get("objects", [])])
                if not env.get("more"):
                    return seen
                query = "?limit=3&next=" + env["next"]

        direct = walk(self.usa[0])
        self.assertEqual(sum(len(p) for p in direct), 21)
        self.assertEqual(walk(through), direct)
        manifest = self.objects[:-len("objects/")] + "manifest/"
        self.assertEqual(through.get(manifest).json(), self.usa[1].get(manifest).json())
        gone = "indicator--%s" % uuid.UUID(int=41, version=4)
        self.assertEqual(writer.delete(self.objects + gone + "/").status, 200)
        after = walk(through)
        self.assertEqual(sum(len(p) for p in after), 20)
        self.assertEqual(after, walk(self.usa[0]))
        self.assertEqual(after, walk(self.usa[1]))

    def test_a_token_revoked_by_another_process_is_refused_by_both_nodes_at_once(self):
        self.assertEqual(self.usa[0].get(self.objects).status, 200)
        self.assertEqual(self.usa[1].get(self.objects).status, 200)
        run("admin", "token", "revoke", self.tokens["usa"].split("_")[1], data_dir=self.alliance.data_dir)
        for client in self.usa:
            self.assertLess(self.seen_within(lambda: client.get(self.objects).status == 401), AT_ONCE_S)

    def test_a_node_killed_while_writing_loses_nothing_the_other_serves(self):
        acknowledged, stop = [], threading.Event()

        def write():
            n = 1000
            while not stop.is_set():
                try:
                    r = self.jpn[0].post(self.objects, {"objects": [indicator(n + i, self.jpn_org) for i in range(10)]})
                except OSError:
                    return
                if r.status == 202 and r.json().get("success_count") == 10:
                    acknowledged.extend(range(n, n + 10))
                n += 10

        writer = threading.Thread(target=write)
        writer.start()
        self.seen_within(lambda: len(acknowledged) >= 50)
        self.nodes[0].proc.send_signal(signal.SIGKILL)
        self.nodes[0].proc.wait()
        stop.set()
        writer.join()
        # Every acknowledged object is served, once, by the node that lives.
        ids = self.ids(self.usa[1], "?limit=100000")
        self.assertEqual(len(ids), len(set(ids)))
        expected = {"indicator--%s" % uuid.UUID(int=n, version=4) for n in acknowledged}
        self.assertLessEqual(expected, set(ids))
        # The batch in flight when it died is either all there or not at all (one transaction).
        self.assertEqual(len(ids) % 10, 0)
        # And the living node takes writes: the batch in flight again is "already present" or added.
        self.post(self.jpn[1], 5000, 10)


TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
ORGS = (("JPN-CERT", "JPN", "identity--0a000000-0000-4000-8000-00000000000a"),
        ("USA-CERT", "USA", "identity--0b000000-0000-4000-8000-00000000000b"),
        ("KOR-CERT", "KOR", "identity--0c000000-0000-4000-8000-00000000000c"))


def stix(kind, n, creator, markings, **extra):
    o = {"type": kind, "spec_version": "2.1", "id": "%s--%s" % (kind, uuid.UUID(int=n, version=4)),
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "created_by_ref": creator,
         "object_marking_refs": markings}
    o.update(extra)
    return o


@unittest.skipUnless(pg_cluster.available(), "PostgreSQL 15 is not installed (scripts/install-deps --test installs it)")
class ReportsOnPostgres(unittest.TestCase):
    """The console's reads that compute in SQL (the dashboard, the collections' counts, the
    sightings page, the exercises and the brief) answer on a PostgreSQL node what they answer
    on an SQLite node holding the same objects (store/report_view.h)."""

    def node_answers(self, store):
        a = Alliance(store=store)
        self.addCleanup(a.cleanup)
        for name, nation, id_ in ORGS:
            a.org(name, nation, id_)
        a.group("jpn-usa", "JPN-CERT", "USA-CERT")
        tokens = {"jpn": a.user("jpn-analyst", "JPN-CERT", "publisher"),
                  "usa": a.user("usa-analyst", "USA-CERT", "reader"),
                  "kor": a.user("kor-analyst", "KOR-CERT", "reader")}
        a.collection("intel", "Intel", communities=["jpn-usa"])
        a.grant("intel", "JPN-CERT", read=True, write=True)
        a.grant("intel", "USA-CERT", read=True)
        a.grant("intel", "KOR-CERT", read=True)
        now = datetime.datetime.now(datetime.timezone.utc)
        for name, tlp, days in (("clear-drill", "clear", 2), ("red-drill", "red", 3)):
            board = {"exercise": name, "title": name.title(), "tlp": tlp, "duration_s": 3600,
                     "t0": (now - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:00:00.000000Z"),
                     "teams": [{"team": "blue", "nation": "JPN", "steps": 2, "detected": 1, "score": 0.5}]}
            path = os.path.join(a.tmp, name + ".json")
            with open(path, "w") as f:
                json.dump(board, f)
            run("exercise", "record", "--result", path, "--collection", "intel", "--as", "JPN-CERT",
                data_dir=a.data_dir)
        node = Node(a.data_dir, tls=False)
        self.addCleanup(node.stop)
        clients = {who: Client(node, t) for who, t in tokens.items()}
        jpn = ORGS[0][2]
        indicator_ = lambda n, markings, **kw: stix(  # noqa: E731
            "indicator", n, jpn, markings, pattern="[ipv4-addr:value = '198.51.100.%d']" % n, pattern_type="stix",
            valid_from="2026-01-01T00:00:00Z", name="indicator %d" % n, **kw)
        batches = [
            [indicator_(1, [TLP_CLEAR]), indicator_(2, [TLP_GREEN]), indicator_(3, [TLP_RED]),
             indicator_(4, [TLP_CLEAR], description="secret",
                        granular_markings=[{"marking_ref": TLP_RED, "selectors": ["description"]}]),
             indicator_(5, [TLP_GREEN]),
             stix("attack-pattern", 6, jpn, [TLP_CLEAR], name="Phishing",
                  external_references=[{"source_name": "mitre-attack", "external_id": "T1566"}]),
             stix("intrusion-set", 7, jpn, [TLP_RED], name="APT-X")],
            [stix("relationship", 8, jpn, [TLP_GREEN], relationship_type="indicates",
                  source_ref=indicator_(1, [])["id"], target_ref=stix("attack-pattern", 6, jpn, [])["id"]),
             stix("relationship", 9, jpn, [TLP_RED], relationship_type="uses",
                  source_ref=stix("intrusion-set", 7, jpn, [])["id"], target_ref=stix("attack-pattern", 6, jpn, [])["id"]),
             stix("sighting", 10, jpn, [TLP_GREEN], sighting_of_ref=indicator_(1, [])["id"], count=4),
             stix("sighting", 11, jpn, [TLP_RED], sighting_of_ref=indicator_(3, [])["id"], count=9),
             stix("sighting", 12, jpn, [TLP_CLEAR], sighting_of_ref=indicator_(2, [])["id"], count=1)],
            # A newer version withheld from all but JPN: the older one stands in.
            [indicator_(5, [TLP_RED], modified="2026-02-01T00:00:00.000Z")],
        ]
        path = "/intel/collections/%s/objects/" % a.collections["intel"]
        for batch in batches:
            r = clients["jpn"].post(path, {"objects": batch})
            self.assertEqual(r.status, 202, r.body)
            self.assertEqual(r.json()["success_count"], len(batch), r.body)
        answers = {}
        for who, client in clients.items():
            def get(p, accept="application/json"):
                r = client.get(p, accept=accept)
                self.assertEqual(r.status, 200, (store, who, p, r.body))
                return r
            collections = get("/api/v1/collections").json()
            for c in collections:
                c["id"] = "intel" if c["id"] == a.collections["intel"] else c["id"]
            sightings = get("/api/v1/sightings?limit=2").json()
            exercises = get("/api/v1/exercises").json()
            for e in exercises["exercises"]:
                e.pop("collection"), e.pop("recorded")
            html = get("/api/v1/brief?format=html", accept="text/html").body.decode()
            answers[who] = {
                "dashboard": get("/api/v1/dashboard").json(),
                "collections": collections,
                "sightings": ([s["sighting"]["id"] for s in sightings["sightings"]], sightings["more"]),
                "exercises": exercises,
                "brief": get("/api/v1/brief?format=json").json(),
                "brief_html": re.sub(r"\d{4}-\d\d-\d\d[T ][0-9:.]+Z?", "TIME", html),
            }
        return answers

    def test_a_postgresql_node_answers_the_reports_as_an_sqlite_node(self):
        pg = pg_cluster.PgCluster()
        self.addCleanup(pg.stop)
        pg.create_database("reports")
        on_sqlite = self.node_answers(None)
        on_postgres = self.node_answers(pg.url("reports"))
        for who in ("jpn", "usa", "kor"):
            for what in on_sqlite[who]:
                with self.subTest(who=who, what=what):
                    self.assertEqual(on_postgres[who][what], on_sqlite[who][what])
        # The numbers are not empty, and what is withheld stays out on both.
        self.assertGreater(on_sqlite["usa"]["collections"][0]["objects"], on_sqlite["kor"]["collections"][0]["objects"])
        self.assertEqual([e["exercise"] for e in on_sqlite["kor"]["exercises"]["exercises"]], ["clear-drill"])
        self.assertGreater(on_sqlite["usa"]["brief"]["headline"]["objects"]["current"], 0)
        red = str(uuid.UUID(int=3, version=4))
        for who in ("usa", "kor"):
            self.assertNotIn(red, json.dumps(on_postgres[who]))
            self.assertNotIn("APT-X", json.dumps(on_postgres[who]))


class LoadBalancer:
    """nginx on a free loopback port, sending requests to the nodes in turn (round robin)."""

    def __init__(self, folder, urls):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base = "http://127.0.0.1:%d" % self.port
        self.tls = False
        root = os.path.join(folder, "nginx")
        os.makedirs(root, exist_ok=True)
        servers = "".join("    server %s;\n" % u.split("://", 1)[1] for u in urls)
        conf = os.path.join(root, "nginx.conf")
        with open(conf, "w") as f:
            f.write("worker_processes 1;\ndaemon off;\nerror_log %s/error.log;\npid %s/nginx.pid;\n"
                    "events { worker_connections 256; }\nhttp {\n  access_log off;\n"
                    "  client_body_temp_path %s; proxy_temp_path %s;\n"
                    "  upstream nodes {\n%s  }\n  server {\n    listen 127.0.0.1:%d;\n"
                    "    location / { proxy_pass http://nodes; proxy_next_upstream off; proxy_buffering off; client_body_buffer_size 1m; }\n  }\n}\n"
                    % (root, root, root, root, servers, self.port))
        self.proc = subprocess.Popen([NGINX, "-c", conf, "-p", root], stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("nginx did not start")

    def context(self):
        return None

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


if __name__ == "__main__":
    unittest.main()
