"""Errors: an IRC server that refuses connections, a server not in
allowed_servers, and a sender who never registered."""
from harness.client import error_condition
from harness.ircclient import irc_jid, irc_server_jid, irc_user


def text_of(st):
    """A message's body and its error text, if any."""
    err = st.xml.find("{jabber:client}error")
    texts = [st["body"] or ""]
    if err is not None:
        texts += [t.text or "" for t in err.iter() if t.tag.endswith("}text")]
    return " ".join(texts)


async def test_connection_refused(server, irc_gateway, clients):
    c = await irc_user(clients)
    target = irc_jid("bob", "127.0.0.2")
    srv = irc_server_jid("127.0.0.2")
    c.chat(target, "anyone there?")

    def pred(st):
        if not st.xml.tag.endswith("}message"):
            return False
        frm = str(st["from"].bare)
        return ((frm == target and st.xml.get("type") == "error") or frm == srv) \
            and "refused" in text_of(st).lower()
    await c.expect(pred, "an error saying 'refused' from %s or %s" % (target, srv))


async def test_server_not_allowed(server, irc_gateway, clients):
    c = await irc_user(clients)
    target = irc_jid("bob", "not-allowed.example")
    c.chat(target, "let me in")
    m = await c.expect(lambda st: st.xml.tag.endswith("}message") and st.xml.get("type") == "error"
                       and str(st["from"].bare) == target,
                       "a not-allowed error from %s" % target, timeout=3)
    assert error_condition(m) == "not-allowed", m


async def test_unregistered_sender(server, irc_gateway, clients):
    c = await clients.new()
    target = irc_jid("bob")
    c.chat(target, "who am I?")
    m = await c.expect(lambda st: st.xml.tag.endswith("}message") and st.xml.get("type") == "error"
                       and str(st["from"].bare) == target,
                       "a registration-required error from %s" % target)
    assert error_condition(m) == "registration-required", m
