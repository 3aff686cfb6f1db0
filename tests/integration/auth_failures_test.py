"""Failed logins against a real node (issue 19, item 15): requests without credentials (a
browser) are counted in /metrics and not audited; bad tokens are audited, once per client
address and then at most once a minute with the count."""
import json
import re
import unittest

from node import Alliance, Client, Node, run


def auth_failures(alliance):
    events = json.loads(run("admin", "audit", "--limit", "10000", "--json", data_dir=alliance.data_dir))
    return [e for e in events if e["action"] == "auth.fail"]


def metric(text, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


class AuthFailuresTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.alliance = Alliance()
        cls.alliance.collection("intel")
        cls.alliance.org("NISC", "JPN")
        cls.admin_token = cls.alliance.user("root", "NISC", "node-admin")
        cls.revoked = cls.alliance.user("gone", "NISC", "reader")
        run("admin", "token", "revoke", cls.revoked.split("_")[1], data_dir=cls.alliance.data_dir)
        cls.node = Node(cls.alliance.data_dir)
        # Verified once, the admin's token keeps working from an address its failures block.
        assert Client(cls.node, cls.admin_token).get("/metrics", accept=None).status == 200

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()

    def metrics(self):
        r = Client(self.node, self.admin_token).get("/metrics", accept=None)
        self.assertEqual(r.status, 200, r.body)
        return r.body.decode()

    def test_requests_without_credentials_are_counted_not_audited(self):
        before = metric(self.metrics(), "kizuna_auth_unauthenticated_total")
        audited = len(auth_failures(self.alliance))
        anonymous = Client(self.node)
        for path in ("/taxii2/", "/intel/", "/intel/collections/", "/intel/collections/x/objects/", "/metrics") * 10:
            self.assertEqual(anonymous.get(path).status, 401, path)
        self.assertEqual(len(auth_failures(self.alliance)), audited, "no audit line for 50 unauthenticated GETs")
        self.assertEqual(metric(self.metrics(), "kizuna_auth_unauthenticated_total"), before + 50)

    def test_bad_tokens_are_audited_once_per_client_then_rate_limited(self):
        audited = len(auth_failures(self.alliance))
        for _ in range(15):
            self.assertEqual(Client(self.node, self.revoked).get("/taxii2/").status, 401)
        events = auth_failures(self.alliance)[audited:]
        self.assertEqual(len(events), 1, events)
        self.assertEqual((events[0]["details"]["reason"], events[0]["remote"].split(":")[0]),
                         ("token revoked", "127.0.0.1"))
        text = self.metrics()
        self.assertEqual(metric(text, 'kizuna_auth_failures_total{reason="revoked"}'), 15)


if __name__ == "__main__":
    unittest.main()
