#!/usr/bin/env bash
# A/B comparison of two tsbridge builds on the same machine, in the same minutes:
#
#   bench/ab.sh OLD_BUILD_DIR NEW_BUILD_DIR [--rows N] [--runs R]
#
# On a shared or busy machine absolute figures move with the load, so bench/run.sh's medians of
# two commits taken an hour apart cannot tell a slowdown from a neighbour. This script runs the
# two builds' import and export turn about (old, new, old, new, ...) against one emulator (the
# NEW build's, with --data on local disk) and prints, per step, both medians and new/old: a ratio
# near 1.00 means no change. The emulator's own serving rates are compared the same way, each
# build's emulator serving its own helper (tsb_bench load and scan).
#
# Both build directories need tsbridge and bench/tsb_bench (bench/run.sh --build-dir DIR builds
# them; or configure with -DCMAKE_PROJECT_tsbridge_INCLUDE=bench/cmake/hook.cmake).
set -euo pipefail

die() { echo "ab: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: bench/ab.sh OLD_BUILD_DIR NEW_BUILD_DIR [--rows N] [--runs R]"
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); shift 2
rows=1000000
runs=5
while [ $# -gt 0 ]; do
  case $1 in
    --rows) rows=$2; shift ;;
    --runs) runs=$2; shift ;;
    *) die "unknown argument $1" ;;
  esac
  shift
done
for b in "$old" "$new"; do
  [ -x "$b/tsbridge" ] && [ -x "$b/bench/tsb_bench" ] || die "$b lacks tsbridge or bench/tsb_bench"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tsb-ab.XXXXXX")
export ALIBABA_CLOUD_ACCESS_KEY_ID=abKeyId
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=abKeySecret0123456789
unset ALIBABA_CLOUD_SECURITY_TOKEN || true
# Each emulator leaves its PID in $work/NAME/pid: they are started inside $(...), a subshell,
# whose variables never reach this trap.
cleanup() {
  local f p
  for f in "$work"/*/pid; do
    [ -f "$f" ] || continue
    p=$(cat "$f")
    kill -TERM "$p" 2>/dev/null || true
    while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
  done
  rm -rf "$work"
}
trap cleanup EXIT

# emulator BUILD NAME: starts BUILD's emulator on a free port, prints its endpoint.
emulator() {
  mkdir -p "$work/$2"
  "$1/tsbridge" emulator --listen 127.0.0.1:0 --data "$work/$2/data" \
    --access-key-id "$ALIBABA_CLOUD_ACCESS_KEY_ID" \
    --access-key-secret "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" >"$work/$2/out" 2>"$work/$2/err" &
  echo $! >"$work/$2/pid"
  local i
  for i in $(seq 1 300); do
    grep -q '^listening on ' "$work/$2/out" 2>/dev/null && break
    sleep 0.1
  done
  sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/$2/out"
}

spec() {  # spec ENDPOINT TABLE
  local p="$work/spec-$2.json"
  cat >"$p" <<EOF
{"tablestore": {"endpoint": "$1", "instance": "ab", "table": "$2"},
 "columns": [{"name": "o_orderkey", "type": "bigint"}, {"name": "o_orderdate", "type": "string"},
             {"name": "o_custkey", "type": "bigint"}, {"name": "o_orderstatus", "type": "string"},
             {"name": "o_totalprice", "type": "double"}, {"name": "o_comment", "type": "string"}],
 "mapping": ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice,o_comment"}
EOF
  echo "$p"
}

# timed LABEL CMD...: appends "LABEL wall cpu" to $work/times.
timed() {
  local label=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$work/time.out" "$@" >/dev/null 2>"$work/cmd.err" ||
    { cat "$work/cmd.err" >&2; die "$label failed"; }
  awk -v l="$label" '{printf "%s %s %.2f\n", l, $1, $2 + $3}' "$work/time.out" >>"$work/times"
}

emu=$(emulator "$new" shared)
[ -n "$emu" ] || die "the emulator did not start: $(cat "$work/shared/err")"
csv="$work/orders.csv"
"$new/bench/tsb_bench" gen --rows "$rows" --csv "$csv" >/dev/null
"$new/bench/tsb_bench" create --table src --endpoint "$emu" --instance ab >/dev/null
"$new/bench/tsb_bench" load --table src --rows "$rows" --endpoint "$emu" --instance ab >/dev/null
src=$(spec "$emu" src)
: >"$work/times"
for r in $(seq 1 "$runs"); do
  for v in old new; do
    b=$([ $v = old ] && echo "$old" || echo "$new")
    timed "$v.import.parquet" "$b/tsbridge" import --spec "$src" --output "$work/$v.parquet" -q --overwrite
    timed "$v.import.csv" "$b/tsbridge" import --spec "$src" --output "$work/$v.csv" -q --overwrite
    t="dst_${v}_$r"
    "$new/bench/tsb_bench" create --table "$t" --drop --endpoint "$emu" --instance ab >/dev/null
    timed "$v.export.csv" "$b/tsbridge" export --spec "$(spec "$emu" "$t")" --input "$csv" --mode put -q
    "$new/bench/tsb_bench" drop --table "$t" --endpoint "$emu" --instance ab >/dev/null
    "$new/bench/tsb_bench" create --table "$t" --drop --endpoint "$emu" --instance ab >/dev/null
    timed "$v.export.parquet" "$b/tsbridge" export --spec "$(spec "$emu" "$t")" \
      --input "$work/$v.parquet" --mode put -q
    "$new/bench/tsb_bench" drop --table "$t" --endpoint "$emu" --instance ab >/dev/null
  done
done
# Each build's emulator serving its own helper.
for v in old new; do
  b=$([ $v = old ] && echo "$old" || echo "$new")
  e=$(emulator "$b" "emu-$v")
  "$b/bench/tsb_bench" create --table t --endpoint "$e" --instance ab >/dev/null
  echo "$v $e" >>"$work/emus"
done
for r in $(seq 1 "$runs"); do
  while read -r v e; do
    b=$([ $v = old ] && echo "$old" || echo "$new")
    [ "$r" = 1 ] && timed "$v.emulator.load" "$b/bench/tsb_bench" load --table t --rows "$rows" --endpoint "$e" --instance ab
    timed "$v.emulator.scan" "$b/bench/tsb_bench" scan --table t --endpoint "$e" --instance ab
  done <"$work/emus"
done

echo "rows=$rows runs=$runs load=$(cut -d' ' -f1-3 /proc/loadavg)"
awk '
  { split($1, p, "."); step = substr($1, length(p[1]) + 2); wall[p[1], step, ++n[p[1], step]] = $2; cpu[p[1], step, n[p[1], step]] = $3; steps[step] = 1 }
  function median(arr, v, s, k,   i, j, t, a) {
    for (i = 1; i <= k; i++) a[i] = arr[v, s, i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  END {
    printf "%-18s %10s %10s %8s %10s %10s %8s\n", "step", "old wall", "new wall", "new/old", "old cpu", "new cpu", "new/old"
    for (s in steps) {
      ow = median(wall, "old", s, n["old", s]); nw = median(wall, "new", s, n["new", s])
      oc = median(cpu, "old", s, n["old", s]); nc = median(cpu, "new", s, n["new", s])
      printf "%-18s %10.2f %10.2f %8.2f %10.2f %10.2f %8.2f\n", s, ow, nw, nw / ow, oc, nc, (oc > 0 ? nc / oc : 0)
    }
  }' "$work/times" | sort
