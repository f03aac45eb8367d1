"""The e-mail backend's ad-hoc commands (XEP-0050): the user's "Mailbox
status" (the watch up, or down with the reason; the last error; the mails
delivered today; the mails waiting to be sent) and "Check my mailbox again"
(a login to both servers, told in a message; a watch waiting in its back-off
tries again at once); the admins' "Mail accounts", refused to a user.
Dovecot is this module's own (harness/mail.py), restarted by its PID."""

import pytest

from harness.client import NS_CLIENT, NS_DISCO_ITEMS, error_condition, jid_match, q
from harness.email_gw import email_options, email_section, mail  # noqa: F401
from harness.gateway import Gateway
from harness.scenario import command, run_command
from harness.servers import EMAIL_COMPONENT
from test_email_delivery import contact, submit, watched_user
from test_email_reconnect import gateway_show, imap_back, in_thread  # noqa: F401

NS_COMMANDS = "http://jabber.org/protocol/commands"


@pytest.fixture(scope="module")
def email_options():  # noqa: F811
    # A long back-off: a watch that comes back soon after Dovecot does was
    # restarted by "Check my mailbox again", not by its own timer.
    return {"reconnect_min_s": 60, "reconnect_max_s": 120}


@pytest.fixture(scope="module")
def email_gateway(server, mail, email_options):  # noqa: F811
    from conftest import serve
    admin = server.make_account(prefix="admin")
    gw = Gateway(server, name="email", admins=[admin[0]],
                 sections={"email": email_section(server, **email_options)})
    gw.admin = admin
    yield from serve(gw)


async def command_nodes(c):
    r = await c.iq_ok(EMAIL_COMPONENT, "get", "<query xmlns='%s' node='%s'/>"
                      % (NS_DISCO_ITEMS, NS_COMMANDS), what="the command list")
    return {i.get("node") for i in r.xml.iter(q(NS_DISCO_ITEMS, "item"))}


async def report(c, node):
    """The lines of a command's text result."""
    fields = await run_command(c, EMAIL_COMPONENT, node)
    assert "report" in fields, "%s: no report in %s" % (node, fields)
    return "\n".join(fields["report"]["values"]).split("\n")


def line(lines, head):
    found = [ln for ln in lines if ln.startswith(head)]
    assert found, "no line %r in %s" % (head, lines)
    return found[0][len(head):]


async def test_commands_listed(server, mail, email_gateway, clients):
    c, _ = await watched_user(mail, email_gateway, clients)
    nodes = await command_nodes(c)
    assert {"status", "recheck"} <= nodes and "accounts" not in nodes, nodes
    admin = await clients.login(*email_gateway.admin)
    assert "accounts" in await command_nodes(admin)


async def test_status_counts_and_down_reason(server, mail, email_gateway, clients, imap_back):
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, email_gateway, clients)
    lines = await report(c, "status")
    assert line(lines, "Mailbox: ") == addr, lines
    assert line(lines, "Watch: ").startswith("up"), lines
    assert line(lines, "Last error: ") == "none", lines
    assert line(lines, "Mails delivered today (UTC, since the gateway started): ") == "0", lines
    assert line(lines, "Mails waiting to be sent: ") == "0", lines

    await in_thread(submit, mail, bob, bob_pw, addr,
                    "From: %s\r\nTo: %s\r\nSubject: one\r\n\r\ncount me\r\n" % (bob, addr))
    await c.expect_message(contact(bob), what="the mail", timeout=15)
    lines = await report(c, "status")
    assert line(lines, "Mails delivered today (UTC, since the gateway started): ") == "1", lines

    c.clear()
    await in_thread(mail.stop_imap)
    await c.expect(gateway_show("xa", "server unreachable"), "the watch down", timeout=15)
    lines = await report(c, "status")
    down = line(lines, "Watch: ")
    assert down.startswith("down: server unreachable") and "back-off until " in down, lines
    assert line(lines, "Last error: ").startswith("server unreachable ("), lines


def gateway_says(needle):
    def pred(st):
        if st.xml.tag != q(NS_CLIENT, "message") or not jid_match(st["from"], EMAIL_COMPONENT):
            return False
        body = st.xml.find(q(NS_CLIENT, "body"))
        return body is not None and needle in (body.text or "")
    return pred


async def test_recheck_tells_and_restarts_the_watch(server, mail, email_gateway, clients,
                                                    imap_back):
    c, addr = await watched_user(mail, email_gateway, clients)
    c.clear()
    await in_thread(mail.stop_imap)
    await c.expect(gateway_show("xa", "server unreachable"), "the watch down", timeout=15)
    lines = await report(c, "recheck")
    assert lines[0].startswith("Logging in to 127.0.0.1:%d (IMAP)" % mail.imap_port), lines
    m = await c.expect(gateway_says("Mailbox check:"), "the check's result", timeout=20)
    body = m["body"]
    assert "IMAP 127.0.0.1:%d: " % mail.imap_port in body, body
    assert "IMAP 127.0.0.1:%d: logged in" % mail.imap_port not in body, body
    assert "SMTP 127.0.0.1:%d: logged in" % mail.smtp_port in body, body

    await in_thread(mail.start_imap)
    c.clear()
    lines = await report(c, "recheck")
    assert "The IMAP watch, which was waiting, tries again now." in lines, lines
    # The back-off is 30 s or more: the watch is back at once only because of the command.
    await c.expect(gateway_show(None), "the gateway JID online again", timeout=10)
    m = await c.expect(gateway_says("Mailbox check:"), "the check's result", timeout=20)
    assert "IMAP 127.0.0.1:%d: logged in" % mail.imap_port in m["body"], m["body"]


async def test_accounts_for_admins_only(server, mail, email_gateway, clients):
    c, addr = await watched_user(mail, email_gateway, clients)
    r, _ = await command(c, EMAIL_COMPONENT, "accounts")
    assert r["type"] == "error" and error_condition(r) == "forbidden", r
    admin = await clients.login(*email_gateway.admin)
    lines = await report(admin, "accounts")
    n = int(line(lines, "Accounts: "))
    up, down = int(line(lines, "Watches up: ")), int(line(lines, "Watches down: "))
    assert n >= 1 and up >= 1 and up + down == n, lines
    assert line(lines, "Outbox: ") == "0 mails waiting to be sent", lines
    assert "%s: watch up; outbox 0" % c.bare in lines, lines
