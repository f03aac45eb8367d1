"""Per-contact settings (the core's GW_CAP_CONTACT_SETTINGS): an ad-hoc
command on a contact's JID, shown in disco, with the values stored per
user and per contact. The echo backend's setting is a prefix for the
echoes of that contact."""
from harness.client import (NS_COMMANDS, NS_DISCO_INFO, NS_DISCO_ITEMS, error_condition,
                            form_fields, form_of, q)
from harness.client import submit_form
from harness.scenario import command, legacy_name, registered_user


async def configure(c, jid, values):
    r, cmd = await command(c, jid, "configure")
    assert r["type"] == "result" and cmd is not None and cmd.get("status") == "executing", r
    fields = form_fields(form_of(cmd))
    r, cmd = await command(c, jid, "configure", "complete", cmd.get("sessionid"),
                           submit_form(values))
    return r, cmd, fields


async def test_disco_lists_the_command(server, gateway, clients):
    c = await registered_user(clients, server)
    contact = "%s@%s" % (legacy_name(), server.component)
    info = await c.iq_ok(contact, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    features = [f.get("var") for f in info.xml.iter(q(NS_DISCO_INFO, "feature"))]
    assert NS_COMMANDS in features, info
    items = await c.iq_ok(contact, "get", "<query xmlns='%s' node='%s'/>"
                          % (NS_DISCO_ITEMS, NS_COMMANDS))
    nodes = [(i.get("jid"), i.get("node")) for i in items.xml.iter(q(NS_DISCO_ITEMS, "item"))]
    assert (contact, "configure") in nodes, items


async def test_setting_applies_to_that_contact_only(server, gateway, clients):
    c = await registered_user(clients, server)
    alice = "%s@%s" % (legacy_name(), server.component)
    bob = "%s@%s" % (legacy_name(), server.component)
    r, cmd, fields = await configure(c, alice, {"prefix": "[a] "})
    assert "prefix" in fields, fields
    assert r["type"] == "result" and cmd.get("status") == "completed", r
    c.chat(alice, "hello")
    await c.expect_message(alice, "[a] hello")
    c.chat(bob, "hello")
    await c.expect_message(bob, "hello")
    # The form shows the stored value the next time.
    _, _, fields = await configure(c, alice, {"prefix": ""})
    assert fields["prefix"]["values"] == ["[a] "], fields
    c.chat(alice, "plain again")
    await c.expect_message(alice, "plain again")


async def test_refusals(server, gateway, clients):
    stranger = await clients.new()
    contact = "%s@%s" % (legacy_name(), server.component)
    r, _ = await command(stranger, contact, "configure")
    assert r["type"] == "error" and error_condition(r) == "registration-required", r
    c = await registered_user(clients, server)
    r, _, _ = await configure(c, contact, {"prefix": "x" * 33})
    assert r["type"] == "error" and error_condition(r) == "not-acceptable", r
    r, _, _ = await configure(c, contact, {"prefix": "a/b"})
    assert r["type"] == "error" and error_condition(r) == "not-acceptable", r
    r, _ = await command(c, contact, "no-such-command")
    assert r["type"] == "error" and error_condition(r) == "item-not-found", r
