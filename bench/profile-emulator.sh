#!/usr/bin/env bash
# Instruction profile of the emulator alone (callgrind): where its CPU goes per row written and
# per row read, exact and independent of the load on the machine.
#
#   bench/profile-emulator.sh [--rows N] [--build-dir DIR] [--out PREFIX]
#
# Starts `tsbridge emulator --data DIR` under valgrind --tool=callgrind, then with the helper
# (tsb_bench, see bench/README.md) loads N rows (default 100,000: BatchWriteRow PUTs of 200 rows,
# 4 in flight) and scans them twice (GetRange pages of 5000 rows). The counters are zeroed before
# the load and dumped after it (PREFIX.<pid>.1.1) and after the scans (PREFIX.<pid>.1.2); read
# them with `callgrind_annotate --inclusive=yes FILE`. Rows are checked as bench/run.sh does.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rows=100000
build_dir="$root/build/bench"
out="$root/build/bench-profile/emulator"
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift ;;
    --build-dir) build_dir=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "bench/profile-emulator.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
command -v valgrind >/dev/null || { echo "bench/profile-emulator.sh: valgrind is missing" >&2; exit 1; }
TSB="$build_dir/tsbridge"
HELPER="$build_dir/bench/tsb_bench"
if [ ! -x "$TSB" ] || [ ! -x "$HELPER" ]; then
  echo "bench/profile-emulator.sh: build $build_dir first (bench/run.sh builds it)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
work=$(mktemp -d "${TMPDIR:-/tmp}/tsb-emuprof.XXXXXX")
export ALIBABA_CLOUD_ACCESS_KEY_ID=profKeyId
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=profKeySecret0123456789
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
valgrind --tool=callgrind --callgrind-out-file="$out.%p.%n" --dump-instr=no \
  "$TSB" emulator --listen 127.0.0.1:0 --data "$work/data" \
  --access-key-id "$ALIBABA_CLOUD_ACCESS_KEY_ID" \
  --access-key-secret "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 1200); do
  grep -q '^listening on ' "$work/out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
  sleep 0.1
done
emu=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/out")
[ -n "$emu" ] || { echo "bench/profile-emulator.sh: the emulator did not start" >&2; exit 1; }
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$2" | tail -1; }
"$HELPER" gen --rows "$rows" --csv "$work/rows.csv" >"$work/gen"
"$HELPER" create --table prof --drop --endpoint "$emu" --instance prof >/dev/null
callgrind_control -z "$pid" >/dev/null 2>&1
"$HELPER" load --table prof --rows "$rows" --endpoint "$emu" --instance prof >"$work/load"
callgrind_control -d load "$pid" >/dev/null 2>&1
for i in 1 2; do
  "$HELPER" scan --table prof --endpoint "$emu" --instance prof >"$work/scan$i"
  [ "$(field checksum "$work/scan$i")" = "$(field checksum "$work/gen")" ] || { echo "bench/profile-emulator.sh: scan read other rows" >&2; exit 1; }
done
callgrind_control -d scan "$pid" >/dev/null 2>&1
[ "$(field checksum "$work/load")" = "$(field checksum "$work/gen")" ] || { echo "bench/profile-emulator.sh: load wrote other rows" >&2; exit 1; }
echo "profiles: $out.$pid.1.1 (load of $rows rows), $out.$pid.1.2 (two scans of them)"
