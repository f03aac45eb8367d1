"""The two gateways under test, started the same way against the same
ngIRCd and the driver's component port, and what each needs before users
can join rooms.

- xmpp-gw: N registrations (jabber:iq:register with <nick/>), all answered;
  then N available presences to the gateway (logins), all answered.
- biboumi: N runs of its per-server ad-hoc command "configure" on
  localhost@irc.localhost, one per user (biboumi keeps these options per
  user and server): throttle_limit = -1 (its per-connection throttle off,
  as in the anchor's figures), ports = ngIRCd's port, no TLS ports (xmpp-gw
  gets the same: plain_ports only). Every other field is sent back as
  biboumi offered it, because biboumi resets a field missing from the
  submitted form. The values are then read back for the first and the last
  user, and the run stops if they did not take. Then the N presences.
"""
import asyncio
import html
import os
import re

from . import procs
from .link import DOMAIN, GW, IRC_SERVER, SECRET, ujid, xml_escape

LOG_PROBLEM = re.compile(r"\b(warn|warning|error|crit|critical)\b|\[(WARNING|ERROR)\]", re.I)
COMMANDS = "http://jabber.org/protocol/commands"


class XmppGw:
    name = "xmpp-gw"

    def __init__(self, args, work, comp_port, irc_port, pacing):
        self.args, self.work, self.pacing = args, work, pacing
        self.comp_port, self.irc_port = comp_port, irc_port
        self.log = os.path.join(work, "gw.log")
        self.proc = None

    def start(self):
        conf = os.path.join(self.work, "gw.ini")
        with open(conf, "w") as f:
            f.write("[xmpp]\nserver = 127.0.0.1\nport = %d\n\n[store]\npath = %s\n\n"
                    "[policy]\nallow = %s\n\n[log]\nlevel = warn\n\n"
                    "[irc]\njid = %s\nsecret = %s\nallowed_servers = %s\ntls_ports =\n"
                    "plain_ports = %d\nflood_interval_ms = 0\n"
                    % (self.comp_port, os.path.join(self.work, "gw.sqlite"), DOMAIN, GW,
                       SECRET, IRC_SERVER, self.irc_port))
            for key, value in self.args.irc_options:
                f.write("%s = %s\n" % (key, value))
            f.write("connects_per_second = %s\n" % self.pacing)
        self.proc = procs.spawn([self.args.xmpp_gw_bin, "-c", conf], self.log, cwd=self.work)
        return self.proc

    async def setup_users(self, srv, n, res, notes):
        t0 = asyncio.get_running_loop().time()
        for i in range(1, n + 1):
            srv.send("<iq type='set' id='reg%d' from='%s' to='%s'><query xmlns="
                     "'jabber:iq:register'><nick>u%d</nick></query></iq>" % (i, ujid(i), GW, i))
            if i % 500 == 0:
                await srv.drain()
        await srv.drain()
        ok = await srv.until(lambda: len(srv.reg_ok) + srv.reg_err >= n, 60 + n * 0.05)
        if not ok or srv.reg_err:
            raise RuntimeError("registrations: %d ok, %d errors of %d"
                               % (len(srv.reg_ok), srv.reg_err, n))
        res["setup_s"] = n / (asyncio.get_running_loop().time() - t0)
        await send_logins(srv, n)
        if not await srv.until(lambda: len(srv.logged_in) >= n, 30 + n * 0.02):
            notes.append("logins: %d of %d answered" % (len(srv.logged_in), n))

    def problems(self):
        return procs.log_lines(self.log, LOG_PROBLEM)


