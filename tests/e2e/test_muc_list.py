"""disco#items on an IRC server JID lists its channels (IRC LIST) with
XEP-0059 paging: names with the user count and the topic, a walk with
<max/> and <after/> to the end, the last page with an empty <before/>,
an index, errors for a server that is not allowed and for one that refuses
the connection, a list for unregistered users (an error only for a JID the
policy refuses), and a hostile topic arriving sanitised."""
import asyncio
import re
import xml.etree.ElementTree as ET

import pytest
from slixmpp.exceptions import IqError

from harness.client import NS_DISCO_INFO, NS_REGISTER, error_condition, q, xml_text
from harness.ircclient import IRC_COMPONENT, irc_server_jid, irc_user
from harness.muc import bob_in_channel, fresh_channel, irc_topic, join_channel, room_jid
from harness.roomlist import NS_RSM, list_all, list_page, list_query

SERVER = irc_server_jid("localhost")


async def channels_with_topics(ircs, n, prefix="l"):
    """One raw IRC client creates n fresh channels with topics. Returns
    (bob, {room jid: (channel, topic)})."""
    bob = await ircs.new(prefix="bob")
    made = {}
    for i in range(n):
        channel = fresh_channel(prefix)
        topic = "topic %d of %s" % (i, channel)
        await join_channel(bob, channel)
        await irc_topic(bob, channel, topic)
        made[room_jid(channel)] = (channel, topic)
    return bob, made


