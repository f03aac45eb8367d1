"""Flow control from IRC: when the component link is congested the IRC
backend stops reading from IRC (GW_CAP_FLOW), so a burst larger than the
gateway's queues waits on the IRC server instead of being refused. With a
send queue of 20 stanzas and an outbox of 300, all 3,000 lines of a burst
arrive, in order."""
import asyncio

from harness.ircclient import irc_jid, irc_section, irc_user

BURST = 3000


async def test_burst_larger_than_the_queues(server, ngircd, gateways, clients, ircs):
    gw = await gateways.new(sections={"irc": irc_section(server, ngircd.port)},
                            xmpp_extra={"send_queue_high": 20, "send_queue_low": 5,
                                        "outbox_max": 300})
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "ready")
    await bob.expect_privmsg(c.nick, "ready")
    for i in range(BURST):
        bob.privmsg(c.nick, "line %d" % i)
    bob_jid = irc_jid(bob.nick)

    def lines():
        return [st["body"] for st in c.inbox if st.xml.tag.endswith("}message")
                and str(st["from"].bare) == bob_jid and st["body"].startswith("line ")]
    loop = asyncio.get_event_loop()
    deadline = loop.time() + 60
    while len(lines()) < BURST and loop.time() < deadline:
        await asyncio.sleep(0.2)
    got = lines()
    assert got == ["line %d" % i for i in range(BURST)], (
        "received %d of %d; first gap at %s" % (len(got), BURST, next(
            (i for i, b in enumerate(got) if b != "line %d" % i), len(got))))
    log = gw.log_text()
    assert "paused reading from IRC" in log, "the burst never congested the link"
    assert "outbox full" not in log, "stanzas were refused"
