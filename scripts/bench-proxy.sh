#!/usr/bin/env bash
# smc-proxy against Kamailio 5.6, side by side, in one command: builds smc-proxy (Release) in
# build-pbench/, installs Kamailio and sipp if they are missing, then runs bench/proxy/run.py.
#
#   scripts/bench-proxy.sh --quick     # a sanity check: 8 s steps, coarse search (~6 min)
#   scripts/bench-proxy.sh             # the full run: 30 s steps (~30-40 min)
#   scripts/bench-proxy.sh --systems smc-on,kam-rw --memory-rate 2000   # other run.py options
#
# Environment: SMC_PBENCH_BUILD_DIR (default <repo>/build-pbench), SMC_PBENCH_JOBS (default 2).
# Results: <build dir>/bench-proxy/<date>-<mode>/ (summary.txt, results.json, steps.log and
# every sipp/proxy log). See docs/performance.md, "## Proxy".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SMC_PBENCH_BUILD_DIR:-$root/build-pbench}
jobs=${SMC_PBENCH_JOBS:-2}

missing=()
command -v kamailio >/dev/null || missing+=(kamailio)
command -v sipp >/dev/null || missing+=(sip-tester)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSMC_BUILD_TESTS=OFF \
  -DSMC_BUILD_CLI=OFF -DSMC_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target smc-proxy

exec python3 "$root/bench/proxy/run.py" --smc-proxy "$build/integration/smc-proxy" \
  --out "$build/bench-proxy" "$@"
