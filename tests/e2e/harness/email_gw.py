"""The e-mail backend in scenarios: a private mail stack (harness/mail.py),
a gateway with an [email] section, and registering a mailbox.

Module fixtures (import them into a test module): `mail` (the stack, one
per module), `email_options` (more [email] keys; a module overrides it),
`email_gateway` (one gateway per module, with the echo backend and
[email])."""
import pytest

from .client import NS_REGISTER, error_condition, form_fields, form_of, payload, q, submit_form
from .gateway import Gateway
from .mail import MailStack
from .servers import EMAIL_COMPONENT


def email_section(server, **over):
    keys = {
        "jid": EMAIL_COMPONENT,
        "secret": server.secret,
        "allowed_hosts": "127.0.0.1",
        "connect_timeout_s": "3",
        "verify_timeout_s": "5",
    }
    keys.update({k: str(v) for k, v in over.items()})
    return keys


@pytest.fixture(scope="module")
def mail():
    m = MailStack().start()
    yield m
    m.cleanup()


@pytest.fixture(scope="module")
def email_options():
    return {}


@pytest.fixture(scope="module")
def email_gateway(server, mail, email_options):
    from conftest import serve
    gw = Gateway(server, name="email", sections={"email": email_section(server, **email_options)})
    yield from serve(gw)


def email_gateway_for(server, **options):
    """A gateway (not started) with the echo backend and [email]."""
    return Gateway(server, name="email", sections={"email": email_section(server, **options)})


def mailbox_values(mail, addr, password, **over):
    """A registration of addr on the stack's plaintext listeners."""
    values = {
        "address": addr,
        "imap_host": "127.0.0.1",
        "imap_port": str(mail.imap_port),
        "imap_security": "none",
        "smtp_host": "127.0.0.1",
        "smtp_port": str(mail.smtp_port),
        "smtp_security": "none",
        "password": password,
    }
    values.update({k: str(v) for k, v in over.items()})
    return values


def register_payload(values):
    return "<query xmlns='%s'>%s</query>" % (NS_REGISTER, submit_form(values, NS_REGISTER))


async def registration(c):
    """(registered?, {var: value}) of c's registration with the gateway."""
    r = await c.iq_ok(EMAIL_COMPONENT, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    query = payload(r, NS_REGISTER, "query")
    fields = form_fields(form_of(query))
    values = {k: (v["values"] or [""])[0] for k, v in fields.items()}
    return query.find(q(NS_REGISTER, "registered")) is not None, values


def error_text(stanza):
    for el in stanza.xml.iter():
        if el.tag.endswith("}text"):
            return el.text or ""
    return ""


async def refused(c, values, condition, what):
    """Registers with values, asserts the error condition; returns its text."""
    r = await c.iq(EMAIL_COMPONENT, "set", register_payload(values), timeout=20)
    assert r["type"] == "error", "%s: registered:\n%s" % (what, r)
    assert error_condition(r) == condition, "%s: expected %s, got:\n%s" % (what, condition, r)
    return error_text(r)
