"""A private certificate authority for the TLS tests, made with the openssl
CLI in a temp dir: a CA certificate (`TestCA.cert`, the file to trust, e.g.
through SSL_CERT_FILE, which OpenSSL's default verify paths read) and leaf
certificates it signs for the names a test asks for (`leaf()`).

A test that trusts the CA and dials a server holding `leaf("localhost")`
must be accepted; one holding `leaf("other.example")` is signed by the same
trusted CA, so only the name check can refuse it."""
import ipaddress
import os
import shutil
import subprocess
import tempfile

import pytest

from .util import require_tool


def _run(args, what):
    r = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("openssl could not %s:\n%s" % (what, r.stdout.decode("utf-8", "replace")))


def _san(name):
    """subjectAltName for a DNS name or an IP address; localhost also gets
    127.0.0.1, the address it resolves to on this machine."""
    try:
        ipaddress.ip_address(name)
        return "IP:%s" % name
    except ValueError:
        pass
    return "DNS:%s" % name + (",IP:127.0.0.1" if name == "localhost" else "")


class TestCA:
    """A CA key and self-signed CA certificate under dir_ (created on
    construction); `leaf(name)` signs a server certificate for name."""

    __test__ = False  # not a pytest class

    def __init__(self, dir_):
        self.openssl = require_tool("openssl")
        self.dir = dir_
        os.makedirs(dir_, exist_ok=True)
        self.cert = os.path.join(dir_, "ca.pem")
        self.key = os.path.join(dir_, "ca-key.pem")
        _run([self.openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
              "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-keyout", self.key,
              "-out", self.cert, "-subj", "/CN=xmpp-gw test CA",
              "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign"], "make a test CA")

    def leaf(self, name):
        """A server certificate for `name` (CN and subjectAltName) signed by
        this CA; returns (cert path, key path)."""
        stem = os.path.join(self.dir, name.replace(":", "_"))
        cert, key, csr, ext = (stem + s for s in (".pem", "-key.pem", ".csr", ".ext"))
        with open(ext, "w") as f:
            f.write("basicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=serverAuth\n"
                    "subjectAltName=%s\n" % _san(name))
        _run([self.openssl, "req", "-new", "-newkey", "ec", "-pkeyopt",
              "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr,
              "-subj", "/CN=%s" % name], "make a key and request for %s" % name)
        _run([self.openssl, "x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
              "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert],
             "sign the certificate for %s" % name)
        _run([self.openssl, "verify", "-CAfile", self.cert, cert],
             "verify the certificate for %s against the test CA" % name)
        return cert, key


# -- fixtures a test module imports ------------------------------------------------
@pytest.fixture(scope="module")
def ca():
    """The test CA, in its own temp dir (removed after the module)."""
    dir_ = tempfile.mkdtemp(prefix="xgw-ca-")
    yield TestCA(dir_)
    shutil.rmtree(dir_, ignore_errors=True)


@pytest.fixture
def trust_ca(ca, monkeypatch):
    """The gateways this test starts trust the test CA and no other:
    SSL_CERT_FILE is the CA, SSL_CERT_DIR a directory with no hashed certs."""
    monkeypatch.setenv("SSL_CERT_FILE", ca.cert)
    monkeypatch.setenv("SSL_CERT_DIR", ca.dir)
