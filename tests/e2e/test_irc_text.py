"""Text across the IRC boundary: formatting codes stripped and Latin-1
decoded; the longest line the IRC server relays; CR/LF in a body never
becomes a raw command; too many lines refused; a long body split into
several PRIVMSGs, each valid UTF-8, nothing lost."""
import re

from harness.client import error_condition
from harness.ircclient import irc_jid, irc_user
from harness.scenario import registered_user

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


async def open_chat(clients, ircs):
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "hello bob")
    await bob.expect_privmsg(c.nick, "hello bob")
    return c, bob


async def test_formatting_stripped_and_latin1_decoded(server, irc_gateway, clients, ircs):
    c, bob = await open_chat(clients, ircs)
    bob_jid = irc_jid(bob.nick)
    bob.send(b"PRIVMSG " + c.nick.encode() + b" :\x0304red\x03 \x02bold\x02 caf\xe9")
    m = await c.expect_message(bob_jid, None, what="the formatted Latin-1 line from bob")
    assert m["body"] == "red bold caf\u00e9", "body %r" % m["body"]

    # The component link survived: this chat and the echo backend still work.
    bob.privmsg(c.nick, "still there?")
    await c.expect_message(bob_jid, "still there?")
    other = await registered_user(clients, server)
    echo_bob = "bob@" + server.component
    other.chat(echo_bob, "echo unaffected")
    await other.expect_message(echo_bob, "echo unaffected")


async def test_longest_relayed_line(server, irc_gateway, clients, ircs):
    """ngIRCd drops a client that sends more than 512 bytes, so the longest
    line it relays is a full 510-byte PRIVMSG, which it cuts (possibly in the
    middle of a UTF-8 sequence) to fit its own prefix, adding "[CUT]"."""
    c, bob = await open_chat(clients, ircs)
    bob_jid = irc_jid(bob.nick)
    head = b"PRIVMSG " + c.nick.encode() + b" :"
    bob.send(head + "é".encode() * ((510 - len(head)) // 2))
    m = await c.expect_message(bob_jid, None, what="the longest line bob can send")
    body = m["body"]
    assert body.startswith("é" * 100), "long line arrived as %r" % body[:120]
    assert not CONTROL.search(body), "control characters in %r" % body
    bob.privmsg(c.nick, "after the long line")
    await c.expect_message(bob_jid, "after the long line")
    c.chat(bob_jid, "and back")
    await bob.expect_privmsg(c.nick, "and back")


async def test_newline_is_not_a_command(server, irc_gateway, clients, ircs):
    c, bob = await open_chat(clients, ircs)
    c.chat(irc_jid(bob.nick), "hello\r\nJOIN #evil")
    await bob.expect_privmsg(c.nick, "hello", what="line 1 of a two-line body")
    await bob.expect_privmsg(c.nick, "JOIN #evil", what="line 2 as text, not a command")
    whois = await bob.whois(c.nick)
    chans = " ".join(l.last for l in whois if l.command == "319")
    assert "#evil" not in chans, "%s joined #evil: %s" % (c.nick, chans)


async def test_too_many_lines_refused(server, irc_gateway, clients, ircs):
    c, bob = await open_chat(clients, ircs)
    bob_jid = irc_jid(bob.nick)
    c.chat(bob_jid, "\n".join("line %d" % n for n in range(1, 10)))
    m = await c.expect(lambda st: st.xml.tag.endswith("}message") and st.xml.get("type") == "error"
                       and str(st["from"].bare) == bob_jid,
                       "an error for a 9-line body (max_lines = 8)")
    assert error_condition(m) == "not-acceptable", m
    await bob.expect_none(lambda l: l.command == "PRIVMSG" and l.nick == c.nick,
                          "PRIVMSG of a refused body", 1.0)


async def test_long_body_split(server, irc_gateway, clients, ircs):
    c, bob = await open_chat(clients, ircs)
    words = ["mot%03d-été-日本" % n for n in range(100)]
    body = " ".join(words)
    assert len(body.encode()) > 1500
    c.chat(irc_jid(bob.nick), body)
    parts = []
    while len("".join(parts).replace(" ", "")) < len(body.replace(" ", "")):
        l = await bob.expect(lambda l: l.command == "PRIVMSG" and l.nick == c.nick,
                             "more PRIVMSGs of the long body (%d so far)" % len(parts))
        try:
            l.raw.decode("utf-8")
        except UnicodeDecodeError:
            raise AssertionError("a part is not valid UTF-8: %r" % l.raw) from None
        assert b"[CUT]" not in l.raw, "a part was too long for the server: %r" % l.raw
        parts.append(l.last)
    assert len(parts) >= 2, "a %d-byte body arrived as one line" % len(body.encode())
    assert "".join(parts).replace(" ", "") == body.replace(" ", ""), (
        "the parts do not add up to the body:\n%r" % parts)
