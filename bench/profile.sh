#!/usr/bin/env bash
# Profiles the hottest paths of import and export with perf (apt-get install linux-perf):
# client and emulator sampled at the same time, flat profiles by symbol.
#
#   bench/profile.sh [--rows N] [--build-dir DIR] [--work DIR]
#
# Uses the binaries bench/run.sh built (default build/bench). Starts its own emulator --data DIR,
# loads N rows (default 1M) with the helper, then records
#   tsbridge import --output x.parquet   (client: WORK/import.client.perf, emulator: import.emulator.perf)
#   tsbridge export --input x.parquet --mode put into a fresh table   (export.client/emulator.perf)
# and prints the top symbols of each to WORK/profile.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rows=1000000
build_dir="$root/build/bench"
work="$root/build/bench-profile"
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift ;;
    --build-dir) build_dir=$2; shift ;;
    --work) work=$2; shift ;;
    *) echo "bench/profile.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
command -v perf >/dev/null || { echo "bench/profile.sh: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
TSB="$build_dir/tsbridge"
HELPER="$build_dir/bench/tsb_bench"
rm -rf "$work"
mkdir -p "$work/bin"
ln -sf "$TSB" "$work/bin/bench-emulator"
export ALIBABA_CLOUD_ACCESS_KEY_ID=benchKeyId
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=benchKeySecret0123456789

"$work/bin/bench-emulator" emulator --listen 127.0.0.1:0 --data "$work/data" \
  --access-key-id "$ALIBABA_CLOUD_ACCESS_KEY_ID" --access-key-secret "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" \
  >"$work/emulator.out" 2>"$work/emulator.err" &
emu_pid=$!
trap 'kill -TERM $emu_pid 2>/dev/null || true; wait $emu_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do grep -q '^listening on ' "$work/emulator.out" && break; sleep 0.1; done
emu=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/emulator.out")
[ -n "$emu" ] || { echo "emulator did not start" >&2; exit 1; }

spec() {
  cat >"$work/$1.json" <<EOF
{"tablestore": {"endpoint": "$emu", "instance": "bench", "table": "$1"},
 "columns": [{"name": "o_orderkey", "type": "bigint"}, {"name": "o_orderdate", "type": "string"},
             {"name": "o_custkey", "type": "bigint"}, {"name": "o_orderstatus", "type": "string"},
             {"name": "o_totalprice", "type": "double"}, {"name": "o_comment", "type": "string"}],
 "mapping": ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice,o_comment"}
EOF
  echo "$work/$1.json"
}
h() { "$HELPER" "$@" --endpoint "$emu" --instance bench; }
h create --table src >/dev/null
h load --table src --rows "$rows"
h create --table dst >/dev/null

# record NAME CMD...: perf on the client command and, meanwhile, on the emulator.
record() {
  local name=$1; shift
  perf record -q -F 499 -g -o "$work/$name.emulator.perf" -p "$emu_pid" 2>/dev/null &
  local emu_perf=$!
  sleep 0.5
  perf record -q -F 499 -g -o "$work/$name.client.perf" -- "$@"
  kill -INT "$emu_perf"
  wait "$emu_perf" 2>/dev/null || true
}
record import "$TSB" import --spec "$(spec src)" --output "$work/x.parquet" -q
record export "$TSB" export --spec "$(spec dst)" --input "$work/x.parquet" --mode put -q

set +o pipefail  # `head` closes the pipe early on purpose
{
  for f in import.client import.emulator export.client export.emulator; do
    echo "===== $f: top symbols (self time)"
    perf report -i "$work/$f.perf" --no-children -g none --sort dso,symbol --stdio 2>/dev/null \
      | grep -E '^ +[0-9]' | head -25
    echo
    echo "===== $f: top symbols (with callees)"
    perf report -i "$work/$f.perf" --children -g none --sort symbol --stdio 2>/dev/null \
      | grep -E '^ +[0-9]' | head -30
    echo
  done
} >"$work/profile.txt"
cat "$work/profile.txt"
