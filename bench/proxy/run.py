#!/usr/bin/env python3
"""smc-proxy against Kamailio 5.6, side by side: highest clean call rate, CPU and memory per call.

Systems (each a proxy between a sipp UAC, the "pbx", and a sipp UAS, the "carrier"):
  smc-off    smc-proxy, no profiles, no session timers   (smc-proxy-off.json)
  smc-on     smc-proxy, VSXi profiles 17, 100, 18 on the carrier's messages and session
             timers with min_se 1800 on both trunks        (smc-proxy-on.json)
  kam-plain  Kamailio: tm, rr, dialog, sst min_se 1800     (kamailio.cfg)
  kam-rw     the same plus the Allow and Session-Expires rewrites (-A WITH_REWRITES)

For each system it:
  1. checks a sample of calls: what the UAC receives in the 200 (Allow, Session-Expires), the
     per-profile rewrite counters of smc-proxy, and whether an INVITE with Session-Expires 90
     gets a 422 (session timers enforced);
  2. finds the highest call rate that runs clean (every call successful, no retransmission
     on either side, the rate actually reached) for the step duration, by growing the rate
     and then bisecting. The systems take turns, one step each, so that a noisy minute on
     this shared machine falls on all of them rather than on one;
  3. runs every system at one fixed rate for memory (VmRSS, VmHWM, PSS) and CPU per call in
     the steady state.

The proxy runs alone on core 1 (taskset -c 1); both sipp and this driver run on core 0.
Every process it starts is stopped by its pid; every wait is bounded. Loopback only.
Python 3 standard library only. See docs/performance.md, "## Proxy".
"""

import argparse
import csv
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LOOPBACK = "127.0.0.1"
TICK = os.sysconf("SC_CLK_TCK")
SYSTEMS = ("smc-off", "smc-on", "kam-plain", "kam-rw")
SIPP_BUFF = 4194304
# Both proxies ask for 4 MiB of UDP receive buffer: smc-proxy always does (TPTAG_UDP_RMEM),
# Kamailio is given maxbuffer=4 MiB. The kernel caps the request at net.core.rmem_max and
# doubles it (SO_RCVBUF reads back 8 MiB).
UDP_BUFFER = 4194304

MODES = {
    # step_s: duration of each rate step; the rest shape the search and the memory run.
    "full": dict(step_s=30, start=1000, growth=1.5, resolution=0.05, min_step=100,
                 max_steps=9, mem_s=50, steady_s=15, check_calls=20, quiet_wait_s=120,
                 attempts=3),
    "quick": dict(step_s=8, start=1000, growth=2.0, resolution=0.20, min_step=250,
                  max_steps=5, mem_s=20, steady_s=8, check_calls=10, quiet_wait_s=15,
                 attempts=2),
}


class BenchError(Exception):
    """Something the bench needs did not work; the message says what."""


# ---------------------------------------------------------------------------- /proc readers

