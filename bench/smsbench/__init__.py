"""The SMS benchmark (bench/sms_bench.py): webhooks to XMPP, XMPP to the provider."""
