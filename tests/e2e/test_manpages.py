"""The man pages and `make install`: xmpp-gw(8) and xmpp-gw.ini(5) render
without a warning from groff (-wall) and with man -l; the ini page, which
make generates from the option tables, documents exactly the keys of the
README's configuration reference, section by section; the command page
names every option of --help; `make install` puts the binary, both pages,
the systemd unit (pointing at the installed binary) and the sample
configuration under DESTDIR/PREFIX, and a second install keeps an edited
configuration."""
import os
import re
import stat
import subprocess

import pytest

from harness.util import missing, require_gateway, require_tool

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def build_dir():
    return os.path.dirname(require_gateway())


def page(name):
    path = os.path.join(build_dir(), "man", name)
    if not os.path.exists(path):
        missing("man page %s (make builds it)" % path)
    return path


def readme_keys():
    """{section: {key}} of the README's configuration reference (the keys
    of every backend section, jid, secret and port, under "every backend")."""
    text = open(os.path.join(ROOT, "README.md")).read()
    start = text.index("## Configuration reference")
    ref = text[start:text.index("\n## ", start + 5)]
    keys, section = {}, None
    for line in ref.splitlines():
        m = re.match(r"^\|\s*([^|]*?)\s*\|\s*`([a-z0-9_]+)`\s*\|", line)
        if not m:
            continue
        if m.group(1):
            section = m.group(1).strip("`[]")
        keys.setdefault(section, set()).add(m.group(2))
    return keys


def man_keys(path):
    """{section: {key}} of xmpp-gw.ini(5) (.SS [section], then .TP/.B key);
    the BACKEND SECTIONS part under "every backend"."""
    keys, section = {}, None
    lines = open(path).read().splitlines()
    for i, line in enumerate(lines):
        if line == ".SH BACKEND SECTIONS":
            section = "every backend"
        elif line.startswith(".SS ["):
            section = line[5:-1]
        elif line.startswith(".B ") and i and lines[i - 1] == ".TP" and section:
            keys.setdefault(section, set()).add(line[3:])
        elif line.startswith(".SH ") and section == "every backend":
            section = None
    return keys


@pytest.mark.parametrize("name", ["xmpp-gw.8", "xmpp-gw.ini.5"])
def test_page_renders_without_warnings(name):
    path = page(name)
    r = subprocess.run([require_tool("groff"), "-man", "-Tutf8", "-wall", path], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and not r.stderr, "groff -wall on %s:\n%s" % (name, r.stderr)
    env = dict(os.environ, MANPAGER="cat", MANWIDTH="80", LC_ALL="C.UTF-8")
    r = subprocess.run([require_tool("man"), "-l", path], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 0 and "NAME" in r.stdout and "SEE ALSO" in r.stdout, (
        "man -l %s: rc %d\n%s%s" % (name, r.returncode, r.stdout[:500], r.stderr))


def test_ini_page_documents_the_readme_keys():
    want, got = readme_keys(), man_keys(page("xmpp-gw.ini.5"))
    assert set(want) == set(got), "sections: README %s, man page %s" % (
        sorted(want), sorted(got))
    for section in want:
        assert want[section] == got[section], (
            "[%s]: only in the README %s; only in the man page (the option tables) %s"
            % (section, sorted(want[section] - got[section]),
               sorted(got[section] - want[section])))


def test_command_page_names_every_option():
    r = subprocess.run([require_gateway(), "--help"], capture_output=True, text=True,
                       timeout=30)
    options = set(re.findall(r"--([a-z][a-z-]+)", r.stdout))
    assert {"config", "check-config", "version", "help"} <= options, r.stdout
    text = open(page("xmpp-gw.8")).read().replace("\\-", "-")
    for o in options:
        assert "--" + o in text, "xmpp-gw(8) does not document --%s" % o


def test_make_install(tmp_path):
    dest = str(tmp_path / "root")
    build = build_dir()

    def install():
        r = subprocess.run([require_tool("make"), "-s", "-C", ROOT, "install", "DESTDIR=" + dest,
                            "PREFIX=/usr", "BUILD=" + os.path.relpath(build, ROOT)],
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, "make install: rc %d\n%s%s" % (r.returncode, r.stdout,
                                                                  r.stderr)
    install()
    files = {"usr/bin/xmpp-gw": 0o755, "usr/share/man/man8/xmpp-gw.8": 0o644,
             "usr/share/man/man5/xmpp-gw.ini.5": 0o644,
             "usr/lib/systemd/system/xmpp-gw.service": 0o644,
             "usr/share/doc/xmpp-gw/xmpp-gw.ini.example": 0o644,
             "etc/xmpp-gw/xmpp-gw.ini": 0o640}
    for rel, mode in files.items():
        path = os.path.join(dest, rel)
        assert os.path.isfile(path), "make install did not install %s" % rel
        assert stat.S_IMODE(os.stat(path).st_mode) == mode, "%s: mode %o, expected %o" % (
            rel, stat.S_IMODE(os.stat(path).st_mode), mode)
    unit = open(os.path.join(dest, "usr/lib/systemd/system/xmpp-gw.service")).read()
    assert "ExecStart=/usr/bin/xmpp-gw -c /etc/xmpp-gw/xmpp-gw.ini" in unit, unit
    assert "/usr/local/bin" not in unit, unit
    assert "LimitNOFILE=65536" in unit
    r = subprocess.run([os.path.join(dest, "usr/bin/xmpp-gw"), "--version"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("xmpp-gw "), r
    # An edited configuration survives the next install.
    conf = os.path.join(dest, "etc/xmpp-gw/xmpp-gw.ini")
    with open(conf, "a") as f:
        f.write("# edited by the admin\n")
    install()
    assert open(conf).read().endswith("# edited by the admin\n"), "install overwrote the config"
