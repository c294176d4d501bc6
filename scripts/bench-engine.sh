#!/usr/bin/env bash
# Builds the engine benchmarks in Release and runs them: 5 repetitions of each, then prints
# the medians, the ratios the targets are about and whether each target is met.
#
#   scripts/bench-engine.sh                      # everything (about 5 minutes)
#   scripts/bench-engine.sh --benchmark_filter='^vsxi/'   # extra arguments go to the binary
#
# Environment:
#   SMC_BENCH_BUILD_DIR  build directory (default: <repo>/build-bench)
#   SMC_BENCH_JOBS       parallel build jobs (default: 2)
#   SMC_BENCH_CPU        pin the benchmark to this CPU with taskset (default: not pinned)
#   SMC_BENCH_MAX_LOAD   wait until the 1-minute load average is below this (default: 0.5)
#   SMC_BENCH_MAX_WAIT   ... but for at most this many seconds (default: 120)
# Results (JSON, every repetition's aggregates) go to $SMC_BENCH_BUILD_DIR/bench-engine.json.
# The targets are reported, never enforced: the exit status says only whether the run worked.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SMC_BENCH_BUILD_DIR:-$root/build-bench}
jobs=${SMC_BENCH_JOBS:-2}
max_load=${SMC_BENCH_MAX_LOAD:-0.5}
max_wait=${SMC_BENCH_MAX_WAIT:-120}
out=$build/bench-engine.json

# The proxy, CLI and tests are not needed here; leaving them out keeps this working on a
# machine without sofia-sip or GoogleTest.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSMC_BUILD_BENCH=ON \
  -DSMC_BUILD_PROXY=OFF -DSMC_BUILD_CLI=OFF -DSMC_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target smc_engine_bench
bin=$build/bench/engine/smc_engine_bench

load1() { cut -d' ' -f1 /proc/loadavg; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

waited=0
while ! below "$(load1)" "$max_load" && [ "$waited" -lt "$max_wait" ]; do
  sleep 5
  waited=$((waited + 5))
done
if ! below "$(load1)" "$max_load"; then
  echo "warning: load average $(load1) is still >= $max_load after ${max_wait}s; running anyway" >&2
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "commit:  $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
     "(working tree may differ)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (waited ${waited}s)"

pin=()
if [ -n "${SMC_BENCH_CPU:-}" ]; then pin=(taskset -c "$SMC_BENCH_CPU"); fi
"${pin[@]}" "$bin" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out" --benchmark_out_format=json "$@" >/dev/null

echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results:     $out"
echo

python3 - "$out" <<'EOF'
import json
import sys

with open(sys.argv[1]) as f:
    data = json.load(f)

median = {}
cv = {}
for b in data["benchmarks"]:
    if b.get("run_type") != "aggregate":
        continue
    if b["aggregate_name"] == "median":
        median[b["run_name"]] = b
    elif b["aggregate_name"] == "cv":
        cv[b["run_name"]] = b["cpu_time"]

SCALE = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

def cpu_ns(name):
    b = median.get(name)
    return None if b is None else b["cpu_time"] * SCALE[b["time_unit"]]

def per_second(name):
    b = median.get(name)
    return None if b is None else b.get("items_per_second")

print("Medians of 5 repetitions (CPU time per iteration; items/s is messages/s, or rules/s"
      " for rules/*/compile):")
print(f"{'benchmark':<50} {'CPU time':>14} {'items/s':>14} {'cv':>6}")
for name, b in median.items():
    t = b["cpu_time"]
    unit = b["time_unit"]
    ips = b.get("items_per_second")
    ips_text = f"{ips:,.0f}" if ips else "-"
    cv_text = f"{100 * cv[name]:.1f}%" if name in cv else "-"
    print(f"{name:<50} {t:>11,.1f} {unit:<2} {ips_text:>14} {cv_text:>6}")
print()

def ratio(a, b):
    x, y = cpu_ns(a), cpu_ns(b)
    return None if x is None or y is None or y == 0 else x / y

def show(label, value, fmt="{:.2f}"):
    print(f"  {label:<62} {fmt.format(value) if value is not None else 'not measured'}")

print("Derived (same run):")
for msg in ("200ok", "invite"):
    full = cpu_ns(f"vsxi/{msg}/parse_apply_serialize")
    floor = cpu_ns(f"vsxi/{msg}/parse_serialize")
    if full is not None and floor is not None:
        show(f"vsxi {msg}: (parse+apply+serialize) - (parse+serialize), ns", full - floor,
             "{:.0f}")
for shape in ("conditioned", "unconditional"):
    show(f"{shape}: apply 1000 rules / apply 10 rules",
         ratio(f"rules/{shape}/apply/1000", f"rules/{shape}/apply/10"))
    show(f"{shape}: parse+apply+serialize 1000 / 10",
         ratio(f"rules/{shape}/parse_apply_serialize/1000",
               f"rules/{shape}/parse_apply_serialize/10"))
show("conditioned: build_chain 1000 rules / 100 rules (10 if linear)",
     ratio("rules/conditioned/build_chain/1000", "rules/conditioned/build_chain/100"))
show("untouched BYE: apply with 1000 rules / with the 3 VSXi profiles",
     ratio("untouched/bye/rules1000/apply", "untouched/bye/vsxi/apply"))
print()

def verdict(ok):
    return "not measured" if ok is None else ("MET" if ok else "MISSED")

print("Targets (reported, not enforced):")
rate = per_second("vsxi/200ok/parse_apply_serialize")
print(f"  >= 1,000,000 msgs/s/core, VSXi profiles on the 200 OK (parse+apply+serialize): "
      f"{rate:,.0f}/s -> {verdict(rate >= 1e6)}" if rate else
      "  >= 1,000,000 msgs/s/core: not measured")
r = ratio("rules/conditioned/apply/1000", "rules/conditioned/apply/10")
print(f"  apply 1000 rules <= 5x apply 10 rules (few concern the message): "
      f"{r:.2f}x -> {verdict(r <= 5)}" if r else "  1000 vs 10 rules: not measured")
t = cpu_ns("reload/1000_profiles/compile_and_build_chains")
print(f"  compile 1,000 profiles and build their chains < 100 ms: "
      f"{t / 1e6:.1f} ms -> {verdict(t < 100e6)}" if t else "  reload: not measured")
EOF
