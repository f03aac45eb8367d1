"""The core's HTTP listener against hostile clients, through the SMS
webhook (a body bound of 4,096 bytes), with the listener's address in
[sms]'s deprecated http_listen/http_port and only read_timeout_s in
[http]: a 300 MB chunked body is cut early and never held in memory, a
Content-Length over the bound is answered from the headers, and a
half-sent request and an idle connection are closed after the read
timeout; past max_connections waiting at once, a new connection is
answered 503 at once. The deprecated keys work and are said to be
deprecated."""
import socket
import threading
import time

import pytest

from harness.sms import kannel, post, sms_gateway_for, sms_port  # noqa: F401
from harness.util import rss_kib

READ_TIMEOUT_S = 2
MAX_CONNECTIONS = 8


@pytest.fixture(scope="module")
def gw(server, kannel, sms_port):  # noqa: F811
    from conftest import serve
    g = sms_gateway_for(server, kannel, sms_port)
    g.sections["http"] = {"read_timeout_s": str(READ_TIMEOUT_S),
                          "max_connections": str(MAX_CONNECTIONS)}
    g.write_config()
    yield from serve(g)



def still_serving(port):
    status, _ = post(port, "/kannel/mo", "token=wrong&from=%2B15550001111&to=%2B15550002222",
                     b"hi")
    assert status == 403, "the webhook no longer answers: %s" % status


async def test_deprecated_keys_work(gw, sms_port):  # noqa: F811
    log = gw.log_text()
    assert "[sms]'s address keys for the HTTP listener are deprecated" in log, log
    assert "[http] listening on 127.0.0.1 port %d" % sms_port in log, log
    still_serving(sms_port)


async def test_chunked_body_cut_before_read(gw, sms_port):  # noqa: F811
    """A 300 MB chunked POST with a wrong token: the gateway closes the
    connection after a few kilobytes past the bound, its memory stays flat."""
    total = 300 * 1024 * 1024
    chunk = b"x" * 65536
    before = rss_kib(gw.proc.pid)
    result = {}

    def send():
        s = socket.create_connection(("127.0.0.1", sms_port), timeout=20)
        sent = 0
        try:
            s.sendall(b"POST /kannel/mo?token=wrong HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
            while sent < total:
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
            s.sendall(b"0\r\n\r\n")
            result["answer"] = s.recv(4096)
        except OSError as e:
            result["error"] = e
        finally:
            result["sent"] = sent
            s.close()

    t = threading.Thread(target=send)
    t.start()
    t.join(60)
    assert not t.is_alive(), "the gateway read on for 60 s"
    after = rss_kib(gw.proc.pid)
    print("chunked 300 MB: %d bytes sent before the close, RSS %d -> %d KiB"
          % (result["sent"], before, after))
    assert result["sent"] < 64 * 1024 * 1024, (
        "the gateway took %d bytes of a chunked body bounded at 4096" % result["sent"])
    assert "error" in result or not result.get("answer", b"").startswith(b"HTTP/1.1 2"), result
    assert after - before < 20 * 1024, "RSS grew from %d to %d KiB" % (before, after)
    still_serving(sms_port)


async def test_content_length_over_bound_answered_from_headers(gw, sms_port):  # noqa: F811
    """Only the headers are sent: the 413 comes without the body."""
    s = socket.create_connection(("127.0.0.1", sms_port), timeout=READ_TIMEOUT_S - 0.5)
    try:
        s.sendall(b"POST /kannel/mo?token=wrong HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Length: 300000000\r\n\r\n")
        answer = s.recv(4096)
    except socket.timeout:
        raise AssertionError("no answer within %.1f s of the headers" % (READ_TIMEOUT_S - 0.5))
    finally:
        s.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer


async def test_wrong_token_refused_from_headers(gw, sms_port):  # noqa: F811
    """The webhook's token is in the query: a wrong one is answered 403 as
    soon as the headers are in, before any of the (announced, small
    enough) body is sent, and the connection is closed; the right token
    with the same headers waits for its body."""
    def headers_only(token):
        s = socket.create_connection(("127.0.0.1", sms_port), timeout=READ_TIMEOUT_S - 0.5)
        try:
            s.sendall(b"POST /kannel/mo?token=%s&from=%%2B15550001111&to=%%2B15550002222 "
                      b"HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n"
                      % token.encode())
            return s.recv(4096)
        except socket.timeout:
            return None
        finally:
            s.close()
    answer = headers_only("wrong")
    assert answer is not None and answer.startswith(b"HTTP/1.1 403"), answer
    await gw.wait_log(r"webhook /kannel/mo with a wrong or missing token refused")
    right = headers_only(gw.sections["sms"]["webhook_token"])
    assert right is None, "the right token was answered before its body: %r" % right


def closed_after(first_bytes, port):
    """Seconds until the gateway closes a connection that sent first_bytes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT_S + 8)
    start = time.monotonic()
    try:
        if first_bytes:
            s.sendall(first_bytes)
        data = b""
        while True:
            got = s.recv(4096)
            if not got:
                break
            data += got
    except ConnectionResetError:
        pass
    except socket.timeout:
        raise AssertionError("still open after %.1f s" % (time.monotonic() - start))
    finally:
        s.close()
    return time.monotonic() - start


async def test_half_sent_request_closed(gw, sms_port):  # noqa: F811
    # the right token: a wrong one is refused from the headers, at once
    took = closed_after(b"POST /kannel/mo?token=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        b"Content-Length: 100\r\n\r\nonly a part"
                        % gw.sections["sms"]["webhook_token"].encode(), sms_port)
    assert READ_TIMEOUT_S - 0.5 <= took <= READ_TIMEOUT_S + 2, took
    took = closed_after(b"GET /kannel/mo HTTP/1.1\r\nHost: 127.0", sms_port)
    assert READ_TIMEOUT_S - 0.5 <= took <= READ_TIMEOUT_S + 2, took
    still_serving(sms_port)


async def test_idle_connection_closed(gw, sms_port):  # noqa: F811
    took = closed_after(b"", sms_port)
    assert READ_TIMEOUT_S - 0.5 <= took <= READ_TIMEOUT_S + 2, took


async def test_connections_past_the_cap_answered_503(gw, sms_port):  # noqa: F811
    """Slow clients holding MAX_CONNECTIONS connections do not make the next
    one wait for them: it is answered 503 at once; once they go, the
    webhook answers again."""
    held = [socket.create_connection(("127.0.0.1", sms_port), timeout=5)
            for _ in range(MAX_CONNECTIONS)]
    try:
        for s in held:
            s.sendall(b"POST /kannel/mo HTTP/1.1\r\n")  # and nothing more
        time.sleep(0.3)
        s = socket.create_connection(("127.0.0.1", sms_port), timeout=READ_TIMEOUT_S - 0.5)
        start = time.monotonic()
        try:
            answer = s.recv(4096)
        except socket.timeout:
            raise AssertionError("the connection past the cap waited %.1f s"
                                 % (time.monotonic() - start))
        finally:
            s.close()
        assert answer.startswith(b"HTTP/1.1 503"), answer
    finally:
        for h in held:
            h.close()
    time.sleep(0.3)
    still_serving(sms_port)
    await gw.wait_log(r"%d connections wait for their request: a new one is answered 503"
                      % MAX_CONNECTIONS)
