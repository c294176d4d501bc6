#!/usr/bin/env python3
"""Acceptance tests of smc-proxy with real sipp peers on 127.0.0.1.

  smc_proxy_test.py --proxy BIN --source-dir DIR --workdir DIR TEST

Two trunks, "pbx" and "carrier", each a sipp instance on its own free port, route to each
other through the proxy. Checks read what went over the wire: sipp's message logs, and
sipp's own <ereg check_it="true"> in the scenarios. Exit status 0 when the test passed.
"""

import os
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from harness import LOOPBACK, Proxy, Sipp, check, run_tests

VSXI_ALLOW = "vsxi/remove-update-from-allow.json"
VSXI_HALVE = "vsxi/halve-session-expires-1800.json"
VSXI_REMOVE = "vsxi/remove-session-expires.json"

ORIGINAL_ALLOW = "INVITE,ACK,CANCEL,BYE,UPDATE"
ORIGINAL_SE = "1800;refresher=uac"


class Net:
    """The ports of one test: proxy, metrics, and the two trunks' sipp."""

    def __init__(self, env):
        self.proxy = env.ports.take()
        self.metrics = env.ports.take()
        self.pbx = env.ports.take()
        self.carrier = env.ports.take()

    @property
    def proxy_addr(self):
        return "%s:%d" % (LOOPBACK, self.proxy)


def config(env, net, carrier_ingress=(), carrier_egress=(), pbx_ingress=(), pbx_egress=(),
           pbx_sources=None, pbx_address=None, timers=None):
    def profile_paths(paths):
        return [p if os.path.isabs(p) else os.path.join(env.profiles, p) for p in paths]
    cfg = {
        "listen": {"address": net.proxy_addr, "transports": ["udp", "tcp"]},
        "metrics": {"address": "%s:%d" % (LOOPBACK, net.metrics)},
        "log_level": "debug",
        "trunks": [
            {"name": "carrier",
             "sources": ["%s:%d" % (LOOPBACK, net.carrier)],
             "address": "sip:%s:%d" % (LOOPBACK, net.carrier),
             "route_to": "pbx",
             "ingress": profile_paths(carrier_ingress),
             "egress": profile_paths(carrier_egress)},
            {"name": "pbx",
             "sources": pbx_sources or ["%s:%d" % (LOOPBACK, net.pbx)],
             "address": pbx_address or "%s:%d" % (LOOPBACK, net.pbx),
             "route_to": "carrier",
             "ingress": profile_paths(pbx_ingress),
             "egress": profile_paths(pbx_egress)},
        ],
    }
    if timers:
        cfg["timers"] = timers
    return cfg


def requests(msgs, method, direction="received"):
    return [m for m in msgs if m.direction == direction and m.is_request and m.method == method]


def responses(msgs, direction="received"):
    return [m for m in msgs if m.direction == direction and not m.is_request]


def one(items, what):
    check(len(items) >= 1, "expected %s, saw none" % what)
    return items[0]


def proxy_via_prefix(net, transport="UDP"):
    return "SIP/2.0/%s %s;" % (transport, net.proxy_addr)


def run_call(env, net, name, uac_scenario="uac_call.xml", uas_scenario="uas_call.xml",
             caller="pbx", uac_transport="u1", uac_extra=()):
    """One call from `caller` to the other trunk through the proxy; both sipp must succeed."""
    callee = "carrier" if caller == "pbx" else "pbx"
    uas = Sipp(env, "%s_%s_uas" % (name, callee), uas_scenario, getattr(net, callee)).start()
    uas.wait_listening()
    uac = Sipp(env, "%s_%s_uac" % (name, caller), uac_scenario, getattr(net, caller),
               remote=net.proxy_addr, transport=uac_transport, extra=uac_extra)
    uac.run()
    uac.expect_success()
    uas.wait()
    uas.expect_success()
    return uac, uas


# --- tests ---------------------------------------------------------------------------

