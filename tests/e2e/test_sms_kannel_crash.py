"""Crash safety of the SMS backend (kill -9 of the gateway, by its PID):
- an incoming text that Kannel handed over (and got its 200 for) while
  the XMPP side could not take it arrives exactly once after a restart;
- an outgoing text stored while Kannel's sendsms was down is sent after a
  restart, exactly once;
- an outgoing text that was being handed to the provider when the gateway
  died is never sent again: the user gets an error saying it may not have
  gone out."""
import asyncio
import socket
import threading

import pytest

from harness.client import error_condition
from harness.sms import (in_log, inject, kannel, kill9, number, owned, sms_gateway_for,  # noqa: F401
                         sms_jid, sms_port, sms_user, wait_sink)
from harness.util import wait_until


@pytest.fixture
def gw_of(dedicated_server, kannel, sms_port):
    """The test's gateway on the dedicated server (not started)."""
    yield from owned(sms_gateway_for(dedicated_server, kannel, sms_port))


async def up(gw, clients, kannel):
    """The gateway started and ready, a user with a number, and a phone."""
    gw.start()
    await gw.wait_ready()
    return await sms_user(clients, kannel), number()


async def test_incoming_survives_a_crash(dedicated_server, dedicated_clients, kannel, gw_of):
    gw = gw_of
    c, bob = await up(gw, dedicated_clients, kannel)
    # The XMPP side goes away: the text can only wait in the store.
    await dedicated_clients.close_all()
    dedicated_server.stop()
    await inject(kannel, bob, c.number, "kept through a crash")
    await in_log(gw, "for %s stored" % c.bare)
    kill9(gw)
    dedicated_server.start()
    c = await dedicated_clients.login(c.bare, c.password)
    gw.start()
    await c.expect_message(sms_jid(bob), "kept through a crash", timeout=20)
    await c.expect_none(lambda st: st["body"] == "kept through a crash", "a second copy", 2.0)


async def test_queued_text_sent_once_after_a_crash(dedicated_server, dedicated_clients, kannel, gw_of):
    gw = gw_of
    c, bob = await up(gw, dedicated_clients, kannel)
    kannel.smsbox.stop()
    try:
        c.chat(sms_jid(bob), "sent once after all")
        await in_log(gw, "not sent (")
        kill9(gw)
    finally:
        kannel.smsbox.spawn()
        kannel.smsbox.wait_port(kannel.sendsms_port, 20)
        wait_until(lambda: "smsbox:" in kannel.status(), 20, "smsbox back")
    gw.start()
    await wait_sink(kannel, receiver=bob, timeout=20)
    await asyncio.sleep(2.0)
    got = [m for m in kannel.sink_messages() if m.receiver == bob]
    assert len(got) == 1 and got[0].text == "sent once after all", got


class Silent:
    """A TCP server that reads requests and never answers: a provider that
    took the request and then hangs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.conns = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            data = conn.recv(65536)
            if data:
                self.requests.append(data)

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


async def test_text_in_flight_is_not_sent_twice(dedicated_server, dedicated_clients, kannel, gw_of):
    gw = gw_of
    c, bob = await up(gw, dedicated_clients, kannel)
    real = gw.sections["sms"]["kannel_sendsms_url"]
    silent = Silent()
    try:
        gw.stop()
        gw.sections["sms"]["kannel_sendsms_url"] = "http://127.0.0.1:%d/cgi-bin/sendsms" % silent.port
        gw.write_config()
        gw.start()
        await gw.wait_ready()
        m = c.make_message(mto=sms_jid(bob), mbody="maybe sent", mtype="chat")
        m["id"] = "inflight-1"
        m.send()
        await in_log(gw, "queued")
        wait_until(lambda: silent.requests, 10, "the request at the silent provider")
        kill9(gw)
        gw.sections["sms"]["kannel_sendsms_url"] = real
        gw.write_config()
        gw.start()
        err = await c.expect(lambda st: st.xml.get("type") == "error" and st["id"] == "inflight-1",
                             "an error for the text in flight", timeout=20)
        assert "may not have been sent" in err["error"]["text"], err
        assert error_condition(err) == "service-unavailable", err
        await asyncio.sleep(2.0)
        assert not [m for m in kannel.sink_messages() if m.receiver == bob]
        assert len(silent.requests) == 1
    finally:
        silent.close()
