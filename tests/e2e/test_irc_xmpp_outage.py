"""The XMPP server is down for a while: the IRC backend stops reading from
IRC (what IRC users say waits on the IRC server, not in the outbox), yet
keeps every IRC connection alive, because it keeps talking to the IRC
server, which drops clients it hears nothing from; and what was said
meanwhile reaches the user afterwards."""
import asyncio

import pytest

from harness.ircclient import IrcPool, irc_jid, irc_section, irc_server_jid, irc_user
from harness import servers
from harness.ircd import Ngircd
from harness.pool import ClientPool, GatewayFactory
from harness.util import STANZA_TIMEOUT

OUTAGE_S = 18   # over three times ngIRCd's PingTimeout + PongTimeout below


def registrations(ircd, nick):
    """How many times nick's connection registered at ircd (its log): a
    reconnect registers again."""
    with open(ircd.out_path, errors="replace") as f:
        return sum(1 for line in f if 'User "%s!' % nick in line and "\" registered (" in line)


@pytest.fixture
def prosody():
    """Prosody only: ejabberd loses accounts made seconds before a kill -9
    (its database writes them to disk later), which this test needs."""
    srv = servers.start_server("prosody")
    yield srv
    srv.cleanup()


@pytest.fixture
def strict_ngircd():
    """An ngIRCd that drops a client silent for 5 s (PING) + 3 s (no PONG)."""
    ircd = Ngircd(ping_timeout=5, pong_timeout=3).start()
    yield ircd
    ircd.cleanup()


async def test_irc_kept_through_an_xmpp_outage(prosody, strict_ngircd):
    srv = prosody
    gateways = GatewayFactory(srv)
    gw = await gateways.new(sections={"irc": irc_section(srv, strict_ngircd.port,
                                                              ping_interval_s=5)})
    pool, ircs = ClientPool(srv), IrcPool(strict_ngircd.port)
    try:
        c = await irc_user(pool)
        bob = await ircs.new(prefix="bob")
        c.chat(irc_jid(bob.nick), "before")
        await bob.expect_privmsg(c.nick, "before")
        assert registrations(strict_ngircd, c.nick) == 1
        # The server dies without a word (kill -9): no unavailable presence
        # reaches the gateway, so the user's session lives on, and so must
        # its IRC connection.

        srv.kill9()
        await asyncio.sleep(2)
        for n in range(1, 4):
            bob.privmsg(c.nick, "during-%d" % n)
        await asyncio.sleep(OUTAGE_S)
        # The gateway's IRC connection is the same one.
        assert registrations(strict_ngircd, c.nick) == 1, (
            "the IRC connection was made anew; ngIRCd says:\n%s" % strict_ngircd.diagnostics())
        srv.start()

        c2 = await pool.login(c.bare, c.password)
        got = set()
        while len(got) < 3:
            m = await c2.expect(lambda st: st.xml.tag.endswith("}message")
                                and str(st["from"].bare) == irc_jid(bob.nick)
                                and st["body"].startswith("during-"),
                                "bob's messages from the outage", timeout=60)

            got.add(m["body"])
        # Never lost on IRC: no notice of a lost connection, and the gateway
        # answers bob at once on the same connection.
        await c2.expect_none(lambda st: st.xml.tag.endswith("}message")
                             and str(st["from"].bare) == irc_server_jid("localhost")
                             and "lost" in st["body"].lower(),
                             "a notice that the IRC connection was lost", within=1)
        c2.chat(irc_jid(bob.nick), "after")
        await bob.expect_privmsg(c.nick, "after", timeout=STANZA_TIMEOUT)
        assert registrations(strict_ngircd, c.nick) == 1, "the IRC connection was made anew"
    except AssertionError:
        print(open(gw.log_path).read()[-30000:])
        raise
    finally:
        await pool.close_all()
        await ircs.close_all()
        gateways.stop_all()