async def test_lists_channels_with_names(server, irc_gateway, clients, ircs):
    bob, made = await channels_with_topics(ircs, 3)
    c = await irc_user(clients)
    items, count, _ = await list_all(c, SERVER, max=100)
    names = dict(items)
    assert count == len(items), "count %d, but %d items listed" % (count, len(items))
    for jid, (channel, topic) in made.items():
        assert jid in names, "%s not listed by %s (got %s)" % (jid, SERVER, sorted(names))
        assert names[jid] == "%s (1 user): %s" % (channel, topic), (
            "%s: name %r" % (jid, names[jid]))
    info = await c.iq_ok(SERVER, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    features = {f.get("var") for f in info.xml.iter(q(NS_DISCO_INFO, "feature"))}
    assert NS_RSM in features, "disco#info on %s does not advertise %s: %s" % (
        SERVER, NS_RSM, sorted(features))


async def test_paging_walks_every_page(server, irc_gateway, clients, ircs):
    bob, made = await channels_with_topics(ircs, 5)
    c = await irc_user(clients)
    items, count, pages = await list_all(c, SERVER, max=2)
    jids = [j for j, _ in items]
    assert len(jids) == count and len(set(jids)) == count, (
        "walking %s by 2: %d items (%d distinct), count %d" % (SERVER, len(jids),
                                                               len(set(jids)), count))
    assert pages >= 3, "5 channels or more in pages of 2, yet only %d pages" % pages
    missing = set(made) - set(jids)
    assert not missing, "walking %s by 2 missed %s" % (SERVER, sorted(missing))
    # The last page: an empty <before/>.
    last, s = await list_page(c, SERVER, max=2, before="")
    assert [j for j, _ in last] == jids[-2:], "before='': %s, expected the last two %s" % (
        [j for j, _ in last], jids[-2:])
    assert s["first_index"] == count - 2 and s["count"] == count, "before='': set %s" % s
    # Back one page from there, and straight to an index.
    prev, _ = await list_page(c, SERVER, max=2, before=last[0][0])
    assert [j for j, _ in prev] == jids[-4:-2], "before=%s: %s, expected %s" % (
        last[0][0], [j for j, _ in prev], jids[-4:-2])
    at, s = await list_page(c, SERVER, max=2, index=1)
    assert [j for j, _ in at] == jids[1:3] and s["first_index"] == 1, (
        "index 1: %s (set %s), expected %s" % ([j for j, _ in at], s, jids[1:3]))
    # Only the count.
    none, s = await list_page(c, SERVER, max=0)
    assert none == [] and s["count"] == count, "max 0: %s, set %s" % (none, s)


async def test_no_max_first_page(server, irc_gateway, clients, ircs):
    bob, made = await channels_with_topics(ircs, 2)
    c = await irc_user(clients)
    items, s = await list_page(c, SERVER)
    assert 0 < len(items) <= 100 and s["count"] >= len(made) and s["first_index"] == 0, (
        "no <set/>: %d items, set %s" % (len(items), s))
    if s["count"] <= 100:
        assert set(made) <= set(dict(items)), "no <set/>: %s missing" % (
            sorted(set(made) - set(dict(items))))


async def test_server_not_allowed(server, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    await c.iq_error(irc_server_jid("irc.not-allowed.example"), "get", list_query(max=5),
                     "not-allowed", what="disco#items on a server that is not allowed")


async def test_connection_refused(server, irc_gateway, clients, ircs):
    """Nothing listens on 127.0.0.2 (allowed): the failed connection answers."""
    c = await irc_user(clients)
    r = await c.iq(irc_server_jid("127.0.0.2"), "get", list_query(max=5))
    assert r["type"] == "error" and error_condition(r) == "remote-server-not-found", (
        "disco#items on an IRC server that refuses connections:\n%s" % r)
    assert "refused" in xml_text(r.xml).lower(), "no reason given:\n%s" % r


async def test_unregistered_user(server, irc_gateway, clients, ircs):
    """No registration needed to list; a JID the policy refuses still needs it."""
    bob, made = await channels_with_topics(ircs, 1)
    c = await clients.new()
    items, _, _ = await list_all(c, SERVER, max=100)
    assert set(made) <= {j for j, _ in items}, (
        "an unregistered user's list of %s lacks %s: %s" % (SERVER, sorted(made), items))
    refused = await clients.new(domain=server.foreign)
    await refused.iq_error(SERVER, "get", list_query(), "registration-required",
                           what="disco#items on %s from a JID the policy refuses" % SERVER)
    # The gateway itself stays discoverable.
    await refused.iq_ok(IRC_COMPONENT, "get", list_query(), what="disco#items on the gateway")


async def test_hostile_topic_sanitised(server, irc_gateway, clients, ircs):
    bob, channel = await bob_in_channel(ircs)
    bob.send(b"TOPIC " + channel.encode() + b" :\x0304red\x03 \x02bold\x02 caf\xe9 \x01x\x07y")
    await bob.expect(lambda l: l.command == "TOPIC", "the hostile TOPIC echoed")
    c = await irc_user(clients)
    items, _, _ = await list_all(c, SERVER, max=100)
    names = dict(items)
    jid = room_jid(channel)
    assert names.get(jid) == "%s (1 user): red bold caf\u00e9 xy" % channel, (
        "%s: name %r" % (jid, names.get(jid)))
    # The link survived: the next request is answered.
    await list_page(c, SERVER, max=1)


# -- a scripted IRC server on 127.0.0.2 (harness/fakeirc.py) --------------------------
@pytest.fixture
def fake_irc(fake_irc_server):
    """A scripted server that hands LIST to `on_list(send, close, nick)`."""
    async def make(on_list):
        return await fake_irc_server(
            {"LIST": lambda peer, parts: on_list(peer.send, peer.close, peer.nick)})
    return make


FAKE = irc_server_jid("127.0.0.2")


async def iq_with_id(c, to, payload, timeout=15):
    """An iq get with its own id (the client's iq() always uses "0"), for
    one sent while another is under way; returns the answer."""
    iq = c.make_iq(id=c.new_id(), ito=to, itype="get")
    iq.append(ET.fromstring(payload))
    try:
        return await iq.send(timeout=timeout)
    except IqError as e:
        return e.iq


async def test_try_again_is_an_error(server, irc_gateway, clients, fake_irc):
    # A fake: no real server here can be made to answer LIST with RPL_TRYAGAIN.
    await fake_irc(lambda send, close, nick: send(
        ":fake 263 %s LIST :Server load is temporarily too heavy" % nick))
    c = await irc_user(clients)
    r = await c.iq(FAKE, "get", list_query(max=5))
    assert r["type"] == "error" and error_condition(r) == "resource-constraint", (
        "disco#items answered by RPL_TRYAGAIN:\n%s" % r)


async def test_connection_lost_during_list(server, irc_gateway, clients, fake_irc):
    # A fake: only a scripted server can drop the link halfway through a LIST reply.
    def half_then_close(send, close, nick):
        send(":fake 321 %s Channel :Users Name" % nick)
        send(":fake 322 %s #one 3 :first" % nick)
        close()
    await fake_irc(half_then_close)
    c = await irc_user(clients)
    r = await c.iq(FAKE, "get", list_query(max=5))
    assert r["type"] == "error" and "lost" in xml_text(r.xml).lower(), (
        "disco#items when the connection drops during LIST:\n%s" % r)


async def test_new_login_during_list(server, irc_gateway, clients, fake_irc):
    """Settings that log the user in anew end the list under way: answered."""
    # A fake: a real server always answers LIST; this one never does.
    fake = await fake_irc(lambda send, close, nick: None)  # LIST never answered
    c = await irc_user(clients)
    pending = asyncio.ensure_future(iq_with_id(c, FAKE, list_query(max=5)))
    await asyncio.wait_for(fake.heard("LIST").wait(), 10)
    await c.iq_ok(IRC_COMPONENT, "set", "<query xmlns='%s'><nick>%s</nick></query>"
                  % (NS_REGISTER, c.nick + "z"), what="a new nick")
    r = await asyncio.wait_for(pending, 10)
    assert r["type"] == "error", "disco#items when the user logs in anew during LIST:\n%s" % r


async def test_logout_during_list(server, irc_gateway, clients, fake_irc, ircs):
    """The user goes offline while LIST runs; the gateway carries on."""
    # A fake: a real server always answers LIST; this one never does.
    fake = await fake_irc(lambda send, close, nick: None)
    c = await irc_user(clients)
    pending = asyncio.ensure_future(iq_with_id(c, FAKE, list_query(max=5)))
    await asyncio.wait_for(fake.heard("LIST").wait(), 10)
    c.send_presence(ptype="unavailable")
    await irc_gateway.wait_log(r"%s logged out" % re.escape(c.bare))
    pending.cancel()
    await asyncio.gather(pending, return_exceptions=True)
    d = await irc_user(clients)
    await list_page(d, SERVER, max=1)
