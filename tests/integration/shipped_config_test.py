#!/usr/bin/env python3
"""smc-proxy on the shipped default configuration (profiles/smc-proxy.json, what the README's
run command starts), with only its addresses moved to free ports: each VSXi profile acts
where the configuration puts it, and the carrier's session-timer policy is enforced.

  shipped_config_test.py --proxy BIN --source-dir DIR --workdir DIR shipped_config
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smc_proxy_test as base  # noqa: E402  (its harness, helpers and runner)
from harness import LOOPBACK, Proxy, check  # noqa: E402


def shipped_config(env, net):
    """The shipped file, addresses replaced, profile paths made absolute."""
    with open(os.path.join(env.profiles, "smc-proxy.json")) as f:
        cfg = json.load(f)
    cfg["listen"]["address"] = net.proxy_addr
    cfg["metrics"]["address"] = "%s:%d" % (LOOPBACK, net.metrics)
    ports = {"carrier": net.carrier, "pbx": net.pbx}
    for trunk in cfg["trunks"]:
        port = ports[trunk["name"]]
        trunk["sources"] = ["%s:%d" % (LOOPBACK, port)]
        # Same form as shipped: a SIP URI with a transport, or host:port.
        trunk["address"] = ("sip:%s:%d;transport=udp" % (LOOPBACK, port)
                            if trunk["address"].startswith("sip:") else "%s:%d" % (LOOPBACK, port))
        for direction in ("ingress", "egress"):
            trunk[direction] = [os.path.abspath(os.path.join(env.profiles, p))
                                for p in trunk.get(direction, [])]
    return cfg


def final_200(msgs, direction="received"):
    oks = [m for m in base.responses(msgs, direction)
           if m.status == 200 and m.cseq_method == "INVITE"]
    return base.one(oks, "a 200 to the INVITE")


def test_shipped_config(env):
    net = base.Net(env)
    proxy = Proxy(env, "proxy", shipped_config(env, net)).start()

    # pbx calls carrier. The carrier's 200 (Allow ...,UPDATE; Session-Expires 1800) loses
    # UPDATE on the carrier's ingress (profile 17) and is halved on the pbx's egress
    # (profile 100): the pbx refreshes before the carrier's half-interval teardown.
    uac, uas = base.run_call(env, net, "to_carrier", caller="pbx")
    ok = final_200(uac.messages())
    check(ok.one("allow") == "INVITE,ACK,CANCEL,BYE",
          "the pbx should see the carrier's Allow without UPDATE, sees %r" % ok.one("allow"))
    check(ok.one("session-expires") == "900;refresher=uac",
          "the pbx should see Session-Expires halved, sees %r" % ok.one("session-expires"))
    at_carrier = final_200(uas.messages(), "sent")
    check(at_carrier.one("session-expires") == base.ORIGINAL_SE,
          "the carrier's own 200 should say %r" % base.ORIGINAL_SE)
    check(proxy.metric("smc_rule_rewrites_total", trunk="carrier", direction="ingress",
                       profile="17", rule="0") == 1 and
          proxy.metric("smc_rule_rewrites_total", trunk="pbx", direction="egress",
                       profile="100", rule="0") == 1,
          "profiles 17 (carrier ingress) and 100 (pbx egress) should each count one rewrite")

    # carrier calls pbx. The pbx's 200 loses its Session-Expires on the pbx's ingress
    # (profile 18). The carrier asked for timers (Supported: timer, SE 1800) and its policy
    # is on, so the enforcer answers for the pbx as RFC 4028 8.2 says: SE with
    # refresher=uac, and timer in Require.
    uac, uas = base.run_call(env, net, "to_pbx", caller="carrier")
    ok = final_200(uac.messages())
    check(ok.one("session-expires") == "1800;refresher=uac",
          "the carrier should see the proxy's Session-Expires: 1800;refresher=uac, sees %r"
          % ok.one("session-expires"))
    check("timer" in ok.elements("require"),
          "the carrier should see timer in Require, sees %r" % ok.elements("require"))
    check(proxy.metric("smc_rule_rewrites_total", trunk="pbx", direction="ingress",
                       profile="18", rule="0") >= 1,
          "profile 18 (pbx ingress) should count its rewrite")
    check(proxy.metric("smc_session_timer_sessions") == 0,
          "both calls ended with BYE: no session should stay tracked")
    check(proxy.metric("smc_session_timer_expired_total") == 0, "no session may have expired")


base.TESTS["shipped_config"] = test_shipped_config

if __name__ == "__main__":
    sys.exit(base.main())
