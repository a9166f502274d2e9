#!/usr/bin/env bash
# Soak run: trains the diffusion model for a fixed time and samples the process every few seconds
# (resident set, peak resident set, Java heap, old generation, cumulative GC time), then prints
# the growth per hour and the share of wall time spent in GC. A benchmark, not a test.
#
#   bench/soak.sh [--minutes M] [--interval S] [--warmup S] [--out DIR] [-- extra train-dm options]
#
# Defaults: 30 minutes, a sample every 10 s, the demo's model (small preset, 16 px, batch 32),
# slopes fitted after a 300 s warm-up, output in a new folder under /tmp. DIR receives
# samples.csv, summary.txt, train.log and the run folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

MINUTES=30
INTERVAL=10
WARMUP=300
OUT=""
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --interval) INTERVAL="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "soak: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$MINUTES" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "soak: --minutes must be a positive number, got $MINUTES" >&2; exit 2; }
[[ "$INTERVAL" =~ ^[0-9]+$ && "$INTERVAL" -gt 0 ]] || { echo "soak: --interval must be a positive whole number of seconds, got $INTERVAL" >&2; exit 2; }
if [[ -z "$OUT" ]]; then OUT="$(mktemp -d /tmp/diti4j-soak.XXXXXX)"; fi
if [[ -e "$OUT" && -n "$(ls -A "$OUT" 2>/dev/null)" ]]; then
  echo "soak: output folder $OUT is not empty; give a new one with --out" >&2; exit 2
fi
mkdir -p "$OUT"

"$ROOT/diti4j" build
# The launcher finds the JDK; ask it for the same one for jstat.
JDK=""
for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/*; do
  [[ -n "$c" && -x "$c/bin/jstat" ]] || continue
  v="$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)"
  if (( ${v:-0} >= 25 )); then JDK="$c"; break; fi
done
[[ -n "$JDK" ]] || { echo "soak: no JDK >= 25 with jstat found" >&2; exit 1; }

{ lscpu | sed -n 's/^Model name: *//p' | head -n1
  lscpu | awk -F: '/^CPU family/{f=$2} /^Model:/{m=$2} END{gsub(/ /,"",f); gsub(/ /,"",m); printf "family %s model %s\n", f, m}'
  grep -q avx512f /proc/cpuinfo && echo "AVX-512" || echo "AVX2"
  echo "$(nproc) CPUs"; } | paste -sd',' | sed 's/,/, /g' > "$OUT/machine.txt"

"$ROOT/diti4j" train-dm --preset small --image-size 16 --batch 32 --lr 2e-3 --warmup 100 --clip 1 \
  --ema 0.995 --minutes "$MINUTES" --out "$OUT/run" "${EXTRA[@]}" > "$OUT/train.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' INT TERM

echo "t_s,rss_kib,hwm_kib,heap_used_kib,old_used_kib,gc_s" > "$OUT/samples.csv"
START=$(date +%s.%N)
while kill -0 "$PID" 2>/dev/null; do
  if [[ -r /proc/$PID/status ]]; then
    rss=$(awk '/^VmRSS:/{print $2}' /proc/$PID/status 2>/dev/null || true)
    hwm=$(awk '/^VmHWM:/{print $2}' /proc/$PID/status 2>/dev/null || true)
    # jstat -gc columns: S0C S1C S0U S1U EC EU OC OU MC MU CCSC CCSU YGC YGCT FGC FGCT CGC CGCT GCT
    gc=$("$JDK/bin/jstat" -gc "$PID" 2>/dev/null | tail -n1 || true)
    if [[ -n "$rss" && -n "$gc" && "$gc" != *S0C* ]]; then
      now=$(date +%s.%N)
      echo "$gc" | awk -v t="$(awk -v a="$now" -v b="$START" 'BEGIN{print a-b}')" -v rss="$rss" -v hwm="$hwm" \
        '{printf "%.1f,%s,%s,%.0f,%.0f,%s\n", t, rss, hwm, $3+$4+$6+$8, $8, $NF}' >> "$OUT/samples.csv"
    fi
  fi
  sleep "$INTERVAL"
done
wait "$PID" || echo "soak: train-dm exited with status $? (see $OUT/train.log)" >&2

# Summary: least-squares slopes over the samples after the warm-up (JIT, pools filling), and
# again over the second half of the run alone, where a step at the start no longer weighs.
summary() { # $1: first second to include, $2: label
  awk -F, -v warm="$1" -v label="$2" 'NR > 1 && $1 >= warm {
      n++; t = $1 / 3600; sx += t; sxx += t * t
      sr += $2; sxr += t * $2; so += $5; sxo += t * $5
      if (n == 1) { t0 = $1; g0 = $6 } t1 = $1; g1 = $6; if ($3 > hwm) hwm = $3; last = $2
    }
    END {
      if (n < 3) { print "soak: too few samples " label; exit 1 }
      d = n * sxx - sx * sx
      printf "%s: %d samples over %.1f min\n", label, n, (t1 - t0) / 60
      printf "  resident set: last %.0f MiB, peak %.0f MiB, growth %+.1f MiB/hour\n", last / 1024, hwm / 1024, (n * sxr - sx * sr) / d / 1024
      printf "  old generation: growth %+.1f MiB/hour\n", (n * sxo - sx * so) / d / 1024
      printf "  GC: %.2f s of %.0f s wall = %.2f%%\n", g1 - g0, t1 - t0, 100 * (g1 - g0) / (t1 - t0)
    }' "$OUT/samples.csv"
}
END_S=$(tail -n1 "$OUT/samples.csv" | cut -d, -f1)
{ echo "machine: $(cat "$OUT/machine.txt")"
  summary "$WARMUP" "after the ${WARMUP} s warm-up"
  summary "$(awk -v e="$END_S" 'BEGIN{print e / 2}')" "second half"; } | tee "$OUT/summary.txt"
grep -E "steps|step " "$OUT/train.log" | tail -n 2 || true
echo "soak: samples in $OUT/samples.csv"
