"""The control endpoints of the Twilio-style provider simulator: JSON
under /_sim/, no auth (it listens on loopback only). A mixin of
twilio_sim.Handler; the endpoints are documented in
tests/e2e/harness/twilio.py, whose client wraps each of them.

GET /_sim/NAME?field=value filters a list by a record's field (compared as
a string). A bad request gets 400 {"error": "..."}, an unknown endpoint 404.
"""
import json
import urllib.parse

from twilio_state import FAIL_CODES, OUTCOMES, ControlError, jsonable


class Control:
    def _control(self, url, raw):
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        try:
            try:
                o = json.loads(raw.decode("utf-8")) if raw.strip() else {}
            except (UnicodeDecodeError, ValueError) as e:
                raise ControlError("the body is not JSON: %s" % e)
            if not isinstance(o, dict):
                raise ControlError("the body must be a JSON object")
            name = url.path[len("/_sim/"):].strip("/").replace("/", "_")
            fn = getattr(self, "_c_%s_%s" % (self.command.lower(), name), None)
            if fn is None:
                self._reply(404, {"error": "no control endpoint %s %s" % (self.command,
                                                                         url.path)})
                return
            status, body = fn(o, q)
        except ControlError as e:
            status, body = 400, {"error": str(e)}
        except (TypeError, ValueError, KeyError) as e:
            status, body = 400, {"error": "%s: %s" % (type(e).__name__, e)}
        with self.sim.lock:  # records still change while callbacks run
            body = jsonable(body)
        self._reply(status, body)

    def _c_get_health(self, o, q):
        return 200, {"ok": True, "port": self.server.server_address[1]}

    def _c_get_accounts(self, o, q):
        with self.sim.lock:
            return 200, [self.sim.account_view(a) for a in self.sim.accounts.values()]

    def _c_post_accounts(self, o, q):
        return 200, self.sim.add_account(o)

    def _c_post_reset(self, o, q):
        self.sim.reset(keep_accounts=bool(o.get("keep_accounts")))
        return 200, {"ok": True}

    def _c_get_state(self, o, q):
        s = self.sim
        with s.lock:
            return 200, dict(
                accounts=[s.account_view(a) for a in s.accounts.values()],
                opt_outs=sorted(s.opt_outs), outcomes=s.outcomes, forced=s.forced,
                rate_limit=dict(rate=s.rate, burst=s.burst, accounts={
                    k: dict(rate=r, burst=b) for k, (r, b) in s.account_rates.items()}),
                callback_delay=s.callback_delay, rewrite=s.rewrite,
                counts=dict(messages=len(s.messages), requests=len(s.requests),
                            callbacks=len(s.callbacks), inbound=len(s.inbound)))

    def _c_post_optout(self, o, q):
        nums = o.get("numbers") or []
        with self.sim.lock:
            if o.get("opted_out", True):
                self.sim.opt_outs.update(nums)
            else:
                self.sim.opt_outs.difference_update(nums)
            return 200, {"opt_outs": sorted(self.sim.opt_outs)}

    def _c_post_outcome(self, o, q):
        to = o.get("to")
        if not to:
            raise ControlError("outcome: 'to' is required")
        out = {k: o[k] for k in ("outcome", "statuses", "error_code", "delay")
               if o.get(k) is not None}
        if out.get("outcome", "delivered") not in OUTCOMES:
            raise ControlError("outcome: one of %s" % ", ".join(OUTCOMES))
        with self.sim.lock:
            if o.get("clear"):
                self.sim.outcomes.pop(to, None)
            else:
                self.sim.outcomes[to] = out
            return 200, {"outcomes": self.sim.outcomes}

    def _c_post_ratelimit(self, o, q):
        rate = float(o.get("rate") or 0)
        burst = o.get("burst")
        with self.sim.lock:
            if o.get("account"):
                self.sim.account_rates[o["account"]] = (rate, burst)
            else:
                self.sim.rate, self.sim.burst = rate, burst
            self.sim.buckets.clear()
        return 200, {"ok": True}

    def _c_post_force(self, o, q):
        st = o.get("status")
        if st not in (None, "drop") and not (isinstance(st, int) and 400 <= st <= 599):
            raise ControlError("force: status is an HTTP error status, \"drop\" or null")
        f = dict(status=st, count=int(o.get("count", 1)), endpoint=o.get("endpoint", "messages"),
                 account=o.get("account"), retry_after=o.get("retry_after"),
                 code=o.get("code"), message=o.get("message"), accept=bool(o.get("accept")),
                 delay=o.get("delay"))
        if f["endpoint"] not in ("messages", "message", "account", "numbers", "any"):
            raise ControlError("force: endpoint is messages, message, account, numbers or any")
        with self.sim.lock:
            self.sim.forced.append(f)
            return 200, {"forced": self.sim.forced}

    def _c_post_config(self, o, q):
        with self.sim.lock:
            if "callback_delay" in o:
                self.sim.callback_delay = float(o["callback_delay"])
            if "rewrite" in o:
                self.sim.rewrite = dict(o["rewrite"] or {})
        return self._c_get_state(o, q)

    def _c_get_messages(self, o, q):
        with self.sim.lock:
            rows = [self.sim.messages[s] for s in self.sim.message_order]
            rows = [m for m in rows if all(str(m.get(k)) == v for k, v in q.items())]
        return 200, rows

    def _c_get_requests(self, o, q):
        with self.sim.lock:
            return 200, [r for r in self.sim.requests
                         if all(str(r.get(k)) == v for k, v in q.items())]

    def _c_get_callbacks(self, o, q):
        with self.sim.lock:
            return 200, [c for c in self.sim.callbacks
                         if all(str(c.get(k)) == v for k, v in q.items())]

    def _c_get_inbound(self, o, q):
        with self.sim.lock:
            return 200, [i for i in self.sim.inbound
                         if all(str(i.get(k)) == v for k, v in q.items())]

    def _c_post_inbound(self, o, q):
        rec = self.sim.make_inbound(o)
        if o.get("wait", True):
            return 200, self.sim.deliver_inbound(rec)
        self.sim.pool.submit(self.sim.deliver_inbound, rec)
        return 202, rec

    def _c_post_status(self, o, q):
        with self.sim.lock:
            msg = self.sim.messages.get(o.get("sid"))
        if msg is None:
            raise ControlError("status: no message %r" % o.get("sid"))
        st = o.get("status")
        if not st:
            raise ControlError("status: 'status' is required")
        code = o.get("error_code", FAIL_CODES.get(st))
        self.sim.set_status(msg["sid"], st, code)
        url = o.get("url") or msg["status_callback"]
        if not url:
            return 200, {"sent": False}
        return 200, self.sim.status_callback(msg, st, code, url)