def test_call(env):
    """A full call INVITE/100/180/200/ACK/BYE; Via, Max-Forwards, Record-Route handling;
    a clean stop on SIGTERM."""
    net = Net(env)
    proxy = Proxy(env, "proxy", config(env, net)).start()
    uac, uas = run_call(env, net, "call")
    rr = "<sip:%s;lr>" % net.proxy_addr

    invite = one(requests(uas.messages(), "INVITE"), "an INVITE at the called trunk")
    vias = invite.elements("via")
    check(len(vias) == 2, "the forwarded INVITE should have 2 Via entries, has %r" % vias)
    check(vias[0].startswith(proxy_via_prefix(net)) and "branch=z9hG4bK" in vias[0],
          "the top Via should be the proxy's, with an RFC 3261 branch: %r" % vias[0])
    check(vias[1].startswith("SIP/2.0/UDP %s:%d;branch=" % (LOOPBACK, net.pbx)),
          "the caller's Via should follow, unchanged: %r" % vias[1])
    check(invite.one("max-forwards") == "69",
          "Max-Forwards should be decremented 70 -> 69, is %r" % invite.one("max-forwards"))
    check(invite.elements("record-route") == [rr],
          "the INVITE should carry the proxy's Record-Route %s, has %r"
          % (rr, invite.elements("record-route")))

    at_uac = responses(uac.messages())
    codes = [r.status for r in at_uac]
    for code in (100, 180, 200):
        check(code in codes, "the caller should receive %d; received %r" % (code, codes))
    for r in at_uac:
        v = r.elements("via")
        check(len(v) == 1 and v[0].startswith("SIP/2.0/UDP %s:%d;" % (LOOPBACK, net.pbx)),
              "a response to the caller must carry only the caller's Via: %r has %r" % (r, v))
    ok200 = [r for r in at_uac if r.status == 200 and r.cseq_method == "INVITE"][0]
    check(ok200.elements("record-route") == [rr],
          "the 200 should bring the Record-Route back to the caller: %r"
          % ok200.elements("record-route"))

    sent = uac.messages()
    for method in ("ACK", "BYE"):
        out = one(requests(sent, method, "sent"), "the caller's " + method)
        check(out.elements("route") == [rr],
              "the caller's %s should be routed by the proxy's Record-Route, has %r"
              % (method, out.elements("route")))
        got = one(requests(uas.messages(), method), method + " at the called trunk")
        v = got.elements("via")
        check(v[0].startswith(proxy_via_prefix(net)),
              "%s should reach the called trunk through the proxy: %r" % (method, v))
        check(got.all("route") == [], "the proxy should pop its own Route from %s: %r"
              % (method, got.all("route")))
        check(got.one("max-forwards") == "69",
              "%s Max-Forwards should be 69, is %r" % (method, got.one("max-forwards")))
    check(proxy.stop() == 0, "smc-proxy should exit 0 on SIGTERM:\n" + proxy.log()[-1000:])


def test_tcp_call(env):
    """A call whose caller uses TCP and callee UDP: the proxy record-routes twice."""
    net = Net(env)
    Proxy(env, "proxy", config(env, net, pbx_sources=[LOOPBACK],
                               pbx_address="%s:%d;transport=tcp" % (LOOPBACK, net.pbx))).start()
    uac, uas = run_call(env, net, "tcp", uac_transport="t1")
    invite = one(requests(uas.messages(), "INVITE"), "an INVITE at the called trunk")
    expected = ["<sip:%s;lr>" % net.proxy_addr, "<sip:%s;transport=tcp;lr>" % net.proxy_addr]
    check(invite.elements("record-route") == expected,
          "changing transports, the proxy should record-route twice %r, has %r"
          % (expected, invite.elements("record-route")))
    check(invite.elements("via")[1].startswith("SIP/2.0/TCP"),
          "the caller's Via should say TCP: %r" % invite.elements("via"))
    for method in ("ACK", "BYE"):
        got = one(requests(uas.messages(), method), method + " at the called trunk")
        check(got.all("route") == [], "both of the proxy's Route entries should be popped: %r"
              % got.all("route"))


def test_cancel(env):
    """CANCEL of a ringing call: relayed downstream, 487 relayed back, ACK absorbed."""
    net = Net(env)
    Proxy(env, "proxy", config(env, net)).start()
    uac, uas = run_call(env, net, "cancel", "uac_cancel.xml", "uas_cancel.xml")
    at_uas = uas.messages()
    invite = one(requests(at_uas, "INVITE"), "the INVITE at the called trunk")
    cancel = one(requests(at_uas, "CANCEL"), "a CANCEL at the called trunk")
    check(cancel.elements("via") == invite.elements("via")[:1],
          "the relayed CANCEL should carry the forwarded INVITE's top Via only: %r vs %r"
          % (cancel.elements("via"), invite.elements("via")))
    codes = [(r.status, r.cseq_method) for r in responses(uac.messages())]
    check((200, "CANCEL") in codes and (487, "INVITE") in codes,
          "the caller should get 200 for its CANCEL and 487 for its INVITE: %r" % codes)
    acks = requests(at_uas, "ACK")
    check(len(acks) >= 1 and acks[0].elements("via") == invite.elements("via")[:1],
          "the proxy itself should ACK the 487 downstream (hop by hop): %r" % acks)


