#!/usr/bin/env bash
# The benchmark harness: tsbridge against the official Tablestore Node.js SDK and DuckDB, measured
# side by side against a local `tsbridge emulator --data DIR`.
#
#   bench/run.sh [--quick] [--rows N] [--runs R] [--build-dir DIR] [--jobs J]
#                [--scale-rows "250000 1000000 4000000"] [--scale-runs R] [--work DIR] [--out DIR]
#
# Full mode (default: 1M rows, 5 runs) writes bench/RESULTS.md and bench/*.png (or --out DIR).
# --quick (100k rows, 3 runs, no row scaling) is what CI runs (scripts/test.sh): it writes its
# report under the work directory and fails (non-zero) only when a command fails or a result is
# wrong (row counts or checksums of imported files and exported tables differ from the generated
# rows), never because of a time.
#
# Every measured command runs under GNU time (wall, user + system CPU, peak RSS); the report
# gives medians over the runs. See bench/README.md for what each figure means.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

quick=0
rows=1000000
runs=5
build_dir=""
jobs=$(nproc)
scale_rows="250000 1000000 4000000"
scale_runs=3
work=""
out=""
rows_set=0
runs_set=0
scale_set=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --rows) rows=$2; rows_set=1; shift ;;
    --runs) runs=$2; runs_set=1; shift ;;
    --build-dir) build_dir=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --scale-rows) scale_rows=$2; scale_set=1; shift ;;
    --scale-runs) scale_runs=$2; shift ;;
    --work) work=$2; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  [ "$rows_set" = 1 ] || rows=100000
  [ "$runs_set" = 1 ] || runs=3
  [ "$scale_set" = 1 ] || scale_rows=""
  scale_runs=1
fi
[ -n "$build_dir" ] || build_dir="$root/build/bench"
[ -n "$work" ] || work="$root/build/bench-work"
mkdir -p "$build_dir" "$work"
build_dir=$(cd "$build_dir" && pwd)
work=$(cd "$work" && pwd)
if [ -z "$out" ]; then
  if [ "$quick" = 1 ]; then out="$work/results"; else out="$here"; fi
fi

log() { echo "bench: $*" >&2; }
die() { echo "bench: FAILED: $*" >&2; exit 1; }
started_at=$(date +%s)

# ---------------------------------------------------------------------------------------------
# Build: tsbridge and the bench's helper (bench/tsb_bench.cc), both Release. The helper is added
# to the build tree through CMake's project include hook (bench/cmake/hook.cmake).
log "building in $build_dir"
cfg=(-S "$root" -B "$build_dir" -DCMAKE_PROJECT_tsbridge_INCLUDE="$here/cmake/hook.cmake")
if [ ! -f "$build_dir/CMakeCache.txt" ]; then cfg+=(-DCMAKE_BUILD_TYPE=Release -DTSB_BUILD_TESTS=OFF); fi
cmake "${cfg[@]}" >/dev/null
cmake --build "$build_dir" -j"$jobs" --target tsbridge tsb_bench >/dev/null
TSB="$build_dir/tsbridge"
HELPER="$build_dir/bench/tsb_bench"
[ -x "$TSB" ] && [ -x "$HELPER" ] || die "build did not produce $TSB and $HELPER"
command -v node >/dev/null || die "node is missing (scripts/install-deps.sh installs it)"
[ -d "$root/tests/node_modules/tablestore" ] || die "tests/node_modules is missing (scripts/install-deps.sh)"
TIME=/usr/bin/time
[ -x "$TIME" ] || die "GNU time is missing (apt-get install time; scripts/install-deps.sh installs it)"
build_done_at=$(date +%s)

# ---------------------------------------------------------------------------------------------
# Work directory on local disk; the emulator's --data store lives in it.
rm -rf "$work"
mkdir -p "$work/files" "$work/logs" "$out"
raw="$work/raw.tsv"
printf 'label\trun\trows\tbytes\twall_s\tuser_s\tsys_s\trss_kb\temu_cpu_s\tinner_s\n' >"$raw"
meta="$work/meta.env"
: >"$meta"
note() { printf '%s=%s\n' "$1" "$2" >>"$meta"; }

