"""A roster contact's presence through MONITOR, on a server that offers it
(InspIRCd with its monitor module; ngircd has none and is polled with ISON,
see test_irc_presence.py). ISON polling is set to an hour here, so only
MONITOR can bring the presence within the test's waits."""
import pytest

from harness.ircclient import fresh_nick, irc_jid, irc_user
from harness.ircd import InspircdAtheme


@pytest.fixture(scope="module")
def inspircd():
    net = InspircdAtheme().start()
    yield net
    net.cleanup()


@pytest.fixture(scope="module")
def irc_port(inspircd):
    return inspircd.port


@pytest.fixture(scope="module")
def irc_options():
    return {"ison_interval_s": 3600}


async def test_monitor_online_offline(server, inspircd, irc_gateway, clients, ircs):
    assert "MONITOR" in inspircd.isupport(), "the harness's InspIRCd should offer MONITOR"
    c = await irc_user(clients)
    # The contact is added before any IRC connection exists: it opens one.
    carol_nick = fresh_nick("carol")
    carol = irc_jid(carol_nick)
    c.presence(to=carol, ptype="subscribe")
    await c.expect_presence(carol, "subscribed", what="subscribed from %s" % carol)
    irc_carol = await ircs.new(carol_nick)
    await c.expect_presence(carol, None, what="available presence when %s connects" % carol_nick)
    c.clear()
    await irc_carol.quit("gone")
    await c.expect_presence(carol, "unavailable",
                            what="unavailable presence when %s quits" % carol_nick)
    # Unsubscribing stops the watch: carol coming back shows nothing.
    c.presence(to=carol, ptype="unsubscribe")
    # The server drops the gateway's "unsubscribed" (a no-op once the user
    # unsubscribed); a ping behind the unsubscribe shows it was handled.
    await c.iq_ok(carol, "get", "<ping xmlns='urn:xmpp:ping'/>")
    c.clear()
    await ircs.new(carol_nick)
    await c.expect_none(lambda st: st.xml.tag.endswith("}presence")
                        and str(st["from"].bare) == carol and st.xml.get("type") is None,
                        "presence from %s after unsubscribing" % carol, 2.0)