def test_in_dialog(env):
    """In-dialog requests in both directions follow the Record-Route."""
    net = Net(env)
    Proxy(env, "proxy", config(env, net)).start()
    uac, uas = run_call(env, net, "dialog", "uac_indialog.xml", "uas_indialog.xml")
    rr = "<sip:%s;lr>" % net.proxy_addr
    info = one(requests(uas.messages(), "INFO"), "the caller's INFO at the callee")
    check(info.elements("via")[0].startswith(proxy_via_prefix(net)),
          "the INFO should come through the proxy: %r" % info.elements("via"))
    check(info.all("route") == [], "the proxy should pop its Route: %r" % info.all("route"))
    bye_out = one(requests(uas.messages(), "BYE", "sent"), "the callee's BYE")
    check(bye_out.elements("route") == [rr],
          "the callee's BYE should be routed by the recorded route %s: %r"
          % (rr, bye_out.elements("route")))
    bye = one(requests(uac.messages(), "BYE"), "the callee's BYE at the caller")
    vias = bye.elements("via")
    check(len(vias) == 2 and vias[0].startswith(proxy_via_prefix(net)),
          "the BYE should reach the caller through the proxy: %r" % vias)
    check(bye.all("route") == [], "the proxy should pop its Route: %r" % bye.all("route"))


def test_vsxi_profiles(env):
    """Each VSXi profile rewrites the carrier's responses (its ingress) and nothing else."""
    cases = [(VSXI_ALLOW, "uac_expect_allow_stripped.xml", "17"),
             (VSXI_HALVE, "uac_expect_se_halved.xml", "100"),
             (VSXI_REMOVE, "uac_expect_se_removed.xml", "18")]
    for profile, expectation, profile_id in cases:
        net = Net(env)
        tag = profile_id
        proxy = Proxy(env, "proxy_%s" % tag, config(env, net, carrier_ingress=[profile])).start()
        # pbx calls carrier: the carrier's 200 is rewritten on its way to the pbx (sipp's
        # check_it in `expectation` fails the call otherwise).
        _, uas = run_call(env, net, "vsxi%s_to_carrier" % tag, expectation, "uas_call.xml",
                          caller="pbx")
        invite = one(requests(uas.messages(), "INVITE"), "the INVITE at the carrier")
        check(invite.one("allow") == ORIGINAL_ALLOW and
              invite.one("session-expires") == ORIGINAL_SE,
              "profile %s must not touch requests going to the carrier: Allow %r, SE %r"
              % (profile, invite.one("allow"), invite.one("session-expires")))
        # carrier calls pbx: the pbx's 200 reaches the carrier as sent.
        run_call(env, net, "vsxi%s_to_pbx" % tag, "uac_expect_untouched.xml", "uas_call.xml",
                 caller="carrier")
        rewritten = proxy.metric("smc_messages_rewritten_total", trunk="carrier",
                                 direction="ingress")
        rule = proxy.metric("smc_rule_rewrites_total", trunk="carrier", direction="ingress",
                            profile=profile_id, rule="0")
        others = sum(proxy.metric("smc_messages_rewritten_total", trunk=t, direction=d)
                     for t, d in (("pbx", "ingress"), ("pbx", "egress"),
                                  ("carrier", "egress")))
        check(rewritten == 1 and rule == 1 and others == 0,
              "profile %s: one message rewritten by its rule 0 on the carrier's ingress; "
              "counters say %s, %s, elsewhere %s" % (profile, rewritten, rule, others))
        proxy.stop()


def test_unknown_source(env):
    """A request from a source that is no trunk gets 403 and goes nowhere."""
    net = Net(env)
    proxy = Proxy(env, "proxy", config(env, net)).start()
    stranger = env.ports.take()
    uac = Sipp(env, "stranger_uac", "uac_expect_403.xml", stranger, remote=net.proxy_addr)
    uac.run()
    uac.expect_success()
    check(proxy.metric("smc_local_replies_total", code="403") == 1,
          "one 403 should be counted")
    check(proxy.metric("smc_messages_sent_total", trunk="carrier", kind="request") == 0,
          "nothing may be forwarded to a trunk")