export ALIBABA_CLOUD_ACCESS_KEY_ID=benchKeyId
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=benchKeySecret0123456789
unset ALIBABA_CLOUD_SECURITY_TOKEN || true
INSTANCE=bench
clk_tck=$(getconf CLK_TCK)

emu_pids=()
cleanup() {
  for p in "${emu_pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
}
trap cleanup EXIT

# start_emulator NAME [ARGS...]: sets EMU_PID and EMU (the endpoint). The emulator runs under a
# name of its own (a symlink, bench-emulator) so that somebody's `pkill -f "tsbridge emulator"`
# on a shared machine does not stop it; if it is stopped all the same, measure() restarts it on
# the same port and store (restart_emulator) and repeats the run.
mkdir -p "$work/bin"
ln -sf "$TSB" "$work/bin/bench-emulator"
start_emulator() {
  EMU_NAME=$1; shift
  EMU_ARGS=("$@")
  launch_emulator 127.0.0.1:0
}
launch_emulator() {
  local so="$work/logs/emulator-$EMU_NAME.out"
  "$work/bin/bench-emulator" emulator --listen "$1" --access-key-id "$ALIBABA_CLOUD_ACCESS_KEY_ID" \
    --access-key-secret "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "${EMU_ARGS[@]}" >"$so" 2>>"$work/logs/emulator-$EMU_NAME.err" &
  EMU_PID=$!
  emu_pids+=("$EMU_PID")
  local i
  for i in $(seq 1 300); do
    if grep -q '^listening on ' "$so" 2>/dev/null; then break; fi
    kill -0 "$EMU_PID" 2>/dev/null || die "emulator $EMU_NAME exited: $(cat "$work/logs/emulator-$EMU_NAME.err")"
    sleep 0.1
  done
  EMU=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$so")
  [ -n "$EMU" ] || die "emulator $EMU_NAME did not start in 30 s"
  log "emulator $EMU_NAME at $EMU (pid $EMU_PID)"
}
restart_emulator() {
  wait "$EMU_PID" 2>/dev/null || true
  restarts=$((restarts + 1))
  log "the emulator (pid $EMU_PID) was stopped from outside the harness: restarting it on ${EMU#http://}"
  launch_emulator "${EMU#http://}"
}
restarts=0
stop_emulator() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
emu_cpu() { awk -v t="$clk_tck" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# measure LABEL RUN ROWS BYTES(file or number) -- CMD...: runs CMD under GNU time, appends a row to
# raw.tsv. The command's stdout goes to logs/LABEL.RUN.out (its `seconds=` is kept as inner_s).
measure() {
  local label=$1 run=$2 nrows=$3 bytes=$4; shift 5
  local lf="$work/logs/$label.$run"
  local e0 e1 attempt
  for attempt in 1 2 3; do
    e0=$(emu_cpu "$EMU_PID")
    if "$TIME" -f '%e %U %S %M' -o "$lf.time" "$@" >"$lf.out" 2>"$lf.err"; then break; fi
    sleep 1
    if ! kill -0 "$EMU_PID" 2>/dev/null && [ "$attempt" -lt 3 ]; then
      restart_emulator
      continue
    fi
    cat "$lf.err" >&2
    die "$label (run $run) failed: $*"
  done
  e1=$(emu_cpu "$EMU_PID")
  if [ -f "$bytes" ]; then bytes=$(stat -c %s "$bytes"); fi
  local inner
  inner=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$lf.out" | tail -1)
  read -r w u s m <"$lf.time"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$run" "$nrows" "$bytes" "$w" "$u" "$s" "$m" \
    "$(awk -v a="$e0" -v b="$e1" 'BEGIN{printf "%.2f", b - a}')" "${inner:--}" >>"$raw"
  log "$label run $run: ${w}s wall, $(awk -v a="$u" -v b="$s" 'BEGIN{print a + b}')s cpu, ${m} KB peak"
}

# field KEY FILE: the value of KEY=... in a `key=value` line.
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$2" | tail -1; }

helper() {
  "$HELPER" "$@" --endpoint "$EMU" --instance "$INSTANCE" && return 0
  sleep 1
  kill -0 "$EMU_PID" 2>/dev/null && return 1
  restart_emulator
  "$HELPER" "$@" --endpoint "$EMU" --instance "$INSTANCE"
}

# check_table TABLE ROWS CHECKSUM WHAT: the table holds exactly the generated rows.
check_table() {
  local o="$work/logs/check-$1.out"
  helper scan --table "$1" >"$o" || die "scan of $1 failed"
  local n c
  n=$(field rows "$o"); c=$(field checksum "$o")
  [ "$n" = "$2" ] || die "$4: table $1 has $n rows, expected $2"
  [ "$c" = "$3" ] || die "$4: table $1 checksum $c, expected $3"
  log "checked $4: $n rows, checksum $c"
}

# check_file EXPECTED.csv ACTUAL WHAT: same rows (DuckDB, EXCEPT ALL both ways).
check_file() {
  local o="$work/logs/check-$(basename "$2").out"
  node "$here/duckdb_tool.mjs" compare "$1" "$2" >"$o" 2>&1 || { cat "$o" >&2; die "$3: $2 differs from $1"; }
  log "checked $3: $(cat "$o")"
}

# spec NAME TABLE: writes a job spec for the orders table, prints its path.
spec() {
  local p="$work/files/spec-$1.json"
  cat >"$p" <<EOF
{
  "tablestore": {"endpoint": "$EMU", "instance": "$INSTANCE", "table": "$2"},
  "columns": [
    {"name": "o_orderkey", "type": "bigint"},
    {"name": "o_orderdate", "type": "string"},
    {"name": "o_custkey", "type": "bigint"},
    {"name": "o_orderstatus", "type": "string"},
    {"name": "o_totalprice", "type": "double"},
    {"name": "o_comment", "type": "string"}
  ],
  "mapping": ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice,o_comment"
}
EOF
  echo "$p"
}

# ---------------------------------------------------------------------------------------------
# Machine and set-up, for the report.
note mode "$([ "$quick" = 1 ] && echo quick || echo full)"
note rows "$rows"
note runs "$runs"
note scale_rows "$scale_rows"
note scale_runs "$scale_runs"
note cpu "$(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1)"
note cores "$(nproc)"
note mem "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
note kernel "$(uname -r)"
note os "$(. /etc/os-release && echo "$PRETTY_NAME")"
note node "$(node --version)"
note load_before "$(cut -d' ' -f1-3 /proc/loadavg)"
# The load average right after the build still counts the build; what tells whether something
# else is using the machine is how busy its CPUs are over a few seconds before the first run.
cpu_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat; }
read -r busy0 total0 < <(cpu_busy)
sleep 3
read -r busy1 total1 < <(cpu_busy)
note busy_before "$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) 'BEGIN {printf "%.0f", (t > 0 ? 100 * b / t : 0)}')"
note disk "$(df -h "$work" | awk 'NR==2 {print $1 " (" $2 ")"}')"
note date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
note commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"

