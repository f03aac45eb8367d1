"""Shared code for the end-to-end tests: real XMPP servers, the gateway
process and slixmpp clients. See tests/e2e/README.md."""
