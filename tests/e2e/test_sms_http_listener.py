"""The SMS webhooks on the core's HTTP listener configured in [http] (no
address keys in [sms]): the scenarios of test_sms_kannel.py again, Kannel
posting to the shared listener and the gateway's Kannel URLs built from
[http]'s address."""
import pytest

from harness.sms import kannel, sms_gateway, sms_options, sms_port  # noqa: F401
from test_sms_kannel import (test_concatenated_and_over_the_cap, test_oob_link_appended,  # noqa: F401
                             test_short_code_cannot_be_texted, test_text_out_and_in,
                             test_ucs2_both_ways)


@pytest.fixture(scope="module")
def http_options():
    return {"read_timeout_s": "5"}


async def test_listener_from_http_section(sms_gateway, sms_port):
    """The listener is [http]'s, and nothing is said of deprecated keys."""
    log = sms_gateway.log_text()
    assert "[http] listening on 127.0.0.1 port %d" % sms_port in log, log
    assert "deprecated" not in log, log