# ---------------------------------------------------------------------------------------------
# The rows.
csv="$work/files/orders.csv"
pq="$work/files/orders.parquet"
"$HELPER" gen --rows "$rows" --csv "$csv" >"$work/logs/gen.out"
checksum=$(field checksum "$work/logs/gen.out")
[ "$(field rows "$work/logs/gen.out")" = "$rows" ] || die "gen wrote the wrong number of rows"
note checksum "$checksum"
note csv_bytes "$(stat -c %s "$csv")"
log "generated $rows rows ($(stat -c %s "$csv") bytes of CSV), checksum $checksum"

# ---------------------------------------------------------------------------------------------
# The emulator alone, --data DIR (the goals) and the temporary store: BatchWriteRow (200-row
# requests, 4 in flight) and GetRange (5000-row pages) from the C++ helper, no file I/O. The first
# --data load is the table every import reads.
emulator_alone() {
  local store=$1 r
  for r in $(seq 1 "$runs"); do
    helper create --table "load$r" --drop
    measure "emu.$store.load" "$r" "$rows" 0 -- "$HELPER" load --table "load$r" --rows "$rows" \
      --endpoint "$EMU" --instance "$INSTANCE"
    [ "$(field checksum "$work/logs/emu.$store.load.$r.out")" = "$checksum" ] || die "load wrote other rows"
    [ "$r" = 1 ] || helper drop --table "load$r"
  done
  for r in $(seq 1 "$runs"); do
    measure "emu.$store.scan" "$r" "$rows" 0 -- "$HELPER" scan --table load1 --endpoint "$EMU" --instance "$INSTANCE"
    [ "$(field checksum "$work/logs/emu.$store.scan.$r.out")" = "$checksum" ] || die "scan read other rows"
    [ "$(field rows "$work/logs/emu.$store.scan.$r.out")" = "$rows" ] || die "scan read $(field rows "$work/logs/emu.$store.scan.$r.out") rows"
  done
}

