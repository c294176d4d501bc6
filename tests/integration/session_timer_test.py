#!/usr/bin/env python3
"""RFC 4028 session timers in smc-proxy, checked on the wire with real sipp peers.

  session_timer_test.py --proxy BIN --source-dir DIR --workdir DIR TEST

The trunks "pbx" and "carrier" of smc_proxy_test.py, with a `session_timer` policy on one
of them. Every test but `bye_expiry_real_time` runs the proxy with
--session-timer-clock-scale 10 (docs/session-timers.md): the enforcer's clock runs ten times
faster, so a 90 s session interval ends after 9 s of real time, while the messages, and what
the sipp scenarios do and when, are real. Times are read from sipp's message logs.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from harness import LOOPBACK, Proxy, Sipp, check, run_tests, wait_until
from smc_proxy_test import Net, config, one, requests, responses

SCALE = 10
HALVE = "library/halve-session-expires.json"


def timer_config(env, net, trunk, policy, **kwargs):
    """The two-trunk configuration with `policy` as `trunk`'s session_timer."""
    cfg = config(env, net, **kwargs)
    for t in cfg["trunks"]:
        if t["name"] == trunk:
            t["session_timer"] = policy
    return cfg


def start_proxy(env, cfg, scale=SCALE, name="proxy"):
    extra = ["--session-timer-clock-scale", str(scale)] if scale != 1 else []
    return Proxy(env, name, cfg, extra_args=extra).start()


def st_metric(proxy, name):
    return proxy.metric("smc_session_timer_" + name)


def first(msgs, what, predicate):
    found = [m for m in msgs if predicate(m)]
    check(found, "expected %s, saw none" % what)
    return found[0]


def start_pair(env, net, name, uac_scenario, uas_scenario, timeout=45, uac_extra=()):
    """The called trunk's sipp (listening), then the calling one's: pbx calls carrier.
    `timeout`: each sipp's own bound, in seconds."""
    uas = Sipp(env, name + "_carrier_uas", uas_scenario, net.carrier, timeout=timeout).start()
    uas.wait_listening()
    uac = Sipp(env, name + "_pbx_uac", uac_scenario, net.pbx, remote=net.proxy_addr,
               timeout=timeout, extra=list(uac_extra)).start()
    return uac, uas


def finish_pair(uac, uas):
    uac.wait()
    uas.wait()
    uac.expect_success()
    uas.expect_success()


# --- tests ---------------------------------------------------------------------------

def test_reject_422_then_retry(env):
    """SE 90 with Supported: timer gets 422 + Min-SE 1800 from the caller's trunk policy; the
    retry with SE and Min-SE 1800 connects and is tracked."""
    net = Net(env)
    proxy = start_proxy(env, timer_config(env, net, "pbx", {"enabled": True, "min_se": 1800}))
    uac, uas = start_pair(env, net, "st422", "uac_st_422_retry.xml", "uas_call.xml")
    wait_until(lambda: st_metric(proxy, "sessions") == 1, 10,
               what="the retry's session to be tracked")
    finish_pair(uac, uas)

    invites = requests(uas.messages(), "INVITE")
    check(len(invites) == 1, "only the retry may reach the carrier; it saw %d INVITEs"
          % len(invites))
    check(invites[0].cseq_number == 2 and invites[0].one("session-expires") == "1800" and
          invites[0].one("min-se") == "1800",
          "the retry should pass unchanged (CSeq 2, SE 1800, Min-SE 1800): %r / %r / %r"
          % (invites[0].one("cseq"), invites[0].one("session-expires"),
             invites[0].one("min-se")))
    r422 = first(responses(uac.messages()), "the 422", lambda m: m.status == 422)
    check(r422.cseq_number == 1, "the 422 answers the first INVITE: %r" % r422.one("cseq"))
    check(st_metric(proxy, "rejected_total") == 1,
          "one 422 should be counted, counter says %s" % st_metric(proxy, "rejected_total"))
    check(proxy.metric("smc_local_replies_total", code="422") == 1,
          "the 422 is one of the proxy's own answers")
    # The caller's BYE ended the tracking.
    wait_until(lambda: st_metric(proxy, "sessions") == 0, 5, what="the sessions gauge at 0")
    check(st_metric(proxy, "expired_total") == 0, "nothing may expire")


