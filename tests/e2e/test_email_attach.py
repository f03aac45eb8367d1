"""E-mail attachments: kept on disk next to the store and served by the
core's HTTP listener ([http]) under an unguessable URL, one XEP-0066 oob
element and one body line each; too big ones only named; gone after the
retention (a few seconds here), orphan files too."""
import asyncio
import os
import re
import stat
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from harness.email_gw import email_section, mail  # noqa: F401
from harness.gateway import Gateway
from harness.servers import EMAIL_COMPONENT
from harness.util import free_port
from test_email_delivery import contact, submit, watched_user

NS_OOB = "jabber:x:oob"
MAX_BYTES = 300000
RETENTION_S = 6
URL = re.compile(r"http://127\.0\.0\.1:\d+/email/att/([0-9a-f]{32})/([A-Za-z0-9._-]+)$")


@pytest.fixture(scope="module")
def http_port():
    return free_port()


@pytest.fixture(scope="module")
def email_gateway(server, mail, http_port):  # noqa: F811
    from conftest import serve
    gw = Gateway(server, name="email", sections={
        "email": email_section(server, attachment_max_bytes=MAX_BYTES,
                               attachment_retention_s=RETENTION_S),
        "http": {"listen": "127.0.0.1", "port": str(http_port)},
    })
    yield from serve(gw)


def attach_dir(gw):
    return os.path.join(gw.dir, "email-attachments")


def mail_with(sender, rcpt, parts, text="See the attachment."):
    """parts: [(file name, MIME type, bytes)]."""
    m = MIMEMultipart()
    m["From"] = sender
    m["To"] = rcpt
    m["Subject"] = "files"
    m.attach(MIMEText(text, "plain", "utf-8"))
    for name, ctype, data in parts:
        p = MIMEApplication(data, _subtype=ctype.split("/", 1)[1])
        p.replace_header("Content-Type", ctype)
        p.add_header("Content-Disposition", "attachment", filename=name)
        m.attach(p)
    return m.as_string()


def oobs(msg):
    """[(url, desc)] of the message's jabber:x:oob elements."""
    out = []
    for x in msg.xml.findall("{%s}x" % NS_OOB):
        out.append((x.findtext("{%s}url" % NS_OOB), x.findtext("{%s}desc" % NS_OOB)))
    return out


def get(url):
    """(status, headers, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


async def mail_in(mail, gw, clients, parts, **kw):  # noqa: F811
    """A watched user gets a mail with parts; returns the message."""
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, gw, clients)
    raw = mail_with(bob, addr, parts, **kw)
    await asyncio.get_event_loop().run_in_executor(None, submit, mail, bob, bob_pw, addr, raw)
    return await c.expect_message(contact(bob), what="the mail with attachments", timeout=30)


async def test_attachment_served(server, mail, email_gateway, clients):  # noqa: F811
    data = os.urandom(200 * 1024)
    m = await mail_in(mail, email_gateway, clients,
                      [("report 2026.pdf", "application/pdf", data)])
    [(url, desc)] = oobs(m)
    assert desc == "report 2026.pdf", ET.tostring(m.xml)
    found = URL.match(url)
    assert found and found.group(2) == "report_2026.pdf", url
    assert "Attachment: report 2026.pdf (%d bytes): %s" % (len(data), url) in m["body"], m["body"]
    loop = asyncio.get_event_loop()
    status, headers, body = await loop.run_in_executor(None, get, url)
    assert status == 200, status
    assert body == data, "the bytes served differ (%d of %d)" % (len(body), len(data))
    assert headers["Content-Type"] == "application/pdf", headers
    assert headers["Content-Disposition"] == 'attachment; filename="report_2026.pdf"', headers
    assert headers["X-Content-Type-Options"] == "nosniff", headers
    path = os.path.join(attach_dir(email_gateway), found.group(1))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, oct(os.stat(path).st_mode)
    assert stat.S_IMODE(os.stat(attach_dir(email_gateway)).st_mode) == 0o700
    token = found.group(1)
    wrong = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert (await loop.run_in_executor(None, get, url.replace(token, wrong)))[0] == 404
    assert (await loop.run_in_executor(None, get, url[:-3] + "exe"))[0] == 404


async def test_too_big_not_kept(server, mail, email_gateway, clients):  # noqa: F811
    before = set(os.listdir(attach_dir(email_gateway)))
    m = await mail_in(mail, email_gateway, clients,
                      [("big.bin", "application/octet-stream", os.urandom(MAX_BYTES + 1000))])
    assert oobs(m) == [], ET.tostring(m.xml)
    assert ("Attachment not kept: big.bin (%d bytes) is over the gateway's limit of %d bytes"
            % (MAX_BYTES + 1000, MAX_BYTES)) in m["body"], m["body"]
    assert set(os.listdir(attach_dir(email_gateway))) == before


async def test_two_attachments(server, mail, email_gateway, clients):  # noqa: F811
    one, two = os.urandom(5000), os.urandom(7000)
    m = await mail_in(mail, email_gateway, clients,
                      [("one.png", "image/png", one), ("two.txt", "text/plain", two)])
    found = oobs(m)
    assert [d for _, d in found] == ["one.png", "two.txt"], found
    loop = asyncio.get_event_loop()
    for (url, _), data, ctype in zip(found, (one, two), ("image/png", "text/plain")):
        assert url in m["body"], m["body"]
        status, headers, body = await loop.run_in_executor(None, get, url)
        assert (status, body) == (200, data), (status, len(body))
        assert headers["Content-Type"] == ctype, headers


async def test_retention(server, mail, email_gateway, clients):  # noqa: F811
    orphan = os.path.join(attach_dir(email_gateway), "f" * 32)
    with open(orphan, "wb") as f:
        f.write(b"left by a crash before the commit")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    m = await mail_in(mail, email_gateway, clients, [("a.bin", "application/zip", b"z" * 100)])
    [(url, _)] = oobs(m)
    path = os.path.join(attach_dir(email_gateway), URL.match(url).group(1))
    loop = asyncio.get_event_loop()
    assert (await loop.run_in_executor(None, get, url))[0] == 200
    deadline = time.monotonic() + 3 * RETENTION_S + 5
    while os.path.exists(path) or os.path.exists(orphan):
        assert time.monotonic() < deadline, "still there after %d s: %s %s" % (
            3 * RETENTION_S + 5, os.path.exists(path), os.path.exists(orphan))
        await asyncio.sleep(0.5)
    assert (await loop.run_in_executor(None, get, url))[0] in (404, 410)
