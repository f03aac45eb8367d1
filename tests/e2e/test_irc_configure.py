"""Per-server settings: the `configure` ad-hoc command on an IRC server's
JID (localhost@irc.localhost). Offered to registered users on server JIDs
only; its form; invalid values refused; a new nick closes the user's open
connection to that server and the next message goes out under it, while
another user's connection stays as it was; passwords are never shown."""
from harness.client import NS_COMMANDS, NS_DISCO_INFO, NS_DISCO_ITEMS, error_condition, payload, q
from harness.ircclient import (CONFIGURE, configure, configure_form, configure_submit, fresh_nick,
                               irc_jid, irc_server_jid, irc_user)
from harness.scenario import command

FIELD_TYPES = {
    "nick": "text-single",
    "username": "text-single",
    "realname": "text-single",
    "server_password": "text-private",
    "sasl_password": "text-private",
    "nickserv_password": "text-private",
    "sasl_account": "text-single",
    "tls_ports": "text-single",
    "plain_ports": "text-single",
    "tls_verify": "boolean",
}
PASSWORDS = ("server_password", "sasl_password", "nickserv_password")


def registrations(ngircd, nick):
    """How many times ngIRCd registered a user with this nick (its log)."""
    return sum(1 for line in ngircd.log_text().splitlines()
               if ('User "%s!' % nick) in line and " registered " in line)


async def test_configure_discovered_with_its_form(server, irc_gateway, clients):
    c = await irc_user(clients)
    srv = irc_server_jid("localhost")

    r = await c.iq_ok(srv, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO,
                      what="disco#info of %s" % srv)
    feats = {f.get("var") for f in payload(r, NS_DISCO_INFO, "query").findall(
        q(NS_DISCO_INFO, "feature"))}
    assert NS_COMMANDS in feats, "disco#info of %s lacks %s: %s" % (srv, NS_COMMANDS, r)

    r = await c.iq_ok(srv, "get", "<query xmlns='%s' node='%s'/>" % (NS_DISCO_ITEMS, NS_COMMANDS),
                      what="the command list of %s" % srv)
    items = payload(r, NS_DISCO_ITEMS, "query").findall(q(NS_DISCO_ITEMS, "item"))
    nodes = {it.get("node"): it.get("jid") for it in items}
    assert CONFIGURE in nodes, "%s lists no %r command: %s" % (srv, CONFIGURE, r)
    assert nodes[CONFIGURE] == srv, "the configure item names jid %s, not %s: %s" % (
        nodes[CONFIGURE], srv, r)

    _, fields, r = await configure_form(c)
    for var, ftype in FIELD_TYPES.items():
        assert var in fields, "configure form: no field %r:\n%s" % (var, r)
        assert fields[var]["type"] == ftype, "configure form: %s is %s, expected %s:\n%s" % (
            var, fields[var]["type"], ftype, r)
    for var in PASSWORDS:
        assert fields[var]["values"] in ([], [""]), "configure form shows %s:\n%s" % (var, r)
    assert fields["tls_verify"]["values"] in (["1"], ["true"]), (
        "tls_verify should default to true:\n%s" % r)


async def test_configure_not_offered(server, irc_gateway, clients):
    c = await irc_user(clients)
    user_jid = irc_jid("bob")
    r, _ = await command(c, user_jid, CONFIGURE)
    # A nick's JID offers no commands at all (its disco#info lists none), so
    # the request is for a service that JID does not provide (RFC 6120).
    assert r["type"] == "error" and error_condition(r) == "service-unavailable", (
        "configure on a user JID %s: expected service-unavailable:\n%s" % (user_jid, r))

    stranger = await clients.new()
    srv = irc_server_jid("localhost")
    r, _ = await command(stranger, srv, CONFIGURE)
    assert r["type"] == "error" and error_condition(r) == "registration-required", (
        "configure by an unregistered user: expected registration-required:\n%s" % r)


async def test_configure_refuses_invalid_values(server, irc_gateway, clients):
    c = await irc_user(clients)
    bad = [{"nick": "two words"}, {"tls_ports": "abc"}, {"plain_ports": "70000"},
           {"plain_ports": "0"}]
    for values in bad:
        r = await configure_submit(c, values)
        assert r["type"] == "error" and error_condition(r) == "not-acceptable", (
            "configure with %s: expected not-acceptable:\n%s" % (values, r))
    _, fields, r = await configure_form(c)
    assert fields["nick"]["values"] != ["two words"], "an invalid nick was stored:\n%s" % r


async def test_configure_nick_reconnects_that_user_only(server, irc_gateway, ngircd, clients,
                                                        ircs):
    c = await irc_user(clients)
    other = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "with my registered nick")
    await bob.expect_privmsg(c.nick, "with my registered nick")
    other.chat(irc_jid(bob.nick), "I am the other user")
    await bob.expect_privmsg(other.nick, "I am the other user")

    new = fresh_nick("cfg")
    uname = fresh_nick("u")[:9]
    realname = "Configured Realname %s" % new
    await configure(c, nick=new, username=uname, realname=realname)

    # The open connection under the old nick is closed (QUIT)...
    await bob.wait_online(c.nick, want=False, timeout=10)
    # ...and the next use connects with the new settings.
    c.chat(irc_jid(bob.nick), "with my configured nick")
    await bob.expect_privmsg(new, "with my configured nick",
                             what="the message from the configured nick %s (not %s)"
                             % (new, c.nick))
    w = await bob.whois_numeric(new, "311")
    assert w is not None, "WHOIS %s: no 311" % new
    assert w.params[2].lstrip("~") == uname, "WHOIS %s: username %r, expected %r" % (
        new, w.params[2], uname)
    assert w.last == realname, "WHOIS %s: realname %r, expected %r" % (new, w.last, realname)

    # The other user keeps the connection and the nick they had.
    other.chat(irc_jid(bob.nick), "still here")
    await bob.expect_privmsg(other.nick, "still here")
    assert registrations(ngircd, other.nick) == 1, (
        "the other user's connection was reopened (%d registrations of %s)"
        % (registrations(ngircd, other.nick), other.nick))

    # Stored for that server only, and shown on the next execute.
    _, fields, r = await configure_form(c)
    assert fields["nick"]["values"] == [new], "configure shows nick %s, expected %s:\n%s" % (
        fields["nick"]["values"], new, r)
    _, fields, r = await configure_form(c, server="127.0.0.2")
    assert fields["nick"]["values"] != [new], (
        "the nick set for localhost shows for 127.0.0.2 too:\n%s" % r)
    _, fields, r = await configure_form(other)
    assert fields["nick"]["values"] != [new], (
        "one user's nick shows in another user's form:\n%s" % r)


async def test_passwords_never_shown(server, irc_gateway, clients):
    c = await irc_user(clients)
    secrets = {var: "%s-%s" % (var.split("_")[0], fresh_nick("pw")) for var in PASSWORDS}
    await configure(c, server="127.0.0.2", **secrets)
    _, fields, r = await configure_form(c, server="127.0.0.2")
    for var in PASSWORDS:
        assert fields[var]["values"] in ([], [""]), "configure shows %s:\n%s" % (var, r)
    shown = str(r)
    for var, value in secrets.items():
        assert value not in shown, "the %s appears in the form:\n%s" % (var, r)