def check_expiry_byes(net, uac, uas, interval):
    """The proxy's BYEs of uac_st_expire.xml / uas_st_expire.xml: one to each side, no
    earlier than `interval` (real seconds) after the callee sent its 200, each as the other
    side would have sent it."""
    at_caller, at_callee = uac.messages(), uas.messages()
    invite = one(requests(at_callee, "INVITE"), "the INVITE at the callee")
    ok = first(at_callee, "the callee's 200", lambda m: m.direction == "sent" and
               not m.is_request and m.status == 200 and m.cseq_method == "INVITE")
    caller_invite = one(requests(at_caller, "INVITE", "sent"), "the caller's INVITE")
    reason = 'SIP;cause=408;text="Session timer expired"'
    expected = {
        "callee": dict(msgs=at_callee, uri=ok.one("contact").strip("<>"),
                       route=["<sip:downstream-proxy@%s:%d;lr>" % (LOOPBACK, net.carrier)],
                       cseq="3 BYE", from_=invite.one("from"), to=ok.one("to")),
        "caller": dict(msgs=at_caller, uri=caller_invite.one("contact").strip("<>"),
                       route=["<sip:upstream-proxy@%s:%d;lr>" % (LOOPBACK, net.pbx)],
                       cseq="8 BYE", from_=ok.one("to"), to=caller_invite.one("from")),
    }
    for side, want in expected.items():
        byes = requests(want["msgs"], "BYE")
        check(len(byes) == 1, "the %s should get one BYE, got %d" % (side, len(byes)))
        bye = byes[0]
        waited = bye.time - ok.time
        check(waited >= interval, "the BYE to the %s came %.3f s after the 200, before the "
              "session interval (%.1f s)" % (side, waited, interval))
        uri = bye.start_line.split()[1]
        checks = [("Request-URI", uri, want["uri"]), ("Route", bye.elements("route"),
                                                      want["route"]),
                  ("CSeq", bye.one("cseq"), want["cseq"]), ("From", bye.one("from"),
                                                           want["from_"]),
                  ("To", bye.one("to"), want["to"]), ("Call-ID", bye.call_id, invite.call_id),
                  ("Reason", bye.one("reason"), reason)]
        for what, got, wanted in checks:
            check(got == wanted, "the BYE to the %s: %s should be %r, is %r"
                  % (side, what, wanted, got))
        check(bye.elements("via")[0].startswith("SIP/2.0/UDP %s;" % net.proxy_addr),
              "the BYE to the %s should come from the proxy: %r" % (side, bye.elements("via")))
        print("BYE to the %s %.3f s after the 200" % (side, waited))


def test_bye_expiry_real_time(env):
    """on_expiry bye, SE 90, nobody refreshes, real time (no clock scaling): both sides get a
    BYE >= 90 s after the 200, with their route set, Request-URI, a CSeq above the last they
    saw and a Reason. The policy is on the called trunk only: it governs the call."""
    net = Net(env)
    policy = {"enabled": True, "min_se": 90, "on_expiry": "bye"}
    proxy = start_proxy(env, timer_config(env, net, "carrier", policy), scale=1)
    uac, uas = start_pair(env, net, "bye", "uac_st_expire.xml", "uas_st_expire.xml",
                          timeout=170, uac_extra=["-key", "carrier_port", str(net.carrier)])
    wait_until(lambda: st_metric(proxy, "sessions") == 1, 10, what="a tracked session")
    finish_pair(uac, uas)
    check_expiry_byes(net, uac, uas, 90)
    wait_until(lambda: st_metric(proxy, "sessions") == 0, 5, what="the sessions gauge at 0")
    check(st_metric(proxy, "expired_total") == 1 and st_metric(proxy, "byes_total") == 2,
          "one expiry and two BYEs should be counted: expired %s, byes %s"
          % (st_metric(proxy, "expired_total"), st_metric(proxy, "byes_total")))


def test_forget_expiry(env):
    """on_expiry forget (the RFC 4028 proxy): at expiry nothing is sent, the state is dropped
    and counted; the call's own BYE later passes as any request. Also: the caller's SE 1800
    is lowered to the policy's max_session_expires 90, which the callee then grants."""
    net = Net(env)
    policy = {"enabled": True, "min_se": 90, "max_session_expires": 90, "on_expiry": "forget"}
    proxy = start_proxy(env, timer_config(env, net, "pbx", policy))
    hold = 13  # real seconds between the ACK and the caller's BYE: past the 9 s interval
    uac, uas = start_pair(env, net, "forget", "uac_call.xml", "uas_st_echo.xml",
                          uac_extra=["-d", str(hold * 1000)])
    wait_until(lambda: st_metric(proxy, "sessions") == 1, 10, what="a tracked session")
    wait_until(lambda: st_metric(proxy, "expired_total") == 1 and
               st_metric(proxy, "sessions") == 0, hold + 2,
               what="the session to expire (and the gauge to drop to 0) before the BYE")
    check(uac.proc.poll() is None, "the call should still be up at expiry")
    finish_pair(uac, uas)

    invite = one(requests(uas.messages(), "INVITE"), "the INVITE at the callee")
    check(invite.one("session-expires") == "90;refresher=uac",
          "the caller's 1800 should be lowered to 90: %r" % invite.one("session-expires"))
    for side, run in (("caller", uac), ("callee", uas)):
        got = requests(run.messages(), "BYE")
        check(all(m.one("reason") is None for m in got),
              "in forget mode the proxy sends no BYE; the %s got %r" % (side, got))
    check(len(requests(uas.messages(), "BYE")) == 1, "the callee gets the caller's BYE only")
    for name, want in (("byes_total", 0), ("lowered_total", 1), ("pending", 0),
                       ("sessions", 0), ("expired_total", 1)):
        check(st_metric(proxy, name) == want, "smc_session_timer_%s should be %s, is %s"
              % (name, want, st_metric(proxy, name)))


