"""The IMAP watch when the mail server goes away: the gateway JID shows xa
with the reason (server unreachable, authentication failed) and until when
it backs off; once the server is back the watch reconnects by itself, the
gateway JID is online again, and mail sent after the restart arrives.
Dovecot is this module's own (harness/mail.py), restarted by its PID."""
import asyncio

import pytest

from harness.client import NS_CLIENT, jid_match, q
from harness.email_gw import email_gateway, email_options, mail  # noqa: F401
from harness.servers import EMAIL_COMPONENT
from test_email_delivery import contact, submit, watched_user


@pytest.fixture(scope="module")
def email_options():  # noqa: F811
    return {"reconnect_min_s": 1, "reconnect_max_s": 2}


def gateway_show(show, needle=None):
    """A presence from the gateway JID, available, with <show> show (None:
    none, i.e. online) and a <status> holding needle."""
    def pred(st):
        if st.xml.tag != q(NS_CLIENT, "presence") or not jid_match(st["from"], EMAIL_COMPONENT):
            return False
        if st.xml.get("type") is not None:
            return False
        el = st.xml.find(q(NS_CLIENT, "show"))
        if (el.text if el is not None else None) != show:
            return False
        status = st.xml.find(q(NS_CLIENT, "status"))
        return needle is None or (status is not None and needle in (status.text or ""))
    return pred


def status_of(st):
    el = st.xml.find(q(NS_CLIENT, "status"))
    return el.text if el is not None else None


async def in_thread(fn, *args):
    return await asyncio.get_event_loop().run_in_executor(None, fn, *args)


@pytest.fixture
def imap_back(mail):  # noqa: F811
    """Dovecot runs again after the test, whatever happened in it."""
    yield
    if not mail.dovecot.running():
        mail.start_imap()


async def test_dovecot_restart_watch_comes_back(server, mail, email_gateway, clients, imap_back):
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, email_gateway, clients)
    c.clear()
    await in_thread(mail.stop_imap)
    down = await c.expect(gateway_show("xa", "server unreachable"),
                          "the gateway JID xa: server unreachable", timeout=15)
    assert "back-off until " in status_of(down), down
    await in_thread(mail.start_imap)
    await c.expect(gateway_show(None), "the gateway JID online again", timeout=20)
    await in_thread(submit, mail, bob, bob_pw, addr,
                    "From: %s\r\nTo: %s\r\nSubject: back\r\n\r\nafter the restart\r\n"
                    % (bob, addr))
    m = await c.expect_message(contact(bob), what="the mail after the restart", timeout=15)
    assert m["body"].strip() == "after the restart", m


async def test_authentication_failed_then_fixed(server, mail, email_gateway, clients, imap_back):
    c, addr = await watched_user(mail, email_gateway, clients)
    pw = mail.users[addr][0]
    c.clear()
    mail.set_password(addr, "changed-elsewhere")
    await in_thread(mail.stop_imap)  # ends the watch's connection
    await in_thread(mail.start_imap)
    down = await c.expect(gateway_show("xa", "authentication failed"),
                          "the gateway JID xa: authentication failed", timeout=20)
    assert "back-off until " in status_of(down), down
    mail.set_password(addr, pw)
    await c.expect(gateway_show(None), "the gateway JID online again", timeout=20)
