"""A hostile SMS provider (a scripted HTTP server standing in for Kannel's
sendsms; a real provider cannot be made to misbehave on purpose):
- one that sends its answer a byte at a time, forever: the call ends
  within http_timeout_s all the same (libsoup's own timeout is per read),
  and the user is told the text may not have been sent;
- one that answers 2xx with a 200 MB body: the gateway reads no more than
  max_body_bytes of it (RSS flat), and the user is told the same;
and a text sent to a well-behaved provider afterwards goes out: the
gateway is unaffected. The users got their numbers from an admin (the
assign command), since codes cannot be texted through such a provider."""
import asyncio
import re

import pytest

from conftest import serve
from harness.client import error_condition
from harness.scenario import command
from harness.servers import SMS_COMPONENT
from harness.sms import kannel, number, sms_gateway_for, sms_jid, sms_port  # noqa: F401
from harness.util import free_port, rss_kib
from test_sms_kannel_register import assign

TIMEOUT_S = 3
HUGE = 200 * 1024 * 1024


class Provider:
    """Answers each request as `mode` says: "trickle", "huge" or "ok"
    (Kannel's "0: Accepted for delivery")."""

    def __init__(self):
        self.port = free_port()
        self.mode = "ok"
        self.requests = 0
        self._server = None

    async def start(self):
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        return self

    async def _serve(self, reader, writer):
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            if self.mode == "trickle":
                writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 100000\r\n\r\n")
                for _ in range(600):  # a byte every 0.2 s: two minutes
                    writer.write(b"0")
                    await writer.drain()
                    await asyncio.sleep(0.2)
            elif self.mode == "huge":
                writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: %d\r\n\r\n" % HUGE)
                chunk = b"0" * 65536
                for _ in range(HUGE // len(chunk)):
                    writer.write(chunk)
                    await writer.drain()
            else:
                body = b"0: Accepted for delivery"
                writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@pytest.fixture(scope="module")
def provider():
    from conftest import run
    p = run(Provider().start(), 10)
    yield p
    p._server.close()


@pytest.fixture(scope="module")
def hostile_gateway(server, kannel, sms_port, provider):  # noqa: F811
    admin = server.make_account(prefix="admin")
    gw = sms_gateway_for(server, kannel, sms_port, admins=[admin[0]],
                         kannel_sendsms_url="http://127.0.0.1:%d/cgi-bin/sendsms" % provider.port,
                         http_timeout_s=TIMEOUT_S)
    gw.admin = admin
    yield from serve(gw)


async def assigned_user(gw, clients):
    c = await clients.new()
    admin = await clients.login(*gw.admin)
    await assign(admin, c.bare, number())
    await c.expect_presence(SMS_COMPONENT, "subscribe")
    return c



def error_for(to):
    return lambda st: (st.xml.tag.endswith("}message") and st.xml.get("type") == "error"
                       and str(st["from"].bare) == to)


@pytest.mark.parametrize("mode", ["trickle", "huge"])
async def test_hostile_answer_ends_the_call(server, hostile_gateway, provider, clients, mode):
    c = await assigned_user(hostile_gateway, clients)
    bob = sms_jid(number())
    provider.mode = mode
    before = rss_kib(hostile_gateway.proc.pid)
    loop = asyncio.get_event_loop()
    t0 = loop.time()
    c.chat(bob, "to a hostile provider")
    err = await c.expect(error_for(bob), "the error for the text", timeout=TIMEOUT_S + 15)
    took = loop.time() - t0
    text = err["error"]["text"]
    print("%s: error after %.1f s: %s" % (mode, took, text))
    assert error_condition(err) == "remote-server-timeout", err
    assert "may not have been sent" in text, err
    if mode == "trickle":
        assert "http_timeout_s" in text, err
        assert took < TIMEOUT_S + 5, "the trickled answer held the call %.1f s" % took
    else:
        assert "max_body_bytes" in text, err
    grew = rss_kib(hostile_gateway.proc.pid) - before
    assert grew < 32 * 1024, "RSS grew by %d KiB" % grew
    # the gateway goes on: a good answer is a text sent
    provider.mode = "ok"
    calls = provider.requests
    taken = hostile_gateway.log_text().count("taken by the provider")
    c.chat(bob, "to a good provider")
    await hostile_gateway.wait_log(r"taken by the provider", count=taken + 1, timeout=15)
    assert provider.requests == calls + 1
