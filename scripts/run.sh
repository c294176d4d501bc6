#!/usr/bin/env bash
# Installs what is needed, builds, and starts smc-proxy on the shipped default configuration
# (profiles/smc-proxy.json: SIP on 127.0.0.1:5060 UDP+TCP, metrics on 127.0.0.1:9464).
# Extra arguments go to smc-proxy (e.g. --log-level debug). Stop it with Ctrl-C;
# reload its configuration with: kill -HUP <pid>.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j "$(nproc)" --target smc-proxy smc
exec "$BUILD_DIR/integration/smc-proxy" --config profiles/smc-proxy.json "$@"
