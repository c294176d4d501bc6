#!/usr/bin/env python3
"""Malformed and unusual SIP at smc-proxy: the corpus in messages/, answered as its manifest says.

  malformed_test.py --proxy BIN --source-dir DIR --workdir DIR TEST [--table]

messages/MANIFEST.json lists one entry per file of messages/: the transport it is sent on,
what it tests, and the answer it must get:
  * a status code (400, 505 ...): the sender receives that final response, and nothing
    reaches any trunk;
  * "drop": nothing comes back within DROP_WAIT seconds, and nothing reaches any trunk;
  * "forward": the request reaches the called trunk (the "sink", a socket of this script)
    with every header line the proxy does not own byte for byte, in order, the body byte for
    byte, the lines of `forwarded_has`; the sink's 200 comes back to the sender with the
    lines of `response_has`;
  * "relay": a response that the proxy relays statelessly to the sink.

Messages are sent from the "probe" trunk (any 127.0.0.1 source port), whose new requests go
to the "sink" trunk. Meanwhile sipp places calls between the "pbx" and "carrier" trunks of
smc_proxy_test.py; they must all succeed, and so must a call placed after the corpus.

The files hold the bytes sent, with placeholders filled in per message: {{PROXY}} (the
proxy's host:port), {{LOCAL}} (the sender's host:port), {{SINK}}, {{TRANSPORT}} (UDP or
TCP), {{CALLID}}, {{BRANCH}} (unique per message) and {{FILL:N}} (N bytes of "a").
"""

import json
import os
import re
import signal
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from harness import COMPACT, LOOPBACK, Proxy, Sipp, TestFailure, check, run_tests, wait_until
from smc_proxy_test import Net, config, run_call

DROP_WAIT = 1.0    # seconds without an answer that count as a silent drop
ANSWER_WAIT = 5.0  # the longest wait for an expected answer
NORMALIZE_E164 = "library/normalize-e164.json"
VSXI_ALLOW = "vsxi/remove-update-from-allow.json"


# --- SIP bytes ---------------------------------------------------------------------------

def split_message(data):
    """(head lines, body) of one message; lines end at CRLF or a bare LF. None when the
    header section has no end."""
    m = re.search(rb"\r?\n\r?\n", data)
    if m is None:
        return None
    head = data[:m.start()]
    return re.split(rb"\r?\n", head), data[m.end():]


def header_name(line):
    """The long, lower-case name of a header line (compact forms expanded); None for a
    continuation line."""
    if line[:1] in (b" ", b"\t") or b":" not in line:
        return None
    name = line.split(b":", 1)[0].strip().decode("latin-1").lower()
    return COMPACT.get(name, name)


def logical_headers(lines):
    """[(name, [raw lines])]: each header with its continuation lines."""
    out = []
    for line in lines:
        name = header_name(line)
        if name is None and out:
            out[-1][1].append(line)
        elif name is not None:
            out.append((name, [line]))
    return out


def header_values(data, name):
    parts = split_message(data)
    if parts is None:
        return []
    out = []
    for n, raw in logical_headers(parts[0][1:]):
        if n == name:
            text = b" ".join(r.strip() for r in raw)
            out.append(text.split(b":", 1)[1].strip().decode("latin-1"))
    return out


def next_message(buffer):
    """Splits the first complete message off a stream buffer: (message, rest) or None."""
    m = re.search(rb"\r?\n\r?\n", buffer)
    if m is None:
        return None
    head = buffer[:m.end()]
    lengths = [int(v) for v in header_values(head, "content-length") if v.isdigit()]
    end = m.end() + (lengths[0] if lengths else 0)
    if len(buffer) < end:
        return None
    return buffer[:end], buffer[end:]


def status_of(data):
    m = re.match(rb"SIP/2\.0 (\d{3}) ?([^\r\n]*)", data)
    return (int(m.group(1)), m.group(2).decode("latin-1")) if m else None


