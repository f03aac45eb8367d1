"""Registering a mailbox with the e-mail gateway: the gateway logs in to the
IMAP and the SMTP server before it answers, and stores nothing when either
refuses or cannot be reached; the allowed_hosts policy; addresses typed
into jabber:iq:gateway."""
from harness.client import NS_GATEWAY, payload, q
from harness.email_gw import (email_gateway, email_options, mail, mailbox_values,  # noqa: F401
                           refused, register_payload, registration)
from harness.servers import EMAIL_COMPONENT
from harness.util import free_port


async def test_register_a_mailbox(server, mail, email_gateway, clients):
    c = await clients.new()
    addr, pw = mail.add_user()
    registered, form = await registration(c)
    assert not registered
    assert form["imap_port"] == "993" and form["imap_security"] == "tls", form
    assert form["smtp_port"] == "587" and form["smtp_security"] == "starttls", form
    assert form["folder"] == "INBOX", form
    await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(mailbox_values(mail, addr, pw)),
                  what="a good registration", timeout=20)
    await c.expect_presence(EMAIL_COMPONENT, "subscribe", what="subscription request")
    # both servers saw the login
    assert mail.imap_logins(addr), "no IMAP login of %s in Dovecot's log" % addr
    assert mail.smtp_auths(addr), "no SMTP AUTH of %s at the submission server" % addr
    registered, form = await registration(c)
    assert registered
    assert form["address"] == addr and form["username"] == addr, form
    assert form["imap_host"] == "127.0.0.1" and form["imap_port"] == str(mail.imap_port), form
    assert form["folder"] == "INBOX" and form["save_sent"] in ("1", "true"), form
    assert form["mark_seen"] in ("0", "false"), form
    assert form["password"] == "", "the password is echoed back"


async def test_bad_password_is_not_authorized(server, mail, email_gateway, clients):
    c = await clients.new()
    addr, pw = mail.add_user()
    text = await refused(c, mailbox_values(mail, addr, pw + "-wrong"), "not-authorized",
                         "a wrong password")
    assert "IMAP" in text and "username or password" in text, text
    assert not mail.smtp_auths(addr), "SMTP was tried after IMAP refused"
    registered, _ = await registration(c)
    assert not registered, "a refused registration was stored"


async def test_unreachable_servers(server, mail, email_gateway, clients):
    c = await clients.new()
    addr, pw = mail.add_user()
    closed = free_port()
    text = await refused(c, mailbox_values(mail, addr, pw, imap_port=closed),
                         "remote-server-not-found", "an IMAP port nobody listens on")
    assert "IMAP" in text and "could not be reached" in text and str(closed) in text, text
    # IMAP good, SMTP unreachable: still nothing stored
    text = await refused(c, mailbox_values(mail, addr, pw, smtp_port=closed),
                         "remote-server-not-found", "an SMTP port nobody listens on")
    assert "SMTP" in text and str(closed) in text, text
    assert mail.imap_logins(addr), "IMAP was not checked first"
    registered, _ = await registration(c)
    assert not registered


async def test_bad_values_and_policy(server, mail, email_gateway, clients):
    c = await clients.new()
    addr, pw = mail.add_user()
    for over, what in (({"address": "not an address"}, "an address"),
                       ({"imap_port": "99999"}, "a port"),
                       ({"imap_security": "ssl"}, "a security"),
                       ({"smtp_host": "a/b"}, "a host")):
        await refused(c, mailbox_values(mail, addr, pw, **over), "not-acceptable", what)
    # allowed_hosts = 127.0.0.1: other hosts are refused before any connect
    text = await refused(c, mailbox_values(mail, addr, pw, imap_host="127.0.0.2"),
                         "not-allowed", "a server allowed_hosts does not list")
    assert "127.0.0.2" in text, text
    registered, _ = await registration(c)
    assert not registered


async def test_gateway_translation(server, email_gateway, clients):
    c = await clients.new()
    r = await c.iq_ok(EMAIL_COMPONENT, "get", "<query xmlns='%s'/>" % NS_GATEWAY)
    assert payload(r, NS_GATEWAY, "query").find(q(NS_GATEWAY, "prompt")) is not None
    want = "john.doe\\40example.com@" + EMAIL_COMPONENT
    for typed in ("john.doe@example.com", "John Doe <john.doe@example.com>",
                  "mailto:john.doe@example.com?subject=hello", "john.doe@EXAMPLE.com"):
        r = await c.iq_ok(EMAIL_COMPONENT, "set",
                          "<query xmlns='%s'><prompt>%s</prompt></query>"
                          % (NS_GATEWAY, typed.replace("<", "&lt;").replace(">", "&gt;")))
        got = payload(r, NS_GATEWAY, "query").find(q(NS_GATEWAY, "jid")).text
        assert got.lower() == want, (typed, got)
    for typed in ("hello", "john@", "@example.com"):
        await c.iq_error(EMAIL_COMPONENT, "set",
                         "<query xmlns='%s'><prompt>%s</prompt></query>" % (NS_GATEWAY, typed),
                         condition="item-not-found", what=typed)
