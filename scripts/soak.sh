#!/usr/bin/env bash
# Soak test of smc-proxy (not in the default test suite): sipp calls through the proxy with
# the three VSXi profiles and session timers on, at half the sustainable rate, for 10
# minutes, with a SIGHUP every 30 s; a line every 30 s with failed calls and the proxy's
# resident memory. Target: no failed call, memory flat after the warm-up.
# See docs/reliability.md.
#
#   scripts/soak.sh 800                 # R = 800 calls/s: soak at 400 calls/s for 10 min
#   DURATION=120 scripts/soak.sh 800    # 2 minutes
#
# R is required (scripts/overload.sh measures it). Environment: DURATION (seconds, default
# 600), HOLD_MS (call length, default 2000), SMC_PROXY (an smc-proxy binary to use; default:
# build one in SMC_RELIABILITY_BUILD_DIR, default <repo>/build-reliability), WORKDIR.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SMC_RELIABILITY_BUILD_DIR:-$root/build-reliability}
if [ $# -lt 1 ]; then
  echo "usage: $0 SUSTAINABLE_RATE   (calls/s; scripts/overload.sh measures it)"; exit 2
fi
command -v sipp >/dev/null || { echo "sipp is required (apt-get install sip-tester)"; exit 1; }
proxy=${SMC_PROXY:-}
if [ -z "$proxy" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMC_BUILD_TESTS=OFF \
    -DSMC_BUILD_CLI=OFF -DSMC_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build" -j2 --target smc-proxy
  proxy=$build/integration/smc-proxy
fi
exec python3 -B "$root/tests/integration/reliability_load.py" --proxy "$proxy" \
  --source-dir "$root" --workdir "${WORKDIR:-$build/reliability}" soak \
  --rate $(( $1 / 2 )) --duration-s "${DURATION:-600}" --hold-ms "${HOLD_MS:-2000}"
