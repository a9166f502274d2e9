"""Runs diti4j's JMH benchmarks and their PyTorch twins in alternating rounds and prints one
table. Called by ../compare-pytorch.sh, which prepares the environment (BLAS, threads, JDK).

usage: compare.py --java JAVA --jar benchmarks.jar --threads T [--rounds R] [--quick]
                  [--only gemm,conv,gn] [--out FILE.md]

Every round runs both sides back to back (the order alternates), so both see the same machine.
Per side and case: the median over all measured iterations of all rounds, and the range of the
per-round medians. Each round also records the CPU that other processes used while it ran
("foreign" cores): the machine may be shared, so read ratios and ranges, not single numbers.
"""
import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HZ = os.sysconf("SC_CLK_TCK")

GEMM_SIZES = ["256", "512", "1024", "2048"]
CONV_SHAPES = [("32x64x32x32", "32x64->64@32x32"), ("32x128x16x16", "32x128->128@16x16"),
               ("32x128x8x8", "32x128->128@8x8")]


def busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_measured(cmd, env=None):
    """Runs cmd; returns the foreign cores (CPU used by everything but cmd) during it."""
    b0, c0, t0 = busy_ticks(), children_cpu(), time.time()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL if QUIET else None)
    b1, c1, t1 = busy_ticks(), children_cpu(), time.time()
    return max(0.0, ((b1 - b0) / HZ - (c1 - c0)) / (t1 - t0))


def wait_quiet(threshold, max_wait):
    """Waits (up to max_wait seconds) until other processes use under threshold cores."""
    t0 = time.time()
    while True:
        b0 = busy_ticks()
        time.sleep(2)
        load = (busy_ticks() - b0) / HZ / 2
        if load < threshold or time.time() - t0 > max_wait:
            return load


def run_ours(args, path):
    it = ["-wi", "2", "-i", "3"] if args.quick else ["-wi", "3", "-i", "5"]
    jvm = ("--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx4g "
           f"-Dditi4j.threads={args.threads}")
    # the flag silences JMH's own sun.misc.Unsafe warnings in the launching JVM
    pattern = "|".join({"gemm": "GemmBench", "conv": "ConvBench", "gn": "GroupNormSiluBench"}[p]
                       for p in args.only.split(","))
    cmd = [args.java, "--sun-misc-unsafe-memory-access=allow", "-jar", args.jar, pattern, "-f", "1", *it,
           "-w", "1s", "-r", "1s", "-p", "n=" + ",".join(GEMM_SIZES), "-rf", "json", "-rff", path,
           "-jvmArgsAppend", jvm]
    return run_measured(cmd)


def run_torch(args, path):
    cmd = ["/usr/bin/python3", os.path.join(HERE, "torch_bench.py"), "--threads", str(args.threads),
           "--reps", "5" if args.quick else "9", "--only", args.only, "--json", path]
    return run_measured(cmd)


def parse_ours(path):
    """{(bench, shape): (per-iteration values, unit)}: GFLOP/s for GEMM and conv, ms for GN."""
    out = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 2)
        cls, method = name[-2], name[-1]
        p = r.get("params", {})
        if cls == "GemmBench":
            key = ("gemm", "n=" + p["n"])
            vals = [v for fork in r["secondaryMetrics"]["gflop"]["rawData"] for v in fork]
        elif cls == "ConvBench":
            shape = dict(CONV_SHAPES)[p["shape"]]
            key = ("conv_fwd" if method == "forward" else "conv_fwdbwd", shape)
            vals = [v for fork in r["secondaryMetrics"]["gflop"]["rawData"] for v in fork]
        elif cls == "GroupNormSiluBench":
            key = ("gn_silu_fwd" if method == "forward" else "gn_silu_fwdbwd", None)
            vals = [1000.0 / v for fork in r["primaryMetric"]["rawData"] for v in fork]
        else:
            continue
        out[key] = vals
    return out


