#!/usr/bin/env bash
# Overload test of smc-proxy (not in the default test suite): finds the sustainable call
# rate R (or takes it), offers 2R, then R again, and reports calls completed, shed (503 +
# Retry-After) and failed, the proxy's resident memory over time, and the rate served once
# the overload is over. See docs/reliability.md.
#
#   scripts/overload.sh                 # measure R (steps of 10 s from 500 calls/s), then run
#   scripts/overload.sh 800             # R = 800 calls/s
#   OVERLOAD_S=60 RECOVERY_S=30 scripts/overload.sh 800
#   LIMITS='{"max_queue_delay_ms": 0, "max_calls_in_setup": 0}' scripts/overload.sh 800
#                                       # the same with the overload guard off, to compare
#
# Environment: SMC_PROXY (an smc-proxy binary to use; default: build one, RelWithDebInfo, in
# SMC_RELIABILITY_BUILD_DIR, default <repo>/build-reliability), OVERLOAD_S (default 45),
# RECOVERY_S (default 30), LIMITS (the proxy's "limits" as JSON), WORKDIR (default <build
# dir>/reliability), PROXY_CPU_SHARE (cap smc-proxy at this share of a core with a cgroup;
# default 0.4 on a machine of fewer than 4 CPUs, where sipp could not offer twice what a
# whole core of smc-proxy serves, else 0 = no cap; needs root). With two CPUs or more, smc-proxy gets the last one to itself and sipp the
# others. Exit status 0 when the proxy served R again with no failed call after the overload.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SMC_RELIABILITY_BUILD_DIR:-$root/build-reliability}
command -v sipp >/dev/null || { echo "sipp is required (apt-get install sip-tester)"; exit 1; }
proxy=${SMC_PROXY:-}
if [ -z "$proxy" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMC_BUILD_TESTS=OFF \
    -DSMC_BUILD_CLI=OFF -DSMC_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build" -j2 --target smc-proxy
  proxy=$build/integration/smc-proxy
fi
extra=()
[ $# -ge 1 ] && extra+=(--rate "$1")
[ -n "${LIMITS:-}" ] && extra+=(--limits "$LIMITS")
share=${PROXY_CPU_SHARE:-$([ "$(nproc)" -lt 4 ] && echo 0.4 || echo 0)}
extra+=(--proxy-cpu-share "$share")
exec python3 -B "$root/tests/integration/reliability_load.py" --proxy "$proxy" \
  --source-dir "$root" --workdir "${WORKDIR:-$build/reliability}" overload \
  --overload-s "${OVERLOAD_S:-45}" --recovery-s "${RECOVERY_S:-30}" "${extra[@]}"