def test_default_trunk(env):
    """With default_trunk, a call from an unknown source goes to that trunk, and the
    dialog's later requests from the same source follow it."""
    net = Net(env)
    cfg = config(env, net)
    cfg["default_trunk"] = "carrier"
    proxy = Proxy(env, "proxy", cfg).start()
    stranger = env.ports.take()
    uas = Sipp(env, "default_carrier_uas", "uas_call.xml", net.carrier).start()
    uas.wait_listening()
    uac = Sipp(env, "stranger_uac", "uac_call.xml", stranger, remote=net.proxy_addr)
    uac.run()
    uac.expect_success()
    uas.wait()
    uas.expect_success()
    check(proxy.metric("smc_messages_received_total", trunk="-", kind="request") == 3,
          "INVITE, ACK and BYE should be counted as from an unknown source")
    check(proxy.metric("smc_messages_sent_total", trunk="carrier", kind="request") == 3,
          "INVITE, ACK and BYE should go to the default trunk")


def test_options(env):
    """OPTIONS addressed to the proxy itself is answered by it with 200."""
    net = Net(env)
    proxy = Proxy(env, "proxy", config(env, net)).start()
    uac = Sipp(env, "options_uac", "uac_options.xml", net.pbx, remote=net.proxy_addr)
    uac.run()
    uac.expect_success()
    check(proxy.metric("smc_messages_sent_total", trunk="carrier", kind="request") == 0,
          "an OPTIONS for the proxy must not be relayed")


def test_max_forwards_zero(env):
    """A request with Max-Forwards 0 gets 483 and is not forwarded."""
    net = Net(env)
    proxy = Proxy(env, "proxy", config(env, net)).start()
    uac = Sipp(env, "mf0_uac", "uac_expect_483.xml", net.pbx, remote=net.proxy_addr)
    uac.run()
    uac.expect_success()
    check(proxy.metric("smc_local_replies_total", code="483") == 1, "one 483 should be counted")
    check(proxy.metric("smc_messages_sent_total", trunk="carrier", kind="request") == 0,
          "the request must not be forwarded")


def test_timeout_408(env):
    """An INVITE the called trunk never answers gets 408 after Timer B (64 * T1), with T1
    taken from the configuration; the proxy retransmits at T1 meanwhile."""
    net = Net(env)
    proxy = Proxy(env, "proxy", config(env, net, timers={"t1_ms": 100})).start()
    hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # the carrier: reads, never answers
    hole.bind((LOOPBACK, net.carrier))
    hole.settimeout(0.2)
    try:
        uac = Sipp(env, "timeout_uac", "uac_expect_408.xml", net.pbx, remote=net.proxy_addr)
        uac.start()
        invites = 0
        deadline = time.monotonic() + 30
        while uac.proc.poll() is None and time.monotonic() < deadline:
            try:
                if hole.recv(65536).startswith(b"INVITE "):
                    invites += 1
            except socket.timeout:
                pass
        uac.wait()
    finally:
        hole.close()
    uac.expect_success()
    # Timer B = 6.4 s at T1 = 100 ms: retransmissions at 0.1, 0.3, 0.7, 1.5, 3.1 s (T2 caps
    # none of them here).
    check(invites >= 5, "the proxy should retransmit the INVITE at T1 intervals; the carrier "
          "saw %d copies" % invites)
    check(proxy.metric("smc_local_replies_total", code="408") == 1, "one 408 should be counted")


def mark_profile(env, value):
    """An egress profile that adds "X-Smc-Config: <value>" to every message."""
    return env.write_json("mark-%s.json" % value.lower(), {
        "ProfileID": "mark-%s" % value.lower(),
        "ProfileName": "Mark configuration %s" % value,
        "Rules": [{"MsgType": "ALL", "Action": "REPLACE_MSG",
                   "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "X-Smc-Config",
                                    "Output": value}]}]})


def marked_config(env, net, value):
    mark = mark_profile(env, value)
    return config(env, net, carrier_egress=[mark], pbx_egress=[mark])


def marks_by_transaction(uac, uas):
    """{(Call-ID, CSeq number, method): [X-Smc-Config of each message the proxy sent]}."""
    out = {}
    for sipp_run in (uac, uas):
        for m in sipp_run.messages():
            if m.direction != "received":
                continue
            key = (m.call_id, m.cseq_number, m.cseq_method)
            out.setdefault(key, []).append((m, tuple(m.all("x-smc-config"))))
    return out


