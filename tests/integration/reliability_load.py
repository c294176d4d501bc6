#!/usr/bin/env python3
"""Load runs of smc-proxy with sipp: overload (twice the sustainable rate) and soak.

  reliability_load.py --proxy BIN --source-dir DIR --workdir DIR overload [--rate R]
  reliability_load.py --proxy BIN --source-dir DIR --workdir DIR soak [--rate R]

Not part of ctest: scripts/overload.sh and scripts/soak.sh run these (docs/reliability.md).
Everything runs on 127.0.0.1: a carrier trunk (sipp UAS, the three VSXi profiles on its
ingress) and a pbx trunk (sipp UACs, any source port on the loopback).

`overload`: finds the sustainable rate R (or takes --rate), offers 2R for --overload-s
seconds, then R for --recovery-s seconds; reports calls completed, shed (503) and failed,
the proxy's resident memory over time, and the rate served after the overload.
`soak`: session timers on, R/2 (--rate is the soak rate itself) for --duration-s seconds,
SIGHUP every 30 s, a line every 30 s with failed calls and resident memory.
Exit status 0 when the run met its target (see each command).
"""

import argparse
import csv
import datetime
import glob
import json
import os
import re
import shutil
import signal
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from harness import LOOPBACK, SIPP, Env, Proxy, TestFailure, wait_until

VSXI = ["vsxi/remove-update-from-allow.json", "vsxi/halve-session-expires-1800.json",
        "vsxi/remove-session-expires.json"]


