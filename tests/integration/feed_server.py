"""A feed server on 127.0.0.1 for the scheduled-feed tests: plain lists, CSV, MISP events and
STIX bundles with ETag / Last-Modified and 304, and hostile answers (a huge body, a slow drip,
a gzip bomb, endless redirects, slow redirects, a redirect to another host, malformed data)."""

import gzip
import http.server
import threading
import time


class FeedServer:
    """Serves `routes` (path and query -> dict(body=bytes, etag=str, last_modified=str, type=str,
    headers=[(name, value)])) and the
    hostile paths below; records each request's path and headers."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, body=b"", headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:  # the client left before the end: what the limits are for
                    pass

            def do_GET(self):
                with outer.lock:
                    outer.requests.append((self.path, dict(self.headers)))
                    route = outer.routes.get(self.path)
                if self.path.startswith("/hostile/"):
                    return outer.hostile(self, self.path[len("/hostile/"):])
                if route is None:
                    return self.send(404, b"no such feed")
                etag, modified = route.get("etag"), route.get("last_modified")
                if (etag and self.headers.get("If-None-Match") == etag) or \
                        (modified and self.headers.get("If-Modified-Since") == modified):
                    return self.send(304)
                headers = [("Content-Type", route.get("type", "text/plain"))]
                if etag:
                    headers.append(("ETag", etag))
                if modified:
                    headers.append(("Last-Modified", modified))
                self.send(200, route["body"], headers + list(route.get("headers", ())))

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def hostile(self, h, what):
        if what == "huge":  # announces and sends 4 MiB
            body = b"10.0.0.1\n" * ((4 << 20) // 9)
            return h.send(200, body, [("Content-Type", "text/plain")])
        if what == "drip":  # a value every half second, for ever (until the client leaves)
            h.send_response(200)
            h.send_header("Content-Length", "1000000")
            h.end_headers()
            try:
                for _ in range(600):
                    h.wfile.write(b"1")
                    h.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
            return None
        if what == "bomb":  # 64 MiB of newlines in 64 KiB of gzip
            body = gzip.compress(b"\n" * (64 << 20), compresslevel=9)
            return h.send(200, body, [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")])
        if what == "brotli":
            return h.send(200, b"xx", [("Content-Encoding", "br")])
        if what.startswith("slowloop"):  # redirects to itself, each after 0.8 s
            time.sleep(0.8)
            n = int(what[8:] or 0)
            return h.send(302, b"", [("Location", "/hostile/slowloop%d" % (n + 1))])
        if what.startswith("loop"):  # redirects to itself, for ever
            n = int(what[4:] or 0)
            return h.send(302, b"", [("Location", "/hostile/loop%d" % (n + 1))])
        if what == "away":  # to another host
            return h.send(302, b"", [("Location", "http://127.0.0.2:%d/list.txt" % self.port)])
        if what == "downgrade":  # another port on the same host
            return h.send(301, b"", [("Location", "http://127.0.0.1:1/list.txt")])
        if what == "same":  # a path on the same server: followed
            return h.send(307, b"", [("Location", "/list.txt")])
        if what == "garbage":
            return h.send(200, b'{"type": "bundle", "objects": [{"type": "indicator", ', [("Content-Type", "application/json")])
        if what == "denied":
            return h.send(401, b"who are you")
        return h.send(404, b"")

    def requests_for(self, path):
        with self.lock:
            return [headers for p, headers in self.requests if p == path]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