def parse_torch(path):
    out = {}
    for line in open(path):
        r = json.loads(line)
        bench = r["bench"]
        if bench.startswith("gn_"):
            out[(bench, None)] = [r["median_s"] * 1000.0]
        else:
            out[(bench, r["shape"])] = [r["gflop"] / r["median_s"]]
    return out


def fmt(vals_per_round):
    allv = [v for rv in vals_per_round for v in rv]
    meds = [statistics.median(rv) for rv in vals_per_round if rv]
    if not allv:
        return None, "n/a"
    m = statistics.median(allv)
    return m, f"{m:7.1f} [{min(meds):.1f}-{max(meds):.1f}]"


def main():
    global QUIET
    ap = argparse.ArgumentParser()
    ap.add_argument("--java", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="gemm,conv,gn", help="benchmark families: gemm, conv, gn")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--out", default=None, help="also write the table (markdown) here")
    ap.add_argument("--workdir", default="/tmp")
    args = ap.parse_args()
    QUIET = not args.verbose

    ours, torch_, foreign = [], [], []
    for rnd in range(args.rounds):
        load = wait_quiet(0.15, 60)
        stamp = f"{args.workdir}/diti4j-compare-{os.getpid()}-{rnd}"
        order = ["ours", "torch"] if rnd % 2 == 0 else ["torch", "ours"]
        f = {}
        for side in order:
            print(f"round {rnd + 1}/{args.rounds}: {side} (machine load before: {load:.2f} cores)",
                  file=sys.stderr, flush=True)
            if side == "ours":
                f["ours"] = run_ours(args, stamp + "-jmh.json")
            else:
                if os.path.exists(stamp + "-torch.jsonl"):
                    os.remove(stamp + "-torch.jsonl")
                f["torch"] = run_torch(args, stamp + "-torch.jsonl")
        ours.append(parse_ours(stamp + "-jmh.json"))
        torch_.append(parse_torch(stamp + "-torch.jsonl"))
        foreign.append((f["ours"], f["torch"]))

    only = args.only.split(",")
    keys = [("gemm", "n=" + n) for n in GEMM_SIZES] if "gemm" in only else []
    if "conv" in only:
        keys += [(b, s) for b in ("conv_fwd", "conv_fwdbwd") for _, s in CONV_SHAPES]
    label = {"gemm": "sgemm", "conv_fwd": "conv3x3 fwd", "conv_fwdbwd": "conv3x3 fwd+bwd"}
    lines = []
    if keys:
        lines += ["| case | shape | diti4j GFLOP/s | PyTorch GFLOP/s | ratio |",
                  "| --- | --- | ---: | ---: | ---: |"]
    for key in keys:
        mo, so = fmt([r.get(key, []) for r in ours])
        mt, st = fmt([r.get(key, []) for r in torch_])
        ratio = f"{mo / mt:.2f}" if mo and mt else "n/a"
        lines.append(f"| {label[key[0]]} | {key[1]} | {so} | {st} | {ratio} |")
    if keys:
        lines.append("")
    if "gn" in only:
        lines.append("| case | shape | diti4j ms | PyTorch ms | PyTorch ms / diti4j ms |")
        lines.append("| --- | --- | ---: | ---: | ---: |")
        for b, what in (("gn_silu_fwd", "GroupNorm+SiLU fwd"), ("gn_silu_fwdbwd", "GroupNorm+SiLU fwd+bwd")):
            mo, so = fmt([r.get((b, None), []) for r in ours])
            mt, st = fmt([r.get((b, None), []) for r in torch_])
            ratio = f"{mt / mo:.2f}" if mo and mt else "n/a"
            lines.append(f"| {what} | 32x128x16x16, 32 groups | {so} | {st} | {ratio} |")
        lines.append("")
    lines.append(f"{args.rounds} rounds, {args.threads} threads, {datetime.datetime.now().isoformat(timespec='minutes')}; "
                 "median over all iterations of all rounds, [range of per-round medians]; "
                 "foreign CPU (cores) per round, ours/torch: "
                 + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in foreign))
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(table + "\n")


QUIET = True
if __name__ == "__main__":
    main()