start_emulator temp
emulator_alone temp
stop_emulator "$EMU_PID"

start_emulator data --data "$work/emulator-data"
emulator_alone data
SRC=load1

# ---------------------------------------------------------------------------------------------
# File-side bound: DuckDB (threads=1) and our own reader/writer, file to file. DuckDB's Parquet
# from the generated CSV is also the input of every Parquet export.
for r in $(seq 1 "$runs"); do
  measure duckdb.noop "$r" 0 0 -- node "$here/duckdb_tool.mjs" noop
  measure duckdb.csv2parquet "$r" "$rows" "$csv" -- node "$here/duckdb_tool.mjs" convert "$csv" "$pq"
  measure duckdb.parquet2csv "$r" "$rows" "$pq" -- node "$here/duckdb_tool.mjs" convert "$pq" "$work/files/duck.csv"
  measure ours.csv2parquet "$r" "$rows" "$csv" -- "$HELPER" convert "$csv" "$work/files/ours.parquet"
  measure ours.parquet2csv "$r" "$rows" "$pq" -- "$HELPER" convert "$pq" "$work/files/ours.csv"
done
note parquet_bytes "$(stat -c %s "$pq")"
check_file "$csv" "$pq" "DuckDB CSV -> Parquet"
check_file "$csv" "$work/files/duck.csv" "DuckDB Parquet -> CSV"
check_file "$csv" "$work/files/ours.parquet" "tsb_bench convert CSV -> Parquet"
check_file "$csv" "$work/files/ours.csv" "tsb_bench convert Parquet -> CSV"

# ---------------------------------------------------------------------------------------------
# Import (table -> file): tsbridge to Parquet (SNAPPY) and to CSV, the SDK peer to CSV.
ispec=$(spec import "$SRC")
for r in $(seq 1 "$runs"); do
  measure import.parquet "$r" "$rows" "$work/files/imp.parquet" -- "$TSB" import --spec "$ispec" \
    --output "$work/files/imp.parquet" -q --summary "$work/logs/import.parquet.$r.json"
  measure import.csv "$r" "$rows" "$work/files/imp.csv" -- "$TSB" import --spec "$ispec" \
    --output "$work/files/imp.csv" -q --summary "$work/logs/import.csv.$r.json"
  measure sdk.import "$r" "$rows" "$work/files/sdk.csv" -- node "$here/sdk_peer.mjs" import "$EMU" "$INSTANCE" "$SRC" \
    "$work/files/sdk.csv"
done
check_file "$csv" "$work/files/imp.parquet" "tsbridge import -> Parquet"
check_file "$csv" "$work/files/imp.csv" "tsbridge import -> CSV"
check_file "$csv" "$work/files/sdk.csv" "SDK peer import -> CSV"