# --- the sink: the called trunk of the corpus ------------------------------------------

class Sink:
    """A UDP trunk that records every message it receives and answers each request but
    ACK with 200, copying Via, From, To (tagged), Call-ID and CSeq. Its 200 to an INVITE
    carries "Allow: INVITE,ACK,CANCEL,BYE,UPDATE", which the sink trunk's ingress profile
    (VSXi 17) rewrites on its way back."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, port))
        self.sock.settimeout(0.2)
        self.received = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(70000)
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self.received.append(data)
            reply = self.answer(data)
            if reply:
                self.sock.sendto(reply, peer)

    @staticmethod
    def answer(data):
        parts = split_message(data)
        if parts is None or data.startswith(b"SIP/2.0") or data.startswith(b"ACK "):
            return None
        lines, _ = parts
        method = lines[0].split(b" ", 1)[0]
        out = [b"SIP/2.0 200 OK"]
        for name, raw in logical_headers(lines[1:]):
            if name in ("via", "from", "call-id", "cseq", "record-route"):
                out.extend(raw)
            elif name == "to":
                line = b" ".join(r.strip() for r in raw)
                out.append(line if b"tag=" in line else line + b";tag=sink")
        if method == b"INVITE":
            out.append(b"Contact: <sip:sink@%s>" % LOOPBACK.encode())
            out.append(b"Allow: INVITE,ACK,CANCEL,BYE,UPDATE")
        out.append(b"Content-Length: 0")
        return b"\r\n".join(out) + b"\r\n\r\n"

    def matching(self, token):
        with self._lock:
            return [d for d in self.received if token in d]

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


# --- sending one corpus message -----------------------------------------------------------

class Exchange:
    """What one message got: the responses the sender received, in order."""

    def __init__(self):
        self.responses = []

    @property
    def final(self):
        finals = [r for r in self.responses if status_of(r) and status_of(r)[0] >= 200]
        return finals[0] if finals else None


def fill(template, values):
    def repl(m):
        key = m.group(1).decode()
        if key.startswith("FILL:"):
            return b"a" * int(key[5:])
        return values[key].encode()
    return re.sub(rb"\{\{([A-Z]+(?::\d+)?)\}\}", repl, template)


def ack_for(request, final):
    """The ACK to a non-2xx final response to an INVITE (RFC 3261 17.1.1.3), so that the
    proxy stops retransmitting it."""
    parts = split_message(request)
    if parts is None:
        return None
    lines, _ = parts
    headers = logical_headers(lines[1:])
    first_via = [raw for n, raw in headers if n == "via"][:1]
    keep = [raw for n, raw in headers if n in ("from", "call-id")]
    to = [b"To: " + v.encode() for v in header_values(final, "to")][:1]
    cseq = header_values(request, "cseq")
    if not first_via or not keep or not to or not cseq:
        return None
    out = [lines[0].replace(b"INVITE", b"ACK", 1)]
    for raw in first_via + keep:
        out.extend(raw)
    out += to + [b"CSeq: %s ACK" % cseq[0].split()[0].encode(), b"Max-Forwards: 70",
                 b"Content-Length: 0"]
    return b"\r\n".join(out) + b"\r\n\r\n"


def wait_responses(recv, exchange, wait):
    """Reads responses with recv(timeout) -> bytes or None until a final one, or until
    `wait` seconds passed."""
    deadline = time.monotonic() + wait
    while exchange.final is None:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        data = recv(min(left, 0.2))
        if data is None:
            continue
        if data == b"":
            return  # the connection was closed
        exchange.responses.append(data)


def send_udp(proxy_port, message_fn, wait):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((LOOPBACK, 0))
    try:
        message = message_fn("%s:%d" % s.getsockname(), "UDP")
        s.sendto(message, (LOOPBACK, proxy_port))
        exchange = Exchange()

        def recv(timeout):
            s.settimeout(timeout)
            try:
                return s.recv(70000) or None
            except socket.timeout:
                return None
        wait_responses(recv, exchange, wait)
        final = exchange.final
        if final and message.startswith(b"INVITE ") and status_of(final)[0] >= 300:
            ack = ack_for(message, final)
            if ack:
                s.sendto(ack, (LOOPBACK, proxy_port))
        return message, exchange
    finally:
        s.close()


def send_tcp(proxy_port, message_fn, wait):
    s = socket.create_connection((LOOPBACK, proxy_port), timeout=5)
    try:
        message = message_fn("%s:%d" % s.getsockname(), "TCP")
        s.sendall(message)
        exchange = Exchange()
        buffer = [b""]

        def recv(timeout):
            split = next_message(buffer[0])
            if split:
                buffer[0] = split[1]
                return split[0]
            s.settimeout(timeout)
            try:
                data = s.recv(70000)
            except socket.timeout:
                return None
            except OSError:
                return b""
            if not data:
                return b""
            buffer[0] += data
            split = next_message(buffer[0])
            if split is None:
                return None
            buffer[0] = split[1]
            return split[0]
        wait_responses(recv, exchange, wait)
        final = exchange.final
        if final and message.startswith(b"INVITE ") and status_of(final)[0] >= 300:
            ack = ack_for(message, final)
            if ack:
                try:
                    s.sendall(ack)
                except OSError:
                    pass
        return message, exchange
    finally:
        s.close()


# --- checking one answer -----------------------------------------------------------------

def excerpt(lines, limit=160):
    """A header section for a failure message, long lines cut."""
    out = []
    for line in lines:
        text = line.decode("latin-1")
        out.append(text if len(text) <= limit else text[:limit] + "... (%d bytes)" % len(text))
    return "\n".join(out)


def without_nat_params(via):
    """A Via without the received and rport values a server adds (RFC 3261 18.2.1, 3581)."""
    return re.sub(r";\s*(received=[^;,]*|rport(=\d+)?)", "", via)


def check_forwarded(entry, sent, forwarded, values):
    """The proxy forwarded `sent` as `forwarded`: the lines it does not own are unchanged and
    in order, the body is unchanged, and the manifest's expected lines are there."""
    sent_parts = split_message(sent)
    fwd_parts = split_message(forwarded)
    check(fwd_parts is not None, "the forwarded message has no header end: %r" % forwarded[:200])
    fwd_lines, fwd_body = fwd_parts
    head_end = forwarded.index(b"\r\n\r\n") if b"\r\n\r\n" in forwarded else -1
    check(head_end >= 0 and re.search(rb"(?<!\r)\n", forwarded[:head_end]) is None,
          "every line of the forwarded header section should end in CRLF")
    # The Via lines are the transport's: nta adds received/rport to the sender's (and writes
    # them again); Max-Forwards is the proxy's to decrement.
    changed = {n.lower() for n in entry.get("changed", [])} | {"max-forwards", "via"}
    position = 0
    for name, raw in logical_headers(sent_parts[0][1:]):
        if name in changed:
            continue
        for line in raw:
            try:
                found = fwd_lines.index(line, position)
            except ValueError:
                raise TestFailure("line %r should reach the trunk unchanged and in order; "
                                  "forwarded header section:\n%s"
                                  % (line[:160], excerpt(fwd_lines)))
            position = found + 1
    for line in entry.get("forwarded_has", []):
        want = fill(line.encode(), values)
        check(want in fwd_lines, "the forwarded message should have the line %r:\n%s"
              % (want, excerpt(fwd_lines)))
    vias = header_values(forwarded, "via")
    check(vias and vias[0].startswith("SIP/2.0/UDP %s;" % values["PROXY"]),
          "the proxy's Via should be on top: %r" % vias[:1])
    sent_vias = [without_nat_params(v) for v in header_values(sent, "via")]
    check([without_nat_params(v) for v in vias[1:]] == sent_vias,
          "the sender's Vias should follow, with at most received and rport added: sent %r, "
          "forwarded %r" % (sent_vias, vias[1:]))
    length = header_values(sent, "content-length")
    body = sent_parts[1]
    if length and length[0].isdigit():
        body = body[:int(length[0])]
    check(fwd_body == body, "the body should be forwarded byte for byte: sent %r, forwarded %r"
          % (body[:80], fwd_body[:80]))


