"""A small raw IRC client for the tests (asyncio streams on the session
loop), and the XMPP-side steps of the IRC scenarios: IRC addresses,
registration with a nick, a registered user logged in through irc.localhost.

IrcClient records every received line, parsed (prefix nick, command,
params); a scenario awaits the line it expects with `expect(pred, what,
timeout)`, a bounded wait whose failure names what was awaited and shows
the last lines received. PING is answered by the reader.

The per-server settings of a user (the `configure` ad-hoc command on the
IRC server's JID) are read with `configure_form` and changed with
`configure`, which submits the form as a client would: every field with
its current value, passwords empty (kept), the given fields changed.
"""
import asyncio
import itertools
import secrets
from xml.sax.saxutils import escape

from .client import NS_REGISTER, form_fields, form_of, submit_form
from .scenario import command
from .util import STANZA_TIMEOUT

IRC_COMPONENT = "irc.localhost"

_nicks = itertools.count(1)


def fresh_nick(prefix="n"):
    """A fresh lower-case nick, valid on IRC and unique across runs (<= 16 chars)."""
    return "%s%d%s" % (prefix, next(_nicks), secrets.token_hex(3))


class Line:
    """One received line: .nick (prefix nick or None), .prefix (whole
    prefix), .command (upper case), .params (list, trailing last), .raw (bytes)."""

    def __init__(self, raw):
        self.raw = raw
        text = raw.decode("utf-8", "replace")
        self.text = text
        if text.startswith("@"):
            text = text.split(" ", 1)[1] if " " in text else ""
        self.prefix = None
        if text.startswith(":"):
            self.prefix, _, text = text[1:].partition(" ")
        self.nick = self.prefix.split("!", 1)[0] if self.prefix else None
        trailing = None
        if " :" in text:
            text, trailing = text.split(" :", 1)
        elif text.startswith(":"):
            text, trailing = "", text[1:]
        parts = text.split()
        self.command = parts[0].upper() if parts else ""
        self.params = parts[1:] + ([trailing] if trailing is not None else [])

    @property
    def last(self):
        """The last parameter (the text of a PRIVMSG or NOTICE), or ""."""
        return self.params[-1] if self.params else ""

    def __repr__(self):
        return repr(self.raw)


