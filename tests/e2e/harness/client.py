"""slixmpp test clients: every incoming message and presence is recorded,
and a scenario awaits the stanzas it expects with a bounded wait.

IQs are sent raw (payload as XML text) and answered stanzas are inspected
with ElementTree, so a test sees exactly what the gateway sent.
"""
import asyncio
import logging
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from .util import STANZA_TIMEOUT

log = logging.getLogger("e2e.client")

NS_CLIENT = "jabber:client"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_DATA = "jabber:x:data"
NS_DISCO_INFO = "http://jabber.org/protocol/disco#info"
NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items"
NS_REGISTER = "jabber:iq:register"
NS_GATEWAY = "jabber:iq:gateway"
NS_PING = "urn:xmpp:ping"
NS_VERSION = "jabber:iq:version"
NS_COMMANDS = "http://jabber.org/protocol/commands"


def q(ns, tag):
    return "{%s}%s" % (ns, tag)


def xml_text(el):
    return ET.tostring(el, encoding="unicode") if el is not None else "(none)"


class Client(slixmpp.ClientXMPP):
    """A logged-in test user. Use `await Client.login(...)`."""

    def __init__(self, jid, password, resource="e2e"):
        super().__init__("%s/%s" % (jid, resource), password)
        self.bare = jid
        self.password = password
        self.inbox = []          # recorded messages and presences, oldest first
        self._arrived = asyncio.Event()
        for p in ("xep_0030", "xep_0004", "xep_0199"):
            self.register_plugin(p)
        self["feature_mechanisms"].unencrypted_plain = True
        for name in ("message", "presence"):
            self.register_handler(Callback("e2e-" + name, MatchXPath(q(NS_CLIENT, name)),
                                           self._record))
        self.add_event_handler("session_start", self._session_start)
        self._started = asyncio.get_event_loop().create_future()
        self._initial_presence = True

    @classmethod
    async def login(cls, server, jid, password, presence=True, resource="e2e"):
        c = cls(jid, password, resource)
        c._initial_presence = presence
        c.add_event_handler("failed_auth", lambda *_: c._started.done()
                            or c._started.set_exception(AssertionError("login failed: " + jid)))
        c.connect(address=("127.0.0.1", server.c2s_port), use_ssl=False,
                  force_starttls=False, disable_starttls=True)
        try:
            await asyncio.wait_for(c._started, STANZA_TIMEOUT)
        except asyncio.TimeoutError:
            c.abort()
            raise AssertionError("timed out after %.0f s waiting for %s to log in to %s"
                                 % (STANZA_TIMEOUT, jid, server.kind))
        return c

    async def _session_start(self, _):
        await self.get_roster()
        if self._initial_presence:
            self.send_presence()
        if not self._started.done():
            self._started.set_result(True)

    def _record(self, stanza):
        log.debug("%s <- %s", self.bare, stanza)
        self.inbox.append(stanza)
        self._arrived.set()

    async def close(self):
        if self.is_connected():
            self.disconnect(wait=1.0)
            try:
                await asyncio.wait_for(self.disconnected, 5)
            except asyncio.TimeoutError:
                self.abort()
        # slixmpp leaves its output-filter task waiting on a queue; once this
        # client is garbage, it would be reported as destroyed while pending.
        task = getattr(self, "_run_out_filters", None)
        if task is not None and not task.done():
            task.cancel()

    # -- waiting for stanzas ---------------------------------------------
    def clear(self):
        """Forget what arrived so far."""
        self.inbox.clear()

    async def expect(self, pred, what, timeout=STANZA_TIMEOUT):
        """The first recorded stanza matching pred (removed from the inbox);
        an AssertionError naming `what` if none arrives within timeout."""
        loop = asyncio.get_event_loop()
        deadline = loop.time() + timeout
        while True:
            for i, st in enumerate(self.inbox):
                if pred(st):
                    return self.inbox.pop(i)
            left = deadline - loop.time()
            if left <= 0:
                seen = "\n  ".join(str(s) for s in self.inbox[-10:]) or "(nothing)"
                raise AssertionError("%s: timed out after %.0f s waiting for %s; last stanzas "
                                     "received:\n  %s" % (self.bare, timeout, what, seen))
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def expect_none(self, pred, what, within):
        """Assert that no stanza matching pred arrives within `within` s."""
        await asyncio.sleep(within)
        bad = [s for s in self.inbox if pred(s)]
        assert not bad, "%s: unexpected %s: %s" % (self.bare, what, bad[0])

    async def expect_presence(self, frm, ptype=None, what=None, timeout=STANZA_TIMEOUT):
        """Presence from `frm` (bare or full JID) with type ptype (None: available)."""
        def pred(st):
            return (st.xml.tag == q(NS_CLIENT, "presence") and jid_match(st["from"], frm)
                    and st.xml.get("type") == ptype)
        return await self.expect(pred, what or "presence type=%s from %s" % (ptype or "available", frm),
                                 timeout)

    async def expect_message(self, frm, body=None, mtype=None, what=None, timeout=STANZA_TIMEOUT):
        def pred(st):
            if st.xml.tag != q(NS_CLIENT, "message") or not jid_match(st["from"], frm):
                return False
            if mtype is not None and st.xml.get("type", "normal") != mtype:
                return False
            return body is None or st["body"] == body
        return await self.expect(pred, what or "message from %s with body %r" % (frm, body),
                                 timeout)

    # -- sending -----------------------------------------------------------
    def chat(self, to, body, mtype="chat"):
        self.send_message(mto=to, mbody=body, mtype=mtype)

    def presence(self, to=None, ptype=None, **kw):
        self.send_presence(pto=to, ptype=ptype, **kw)

    async def iq(self, to, itype, payload, timeout=STANZA_TIMEOUT):
        """Send an iq with `payload` (XML text or None); return the answer
        (result or error) as a stanza. A missing answer fails the test."""
        iq = self.make_iq(ito=to, itype=itype)
        if payload is not None:
            iq.append(ET.fromstring(payload) if isinstance(payload, str) else payload)
        try:
            return await iq.send(timeout=timeout)
        except IqError as e:
            return e.iq
        except IqTimeout:
            raise AssertionError("%s: timed out after %.0f s waiting for an answer to iq %s to %s: %s"
                                 % (self.bare, timeout, itype, to, payload))

    async def iq_ok(self, to, itype, payload, what="", timeout=STANZA_TIMEOUT):
        """Like iq(), and assert the answer is a result."""
        r = await self.iq(to, itype, payload, timeout)
        assert r["type"] == "result", "%s: expected a result for %s, got:\n%s" % (
            self.bare, what or payload, r)
        return r

    async def iq_error(self, to, itype, payload, condition=None, what="", timeout=STANZA_TIMEOUT):
        """Like iq(), and assert the answer is an error (with `condition`,
        a name or a set of names, when given). Returns the condition."""
        r = await self.iq(to, itype, payload, timeout)
        assert r["type"] == "error", "%s: expected an error for %s, got:\n%s" % (
            self.bare, what or payload, r)
        cond = error_condition(r)
        if condition is not None:
            wanted = {condition} if isinstance(condition, str) else set(condition)
            assert cond in wanted, "%s: expected error %s for %s, got %s:\n%s" % (
                self.bare, "/".join(sorted(wanted)), what or payload, cond, r)
        return cond


