"""Ad-hoc commands (XEP-0050): settings, unregister, cancel, the admin
commands stats and users, commands a backend declares, and the per-user
bound on open sessions."""

NS_COMMANDS = "http://jabber.org/protocol/commands"
from harness.client import NS_DISCO_ITEMS, error_condition, form_fields, form_of, q
from harness.scenario import (command, legacy_name, register, registration_state, run_command,
                              stats)
from harness.client import submit_form


async def start(c, server, node):
    r, cmd = await command(c, server.component, node)
    assert r["type"] == "result" and cmd is not None, "%s: %s" % (node, r)
    assert cmd.get("status") == "executing", "%s: expected status executing: %s" % (node, r)
    assert cmd.get("sessionid"), "%s: no sessionid: %s" % (node, r)
    x = form_of(cmd)
    assert x is not None and x.get("type") == "form", "%s: no form: %s" % (node, r)
    return cmd.get("sessionid"), form_fields(x), r


async def test_settings(server, gateway, clients):
    c = await clients.new()
    name = await register(c, server)
    sid, fields, r = await start(c, server, "settings")
    assert fields.get("username", {}).get("values") == [name], "username field: %s" % r
    assert "password" in fields, r
    assert fields["password"]["values"] in ([], [""]), "password shown: %s" % r
    new = legacy_name()
    r, cmd = await command(c, server.component, "settings", "complete", sid,
                           submit_form({"username": new}))
    assert r["type"] == "result" and cmd is not None, r
    assert cmd.get("status") == "completed", r
    registered, user, _ = await registration_state(c, server)
    assert registered and user == new, "registration shows %r, expected %r" % (user, new)


async def test_register_through_settings(server, gateway, clients):
    """Clients without XEP-0077 for gateways register with the command."""
    c = await clients.new()
    sid, fields, r = await start(c, server, "settings")
    assert "username" in fields and "password" in fields, r
    assert fields["username"].get("values") in ([], [""]), "a value for a new user: %s" % r
    name = legacy_name()
    r, cmd = await command(c, server.component, "settings", "complete", sid,
                           submit_form({"username": name, "password": "pw-adhoc"}))
    assert r["type"] == "result" and cmd is not None and cmd.get("status") == "completed", r
    registered, user, pw = await registration_state(c, server)
    assert registered and user == name and pw == "", (registered, user, pw)
    # XEP-0100: as after an in-band registration, the gateway asks to subscribe.
    await c.expect_presence(server.component, "subscribe")


async def test_register_through_settings_is_validated(server, gateway, clients):
    c = await clients.new()
    sid, _, _ = await start(c, server, "settings")
    r, _ = await command(c, server.component, "settings", "complete", sid,
                         submit_form({"username": legacy_name()}))
    assert r["type"] == "error" and error_condition(r) == "not-acceptable", r
    registered, _, _ = await registration_state(c, server)
    assert not registered


async def test_unregister(server, gateway, clients):
    c = await clients.new()
    await register(c, server)
    sid, fields, r = await start(c, server, "unregister")
    assert fields.get("confirm", {}).get("type") == "boolean", "no boolean confirm: %s" % r
    r, cmd = await command(c, server.component, "unregister", "complete", sid,
                           submit_form({"confirm": "true"}))
    assert r["type"] == "result" and cmd is not None and cmd.get("status") == "completed", r
    registered, _, _ = await registration_state(c, server)
    assert not registered, "still registered after the unregister command"


async def test_cancel(server, gateway, clients):
    c = await clients.new()
    name = await register(c, server)
    sid, _, _ = await start(c, server, "settings")
    r, cmd = await command(c, server.component, "settings", "cancel", sid)
    assert r["type"] == "result" and cmd is not None and cmd.get("status") == "canceled", r
    registered, user, _ = await registration_state(c, server)
    assert registered and user == name, "cancel changed the registration"


async def test_admin_stats_and_users(server, gateway, clients):
    c = await clients.new()
    await register(c, server)
    admin = await clients.login(*gateway.admin)
    s = await stats(admin, server)
    assert s["users"] >= 1, s
    fields = await run_command(admin, server.component, "users")
    values = [v for f in fields.values() for v in f["values"]]
    assert any(c.bare in v for v in values), "users: %s not listed in %s" % (c.bare, fields)


async def test_stats_needs_an_admin(server, gateway, clients):
    c = await clients.new()
    await register(c, server)
    r, _ = await command(c, server.component, "stats")
    assert r["type"] == "error" and error_condition(r) == "forbidden", r


async def command_nodes(c, server):
    """The nodes of the command list the user sees (disco#items)."""
    r = await c.iq_ok(server.component, "get", "<query xmlns='%s' node='%s'/>"
                      % (NS_DISCO_ITEMS, NS_COMMANDS))
    return {i.get("node") for i in r.xml.iter(q(NS_DISCO_ITEMS, "item"))}


async def test_backend_commands(server, gateway, clients):
    """Commands a backend declares (struct gw_command): a form checked like a
    registration form, then the backend's report as a text-multi result; an
    admin-only one is neither listed for nor runnable by a plain user."""
    c = await clients.new()
    await register(c, server)
    nodes = await command_nodes(c, server)
    assert "reverse" in nodes and "counts" not in nodes, nodes
    sid, fields, r = await start(c, server, "reverse")
    assert fields.get("text", {}).get("required"), "reverse: text not required: %s" % r
    # A required field left empty is refused like a registration field.
    r, _ = await command(c, server.component, "reverse", "complete", sid, submit_form({}))
    assert r["type"] == "error" and error_condition(r) == "not-acceptable", r
    sid, _, _ = await start(c, server, "reverse")
    r, cmd = await command(c, server.component, "reverse", "complete", sid,
                           submit_form({"text": "stressed"}))
    assert r["type"] == "result" and cmd.get("status") == "completed", r
    assert form_fields(form_of(cmd))["report"]["values"] == ["desserts"], r
    r, _ = await command(c, server.component, "counts")
    assert r["type"] == "error" and error_condition(r) == "forbidden", r

    c.chat("bob@" + server.component, "count me")
    await c.expect_message("bob@" + server.component, "count me")
    admin = await clients.login(*gateway.admin)
    assert "counts" in await command_nodes(admin, server)
    fields = await run_command(admin, server.component, "counts")
    lines = fields["report"]["values"]
    assert lines[0].startswith("messages echoed: ") and int(lines[0].split(": ")[1]) >= 1, lines


async def test_one_user_cannot_fill_the_sessions(server, gateway, clients):
    """A user who leaves more forms open than the gateway keeps for all
    (1,000) only ever holds their last 10; another user still gets one."""
    c = await clients.new()
    await register(c, server)
    sids = []
    for _ in range(1010):
        r, cmd = await command(c, server.component, "settings")
        assert r["type"] == "result" and cmd is not None, (
            "session %d refused: %s" % (len(sids) + 1, r))
        sids.append(cmd.get("sessionid"))
    d = await clients.new()
    await register(d, server)
    await start(d, server, "settings")
    # c's oldest went; the last 10 are all still there.
    r, _ = await command(c, server.component, "settings", "cancel", sids[-11])
    assert r["type"] == "error" and error_condition(r) == "bad-request", (
        "the 11th newest session still answers: %s" % r)
    for sid in sids[-10:]:
        r, cmd = await command(c, server.component, "settings", "cancel", sid)
        assert r["type"] == "result" and cmd.get("status") == "canceled", r
