#!/usr/bin/env python3
"""Overload shedding in smc-proxy, on the wire with sipp.

  overload_test.py --proxy BIN --source-dir DIR --workdir DIR TEST

The trunks "pbx" and "carrier" of smc_proxy_test.py. The carrier answers slowly, so that
calls stay in setup, and the proxy's limits.max_calls_in_setup is set deliberately low: new
INVITEs beyond it must get 503 with Retry-After, cheaply and at once, while the calls it
admitted (their ACK and BYE included) complete; afterwards the proxy serves normally.
scripts/overload.sh is the load test at twice the sustainable rate.
"""

import re
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from harness import Proxy, Sipp, check, run_tests, wait_until
from malformed_test import LOOPBACK, Sink, soft_stop, status_of
from smc_proxy_test import Net, config, requests, responses, run_call

MAX_CALLS_IN_SETUP = 5
RETRY_AFTER_S = 7
RING_MS = 1000   # how long the carrier rings before it answers
CALLS, RATE = 60, 20  # 20 calls/s ringing 1 s: about 20 in setup, four times the limit


def invite_finals(msgs):
    """{Call-ID: the final response to its INVITE the caller received}."""
    out = {}
    for m in responses(msgs):
        if m.cseq_method == "INVITE" and m.status >= 200:
            out.setdefault(m.call_id, m)
    return out


