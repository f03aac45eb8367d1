"""Legacy contacts: subscribing to a contact, its presence changes, and its
unavailable presence when the gateway shuts down."""
from harness.scenario import registered_user


async def test_contact_presence_and_shutdown(server, gateways, clients):
    gw = await gateways.new()
    c = await registered_user(clients, server)
    carol = "carol@" + server.component
    c.presence(to=carol, ptype="subscribe")
    await c.expect_presence(carol, "subscribed", what="subscribed from carol")
    await c.expect_presence(carol, None, what="available presence from carol")

    c.chat(carol, "/presence away gone fishing")

    def away(st):
        return (st.xml.tag.endswith("}presence") and str(st["from"].bare) == carol
                and st.xml.get("type") is None and st["show"] == "away")
    p = await c.expect(away, "presence from carol with show away")
    assert p["status"] == "gone fishing", p

    c.clear()
    gw.signal(15)  # SIGTERM: contacts and the gateway go offline, then it exits
    await c.expect_presence(carol, "unavailable", what="unavailable from carol on SIGTERM")
    await c.expect_presence(server.component, "unavailable",
                            what="unavailable from %s on SIGTERM" % server.component)
    rc = gw.wait_exit(10)
    assert rc == 0, "exit code %s after SIGTERM:\n%s" % (rc, gw.log_tail())
    assert not gw.sanitizer_problems(), gw.log_tail()
