#!/usr/bin/env bash
# The soak (issue 18): 1M rows exported into `tsbridge emulator` and imported back to Parquet
# through about 5% injected faults of every kind the emulator has, then `tsbridge verify` both
# ways; then one changed cell, one deleted row and one added row (made with the official SDK),
# which verify must find, exactly those three. Not part of the test command: a few minutes on
# the project's 2-core machine.
#
#   scripts/soak.sh              # 1M rows (SOAK_ROWS=N for another count)
#   SOAK_KEEP=1 scripts/soak.sh  # keep the work directory (data, files, logs) for a look after
#
# Prints the rows, the faults met (the emulator counts what each --fault rule chose and prints it
# when it stops), the retries (from the jobs' --summary files), the time of each step and the
# verdicts; exits 0 when every verdict is the expected one, else 1 with the step that failed.
#
# The faults (every operation, so export, import and verify all meet them):
#   OTSServerBusy, OTSPartitionUnavailable, OTSTimeout   refused as a whole
#   drop-before, drop-after                              the connection closed unanswered, before
#                                                        the request ran or after it ran
#   truncate                                             half an answer, then the connection closed
#   delay 3 s, past --request-timeout 2                  a stall (the attempt abandoned; a write
#                                                        still lands when it runs)
#   BatchWriteRow rows OTSServerBusy                     a partial batch failure (a share of rows)
# The table is created before the faults start: CreateTable is not idempotent, and a job that
# creates its table at the first attempt is not what a soak measures.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rows=${SOAK_ROWS:-1000000}
build=${SOAK_BUILD:-build/release}
bin=$repo/$build/tsbridge
sdk=$repo/tests/node_modules/tablestore

if [ ! -x "$bin" ]; then
  echo "== build ($build)" >&2
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target tsbridge
fi
if [ ! -d "$sdk" ]; then
  echo "soak.sh: the Tablestore SDK is missing ($sdk): run scripts/install-deps.sh" >&2
  exit 1
fi

# 4.3% of all requests fail whole, and 1 row in 25,000 (0.8% of the 200-row BatchWriteRow
# requests) fails alone: about 5% of the requests meet a fault. (A row rule's rate is per row:
# 0.5% of the rows would fail most requests, each then waiting out a throttling backoff.)
faults=(
  '*:OTSServerBusy:0.007'
  '*:OTSPartitionUnavailable:0.006'
  '*:OTSTimeout:0.006'
  '*:drop-before:0.006'
  '*:drop-after:0.006'
  '*:truncate:0.006'
  '*:delay:0.006:3000'
  'BatchWriteRow:OTSServerBusy:0.00004:rows'
)
timeout_args=(--request-timeout 2)

work=$(mktemp -d "${TMPDIR:-/tmp}/tsbridge-soak-XXXXXX")
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ]; then kill -TERM "$emulator_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [ -n "${SOAK_KEEP:-}" ]; then echo "soak.sh: work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The emulator's public development pair, by environment (never a flag of ours).
export ALIBABA_CLOUD_ACCESS_KEY_ID=tsbridge-dev-key-id
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=tsbridge-dev-key-secret
unset ALIBABA_CLOUD_SECURITY_TOKEN TSBRIDGE_ENDPOINT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
fail() {
  echo "soak.sh: FAILED: $*" >&2
  exit 1
}

# start_emulator NAME [--fault RULE]...: serves $work/data; sets emulator_pid and endpoint.
start_emulator() {
  local name=$1
  shift
  "$bin" emulator --listen 127.0.0.1:0 --data "$work/data" "$@" \
    >"$work/$name.out" 2>"$work/$name.err" &
  emulator_pid=$!
  for _ in $(seq 300); do
    grep -q '^listening on ' "$work/$name.out" 2>/dev/null && break
    kill -0 "$emulator_pid" 2>/dev/null || break
    sleep 0.1
  done
  endpoint=$(sed -n 's/^listening on //p' "$work/$name.out")
  [ -n "$endpoint" ] || { cat "$work/$name.err" >&2; fail "the emulator did not start"; }
  export TSBRIDGE_ENDPOINT=$endpoint
}
stop_emulator() {
  kill -TERM "$emulator_pid"
  wait "$emulator_pid" || fail "the emulator exited with $?"
  emulator_pid=
}