def rss_mb(pid):
    """Resident memory of a process in MB (0 once it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def last_csv_row(path):
    """The last row of a sipp CSV file (';'-separated, header first) as a dict."""
    try:
        with open(path, newline="", encoding="latin-1") as f:
            rows = list(csv.reader(f, delimiter=";"))
    except OSError:
        return {}
    if len(rows) < 2:
        return {}
    return dict(zip(rows[0], rows[-1]))


def number(row, key):
    try:
        return int(float(row.get(key, 0) or 0))
    except ValueError:
        return 0


class LoadSipp:
    """One sipp with its statistics (-trace_stat) and per-message counts (-trace_counts),
    both written once a second into a directory of its own."""

    def __init__(self, env, name, scenario, port, remote=None, rate=None, calls=10 ** 7,
                 extra=(), cpus=()):
        self.env = env
        self.cpus = set(cpus)
        self.name = name
        self.dir = os.path.join(env.workdir, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.stat_path = os.path.join(self.dir, "stat.csv")
        self.scenario = scenario
        argv = [SIPP]
        if remote:
            argv.append(remote)
        argv += ["-sf", os.path.join(env.scenarios, scenario), "-i", LOOPBACK,
                 "-p", str(port), "-m", str(calls), "-nostdin", "-recv_timeout", "20000",
                 "-trace_stat", "-stf", self.stat_path, "-fd", "1", "-trace_counts",
                 "-trace_err", "-error_file", os.path.join(self.dir, "errors.log"),
                 # As bench/proxy does: sipp's default 64 KB socket buffers overflow in the
                 # bursts of a few thousand calls/s, and its own losses would read as the
                 # proxy's.
                 "-buff_size", "4194304"]
        if rate:
            # -l: enough concurrent calls that sipp itself never throttles the offered rate.
            argv += ["-r", str(rate), "-l", str(max(1000, rate * 60))]
        argv += list(extra)
        self.argv = argv
        self.proc = None
        self.started = None

    def start(self):
        self.proc = self.env.procs.start(self.name, self.argv,
                                         os.path.join(self.dir, "screen.log"), cwd=self.dir)
        pin(self.proc.pid, self.cpus)
        self.started = time.monotonic()
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def soft_stop(self):
        """No new calls; sipp ends once the calls under way are done."""
        if self.running():
            self.proc.send_signal(signal.SIGUSR1)

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.running():
            self.env.procs.stop(self.proc)
        time.sleep(1.2)  # the last statistics line

    def stats(self):
        return last_csv_row(self.stat_path)

    def counts(self):
        files = glob.glob(os.path.join(self.dir, "*_counts.csv"))
        return last_csv_row(files[0]) if files else {}

    def outcome(self):
        """{created, completed, shed, failed, retransmissions} so far (a UAC of
        uac_call_or_503.xml or uac_call.xml)."""
        s, c = self.stats(), self.counts()
        shed = number(c, "2_503_Recv")
        if self.scenario == "uac_call_or_503.xml":
            completed = number(c, "8_200_Recv")
        else:
            completed = number(s, "SuccessfulCall(C)")
        return {"created": number(s, "OutgoingCall(C)"), "completed": completed,
                "shed": shed, "failed": number(s, "FailedCall(C)"),
                "retransmissions": number(s, "Retransmissions(C)")}


class Rig:
    """smc-proxy between a pbx trunk (UACs from any loopback port) and a carrier (one UAS)."""

    def __init__(self, env, session_timer=False, limits=None, log_level="info", pinned=True,
                 extra_trunks=(), cpu_share=None):
        self.env = env
        self.proxy_cpus, self.sipp_cpus = cpu_split() if pinned else (set(), set())
        self.proxy_port = env.ports.take()
        self.metrics_port = env.ports.take()
        self.carrier_port = env.ports.take()
        self.proxy_addr = "%s:%d" % (LOOPBACK, self.proxy_port)
        carrier = {"name": "carrier", "sources": ["%s:%d" % (LOOPBACK, self.carrier_port)],
                   "address": "%s:%d" % (LOOPBACK, self.carrier_port), "route_to": "pbx",
                   "ingress": [os.path.join(env.profiles, p) for p in VSXI]}
        if session_timer:
            carrier["session_timer"] = {"enabled": True, "min_se": 1800,
                                        "session_expires": 1800}
        cfg = {"listen": {"address": self.proxy_addr, "transports": ["udp"]},
               "metrics": {"address": "%s:%d" % (LOOPBACK, self.metrics_port)},
               "log_level": log_level,
               "trunks": [carrier,
                          {"name": "pbx", "sources": [LOOPBACK],
                           "address": "%s:%d" % (LOOPBACK, env.ports.take()),
                           "route_to": "carrier"}] + list(extra_trunks)}
        if limits:
            cfg["limits"] = limits
        self.proxy = Proxy(env, "proxy", cfg).start(log_level=log_level)
        pin(self.proxy.proc.pid, self.proxy_cpus)
        self.quota = CpuQuota(self.proxy.proc.pid, cpu_share) if cpu_share else None
        self.uas = LoadSipp(env, "carrier_uas", "uas_call.xml", self.carrier_port,
                            cpus=self.sipp_cpus).start()
        time.sleep(0.5)

    def uac(self, name, rate, calls, scenario="uac_call_or_503.xml", hold_ms=0):
        return LoadSipp(self.env, name, scenario, self.env.ports.take(),
                        remote=self.proxy_addr, rate=rate, calls=calls,
                        extra=["-d", str(hold_ms)], cpus=self.sipp_cpus).start()

    def metric(self, name, **labels):
        try:
            return self.proxy.metric(name, **labels)
        except OSError:
            return float("nan")

    def shed_total(self):
        return (self.metric("smc_overload_shed_total", reason="calls_in_setup") +
                self.metric("smc_overload_shed_total", reason="queue_delay"))

    def rss(self):
        return rss_mb(self.proxy.proc.pid)

    def settle(self, timeout=60):
        """Until no call is in setup any more (the proxy has caught up)."""
        wait_until(lambda: self.metric("smc_calls_in_setup") == 0, timeout, interval=0.5,
                   what="the proxy to have no call in setup")


def pin(pid, cpus):
    """Keeps a process on `cpus` (a set of CPU numbers); nothing when there is no choice."""
    if cpus:
        try:
            os.sched_setaffinity(pid, cpus)
        except OSError:
            pass


class CpuQuota:
    """Caps a process at a share of one core with the kernel's CFS bandwidth control (a cgroup
    of its own, v2 or v1 `cpu`), for as long as the object lives; removed by close().

    Why: on a two-core machine sipp has one core for the callers and the carrier together.
    Offered twice what a whole core of smc-proxy serves, sipp saturates first, and its own
    late answers and losses would be measured as the proxy's. Capping the proxy instead
    makes the proxy the bottleneck at both R and 2R. The 10 ms period keeps the pauses the
    cap adds to each message under 10 ms."""

    PERIOD_US = 10000

    def __init__(self, pid, share):
        self.path = None
        quota = max(1000, int(self.PERIOD_US * share))
        name = "smc-reliability-%d" % os.getpid()
        v2 = "/sys/fs/cgroup/cgroup.controllers"
        try:
            if os.path.exists(v2):
                path = os.path.join("/sys/fs/cgroup", name)
                os.makedirs(path, exist_ok=True)
                self.path = path
                with open(os.path.join(path, "cpu.max"), "w") as f:
                    f.write("%d %d" % (quota, self.PERIOD_US))
            else:
                path = os.path.join("/sys/fs/cgroup/cpu", name)
                os.makedirs(path, exist_ok=True)
                self.path = path
                with open(os.path.join(path, "cpu.cfs_period_us"), "w") as f:
                    f.write(str(self.PERIOD_US))
                with open(os.path.join(path, "cpu.cfs_quota_us"), "w") as f:
                    f.write(str(quota))
            with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
                f.write(str(pid))
        except OSError as e:
            self.close()
            raise TestFailure("cannot cap smc-proxy's CPU with a cgroup (%s); run as root, "
                              "or without --proxy-cpu-share" % e)

    def close(self):
        if self.path:
            try:
                os.rmdir(self.path)  # only once its process is gone (EBUSY before)
                self.path = None
            except OSError:
                pass


def cpu_split():
    """(proxy CPUs, sipp CPUs): with two CPUs or more, the proxy gets the last one to itself
    and sipp the others, as bench/proxy does, so that the proxy's limits are measured rather
    than sipp's share of the machine."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return set(), set()
    return {cpus[-1]}, set(cpus[:-1])