def test_refresh_by_update(env):
    """The callee, as refresher, refreshes by UPDATE at half the interval (4.5 s of a 9 s
    scaled interval): the call stays up past two intervals, the proxy sends no BYE although
    its policy says bye, every UPDATE's 200 passes with its Session-Expires, and each
    refresh is counted."""
    net = Net(env)
    policy = {"enabled": True, "min_se": 90, "on_expiry": "bye"}
    proxy = start_proxy(env, timer_config(env, net, "carrier", policy))
    uac, uas = start_pair(env, net, "refresh", "uac_st_refreshed.xml", "uas_st_refresher.xml")
    finish_pair(uac, uas)

    at_caller, at_callee = uac.messages(), uas.messages()
    ok = first(at_callee, "the callee's 200", lambda m: m.direction == "sent" and
               not m.is_request and m.status == 200 and m.cseq_method == "INVITE")
    bye = one(requests(at_callee, "BYE"), "the caller's BYE at the callee")
    check(bye.time - ok.time > 2 * 90 / SCALE,
          "the call should last past two session intervals (%.1f s), lasted %.1f s"
          % (2 * 90 / SCALE, bye.time - ok.time))
    check(bye.one("reason") is None and bye.cseq_number == 2,
          "the only BYE should be the caller's own (CSeq 2, no Reason): %r" % bye.headers)
    check(requests(at_caller, "BYE") == [], "the caller must get no BYE")
    updates = requests(at_caller, "UPDATE")
    oks = [m for m in responses(at_callee) if m.cseq_method == "UPDATE" and m.status == 200]
    check(len(updates) == 4 and len(oks) == 4,
          "4 UPDATEs should reach the caller and 4 200s the callee: %d, %d"
          % (len(updates), len(oks)))
    for name, want in (("refreshed_total", 4), ("expired_total", 0), ("byes_total", 0),
                       ("rejected_total", 0), ("sessions", 0)):
        check(st_metric(proxy, name) == want, "smc_session_timer_%s should be %s, is %s"
              % (name, want, st_metric(proxy, name)))


def test_halved_session_expires(env):
    """The caller's trunk halves Session-Expires in 2xx (its egress profile): the callee
    grants 180, the caller is shown 90 and refreshes once at half of that, then stops. The
    proxy waits out the longer interval both endpoints were shown: no BYE at 9 s (the
    halved interval, scaled), where the callee still considers the call alive; BYEs to both
    sides at 18 s (the full one) after the refresh's 200."""
    net = Net(env)
    policy = {"enabled": True, "min_se": 90, "on_expiry": "bye"}
    proxy = start_proxy(env, timer_config(env, net, "pbx", policy, pbx_egress=[HALVE]))
    uac, uas = start_pair(env, net, "halved", "uac_st_halved.xml", "uas_st_halved.xml")
    finish_pair(uac, uas)

    at_caller, at_callee = uac.messages(), uas.messages()
    refreshed = first(at_callee, "the callee's 200 to the UPDATE",
                      lambda m: m.direction == "sent" and not m.is_request and
                      m.status == 200 and m.cseq_method == "UPDATE")
    full, halved = 180 / SCALE, 90 / SCALE
    for side, msgs in (("caller", at_caller), ("callee", at_callee)):
        byes = requests(msgs, "BYE")
        check(len(byes) == 1, "the %s should get one BYE, got %d" % (side, len(byes)))
        waited = byes[0].time - refreshed.time
        check(waited >= full, "the BYE to the %s came %.2f s after the refresh: before the "
              "full interval (%.1f s; the halved one is %.1f s)" % (side, waited, full, halved))
        check(byes[0].one("reason") == 'SIP;cause=408;text="Session timer expired"',
              "the BYE to the %s should say why: %r" % (side, byes[0].one("reason")))
        print("BYE to the %s %.2f s after the refresh's 200" % (side, waited))
    for name, want in (("refreshed_total", 1), ("rejected_total", 0), ("raised_total", 0),
                       ("expired_total", 1), ("byes_total", 2), ("sessions", 0)):
        check(st_metric(proxy, name) == want, "smc_session_timer_%s should be %s, is %s"
              % (name, want, st_metric(proxy, name)))


TESTS = {name[len("test_"):]: fn for name, fn in globals().items()
         if name.startswith("test_") and callable(fn)}


def main():
    return run_tests(__doc__.splitlines()[0], TESTS)


if __name__ == "__main__":
    sys.exit(main())
