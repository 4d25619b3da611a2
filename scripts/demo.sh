#!/usr/bin/env bash
# The README's demo (command (a)): installs dependencies, builds tsbridge in release mode, then runs
# a small job end to end on the local emulator, printing each command before it runs it:
#
#   1. starts `tsbridge emulator` on a free port with a temporary store;
#   2. creates the guide's table `ots_tpch_orders` and fills it with 2,000 generated orders
#      (`tsbridge export --create-table` from a CSV file);
#   3. runs `tsbridge describe` on it: the table, the mapping beside a sample of rows, findings;
#   4. runs `tsbridge import` with the guide's --where, to Parquet and to CSV, and shows the CSV;
#   5. stops the emulator.
#
# Everything goes to a temporary directory, removed at the end (DEMO_KEEP=1 keeps it).
# DEMO_SKIP_BUILD=1 skips the set-up and build; DEMO_BIN names another tsbridge binary.
# After the build it takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ -z "${DEMO_SKIP_BUILD:-}" ]; then
  scripts/install-deps.sh
  echo "== building tsbridge (release) into build/release" >&2
  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/release -j"$(nproc)" --target tsbridge
fi
bin="${DEMO_BIN:-$root/build/release/tsbridge}"
[ -x "$bin" ] || { echo "demo: $bin is missing; build it first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tsbridge-demo.XXXXXX")
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  if [ -z "${DEMO_KEEP:-}" ]; then rm -rf "$work"; else echo "demo: files kept in $work" >&2; fi
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

# The emulator's own key pair for this demo. Clients get credentials from the environment only
# (never from a flag), exactly as they would for the real service.
key_id=demo-key-id
key_secret=demo-key-secret-$$
export ALIBABA_CLOUD_ACCESS_KEY_ID=$key_id
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=$key_secret

say "1. start the emulator on a free port (temporary store)"
show "tsbridge emulator --listen 127.0.0.1:0 --access-key-id $key_id --access-key-secret ..."
mkfifo "$work/emulator.out"
"$bin" emulator --listen 127.0.0.1:0 --access-key-id "$key_id" --access-key-secret "$key_secret" \
  >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
exec 3<"$work/emulator.out"
if ! read -r -t 30 line <&3; then
  echo "demo: the emulator did not start; its log:" >&2
  cat "$work/emulator.log" >&2
  exit 1
fi
endpoint=${line#listening on }
echo "$line"

cat >"$work/orders.json" <<EOF
{
  "tablestore": {"endpoint": "$endpoint", "instance": "demo", "table": "ots_tpch_orders"},
  "columns": [
    {"name": "odps_orderkey",    "type": "bigint"},
    {"name": "odps_orderdate",   "type": "string"},
    {"name": "odps_custkey",     "type": "bigint"},
    {"name": "odps_orderstatus", "type": "string"},
    {"name": "odps_totalprice",  "type": "double"}
  ],
  "mapping": ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice"
}
EOF
say "the job spec ($work/orders.json)"
cat "$work/orders.json"

# 2,000 TPC-H-shaped orders (o_orderkey 1..8000 in steps of 4), generated deterministically.
awk 'BEGIN {
  print "odps_orderkey,odps_orderdate,odps_custkey,odps_orderstatus,odps_totalprice";
  split("F O P", st, " ");
  seed = 42;
  for (i = 1; i <= 2000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    day = seed % 2400;
    y = 1992 + int(day / 365); d = day % 365; m = int(d / 31) + 1; if (m > 12) m = 12; dd = d % 28 + 1;
    seed = (seed * 1103515245 + 12345) % 2147483648;
    price = (seed % 50000000) / 100 + 900;
    printf "%d,%04d-%02d-%02d,%d,%s,%.2f\n", i * 4, y, m, dd, 1 + seed % 1500, st[1 + seed % 3], price;
  }
}' >"$work/orders.csv"

say "2. create the table ots_tpch_orders and fill it with 2,000 orders"
show "tsbridge export --spec orders.json --input orders.csv --create-table"
"$bin" export --spec "$work/orders.json" --input "$work/orders.csv" --create-table

say "3. describe the table and check the mapping against a sample of its rows"
show "tsbridge describe --spec orders.json"
"$bin" describe --spec "$work/orders.json"

where="odps_orderkey > 5000 AND odps_orderkey < 7000 AND odps_orderdate >= '1996-05-03' AND odps_orderdate < '1997-05-01'"

say "4. import with the guide's predicate: first the plan, then Parquet and CSV"
show "tsbridge import --spec orders.json --where \"$where\" --explain"
"$bin" import --spec "$work/orders.json" --where "$where" --explain
show "tsbridge import --spec orders.json --where \"...\" --output orders.parquet"
"$bin" import --spec "$work/orders.json" --where "$where" --output "$work/orders.parquet"
show "tsbridge import --spec orders.json --where \"...\" --output result.csv --summary summary.json"
"$bin" import --spec "$work/orders.json" --where "$where" --output "$work/result.csv" \
  --summary "$work/summary.json"
ls -l "$work/orders.parquet" "$work/result.csv"
show "head result.csv"
head -n 11 "$work/result.csv"
echo "... ($(($(wc -l <"$work/result.csv") - 1)) rows)"
show "cat summary.json"
cat "$work/summary.json"

say "5. stop the emulator"
kill -TERM "$emulator_pid"
wait "$emulator_pid" && echo "emulator stopped (exit 0)"
emulator_pid=""
