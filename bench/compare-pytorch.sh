#!/usr/bin/env bash
# Side-by-side: diti4j's JMH GEMM, conv and GroupNorm+SiLU benchmarks against the same work in
# PyTorch, in alternating rounds of one run, printed as one table (see RESULTS.md).
#
#   bench/compare-pytorch.sh [--rounds R] [--threads T] [--quick] [--only gemm,conv,gn] [--verbose] [--out FILE.md]
#
# Installs Debian's PyTorch and OpenBLAS when missing (needs root or sudo), builds
# bench/target/benchmarks.jar when it is missing or older than the sources, then runs
# bench/pytorch/compare.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3   # Debian's interpreter: the one python3-torch installs into

as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }

# 1. PyTorch with a real BLAS. python3-torch alone pulls Netlib's reference BLAS (about 8 GFLOP/s);
#    libopenblas0-openmp provides the optimised one.
if ! "$PY" -c 'import torch, numpy' 2>/dev/null || [[ ! -d /usr/lib/x86_64-linux-gnu/openblas-openmp ]]; then
  echo "compare: installing python3-torch, python3-numpy and libopenblas0-openmp" >&2
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch python3-numpy libopenblas0-openmp >/dev/null
fi

# 2. The BLAS PyTorch loads and its threads. Some machines export OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
#    (forcing older kernels): unset them here, for this run only, so OpenBLAS picks its own.
export LD_LIBRARY_PATH="/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE

THREADS=2
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
export OMP_NUM_THREADS="$THREADS"

# 3. A JDK >= 25, as the launcher finds it.
source "$ROOT/bench/common.sh"
use_jdk25 compare

# 4. The benchmarks jar, rebuilt when a source or POM is newer.
ensure_bench_jar compare

# 5. What runs where.
echo "# $(date -u +%FT%TZ) on $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo AVX2)"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Dditi4j.threads="$THREADS" -cp "$JAR" dev.diti4j.bench.Describe 2>/dev/null | sed 's/^/# /'
echo "# pytorch: $("$PY" -c 'import torch; print(torch.__version__)'), BLAS: $(cd /usr/lib/x86_64-linux-gnu/openblas-openmp && ls libopenblas*.so 2>/dev/null | head -n1), threads $THREADS"

exec "$PY" "$ROOT/bench/pytorch/compare.py" --java "$JAVA_HOME/bin/java" --jar "$JAR" --threads "$THREADS" "${ARGS[@]}"
