"""Test harness for smc-proxy: real processes on 127.0.0.1, free ports, bounded waits.

Everything a test starts (smc-proxy, sipp peers) is registered with a Processes object and
stopped by its pid when the test ends, also when it fails. Nothing here sends traffic to
any address but 127.0.0.1. Python 3 standard library only.
"""

import datetime
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

LOOPBACK = "127.0.0.1"
SIPP = "/usr/bin/sipp"


class TestFailure(Exception):
    """A check failed: the message says what was expected and what was seen."""


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Polls predicate() until it is true; raises TestFailure after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TestFailure("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


class Ports:
    """Hands out ports free for both UDP and TCP on the loopback, never the same twice."""

    def __init__(self):
        self._given = set()

    def take(self):
        for _ in range(200):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                udp.bind((LOOPBACK, 0))
                port = udp.getsockname()[1]
                if port in self._given:
                    continue
                tcp.bind((LOOPBACK, port))
            except OSError:
                continue
            finally:
                udp.close()
                tcp.close()
            self._given.add(port)
            return port
        raise TestFailure("no free port on the loopback")


class Processes:
    """Processes a test started; stop_all() ends each by its pid (TERM, then KILL)."""

    def __init__(self):
        self._procs = []

    def start(self, name, argv, log_path, cwd=None):
        log = open(log_path, "wb")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=cwd)
        log.close()
        self._procs.append((name, proc))
        return proc

    def stop(self, proc, sig=signal.SIGTERM, timeout=10):
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        return proc.returncode

    def stop_all(self):
        for _, proc in reversed(self._procs):
            try:
                self.stop(proc, timeout=5)
            except Exception:  # keep stopping the others
                pass
        self._procs = []


# --- sipp message logs ---------------------------------------------------------------

COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact",
           "l": "content-length", "c": "content-type", "k": "supported",
           "x": "session-expires", "s": "subject", "o": "event", "u": "allow-events",
           "r": "refer-to", "b": "referred-by", "e": "content-encoding"}


class SipMsg:
    def __init__(self, direction, text, time=None):
        self.direction = direction  # "sent" or "received"
        self.time = time  # when sipp logged it: seconds since the epoch (None: unknown)
        head, _, self.body = text.partition("\n\n")
        lines = head.split("\n")
        self.start_line = lines[0].strip()
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                name, value = self.headers[-1]
                self.headers[-1] = (name, value + " " + line.strip())
            elif ":" in line:
                name, value = line.split(":", 1)
                self.headers.append((name.strip(), value.strip()))

    @property
    def is_request(self):
        return not self.start_line.startswith("SIP/2.0")

    @property
    def method(self):
        return self.start_line.split()[0] if self.is_request else self.cseq_method

    @property
    def status(self):
        return 0 if self.is_request else int(self.start_line.split()[1])

    def all(self, name):
        """Every value of a header (compact forms folded), comma lists not split."""
        want = name.lower()
        out = []
        for n, v in self.headers:
            n = n.lower()
            if COMPACT.get(n, n) == want:
                out.append(v)
        return out

    def one(self, name):
        values = self.all(name)
        return values[0] if values else None

    def elements(self, name):
        """Every element of a comma-separated header (Via, Route, Record-Route)."""
        out = []
        for v in self.all(name):
            out.extend(e.strip() for e in split_commas(v))
        return out

    @property
    def call_id(self):
        return self.one("call-id")

    @property
    def cseq_number(self):
        return int(self.one("cseq").split()[0])

    @property
    def cseq_method(self):
        return self.one("cseq").split()[1]

    def __repr__(self):
        return "<%s %s>" % (self.direction, self.start_line)


def split_commas(value):
    parts, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(value):
        if c == '"':
            quoted = not quoted
        elif not quoted and c == "<":
            depth += 1
        elif not quoted and c == ">":
            depth -= 1
        elif not quoted and depth == 0 and c == ",":
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return [p for p in parts if p.strip()]


SEPARATOR = re.compile(r"^-{20,} (.*)$", re.M)


