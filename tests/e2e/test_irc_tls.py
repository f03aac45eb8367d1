"""IRC over TLS, against a private ngIRCd with a TLS port and a self-signed
certificate for "localhost": with verification off (the [irc] section, or
one user's `configure`) chat works and ngIRCd sees the connection as
TLS; with verification on and no plaintext port the user is told the TLS
certificate was refused.

Then names: a test CA the gateway trusts (SSL_CERT_FILE, read by OpenSSL's
default verify paths) signs one ngIRCd's certificate for "localhost", the
name the gateway dials, and another's for "other.example". The first is
accepted and chat works; the second is refused with "hostname mismatch"
although its chain verifies, and accepted with verification off. Each test
starts its own gateway."""
import pytest

from harness.client import error_condition
from harness.ircclient import (configure, configure_form, configure_submit, irc_jid,
                               irc_section, irc_server_jid, irc_user,
                               stanza_text)
from harness.ircd import Ngircd
from harness.tlsca import ca, trust_ca  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def ngircd():
    """This module's own ngIRCd, with a TLS port (ngircd.tls_port)."""
    ircd = Ngircd(tls=True).start()
    yield ircd
    ircd.cleanup()


def signed_ngircd(ca, name):
    ircd = Ngircd(tls_cert=ca.leaf(name)).start()
    yield ircd
    ircd.cleanup()


@pytest.fixture(scope="module")
def trusted(ca):
    """An ngIRCd whose TLS certificate the test CA signed for "localhost"."""
    yield from signed_ngircd(ca, "localhost")


@pytest.fixture(scope="module")
def other_name(ca):
    """An ngIRCd whose TLS certificate the test CA signed for "other.example"."""
    yield from signed_ngircd(ca, "other.example")


async def tls_gateway(gateways, server, ngircd, **over):
    keys = {"tls_ports": ngircd.tls_port, "plain_ports": ""}
    keys.update(over)
    return await gateways.new(sections={"irc": irc_section(server, ngircd.port, **keys)})


async def chat_over_tls(c, bob):
    """A private chat both ways between c and bob, and ngIRCd's WHOIS saying
    c's connection is TLS."""
    c.chat(irc_jid(bob.nick), "over TLS")
    await bob.expect_privmsg(c.nick, "over TLS")
    bob.privmsg(c.nick, "TLS back")
    await c.expect_message(irc_jid(bob.nick), "TLS back")
    # ngIRCd tells everyone: 275 "is connected via SSL (secure link)".
    w = await bob.whois_numeric(c.nick, "275")
    assert w is not None and "ssl" in w.last.lower(), (
        "WHOIS %s does not show a TLS connection (no 275)" % c.nick)


async def test_chat_over_tls_without_verification(server, ngircd, gateways, clients, ircs):
    await tls_gateway(gateways, server, ngircd, tls_verify="false")
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    await chat_over_tls(c, bob)


async def expect_refused(c, words, what):
    """c sends a message to bob on localhost; waits for the error to it (or
    the server JID's message) whose text has every one of words."""
    target = irc_jid("bob")
    srv = irc_server_jid("localhost")
    c.chat(target, "is this safe?")

    def pred(st):
        if not st.xml.tag.endswith("}message"):
            return False
        frm = str(st["from"].bare)
        text = stanza_text(st).lower()
        return (((frm == target and st.xml.get("type") == "error") or frm == srv)
                and all(w in text for w in words))
    await c.expect(pred, "an error from %s (or a message from %s) saying %s"
                   % (target, srv, what))


async def test_self_signed_certificate_refused(server, ngircd, gateways, clients):
    await tls_gateway(gateways, server, ngircd)        # tls_verify: the default, true
    c = await irc_user(clients)
    await expect_refused(c, ["certificate"], "the certificate was refused")


async def test_trusted_certificate_for_the_name_accepted(server, trusted, trust_ca, gateways,
                                                         clients, ircs):
    await tls_gateway(gateways, server, trusted)       # tls_verify: the default, true
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob", port=trusted.port)
    await chat_over_tls(c, bob)


async def test_certificate_for_another_name_refused(server, other_name, trust_ca, gateways,
                                                    clients, ircs):
    """The chain verifies (the trusted CA signed it); only the name is wrong."""
    await tls_gateway(gateways, server, other_name)
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob", port=other_name.port)
    await expect_refused(c, ["certificate", "hostname mismatch"],
                         "the certificate failed its host name check")
    w = await bob.whois_numeric(c.nick, "311")
    assert w is None, "%s registered on a server whose certificate names another host" % c.nick


async def test_another_name_accepted_without_verification(server, other_name, trust_ca,
                                                          gateways, clients, ircs):
    await tls_gateway(gateways, server, other_name, tls_verify="false")
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob", port=other_name.port)
    await chat_over_tls(c, bob)


async def test_verification_off_for_one_server(server, ngircd, gateways, clients, ircs):
    """The gateway verifies by default and may use plaintext; where the admin
    lets users (user_tls_verify_off), one user turns both off for localhost
    with `configure`."""
    await tls_gateway(gateways, server, ngircd, plain_ports=ngircd.port,
                      user_tls_verify_off="true")
    c = await irc_user(clients)
    await configure(c, tls_verify="false", plain_ports="none")
    bob = await ircs.new(prefix="bob")
    await chat_over_tls(c, bob)


async def test_user_cannot_turn_verification_off(server, ngircd, gateways, clients, ircs):
    """By default a user's configure with tls_verify off is refused
    (not-allowed, with the reason), and the connection still verifies: the
    self-signed certificate is refused."""
    await tls_gateway(gateways, server, ngircd)
    c = await irc_user(clients)
    r = await configure_submit(c, {"tls_verify": "false"})
    assert r["type"] == "error" and error_condition(r) == "not-allowed", r
    assert "does not let users turn that off" in r["error"]["text"], r
    _, fields, _ = await configure_form(c)
    assert fields["tls_verify"]["values"] in (["1"], ["true"]), fields["tls_verify"]
    await expect_refused(c, ["certificate"], "the self-signed certificate, still verified")
