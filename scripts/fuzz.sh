#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, in build/fuzz) and runs each
# for SECONDS (default 60), one after the other: scripts/fuzz.sh [--build-dir DIR] [SECONDS] [TARGET...]
# Each target starts from its checked-in seeds (tests/fuzz/corpus/<target>, never written to) and
# keeps what it learns in BUILD/corpus/<target> for the next run. A crash, a hang (no answer
# within FUZZ_TIMEOUT seconds, default 30), a leak or a sanitizer report stops that target, leaves
# the input in BUILD/artifacts/<target>/ and makes the script exit 1 after the others ran;
# replay one with BUILD/fuzz/<target> FILE. FUZZ_JOBS=N runs N targets at a time (default 1).
# --build-dir DIR (or TSB_FUZZ_BUILD_DIR) uses a build tree that was already configured with
# -DTSB_FUZZ=ON (the test command's build/sanitize, which also holds the sanitizer unit tests)
# instead of configuring build/fuzz: the targets are built there if they are not yet.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TSB_FUZZ_BUILD_DIR:-}
if [ "${1:-}" = "--build-dir" ]; then
  [ $# -ge 2 ] || { echo "fuzz.sh: --build-dir needs a directory" >&2; exit 2; }
  build=$2
  shift 2
fi
seconds=${1:-60}
shift || true
case "$seconds" in
  '' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number of seconds, got '$seconds'" >&2; exit 2 ;;
esac
timeout=${FUZZ_TIMEOUT:-30}

all_targets=$(sed -n 's/^tsb_fuzz_target(\(fuzz_[a-z_]*\) .*/\1/p' tests/fuzz/CMakeLists.txt)
targets=${*:-$all_targets}

if [ -n "$build" ]; then
  if ! grep -qx 'TSB_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    echo "fuzz.sh: $build is not a build tree configured with -DTSB_FUZZ=ON (clang)" >&2
    exit 2
  fi
  echo "== fuzz targets ($build)" >&2
else
  build=build/fuzz
  launcher=()
  if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  echo "== fuzz build ($build)" >&2
  # -O1 with line tables only: stack traces still name files and lines, and the build costs
  # less than RelWithDebInfo's full debug information at -O2 (the test command builds it cold).
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DTSB_FUZZ=ON -DTSB_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
fi
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets

# Targets run FUZZ_JOBS at a time (default 1): each is one single-threaded process, so on a
# machine with spare cores the test command runs them side by side, each still for SECONDS.
fuzz_jobs=${FUZZ_JOBS:-1}
case "$fuzz_jobs" in
  '' | *[!0-9]* | 0) echo "fuzz.sh: FUZZ_JOBS must be a positive whole number, got '$fuzz_jobs'" >&2; exit 2 ;;
esac
run_target() {
  local t=$1 name=${1#fuzz_}
  local seeds=tests/fuzz/corpus/$name work=$build/corpus/$name artifacts=$build/artifacts/$name
  mkdir -p "$work" "$artifacts"
  rm -f "$build/$t.failed"
  if ! ASAN_OPTIONS=detect_leaks=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$build/fuzz/$t" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "$seeds" \
      >"$build/$t.log" 2>&1; then
    touch "$build/$t.failed"
  fi
}
running=0
for t in $targets; do
  if [ "$running" -ge "$fuzz_jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  echo "== $t: ${seconds}s" >&2
  run_target "$t" &
  running=$((running + 1))
done
wait

failed=()
for t in $targets; do
  if [ -e "$build/$t.failed" ]; then
    failed+=("$t")
    echo "== $t failed:" >&2
    tail -n 60 "$build/$t.log" >&2
  fi
  printf '%s: ' "$t" >&2
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done ' "$build/$t.log" | tr '\n' ' ' >&2
  echo >&2
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]} (inputs in $build/artifacts/, logs in $build/fuzz_*.log)" >&2
  exit 1
fi
echo "fuzz.sh: $(echo $targets | wc -w) targets ran ${seconds}s each without a finding" >&2
