#!/usr/bin/env bash
# Installs what smc needs to build and test, from Debian's packages.
# Safe to run again: apt-get skips what is already there.
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config git
  libre2-dev nlohmann-json3-dev libsofia-sip-ua-dev libgtest-dev libgmock-dev
  libcli11-dev libspdlog-dev prometheus-cpp-dev
  sip-tester python3 python3-jsonschema
  clang libclang-rt-14-dev
)
if [ "${1:-}" = "--dev" ]; then
  pkgs+=(libbenchmark-dev kamailio valgrind)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
