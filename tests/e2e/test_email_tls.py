"""TLS to the mail servers at registration: with certificate verification
on (the default), a self-signed IMAP server is refused with a text about
its certificate and nothing is stored; with `tls_verify = false` the same
registration succeeds, over TLS from the first byte and over STARTTLS.
Then the default allowed_hosts (empty): a server at a loopback address is
refused at the connect."""
from harness.email_gw import (email_gateway_for, mail, mailbox_values, refused,  # noqa: F401
                           register_payload, registration)
from harness.servers import EMAIL_COMPONENT


async def start(gateways, server, **options):
    """A gateway with [email] and options, stopped after the test."""
    gw = email_gateway_for(server, **options)
    gateways.all.append(gw)
    gw.start()
    await gw.wait_ready()
    return gw


async def test_self_signed_refused_with_verification(server, mail, gateways, clients):
    await start(gateways, server)
    c = await clients.new()
    addr, pw = mail.add_user()
    text = await refused(c, mailbox_values(mail, addr, pw, imap_port=mail.imaps_port,
                                           imap_security="tls"),
                         "remote-server-not-found", "a self-signed IMAP server")
    assert "certificate" in text and "IMAP" in text, text
    assert not mail.imap_logins(addr)
    registered, _ = await registration(c)
    assert not registered


async def test_self_signed_accepted_without_verification(server, mail, gateways, clients):
    await start(gateways, server, tls_verify="false")
    c = await clients.new()
    addr, pw = mail.add_user()
    values = mailbox_values(mail, addr, pw, imap_port=mail.imaps_port, imap_security="tls",
                            smtp_security="starttls")
    await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(values), what="TLS, unverified",
                  timeout=20)
    await c.expect_presence(EMAIL_COMPONENT, "subscribe")
    assert mail.imap_logins(addr) and mail.smtp_auths(addr)
    assert any("TLS" in ln for ln in mail.imap_logins(addr)), mail.imap_logins(addr)
    # STARTTLS on the plaintext IMAP port
    c2 = await clients.new()
    addr2, pw2 = mail.add_user()
    await c2.iq_ok(EMAIL_COMPONENT, "set",
                   register_payload(mailbox_values(mail, addr2, pw2, imap_security="starttls",
                                                   smtp_security="starttls")),
                   what="STARTTLS, unverified", timeout=20)
    assert any("TLS" in ln for ln in mail.imap_logins(addr2)), mail.imap_logins(addr2)


async def test_internal_address_refused_by_default(server, mail, gateways, clients):
    await start(gateways, server, allowed_hosts="")
    c = await clients.new()
    addr, pw = mail.add_user()
    text = await refused(c, mailbox_values(mail, addr, pw), "not-allowed",
                         "a server on loopback")
    assert "internal address" in text, text
    assert not mail.imap_logins(addr), "the gateway connected to an internal address"
