"""A subscribed IRC contact's presence follows the nick: available when it
connects, unavailable when it quits. ngIRCd offers no MONITOR, so the
gateway polls with ISON every ison_interval_s (1 s here)."""
from harness.ircclient import fresh_nick, irc_jid, irc_user


async def test_contact_online_offline(server, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    carol_nick = fresh_nick("carol")
    carol = irc_jid(carol_nick)
    c.presence(to=carol, ptype="subscribe")
    await c.expect_presence(carol, "subscribed", what="subscribed from %s" % carol)
    await c.expect_none(lambda st: st.xml.tag.endswith("}presence")
                        and str(st["from"].bare) == carol and st.xml.get("type") is None,
                        "available presence from %s before it connected" % carol, 1.5)

    irc_carol = await ircs.new(carol_nick)
    await c.expect_presence(carol, None, what="available presence when %s connects" % carol_nick)

    c.clear()
    await irc_carol.quit("gone")
    await c.expect_presence(carol, "unavailable",
                            what="unavailable presence when %s quits" % carol_nick)
