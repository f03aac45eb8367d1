"""Secrets never reach the gateway's log.

Every gateway the harness runs logs at `debug`, the most the gateway ever
writes. When it stops, its log is searched for every secret it was given:
the values of the configuration keys that are secrets (`secret`, and every
key ending in `password` or `token`), and the values users registered or
set in fields of that kind (`password`, `auth_token`, `sasl_password`,
`contact:...:server_password`, ...), read back from its store. So each test
of the suite that registers a password or configures a token also proves
it was never logged.
"""
import configparser
import re
import sqlite3

SECRET_KEY = re.compile(r"(?:^|[_:./])(?:secret|password|token|auth_token)$")
# Shorter values could occur in a log by chance (the test passwords are
# longer; a real one shorter than this is its owner's problem).
MIN_LEN = 6


def config_secrets(config_path):
    """{"[section] key": value} for the secret keys of an INI file."""
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cp.read(config_path)
    except configparser.Error:
        return {}
    out = {}
    for section in cp.sections():
        for key, value in cp.items(section):
            if SECRET_KEY.search(key) and value:
                out["[%s] %s" % (section, key)] = value
    return out


def store_secrets(store_path):
    """{"registration field key": value} for the secret fields in a store."""
    try:
        db = sqlite3.connect("file:%s?mode=ro" % store_path, uri=True, timeout=5)
    except sqlite3.Error:
        return {}
    out = {}
    try:
        for reg_id, key, value in db.execute("SELECT reg_id, key, value FROM reg_fields"):
            if SECRET_KEY.search(key) and value:
                out["registration %s field %s" % (reg_id, key)] = value
    except sqlite3.Error:
        pass  # no store yet, or not migrated: nothing registered
    finally:
        db.close()
    return out


def leaks(log_text, config_path, store_path):
    """One problem line per secret found in the log, naming where it came
    from and never printing it whole."""
    found = []
    secrets = dict(config_secrets(config_path))
    secrets.update(store_secrets(store_path))
    for where, value in sorted(secrets.items()):
        if len(value) >= MIN_LEN and value in log_text:
            line = next(l for l in log_text.splitlines() if value in l)
            found.append("the log holds the secret %s (%s...): %s"
                         % (where, value[:2], line.replace(value, "<SECRET>")[:200]))
    return found
