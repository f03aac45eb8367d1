"""TLS to the mail servers at registration: with certificate verification
on (the default), a self-signed IMAP server is refused with a text about
its certificate and nothing is stored; with `tls_verify = false` the same
registration succeeds, over TLS from the first byte and over STARTTLS.
Then names: a test CA the gateway trusts (SSL_CERT_FILE, which the backend
hands to libcurl as its CA file) signs one mail stack's certificate for
"localhost" and 127.0.0.1, the address the gateway dials, and another's for
"other.example". The first is accepted with verification on; the second,
whose chain verifies, is refused for its name.

Then the default allowed_hosts (empty): a server at a loopback address is
refused at the connect."""
import os
import shutil

import pytest

from harness.mail import MailStack
from harness.tlsca import ca, trust_ca  # noqa: F401 (fixtures)
from harness.email_gw import (email_gateway_for, mail, mailbox_values, refused,  # noqa: F401
                           register_payload, registration)
from harness.servers import EMAIL_COMPONENT


def signed_mail(ca, name):
    """A mail stack whose IMAP and SMTP servers hold the CA's leaf for name
    (copied over the stack's own certificate before they start)."""
    m = MailStack()
    cert, key = ca.leaf(name)
    shutil.copyfile(cert, m.cert)
    shutil.copyfile(key, m.key)
    os.chmod(m.key, 0o644)
    m.start()
    yield m
    m.cleanup()


@pytest.fixture(scope="module")
def trusted_mail(ca):
    yield from signed_mail(ca, "localhost")


@pytest.fixture(scope="module")
def other_mail(ca):
    yield from signed_mail(ca, "other.example")


async def start(gateways, server, **options):
    """A gateway with [email] and options, stopped after the test."""
    gw = email_gateway_for(server, **options)
    gateways.all.append(gw)
    gw.start()
    await gw.wait_ready()
    return gw


async def refused_over_tls(gateways, server, clients, stack, what):
    """A registration on stack's TLS-only IMAP listener, with verification
    on, refused (remote-server-not-found) with no login and nothing stored;
    returns the text, which names the certificate and IMAP."""
    await start(gateways, server)                      # tls_verify: the default, true
    c = await clients.new()
    addr, pw = stack.add_user()
    text = await refused(c, mailbox_values(stack, addr, pw, imap_port=stack.imaps_port,
                                           imap_security="tls"),
                         "remote-server-not-found", what)
    assert "certificate" in text and "IMAP" in text, text
    assert not stack.imap_logins(addr)
    registered, _ = await registration(c)
    assert not registered
    return text


async def test_self_signed_refused_with_verification(server, mail, gateways, clients):
    await refused_over_tls(gateways, server, clients, mail, "a self-signed IMAP server")


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


async def test_trusted_certificate_for_the_address_accepted(server, trusted_mail, trust_ca,
                                                            gateways, clients):
    await accepted_over_tls(gateways, server, clients, trusted_mail)


async def accepted_over_tls(gateways, server, clients, trusted_mail):
    """A registration on trusted_mail over TLS (IMAP) and STARTTLS (SMTP),
    with verification on, accepted; both servers saw the login."""
    await start(gateways, server)                      # tls_verify: the default, true
    c = await clients.new()
    addr, pw = trusted_mail.add_user()
    values = mailbox_values(trusted_mail, addr, pw, imap_port=trusted_mail.imaps_port,
                            imap_security="tls", smtp_security="starttls")
    await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(values), what="TLS, verified",
                  timeout=20)
    await c.expect_presence(EMAIL_COMPONENT, "subscribe")
    logins = trusted_mail.imap_logins(addr)
    assert any("TLS" in ln for ln in logins), logins
    assert trusted_mail.smtp_auths(addr)


async def test_certificate_for_another_name_refused(server, other_mail, trust_ca, gateways,
                                                    clients):
    """The chain verifies (the trusted CA signed it); only the name is wrong."""
    text = await refused_over_tls(gateways, server, clients, other_mail,
                                  "a certificate for another name")
    # libcurl's words: "no alternative certificate subject name matches
    # target host name '127.0.0.1'"
    assert "host name" in text, text


async def test_internal_address_refused_by_default(server, mail, gateways, clients):
    await start(gateways, server, allowed_hosts="")
    c = await clients.new()
    addr, pw = mail.add_user()
    text = await refused(c, mailbox_values(mail, addr, pw), "not-allowed",
                         "a server on loopback")
    assert "internal address" in text, text
    assert not mail.imap_logins(addr), "the gateway connected to an internal address"