def run_entry(entry, corpus_dir, proxy_port, sink, values):
    """Sends one corpus message and checks its answer; returns (what happened, failure or
    None)."""
    with open(os.path.join(corpus_dir, entry["file"]), "rb") as f:
        template = f.read()

    def message_fn(local, transport):
        values.update(LOCAL=local, TRANSPORT=transport)
        return fill(template, values)
    expect = entry["expect"]
    wait = DROP_WAIT if expect in ("drop", "relay") else ANSWER_WAIT
    send = send_tcp if entry["transport"] == "tcp" else send_udp
    sent, exchange = send(proxy_port, message_fn, wait)
    final = exchange.final
    got = "%d %s" % status_of(final) if final else "no answer"
    token = values["TOKEN"].encode()
    try:
        if expect in ("drop", "relay") or isinstance(expect, int):
            at_sink = []
            if expect == "relay":
                wait_until(lambda: sink.matching(token), ANSWER_WAIT,
                           what="the response to be relayed to the sink")
            else:
                # What reached the called trunk by now: a forwarded request would be there.
                at_sink = sink.matching(token)
            check(not at_sink, "nothing should reach the called trunk, it got %r"
                  % at_sink[0][:120] if at_sink else "")
            if isinstance(expect, int):
                check(final is not None and status_of(final)[0] == expect,
                      "expected %d, got %s" % (expect, got))
            else:
                check(not exchange.responses, "expected no answer, got %r"
                      % exchange.responses[0][:120] if exchange.responses else "")
            return got, None
        check(expect == "forward", "unknown expectation %r" % expect)
        forwarded = wait_until(lambda: sink.matching(token), ANSWER_WAIT,
                               what="the request to reach the called trunk")
        check(len(forwarded) == 1, "the trunk should get the request once, got it %d times"
              % len(forwarded))
        check_forwarded(entry, sent, forwarded[0], values)
        check(final is not None and status_of(final)[0] == 200,
              "the trunk's 200 should come back to the sender, got %s" % got)
        for line in entry.get("response_has", []):
            check(fill(line.encode(), values) in split_message(final)[0],
                  "the relayed 200 should have the line %r:\n%s"
                  % (line, final.decode("latin-1")))
        return "forwarded, " + got, None
    except TestFailure as e:
        return got, str(e)


