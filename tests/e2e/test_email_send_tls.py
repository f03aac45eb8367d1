"""Mail from the user over the registration's security: with
smtp_security = starttls the submission is secured with STARTTLS before
the login (the test server's certificate is self-signed, so this gateway
runs with tls_verify = false), and the mail arrives."""
import asyncio
import email
import email.policy

import pytest

from harness.email_gw import email_gateway, mail, mailbox_values, register_payload  # noqa: F401
from harness.servers import EMAIL_COMPONENT
from test_email_send import contact, delivered, no_faults, send  # noqa: F401


@pytest.fixture(scope="module")
def email_options():
    return {"tls_verify": "false"}


async def test_sent_over_starttls(server, mail, email_gateway, clients):
    c = await clients.new()
    addr, pw = mail.add_user("s")
    bob, _ = mail.add_user("b")
    await c.iq_ok(EMAIL_COMPONENT, "set",
                  register_payload(mailbox_values(mail, addr, pw, imap_security="starttls",
                                                  smtp_security="starttls")),
                  what="registration", timeout=20)
    await c.expect_presence(EMAIL_COMPONENT, "subscribe")
    c.presence()
    await c.expect_presence(EMAIL_COMPONENT, None, what="the gateway online (login)")
    send(c, contact(bob), "over TLS", "tls-1", subject="secured")
    loop = asyncio.get_event_loop()
    raw = (await loop.run_in_executor(None, delivered, mail, bob))[0]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "secured" and msg["From"] == addr, raw
    # the SMTP server took the mail on a TLS session
    assert "MAIL over TLS %s" % addr in mail.smtpd.log_text().splitlines(), mail.smtpd.log_text()
