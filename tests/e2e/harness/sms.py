"""The SMS backend in scenarios: a private Kannel (harness/kannel.py) whose
incoming messages go to the gateway's webhook server, a gateway with an
[sms] section for it, and the steps of claiming a number.

Module fixtures (import them into a test module): `sms_port` (the
webhook port), `kannel`, `sms_gateway` (one gateway per module, with the
echo backend and [sms])."""
import asyncio
import re
import secrets
import urllib.error
import urllib.request

import pytest

from .client import NS_REGISTER, submit_form
from .gateway import Gateway
from .kannel import Kannel
from .servers import SMS_COMPONENT
from .util import free_port

CODE = re.compile(r"code for \S+ is (\d{6})")
SYSTEM_SENDER = "XmppGw"


def number():
    """A fresh NANP-shaped number (555-01xx style exchanges pass e164.h)."""
    return "+1555%07d" % secrets.randbelow(10 ** 7)


def sms_jid(legacy):
    return "%s@%s" % (legacy, SMS_COMPONENT)


def sink_mark(kannel):
    """The number of the last message at the sink so far (for `after`)."""
    return max([m.n for m in kannel.sink_messages()] or [0])


async def wait_sink(kannel, count=1, receiver=None, after=0, timeout=15.0):
    """Kannel.wait_sink without blocking the event loop (the XMPP clients
    must keep sending while a test waits for the texts)."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while True:
        got = [m for m in kannel.sink_messages() if m.n > after
               and (receiver is None or m.receiver == receiver)]
        if len(got) >= count:
            return got[:count]
        if loop.time() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %d text(s) to %s at the "
                                 "sink (got %s)" % (timeout, count, receiver, got))
        await asyncio.sleep(0.1)


async def inject(kannel, *args, **kw):
    """Kannel.inject off the event loop."""
    await asyncio.get_event_loop().run_in_executor(None, lambda: kannel.inject(*args, **kw))


def sms_section(server, kannel, port, **over):
    keys = {
        "jid": SMS_COMPONENT,
        "secret": server.secret,
        "provider": "kannel",
        "http_listen": "127.0.0.1",
        "http_port": str(port),
        "public_url": "http://127.0.0.1:%d" % port,
        "webhook_token": kannel.token,
        "kannel_sendsms_url": "http://127.0.0.1:%d/cgi-bin/sendsms" % kannel.sendsms_port,
        "kannel_username": kannel.user,
        "kannel_password": kannel.password,
        "system_sender": SYSTEM_SENDER,
        "default_country": "1",
        "max_segments": "3",
        "send_rate": "50",
        "http_timeout_s": "10",
        "max_body_bytes": "4096",
    }
    keys.update({k: str(v) for k, v in over.items()})
    return keys


@pytest.fixture(scope="module")
def sms_port():
    return free_port()


@pytest.fixture(scope="module")
def sms_options():
    """More [sms] keys for the module's sms_gateway (a module overrides this)."""
    return {}


@pytest.fixture(scope="module")
def kannel(sms_port):
    k = Kannel("http://127.0.0.1:%d/kannel/mo" % sms_port, retries=5, retry_delay=1)
    k.start()
    yield k
    k.cleanup()


def sms_sections(server, kannel, port, http=None, **options):
    """{"sms": ...} and, with http (a dict), {"http": ...} holding the
    listener's address instead of [sms]."""
    sms = sms_section(server, kannel, port, **options)
    if http is None:
        return {"sms": sms}
    for k in ("http_listen", "http_port", "public_url"):
        sms.pop(k)
    return {"sms": sms, "http": dict({"listen": "127.0.0.1", "port": str(port)}, **http)}


def sms_gateway_for(server, kannel, port, admins=(), http=None, **options):
    """A gateway (not started) with the echo backend and [sms] for kannel."""
    return Gateway(server, name="sms", admins=admins,
                   sections=sms_sections(server, kannel, port, http, **options))


@pytest.fixture(scope="module")
def sms_gateway(server, kannel, sms_port, sms_options, http_options):
    """The module's gateway, with one admin (gw.admin)."""
    from conftest import serve
    admin = server.make_account(prefix="admin")
    gw = sms_gateway_for(server, kannel, sms_port, admins=[admin[0]], http=http_options,
                         **sms_options)
    gw.admin = admin
    yield from serve(gw)


# -- registration: claiming a number -------------------------------------------
def claim_payload(num, code=None):
    values = {"number": num}
    if code is not None:
        values["code"] = code
    return "<query xmlns='%s'>%s</query>" % (NS_REGISTER, submit_form(values, NS_REGISTER))


def error_text(stanza):
    for el in stanza.xml.iter():
        if el.tag.endswith("}text"):
            return el.text or ""
    return ""


async def request_code(c, kannel, num):
    """First step of a claim: the registration is refused with
    not-acceptable, and a code reaches the number; returns the code."""
    after = sink_mark(kannel)
    r = await c.iq(SMS_COMPONENT, "set", claim_payload(num))
    assert r["type"] == "error", "a claim without a code was accepted: %s" % r
    text = error_text(r)
    assert "A code was texted to %s" % num in text, r
    [m] = await wait_sink(kannel, receiver=num, after=after)
    assert m.sender == SYSTEM_SENDER, m
    found = CODE.search(m.text)
    assert found, "no code in %r" % m.text
    return found.group(1)


async def claim(c, kannel, num):
    """Claim num for c (code texted, then entered); waits for the gateway's
    subscription request, which the client accepts."""
    code = await request_code(c, kannel, num)
    await c.iq_ok(SMS_COMPONENT, "set", claim_payload(num, code), what="claim with the code")
    await c.expect_presence(SMS_COMPONENT, "subscribe",
                            what="subscription request after the claim")


async def sms_user(clients, kannel, num=None, online=True):
    """A fresh user who claimed a fresh number (c.number), logged in."""
    c = await clients.new()
    c.number = num or number()
    await claim(c, kannel, c.number)
    if online:
        c.presence()
        await c.expect_presence(SMS_COMPONENT, None, what="available presence from the SMS gateway")
    return c


# -- webhooks directly -----------------------------------------------------------
def post(port, path, query="", body=b"", method="POST", headers=None):
    """(status, body) of a request to the gateway's webhook server."""
    url = "http://127.0.0.1:%d%s%s" % (port, path, ("?" + query) if query else "")
    req = urllib.request.Request(url, data=body if method == "POST" else None, method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


# -- crash tests ------------------------------------------------------------------------
def owned(gw):
    """For a fixture: yields gw (not started), then stops it with the exit
    checks (a gateway that died on its own fails the test) and removes its
    files."""
    yield gw
    try:
        gw.stop()
    finally:
        gw.cleanup()


def kill9(gw):
    """kill -9 of the gateway on purpose, by its PID (Gateway.kill9)."""
    gw.kill9()


async def in_log(gw, text, timeout=15.0):
    """Waits (bounded) until the gateway's log holds text."""
    await gw.wait_log(re.escape(text), timeout=timeout)
