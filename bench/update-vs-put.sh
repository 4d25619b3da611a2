#!/usr/bin/env bash
# Export in the default update mode against --mode put, on `tsbridge emulator --data DIR`: the
# export's wall and CPU time and the emulator's CPU seconds (user+sys from /proc/PID/stat around
# each run), each into a fresh table, every table checked against the generated rows.
#
#   bench/update-vs-put.sh [--rows N] [--runs R] [--build-dir DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rows=100000
runs=3
build_dir="$root/build/release"
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift ;;
    --runs) runs=$2; shift ;;
    --build-dir) build_dir=$2; shift ;;
    *) echo "bench/update-vs-put.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
TSB="$build_dir/tsbridge"
HELPER="$build_dir/bench/tsb_bench"
work=$(mktemp -d "${TMPDIR:-/tmp}/tsb-updput.XXXXXX")
export ALIBABA_CLOUD_ACCESS_KEY_ID=benchKeyId
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=benchKeySecret0123456789
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
"$TSB" emulator --listen 127.0.0.1:0 --data "$work/data" \
  --access-key-id "$ALIBABA_CLOUD_ACCESS_KEY_ID" \
  --access-key-secret "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 200); do
  grep -q '^listening on ' "$work/out" 2>/dev/null && break
  sleep 0.05
done
emu=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/out")
[ -n "$emu" ] || { cat "$work/err" >&2; exit 1; }
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$2" | tail -1; }
clk=$(getconf CLK_TCK)
emu_cpu() { awk -v t="$clk" '{printf "%.3f", ($14 + $15) / t}' "/proc/$pid/stat"; }
"$HELPER" gen --rows "$rows" --csv "$work/rows.csv" >"$work/gen"
checksum=$(field checksum "$work/gen")
for r in $(seq 1 "$runs"); do
  for mode in put update; do
    t="x_${mode}_$r"
    "$HELPER" create --table "$t" --drop --endpoint "$emu" --instance bench >/dev/null
    cat >"$work/spec.json" <<SPEC
{
  "tablestore": {"endpoint": "$emu", "instance": "bench", "table": "$t"},
  "columns": [
    {"name": "o_orderkey", "type": "bigint"}, {"name": "o_orderdate", "type": "string"},
    {"name": "o_custkey", "type": "bigint"}, {"name": "o_orderstatus", "type": "string"},
    {"name": "o_totalprice", "type": "double"}, {"name": "o_comment", "type": "string"}
  ],
  "mapping": ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice,o_comment"
}
SPEC
    e0=$(emu_cpu)
    /usr/bin/time -f '%e %U %S' -o "$work/time" "$TSB" export --spec "$work/spec.json" \
      --input "$work/rows.csv" --mode "$mode" -q
    e1=$(emu_cpu)
    read -r w u s <"$work/time"
    "$HELPER" scan --table "$t" --endpoint "$emu" --instance bench >"$work/scan"
    [ "$(field checksum "$work/scan")" = "$checksum" ] || { echo "$mode wrote other rows" >&2; exit 1; }
    [ "$(field rows "$work/scan")" = "$rows" ] || { echo "$mode wrote $(field rows "$work/scan") rows" >&2; exit 1; }
    awk -v m="$mode" -v r="$r" -v w="$w" -v u="$u" -v s="$s" -v a="$e0" -v b="$e1" -v n="$rows" \
      'BEGIN { printf "%s run %d: %.2f s wall, client %.2f s cpu, emulator %.2f s cpu (%.1f us/row)\n",
               m, r, w, u + s, b - a, (b - a) * 1e6 / n }'
  done
done