def load_manifest(source_dir):
    corpus_dir = os.path.join(source_dir, "tests", "integration", "messages")
    with open(os.path.join(corpus_dir, "MANIFEST.json")) as f:
        manifest = json.load(f)
    listed = {e["file"] for e in manifest["messages"]}
    on_disk = {n for n in os.listdir(corpus_dir) if n.endswith(".sip")}
    check(listed == on_disk, "MANIFEST.json and the .sip files differ: only listed %r, only "
          "on disk %r" % (sorted(listed - on_disk), sorted(on_disk - listed)))
    return corpus_dir, manifest["messages"]


def corpus_config(env, net, sink_port):
    cfg = config(env, net)
    profiles = env.profiles
    cfg["trunks"] += [
        # Any other source port on the loopback: the corpus sender.
        {"name": "probe", "sources": [LOOPBACK], "address": "%s:9" % LOOPBACK,
         "route_to": "sink", "ingress": [os.path.join(profiles, NORMALIZE_E164)]},
        {"name": "sink", "sources": ["%s:%d" % (LOOPBACK, sink_port)],
         "address": "%s:%d" % (LOOPBACK, sink_port), "route_to": "probe",
         "ingress": [os.path.join(profiles, VSXI_ALLOW)]},
    ]
    return cfg


def soft_stop(sipp_run):
    """SIGUSR1: sipp places no new call and ends once the calls under way are done."""
    if sipp_run.proc.poll() is None:
        sipp_run.proc.send_signal(signal.SIGUSR1)


