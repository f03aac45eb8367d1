"""IRC over TLS, against a private ngIRCd with a TLS port and a self-signed
certificate for "localhost": with verification off (the [irc] section, or
one user's `configure`) chat works and ngIRCd sees the connection as
TLS; with verification on and no plaintext port the user is told the TLS
certificate was refused. Each test starts its own gateway."""
import pytest

from harness.ircclient import (configure, irc_jid, irc_section, irc_server_jid, irc_user,
                               stanza_text)
from harness.ircd import Ngircd


@pytest.fixture(scope="module")
def ngircd():
    """This module's own ngIRCd, with a TLS port (ngircd.tls_port)."""
    ircd = Ngircd(tls=True).start()
    yield ircd
    ircd.cleanup()


async def tls_gateway(gateways, server, ngircd, **over):
    keys = {"tls_ports": ngircd.tls_port, "plain_ports": ""}
    keys.update(over)
    return await gateways.new(sections={"irc": irc_section(server, ngircd.port, **keys)})


async def chat_over_tls(c, bob):
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


async def test_self_signed_certificate_refused(server, ngircd, gateways, clients):
    await tls_gateway(gateways, server, ngircd)        # tls_verify: the default, true
    c = await irc_user(clients)
    target = irc_jid("bob")
    srv = irc_server_jid("localhost")
    c.chat(target, "is this safe?")

    def pred(st):
        if not st.xml.tag.endswith("}message"):
            return False
        frm = str(st["from"].bare)
        text = stanza_text(st).lower()
        return (((frm == target and st.xml.get("type") == "error") or frm == srv)
                and ("tls" in text or "certificate" in text))
    await c.expect(pred, "an error from %s (or a message from %s) naming TLS or the certificate"
                   % (target, srv))


async def test_verification_off_for_one_server(server, ngircd, gateways, clients, ircs):
    """The gateway verifies by default and may use plaintext; one user turns
    both off for localhost with `configure`."""
    await tls_gateway(gateways, server, ngircd, plain_ports=ngircd.port)
    c = await irc_user(clients)
    await configure(c, tls_verify="false", plain_ports="none")
    bob = await ircs.new(prefix="bob")
    await chat_over_tls(c, bob)
