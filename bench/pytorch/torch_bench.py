"""PyTorch twins of diti4j's JMH benchmarks (GemmBench, ConvBench, GroupNormSiluBench).

usage: python3 torch_bench.py --threads 2 [--reps 9] [--only gemm,conv,gn] [--json out.jsonl]

Each case is timed after warm-up calls; one JSON line per case gives the median, min and max
seconds per call and the work in GFLOP, so GFLOP/s = gflop / seconds. Work is counted as in the
JMH benchmarks: GEMM 2 n^3; conv forward 2 N Cout H W Cin 9; forward+backward 3 times that
(forward, input gradient, filter gradient).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

GEMM_SIZES = [256, 512, 1024, 2048]
CONV_SHAPES = [(32, 64, 64, 32, 32), (32, 128, 128, 16, 16), (32, 128, 128, 8, 8)]  # N, Cin, Cout, H, W
GN_SHAPE = (32, 128, 16, 16)
GN_GROUPS = 32


def timed(fn, reps, min_seconds=0.3):
    """Median, min and max seconds per call of fn over reps timed samples. A sample repeats fn
    until it lasts about min_seconds / reps, so tiny calls are not dominated by timer noise."""
    for _ in range(3):
        fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-6)
    inner = max(1, int(min_seconds / reps / one))
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
    return statistics.median(samples), min(samples), max(samples)


def emit(out, name, shape, gflop, stats):
    med, lo, hi = stats
    row = dict(bench=name, shape=shape, gflop=gflop, median_s=med, min_s=lo, max_s=hi,
               threads=torch.get_num_threads())
    line = json.dumps(row)
    print(line, flush=True)
    if out:
        out.write(line + "\n")
        out.flush()


def gemm(out, reps):
    for n in GEMM_SIZES:
        torch.manual_seed(0)
        a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
        emit(out, "gemm", f"n={n}", 2.0 * n ** 3 / 1e9, timed(lambda: torch.mm(a, b, out=c), reps))


def conv(out, reps):
    for (n, ci, co, h, w) in CONV_SHAPES:
        torch.manual_seed(0)
        x = torch.randn(n, ci, h, w, requires_grad=True)
        wt = (torch.randn(co, ci, 3, 3) / (ci * 9) ** 0.5).requires_grad_(True)
        bias = torch.zeros(co, requires_grad=True)
        gy = torch.randn(n, co, h, w)
        gflop = 2.0 * n * co * h * w * ci * 9 / 1e9
        shape = f"{n}x{ci}->{co}@{h}x{w}"

        def forward():
            with torch.no_grad():
                F.conv2d(x, wt, bias, stride=1, padding=1)

        def forward_backward():
            y = F.conv2d(x, wt, bias, stride=1, padding=1)
            torch.autograd.grad(y, (x, wt, bias), gy)

        emit(out, "conv_fwd", shape, gflop, timed(forward, reps))
        emit(out, "conv_fwdbwd", shape, 3 * gflop, timed(forward_backward, reps))


def group_norm_silu(out, reps):
    n, c, h, w = GN_SHAPE
    torch.manual_seed(0)
    x = torch.randn(n, c, h, w, requires_grad=True)
    gamma = torch.ones(c, requires_grad=True)
    beta = torch.zeros(c, requires_grad=True)
    gy = torch.randn(n, c, h, w)
    shape = f"{n}x{c}x{h}x{w}/g{GN_GROUPS}"

    def forward():
        with torch.no_grad():
            F.silu(F.group_norm(x, GN_GROUPS, gamma, beta, 1e-5))

    def forward_backward():
        y = F.silu(F.group_norm(x, GN_GROUPS, gamma, beta, 1e-5))
        torch.autograd.grad(y, (x, gamma, beta), gy)

    emit(out, "gn_silu_fwd", shape, 0.0, timed(forward, reps))
    emit(out, "gn_silu_fwdbwd", shape, 0.0, timed(forward_backward, reps))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--only", default="gemm,conv,gn")
    ap.add_argument("--json", default=None, help="append JSON lines here")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if torch.get_num_threads() != args.threads:
        sys.exit(f"torch runs {torch.get_num_threads()} threads, not {args.threads}")
    # Freeing one large block raises glibc's mmap threshold, so later activation-sized tensors come
    # from the heap instead of fresh, page-faulting mmaps on every call: the steady state of a
    # training loop. Without it, GroupNorm+SiLU alone measures up to 5x slower.
    del_me = torch.empty(4 * 1024 * 1024)  # 16 MiB: under glibc's 32 MiB cap on the threshold
    del del_me
    out = open(args.json, "a") if args.json else None
    parts = args.only.split(",")
    if "gemm" in parts:
        gemm(out, args.reps)
    if "conv" in parts:
        conv(out, args.reps)
    if "gn" in parts:
        group_norm_silu(out, args.reps)


if __name__ == "__main__":
    main()
