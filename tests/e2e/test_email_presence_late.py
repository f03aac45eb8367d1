"""The gateway JID's presence while a mailbox's watch is down is `xa` with
the reason, and the core remembers it: a resource of the user that comes
online later, and a probe of the gateway JID, get that same `xa` with its
reason, not a plain `online` (here the password changed at the server and
the gateway restarted, so the watch's login fails)."""
from harness.email_gw import email_section, mail  # noqa: F401
from harness.servers import EMAIL_COMPONENT
from test_email_delivery import watched_user


def is_xa(st):
    return (st.xml.tag.endswith("presence") and str(st["from"]) == EMAIL_COMPONENT
            and st.xml.get("type") is None and st["show"] == "xa"
            and "authentication failed" in st["status"])


async def test_late_resource_and_probe_get_xa(server, mail, gateways, clients):
    gw = await gateways.new(name="email", sections={"email": email_section(
        server, reconnect_min_s=600, reconnect_max_s=600)})  # the reason stays as it is
    c, addr = await watched_user(mail, gw, clients)
    mail.set_password(addr, "changed-at-the-server")
    c.clear()
    await gw.restart()
    first = await c.expect(is_xa, "xa from the gateway JID (the watch's login fails)",
                           timeout=20)
    late = await clients.login(c.bare, c.password, resource="late")
    st = await late.expect(is_xa, "xa for the resource that came online later")
    assert st["status"] == first["status"], st
    late.clear()
    late.presence(to=EMAIL_COMPONENT, ptype="probe")
    st = await late.expect(is_xa, "xa answering a probe")
    assert st["status"] == first["status"], st