class Biboumi:
    name = "biboumi"

    def __init__(self, args, work, comp_port, irc_port, pacing=None):
        self.args, self.work = args, work
        self.comp_port, self.irc_port = comp_port, irc_port
        self.log = os.path.join(work, "gw.log")
        self.proc = None

    def start(self):
        conf = os.path.join(self.work, "biboumi.cfg")
        with open(conf, "w") as f:
            f.write("hostname=%s\npassword=%s\nxmpp_server_ip=127.0.0.1\nport=%d\n"
                    "db_name=%s\nlog_level=2\nidentd_port=0\nrealname_customization=true\n"
                    "policy_directory=%s\n"
                    % (GW, SECRET, self.comp_port, os.path.join(self.work, "biboumi.sqlite"),
                       self.work))
        self.proc = procs.spawn([self.args.biboumi_bin, conf], self.log, cwd=self.work)
        return self.proc

    async def setup_users(self, srv, n, res, notes):
        throttle = "-1" if self.args.biboumi_throttle == "off" else None
        t0 = asyncio.get_running_loop().time()
        sem = asyncio.Semaphore(64)
        failures = []

        async def one(i):
            async with sem:
                try:
                    await configure(srv, i, {"throttle_limit": throttle,
                                             "ports": str(self.irc_port), "tls_ports": ""})
                except Exception as e:
                    failures.append("u%d: %s" % (i, e))

        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(1, n + 1))),
                               120 + n * 0.1)
        if failures:
            raise RuntimeError("biboumi configure failed for %d users, e.g. %s"
                               % (len(failures), failures[0]))
        res["setup_s"] = n / (asyncio.get_running_loop().time() - t0)
        want = throttle or "10"
        seen = []
        for i in sorted({1, n}):
            form = await read_configure(srv, i)
            got = (form.get("throttle_limit") or [""])[0]
            ports = ",".join(form.get("ports") or [])
            seen.append("u%d throttle_limit=%s ports=%s tls_ports=%s"
                        % (i, got, ports, ",".join(form.get("tls_ports") or []) or "none"))
            if got != want or ports != str(self.irc_port):
                raise RuntimeError("biboumi options did not take: " + seen[-1])
        res["_biboumi_options"] = "; ".join(seen)
        await send_logins(srv, n)
        await srv.quiet(0.3, 10)

    def problems(self):
        return procs.log_lines(self.log, LOG_PROBLEM)


async def send_logins(srv, n):
    for i in range(1, n + 1):
        srv.send("<presence from='%s' to='%s'/>" % (ujid(i), GW))
        if i % 500 == 0:
            await srv.drain()
    await srv.drain()


# -- biboumi's per-server "configure" ad-hoc command ---------------------------
FIELD = re.compile(rb"<field\b([^>]*?)(?:/>|>(.*?)</field>)", re.S)
VALUE = re.compile(rb"<value>(.*?)</value>", re.S)
ATTR_VAR = re.compile(rb"\bvar=['\"]([^'\"]*)['\"]")
SESSION = re.compile(rb"sessionid=['\"]([^'\"]*)['\"]")


def parse_form(raw):
    """{var: [values]} of the data form in raw."""
    values = {}
    for m in FIELD.finditer(raw):
        var = ATTR_VAR.search(m.group(1))
        if var:
            values[html.unescape(var.group(1).decode())] = [
                html.unescape(x.decode()) for x in VALUE.findall(m.group(2) or b"")]
    return values


async def _execute(srv, i, tag):
    server_jid = "%s@%s" % (IRC_SERVER, GW)
    iid = "cfg%s%d" % (tag, i)
    typ, raw = await asyncio.wait_for(srv.iq(
        "<iq type='set' id='%s' from='%s' to='%s'><command xmlns='%s' node='configure' "
        "action='execute'/></iq>" % (iid, ujid(i), server_jid, COMMANDS), iid), 60)
    m = SESSION.search(raw)
    if typ != b"result" or not m:
        raise RuntimeError("configure: %r" % raw[:300])
    return server_jid, m.group(1).decode(), raw


async def read_configure(srv, i):
    """The configure form's current values for user i (the session is cancelled)."""
    server_jid, sid, raw = await _execute(srv, i, "r")
    srv.send("<iq type='set' id='cfgc%d' from='%s' to='%s'><command xmlns='%s' node='configure' "
             "sessionid='%s' action='cancel'/></iq>" % (i, ujid(i), server_jid, COMMANDS, sid))
    return parse_form(raw)


async def configure(srv, i, changes):
    """Runs "configure" for user i: every field as offered, except `changes`
    (a value of None keeps the field; "" clears it)."""
    server_jid, sid, raw = await _execute(srv, i, "e")
    values = parse_form(raw)
    fields = []
    for var, vals in values.items():
        if changes.get(var) is not None:
            vals = [changes[var]] if changes[var] != "" else []
        fields.append("<field var='%s'>%s</field>" % (
            xml_escape(var), "".join("<value>%s</value>" % xml_escape(v) for v in vals)))
    iid = "cfgs%d" % i
    typ, raw = await asyncio.wait_for(srv.iq(
        "<iq type='set' id='%s' from='%s' to='%s'><command xmlns='%s' node='configure' "
        "sessionid='%s' action='complete'><x xmlns='jabber:x:data' type='submit'>%s</x>"
        "</command></iq>" % (iid, ujid(i), server_jid, COMMANDS, sid, "".join(fields)), iid), 60)
    if typ != b"result" or b"completed" not in raw:
        raise RuntimeError("configure submit: %r" % raw[:300])


GATEWAYS = {"xmpp-gw": XmppGw, "biboumi": Biboumi}
