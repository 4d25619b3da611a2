#!/usr/bin/env bash
# The README's test command: installs dependencies, builds tsbridge in release mode and runs every
# test (unit, conformance against the official SDK, end-to-end scenarios), then builds the unit
# tests with ASan/UBSan and runs them again, then runs each fuzz target for a few seconds (clang,
# ASan/UBSan: scripts/fuzz.sh), then the quick benchmark (which checks results, not times). Exits
# non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

scripts/install-deps.sh

echo "== release build" >&2
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$jobs"

echo "== tests (release)" >&2
(cd build/release && ctest --output-on-failure -j"$jobs" --timeout 900)

echo "== unit tests under ASan/UBSan" >&2
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DTSB_SANITIZE=ON >/dev/null
unit_targets=$(cmake --build build/asan --target help | sed -n 's/^\.\.\. \(test_[a-z]*\).*/\1/p' | tr '\n' ' ')
cmake --build build/asan -j"$jobs" --target $unit_targets
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" -L unit)

echo "== fuzz targets, ${TSB_FUZZ_SECONDS:-5}s each under ASan/UBSan" >&2
scripts/fuzz.sh "${TSB_FUZZ_SECONDS:-5}"

if [ -x bench/run.sh ]; then
  echo "== quick benchmark (results checked, times not asserted)" >&2
  bench/run.sh --quick --build-dir "$root/build/release"
fi