def proc_user_sys(pid):
    """(utime, stime) of every thread of pid, in clock ticks ((0, 0) once it is gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]), int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0, 0


def proc_ticks(pid):
    return sum(proc_user_sys(pid))


def proc_status_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children_of(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True, timeout=10).stdout
    return [int(p) for p in out.split()]


def cpu_idle_ticks():
    """Idle ticks (idle + iowait) per CPU from /proc/stat: {cpu_index: ticks}.

    Busy time is worked out as elapsed minus idle: on this tickless VM the user/system
    columns lag behind, while idle time is kept exactly.
    """
    idle = {}
    with open("/proc/stat") as f:
        for line in f:
            m = re.match(r"cpu(\d+) (.*)", line)
            if m:
                v = [int(x) for x in m.group(2).split()]
                idle[int(m.group(1))] = v[3] + v[4]
    return idle


def busy_pct(idle0, idle1, cpu, secs):
    return max(0.0, 100.0 - 100.0 * (idle1[cpu] - idle0[cpu]) / TICK / secs)


def udp_rcvbuf_errors():
    with open("/proc/net/snmp") as f:
        rows = [l.split() for l in f if l.startswith("Udp:")]
    return int(rows[1][rows[0].index("RcvbufErrors")])


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def socket_rcvbuf(port):
    """The receive buffer (skmem rb) of the UDP socket bound to 127.0.0.1:port, in bytes."""
    out = subprocess.run(["ss", "-uanm", "sport = :%d" % port], capture_output=True,
                         text=True, timeout=10).stdout
    m = re.search(r"\brb(\d+)", out)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------------------- processes

class Processes:
    """What the bench started; stop_all() ends each by its pid (TERM, then KILL)."""

    def __init__(self):
        self.procs = []

    def start(self, argv, log_path, cpu):
        log = open(log_path, "wb")
        proc = subprocess.Popen(["taskset", "-c", str(cpu)] + argv, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self.procs.append(proc)
        return proc

    def stop(self, proc, grace=5.0):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for proc in list(reversed(self.procs)):
            self.stop(proc)


def port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((LOOPBACK, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def tcp_port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((LOOPBACK, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def pick_ports():
    """proxy, uac, uas, metrics: a free block away from 5060, which may be busy."""
    for base in range(25060, 40000, 100):
        ports = dict(proxy=base, uac=base + 10, uas=base + 20, metrics=base + 30)
        if all(port_free(p) for p in ports.values()) and tcp_port_free(ports["metrics"]):
            return ports
    raise BenchError("no free block of UDP ports on the loopback between 25060 and 40000")


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise BenchError("timed out after %.0f s waiting for %s" % (timeout, what))


# ---------------------------------------------------------------------------- the proxies

class Proxy:
    """One system under test: start() it pinned to core 1, pids() for its accounting."""

    def __init__(self, system, args, ports, procs, scratch):
        self.system = system
        self.args = args
        self.ports = ports
        self.procs = procs
        self.scratch = scratch
        self.proc = None
        self._pids = []

    def _smc_config(self, metrics):
        name = "smc-proxy-on.json" if self.system == "smc-on" else "smc-proxy-off.json"
        with open(os.path.join(HERE, name)) as f:
            cfg = json.load(f)
        p = self.ports
        cfg["listen"]["address"] = "%s:%d" % (LOOPBACK, p["proxy"])
        cfg["metrics"] = {"address": "%s:%d" % (LOOPBACK, p["metrics"])} if metrics else None
        if self.args.smc_t1x64_ms:
            cfg.setdefault("timers", {})["t1x64_ms"] = self.args.smc_t1x64_ms
        for t in cfg["trunks"]:
            port = p["uas"] if t["name"] == "carrier" else p["uac"]
            t["sources"] = ["%s:%d" % (LOOPBACK, port)]
            t["address"] = ("sip:%s:%d;transport=udp" % (LOOPBACK, port)
                            if t["name"] == "carrier" else "%s:%d" % (LOOPBACK, port))
            for key in ("ingress", "egress"):
                t[key] = [os.path.normpath(os.path.join(HERE, x)) for x in t.get(key, [])]
        path = os.path.join(self.scratch, "%s%s.json" % (self.system, "-metrics" if metrics else ""))
        with open(path, "w") as f:
            json.dump(cfg, f, indent=1)
        return path

    def start(self, log_path, metrics=False, wrapper=()):
        p = self.ports
        if self.system.startswith("smc"):
            argv = list(wrapper) + [self.args.smc_proxy, "--config", self._smc_config(metrics)]
        else:
            run = os.path.join(self.scratch, "kam-run")
            os.makedirs(run, exist_ok=True)
            argv = ["kamailio", "-DD", "-E", "-f", os.path.join(HERE, "kamailio.cfg"),
                    "-A", "SIP_LISTEN=udp:%s:%d" % (LOOPBACK, p["proxy"]),
                    "-A", 'SIP_ALIAS="%s:%d"' % (LOOPBACK, p["proxy"]),
                    "-A", 'UAS_HOSTPORT="%s:%d"' % (LOOPBACK, p["uas"]),
                    "-A", 'CTL_SOCK="unix:%s/ctl"' % run,
                    "-A", "CHILDREN=%d" % self.args.kam_children, "-A", "DBG_LEVEL=0",
                    "-A", "MAXBUFFER=%d" % UDP_BUFFER,
                    "-Y", run, "-P", os.path.join(run, "kamailio.pid"),
                    "-m", "1024", "-M", "16", "-w", run]
            if self.system == "kam-rw":
                argv[5:5] = ["-A", "WITH_REWRITES"]
        self.proc = self.procs.start(argv, log_path, cpu=1)
        wait_until(lambda: self.proc.poll() is not None or not port_free(p["proxy"]), 60,
                   "%s to bind udp %d" % (self.system, p["proxy"]))
        if self.proc.poll() is not None:
            raise BenchError("%s exited at start (status %s); see %s"
                             % (self.system, self.proc.returncode, log_path))
        time.sleep(1.0)  # Kamailio forks its workers after binding
        self._pids = [self.proc.pid]
        if self.system.startswith("kam"):
            self._pids += children_of(self.proc.pid)

    def pids(self):
        return self._pids

    def ticks(self):
        return sum(proc_ticks(p) for p in self._pids)

    def system_ticks(self):
        return sum(proc_user_sys(p)[1] for p in self._pids)

    def memory_kb(self):
        """Summed over the processes: VmRSS, VmHWM, PSS (PSS counts shared pages once)."""
        return dict(rss=sum(proc_status_kb(p, "VmRSS") for p in self._pids),
                    hwm=sum(proc_status_kb(p, "VmHWM") for p in self._pids),
                    pss=sum(proc_pss_kb(p) for p in self._pids))

    def stop(self):
        if self.proc is not None:
            self.procs.stop(self.proc)
            self.proc = None


# ---------------------------------------------------------------------------- sipp

def sipp_uas(args, ports, procs, d, tag, trace=False):
    argv = [args.sipp, "-sf", os.path.join(HERE, "uas.xml"), "-i", LOOPBACK,
            "-p", str(ports["uas"]), "-nostdin", "-buff_size", str(SIPP_BUFF),
            "-trace_stat", "-stf", os.path.join(d, tag + "_uas_stat.csv"), "-fd", "1",
            "-timeout", "%ds" % args.sipp_timeout_s]
    if trace:
        argv += ["-trace_msg", "-message_file", os.path.join(d, tag + "_uas_messages.log")]
    proc = procs.start(argv, os.path.join(d, tag + "_uas.out"), cpu=0)
    wait_until(lambda: proc.poll() is not None or not port_free(ports["uas"]), 10,
               "the sipp UAS to bind udp %d" % ports["uas"])
    if proc.poll() is not None:
        raise BenchError("the sipp UAS exited at start; see %s_uas.out" % tag)
    return proc


def sipp_uac_argv(args, ports, d, tag, scenario, rate, calls, timeout_s, trace=False):
    argv = [args.sipp, "%s:%d" % (LOOPBACK, ports["proxy"]), "-sf", os.path.join(HERE, scenario),
            "-i", LOOPBACK, "-p", str(ports["uac"]), "-r", str(rate), "-m", str(calls),
            "-d", str(args.hold_ms), "-nostdin", "-buff_size", str(SIPP_BUFF),
            "-trace_stat", "-stf", os.path.join(d, tag + "_uac_stat.csv"), "-fd", "1",
            "-timeout", "%ds" % timeout_s, "-timeout_error"]
    if trace:
        argv += ["-trace_msg", "-message_file", os.path.join(d, tag + "_uac_messages.log")]
    return argv


def last_stats(path):
    """sipp's cumulative counters from its -trace_stat file, and the creation rate it reached.

    The rate is taken from the last periodic row written while calls were still being created
    (calls created / seconds since start), so the start-up and the final BYEs do not count.
    """
    try:
        with open(path) as f:
            rows = list(csv.reader(f, delimiter=";"))
        head, last = rows[0], rows[-1]
        get = lambda row, k: int(row[head.index(k)] or 0) if k in head else 0
        stats = dict(ok=get(last, "SuccessfulCall(C)"), failed=get(last, "FailedCall(C)"),
                     rtx=get(last, "Retransmissions(C)"), created=get(last, "TotalCallCreated"),
                     unexpected=get(last, "FailedUnexpectedMessage(C)"), rate=None)
        start = float(rows[1][head.index("StartTime")].split()[-1])
        for row in rows[1:]:
            created = get(row, "TotalCallCreated")
            t = float(row[head.index("CurrentTime")].split()[-1]) - start
            if 0 < created < stats["created"] and t >= 1.0:
                stats["rate"] = created / t
        return stats
    except (OSError, IndexError, ValueError):
        return dict(ok=0, failed=0, rtx=0, created=0, unexpected=0, rate=None)


def messages(path):
    """The messages of a sipp -trace_msg log, as text blocks."""
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    return [b for b in re.split(r"\n-{5,}[^\n]*\n", text) if b.strip()]


def header(msg, name):
    m = re.search(r"^%s\s*:\s*(.*?)\s*$" % re.escape(name), msg, re.M | re.I)
    return m.group(1) if m else None


# ---------------------------------------------------------------------------- one system

class Bench:
    def __init__(self, args, mode):
        self.args = args
        self.mode = mode
        self.m = dict(MODES[mode])
        if args.start_rate:
            self.m["start"] = args.start_rate
        self.procs = Processes()
        self.ports = pick_ports()
        stamp = datetime.datetime.utcnow().strftime("%Y%m%d-%H%M%S")
        self.out = os.path.join(args.out, "%s-%s" % (stamp, mode))
        os.makedirs(self.out, exist_ok=True)
        self.log_file = open(os.path.join(self.out, "steps.log"), "a")

    def log(self, text):
        line = "%s %s" % (datetime.datetime.utcnow().strftime("%H:%M:%S"), text)
        print(line, flush=True)
        self.log_file.write(line + "\n")
        self.log_file.flush()

    def proxy(self, system):
        d = os.path.join(self.out, system)
        os.makedirs(d, exist_ok=True)
        return Proxy(system, self.args, self.ports, self.procs, d), d

    def wait_quiet(self):
        """Waits (bounded) until the machine's other work uses < 15 % of a core."""
        waited = 0.0
        while True:
            b0, t0 = cpu_idle_ticks(), time.monotonic()
            time.sleep(2)
            b1, t1 = cpu_idle_ticks(), time.monotonic()
            pct = sum(busy_pct(b0, b1, c, t1 - t0) for c in b0)
            if pct < 15 or waited >= self.m["quiet_wait_s"]:
                return pct, waited
            time.sleep(3)
            waited += 5 + (t1 - t0)

    # ---- functional check on a sample of calls
    def check(self, system):
        proxy, d = self.proxy(system)
        n = self.m["check_calls"]
        result = dict(system=system, calls=n)
        try:
            proxy.start(os.path.join(d, "check_proxy.log"), metrics=system.startswith("smc"))
            result["udp_rcvbuf_bytes"] = socket_rcvbuf(self.ports["proxy"])
            uas = sipp_uas(self.args, self.ports, self.procs, d, "check", trace=True)
            argv = sipp_uac_argv(self.args, self.ports, d, "check", "uac.xml", 10, n, 60, True)
            uac = self.procs.start(argv, os.path.join(d, "check_uac.out"), cpu=0)
            uac.wait(timeout=90)
            self.procs.stop(uac)
            st = last_stats(os.path.join(d, "check_uac_stat.csv"))
            result.update(ok=st["ok"], failed=st["failed"])
            # what the UAC got in each 200 to INVITE, and what the UAS sent
            got = [m for m in messages(os.path.join(d, "check_uac_messages.log"))
                   if "message received" in m and re.search(r"^SIP/2.0 200", m, re.M)
                   and re.search(r"^CSeq:\s*1 INVITE", m, re.M | re.I)]
            allow = sorted({header(m, "Allow") for m in got}, key=str)
            se = sorted({header(m, "Session-Expires") for m in got}, key=str)
            result.update(sampled_200s=len(got), allow_seen=allow, session_expires_seen=se)
            if system.startswith("smc"):
                result["rule_rewrites"] = self.rule_rewrites()
            # session timers: does an INVITE with SE 90 get a 422?
            argv = sipp_uac_argv(self.args, self.ports, d, "probe", "uac_se90.xml", 1, 1, 30, True)
            probe = self.procs.start(argv, os.path.join(d, "probe_uac.out"), cpu=0)
            probe.wait(timeout=45)
            self.procs.stop(probe)
            text = "\n".join(messages(os.path.join(d, "probe_uac_messages.log")))
            result["se90_answer"] = ("422" if re.search(r"^SIP/2.0 422", text, re.M)
                                     else "200" if re.search(r"^SIP/2.0 200", text, re.M)
                                     else "none")
            m422 = re.search(r"^Min-SE:\s*(\S+)", text, re.M | re.I)
            result["se90_min_se"] = m422.group(1) if m422 else None
            self.procs.stop(uas)
        finally:
            proxy.stop()
        result["verdict"], result["notes"] = self.judge_check(system, result)
        return result

    def rule_rewrites(self):
        url = "http://%s:%d/metrics" % (LOOPBACK, self.ports["metrics"])
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
        counts = {}
        for m in re.finditer(r'^smc_rule_rewrites_total\{([^}]*)\}\s+(\S+)', text, re.M):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            key = "profile %s rule %s (%s %s)" % (labels.get("profile"), labels.get("rule"),
                                                  labels.get("trunk"), labels.get("direction"))
            counts[key] = int(float(m.group(2)))
        return counts

    def judge_check(self, system, r):
        notes = []
        ok = r["ok"] == r["calls"] and r["failed"] == 0 and r["sampled_200s"] >= r["calls"]
        if not ok:
            notes.append("sample calls: %d ok, %d failed, %d 200s seen"
                         % (r["ok"], r["failed"], r["sampled_200s"]))
        allow = r["allow_seen"]
        se = r["session_expires_seen"]
        want_rw = system in ("smc-on", "kam-rw")
        has_update = any(a and "UPDATE" in a for a in allow)
        if want_rw and has_update:
            ok = False
            notes.append("Allow still has UPDATE: %s" % allow)
        if not want_rw and not has_update:
            ok = False
            notes.append("Allow lost UPDATE without rewrites: %s" % allow)
        if system == "kam-rw" and se != ["900;refresher=uac"]:
            ok = False
            notes.append("Session-Expires not halved: %s" % se)
        if system in ("smc-off", "kam-plain") and se != ["1800;refresher=uac"]:
            ok = False
            notes.append("Session-Expires changed without rewrites: %s" % se)
        if system == "smc-on":
            # 17 strips ",UPDATE", 100 halves 1800 to 900, 18 then deletes the line. A session
            # timer stage may put a Session-Expires back for the UAC (RFC 4028 8.2).
            if se != [None]:
                notes.append("the UAC got Session-Expires %s although profile 18 deletes it: "
                             "%s" % (se, "the session-timer stage put it back (RFC 4028 8.2)"
                                     if r["se90_answer"] == "422" else "unexplained"))
            rw = r.get("rule_rewrites", {})
            for pid in ("17", "100", "18"):
                n = sum(v for k, v in rw.items() if k.startswith("profile %s " % pid))
                if n < r["calls"]:
                    ok = False
                    notes.append("profile %s rewrote %d of %d 200s" % (pid, n, r["calls"]))
        enforce = system in ("smc-on", "kam-plain", "kam-rw")
        if enforce and r["se90_answer"] != "422":
            notes.append("session timers NOT enforced: SE 90 got %s, not 422" % r["se90_answer"])
            if system.startswith("kam"):
                ok = False
        if not enforce and r["se90_answer"] != "200":
            notes.append("SE 90 got %s with timers off" % r["se90_answer"])
        return ("ok" if ok else "FAILED"), notes

    # ---- one bounded run at a fixed rate
    def run_rate(self, system, rate, duration_s, label, sample_memory=False):
        proxy, d = self.proxy(system)
        tag = "%s_r%d" % (label, rate)
        calls = int(rate * duration_s)
        timeout_s = int(duration_s * 2 + 30)
        quiet_pct, waited = self.wait_quiet()
        res = dict(system=system, rate=rate, calls=calls, label=label, load_before=loadavg(),
                   quiet_before_pct=round(quiet_pct), waited_s=round(waited))
        try:
            proxy.start(os.path.join(d, tag + "_proxy.log"))
            uas = sipp_uas(self.args, self.ports, self.procs, d, tag)
            uas_pid = uas.pid
            mem_idle = proxy.memory_kb()
            res["rcvbuf_bytes"] = socket_rcvbuf(self.ports["proxy"])
            k0, b0, e0 = proxy.ticks(), cpu_idle_ticks(), udp_rcvbuf_errors()
            ks0 = proxy.system_ticks()
            s0 = proc_ticks(uas_pid)
            t0 = time.monotonic()
            argv = sipp_uac_argv(self.args, self.ports, d, tag, "uac.xml", rate, calls, timeout_s)
            uac = self.procs.start(argv, os.path.join(d, tag + "_uac.out"), cpu=0)
            samples = []  # once a second: (t, proxy ticks, memory)
            uac_ticks = 0
            deadline = t0 + timeout_s + 15
            next_sample = t0 + 1.0
            aborted = False
            while uac.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
                uac_ticks = max(uac_ticks, proc_ticks(uac.pid))
                if time.monotonic() >= next_sample:
                    next_sample += 1.0
                    samples.append((time.monotonic() - t0, proxy.ticks(),
                                    proxy.memory_kb() if sample_memory else None))
                    if not sample_memory and self.failing(d, tag):
                        # The step can no longer be clean: stop it rather than watch the
                        # retransmission storm for the rest of the step.
                        aborted = True
                        break
            self.procs.stop(uac)
            t1 = time.monotonic()
            k1, b1, e1 = proxy.ticks(), cpu_idle_ticks(), udp_rcvbuf_errors()
            ks1 = proxy.system_ticks()
            s1 = proc_ticks(uas_pid)
            mem_end = proxy.memory_kb()
            self.procs.stop(uas)
        finally:
            proxy.stop()
        wall = t1 - t0
        uac_st = last_stats(os.path.join(d, tag + "_uac_stat.csv"))
        uas_st = last_stats(os.path.join(d, tag + "_uas_stat.csv"))
        proxy_ticks = k1 - k0
        ours = proxy_ticks + (s1 - s0) + uac_ticks
        busy = sum(busy_pct(b0, b1, c, wall) for c in b0)
        reached = uac_st["rate"] or calls / max(wall - self.args.hold_ms / 1000.0, 0.001)
        peak = 0.0
        prev = (0.0, k0)
        for t, k, _ in samples:
            if t > prev[0]:
                peak = max(peak, 100.0 * (k - prev[1]) / TICK / (t - prev[0]))
            prev = (t, k)
        res.update(
            rc=uac.returncode, aborted=aborted, ok=uac_st["ok"],
            failed=uac_st["failed"] + uas_st["failed"],
            unexpected=uac_st["unexpected"] + uas_st["unexpected"],
            rtx_uac=uac_st["rtx"], rtx_uas=uas_st["rtx"], wall_s=round(wall, 1),
            reached_cps=round(reached), udp_drops=e1 - e0,
            proxy_cpu_pct=round(100.0 * proxy_ticks / TICK / wall, 1),
            proxy_peak1s_pct=round(peak),
            cpu_us_per_call=round(1e6 * proxy_ticks / TICK / max(uac_st["ok"], 1)),
            kernel_share_pct=round(100.0 * (ks1 - ks0) / max(proxy_ticks, 1)),
            sipp_cpu_pct=round(100.0 * ((s1 - s0) + uac_ticks) / TICK / wall),
            core0_busy_pct=round(busy_pct(b0, b1, 0, wall)),
            core1_busy_pct=round(busy_pct(b0, b1, 1, wall)),
            other_cpu_pct=round(busy - 100.0 * ours / TICK / wall),
            load_after=loadavg(), mem_idle_kb=mem_idle, mem_end_kb=mem_end)
        # Other work on the proxy's core: the proxy was starved rather than overloaded.
        res["starved"] = res["core1_busy_pct"] - res["proxy_cpu_pct"] > 15
        res["clean"] = (not aborted and res["rc"] == 0 and res["ok"] == calls and res["failed"] == 0
                        and res["rtx_uac"] == 0 and res["rtx_uas"] == 0
                        and reached >= 0.95 * rate)
        if sample_memory:
            res.update(self.steady_figures(samples, rate, k0, mem_idle))
        return res

    def failing(self, d, tag):
        for side in ("uac", "uas"):
            st = last_stats(os.path.join(d, "%s_%s_stat.csv" % (tag, side)))
            if st["failed"] or st["rtx"]:
                return True
        return False

    def steady_figures(self, samples, rate, k0, mem_idle):
        """CPU per call and memory over the last steady_s seconds of a fixed-rate run."""
        steady = self.m["steady_s"]
        if len(samples) < 3:
            return {}
        t_end = samples[-2][0]  # the last sample may fall after the calls stopped
        window = [s for s in samples if t_end - steady <= s[0] <= t_end]
        if len(window) < 2:
            return {}
        (ta, ka, _), (tb, kb, _) = window[0], window[-1]
        mems = [s[2] for s in window if s[2]]
        pss = max(m["pss"] for m in mems)
        rss = max(m["rss"] for m in mems)
        return dict(steady_window_s=round(tb - ta, 1),
                    steady_cpu_pct=round(100.0 * (kb - ka) / TICK / (tb - ta), 1),
                    steady_cpu_us_per_call=round(1e6 * (kb - ka) / TICK / ((tb - ta) * rate)),
                    steady_rss_kb=rss, steady_pss_kb=pss,
                    hwm_kb=max(m["hwm"] for m in mems),
                    pss_growth_kb=pss - mem_idle["pss"],
                    pss_bytes_per_cps=round(1024.0 * (pss - mem_idle["pss"]) / rate),
                    series_kb=[(round(t), m["rss"], m["pss"]) for t, _, m in samples if m])

    # ---- smc-proxy under valgrind: callgrind (where the instructions go) or massif (the heap)
    def valgrind(self, tool, system, rate=40, calls=1000):
        """A short run of smc-proxy under valgrind --tool=TOOL; returns the report's path."""
        proxy, d = self.proxy(system)
        out = os.path.join(d, tool + ".out")
        try:
            proxy.start(os.path.join(d, tool + "_proxy.log"),
                        wrapper=["valgrind", "--tool=" + tool, "--%s-out-file=%s" % (tool, out)])
            uas = sipp_uas(self.args, self.ports, self.procs, d, "cg")
            argv = sipp_uac_argv(self.args, self.ports, d, "cg", "uac.xml", rate, calls,
                                 int(calls / rate * 3 + 60))
            uac = self.procs.start(argv, os.path.join(d, "cg_uac.out"), cpu=0)
            uac.wait(timeout=int(calls / rate * 3 + 90))
            st = last_stats(os.path.join(d, "cg_uac_stat.csv"))
            self.log("%s %s: %d calls ok, %d failed, %d retransmissions"
                     % (tool, system, st["ok"], st["failed"], st["rtx"]))
            self.procs.stop(uas)
        finally:
            if proxy.proc is not None:
                self.procs.stop(proxy.proc, grace=60)  # valgrind writes its output at exit
                proxy.proc = None
        report = os.path.join(d, tool + ".txt")
        if tool == "massif":
            text = subprocess.run(["ms_print", out], capture_output=True, text=True,
                                  timeout=300).stdout
            with open(report, "w") as f:
                f.write(text)
            return report
        for inclusive in ("yes", "no"):
            text = subprocess.run(["callgrind_annotate", "--inclusive=" + inclusive, out],
                                  capture_output=True, text=True, timeout=300).stdout
            with open(report, "a") as f:
                f.write("==== callgrind_annotate --inclusive=%s\n" % inclusive)
                f.write("\n".join(text.splitlines()[:90]) + "\n")
        return report

    # ---- the search
    def search(self, systems):
        m = self.m
        state = {s: dict(lo=None, hi=None, steps=0, done=False, runs=[]) for s in systems}

        def next_rate(st):
            lo, hi = st["lo"], st["hi"]
            if hi is None:
                return m["start"] if lo is None else int(round(lo * m["growth"] / 50.0) * 50)
            if lo is None:
                return int(round(hi / m["growth"] / 50.0) * 50)
            return int(round((lo + hi) / 2 / 50.0) * 50)

        while not all(st["done"] for st in state.values()):
            for system in systems:
                st = state[system]
                if st["done"]:
                    continue
                rate = next_rate(st)
                if rate > self.args.max_rate:
                    rate = self.args.max_rate
                res = self.run_rate(system, rate, m["step_s"], "step")
                for _ in range(m["attempts"] - 1):
                    if res["clean"] or not (res["starved"] or res["other_cpu_pct"] > 25):
                        break
                    # Other engineers' work took the proxy's core, or a large share of the
                    # machine, during the step: it says little about the proxy. Again.
                    self.log("%-9s %5d cps: not clean with %d%% of other work (%d%% on the "
                             "proxy's core); again" % (
                                 system, rate, res["other_cpu_pct"],
                                 res["core1_busy_pct"] - res["proxy_cpu_pct"]))
                    st["runs"].append(res)
                    res = self.run_rate(system, rate, m["step_s"], "step")
                st["runs"].append(res)
                st["steps"] += 1
                self.log("%-9s %5d cps: %s%s ok=%d/%d failed=%d (unexpected %d) rtx=%d/%d "
                         "reached=%d proxy=%.0f%% (peak %d%%) %d us/call drops=%d core0=%d%% "
                         "(sipp %d%%) core1=%d%% other=%d%% load=%s"
                         % (system, rate, "clean" if res["clean"] else
                            "ABORTED" if res["aborted"] else "NOT clean",
                            " (starved)" if res["starved"] and not res["clean"] else "",
                            res["ok"], res["calls"], res["failed"], res["unexpected"],
                            res["rtx_uac"], res["rtx_uas"], res["reached_cps"],
                            res["proxy_cpu_pct"], res["proxy_peak1s_pct"],
                            res["cpu_us_per_call"], res["udp_drops"], res["core0_busy_pct"],
                            res["sipp_cpu_pct"], res["core1_busy_pct"], res["other_cpu_pct"],
                            res["load_after"]))
                if res["clean"]:
                    st["lo"] = rate
                else:
                    st["hi"] = rate
                lo, hi = st["lo"], st["hi"]
                if lo is not None and lo >= self.args.max_rate:
                    st["done"] = True  # clean at the cap: the knee is above what we try
                elif lo is not None and hi is not None and \
                        hi - lo <= max(m["min_step"], m["resolution"] * lo):
                    st["done"] = True
                elif lo is None and hi is not None and hi <= self.args.min_rate:
                    st["done"] = True
                elif st["steps"] >= m["max_steps"]:
                    st["done"] = True
        return state


