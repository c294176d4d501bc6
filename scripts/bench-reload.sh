#!/usr/bin/env bash
# Reload under load (not in the default test suite): smc-proxy with a configuration of 1,000
# profile files (five shapes of profiles/library, each made distinct, on 333 trunks) carries
# calls at a steady rate while it is sent SIGHUP every 5 s; reports how long each reload took
# and the calls completed in each second, so that a dip shows. See docs/performance.md,
# "Reload".
#
#   scripts/bench-reload.sh                 # 500 calls/s for 60 s
#   scripts/bench-reload.sh 2000            # 2,000 calls/s
#   DURATION=120 PROFILES=2000 scripts/bench-reload.sh 1000
#
# Environment: SMC_PROXY (an smc-proxy binary to use; default: build one, Release, in
# SMC_PBENCH_BUILD_DIR, default <repo>/build-pbench), DURATION (s, default 60), PROFILES
# (default 1000), WORKDIR (default <build dir>/bench-reload). With two CPUs or more,
# smc-proxy gets the last one to itself and sipp the others. Exit status 0 when no call and
# no reload failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SMC_PBENCH_BUILD_DIR:-$root/build-pbench}
command -v sipp >/dev/null || { echo "sipp is required (apt-get install sip-tester)"; exit 1; }
proxy=${SMC_PROXY:-}
if [ -z "$proxy" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSMC_BUILD_TESTS=OFF \
    -DSMC_BUILD_CLI=OFF -DSMC_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build" -j2 --target smc-proxy
  proxy=$build/integration/smc-proxy
fi
exec python3 -B "$root/tests/integration/reliability_load.py" --proxy "$proxy" \
  --source-dir "$root" --workdir "${WORKDIR:-$build/bench-reload}" reload \
  --rate "${1:-500}" --duration-s "${DURATION:-60}" --profiles "${PROFILES:-1000}"
