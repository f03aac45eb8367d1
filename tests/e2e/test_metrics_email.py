"""The e-mail backend's metrics against the real mail stack: a watched
mailbox shows as a watch up; a mail delivered counts as a message from the
network, a reply as one to it; `promtool check metrics` passes."""
import asyncio

from harness.email_gw import email_gateway, email_options, mail  # noqa: F401
from harness.metrics import parse, promtool_check, scrape, until, value
from harness.servers import EMAIL_COMPONENT
from test_email_delivery import contact, submit, watched_user


async def test_email_metrics_move(server, mail, email_gateway, clients):  # noqa: F811
    port = int(email_gateway.sections["http"]["port"])
    before = parse(await scrape(port))
    g = {"gateway": EMAIL_COMPONENT}
    c, addr = await watched_user(mail, email_gateway, clients)
    await until(port, None, lambda s: value(s, "xmpp_gw_email_watches", state="up", **g) ==
                value(before, "xmpp_gw_email_watches", state="up", **g) + 1,
                "one watch more up")
    bob, bob_pw = mail.add_user("b")
    await asyncio.get_event_loop().run_in_executor(
        None, submit, mail, bob, bob_pw, addr,
        "From: %s\r\nTo: %s\r\nSubject: counted\r\n\r\ncounted in\r\n" % (bob, addr))
    await c.expect_message(contact(bob), what="the mail")
    c.chat(contact(bob), "counted out")
    after = await until(port, None, lambda s: value(
        s, "xmpp_gw_messages_total", direction="to_network", **g) > value(
        before, "xmpp_gw_messages_total", direction="to_network", **g), "the reply counted")
    assert value(after, "xmpp_gw_messages_total", direction="from_network", outcome="ok",
                 **g) == value(before, "xmpp_gw_messages_total", direction="from_network",
                               outcome="ok", **g) + 1
    promtool_check(await scrape(port))