def log(line):
    print(time.strftime("%H:%M:%S"), line, flush=True)


# --- overload ----------------------------------------------------------------------------

def find_rate(rig, start, step_s, ceiling):
    """The highest rate (calls/s, in steps of 25 %) served for step_s seconds with no call
    failed or shed and retransmissions under 1 % of calls."""
    best, rate = 0, start
    while rate <= ceiling:
        uac = rig.uac("find_%d" % rate, rate, rate * step_s)
        uac.wait(step_s + 60)
        o = uac.outcome()
        clean = (o["failed"] == 0 and o["shed"] == 0 and o["created"] == rate * step_s and
                 o["retransmissions"] <= 0.01 * o["created"])
        log("rate search: %5d calls/s for %d s: %s -> %s"
            % (rate, step_s, o, "sustained" if clean else "not sustained"))
        if not clean:
            break
        best = rate
        rate = int(rate * 1.25 / 50 + 0.5) * 50
        rig.settle()
        time.sleep(3)
    return best


def report(name, offered, o, seconds):
    done_rate = o["completed"] / seconds if seconds else 0
    log("%-9s offered %5d/s: %6d calls, %6d completed, %6d shed (503), %5d failed, "
        "%6d retransmissions; %.0f completed/s"
        % (name, offered, o["created"], o["completed"], o["shed"], o["failed"],
           o["retransmissions"], done_rate))
    return done_rate


