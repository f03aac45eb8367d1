"""Harness smoke test for InspIRCd 3 + Atheme (the servers of the SASL
tests): both start and link, NickServ registers an account, and a raw
client logs in with SASL PLAIN (903); a wrong password gets 904."""
from harness.ircclient import fresh_nick
from harness.ircd import InspircdAtheme, sasl_plain


def test_nickserv_account_and_sasl_plain():
    net = InspircdAtheme().start()
    try:
        account = net.register_account(fresh_nick("acct"), "pw-sasl-123")
        numeric, seen = sasl_plain(net.port, fresh_nick("s"), account, "pw-sasl-123")
        assert numeric == "903", "SASL PLAIN for %s ended with %s:\n%s" % (
            account, numeric, "\n".join(seen[-10:]))
        numeric, seen = sasl_plain(net.port, fresh_nick("s"), account, "wrong-password")
        assert numeric == "904", "SASL PLAIN with a wrong password ended with %s:\n%s" % (
            numeric, "\n".join(seen[-10:]))
    except BaseException:
        print(net.diagnostics())
        raise
    finally:
        net.cleanup()