# --- tests -------------------------------------------------------------------------------

def test_corpus(env, print_table=False):
    """Every corpus message gets the answer its manifest entry says, while calls go on; the
    proxy is alive and places a call afterwards; the malformed ones are counted."""
    corpus_dir, entries = load_manifest(env.source_dir)
    net = Net(env)
    sink_port = env.ports.take()
    proxy = Proxy(env, "proxy", corpus_config(env, net, sink_port)).start(log_level="info")
    sink = Sink(sink_port)
    try:
        # Calls throughout: sipp keeps placing calls until told to stop after the corpus.
        uas = Sipp(env, "during_carrier_uas", "uas_call.xml", net.carrier, calls=100000,
                   timeout=300).start()
        uas.wait_listening()
        uac = Sipp(env, "during_pbx_uac", "uac_call.xml", net.pbx, remote=net.proxy_addr,
                   calls=100000, timeout=300, extra=["-r", "10"]).start()
        failures = []
        rows = []
        for n, entry in enumerate(entries):
            token = "corpus-%d-%s" % (n, entry["file"].rsplit(".", 1)[0])
            values = {"PROXY": net.proxy_addr, "SINK": "%s:%d" % (LOOPBACK, sink_port),
                      "CALLID": token + "@" + LOOPBACK, "BRANCH": "z9hG4bK-" + token,
                      "TOKEN": token}
            got, failure = run_entry(entry, corpus_dir, net.proxy, sink, values)
            rows.append((entry["file"], entry["transport"], entry["expect"], got))
            if failure:
                failures.append("%s (%s): %s" % (entry["file"], entry["transport"], failure))
            if not proxy.alive():
                failures.append("smc-proxy died after %s" % entry["file"])
                break
        calls_running = uac.proc.poll() is None
        soft_stop(uac)
        uac.wait()
        soft_stop(uas)
        uas.wait()
    finally:
        sink.close()
    if print_table:
        for row in rows:
            print("| `%s` | %s | %s | %s |" % row)
    check(not failures, "%d of %d corpus messages got the wrong answer:\n  %s"
          % (len(failures), len(entries), "\n  ".join(failures)))
    check(calls_running, "the calls placed during the corpus should outlast it")
    uac.expect_success()
    check(proxy.alive(), "smc-proxy died")
    run_call(env, net, "after_corpus")
    malformed = (proxy.metric("smc_malformed_messages_total", parser="nta") +
                 proxy.metric("smc_malformed_messages_total", parser="engine"))
    refused = sum(1 for e in entries if isinstance(e["expect"], int) and e["expect"] >= 400)
    check(malformed >= refused,
          "each refused message should be counted as malformed: %d refused, %d counted"
          % (refused, malformed))
    print("%d corpus messages answered as expected; %d concurrent calls and one after"
          % (len(entries), count_calls(uac)))


def count_calls(uac):
    return sum(1 for m in uac.messages() if m.direction == "sent" and m.is_request and
               m.method == "INVITE")


TESTS = {name[len("test_"):]: fn for name, fn in globals().items()
         if name.startswith("test_") and callable(fn)}


def main():
    return run_tests(
        __doc__.splitlines()[0], TESTS,
        add_options=lambda p: p.add_argument(
            "--table", action="store_true",
            help="print each message's answer as a Markdown table row"),
        test_kwargs=lambda a: {"print_table": a.table} if a.test == "corpus" else {})


if __name__ == "__main__":
    sys.exit(main())