def run_overload(env, args):
    limits = json.loads(args.limits) if args.limits else None
    rig = Rig(env, limits=limits, pinned=not args.no_pin, cpu_share=args.proxy_cpu_share)
    try:
        if args.proxy_cpu_share:
            log("smc-proxy capped at %.0f %% of a core (CFS bandwidth, %d ms period)"
                % (100 * args.proxy_cpu_share, CpuQuota.PERIOD_US // 1000))
        if limits:
            log("limits: %s" % json.dumps(limits))
        if rig.proxy_cpus:
            log("smc-proxy on CPU %s, sipp on CPU %s" % (sorted(rig.proxy_cpus),
                                                         sorted(rig.sipp_cpus)))
        if args.rate:
            rate = args.rate
            log("sustainable rate R = %d calls/s (given)" % rate)
        else:
            rate = find_rate(rig, args.search_start, args.search_step_s, args.search_ceiling)
            if rate == 0:
                raise TestFailure("no rate from %d calls/s up was sustained" % args.search_start)
            log("sustainable rate R = %d calls/s (measured)" % rate)
            rig.settle()
            time.sleep(5)
        rss = [(0.0, rig.rss())]
        shed_before = rig.shed_total()
        overload = rig.uac("overload_2R", 2 * rate, 2 * rate * args.overload_s)
        t0 = time.monotonic()
        recovery = None
        last_line = -5
        window = {"overload": (0, 0), "recovery": (0, 0)}  # completed, shed at the last line
        while True:
            now = time.monotonic() - t0
            if recovery is None and (now >= args.overload_s or not overload.running()):
                overload.soft_stop()  # sipp may lag behind its schedule under load
                recovery = rig.uac("recovery_R", rate, rate * args.recovery_s)
            if recovery is not None and not recovery.running() and not overload.running():
                break
            if now > args.overload_s + args.recovery_s + 180:
                log("the run is taking too long: stopping the callers")
                overload.soft_stop()
                if recovery:
                    recovery.soft_stop()
            mem = rig.rss()
            rss.append((now, mem))
            if now - last_line >= 5:
                last_line = now
                parts = []
                for name, uac in (("2R", overload), ("R", recovery)):
                    if uac is None:
                        continue
                    o = uac.outcome()
                    key = "overload" if uac is overload else "recovery"
                    done, shed = window[key]
                    parts.append("%s: +%d done +%d shed, %d failed" % (
                        name, o["completed"] - done, o["shed"] - shed, o["failed"]))
                    window[key] = (o["completed"], o["shed"])
                log("t=%4.0fs %-8s rss %6.1f MB  in setup %5.0f  delay %4.0f ms  admitted %.2f  %s"
                    % (now, "overload" if recovery is None else "recovery", mem,
                       rig.metric("smc_calls_in_setup"),
                       1000 * rig.metric("smc_overload_queue_delay_seconds"),
                       rig.metric("smc_overload_admitted_share"), "  ".join(parts)))
            time.sleep(1)
        overload.wait(5)
        recovery.wait(5)
        o, r = overload.outcome(), recovery.outcome()
        print()
        log("summary (R = %d calls/s; 2R for %d s, then R for %d s)"
            % (rate, args.overload_s, args.recovery_s))
        report("overload", 2 * rate, o, args.overload_s)
        served = report("recovery", rate, r, args.recovery_s)
        peak = max(m for _, m in rss)
        log("shed by the proxy (smc_overload_shed_total; a shed INVITE's retransmissions "
            "get the same 503 and are not counted): %d" % (rig.shed_total() - shed_before))
        log("resident memory: %.1f MB before, peak %.1f MB, %.1f MB at the end"
            % (rss[0][1], peak, rss[-1][1]))
        if not rig.proxy.alive():
            raise TestFailure("smc-proxy died")
        if r["failed"] or r["created"] != rate * args.recovery_s:
            raise TestFailure("recovery: %d of %d calls failed at R" % (r["failed"], r["created"]))
        log("recovered: %.0f calls/s completed at R after the overload, 0 failed, %d shed"
            % (served, r["shed"]))
    finally:
        if rig.quota:  # its cgroup goes once the proxy is gone
            rig.proxy.stop()
            rig.quota.close()


# --- soak --------------------------------------------------------------------------------

def run_soak(env, args):
    rig = Rig(env, session_timer=True)
    rate = args.rate
    log("soak: %d calls/s for %d s, hold %d ms, session timers on, SIGHUP every %d s"
        % (rate, args.duration_s, args.hold_ms, args.reload_every_s))
    uac = rig.uac("soak", rate, rate * args.duration_s, scenario="uac_call.xml",
                  hold_ms=args.hold_ms)
    t0 = time.monotonic()
    next_reload = args.reload_every_s
    next_line = 0
    lines = []
    reloads = 0
    while uac.running():
        now = time.monotonic() - t0
        if now >= next_reload:
            rig.proxy.reload()
            reloads += 1
            next_reload += args.reload_every_s
        if now >= next_line:
            s = uac.stats()
            mem = rig.rss()
            lines.append((now, mem, number(s, "FailedCall(C)")))
            log("t=%5.0fs calls %7d ok %7d failed %3d  rss %6.1f MB  reloads %d  "
                "sessions %5.0f  in setup %4.0f"
                % (now, number(s, "OutgoingCall(C)"), number(s, "SuccessfulCall(C)"),
                   number(s, "FailedCall(C)"), mem,
                   rig.metric("smc_reloads_total", result="done"),
                   rig.metric("smc_session_timer_sessions"), rig.metric("smc_calls_in_setup")))
            next_line += 30
        if now > args.duration_s + 120:
            log("the callers are taking too long: stopping them")
            uac.soft_stop()
        time.sleep(0.5)
    uac.wait(30)
    s = uac.stats()
    failed = number(s, "FailedCall(C)")
    ok = number(s, "SuccessfulCall(C)")
    failed_reloads = rig.metric("smc_reloads_total", result="failed")
    warm = [m for t, m, _ in lines if t >= args.warmup_s]
    print()
    log("summary: %d calls, %d successful, %d failed; %d SIGHUPs, %d failed reloads"
        % (number(s, "OutgoingCall(C)"), ok, failed, reloads, failed_reloads))
    if warm:
        log("resident memory after %d s of warm-up: %.1f MB, then min %.1f / max %.1f MB, "
            "%.1f MB at the end (%+.1f %%)"
            % (args.warmup_s, warm[0], min(warm), max(warm), warm[-1],
               100.0 * (warm[-1] - warm[0]) / warm[0] if warm[0] else 0))
    if not rig.proxy.alive():
        raise TestFailure("smc-proxy died")
    if failed or failed_reloads or ok != rate * args.duration_s:
        raise TestFailure("the soak had failed calls or reloads")


# --- reload under load ---------------------------------------------------------------------

LIBRARY_SHAPES = ["strip-update-from-allow.json", "halve-session-expires.json",
                  "strip-vendor-headers.json", "normalize-e164.json", "add-max-forwards.json"]


def write_profiles(env, count):
    """`count` profile files made from five shapes of profiles/library, each one distinct
    (its ProfileID, and a header name or value carrying its number), as the engine's reload
    benchmark does; their paths."""
    out_dir = env.path("profiles")
    os.makedirs(out_dir, exist_ok=True)
    shapes = []
    for name in LIBRARY_SHAPES:
        with open(os.path.join(env.profiles, "library", name)) as f:
            shapes.append(json.load(f))
    paths = []
    for i in range(count):
        profile = json.loads(json.dumps(shapes[i % len(shapes)]))
        profile["ProfileID"] = 100000 + i
        profile["ProfileName"] = "%s #%d" % (profile.get("ProfileName", "profile"), i)
        profile["Description"] = "generated for the reload measurement"
        for rule in profile.get("Rules", []):
            for d in rule.get("ReplaceDefs", []):
                if d.get("ReplaceType") == "DELETE_LINES":
                    d["Header"] = "X-Gen-%d-%s" % (i, d["Header"])
        path = os.path.join(out_dir, "p%04d.json" % i)
        with open(path, "w") as f:
            json.dump(profile, f, indent=2)
        paths.append(path)
    return paths


def generated_trunks(paths):
    """Trunks that carry the generated profiles, two on ingress and one on egress each, from
    loopback addresses nothing sends from: the configuration is this large, the calls go
    through the two trunks of the rig."""
    trunks = []
    for t in range(len(paths) // 3):
        trunks.append({"name": "gen%d" % t,
                       "sources": ["127.1.%d.%d" % (t // 250, t % 250 + 1)],
                       "address": "127.1.%d.%d:5060" % (t // 250, t % 250 + 1),
                       "route_to": "carrier",
                       "ingress": paths[3 * t:3 * t + 2], "egress": [paths[3 * t + 2]]})
    return trunks


def reload_times_ms(proxy_log):
    """[(wall, load, swap), ...] in ms for every reload in the proxy's log: wall from
    "reloading" to "in use"; load (off the proxy's thread) and swap (on it) as the proxy
    logs them."""
    stamps = re.findall(r"^(\S+ \S+) info (reloading.*|configuration generation \d+ in use.*)$",
                        proxy_log, re.M)
    out, start = [], None
    for stamp, what in stamps:
        t = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f")
        if what.startswith("reloading"):
            start = t
        elif start is not None:
            m = re.search(r"loaded in ([\d.]+) ms .* swapped in ([\d.]+) ms", what)
            load, swap = (float(m.group(1)), float(m.group(2))) if m else (float("nan"),) * 2
            out.append(((t - start).total_seconds() * 1000, load, swap))
            start = None
    return out


def per_second_rows(stat_path):
    """sipp's periodic rows (one a second) as dicts."""
    try:
        with open(stat_path, newline="", encoding="latin-1") as f:
            rows = list(csv.reader(f, delimiter=";"))
    except OSError:
        return []
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def run_reload(env, args):
    paths = write_profiles(env, args.profiles)
    rig = Rig(env, extra_trunks=generated_trunks(paths))
    log("configuration: %d profile files on %d generated trunks, plus the rig's two"
        % (len(paths), len(paths) // 3))
    log("%d calls/s for %d s, hold %d ms; SIGHUP every %d s from t=%d s"
        % (args.rate, args.duration_s, args.hold_ms, args.reload_every_s, args.warmup_s))
    uac = rig.uac("reload", args.rate, args.rate * args.duration_s, scenario="uac_call.xml",
                  hold_ms=args.hold_ms)
    t0 = time.monotonic()
    next_reload = args.warmup_s
    reload_at = []  # seconds since t0
    while uac.running():
        now = time.monotonic() - t0
        if next_reload <= now < args.duration_s - args.reload_every_s:
            reload_at.append(now)
            rig.proxy.reload()
            next_reload += args.reload_every_s
        if now > args.duration_s + 120:
            log("the callers are taking too long: stopping them")
            uac.soft_stop()
        time.sleep(0.1)
    uac.wait(30)
    times = reload_times_ms(rig.proxy.log())
    rows = per_second_rows(uac.stat_path)
    # One row a second: the whole seconds after the warm-up, before sipp stops creating calls.
    done = [number(r, "SuccessfulCall(P)") for r in rows]
    steady = done[args.warmup_s:args.duration_s - 1]
    s = uac.stats()
    failed = number(s, "FailedCall(C)")
    retrans = number(s, "Retransmissions(C)")
    print()
    log("summary: %d calls, %d successful, %d failed, %d retransmissions; %d reloads"
        % (number(s, "OutgoingCall(C)"), number(s, "SuccessfulCall(C)"), failed, retrans,
           len(times)))
    for i, what in enumerate(("SIGHUP to in use", "load, off the proxy's thread",
                              "swap, on the proxy's thread")):
        ts = sorted(t[i] for t in times)
        if ts:
            log("reload %s: median %.1f ms, max %.1f ms" % (what, ts[len(ts) // 2], ts[-1]))
    if steady:
        ss = sorted(steady)
        log("calls completed per second from t=%d s: min %d, median %d, max %d (offered %d)"
            % (args.warmup_s, ss[0], ss[len(ss) // 2], ss[-1], args.rate))
    failed_reloads = rig.metric("smc_reloads_total", result="failed")
    if not rig.proxy.alive():
        raise TestFailure("smc-proxy died")
    if failed or failed_reloads or len(times) != len(reload_at):
        raise TestFailure("failed calls (%d) or reloads (%d failed, %d of %d done)"
                          % (failed, failed_reloads, len(times), len(reload_at)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proxy", required=True, help="the smc-proxy executable")
    parser.add_argument("--source-dir", required=True, help="the smc source tree")
    parser.add_argument("--workdir", required=True, help="scratch directory (emptied)")
    sub = parser.add_subparsers(dest="command", required=True)
    o = sub.add_parser("overload", help="2R then R")
    o.add_argument("--rate", type=int, help="the sustainable rate R (default: measured)")
    o.add_argument("--overload-s", type=int, default=45)
    o.add_argument("--recovery-s", type=int, default=30)
    o.add_argument("--search-start", type=int, default=500)
    o.add_argument("--search-step-s", type=int, default=10)
    o.add_argument("--search-ceiling", type=int, default=5000)
    o.add_argument("--limits", help="the proxy's limits as JSON, e.g. "
                   "'{\"max_queue_delay_ms\": 0, \"max_calls_in_setup\": 0}' (guard off)")
    o.add_argument("--proxy-cpu-share", type=float, default=0.0,
                   help="cap smc-proxy at this share of a core (e.g. 0.4), so that sipp can "
                   "offer twice what the proxy serves; 0: no cap")
    o.add_argument("--no-pin", action="store_true",
                   help="leave the proxy and sipp wherever the scheduler puts them")
    s = sub.add_parser("soak", help="R/2 with session timers and reloads")
    s.add_argument("--rate", type=int, required=True, help="calls/s (half of R)")
    s.add_argument("--duration-s", type=int, default=600)
    s.add_argument("--hold-ms", type=int, default=2000)
    s.add_argument("--reload-every-s", type=int, default=30)
    s.add_argument("--warmup-s", type=int, default=60)
    r = sub.add_parser("reload", help="a 1,000-profile configuration reloaded under load")
    r.add_argument("--rate", type=int, default=500, help="calls/s")
    r.add_argument("--profiles", type=int, default=1000)
    r.add_argument("--duration-s", type=int, default=60)
    r.add_argument("--hold-ms", type=int, default=100)
    r.add_argument("--reload-every-s", type=int, default=5)
    r.add_argument("--warmup-s", type=int, default=10)
    args = parser.parse_args()
    if not os.access(SIPP, os.X_OK):
        print("sipp (%s, package sip-tester) is required" % SIPP)
        return 1
    # Stopped by a signal (also from a background shell, where SIGINT is ignored): its sipp
    # and smc-proxy are stopped too, by the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(1))
    workdir = os.path.join(args.workdir, args.command)
    shutil.rmtree(workdir, ignore_errors=True)
    env = Env(args.proxy, args.source_dir, workdir)
    log("logs in %s" % workdir)
    try:
        {"overload": run_overload, "soak": run_soak, "reload": run_reload}[args.command](
            env, args)
    except TestFailure as e:
        log("FAILED: %s" % e)
        return 1
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        env.procs.stop_all()
    log("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
