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
