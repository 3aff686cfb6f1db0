"""The web console's back end on a real node: sign-in with a password or a token, the
session cookie's flags, CSRF refusals, idle expiry (a 2 s timeout), the failed sign-in
limiter, the security headers of every API and console answer, the console's files with
their ETag, and the redirect of a browser from / to /console/."""
import http.client
import json
import os
import shutil
import tempfile
import time
import unittest

from node import Alliance, Client, Node, run

PASSWORD = "correct horse battery staple"
JSON = "application/json"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class Browser:
    """Keeps the session cookie and CSRF token as the console's script does."""

    def __init__(self, node):
        self.client = Client(node)
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, csrf=True, headers=None, content_type=JSON):
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        return self.client.request(method, path, body=body, accept=JSON, content_type=content_type, headers=h)

    def sign_in(self, **credentials):
        r = self.request("POST", "/api/v1/session", credentials)
        if r.status == 200:
            self.cookie = r.headers["Set-Cookie"].split(";")[0]
            self.csrf = r.json()["csrf"]
        return r


class ConsoleSessionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.alliance = a = Alliance()
        a.org("JPN-CERT", "JPN")
        cls.token = a.user("jpn-analyst", "JPN-CERT", "publisher")
        a.user("jpn-reader", "JPN-CERT", "reader")
        run("admin", "user", "passwd", "jpn-analyst", "--stdin", data_dir=a.data_dir, stdin=(PASSWORD + "\n").encode())
        cls.console = tempfile.mkdtemp(prefix="kizuna-console-")
        with open(os.path.join(cls.console, "index.html"), "w") as f:
            f.write("<!doctype html><title>Kizuna</title><script src=app.js></script>")
        with open(os.path.join(cls.console, "app.js"), "w") as f:
            f.write("console.log('kizuna');\n")
        config = "console:\n  idle_timeout_s: 2\n  absolute_timeout_s: 3600\n"
        cls.node = Node(a.data_dir, config=config, extra_args=("--console", cls.console))

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.alliance.cleanup()
        shutil.rmtree(cls.console, ignore_errors=True)

    def assert_secure_headers(self, r, api=True):
        self.assertEqual(r.headers["Content-Security-Policy"], CSP)
        self.assertNotIn("unsafe-inline", r.headers["Content-Security-Policy"])
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(r.headers["Referrer-Policy"], "no-referrer")
        if api:
            self.assertEqual(r.headers["Cache-Control"], "no-store")

    def test_password_sign_in_sets_a_protected_cookie(self):
        b = Browser(self.node)
        r = b.sign_in(user="jpn-analyst", password=PASSWORD)
        self.assertEqual(r.status, 200, r.body)
        cookie = r.headers["Set-Cookie"]
        for flag in ("Path=/", "HttpOnly", "Secure", "SameSite=Strict"):
            self.assertIn(flag, cookie.split("; "))
        body = r.json()
        self.assertEqual((body["user"], body["nation"], body["organization_name"]), ("jpn-analyst", "JPN", "JPN-CERT"))
        self.assertEqual(body["roles"], ["publisher"])
        self.assert_secure_headers(r)
        me = b.request("GET", "/api/v1/session")
        self.assertEqual(me.status, 200)
        self.assertEqual(me.json()["csrf"], body["csrf"])
        # The cookie authenticates the rest of the API.
        self.assertEqual(b.request("GET", "/api/v1/search?q=anything").status, 200)
        audit = json.loads(run("admin", "audit", "--json", data_dir=self.alliance.data_dir))
        self.assertIn("session.create", [e["action"] for e in audit])

    def test_token_sign_in(self):
        b = Browser(self.node)
        self.assertEqual(b.sign_in(token=self.token).status, 200)
        self.assertEqual(b.request("GET", "/api/v1/session").json()["user"], "jpn-analyst")
        self.assertEqual(Browser(self.node).sign_in(token=self.token[:-2] + "xx").status, 401)

    def test_wrong_password_and_unknown_user_fail_alike(self):
        wrong = Browser(self.node).request("POST", "/api/v1/session", {"user": "jpn-analyst", "password": "nope nope nope"},
                                           headers={"X-Forwarded-For": "ignored"})
        unknown = Browser(self.node).request("POST", "/api/v1/session", {"user": "nobody", "password": PASSWORD})
        self.assertEqual((wrong.status, unknown.status), (401, 401))
        self.assertEqual(wrong.body, unknown.body)
        self.assertNotIn("Set-Cookie", wrong.headers)

    def test_writes_with_the_cookie_need_the_csrf_token(self):
        b = Browser(self.node)
        self.assertEqual(b.sign_in(user="jpn-analyst", password=PASSWORD).status, 200)
        for path, body in (("/api/v1/patterns/validate", {"pattern": "[ipv4-addr:value = '1.2.3.4']"}),
                           ("/api/v1/session", None)):
            missing = b.request("DELETE" if body is None else "POST", path, body, csrf=False)
            self.assertEqual(missing.status, 403, path)
            self.assertIn("X-CSRF-Token", missing.json()["description"])
            forged = b.request("DELETE" if body is None else "POST", path, body, csrf=False,
                               headers={"X-CSRF-Token": b.csrf[:-1] + ("A" if b.csrf[-1] != "A" else "B")})
            self.assertEqual(forged.status, 403, path)
        # A bearer token needs no CSRF token.
        bearer = Client(self.node, self.token).post("/api/v1/patterns/validate", {"pattern": "[x:y = 'z']"},
                                                    accept=JSON, content_type=JSON)
        self.assertNotEqual(bearer.status, 403)
        self.assertEqual(b.request("DELETE", "/api/v1/session").status, 204)
        self.assertEqual(b.request("GET", "/api/v1/session").status, 401)

    def test_a_sign_in_from_another_sites_form_is_refused(self):
        # A cross-site form posts text/plain (login CSRF): only application/json signs in.
        r = Browser(self.node).request("POST", "/api/v1/session", {"user": "jpn-analyst", "password": PASSWORD},
                                       content_type="text/plain")
        self.assertEqual(r.status, 415)
        self.assertNotIn("Set-Cookie", r.headers)

    def test_a_new_password_ends_the_sessions_of_the_old_one(self):
        run("admin", "user", "passwd", "jpn-reader", "--stdin", data_dir=self.alliance.data_dir,
            stdin=b"first password of the reader\n")
        b = Browser(self.node)
        self.assertEqual(b.sign_in(user="jpn-reader", password="first password of the reader").status, 200)
        self.assertEqual(b.request("GET", "/api/v1/session").status, 200)
        run("admin", "user", "passwd", "jpn-reader", "--stdin", data_dir=self.alliance.data_dir,
            stdin=b"second password of the reader\n")
        self.assertEqual(b.request("GET", "/api/v1/session").status, 401)

    def test_idle_sessions_end(self):
        b = Browser(self.node)
        self.assertEqual(b.sign_in(user="jpn-analyst", password=PASSWORD).status, 200)
        self.assertEqual(b.request("GET", "/api/v1/session").status, 200)
        time.sleep(2.5)  # the configured idle timeout is 2 s
        r = b.request("GET", "/api/v1/session")
        self.assertEqual(r.status, 401)
        self.assertEqual(b.request("GET", "/api/v1/search?q=x").status, 401)

    def test_no_credentials_and_a_bad_cookie_are_401(self):
        self.assertEqual(Client(self.node).get("/api/v1/search?q=x", accept=JSON).status, 401)
        r = Client(self.node).get("/api/v1/search?q=x", accept=JSON,
                                  headers={"Cookie": "kizuna_session=" + "A" * 43})
        self.assertEqual(r.status, 401)
        self.assert_secure_headers(r)

    def test_console_files_and_root_redirect(self):
        c = Client(self.node)
        index = c.get("/console/", accept="text/html")
        self.assertEqual(index.status, 200)
        self.assertIn(b"<title>Kizuna</title>", index.body)
        self.assertTrue(index.headers["Content-Type"].startswith("text/html"))
        self.assert_secure_headers(index, api=False)
        js = c.get("/console/app.js", accept="*/*")
        self.assertEqual(js.status, 200)
        self.assertTrue(js.headers["Content-Type"].startswith("text/javascript"))
        again = c.get("/console/app.js", accept="*/*", headers={"If-None-Match": js.headers["ETag"]})
        self.assertEqual(again.status, 304)
        self.assertEqual(c.get("/console/objects", accept="text/html").body, index.body, "pages get index.html")
        self.assertEqual(c.get("/console/nothing.js", accept="*/*").status, 404)
        self.assertEqual(c.get("/console/../kizuna.db", accept="*/*").status, 404)
        conn = http.client.HTTPSConnection("127.0.0.1", self.node.port, context=self.node.context(), timeout=30)
        conn.request("GET", "/", headers={"Accept": "text/html,application/xhtml+xml"})
        root = conn.getresponse()
        root.read()
        conn.close()
        self.assertEqual(root.status, 302)  # not followed: http.client
        self.assertEqual(root.headers["Location"], "/console/")
        self.assertNotEqual(c.get("/", accept="application/taxii+json;version=2.1").status, 302)


