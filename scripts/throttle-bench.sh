#!/usr/bin/env bash
# The issue's figure for --scatter against throttled partitions (not part of the test command;
# tests/e2e/scatter_throttled.test.mjs checks the same at a smaller scale):
#
#   scripts/throttle-bench.sh [ROWS] [RATE]      (defaults: 40000 rows, 2000 rows/s per partition)
#
# Starts `tsbridge emulator --partition-write-rate RATE` (a temporary store), creates a table split
# into 4 partitions at the quartiles of the keys (CreateTable `partitions`, through the official
# Node.js SDK's messages in tests/node_modules: run scripts/install-deps.sh first), writes a
# key-sorted CSV of ROWS rows, then exports it with `--parallel 4 --scatter` and again, into the
# same 4 partitions, with `--parallel 4` alone. Prints each run's rows/s, throttled answers and lowest
# requests in flight from its --summary, and the ratio. Uses build/release/tsbridge (BENCH_BIN
# names another). Takes about ROWS / RATE seconds for the plain run and a quarter of it for
# --scatter.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-40000}
rate=${2:-2000}
bin=${BENCH_BIN:-$PWD/build/release/tsbridge}
[ -x "$bin" ] || { echo "throttle-bench: $bin is missing; build it first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tsbridge-throttle.XXXXXX")
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The emulator's own throwaway pair, passed to tsbridge by environment only.
export ALIBABA_CLOUD_ACCESS_KEY_ID=bench-key-id
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=bench-key-secret-$$
mkfifo "$work/emulator.out"
"$bin" emulator --listen 127.0.0.1:0 --partition-write-rate "$rate" \
  --access-key-id "$ALIBABA_CLOUD_ACCESS_KEY_ID" \
  --access-key-secret "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
exec 3<"$work/emulator.out"
read -r -t 30 line <&3 || { cat "$work/emulator.log" >&2; exit 1; }
endpoint=${line#listening on }

awk -v n="$rows" 'BEGIN { print "k,v"; for (k = 0; k < n; ++k) printf "%d,value %d\n", k, k }' \
  >"$work/sorted.csv"
cat >"$work/job.json" <<EOF
{"tablestore": {"endpoint": "$endpoint", "instance": "bench", "table": "hot"},
 "columns": [{"name": "k", "type": "bigint"}, {"name": "v", "type": "string"}],
 "mapping": ":k,v"}
EOF

field() { sed -n "s/.*\"$2\": *\([0-9.e+-]*\).*/\1/p" "$1"; }
run() {
  local name=$1 label=$2
  shift 2
  "$bin" export --spec "$work/job.json" --input "$work/sorted.csv" --parallel 4 -q \
    --summary "$work/$name.json" "$@"
  local s="$work/$name.json"
  awk -v label="$label" -v w="$(field "$s" rows_written)" -v t="$(field "$s" seconds)" \
    -v r="$(field "$s" rows_rejected)" -v th="$(field "$s" throttled)" \
    -v lo="$(field "$s" in_flight_lowest)" 'BEGIN {
      printf "%-24s %6d rows in %6.2f s = %6.0f rows/s; rejected %d; throttled answers %d; lowest in flight %s\n",
        label, w, t, w / t, r, th, lo }'
  awk -v w="$(field "$s" rows_written)" -v t="$(field "$s" seconds)" 'BEGIN { print w / t }' >"$work/$name.rate"
}

echo "$rows key-sorted rows, 4 partitions at $rate rows/s each"
TSBRIDGE_BIN=$bin node --input-type=module -e "
  import { pb, rawRequest, decodeError } from '$PWD/tests/conformance/lib.mjs';
  const int = (v) => { const b = Buffer.alloc(9); b.writeBigInt64LE(BigInt(v), 1); return b; };
  const bounds = [Buffer.from([0x09]), ...[1, 2, 3].map((i) => int(Math.floor($rows * i / 4))), Buffer.from([0x0a])];
  const body = pb.CreateTableRequest.encode(pb.CreateTableRequest.create({
    tableMeta: { tableName: 'hot', primaryKey: [{ name: 'k', type: pb.PrimaryKeyType.INTEGER }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1 },
    partitions: bounds.slice(0, -1).map((begin, i) => ({ begin, end: bounds[i + 1] })),
  })).finish();
  const res = await rawRequest('$endpoint', 'CreateTable', Buffer.from(body), {
    instance: 'bench', id: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID, secret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET });
  if (res.status !== 200) { console.error(decodeError(res.body)); process.exit(1); }
"
run scatter "--parallel 4 --scatter" --scatter
sleep 1  # the partitions' budgets refill, as for the first run
run plain "--parallel 4"
awk -v a="$(cat "$work/scatter.rate")" -v b="$(cat "$work/plain.rate")" \
  'BEGIN { printf "--scatter / plain: %.2fx\n", a / b }'
