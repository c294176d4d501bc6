#!/usr/bin/env bash
# Builds the engine, the CLI and their tests with AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer, and runs the unit, golden and invalid-profile tests.
# Any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${SAN_BUILD_DIR:-build-asan}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug -DSMC_SANITIZE=address,undefined \
  -DSMC_BUILD_PROXY=OFF -DSMC_INSTALL=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)" -L 'unit|golden|invalid'
