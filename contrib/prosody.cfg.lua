-- xmpp-gw: declarations for Prosody (0.12 or later).
--
-- xmpp-gw is an XEP-0114 external component: it connects to Prosody's
-- component port and authenticates with a shared secret. Add the lines
-- below to /etc/prosody/prosody.cfg.lua (or a file under conf.d/).
--
-- 1. In the global section (before any VirtualHost or Component line):
--    the port xmpp-gw connects to. Keep it on loopback unless the gateway
--    runs on another machine; the handshake is not encrypted.
component_ports = { 5347 }
component_interfaces = { "127.0.0.1" }

-- 2. One Component block per backend. The name is the gateway's domain
--    (the "jid" of its section in xmpp-gw.ini) and must resolve for remote
--    servers if users from other domains should reach it. The secret is the
--    "secret" of the same section: use a long random string, for example
--    the output of `openssl rand -hex 32`.
Component "irc.example.org"
    component_secret = "change-me"

Component "sms.example.org"
    component_secret = "change-me"

-- 3. Reload Prosody (prosodyctl reload) and start xmpp-gw.
