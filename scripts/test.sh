#!/usr/bin/env bash
# Installs what is needed, builds everything, and runs the whole default test suite:
#   1. the engine's unit, golden and invalid-profile tests under ASan+UBSan (scripts/sanitize.sh)
#   2. the libFuzzer targets, FUZZ_SECONDS each (default 60), replaying kept crashes first
#      (scripts/fuzz.sh)
#   3. everything in the release-like build: unit, golden, invalid, schema, install and the
#      integration tests with real sipp peers through smc-proxy (ctest)
# Usage: scripts/test.sh [extra ctest args]   Env: BUILD_DIR (./build), JOBS, FUZZ_SECONDS,
# SMC_SKIP_SANITIZERS=1 / SMC_SKIP_FUZZ=1 to leave a stage out while iterating locally.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
if [ "${SMC_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== sanitizers: ASan + UBSan, leaks are failures"
  bash scripts/sanitize.sh
fi
if [ "${SMC_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzing"
  FUZZ_SECONDS=${FUZZ_SECONDS:-60} bash scripts/fuzz.sh
fi
echo "== build and full suite"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j "$JOBS"
cd "$BUILD_DIR"
# Integration tests own real sockets and processes: they are RUN_SERIAL; the rest run in
# parallel.
ctest --output-on-failure -j "$JOBS" --timeout 600 "$@"