def test_shedding(env):
    """Over max_calls_in_setup, new INVITEs get 503 + Retry-After without reaching the
    carrier; admitted calls complete meanwhile; the proxy then serves normally."""
    net = Net(env)
    cfg = config(env, net)
    cfg["limits"] = {"max_calls_in_setup": MAX_CALLS_IN_SETUP, "max_queue_delay_ms": 0,
                     "retry_after_s": RETRY_AFTER_S}
    proxy = Proxy(env, "proxy", cfg).start(log_level="info")

    uas = Sipp(env, "slow_carrier_uas", "uas_slow_answer.xml", net.carrier, calls=100000,
               timeout=60, extra=["-d", str(RING_MS)]).start()
    uas.wait_listening()
    uac = Sipp(env, "flood_pbx_uac", "uac_call_or_503.xml", net.pbx, remote=net.proxy_addr,
               calls=CALLS, timeout=60, extra=["-r", str(RATE), "-l", str(CALLS)])
    uac.run()
    wait_until(lambda: proxy.metric("smc_calls_in_setup") == 0, 10,
               what="every call to leave setup")
    soft_stop(uas)
    uas.wait()
    # sipp's own verdict: every call either completed or got a 503 with Retry-After (its
    # <ereg check_it>), none timed out or saw an unexpected message.
    uac.expect_success()
    uas.expect_success()

    at_uac = uac.messages()
    finals = invite_finals(at_uac)
    check(len(finals) == CALLS, "every INVITE should get a final response: %d of %d"
          % (len(finals), CALLS))
    shed = {cid: m for cid, m in finals.items() if m.status == 503}
    completed = {cid for cid, m in finals.items() if m.status == 200}
    check(len(shed) + len(completed) == CALLS,
          "a final response other than 200 and 503: %r"
          % sorted({m.status for m in finals.values()}))
    check(len(completed) >= MAX_CALLS_IN_SETUP and shed,
          "with ~%d calls in setup against a limit of %d, some calls should complete and "
          "some be shed: %d completed, %d shed"
          % (RATE * RING_MS // 1000, MAX_CALLS_IN_SETUP, len(completed), len(shed)))
    for m in shed.values():
        check(m.one("retry-after") == str(RETRY_AFTER_S),
              "a shed INVITE's 503 should carry Retry-After: %d, has %r"
              % (RETRY_AFTER_S, m.one("retry-after")))
        check(not any(r.call_id == m.call_id and r.status < 200 for r in responses(at_uac)),
              "a shed INVITE is answered at once, without a 100 Trying first")

    # Shed INVITEs and their ACKs never reach the carrier: it sees the admitted calls only.
    at_uas = uas.messages()
    invited = {m.call_id for m in requests(at_uas, "INVITE")}
    check(invited == completed, "the carrier should see exactly the admitted calls: %d "
          "INVITEs for %d admitted (shed ones leaking: %d)"
          % (len(invited), len(completed), len(invited & set(shed))))
    acks = {m.call_id for m in requests(at_uas, "ACK")}
    check(acks == completed, "the ACKs to the 503s must be absorbed by the proxy")

    # In-dialog requests are never shed: BYEs of admitted calls went through while new
    # INVITEs were being shed.
    last_shed = max(m.time for m in shed.values())
    byes_during = [m for m in requests(at_uas, "BYE") if m.time < last_shed]
    check(byes_during, "some admitted calls should have ended (BYE through the proxy) while "
          "new INVITEs were still shed")

    shed_counted = proxy.metric("smc_overload_shed_total", reason="calls_in_setup")
    check(shed_counted == len(shed) and
          proxy.metric("smc_overload_shed_total", reason="queue_delay") == 0,
          "smc_overload_shed_total should count the %d shed INVITEs, says %s"
          % (len(shed), shed_counted))
    check(proxy.metric("smc_local_replies_total", code="503") == len(shed),
          "the 503s are the proxy's own answers")

    run_call(env, net, "after_overload")
    check(proxy.alive(), "smc-proxy died")
    print("%d calls: %d completed, %d shed with 503 + Retry-After, %d BYEs while shedding"
          % (CALLS, len(completed), len(shed), len(byes_during)))


class Udp:
    """A trunk's socket on its configured port, sending and reading raw datagrams."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, port))
        self.port = port

    def send(self, data, port):
        self.sock.sendto(data, (LOOPBACK, port))

    def read(self, want, timeout=5.0):
        """The first datagram for which want(data) holds, within timeout (None if none)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data, _ = self.sock.recvfrom(70000)
            except socket.timeout:
                return None
            if want(data):
                return data
        return None

    def drain(self, seconds):
        """Every datagram that arrives within `seconds`."""
        out, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                out.append(self.sock.recvfrom(70000)[0])
            except socket.timeout:
                break
        return out

    def close(self):
        self.sock.close()


def invite(net, call_id, branch):
    return ("INVITE sip:+15550001@%s:%d SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=%s\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:pbx@%s>;tag=f-%s\r\n"
            "To: <sip:+15550001@%s>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 INVITE\r\n"
            "Contact: <sip:pbx@%s:%d>\r\n"
            "Content-Length: 0\r\n\r\n"
            % (LOOPBACK, net.proxy, LOOPBACK, net.pbx, branch, LOOPBACK, call_id, LOOPBACK,
               call_id, LOOPBACK, net.pbx)).encode()


def to_tag(data):
    m = re.search(rb"^(?:To|t)\s*:[^\r\n]*;tag=([^;\s\r\n>]+)", data, re.M | re.I)
    return m.group(1).decode() if m else None


def test_shed_retransmission(env):
    """A retransmission of a shed INVITE gets the same 503 (same To tag) again and never
    reaches the carrier, even once the proxy would admit a new call: otherwise the caller,
    past its 503, would get a 200 for a call it has ended (RFC 3261 17.2.1). A copy that
    arrives less than T1 after the 503 went out was sent before the 503 could arrive: it is
    absorbed, not answered again."""
    net = Net(env)
    t1_s = 0.1
    cfg = config(env, net, timers={"t1_ms": int(t1_s * 1000)})
    cfg["limits"] = {"max_calls_in_setup": 1, "max_queue_delay_ms": 0,
                     "retry_after_s": RETRY_AFTER_S}
    proxy = Proxy(env, "proxy", cfg).start(log_level="info")
    pbx, carrier = Udp(net.pbx), Udp(net.carrier)
    try:
        def final_for(call_id):
            return lambda d: (call_id.encode() in d and status_of(d) is not None
                              and status_of(d)[0] >= 200)

        pbx.send(invite(net, "admitted-1", "z9hG4bK-adm1"), net.proxy)
        forwarded = carrier.read(lambda d: d.startswith(b"INVITE") and b"admitted-1" in d)
        check(forwarded is not None, "the first INVITE should reach the carrier")

        shed_invite = invite(net, "shed-1", "z9hG4bK-shed1")
        pbx.send(shed_invite, net.proxy)
        first = pbx.read(final_for("shed-1"))
        check(first is not None and status_of(first)[0] == 503,
              "over max_calls_in_setup 1 the second INVITE should get 503: %r" % first)
        tag = to_tag(first)
        check(tag, "the 503 carries the proxy's To tag")
        pbx.send(shed_invite, net.proxy)  # at once: sent before the 503 could arrive
        early = pbx.read(final_for("shed-1"), timeout=t1_s / 2)
        check(early is None, "a copy within T1 of the 503 should be absorbed: %r" % early)
        check(proxy.metric("smc_overload_retransmissions_absorbed_total") == 1,
              "the absorbed copy is counted")
        time.sleep(t1_s * 1.5)
        pbx.send(shed_invite, net.proxy)
        again = pbx.read(final_for("shed-1"))
        check(again is not None and status_of(again)[0] == 503 and to_tag(again) == tag,
              "its retransmission should get the same 503 (To tag %s): %r" % (tag, again))

        # The carrier answers the admitted call: nothing is in setup any more.
        carrier.send(Sink.answer(forwarded), net.proxy)
        check(pbx.read(final_for("admitted-1")) is not None, "the 200 should reach the pbx")
        wait_until(lambda: proxy.metric("smc_calls_in_setup") == 0, 5,
                   what="the admitted call to leave setup")

        time.sleep(t1_s * 1.5)
        pbx.send(shed_invite, net.proxy)
        late = pbx.read(final_for("shed-1"))
        check(late is not None and status_of(late)[0] == 503 and to_tag(late) == tag,
              "a retransmission after the limit cleared must still get the same 503, not "
              "be admitted: %r" % late)
        # A new INVITE is admitted now: the 503 above came from the record, not the limit.
        pbx.send(invite(net, "admitted-2", "z9hG4bK-adm2"), net.proxy)
        check(carrier.read(lambda d: d.startswith(b"INVITE") and b"admitted-2" in d)
              is not None, "a new INVITE should be admitted once nothing is in setup")
        leaked = [d for d in carrier.drain(0.5) if b"shed-1" in d]
        check(not leaked, "the shed INVITE must never reach the carrier: %r" % leaked[:1])
        check(proxy.metric("smc_overload_shed_total", reason="calls_in_setup") == 1,
              "one INVITE was shed; its retransmissions are not new sheds")
        check(proxy.metric("smc_local_replies_total", code="503") == 3,
              "three 503s were sent, one per copy of the shed INVITE but the absorbed one")
        check(proxy.alive(), "smc-proxy died")
        print("shed INVITE sent 4 times: 3 x 503 with To tag %s, 1 absorbed, never forwarded"
              % tag)
    finally:
        pbx.close()
        carrier.close()


TESTS = {name[len("test_"):]: fn for name, fn in globals().items()
         if name.startswith("test_") and callable(fn)}


def main():
    return run_tests(__doc__.splitlines()[0], TESTS)


if __name__ == "__main__":
    sys.exit(main())
