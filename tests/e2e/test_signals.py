"""Signals (README "Signals"): SIGTERM and SIGINT stop the gateway within
5 s with exit code 0 even with work in flight; SIGHUP with an invalid file
keeps the running policy and says why; SIGHUP reloads the log level."""
import asyncio
import re
import signal
import time

import pytest

from harness.client import NS_REGISTER
from harness.gateway import render_config
from harness.ircclient import IRC_COMPONENT, fresh_nick, irc_jid, irc_section, register_nick
from harness.proxy import CutProxy
from harness.scenario import register, registered_user
from harness.servers import unique

STOP_BOUND_S = 5.0   # the README's "at most 5 s"
STOP_SLACK_S = 1.5   # process exit, sanitizer builds


def write(gw, level="debug", allow="localhost", tail=""):
    """Rewrites gw's config as the harness would, with a log level of our
    own (the harness always writes debug) and optional trailing text."""
    with open(gw.config, "w") as f:
        f.write(render_config(gw.server, gw.store, allow=allow, admins=gw.admins, level=level,
                              port=gw.port, xmpp_extra=gw.xmpp_extra, sections=gw.sections)
                + tail)


async def log_count(gw, text, want, timeout=10.0):
    """Waits (bounded) until gw's log holds text at least want times."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while gw.log_text().count(text) < want:
        assert gw.running(), "gateway exited (code %s):\n%s" % (gw.proc.poll(), gw.log_tail())
        assert loop.time() < deadline, "%r not in the log %d times:\n%s" % (
            text, want, gw.log_tail())
        await asyncio.sleep(0.1)


class SilentIrcd:
    """An IRC server that accepts and never says a word: a connect of the
    gateway's stays in flight, waiting for the welcome."""

    def __init__(self):
        self.accepted = 0
        self._writers = []

    async def start(self):
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _accept(self, reader, writer):
        self.accepted += 1
        self._writers.append(writer)

    def close(self):
        for w in self._writers:
            w.close()
        self._server.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
async def test_stop_within_5s_with_work_in_flight(server, gateways, clients, sig):
    """A user logged in, an IRC connect waiting on a server that never
    answers, and the component link stalled (the proxy drops what the
    gateway writes, so nothing it sends at shutdown is acknowledged): the
    gateway still exits within 5 s of the signal, with code 0."""
    ircd = await SilentIrcd().start()
    proxy = await CutProxy(server.component_port).start()
    try:
        gw = await gateways.new(port=proxy.port,
                                sections={"irc": irc_section(server, ircd.port)})
        c = await registered_user(clients, server)
        await register_nick(c, fresh_nick("sig"))
        c.presence()
        await c.expect_presence(IRC_COMPONENT, None, what="login through the IRC backend")
        c.chat(irc_jid("nobody"), "connect, please")
        loop = asyncio.get_event_loop()
        deadline = loop.time() + 10
        while not ircd.accepted:
            assert loop.time() < deadline, "the gateway never dialled the IRC server"
            await asyncio.sleep(0.05)
        proxy.stall()
        t0 = time.monotonic()
        gw.signal(sig)
        rc = await loop.run_in_executor(None, gw.wait_exit, STOP_BOUND_S + 10)
        took = time.monotonic() - t0
        name = signal.Signals(sig).name[3:]
        print("SIG%s: exited with %s after %.2f s" % (name, rc, took))
        assert took <= STOP_BOUND_S + STOP_SLACK_S, (
            "SIG%s: exited %.2f s after the signal (README: at most %.0f s):\n%s"
            % (name, took, STOP_BOUND_S, gw.log_tail()))
        assert rc == 0, "SIG%s: exit code %s, README promises 0:\n%s" % (name, rc, gw.log_tail())
        assert "signal %s received" % name in gw.log_text(), gw.log_tail()
        assert not gw.sanitizer_problems(), gw.log_tail()
    finally:
        proxy.stall()  # harmless; the proxy's server goes with the loop
        ircd.close()


async def test_hup_invalid_file_keeps_policy(server, gateways, clients):
    """A foreign-domain user allowed by the running policy; the file then
    narrows the policy but also has an invalid log level: the reload is
    refused as a whole (the log says so and why), the user is still
    allowed, and the gateway keeps running."""
    gw = await gateways.new(allow="localhost, %s" % server.foreign)
    c = await clients.new(domain=server.foreign)
    await register(c, server)
    reloads = gw.log_text().count("reload refused")
    write(gw, level="shouty", allow="localhost")
    gw.signal(signal.SIGHUP)
    await log_count(gw, "reload refused", reloads + 1)
    line = [l for l in gw.log_text().splitlines() if "reload refused" in l][-1]
    assert "keeping the running configuration" in line and "level" in line, (
        "the log does not say why the reload failed: %r" % line)
    # still allowed: the registration form, and a new registration of another foreign user
    await c.iq_ok(server.component, "get", "<query xmlns='%s'/>" % NS_REGISTER,
                  what="register get after the refused reload")
    other = await clients.new(domain=server.foreign)
    await register(other, server)
    assert gw.running(), "gateway died on SIGHUP:\n" + gw.log_tail()
    # and a valid file is still taken afterwards: the narrowed policy refuses
    write(gw, allow="localhost")
    done = gw.log_text().count("reloaded the policy")
    gw.signal(signal.SIGHUP)
    await log_count(gw, "reloaded the policy", done + 1)
    third = await clients.new(domain=server.foreign)
    await third.iq_error(server.component, "get", "<query xmlns='%s'/>" % NS_REGISTER,
                         "not-allowed", what="register get after the valid reload")


async def test_hup_reloads_log_level(server, gateways, clients):
    """Message bodies are logged at debug level only: an echo's body is in
    the log after the level is raised to debug by SIGHUP, and not after it
    is lowered to info (nor before)."""
    gw = await gateways.new()
    c = await registered_user(clients, server)
    bob = "bob@" + server.component

    async def echo_logged(level):
        n = gw.log_text().count("reloaded the policy and the log level")
        write(gw, level=level)
        gw.signal(signal.SIGHUP)
        await log_count(gw, "reloaded the policy and the log level", n + 1)
        marker = unique("mark")
        c.chat(bob, marker)
        await c.expect_message(bob, marker, mtype="chat")
        # the echo was delivered, so the line about it was written (or not) before
        return bool(re.search(r"debug.*%s" % marker, gw.log_text()))

    assert not await echo_logged("info"), "a body logged at level info:\n" + gw.log_tail()
    assert await echo_logged("debug"), "no debug line after SIGHUP to debug:\n" + gw.log_tail()
    assert not await echo_logged("info"), "debug lines after SIGHUP to info:\n" + gw.log_tail()
    assert gw.running()
