"""The server password (PASS), against a private ngIRCd whose [Global]
`Password` every client must send. A user sets it with `configure` on the
server's JID: the right one connects and chat works; a wrong one comes back
as one error naming the password (ngIRCd's "Bad server password"), the gateway
does not try again on its own, and a later message tries once more. The
password never appears in the gateway's log (at debug level)."""
import asyncio
import secrets

import pytest

from harness.ircclient import IrcClient, configure, fresh_nick, irc_jid, irc_user, stanza_text
from harness.ircd import Ngircd

PASSWORD = "srv-%s" % secrets.token_hex(6)


@pytest.fixture(scope="module")
def ngircd():
    """This module's ngIRCd, with a server password (irc_gateway uses it)."""
    ircd = Ngircd(password=PASSWORD).start()
    yield ircd
    ircd.cleanup()


async def peer(ircs, password=PASSWORD):
    """An IRC user on the module's ngIRCd, registered with the password."""
    nick = fresh_nick("bob")
    reader, writer = await asyncio.open_connection("127.0.0.1", ircs.port, limit=1 << 20)
    c = IrcClient(reader, writer, nick)
    ircs.all.append(c)
    c.send("PASS %s" % password)
    c.send("NICK %s" % nick)
    c.send("USER %s 0 * :e2e test client" % nick)
    await c.expect(lambda l: l.command == "001", "001 (welcome) for %s with PASS" % nick)
    return c


def bad_password_logins(ngircd, nick):
    """Registrations of `nick` ngIRCd refused for a bad password (its log)."""
    return sum(1 for line in ngircd.log_text().splitlines()
               if ('User "%s!' % nick) in line and " rejected " in line
               and "bad server password" in line.lower())


async def expect_error_naming_password(c, target):
    st = await c.expect(
        lambda st: (st.xml.tag.endswith("}message") and str(st["from"].bare) == target
                    and st.xml.get("type") == "error"),
        "an error for the message to %s" % target)
    text = stanza_text(st)
    assert "password" in text.lower(), "the error does not name the password: %r" % text
    return text


async def test_right_password_connects(irc_gateway, ngircd, clients, ircs):
    c = await irc_user(clients)
    await configure(c, server_password=PASSWORD)
    bob = await peer(ircs)
    c.chat(irc_jid(bob.nick), "through the gate")
    await bob.expect_privmsg(c.nick, "through the gate")
    bob.privmsg(c.nick, "welcome in")
    await c.expect_message(irc_jid(bob.nick), "welcome in")
    assert PASSWORD not in irc_gateway.log_text(), "the server password is in the gateway's log"


async def test_wrong_password_refused_once(irc_gateway, ngircd, clients, ircs):
    c = await irc_user(clients)
    wrong = "wrong-%s" % secrets.token_hex(6)
    await configure(c, server_password=wrong)
    target = irc_jid("bob")
    c.chat(target, "let me in")
    await expect_error_naming_password(c, target)
    assert bad_password_logins(ngircd, c.nick) == 1, ngircd.log_text()[-2000:]
    # Not a reconnect loop: nothing more within 3 s (the first backoff is
    # 1 s, jittered), and the next message tries once more.
    await asyncio.sleep(3)
    assert bad_password_logins(ngircd, c.nick) == 1, (
        "the gateway retried a refused password on its own:\n%s" % ngircd.log_text()[-2000:])
    c.clear()
    c.chat(target, "let me in, again")
    await expect_error_naming_password(c, target)
    assert bad_password_logins(ngircd, c.nick) == 2, ngircd.log_text()[-2000:]
    assert wrong not in irc_gateway.log_text(), "the server password is in the gateway's log"