def log_time(stamp):
    """A sipp -trace_msg separator's "2026-11-21 20:48:13.577662" as epoch seconds."""
    try:
        return datetime.datetime.strptime(stamp.strip(), "%Y-%m-%d %H:%M:%S.%f").timestamp()
    except ValueError:
        return None


def read_messages(path):
    """The messages of a sipp -trace_msg file, in order, each with the time sipp logged."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="latin-1") as f:
        text = f.read().replace("\r\n", "\n")
    out = []
    parts = SEPARATOR.split(text)  # text, stamp, block, stamp, block ...
    for stamp, block in zip(parts[1::2], parts[2::2]):
        block = block.lstrip("\n")
        first, _, rest = block.partition("\n")
        if "message sent" in first:
            direction = "sent"
        elif "message received" in first:
            direction = "received"
        else:
            continue
        rest = rest.lstrip("\n")
        if rest.strip():
            out.append(SipMsg(direction, rest, log_time(stamp)))
    return out


# --- smc-proxy and sipp ------------------------------------------------------------------

class Proxy:
    """One smc-proxy process with its configuration file and log."""

    def __init__(self, env, name, config, extra_args=()):
        self.env = env
        self.name = name
        self.extra_args = list(extra_args)  # more smc-proxy options
        self.config_path = os.path.join(env.workdir, name + ".json")
        self.log_path = os.path.join(env.workdir, name + ".log")
        self.sip_port = config["listen"]["address"].rsplit(":", 1)[1]
        metrics = config.get("metrics") or {}
        self.metrics_address = metrics.get("address")
        self.write_config(config)
        self.proc = None

    def write_config(self, config):
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(config, f, indent=2)
        os.replace(tmp, self.config_path)  # a reload never reads a half-written file

    def start(self, log_level="debug"):
        argv = [self.env.proxy_bin, "--config", self.config_path, "--log-level", log_level]
        argv += self.extra_args
        self.proc = self.env.procs.start(self.name, argv, self.log_path)
        wait_until(lambda: self.proc.poll() is not None or "generation 1" in self.log(),
                   10, what="smc-proxy to start (see %s)" % self.log_path)
        check(self.proc.poll() is None,
              "smc-proxy exited at start (%s):\n%s" % (self.proc.returncode, self.log()[-2000:]))
        if self.metrics_address:
            wait_until(self._metrics_up, 10, what="the metrics endpoint")
        return self

    def _metrics_up(self):
        try:
            self.metrics()
            return True
        except OSError:
            return False

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def reload(self, wait=True):
        """SIGHUP; with `wait`, until the proxy logged the outcome of one more reload."""
        before = self._reload_outcomes()
        self.proc.send_signal(signal.SIGHUP)
        if wait:
            wait_until(lambda: self._reload_outcomes() > before, 10,
                       what="the reload to finish")

    def _reload_outcomes(self):
        text = self.log()
        return text.count(" in use: ") + text.count("reload failed")

    def metrics(self):
        """{(name, frozenset of label pairs): value} from the metrics endpoint."""
        url = "http://%s/metrics" % self.metrics_address
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
        out = {}
        pattern = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
        for line in text.splitlines():
            m = pattern.match(line)
            if not m:
                continue
            labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
            out[(m.group(1), labels)] = float(m.group(3))
        return out

    def metric(self, name, **labels):
        return self.metrics().get((name, frozenset(labels.items())), 0.0)

    def stop(self):
        if self.proc is not None:
            return self.env.procs.stop(self.proc)
        return None


class Sipp:
    """One sipp run: its message log, error log and screen output."""

    def __init__(self, env, name, scenario, port, remote=None, calls=1, transport="u1",
                 extra=(), timeout=30):
        self.env = env
        self.name = name
        self.msg_log = os.path.join(env.workdir, name + "_messages.log")
        self.err_log = os.path.join(env.workdir, name + "_errors.log")
        self.out_log = os.path.join(env.workdir, name + ".out")
        self.port = port
        for path in (self.msg_log, self.err_log):
            if os.path.exists(path):
                os.remove(path)
        argv = [SIPP]
        if remote:
            argv.append(remote)
        argv += ["-sf", os.path.join(env.scenarios, scenario), "-i", LOOPBACK,
                 "-p", str(port), "-t", transport, "-m", str(calls), "-nostdin",
                 "-timeout", "%ds" % timeout, "-recv_timeout", "10000",
                 "-trace_msg", "-message_file", self.msg_log,
                 "-trace_err", "-error_file", self.err_log]
        argv += list(extra)
        self.argv = argv
        self.timeout = timeout
        self.proc = None

    def start(self):
        self.proc = self.env.procs.start(self.name, self.argv, self.out_log)
        return self

    def wait_listening(self, transport="udp"):
        """Until sipp has bound its port (a UAS must listen before calls come)."""
        kind = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM

        def bound():
            if self.proc.poll() is not None:
                raise TestFailure("sipp %s exited early:\n%s" % (self.name, self.output()))
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind((LOOPBACK, self.port))
                return False
            except OSError:
                return True
            finally:
                s.close()
        wait_until(bound, 10, what="sipp %s to listen on %d" % (self.name, self.port))
        return self

    def wait(self):
        """Waits for sipp to end by itself (bounded by its own -timeout plus a margin)."""
        try:
            return self.proc.wait(timeout=self.timeout + 15)
        except subprocess.TimeoutExpired:
            self.env.procs.stop(self.proc)
            raise TestFailure("sipp %s did not end in time" % self.name)

    def run(self):
        self.start()
        return self.wait()

    def output(self):
        parts = []
        for path in (self.out_log, self.err_log):
            if os.path.exists(path):
                with open(path, encoding="latin-1") as f:
                    parts.append(f.read()[-3000:])
        return "\n".join(parts)

    def messages(self):
        return read_messages(self.msg_log)

    def expect_success(self, rc=None):
        rc = self.proc.returncode if rc is None else rc
        check(rc == 0, "sipp %s ended with %s (0 = every call as scripted):\n%s"
              % (self.name, rc, self.output()))


class Env:
    """What a test needs: binaries, directories, ports, processes."""

    def __init__(self, proxy_bin, source_dir, workdir):
        self.proxy_bin = proxy_bin
        self.source_dir = source_dir
        self.scenarios = os.path.join(source_dir, "tests", "integration", "scenarios")
        self.profiles = os.path.join(source_dir, "profiles")
        self.workdir = workdir
        self.ports = Ports()
        self.procs = Processes()
        os.makedirs(workdir, exist_ok=True)

    def path(self, name):
        return os.path.join(self.workdir, name)

    def write_json(self, name, value):
        path = self.path(name)
        with open(path, "w") as f:
            json.dump(value, f, indent=2)
        return path


def run_tests(description, tests, add_options=None, test_kwargs=None):
    """The command line of a test driver: `--proxy P --source-dir S --workdir W NAME` runs
    tests[NAME](env) in W/NAME (emptied first), stops everything it started, prints PASSED or
    FAILED with the reason, and returns the exit status (0 only when it passed).

    add_options(parser) adds a driver's own options; test_kwargs(args) returns the keyword
    arguments they turn into for the chosen test."""
    import argparse
    import shutil
    import traceback

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--proxy", required=True, help="the smc-proxy executable")
    parser.add_argument("--source-dir", required=True, help="the smc source tree")
    parser.add_argument("--workdir", required=True, help="scratch directory (emptied)")
    if add_options:
        add_options(parser)
    parser.add_argument("test", choices=sorted(tests))
    args = parser.parse_args()
    if not os.access(SIPP, os.X_OK):
        print("sipp (%s, package sip-tester) is required" % SIPP)
        return 1
    workdir = os.path.join(args.workdir, args.test)
    shutil.rmtree(workdir, ignore_errors=True)
    env = Env(args.proxy, args.source_dir, workdir)
    started = time.monotonic()
    try:
        tests[args.test](env, **(test_kwargs(args) if test_kwargs else {}))
    except TestFailure as e:
        print("FAILED %s: %s\n(logs in %s)" % (args.test, e, workdir))
        return 1
    except Exception:
        traceback.print_exc()
        print("ERROR in %s (logs in %s)" % (args.test, workdir))
        return 1
    finally:
        env.procs.stop_all()
    print("PASSED %s in %.1f s" % (args.test, time.monotonic() - started))
    return 0
