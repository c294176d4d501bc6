#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, ASan and UBSan, replays the kept regression inputs,
# then fuzzes each target for FUZZ_SECONDS (default 60) from its seed corpus.
# A crash is copied to fuzz/regressions/TARGET/ (commit it: it is replayed from then on)
# and the script exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSMC_BUILD_FUZZ=ON -DSMC_SANITIZE=address,undefined \
  -DSMC_BUILD_TESTS=OFF -DSMC_BUILD_CLI=OFF -DSMC_BUILD_PROXY=OFF -DSMC_INSTALL=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target profile_compiler_fuzz message_apply_fuzz
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
run_target() {
  local target=$1 dict=$2; shift 2
  local work="$BUILD_DIR/corpus/$target" regress="fuzz/regressions/$target"
  mkdir -p "$work" "$regress" "$BUILD_DIR/artifacts/$target"
  # Seeds: copied so that libFuzzer's new inputs never land in the source tree.
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$work/$(echo "$f" | tr '/' '_')"; done
  if compgen -G "$regress/*" >/dev/null; then
    echo "== $target: replaying $(ls "$regress" | wc -l) regression inputs"
    "$BUILD_DIR/fuzz/$target" "$regress"/* || status=1
  fi
  echo "== $target: fuzzing for ${SECONDS_EACH}s"
  if ! "$BUILD_DIR/fuzz/$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -dict="$dict" -artifact_prefix="$BUILD_DIR/artifacts/$target/" "$work" 2>"$BUILD_DIR/$target.log"; then
    tail -50 "$BUILD_DIR/$target.log"
    cp "$BUILD_DIR/artifacts/$target/"* "$regress/" 2>/dev/null || true
    echo "$target: crash kept in $regress/"
    status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$BUILD_DIR/$target.log" | sed "s/^/$target /"
  fi
}
shopt -s nullglob
run_target profile_compiler_fuzz fuzz/profile.dict profiles/*.json profiles/*/*.json tests/invalid/*.json
run_target message_apply_fuzz fuzz/sip.dict tests/golden/cases/*/input.sip tests/integration/messages/*.sip
exit $status