class IrcClient:
    """Use `await IrcClient.connect(port, nick)`; it returns once 001 arrived."""

    def __init__(self, reader, writer, nick):
        self.reader = reader
        self.writer = writer
        self.nick = nick
        self.inbox = []      # Lines not yet consumed by expect()
        self.history = []    # every Line, for failure messages
        self.closed = False
        self._arrived = asyncio.Event()
        self._task = asyncio.get_event_loop().create_task(self._read())

    @classmethod
    async def connect(cls, port, nick=None, host="127.0.0.1", timeout=STANZA_TIMEOUT):
        nick = nick or fresh_nick("b")
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, limit=1 << 20), timeout)
        except (OSError, asyncio.TimeoutError) as e:
            raise AssertionError("IRC: cannot connect to %s:%d as %s: %r"
                                 % (host, port, nick, e)) from None
        c = cls(reader, writer, nick)
        c.send("NICK %s" % nick)
        c.send("USER %s 0 * :e2e test client" % nick)
        line = await c.expect(lambda l: l.command in ("001", "433", "432"),
                              "001 (welcome) for %s" % nick, timeout)
        assert line.command == "001", "IRC: nick %s refused: %s" % (nick, line)
        return c

    async def _read(self):
        try:
            while True:
                raw = await self.reader.readline()
                if not raw:
                    break
                line = Line(raw.rstrip(b"\r\n"))
                if line.command == "PING":
                    self.send("PONG :%s" % line.last)
                    continue
                self.inbox.append(line)
                self.history.append(line)
                self._arrived.set()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self.closed = True
            self._arrived.set()

    # -- sending ---------------------------------------------------------
    def send(self, line):
        """One raw line (str, or bytes sent as they are); CR LF added."""
        if isinstance(line, str):
            line = line.encode("utf-8")
        if not self.writer.is_closing():
            self.writer.write(line + b"\r\n")

    def privmsg(self, target, text):
        self.send("PRIVMSG %s :%s" % (target, text))

    def notice(self, target, text):
        self.send("NOTICE %s :%s" % (target, text))

    def ctcp(self, target, text):
        self.privmsg(target, "\x01%s\x01" % text)

    def join(self, channel):
        self.send("JOIN %s" % channel)

    # -- waiting -----------------------------------------------------------
    def clear(self):
        self.inbox.clear()

    async def expect(self, pred, what, timeout=STANZA_TIMEOUT):
        """The first received line matching pred (consumed); an
        AssertionError naming `what` if none arrives within timeout."""
        loop = asyncio.get_event_loop()
        deadline = loop.time() + timeout
        while True:
            for i, line in enumerate(self.inbox):
                if pred(line):
                    return self.inbox.pop(i)
            left = deadline - loop.time()
            if left <= 0 or self.closed:
                seen = "\n  ".join(repr(l) for l in self.history[-12:]) or "(nothing)"
                why = "connection closed" if self.closed else "timed out after %.0f s" % timeout
                raise AssertionError("IRC %s: %s waiting for %s; last lines received:\n  %s"
                                     % (self.nick, why, what, seen))
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def expect_none(self, pred, what, within):
        """Assert that no line matching pred arrives within `within` s."""
        await asyncio.sleep(within)
        bad = [l for l in self.inbox if pred(l)]
        assert not bad, "IRC %s: unexpected %s: %s" % (self.nick, what, bad[0])

    async def expect_privmsg(self, frm, text=None, what=None, timeout=STANZA_TIMEOUT):
        """A PRIVMSG to us from nick `frm` (case-insensitive), with text when given."""
        def pred(l):
            return (l.command == "PRIVMSG" and (l.nick or "").lower() == frm.lower()
                    and (text is None or l.last == text))
        return await self.expect(pred, what or "PRIVMSG from %s with %r" % (frm, text), timeout)

    async def whois(self, nick, timeout=STANZA_TIMEOUT):
        """The lines of a WHOIS reply up to 318 (401 included when unknown)."""
        self.send("WHOIS %s" % nick)
        got = []
        while True:
            l = await self.expect(lambda l: l.command in ("301", "311", "312", "317", "318",
                                                          "319", "401", "671", "276", "320",
                                                          "275", "307", "313", "330", "378",
                                                          "379"),
                                  "the WHOIS %s reply (318)" % nick, timeout)
            got.append(l)
            if l.command == "318":
                return got

    async def whois_numeric(self, nick, numeric, timeout=STANZA_TIMEOUT):
        """The line with `numeric` in a WHOIS `nick` reply, or None."""
        for l in await self.whois(nick, timeout):
            if l.command == numeric:
                return l
        return None

    async def online(self, nick, timeout=STANZA_TIMEOUT):
        """Whether `nick` is on the server now (ISON)."""
        self.send("ISON %s" % nick)
        l = await self.expect(lambda l: l.command == "303", "the ISON reply (303)", timeout)
        return nick.lower() in l.last.lower().split()

    async def wait_online(self, nick, want=True, timeout=STANZA_TIMEOUT, interval=0.2):
        """Polls ISON until `nick` is (want) or is not (not want) on the server."""
        loop = asyncio.get_event_loop()
        deadline = loop.time() + timeout
        while await self.online(nick) != want:
            if loop.time() > deadline:
                raise AssertionError("IRC %s: %s still %s after %.0f s"
                                     % (self.nick, nick, "absent" if want else "online", timeout))
            await asyncio.sleep(interval)

    # -- closing -------------------------------------------------------------
    async def quit(self, message="bye"):
        """QUIT and wait (bounded) for the server to close the connection."""
        self.send("QUIT :%s" % message)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), 5)
        except asyncio.TimeoutError:
            pass
        await self.close()

    async def close(self):
        if not self.writer.is_closing():
            self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), 2)
        except (OSError, asyncio.TimeoutError):
            pass
        if not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class IrcPool:
    """Raw IRC clients a test opens, closed when it ends."""

    def __init__(self, port):
        self.port = port
        self.all = []

    async def new(self, nick=None, prefix="b", port=None):
        c = await IrcClient.connect(port or self.port, nick or fresh_nick(prefix))
        self.all.append(c)
        return c

    async def oper(self, name, password, nick=None):
        """A new client that has become an IRC operator (381)."""
        c = await self.new(nick, prefix="op")
        c.send("OPER %s %s" % (name, password))
        l = await c.expect(lambda l: l.command in ("381", "464", "491"),
                           "the answer to OPER %s (381)" % name)
        assert l.command == "381", "IRC: OPER %s refused: %s" % (name, l)
        return c

    async def close_all(self):
        for c in self.all:
            await c.close()
        self.all = []


# -- the XMPP side of the IRC scenarios -------------------------------------------
def jid_escape(node):
    """XEP-0106 escaping of a JID node (what the gateway does with nicks)."""
    table = {" ": "\\20", '"': "\\22", "&": "\\26", "'": "\\27", "/": "\\2f", ":": "\\3a",
             "<": "\\3c", ">": "\\3e", "@": "\\40", "\\": "\\5c"}
    return "".join(table.get(ch, ch) for ch in node)


def irc_jid(nick, server="localhost", component=IRC_COMPONENT):
    """The JID of IRC user `nick` on IRC server `server`: nick%server@component."""
    return "%s%%%s@%s" % (jid_escape(nick.lower()), server, component)