# A JSON field of a --summary file (numbers only).
field() { sed -n "s/.*\"$2\": *\([0-9.]*\).*/\1/p" "$1" | head -n 1; }

started=$(now)
echo "== $rows rows, work directory $work"

# bigint key, strings (every 1000th quoted, with a comma and a quote), doubles, ints (every 97th
# NULL), booleans and dates: the types a nightly job moves.
t=$(now)
awk -v n="$rows" 'BEGIN {
  print "id,name,amount,qty,active,day"
  for (i = 0; i < n; i++) {
    name = (i % 1000 == 0) ? sprintf("\"name, \"\"%d\"\"\"", i) : sprintf("name-%d", i)
    qty = (i % 97 == 0) ? "" : sprintf("%d", (i * 7919) % 100000 - 50000)
    printf "%d,%s,%.2f,%s,%s,20%02d-%02d-%02d\n", i, name, (i * 37 % 10000000) / 100.0, qty,
      (i % 3 == 0) ? "true" : "false", 10 + i % 15, 1 + i % 12, 1 + i % 28
  }
}' >"$work/rows.csv"
head -n 1 "$work/rows.csv" >"$work/empty.csv"
cat >"$work/spec.json" <<'JSON'
{
  "tablestore": {"endpoint": "http://127.0.0.1:1", "instance": "soak", "table": "soak_rows"},
  "columns": [
    {"name": "id", "type": "bigint"},
    {"name": "name", "type": "string"},
    {"name": "amount", "type": "double"},
    {"name": "qty", "type": "int"},
    {"name": "active", "type": "boolean"},
    {"name": "day", "type": "date"}
  ],
  "mapping": ":id,name,amount,qty,active,day"
}
JSON
echo "generate: $(since "$t") s, $(du -h "$work/rows.csv" | cut -f1) CSV"

# The table, before the faults.
start_emulator setup
"$bin" export -q --spec "$work/spec.json" --input "$work/empty.csv" --create-table ||
  fail "creating the table"
stop_emulator

fault_args=()
for f in "${faults[@]}"; do fault_args+=(--fault "$f"); done
start_emulator faults "${fault_args[@]}"
echo "== emulator with faults at $endpoint: ${faults[*]}"

# step NAME EXPECTED_EXIT tsbridge-args...: runs, times, and checks the exit code.
step() {
  local name=$1 expected=$2
  shift 2
  local t code=0
  t=$(now)
  "$bin" "$@" --summary "$work/$name.summary.json" >"$work/$name.out" 2>"$work/$name.err" || code=$?
  local seconds
  seconds=$(since "$t")
  if [ "$code" != "$expected" ]; then
    tail -n 20 "$work/$name.err" >&2
    fail "$name: exit $code, expected $expected"
  fi
  printf '%-16s exit %s in %6s s; %s requests, %s retries%s\n' "$name" "$code" "$seconds" \
    "$(field "$work/$name.summary.json" requests)" "$(field "$work/$name.summary.json" retries)" \
    "$(rr=$(field "$work/$name.summary.json" rows_retried); [ -n "$rr" ] && echo ", $rr rows retried")"
}

step export 0 export --spec "$work/spec.json" --input "$work/rows.csv" "${timeout_args[@]}"
grep -hE '^export: [0-9]+ (BatchWriteRow requests|rows read)' "$work/export.err" | sed 's/^/    /'
written=$(field "$work/export.summary.json" rows_written)
[ "$written" = "$rows" ] || fail "export wrote $written rows, expected $rows"

step import 0 import --spec "$work/spec.json" --output "$work/rows.parquet" "${timeout_args[@]}"
imported=$(field "$work/import.summary.json" rows_written)
[ "$imported" = "$rows" ] || fail "import wrote $imported rows, expected $rows"

step verify_csv 0 verify --spec "$work/spec.json" --input "$work/rows.csv" "${timeout_args[@]}"
sed 's/^/    /' "$work/verify_csv.out"
step verify_parquet 0 verify --spec "$work/spec.json" --input "$work/rows.parquet" \
  "${timeout_args[@]}"