class ConsoleLimiterTest(unittest.TestCase):
    """Its own node: the failures of one client block it, with 429, even for the right password."""

    def test_failed_sign_ins_are_limited(self):
        a = Alliance()
        try:
            a.org("JPN-CERT", "JPN")
            a.user("jpn-analyst", "JPN-CERT", "reader")
            run("admin", "user", "passwd", "jpn-analyst", "--stdin", data_dir=a.data_dir,
                stdin=(PASSWORD + "\n").encode())
            node = Node(a.data_dir, config="auth:\n  max_failures_per_client: 3\n  client_block_ms: 60000\n")
            try:
                for _ in range(3):
                    self.assertEqual(Browser(node).sign_in(user="jpn-analyst", password="wrong wrong wrong").status, 401)
                r = Browser(node).sign_in(user="jpn-analyst", password=PASSWORD)
                self.assertEqual(r.status, 429)
                self.assertIn("Retry-After", r.headers)
                audit = json.loads(run("admin", "audit", "--json", data_dir=a.data_dir))
                self.assertGreaterEqual([e["action"] for e in audit].count("auth.fail"), 3)
            finally:
                node.stop()
        finally:
            a.cleanup()

    def test_signing_in_as_oneself_buys_no_more_guesses(self):
        a = Alliance()
        try:
            a.org("JPN-CERT", "JPN")
            for user in ("victim", "mallory"):
                a.user(user, "JPN-CERT", "reader")
                run("admin", "user", "passwd", user, "--stdin", data_dir=a.data_dir, stdin=(PASSWORD + "\n").encode())
            node = Node(a.data_dir, config="auth:\n  max_failures_per_client: 3\n  client_block_ms: 60000\n")
            try:
                for _ in range(2):
                    self.assertEqual(Browser(node).sign_in(user="victim", password="guess guess guess").status, 401)
                self.assertEqual(Browser(node).sign_in(user="mallory", password=PASSWORD).status, 200)
                self.assertEqual(Browser(node).sign_in(user="victim", password="guess guess guess").status, 401)
                # The third failure from this address blocks it: mallory's success cleared nothing.
                self.assertEqual(Browser(node).sign_in(user="victim", password="guess guess guess").status, 429)
            finally:
                node.stop()
        finally:
            a.cleanup()


if __name__ == "__main__":
    unittest.main()
