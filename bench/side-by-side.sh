#!/usr/bin/env bash
# Side-by-side: diti4j and PyTorch on exactly the same work (the U-Net DM training step of
# METHOD 9 and of the ADM base model, a denoising forward, the DiTi training step on a frozen U-Net,
# GEMM and 3x3 convolutions), each case in its own process per side, in alternating rounds of one
# run; prints one Markdown table with both step times, their ratio, GFLOP/s against the measured
# FMA peak, each side's peak RSS and the JVM's GC share (see RESULTS.md).
#
#   bench/side-by-side.sh [--threads 1,2] [--rounds R] [--steps S] [--warmup W] [--quick]
#                         [--sample-ms MS] [--warmup-ms MS]
#                         [--only unet,diti,gemm,conv|CASE,...] [--out FILE.md] [--raw FILE.jsonl]
#                         [--max-wait SECONDS] [--java-opts "..."] [--no-torch] [--no-install]
#                         [--list] [--verbose]
#
# Case ids (--list shows all): m9-train, adm-train-b32, adm-train-b8, adm-fwd-b32 (family unet);
# diti-m9-b64 (DitiTrainer.step, METHOD 9: fashion-mnist U-Net frozen, small encoder d = 64, k = 16
# uniform, base mode, 1x32x32, batch 64) and diti-demo-b32 (the demo's: small U-Net frozen, d = 32,
# k = 8 uniform, 3x16x16, batch 32) (family diti); gemm-256 ... gemm-2048; conv-fwd-*, conv-fwdbwd-*.
#
# Installs Debian's PyTorch and OpenBLAS when they are missing and it can (root or sudo; not with
# --no-install); without PyTorch it times the diti4j side alone. Builds bench/target/benchmarks.jar
# when it is missing or older than the sources, then runs bench/pytorch/side_by_side.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3   # Debian's interpreter: the one python3-torch installs into

INSTALL=1
ARGS=()
for a in "$@"; do
  case "$a" in
    --no-install) INSTALL=0 ;;
    --no-torch) INSTALL=0; ARGS+=("$a") ;;
    *) ARGS+=("$a") ;;
  esac
done

can_root() { [[ $(id -u) == 0 ]] || sudo -n true 2>/dev/null; }
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo -n "$@"; fi; }

# 1. PyTorch with a real BLAS. python3-torch alone pulls Netlib's reference BLAS; libopenblas0-openmp
#    provides the optimised one.
if [[ -x "$PY" ]] && ! "$PY" -c 'import torch, numpy' 2>/dev/null || [[ ! -d /usr/lib/x86_64-linux-gnu/openblas-openmp ]]; then
  if (( INSTALL )) && can_root && command -v apt-get >/dev/null; then
    echo "side-by-side: installing python3-torch, python3-numpy and libopenblas0-openmp" >&2
    as_root apt-get update -q >/dev/null || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch python3-numpy libopenblas0-openmp \
      >/dev/null || echo "side-by-side: installing PyTorch failed; timing diti4j alone" >&2
  fi
fi
command -v "$PY" >/dev/null || { echo "side-by-side: $PY is needed to drive the run" >&2; exit 1; }

# 2. A JDK >= 25, as the launcher finds it.
source "$ROOT/bench/common.sh"
use_jdk25 side-by-side

# 3. The benchmarks jar, rebuilt when a source or POM it contains is newer.
ensure_bench_jar side-by-side

exec "$PY" "$ROOT/bench/pytorch/side_by_side.py" --java "$JAVA_HOME/bin/java" --jar "$JAR" "${ARGS[@]}"
