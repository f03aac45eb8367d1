"""A tiny HTTP server on 127.0.0.1 that records every request: the peer
that stands in for a webhook receiver (Kannel's callbacks in the Kannel
harness test, delivery reports a test replays to the gateway one by
one)."""
import http.server
import threading
import urllib.parse

import pytest

from .util import wait_until


class Recorder:
    """A tiny HTTP server on 127.0.0.1 recording every request. `codes`:
    statuses to answer in turn (200 once they run out)."""

    def __init__(self):
        self.requests = []
        self.codes = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                url = urllib.parse.urlsplit(self.path)
                with outer.lock:
                    code = outer.codes.pop(0) if outer.codes else 200
                    outer.requests.append(dict(
                        method=self.command, path=url.path,
                        query=dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)),
                        raw_query=url.query,
                        headers=dict(self.headers), body=body, code=code))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def matching(self, **want):
        with self.lock:
            return [r for r in self.requests
                    if all(r["query"].get(k) == v for k, v in want.items())]

    def wait(self, count=1, timeout=10.0, **want):
        return wait_until(lambda: self.matching(**want)[:count]
                          if len(self.matching(**want)) >= count else None,
                          timeout, "%d callback(s) with %s" % (count, want))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def recorder():
    """A Recorder for the tests of one module (import it into the module)."""
    r = Recorder()
    yield r
    r.close()
