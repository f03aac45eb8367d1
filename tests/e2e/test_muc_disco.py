"""disco#info on a room JID: identity conference/text, the MUC feature and
a muc#roominfo form, whether or not the user is in the room."""
import pytest

from harness.client import NS_DATA, NS_DISCO_INFO, form_fields, q, xml_text
from harness.ircclient import irc_user
from harness.muc import NS_MUC, bob_in_channel, room_jid, user_in_room

ROOMINFO = "http://jabber.org/protocol/muc#roominfo"


@pytest.mark.parametrize("joined", [False, True], ids=["not-joined", "joined"])
async def test_room_disco_info(server, irc_gateway, clients, ircs, joined):
    if joined:
        c, bob, channel, room = await user_in_room(clients, ircs)
    else:
        bob, channel = await bob_in_channel(ircs, topic="disco time")
        c = await irc_user(clients)
        room = room_jid(channel)
    r = await c.iq_ok(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO,
                      what="disco#info on the room %s" % room)
    query = r.xml.find(q(NS_DISCO_INFO, "query"))
    assert query is not None, "disco#info on %s: no query:\n%s" % (room, r)
    text = xml_text(query)
    ids = [(i.get("category"), i.get("type")) for i in query.findall(q(NS_DISCO_INFO, "identity"))]
    assert ("conference", "text") in ids, "disco#info on %s: no identity conference/text:\n%s" % (
        room, text)
    features = {f.get("var") for f in query.findall(q(NS_DISCO_INFO, "feature"))}
    assert NS_MUC in features, "disco#info on %s: no feature %s:\n%s" % (room, NS_MUC, text)
    forms = [form_fields(x) for x in query.findall(q(NS_DATA, "x"))]
    types = [(f.get("FORM_TYPE") or {}).get("values") for f in forms]
    assert [ROOMINFO] in types, "disco#info on %s: no %s form (FORM_TYPEs: %s):\n%s" % (
        room, ROOMINFO, types, text)
