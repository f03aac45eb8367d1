"""Steps that many scenarios share: registering with the gateway, logging
in through it, running ad-hoc commands."""
from xml.sax.saxutils import escape

from .client import (NS_COMMANDS, NS_DATA, NS_REGISTER, form_fields, form_of, payload, q,
                     submit_form)
from .servers import unique


def legacy_name():
    """A fresh username for the echo backend: [a-z0-9._-]{1,64}, unique."""
    return unique("leg")


def register_payload(username=None, password=None, remove=False):
    parts = ["<query xmlns='%s'>" % NS_REGISTER]
    if remove:
        parts.append("<remove/>")
    if username is not None:
        parts.append("<username>%s</username>" % escape(username))
    if password is not None:
        parts.append("<password>%s</password>" % escape(password))
    parts.append("</query>")
    return "".join(parts)


def register_form_payload(values):
    return "<query xmlns='%s'>%s</query>" % (NS_REGISTER, submit_form(values, NS_REGISTER))


async def register(c, server, username=None, password="s3cret"):
    """Register c with the gateway (legacy fields); returns the username.
    Waits for the gateway's subscription request, which the client accepts."""
    username = username or legacy_name()
    await c.iq_ok(server.component, "set", register_payload(username, password),
                  what="registration of %s" % username)
    await c.expect_presence(server.component, "subscribe",
                            what="subscription request from %s after registration"
                            % server.component)
    return username


async def registered_user(clients, server, online=True):
    """A fresh local user, registered with the gateway and logged in through
    it (the gateway has sent its available presence). c.legacy is the
    username it registered."""
    c = await clients.new()
    c.legacy = await register(c, server)
    if online:
        # The client accepted the subscription; its presence now reaches the
        # gateway, which logs it in and says so with its own presence.
        c.presence()
        await c.expect_presence(server.component, None,
                                what="available presence from %s (login)" % server.component)
    return c


async def registration_state(c, server):
    """(registered?, username, password) as the gateway shows them."""
    r = await c.iq_ok(server.component, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    query = payload(r, NS_REGISTER, "query")
    assert query is not None, "register get: no query in %s" % r
    user = query.find(q(NS_REGISTER, "username"))
    pw = query.find(q(NS_REGISTER, "password"))
    return (query.find(q(NS_REGISTER, "registered")) is not None,
            None if user is None else (user.text or ""),
            None if pw is None else (pw.text or ""))


# -- ad-hoc commands (XEP-0050) --------------------------------------------------
def command_payload(node, action="execute", sessionid=None, form=None):
    attrs = "node='%s' action='%s'" % (node, action)
    if sessionid:
        attrs += " sessionid='%s'" % escape(sessionid)
    return "<command xmlns='%s' %s>%s</command>" % (NS_COMMANDS, attrs, form or "")


async def command(c, to, node, action="execute", sessionid=None, form=None):
    """Send a command request; returns (iq answer, <command/> or None)."""
    r = await c.iq(to, "set", command_payload(node, action, sessionid, form))
    return r, payload(r, NS_COMMANDS, "command")


async def run_command(c, to, node):
    """Execute a command that answers with a result in one step (stats,
    users); returns the fields of its result form."""
    r, cmd = await command(c, to, node)
    assert r["type"] == "result" and cmd is not None, "command %s: %s" % (node, r)
    if cmd.get("status") == "executing":
        # A command may first show an (empty) form; complete it as is.
        r, cmd = await command(c, to, node, "complete", cmd.get("sessionid"),
                               submit_form({}))
        assert r["type"] == "result" and cmd is not None, "command %s: %s" % (node, r)
    assert cmd.get("status") == "completed", "command %s: expected completed, got %s" % (node, r)
    x = form_of(cmd)
    assert x is not None, "command %s: no data form in %s" % (node, r)
    return form_fields(x)


async def stats(c, server):
    """The admin stats command's numbers."""
    fields = await run_command(c, server.component, "stats")
    out = {}
    for var in ("users", "sessions", "outbox", "uptime"):
        assert var in fields, "stats: no field %r in %s" % (var, sorted(fields))
        val = fields[var]["values"][0] if fields[var]["values"] else ""
        try:
            out[var] = float(val)
        except ValueError:
            raise AssertionError("stats: field %s is not a number: %r" % (var, val)) from None
    return out


__all__ = ["NS_DATA"]