def irc_server_jid(server="localhost", component=IRC_COMPONENT):
    """The JID of the IRC server itself: server@component."""
    return "%s@%s" % (server, component)


def irc_section(server, port, **over):
    """The gateway's [irc] section for IRC servers on 127.0.0.1:port
    (plain only): keys in the order the gateway documents them."""
    keys = {
        "jid": IRC_COMPONENT,
        "secret": server.secret,
        "allowed_servers": "localhost, 127.0.0.2",
        "tls_ports": "",
        "plain_ports": str(port),
        "ison_interval_s": "1",
        "flood_burst": "10",
        "flood_interval_ms": "100",
        "max_lines": "8",
    }
    keys.update({k: str(v) for k, v in over.items()})
    return keys


async def register_nick(c, nick, component=IRC_COMPONENT):
    """XEP-0077 registration with the IRC backend's one field, `nick`; waits
    for the gateway's subscription request (the client accepts it)."""
    await c.iq_ok(component, "set",
                  "<query xmlns='%s'><nick>%s</nick></query>" % (NS_REGISTER, escape(nick)),
                  what="IRC registration with nick %s" % nick)
    await c.expect_presence(component, "subscribe",
                            what="subscription request from %s after registration" % component)


async def irc_user(clients, nick=None, component=IRC_COMPONENT, online=True):
    """A fresh local user registered with the IRC backend under a fresh nick
    (c.nick) and logged in through it."""
    c = await clients.new()
    c.nick = nick or fresh_nick("x")
    await register_nick(c, c.nick, component)
    if online:
        c.presence()
        await c.expect_presence(component, None,
                                what="available presence from %s (login)" % component)
    return c


def message_from(frm, mtype=None, contains=None):
    """A predicate for Client.expect: a message from bare JID frm (type
    mtype when given) whose body contains `contains` (case-insensitive)."""
    def pred(st):
        if not st.xml.tag.endswith("}message") or str(st["from"].bare) != frm:
            return False
        if mtype is not None and st.xml.get("type", "normal") != mtype:
            return False
        return contains is None or contains.lower() in st["body"].lower()
    return pred


def stanza_text(st):
    """A message's body and its error text, if any, as one string."""
    err = st.xml.find("{jabber:client}error")
    texts = [st["body"] or ""]
    if err is not None:
        texts += [t.text or "" for t in err.iter() if t.tag.endswith("}text")]
    return " ".join(texts)


# -- per-server settings: the `configure` ad-hoc command -------------------------------
CONFIGURE = "configure"


async def configure_form(c, server="localhost", component=IRC_COMPONENT):
    """Executes `configure` on the IRC server's JID; returns (sessionid,
    {var: field}, the iq answer). Asserts status executing and a form."""
    to = irc_server_jid(server, component)
    r, cmd = await command(c, to, CONFIGURE)
    assert r["type"] == "result" and cmd is not None, "configure on %s: %s" % (to, r)
    assert cmd.get("status") == "executing", "configure on %s: expected executing: %s" % (to, r)
    assert cmd.get("sessionid"), "configure on %s: no sessionid: %s" % (to, r)
    x = form_of(cmd)
    assert x is not None and x.get("type") == "form", "configure on %s: no form: %s" % (to, r)
    return cmd.get("sessionid"), form_fields(x), r


def _current(field):
    vals = field["values"]
    if field["type"] in ("list-multi", "jid-multi", "text-multi"):
        return vals
    return vals[0] if vals else ""


async def configure_submit(c, values, server="localhost", component=IRC_COMPONENT):
    """Executes `configure` and completes it with the form as shown, the
    fields in `values` changed; returns the iq answer of the completion."""
    sid, fields, _ = await configure_form(c, server, component)
    unknown = set(values) - set(fields)
    assert not unknown, "configure: no field %s in the form (fields: %s)" % (
        ", ".join(sorted(unknown)), ", ".join(sorted(fields)))
    submit = {var: _current(f) for var, f in fields.items() if f["type"] != "fixed"}
    submit.update(values)
    r, _ = await command(c, irc_server_jid(server, component), CONFIGURE, "complete", sid,
                         submit_form(submit))
    return r


async def configure(c, server="localhost", component=IRC_COMPONENT, **values):
    """Sets the user's settings for IRC server `server` (configure_submit)
    and asserts the command completed."""
    r = await configure_submit(c, values, server, component)
    cmd = r.xml.find("{http://jabber.org/protocol/commands}command")
    assert r["type"] == "result" and cmd is not None and cmd.get("status") == "completed", (
        "configure %s on %s: expected status completed, got:\n%s"
        % (", ".join("%s=%r" % kv for kv in sorted(values.items())), server, r))
    return r
