#!/usr/bin/env bash
# Installs what is needed, builds everything, and runs the whole default test suite:
# unit, golden, invalid-profile, schema, install and integration tests.
# Usage: scripts/test.sh [extra ctest args]     (BUILD_DIR overrides ./build)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j "$JOBS"
cd "$BUILD_DIR"
# Integration tests own real sockets and processes; they run one at a time (RUN_SERIAL),
# the rest in parallel.
ctest --output-on-failure -j "$JOBS" --timeout 600 "$@"
