"""The fake XMPP server's SMS side: ircbench's component listener (the
handshake, the stanza scanner, IQ futures, subscription answers), with a
fast path that records every incoming text the gateway delivers, and the
users' registrations through XEP-0077.

Texts carry "<tag> <seq>" as their body: `tag` names the phase (texts of
another phase are counted as strays), `seq` indexes the phase's arrays.
"""
import asyncio
import re
import time
from array import array

from ircbench import link
from ircbench.link import DOMAIN, xml_escape

GW = "sms.localhost"   # the SMS component's domain
NS_REGISTER = "jabber:iq:register"
BODY = re.compile(rb"<body>([a-z]+) (\d+)</body>")
TO = re.compile(rb"""\bto=["']([^"'/]+)""")


def ujid(i):
    return "u%d@%s/r" % (i, DOMAIN)


def ubare(i):
    return "u%d@%s" % (i, DOMAIN)


def number_jid(number):
    return "%s@%s" % (number, GW)


class Phase:
    """What arrived of one phase's n texts: arrival time, count and the
    receiving bare JID per seq."""

    def __init__(self, tag, n):
        self.tag = tag.encode()
        self.n = n
        self.t = array("d", bytes(8 * n))
        self.count = bytearray(n)
        self.to = [None] * n
        self.arrived = 0      # distinct seqs
        self.dups = 0
        self.t_last = 0.0


class Server(link.Server):
    """One component link; `phase` receives the texts while it is set."""

    def __init__(self):
        super().__init__(room="none%none@" + GW)
        self.phase = None
        self.strays = 0
        self.stray_samples = []

    def dispatch(self, stanzas):
        now = time.monotonic()
        rest = []
        ph = self.phase
        for st in stanzas:
            name, raw_attrs, raw = st
            if name == b"message" and b"error" not in raw_attrs:
                m = BODY.search(raw)
                if m:
                    seq = int(m.group(2))
                    if ph is not None and m.group(1) == ph.tag and seq < ph.n:
                        if ph.count[seq] < 255:
                            ph.count[seq] += 1
                        if ph.count[seq] == 1:
                            ph.arrived += 1
                            ph.t[seq] = now
                            to = TO.search(raw_attrs)
                            ph.to[seq] = to.group(1) if to else b""
                        else:
                            ph.dups += 1
                        ph.t_last = now
                    else:
                        self.strays += 1
                        if len(self.stray_samples) < 3:
                            self.stray_samples.append(raw[:300].decode("utf-8", "replace"))
                    continue
            rest.append(st)
        if rest:
            super().dispatch(rest)
        else:
            self.last_rx = now
            self.stanzas += len(stanzas)


def register_iq(i, iid, values):
    fields = "".join("<field var='%s'><value>%s</value></field>" % (xml_escape(k), xml_escape(v))
                     for k, v in values.items())
    return ("<iq type='set' id='%s' from='%s' to='%s'><query xmlns='%s'>"
            "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>"
            "<value>%s</value></field>%s</x></query></iq>"
            % (iid, ujid(i), GW, NS_REGISTER, NS_REGISTER, fields))


async def register(srv, i, values, tag, timeout=30):
    """(type, raw answer) of user i's registration with values."""
    iid = "sr%s%d" % (tag, i)
    return await asyncio.wait_for(srv.iq(register_iq(i, iid, values), iid), timeout)