def summarize(bench, checks, state, memory):
    lines = []
    add = lines.append
    add("smc proxy bench, %s mode, %s UTC" % (bench.mode, datetime.datetime.utcnow()
                                               .strftime("%Y-%m-%d %H:%M")))
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for l in f:
            if l.startswith("model name"):
                cpu = l.split(":", 1)[1].strip()
                break
    add("machine: nproc=%d, CPU %s; proxy on core 1, sipp + driver on core 0" % (os.cpu_count(), cpu))
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--short", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.count("\n")
        add("tree: commit %s, %d tracked files modified in the work tree" % (head, dirty))
    except (OSError, subprocess.SubprocessError):
        pass
    add("calls: INVITE/100/180/200/ACK, hold %d ms, BYE/200; step %d s; out: %s"
        % (bench.args.hold_ms, bench.m["step_s"], bench.out))
    add("")
    add("sample check (what the UAC received in the 200; session-timer probe):")
    for c in checks:
        add("  %-9s %s  Allow=%s  Session-Expires=%s  SE-90 INVITE -> %s%s  rcvbuf=%s"
            % (c["system"], c["verdict"], c["allow_seen"], c["session_expires_seen"],
               c["se90_answer"], " (Min-SE %s)" % c["se90_min_se"] if c["se90_min_se"] else "",
               c.get("udp_rcvbuf_bytes")))
        if c.get("rule_rewrites"):
            add("            rewrites: %s" % ", ".join("%s=%d" % kv for kv in sorted(c["rule_rewrites"].items())))
        for n in c["notes"]:
            add("            note: %s" % n)
    add("")
    add("highest clean rate (every call ok, 0 retransmissions, rate reached, %d s per step):"
        % bench.m["step_s"])
    add("  %-9s %8s %8s %10s %10s %6s" % ("system", "clean", "1st fail", "us/call", "cpu%", "steps"))
    knee = {}
    for system, st in state.items():
        lo = st["lo"]
        knee[system] = lo
        best = [r for r in st["runs"] if r["rate"] == lo]
        us = best[-1]["cpu_us_per_call"] if best else None
        cpu_pct = best[-1]["proxy_cpu_pct"] if best else None
        fails = [r for r in st["runs"] if r["rate"] == st["hi"]]
        starved = "*" if fails and fails[-1]["starved"] else ""
        add("  %-9s %8s %8s %10s %10s %6d" % (system, lo if lo else "<%d" % (st["hi"] or 0),
                                              "%s%s" % (st["hi"] or "-", starved), us, cpu_pct,
                                              st["steps"]))
    if any(r["starved"] for st in state.values() for r in st["runs"] if r["rate"] == st["hi"]):
        add("  * that failure came while other work held the proxy's core (starved)")
    add("")
    add("fixed rate %d cps for %d s (steady window: last %d s):"
        % (bench.args.memory_rate, bench.m["mem_s"], bench.m["steady_s"]))
    add("  %-9s %6s %9s %6s %9s %9s %9s %9s %11s %8s" % (
        "system", "clean", "us/call", "sys%", "idle PSS", "PSS", "RSS", "HWM", "B per cps",
        "drops"))
    for system, r in memory.items():
        add("  %-9s %6s %9s %6s %8dK %8dK %8dK %8dK %11s %8d"
            % (system, "yes" if r["clean"] else "NO", r.get("steady_cpu_us_per_call"),
               r.get("kernel_share_pct"), r["mem_idle_kb"]["pss"], r.get("steady_pss_kb", 0),
               r.get("steady_rss_kb", 0), r.get("hwm_kb", 0), r.get("pss_bytes_per_cps"),
               r["udp_drops"]))
    add("")
    on, rw = knee.get("smc-on"), knee.get("kam-rw")
    if on and rw:
        add("ratio smc-on / kam-rw, highest clean rate: %.2f (target >= 2.00)" % (on / rw))
    mon, mrw = memory.get("smc-on"), memory.get("kam-rw")
    if mon and mrw and mon.get("pss_growth_kb") and mrw.get("pss_growth_kb"):
        add("ratio smc-on / kam-rw, memory growth at %d cps: %.2f (target <= 1.00)"
            % (bench.args.memory_rate, mon["pss_growth_kb"] / mrw["pss_growth_kb"]))
        add("ratio smc-on / kam-rw, CPU per call at %d cps: %.2f"
            % (bench.args.memory_rate, mon["steady_cpu_us_per_call"] / max(mrw["steady_cpu_us_per_call"], 1)))
    add("load average at the end: %s" % loadavg())
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short steps, coarse search (a sanity check)")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of %s" % (SYSTEMS,))
    ap.add_argument("--smc-proxy", default=os.path.join(ROOT, "build-pbench", "integration", "smc-proxy"),
                    help="the smc-proxy binary (scripts/bench-proxy.sh builds it)")
    ap.add_argument("--sipp", default=shutil.which("sipp") or "/usr/bin/sipp")
    ap.add_argument("--out", default=os.path.join(ROOT, "build-pbench", "bench-proxy"),
                    help="results go to OUT/<UTC date>-<mode>/")
    ap.add_argument("--hold-ms", type=int, default=100, help="sipp -d: how long a call lasts")
    ap.add_argument("--memory-rate", type=int, default=1000, help="fixed rate of the memory run")
    ap.add_argument("--start-rate", type=int, default=0,
                    help="where the search starts (default 1000): near a known knee, fewer steps")
    ap.add_argument("--max-rate", type=int, default=10000, help="the search stops here")
    ap.add_argument("--min-rate", type=int, default=100, help="... and gives up below this")
    ap.add_argument("--skip-search", action="store_true", help="no search for the highest rate")
    ap.add_argument("--skip-memory", action="store_true", help="no fixed-rate memory run")
    ap.add_argument("--kam-children", type=int, default=2, help="Kamailio UDP workers (anchor: 2)")
    ap.add_argument("--smc-t1x64-ms", type=int, default=0,
                    help="timers.t1x64_ms for smc-proxy (default: nta's 64 x T1 = 32000)")
    ap.add_argument("--callgrind", metavar="SYSTEM",
                    help="only profile smc-proxy (smc-off or smc-on) under callgrind: 1,000 calls "
                         "at 40 cps; the report goes to OUT/.../SYSTEM/callgrind.txt")
    ap.add_argument("--massif", metavar="SYSTEM",
                    help="only profile smc-proxy's heap under massif: 2,000 calls at 40 cps (past "
                         "nta's 32 s linger); the report goes to OUT/.../SYSTEM/massif.txt")
    args = ap.parse_args()
    args.sipp_timeout_s = 600
    systems = [s for s in args.systems.split(",") if s]
    for s in systems:
        if s not in SYSTEMS:
            ap.error("unknown system %r" % s)
    if any(s.startswith("smc") for s in systems) and not os.access(args.smc_proxy, os.X_OK):
        ap.error("no smc-proxy at %s (scripts/bench-proxy.sh builds it)" % args.smc_proxy)
    if any(s.startswith("kam") for s in systems) and not shutil.which("kamailio"):
        ap.error("kamailio is not installed (apt-get install -y kamailio)")
    if os.cpu_count() < 2:
        ap.error("needs 2 cores: the proxy on core 1, sipp on core 0")
    os.sched_setaffinity(0, {0})

    bench = Bench(args, "quick" if args.quick else "full")
    # SIGTERM ends the run like Ctrl-C, so that the finally below stops what was started.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        bench.log("ports %s; out %s; load %s" % (bench.ports, bench.out, loadavg()))
        for tool, system, calls in (("callgrind", args.callgrind, 1000),
                                    ("massif", args.massif, 2000)):
            if system:
                if system not in ("smc-off", "smc-on"):
                    ap.error("--%s takes smc-off or smc-on" % tool)
                print(bench.valgrind(tool, system, calls=calls))
                return 0
        checks = []
        for s in systems:
            c = bench.check(s)
            checks.append(c)
            bench.log("check %-9s %s allow=%s se=%s se90->%s %s" % (
                s, c["verdict"], c["allow_seen"], c["session_expires_seen"], c["se90_answer"],
                "; ".join(c["notes"])))
        state = bench.search(systems) if not args.skip_search else {}
        memory = {}
        if not args.skip_memory:
            for s in systems:
                r = bench.run_rate(s, args.memory_rate, bench.m["mem_s"], "memory", sample_memory=True)
                memory[s] = r
                bench.log("memory %-9s %d cps: %s PSS idle %d KB -> %s KB, RSS %s KB, HWM %s KB, "
                          "%s us/call steady, drops=%d" % (
                              s, args.memory_rate, "clean" if r["clean"] else "NOT clean",
                              r["mem_idle_kb"]["pss"], r.get("steady_pss_kb"),
                              r.get("steady_rss_kb"), r.get("hwm_kb"),
                              r.get("steady_cpu_us_per_call"), r["udp_drops"]))
    except KeyboardInterrupt:
        bench.log("interrupted")
        raise
    finally:
        bench.procs.stop_all()
    text = summarize(bench, checks, state, memory)
    with open(os.path.join(bench.out, "results.json"), "w") as f:
        json.dump(dict(mode=bench.mode, ports=bench.ports, checks=checks,
                       search={k: dict(lo=v["lo"], hi=v["hi"], runs=v["runs"]) for k, v in state.items()},
                       memory=memory), f, indent=1)
    with open(os.path.join(bench.out, "summary.txt"), "w") as f:
        f.write(text + "\n")
    print()
    print(text)
    return 0 if all(c["verdict"] == "ok" for c in checks) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print("bench-proxy: %s" % e, file=sys.stderr)
        sys.exit(2)
