"""Errors: an IRC server that refuses connections, and a server not in
allowed_servers. (A sender who never registered is served; one the policy
refuses: test_irc_noreg.py.)"""
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

    # The message itself is answered with an error (addressed to the
    # sending resource: servers drop errors sent to a bare JID) ...
    m = await c.expect(lambda st: st.xml.tag.endswith("}message")
                       and st.xml.get("type") == "error" and str(st["from"].bare) == target,
                       "an error reply from %s" % target)
    assert "refused" in text_of(m).lower(), m
    assert error_condition(m) == "remote-server-not-found", m
    # ... and the server JID says so too.
    await c.expect(lambda st: st.xml.tag.endswith("}message") and str(st["from"].bare) == srv
                   and "refused" in text_of(st).lower(),
                   "a message from %s saying 'refused'" % srv)


async def test_server_not_allowed(server, irc_gateway, clients):
    c = await irc_user(clients)
    target = irc_jid("bob", "not-allowed.example")
    c.chat(target, "let me in")
    m = await c.expect(lambda st: st.xml.tag.endswith("}message") and st.xml.get("type") == "error"
                       and str(st["from"].bare) == target,
                       "a not-allowed error from %s" % target, timeout=3)
    assert error_condition(m) == "not-allowed", m