# ---------------------------------------------------------------------------------------------
# Export (file -> table): tsbridge from Parquet and from CSV (--mode put, the same PUT rows the
# SDK writes), tsbridge from CSV in the default update mode (UpdateRow: the guide's semantics), the
# SDK peer from CSV. Each run writes a fresh table (created before the clock).
export_series() {
  local label=$1 input=$2 mode=$3 r t
  for r in $(seq 1 "$runs"); do
    t="x_${label//./_}_$r"
    helper create --table "$t" --drop
    if [ "$label" = sdk.export ]; then
      measure "$label" "$r" "$rows" "$input" -- node "$here/sdk_peer.mjs" export "$EMU" "$INSTANCE" "$t" "$input"
    else
      measure "$label" "$r" "$rows" "$input" -- "$TSB" export --spec "$(spec "$t" "$t")" --input "$input" \
        --mode "$mode" -q --summary "$work/logs/$label.$r.json"
    fi
    if [ "$r" = "$runs" ]; then check_table "$t" "$rows" "$checksum" "$label"; fi
    helper drop --table "$t"
  done
}
export_series export.parquet "$pq" put
export_series export.csv "$csv" put
export_series export.update "$csv" update
export_series sdk.export "$csv" put

# ---------------------------------------------------------------------------------------------
# Scaling with --parallel (import and export, Parquet).
pruns=$([ "$quick" = 1 ] && echo 1 || echo 3)
note parallel_runs "$pruns"
for p in 1 2 4; do
  for r in $(seq 1 "$pruns"); do
    measure "par.import.$p" "$r" "$rows" "$work/files/par.parquet" -- "$TSB" import --spec "$ispec" \
      --output "$work/files/par.parquet" -q --parallel "$p"
    t="x_par_$p"
    helper create --table "$t" --drop
    measure "par.export.$p" "$r" "$rows" "$pq" -- "$TSB" export --spec "$(spec "$t" "$t")" --input "$pq" \
      --mode put -q --parallel "$p"
    if [ "$r" = 1 ]; then check_table "$t" "$rows" "$checksum" "export --parallel $p"; fi
    helper drop --table "$t"
  done
  check_file "$csv" "$work/files/par.parquet" "import --parallel $p"
done

# ---------------------------------------------------------------------------------------------
# Scaling with rows: load N rows (helper), import them to Parquet, export that file to a fresh
# table; time and peak RSS. Counts and checksums checked at every size.
for n in $scale_rows; do
  t="s$n"
  helper create --table "$t" --drop
  measure "scale.load.$n" 1 "$n" 0 -- "$HELPER" load --table "$t" --rows "$n" --endpoint "$EMU" --instance "$INSTANCE"
  ck=$(field checksum "$work/logs/scale.load.$n.1.out")
  sspec=$(spec "$t" "$t")
  for r in $(seq 1 "$scale_runs"); do
    measure "scale.import.$n" "$r" "$n" "$work/files/s$n.parquet" -- "$TSB" import --spec "$sspec" \
      --output "$work/files/s$n.parquet" -q
    t2="x_s${n}_$r"
    helper create --table "$t2" --drop
    measure "scale.export.$n" "$r" "$n" "$work/files/s$n.parquet" -- "$TSB" export \
      --spec "$(spec "$t2" "$t2")" --input "$work/files/s$n.parquet" --mode put -q
    if [ "$r" = 1 ]; then check_table "$t2" "$n" "$ck" "export of $n rows"; fi
    helper drop --table "$t2"
  done
  check_table "$t" "$n" "$ck" "load of $n rows"
  helper drop --table "$t"
  rm -f "$work/files/s$n.parquet"
done

note load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
note emulator_restarts "$restarts"
stop_emulator "$EMU_PID"
note seconds_after_build "$(( $(date +%s) - build_done_at ))"
note seconds_total "$(( $(date +%s) - started_at ))"

# ---------------------------------------------------------------------------------------------
node "$here/report.mjs" "$work" "$out" || die "report failed"
log "done in $(( $(date +%s) - build_done_at )) s after the build; report: $out/RESULTS.md"