def test_reload_under_load(env):
    """2,000 calls while the configuration flips A/B on SIGHUP: no call fails, and every
    message of a transaction shows the configuration the transaction started with."""
    net = Net(env)
    configs = {v: marked_config(env, net, v) for v in ("A", "B")}
    proxy = Proxy(env, "proxy", configs["A"]).start(log_level="info")
    calls, rate = 2000, 150
    uas = Sipp(env, "load_carrier_uas", "uas_call.xml", net.carrier, calls=calls,
               timeout=80).start()
    uas.wait_listening()
    uac = Sipp(env, "load_pbx_uac", "uac_call.xml", net.pbx, remote=net.proxy_addr,
               calls=calls, timeout=80, extra=["-r", str(rate), "-l", "400"]).start()
    reloads = 0
    current = "A"
    deadline = time.monotonic() + 80
    while uac.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.3)
        current = "B" if current == "A" else "A"
        proxy.write_config(configs[current])
        proxy.reload()
        reloads += 1
    uac.wait()
    uas.wait()
    uac.expect_success()
    uas.expect_success()
    check(proxy.alive(), "smc-proxy died during the run")
    done = proxy.metric("smc_reloads_total", result="done")
    failed = proxy.metric("smc_reloads_total", result="failed")
    check(reloads >= 20 and done == reloads and failed == 0,
          "expected >= 20 successful reloads; sent %d SIGHUPs, done %s, failed %s"
          % (reloads, done, failed))

    seen = set()
    by_tr = marks_by_transaction(uac, uas)
    invites = [k for k in by_tr if k[2] == "INVITE"]
    check(len(invites) == calls, "expected %d INVITE transactions in the logs, found %d"
          % (calls, len(invites)))
    for key, items in by_tr.items():
        values = set()
        for m, marks in items:
            check(len(marks) == 1, "%r of %r should carry one X-Smc-Config, has %r"
                  % (m, key, marks))
            values.add(marks[0])
        check(len(values) == 1, "transaction %r mixes configurations: %r"
              % (key, [(repr(m), marks) for m, marks in items]))
        seen |= values
    check(seen == {"A", "B"}, "both configurations should have been used, saw %r" % seen)
    print("%d calls, %d reloads, %d transactions checked" % (calls, reloads, len(by_tr)))


