"""The private mail stack itself (harness/mail.py): a mail submitted with
AUTH reaches the recipient's maildir through Dovecot's LDA, a wrong password
gets 535, an unknown recipient 550, and Dovecot takes IMAP logins. The
e-mail tests rely on each of these."""
import imaplib
import smtplib

import pytest

from harness.email_gw import mail  # noqa: F401
from harness.util import wait_until


def test_submission_delivers(mail):
    alice, apw = mail.add_user("a")
    bob, _ = mail.add_user("b")
    with smtplib.SMTP("127.0.0.1", mail.smtp_port, timeout=10) as s:
        s.login(alice, apw)
        s.sendmail(alice, [bob], "From: %s\r\nTo: %s\r\nSubject: hi\r\n\r\nhello\r\n"
                   % (alice, bob))
        with pytest.raises(smtplib.SMTPRecipientsRefused) as e:
            s.sendmail(alice, ["nobody@example.test"], "Subject: x\r\n\r\nx\r\n")
        assert e.value.recipients["nobody@example.test"][0] == 550
    wait_until(lambda: mail.maildir_new(bob), 10, "the mail in %s's maildir" % bob)
    assert mail.smtp_auths(alice)


def test_wrong_password_refused(mail):
    alice, apw = mail.add_user("a")
    with smtplib.SMTP("127.0.0.1", mail.smtp_port, timeout=10) as s:
        with pytest.raises(smtplib.SMTPAuthenticationError) as e:
            s.login(alice, apw + "x")
        assert e.value.smtp_code == 535
    assert mail.smtp_auths(alice, ok=False)


def test_imap_login(mail):
    alice, apw = mail.add_user("a")
    m = imaplib.IMAP4("127.0.0.1", mail.imap_port, timeout=10)
    with pytest.raises(imaplib.IMAP4.error):
        m.login(alice, apw + "x")
    m.login(alice, apw)
    typ, data = m.select("INBOX")
    assert typ == "OK", data
    m.logout()
    assert mail.imap_logins(alice)
