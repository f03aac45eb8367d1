"""The twilio driver's webhooks refuse what the provider did not send: a
forged or missing X-Twilio-Signature on an incoming text or on a status
callback gets 403 and changes nothing; the same MessageSid posted again is
delivered once; a text to a number nobody registered is dropped (200); a
malformed form is 400."""
import urllib.parse

from harness.client import q
from harness.sms import number, post, sms_jid, sms_port  # noqa: F401
from harness.sms_twilio import (STATUS_PATH, off_loop, public_url,  # noqa: F401
                                signed_headers, twilio, twilio_gateway, twilio_options,
                                twilio_user, wait_messages)
from test_sms_kannel_receipts import NS_RECEIPTS, is_receipt, with_receipt

async def test_forged_incoming_refused(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    for mode in ("forged", "missing", "literal:0/KCTR6DLpKmkAf8muzZqo1nDgQ="):
        rec = await off_loop(twilio.inbound, bob, c.number, "forged %s" % mode, signature=mode)
        assert [a["status"] for a in rec["attempts"]] == [403], (mode, rec)
    # Signed over another URL than the one requested.
    rec = await off_loop(twilio.inbound, bob, c.number, "other url",
                         sign_url=public_url(sms_port) + "/twilio/sms?x=1")
    assert [a["status"] for a in rec["attempts"]] == [403], rec
    await c.expect_none(lambda st: st["body"] and str(st["from"].bare) == sms_jid(bob),
                        "a text with a bad signature", 1.0)
    # The same text, signed, is taken: nothing was marked seen by the forgeries.
    rec = await off_loop(twilio.inbound, bob, c.number, "signed", message_sid=rec["message_sid"])
    assert [a["status"] for a in rec["attempts"]] == [200], rec
    await c.expect_message(sms_jid(bob), "signed")


async def test_forged_status_refused(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    await off_loop(twilio.set_outcome, bob, "none")
    with_receipt(c, sms_jid(bob), "receipt please", "fs-1")
    [sent] = await wait_messages(twilio, to=bob)
    url = sent["status_callback"]
    params = {"MessageSid": sent["sid"], "MessageStatus": "delivered",
              "AccountSid": c.account.sid, "To": bob, "From": c.number}
    body = urllib.parse.urlencode(params).encode()
    path_query = url[len(public_url(sms_port)):]
    path, query = path_query.split("?", 1)
    for headers in (signed_headers("f" * 32, url, params),
                    {"Content-Type": "application/x-www-form-urlencoded"}):
        status, _ = post(sms_port, path, query, body, headers=headers)
        assert status == 403, headers
    await c.expect_none(is_receipt, "a receipt from a forged status callback", 1.0)
    # The provider's own callback still works: the text was not touched.
    rec = await off_loop(twilio.push_status, sent["sid"], "delivered")
    assert rec["status"] == 200, rec
    got = await c.expect(is_receipt, "the receipt for fs-1")
    assert got.xml.find(q(NS_RECEIPTS, "received")).get("id") == "fs-1", got


async def test_duplicate_message_sid_once(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    rec = await off_loop(twilio.inbound, bob, c.number, "only once", repeat=3)
    assert [a["status"] for a in rec["attempts"]] == [200, 200, 200], rec
    await c.expect_message(sms_jid(bob), "only once")
    await c.expect_none(lambda st: st["body"] == "only once", "a second copy", 1.5)


async def test_unknown_number_and_malformed(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    nobody = number()
    rec = await off_loop(twilio.inbound, number(), nobody, "to nobody", account=c.account.sid,
                         url=public_url(sms_port) + "/twilio/sms")
    assert [a["status"] for a in rec["attempts"]] == [403], rec
    # unsigned: refused from the headers, before the body is read
    status, _ = post(sms_port, "/twilio/sms", body=b"Body=%zz",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    # signed (wrongly), so that the body is read: what cannot be a text is 400
    form = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"}
    status, _ = post(sms_port, "/twilio/sms", body=b"Body=%zz", headers=form)
    assert status == 400
    status, _ = post(sms_port, "/twilio/sms", body=b"Body=no+addresses", headers=form)
    assert status == 400
    status, _ = post(sms_port, STATUS_PATH, body=b"MessageStatus=delivered", headers=form)
    assert status == 400
    status, _ = post(sms_port, "/twilio/sms", method="GET")
    assert status == 405


async def test_webhook_does_not_tell_which_numbers_are_registered(server, twilio_gateway, twilio,
                                                                  clients, sms_port):
    """An unsigned text to a registered number and one to a number nobody
    has get the same answer: status, type and body."""
    c = await twilio_user(clients, twilio, sms_port)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answers = []
    for to in (c.number, number()):
        body = ("MessageSid=SMprobe%s&From=%%2B15550009999&To=%s&Body=probe"
                % (to.strip("+"), to.replace("+", "%2B"))).encode()
        answers.append(post(sms_port, "/twilio/sms", body=body, headers=form))
    assert answers[0][0] == 403, answers
    assert answers[0] == answers[1], "registered %r, unknown %r" % tuple(answers)
    await c.expect_none(lambda st: st["body"] == "probe", "the unsigned text", 1.0)