sed 's/^/    /' "$work/verify_parquet.out"

stop_emulator
echo "== faults met (requests, or rows for a rows rule, each rule chose):"
grep '^  fault .*: [0-9]* \(requests\|rows\)$' "$work/faults.err" | sed 's/^  fault */    /'
met=$(grep '^  fault .*: [0-9]* requests$' "$work/faults.err" | awk '{ s += $(NF - 1) } END { print s + 0 }')
met_rows=$(grep '^  fault .*: [0-9]* rows$' "$work/faults.err" | awk '{ s += $(NF - 1) } END { print s + 0 }')
sent=0
for s in export import verify_csv verify_parquet; do
  sent=$((sent + $(field "$work/$s.summary.json" requests)))
done
echo "    total: $met of the $sent requests the four jobs sent ($(awk -v a="$met" -v b="$sent" \
  'BEGIN { printf "%.1f%%", 100 * a / b }')), and $met_rows rows inside BatchWriteRow requests"
[ "$met" -gt 0 ] || fail "no fault was met"

# Three differences, through the emulator without faults, with the official SDK.
start_emulator edits
changed=$((rows / 2 + 1))                 # qty is set there (not a multiple of 97)
[ $((changed % 97)) -ne 0 ] || changed=$((changed + 1))
deleted=$((rows / 3))
added=$((rows + 5))
old_qty=$(( (changed * 7919) % 100000 - 50000 ))
cat >"$work/edit.cjs" <<'JS'
const TableStore = require(process.env.SOAK_SDK);
const client = new TableStore.Client({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
  secretAccessKey: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  endpoint: process.env.TSBRIDGE_ENDPOINT, instancename: 'soak', maxRetries: 0,
});
const IGNORE = new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);
const key = (id) => [{ id: TableStore.Long.fromNumber(Number(id)) }];
const call = (op, params) => new Promise((resolve, reject) =>
  client[op](params, (err, data) => (err ? reject(err) : resolve(data))));
(async () => {
  const table = 'soak_rows';
  await call('updateRow', { tableName: table, condition: IGNORE, primaryKey: key(process.env.CHANGED),
    updateOfAttributeColumns: [{ PUT: [{ qty: TableStore.Long.fromNumber(1234567) }] }] });
  await call('deleteRow', { tableName: table, condition: IGNORE, primaryKey: key(process.env.DELETED) });
  await call('putRow', { tableName: table, condition: IGNORE, primaryKey: key(process.env.ADDED),
    attributeColumns: [{ name: 'added' }, { amount: 1.5 }, { qty: TableStore.Long.fromNumber(1) },
      { active: true }, { day: '2024-02-29' }] });
})().catch((e) => { console.error(e); process.exit(1); });
JS
SOAK_SDK=$sdk CHANGED=$changed DELETED=$deleted ADDED=$added node "$work/edit.cjs" ||
  fail "editing the table with the SDK"
echo "== edited: id=$changed qty $old_qty -> 1234567, id=$deleted deleted, id=$added added"

step verify_edited 3 verify --spec "$work/spec.json" --input "$work/rows.parquet" --show 10
sed 's/^/    /' "$work/verify_edited.out"
out=$work/verify_edited.out
grep -q "differ: $rows rows in the table, $rows in the file; 1 missing from the file, 1 extra in the file, 1 changed" "$out" ||
  fail "verify did not count exactly one missing, one extra and one changed row"
grep -qF "changed (id=$changed): qty: table 1234567, file $old_qty" "$out" || fail "the changed cell"
grep -qF "missing (id=$added): in the table, not in the file" "$out" || fail "the added row"
grep -qF "extra (id=$deleted): in the file, not in the table" "$out" || fail "the deleted row"
shown=$(grep -cE '^  (changed|missing|extra) \(' "$out" || true)
[ "$shown" = 3 ] || fail "verify showed $shown rows, expected exactly 3"
stop_emulator

echo "== soak: $rows rows exported and imported through $met faulted requests and $met_rows faulted" \
  "rows; verify equal both ways (exit 0), and the 3 edits found exactly (exit 3); $(since "$started") s"