def test_failed_reload(env):
    """A SIGHUP with a broken profile keeps the running configuration and counts the failure."""
    net = Net(env)
    proxy = Proxy(env, "proxy", marked_config(env, net, "A")).start()
    _, uas = run_call(env, net, "before")
    check(one(requests(uas.messages(), "INVITE"), "INVITE").all("x-smc-config") == ["A"],
          "configuration A should mark the INVITE")

    broken = env.write_json("broken.json", {
        "ProfileID": 99, "ProfileName": "Broken",
        "Rules": [{"Action": "REPLACE_MSG", "ReplaceDefs": [
            {"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "(UPDATE",
             "Output": ""}]}]})
    cfg = marked_config(env, net, "B")
    cfg["trunks"][0]["egress"].append(broken)
    proxy.write_config(cfg)
    proxy.reload()
    log = proxy.log()
    check("broken.json:" in log and "error:" in log.split("reloading", 1)[1],
          "the proxy should log the profile's diagnostic (FILE:LINE:COL: error: ...)")
    check(proxy.metric("smc_reloads_total", result="failed") == 1 and
          proxy.metric("smc_reloads_total", result="done") == 0,
          "the failed reload should be counted (and no successful one)")

    _, uas = run_call(env, net, "after")
    check(one(requests(uas.messages(), "INVITE"), "INVITE").all("x-smc-config") == ["A"],
          "after the failed reload configuration A should still be in use")


def udp_exchange(port, payload, wait=2.0, source_port=0):
    """Sends one datagram to the proxy from a fresh socket; returns the reply or b""."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((LOOPBACK, source_port))
        s.settimeout(wait)
        s.sendto(payload, (LOOPBACK, port))
        try:
            return s.recv(70000)
        except socket.timeout:
            return b""
    finally:
        s.close()


def request_head(method, port, extra="", via_port=9):
    """The start of a request to the proxy at `port`; its Via names `via_port` (sofia answers
    a request over its size limit at the Via's port, ignoring rport)."""
    return ("%s sip:someone@%s:%d SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;rport;branch=z9hG4bK-smc-test\r\n"
            "From: <sip:a@%s>;tag=1\r\nTo: <sip:b@%s>\r\nCall-ID: malformed@test\r\n"
            "%s" % (method, LOOPBACK, port, LOOPBACK, via_port, LOOPBACK, LOOPBACK, extra))


def send_tcp_message(port, body_size, pause_after_headers):
    """Sends a MESSAGE with a `body_size` body over a new TCP connection, reading replies
    meanwhile; returns what came back before the proxy closed (bounded by timeouts).
    Without a pause the headers and the first 64 KB of body go in one write."""
    received = []
    s = socket.create_connection((LOOPBACK, port), timeout=5)

    def read_replies():
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    return
                received.append(data)
        except OSError:
            return

    reader = threading.Thread(target=read_replies, daemon=True)
    reader.start()
    head = request_head("MESSAGE", port, "CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n"
                        "Content-Length: %d\r\n\r\n" % body_size)
    chunk = b"y" * 65536
    try:
        first = head.replace("SIP/2.0/UDP", "SIP/2.0/TCP").encode()
        if pause_after_headers:
            s.sendall(first)
            time.sleep(pause_after_headers)
            first = b""
        try:
            s.sendall(first + chunk)
            for _ in range(body_size // len(chunk) - 1):
                s.sendall(chunk)
        except OSError:
            pass  # the proxy closed the connection: what it should do
        reader.join(timeout=5)
    finally:
        s.close()
    return b"".join(received)


def test_malformed(env):
    """Garbage, truncated headers, a 64 KB datagram and a 10 MB TCP message never stop the
    proxy; it answers 400 (413 over its size limit) where it can, and the next call works."""
    net = Net(env)
    cfg = config(env, net)
    cfg["limits"] = {"max_message_bytes": 32768}
    proxy = Proxy(env, "proxy", cfg).start()

    check(udp_exchange(net.proxy, b"\xff\xfe this is no SIP at all\r\n\r\n") == b"",
          "garbage should be dropped silently")
    # Binary that starts like a STUN request: sofia's STUN side answers it with a STUN error.
    udp_exchange(net.proxy, b"\x00\x01\x02 this is no SIP \xff\xfe\r\n\r\n", wait=0.5)

    truncated = request_head("INVITE", net.proxy, "CSeq: 1 INV").encode()
    reply = udp_exchange(net.proxy, truncated)
    check(reply.startswith(b"SIP/2.0 400"), "truncated headers should get 400: %r" % reply[:80])

    # A header line that is no header: nta lets it through (it is not one nta needs), the
    # engine refuses the request.
    head = request_head("INVITE", net.proxy, "CSeq: 1 INVITE\r\n").encode()
    tail = b"\r\nContent-Length: 0\r\n\r\n"
    bad = head + b"X" * 20000 + tail
    reply = udp_exchange(net.proxy, bad, source_port=net.pbx)
    check(reply.startswith(b"SIP/2.0 400"),
          "a request from a trunk with a line that is no header should get 400: %r"
          % reply[:80])

    # A 64 KB datagram (the largest IPv4 carries), over the 32 KB limit configured here.
    source = env.ports.take()
    head = request_head("INVITE", net.proxy, "CSeq: 1 INVITE\r\nSubject: ", source).encode()
    big = head + b"s" * (65507 - len(head) - len(tail)) + tail
    reply = udp_exchange(net.proxy, big, source_port=source)
    check(reply.startswith(b"SIP/2.0 413"),
          "a 64 KB datagram over the size limit should get 413: %r" % reply[:80])

    # 10 MB over TCP. When the first read already passes the size limit, sofia answers 413
    # and closes; when the headers arrive alone, it closes the connection when the body
    # cannot fit, without an answer. Either way the proxy goes on.
    burst = send_tcp_message(net.proxy, 10 * 1024 * 1024, pause_after_headers=0)
    check(burst.startswith(b"SIP/2.0 413"),
          "a 10 MB message should get 413 Request Entity Too Large: %r" % burst[:80])
    slow = send_tcp_message(net.proxy, 10 * 1024 * 1024, pause_after_headers=0.3)
    check(slow == b"" or slow.startswith(b"SIP/2.0 413"),
          "a 10 MB message should be refused or cut off: %r" % slow[:80])

    check(proxy.alive(), "smc-proxy died on malformed input")
    run_call(env, net, "after_malformed")
    check(proxy.metric("smc_malformed_messages_total", parser="nta") >= 2 and
          proxy.metric("smc_malformed_messages_total", parser="engine") >= 1,
          "the malformed messages should be counted")


TESTS = {name[len("test_"):]: fn for name, fn in globals().items()
         if name.startswith("test_") and callable(fn)}


def main():
    return run_tests(__doc__.splitlines()[0], TESTS)


if __name__ == "__main__":
    sys.exit(main())
