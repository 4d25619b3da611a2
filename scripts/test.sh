#!/usr/bin/env bash
# The README's test command: installs dependencies, builds tsbridge in release mode and runs every
# test (unit, conformance against the official SDK, end-to-end scenarios), then builds the unit
# tests and the fuzz targets with clang, ASan and UBSan in one tree (build/sanitize), runs the unit
# tests again and each fuzz target for a few seconds (scripts/fuzz.sh), then the quick benchmark
# (which checks results, not times). Exits non-zero on the first failure.
#
# Each phase ends with a line "== PHASE: N s" and the run with a table of them, so that a CI log
# shows where the time went (the limit is 30 minutes on 2 cores: decisions 10); ctest lists its
# slowest tests at the end of the release tests.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

run_started=$SECONDS
phase_name=""
phase_started=0
phase_cpu_started=0
phase_table=()
# CPU seconds (user + system) of every command this script has waited for, in cpu_now: on a
# shared or busy machine they say what a phase costs better than its wall time does. `times` runs
# in this shell, not in a $(...) subshell, which would count only its own children.
cpu_file=$(mktemp)
children_cpu() {
  times >"$cpu_file"
  cpu_now=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); total += t[1] * 60 + t[2] }
    printf "%d", total }' "$cpu_file")
}
end_phase() {
  if [ -n "$phase_name" ]; then
    children_cpu
    local took=$((SECONDS - phase_started)) cpu=$((cpu_now - phase_cpu_started))
    echo "== $phase_name: ${took} s (CPU ${cpu} s)" >&2
    phase_table+=("$(printf '%6d s %7d s CPU  %s' "$took" "$cpu" "$phase_name")")
  fi
  phase_name=""
}
phase() {
  end_phase
  phase_name=$1
  phase_started=$SECONDS
  children_cpu
  phase_cpu_started=$cpu_now
  echo "== $phase_name" >&2
}
report() {
  local rc=$?
  end_phase
  rm -f "$cpu_file"
  echo "== time per phase (exit $rc after $((SECONDS - run_started)) s; wall, then CPU):" >&2
  printf '%s\n' "${phase_table[@]}" >&2
}
trap report EXIT

phase "dependencies"
scripts/install-deps.sh

phase "release build"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
cmake --build build/release -j"$jobs"

# The unit tests again under ASan/UBSan, and the fuzz targets, from one clang tree: the libraries
# are built once, instrumented for both (-DTSB_FUZZ=ON adds libFuzzer's coverage to the libraries
# the fuzz targets reach). -O1 with line tables: stack traces still name files and lines, the
# sanitized tests run faster than at -O0, and the tree compiles faster than with full debug
# information. NDEBUG stays unset so that the unit tests keep every assertion of a Debug build.
cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DTSB_FUZZ=ON "${launcher[@]}" >/dev/null
unit_targets=$(cmake --build build/sanitize --target help | sed -n 's/^\.\.\. \(test_[a-z]*\).*/\1/p' | tr '\n' ' ')

phase "tests (release), the clang tree building beside them at low priority"
# The end-to-end tests spend much of their time waiting on emulators and Node.js: about a third
# of the two cores is idle during this phase, which the clang tree's build (nice 19, so the tests
# keep their CPU) takes instead of running alone afterwards.
sanitize_log=build/sanitize/build.log
# shellcheck disable=SC2086
(nice -n 19 cmake --build build/sanitize -j"$jobs" --target $unit_targets fuzz_targets \
  >"$sanitize_log" 2>&1) &
sanitize_pid=$!
# Long tests carry a COST (tests/e2e/suite.cmake, tests/CMakeLists.txt) so that -j starts them
# first; the slowest ten are listed after the run.
if ! (cd build/release && ctest --output-on-failure -j"$jobs" --timeout 900); then
  kill -TERM "$sanitize_pid" 2>/dev/null || true
  wait "$sanitize_pid" 2>/dev/null || true
  exit 1
fi
if [ -f build/release/Testing/Temporary/CTestCostData.txt ]; then
  echo "== slowest tests (seconds, averaged over the runs of this build tree):" >&2
  sed -n '/^---$/q;p' build/release/Testing/Temporary/CTestCostData.txt | sort -k3 -g -r |
    head -n 10 | awk '{ printf "%8.1f  %s\n", $3, $1 }' >&2
fi

phase "unit tests and fuzz targets under ASan/UBSan (the rest of the clang build)"
if ! wait "$sanitize_pid"; then
  echo "== the clang ASan/UBSan build failed; its log ($sanitize_log) ends:" >&2
  tail -n 200 "$sanitize_log" >&2
  exit 1
fi
tail -n 3 "$sanitize_log"

phase "unit tests under ASan/UBSan (run)"
(cd build/sanitize && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" -L unit)

phase "fuzz targets, ${TSB_FUZZ_SECONDS:-5}s each under ASan/UBSan (run)"
FUZZ_JOBS=$jobs scripts/fuzz.sh --build-dir build/sanitize "${TSB_FUZZ_SECONDS:-5}"

if [ -x bench/run.sh ]; then
  # One run of each step: the times of a CI machine are not kept, and every run's results are
  # checked all the same.
  phase "quick benchmark, one run of each step (results checked, times not asserted)"
  bench/run.sh --quick --runs 1 --build-dir "$root/build/release"
fi