def cancel_pending(loop):
    """Cancel the tasks closed clients leave behind, so none is reported as
    destroyed while pending."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for t in pending:
        t.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def jid_match(jid, want):
    """`want` as a bare JID matches any resource; a full JID must match exactly."""
    want = str(want)
    return str(jid) == want if "/" in want else str(jid.bare) == want


def error_condition(stanza):
    """The defined condition of an error stanza, e.g. 'forbidden'; None if absent."""
    err = stanza.xml.find(q(NS_CLIENT, "error"))
    if err is None:
        return None
    for child in err:
        if child.tag.startswith("{%s}" % NS_STANZAS) and not child.tag.endswith("}text"):
            return child.tag.split("}", 1)[1]
    return None


def payload(stanza, ns, tag):
    """The first child <tag xmlns=ns/> of a stanza (ElementTree), or None."""
    return stanza.xml.find(q(ns, tag))


# -- data forms (XEP-0004) --------------------------------------------------
def form_of(el):
    """The jabber:x:data form inside element el, or None."""
    return None if el is None else el.find(q(NS_DATA, "x"))


def form_fields(x):
    """{var: {"type": ..., "values": [...], "required": bool}} of a form."""
    fields = {}
    for f in x.findall(q(NS_DATA, "field")):
        fields[f.get("var")] = {
            "type": f.get("type", "text-single"),
            "values": [v.text or "" for v in f.findall(q(NS_DATA, "value"))],
            "required": f.find(q(NS_DATA, "required")) is not None,
        }
    return fields


def field_value(fields, var):
    vals = fields.get(var, {}).get("values") or [""]
    return vals[0]


def submit_form(values, form_type=None):
    """XML text of a submitted form; values is {var: value or [values]}."""
    parts = ["<x xmlns='jabber:x:data' type='submit'>"]
    if form_type:
        parts.append("<field var='FORM_TYPE' type='hidden'><value>%s</value></field>"
                     % escape(form_type))
    for var, val in values.items():
        parts.append("<field var=%s>" % quoteattr(var))
        for v in (val if isinstance(val, (list, tuple)) else [val]):
            parts.append("<value>%s</value>" % escape(v))
        parts.append("</field>")
    parts.append("</x>")
    return "".join(parts)
