"""Times diti4j and PyTorch on exactly the same work in alternating rounds of one run and prints
one Markdown table: step time of each side (median [range of per-round medians]), their ratio,
GFLOP/s and share of the measured FMA peak, each side's peak RSS and the JVM's GC time share.
Called by ../side-by-side.sh, which finds the JDK, builds the jar and installs PyTorch; it can
also be run directly:

  side_by_side.py --java JAVA --jar bench/target/benchmarks.jar [--threads 1,2] [--rounds 3]
                  [--steps 7] [--warmup 3] [--sample-ms 100] [--warmup-ms 1000]
                  [--only unet,diti,gemm,conv|CASE,...] [--quick]
                  [--out FILE.md] [--raw FILE.jsonl] [--max-wait 60] [--java-opts "..."]
                  [--no-torch] [--verbose] [--list]

Every case runs in a fresh process per side, thread count and round (diti4j's
dev.diti4j.bench.StepRunner, PyTorch's torch_step.py), so each side's peak RSS (ru_maxrss of
that process, from wait4) belongs to that case alone. In round r the sides run in the order
diti4j, PyTorch when r is even and the other way round when r is odd, back to back, so both see
the same machine. Each process warms up, then times --steps samples; a U-Net sample is one step,
a kernel sample repeats the call for about --sample-ms and reports the time per call.

Without PyTorch (not installed, or --no-torch) only the diti4j side runs and the ratio columns
say so. This module itself needs no PyTorch.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from unet_config import ADM_BASE, DITI_DEMO, DITI_M9, DITI_PARAMS, METHOD9, PARAMS, diti_step_flops, forward_flops  # noqa: E402

TORCH_PY = "/usr/bin/python3"  # Debian's interpreter: the one python3-torch installs into
OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
HZ = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Case:
    id: str            # what --only names
    family: str        # unet, diti, gemm, conv (also accepted by --only)
    kind: str          # the --case of both workers
    label: str         # the table's first column
    args: tuple        # worker arguments besides --case, --threads, --warmup, --steps
    flop: float        # FLOP per sample call (an estimate for the U-Net and DiTi cases)
    model: object = None   # the UNetConfig (U-Net cases) or DitiConfig (DiTi cases) both sides build

    def expected_params(self):
        if self.model is None:
            return 0
        return DITI_PARAMS[self.model] if self.family == "diti" else PARAMS.get(self.model, 0)


def unet_case(cid, kind, cfg, batch, label):
    per_forward = forward_flops(cfg, batch, 32)
    flop = 3 * per_forward if kind == "dm-train" else per_forward
    return Case(cid, "unet", kind, label, ("--model", cfg.to_json(), "--batch", str(batch), "--image", "32"),
                flop, cfg)


def diti_case(cid, dc, label):
    return Case(cid, "diti", "diti-train", label, dc.args(),
                diti_step_flops(dc.unet, dc.latent, dc.batch, dc.image), dc)


GEMM_SIZES = (256, 512, 1024, 2048)
CONV_SHAPES = ((32, 64, 32, 32), (32, 128, 16, 16), (32, 128, 8, 8))  # N, C, H, W; C -> C channels

CASES = [
    unet_case("m9-train", "dm-train", METHOD9, 64, "DM step, METHOD 9 U-Net 1.37 M, 1x32x32, batch 64"),
    unet_case("adm-train-b32", "dm-train", ADM_BASE, 32, "DM step, ADM base 7.66 M, 3x32x32, batch 32"),
    unet_case("adm-train-b8", "dm-train", ADM_BASE, 8, "DM step, ADM base 7.66 M, 3x32x32, batch 8"),
    unet_case("adm-fwd-b32", "unet-forward", ADM_BASE, 32, "denoising forward (no grad), ADM base, batch 32"),
    diti_case("diti-m9-b64", DITI_M9, "DiTi step, METHOD 9 (frozen 1.37 M; trained 1.30 M, d 64, k 16), "
              "1x32x32, batch 64"),
    diti_case("diti-demo-b32", DITI_DEMO, "DiTi step, demo (frozen small 0.79 M; trained 0.78 M, d 32, k 8), "
              "3x16x16, batch 32"),
]
CASES += [Case(f"gemm-{n}", "gemm", "gemm", f"sgemm n={n}", ("--n", str(n)), 2.0 * n ** 3) for n in GEMM_SIZES]
for bwd in (False, True):
    for (n, c, h, w) in CONV_SHAPES:
        CASES.append(Case(f"conv-{'fwdbwd' if bwd else 'fwd'}-{c}@{h}", "conv", "conv-fwdbwd" if bwd else "conv-fwd",
                          f"conv3x3 {'fwd+bwd' if bwd else 'fwd'} {n}x{c}->{c}@{h}x{w}",
                          ("--shape", f"{n}x{c}x{h}x{w}"), (3 if bwd else 1) * 2.0 * n * c * h * w * c * 9))


# ---- processes --------------------------------------------------------------------------------

def busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]


def wait_quiet(threshold, max_wait):
    """Waits (up to max_wait seconds) until other processes use under threshold cores; returns the load."""
    if max_wait <= 0:
        return None
    t0 = time.time()
    while True:
        b0 = busy_ticks()
        time.sleep(2)
        load = (busy_ticks() - b0) / HZ / 2
        if load < threshold or time.time() - t0 > max_wait:
            return load


@dataclass
class Run:
    ok: bool
    info: dict
    result: dict
    maxrss_kib: int     # ru_maxrss of the worker process (wait4): its peak RSS
    foreign: float      # cores that other processes used while it ran
    wall: float
    error: str = ""


def run_worker(cmd, env, workdir, verbose):
    """Runs one worker with its output in files (not pipes), so that this driver reaps it itself with
    wait4 and gets that one process's peak RSS and CPU time; parses its JSON lines."""
    out_path, err_path = os.path.join(workdir, "worker.out"), os.path.join(workdir, "worker.err")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        b0, t0 = busy_ticks(), time.time()
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.time() - t0
        busy = (busy_ticks() - b0) / HZ
    p.returncode = os.waitstatus_to_exitcode(status)
    info, result = {}, {}
    with open(out_path) as f:
        for line in f:
            if verbose:
                print("    " + line.rstrip()[:300], file=sys.stderr)
            if not line.startswith("{"):
                continue
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if o.get("event") == "info":
                info = o
            elif o.get("event") in ("result", "fma-peak"):
                result = o
    with open(err_path) as f:
        err_lines = [line.rstrip() for line in f if "Using incubator modules" not in line]
    foreign = max(0.0, (busy - (ru.ru_utime + ru.ru_stime)) / wall) if wall > 0 else 0.0
    ok = p.returncode == 0 and bool(result)
    error = "" if ok else "\n".join(err_lines[-8:]) or f"exit status {p.returncode}"
    return Run(ok, info, result, ru.ru_maxrss, foreign, wall, error)


def java_cmd(args, threads, extra):
    opts = ["--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmn64m"]
    opts += args.java_opts.split() if args.java_opts else []
    return [args.java, *opts, f"-Dditi4j.threads={threads}", "-cp", args.jar, "dev.diti4j.bench.StepRunner",
            "--threads", str(threads), *extra]


def torch_cmd(threads, extra):
    return [TORCH_PY, os.path.join(HERE, "torch_step.py"), "--threads", str(threads), *extra]


def torch_env(threads):
    """PyTorch's environment: its thread count, OpenBLAS from libopenblas0-openmp, and none of the
    OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides some machines export (they force older kernels)."""
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(k, None)
    if os.path.isdir(OPENBLAS_DIR):
        env["LD_LIBRARY_PATH"] = OPENBLAS_DIR + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    return env


def torch_available():
    try:
        r = subprocess.run([TORCH_PY, "-c", "import torch, numpy; print(torch.__version__)"], capture_output=True,
                           text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


# ---- statistics and the table -----------------------------------------------------------------

@dataclass
class Side:
    rounds: list      # per round: list of seconds per call
    maxrss_kib: list
    gc_s: float = 0.0
    measured_s: float = 0.0
    failures: int = 0

    def all(self):
        return [v for r in self.rounds for v in r]

    def median(self):
        v = self.all()
        return statistics.median(v) if v else None

    def round_range(self):
        meds = [statistics.median(r) for r in self.rounds if r]
        return (min(meds), max(meds)) if meds else None


def fmt_ms(sec):
    ms = sec * 1e3
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"


def cell_time(side):
    if side is None or side.median() is None:
        return "failed" if side is not None and side.failures else "n/a"
    lo, hi = side.round_range()
    return f"{fmt_ms(side.median())} [{fmt_ms(lo)}-{fmt_ms(hi)}]"


def cell_rate(case, side, peak):
    if side is None or side.median() is None:
        return "n/a"
    g = case.flop / side.median() / 1e9
    return f"{g:.1f} ({100 * g / peak:.0f}%)" if peak else f"{g:.1f}"


def cell_rss(side):
    if side is None or not side.maxrss_kib:
        return "n/a"
    return f"{max(side.maxrss_kib) / 1024:.0f}"


def table(cases, threads, ours, theirs, peaks, torch_ok):
    lines = ["| case | threads | diti4j ms | PyTorch ms | speed ratio | diti4j GFLOP/s (% peak) "
             "| PyTorch GFLOP/s (% peak) | peak RSS MiB diti4j / PyTorch | diti4j GC |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for case in cases:
        for t in threads:
            o, p = ours.get((case.id, t)), theirs.get((case.id, t))
            if torch_ok and o and p and o.median() and p.median():
                ratio = f"{p.median() / o.median():.2f}"
            else:
                ratio = "n/a" if torch_ok else "no PyTorch"
            gc = f"{100 * o.gc_s / o.measured_s:.1f}%" if o and o.measured_s > 0 else "n/a"
            lines.append(f"| {case.label} | {t} | {cell_time(o)} | {cell_time(p) if torch_ok else 'n/a'} | {ratio} "
                         f"| {cell_rate(case, o, peaks.get(t))} | {cell_rate(case, p, peaks.get(t)) if torch_ok else 'n/a'} "
                         f"| {cell_rss(o)} / {cell_rss(p) if torch_ok else 'n/a'} | {gc} |")
    return lines


# ---- main -------------------------------------------------------------------------------------

def select(only):
    if not only:
        return list(CASES)
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    known = {c.id for c in CASES} | {c.family for c in CASES}
    bad = [w for w in wanted if w not in known]
    if bad:
        sys.exit(f"side_by_side: unknown case or family '{bad[0]}' for --only; use one of: "
                 + ", ".join(sorted({c.family for c in CASES})) + ", or a case id (--list)")
    return [c for c in CASES if c.id in wanted or c.family in wanted]


def lscpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def simd():
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return "?"
    return "AVX-512" if " avx512f" in flags else "AVX2" if " avx2" in flags else "no AVX2"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--java", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--rounds", type=int, default=None, help="alternating rounds (default 3; --quick 2)")
    ap.add_argument("--steps", type=int, default=None, help="measured samples per process (default 7; --quick 5)")
    ap.add_argument("--warmup", type=int, default=None, help="warm-up samples per process (default 3; --quick 2)")
    ap.add_argument("--sample-ms", type=float, default=None, help="kernel sample length (default 100; --quick 50)")
    ap.add_argument("--warmup-ms", type=float, default=1000,
                    help="minimum length of a kernel warm-up sample (default 1000)")
    ap.add_argument("--quick", action="store_true", help="fewer rounds, steps and warm-up")
    ap.add_argument("--only", default="", help="families (unet, diti, gemm, conv) or case ids, comma-separated")
    ap.add_argument("--out", default=None, help="also write the Markdown report here")
    ap.add_argument("--raw", default=None, help="also write every worker's result line here (JSON lines)")
    ap.add_argument("--max-wait", type=float, default=60, help="seconds to wait for a quiet machine per round (0: none)")
    ap.add_argument("--fma-seconds", type=float, default=1.0, help="length of each FMA-peak probe")
    ap.add_argument("--java-opts", default="", help="extra JVM options for the diti4j side")
    ap.add_argument("--no-torch", action="store_true", help="run the diti4j side only")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--workdir", default="/tmp")
    args = ap.parse_args()
    if args.list:
        for c in CASES:
            print(f"{c.id:20s} {c.family:5s} {c.label}")
        return 0
    rounds = args.rounds or (2 if args.quick else 3)
    steps = args.steps or (5 if args.quick else 7)
    warmup = args.warmup if args.warmup is not None else (2 if args.quick else 3)
    sample_ms = args.sample_ms or (50 if args.quick else 100)
    threads = [int(t) for t in args.threads.split(",")]
    cases = select(args.only)
    if steps < 5:
        print(f"side_by_side: --steps {steps}: medians of fewer than 5 steps are for smoke runs only", file=sys.stderr)
    workdir = os.path.join(args.workdir, f"diti4j-side-by-side-{os.getpid()}")
    os.makedirs(workdir, exist_ok=True)
    raw = open(args.raw, "w") if args.raw else None

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    torch_version = None if args.no_torch else torch_available()
    if torch_version is None:
        log("side_by_side: " + ("--no-torch" if args.no_torch else "PyTorch is not installed for " + TORCH_PY)
            + ": timing diti4j only, no ratios (bench/side-by-side.sh installs python3-torch, python3-numpy and "
              "libopenblas0-openmp when run as root)")
    else:
        run_worker([TORCH_PY, os.path.join(HERE, "torch_step.py"), "--self-check"], torch_env(1), workdir,
                   args.verbose)
        with open(os.path.join(workdir, "worker.out")) as f:
            checks = [json.loads(line) for line in f if line.startswith("{")]
        for c in checks:
            parts = (f" = encoder {c['encoder_params']:,} + shift decoder {c['shift_params']:,}, on a frozen U-Net of "
                     f"{c['frozen_params']:,} (diti4j {c['frozen_expected']:,})") if "frozen_params" in c else ""
            log(f"self-check {c['model']}: PyTorch twin {c['params']:,} trainable parameters (diti4j "
                f"{c['expected']:,}){parts}, FLOP estimate "
                f"{'matches' if c['flops_counted'] == c['flops_estimate'] else 'DIFFERS from'} the counted shapes, "
                f"{'G' if 'frozen_params' in c else 'output'} at init "
                f"{'zero' if c['output_at_init_max'] == 0 else 'NOT zero'}: {'ok' if c['ok'] else 'FAILED'}")
        if len(checks) != 4 or not all(c["ok"] for c in checks):
            sys.exit("side_by_side: the PyTorch twins do not match diti4j's models (see the self-check above)")

    # the FMA peak, at 1 and 2 threads and every thread count asked for
    peaks = {}
    for t in sorted(set(threads) | {1, 2}):
        r = run_worker(java_cmd(args, t, ["--case", "fma-peak", "--seconds", str(args.fma_seconds)]), os.environ,
                       workdir, args.verbose)
        if r.ok:
            peaks[t] = r.result["gflops"]
            fma_desc = f"{r.result['bits']}-bit vectors, {r.result['chains']} chains"
        else:
            log(f"FMA probe at {t} threads failed: {r.error}")

    ours, theirs, foreign, infos = {}, {}, [], {}
    params_checked = set()
    for rnd in range(rounds):
        load = wait_quiet(0.15, args.max_wait)
        for case in cases:
            for t in threads:
                order = ["diti4j", "pytorch"] if rnd % 2 == 0 else ["pytorch", "diti4j"]
                if torch_version is None:
                    order = ["diti4j"]
                extra = ["--case", case.kind, *case.args, "--warmup", str(warmup), "--steps", str(steps),
                         "--sample-ms", str(sample_ms), "--warmup-ms", str(args.warmup_ms)]
                for side in order:
                    log(f"round {rnd + 1}/{rounds}: {case.id} threads {t}: {side}"
                        + (f" (machine load before the round: {load:.2f} cores)" if load is not None else ""))
                    if side == "diti4j":
                        r = run_worker(java_cmd(args, t, extra), os.environ, workdir, args.verbose)
                        store = ours
                    else:
                        r = run_worker(torch_cmd(t, extra), torch_env(t), workdir, args.verbose)
                        store = theirs
                    s = store.setdefault((case.id, t), Side([], []))
                    if not r.ok:
                        s.failures += 1
                        log(f"  {side} failed: {r.error}")
                        continue
                    s.rounds.append(r.result["samples_s"])
                    s.maxrss_kib.append(r.maxrss_kib)
                    s.gc_s += r.result.get("gc_s", 0.0)
                    s.measured_s += r.result.get("measured_s", 0.0) if side == "diti4j" else 0.0
                    foreign.append((rnd, side, r.foreign))
                    infos.setdefault(side, r.info)
                    if raw:
                        raw.write(json.dumps(dict(round=rnd, case=case.id, threads=t, maxrss_kib=r.maxrss_kib,
                                                  foreign=r.foreign, info=r.info, result=r.result)) + "\n")
                        raw.flush()
                    if case.model is not None:
                        expected = case.expected_params()
                        if r.info.get("params") != expected:
                            sys.exit(f"side_by_side: {side}'s {case.id} model has {r.info.get('params'):,} "
                                     f"trainable parameters, expected {expected:,}")
                        log(f"  {side}: {r.info.get('params'):,} trainable parameters (expected {expected:,})")
                        params_checked.add((case.id, side, tuple(r.info.get("param_sizes", []))))
        # both sides built the same tensors: equal counts and equal sorted tensor sizes
        for case in cases:
            sizes = {sz for (cid, side, sz) in params_checked if cid == case.id}
            if len(sizes) > 1:
                sys.exit(f"side_by_side: the diti4j and PyTorch {case.id} models have the same parameter count but "
                         "different tensor sizes")

    # ---- the report ----
    java_info, torch_info = infos.get("diti4j", {}), infos.get("pytorch", {})
    backend = re.sub(r"\d+ threads?, ", "", java_info.get("backend", "?"))  # the thread count is per row
    head = [f"# diti4j and PyTorch side by side, {datetime.datetime.now().isoformat(timespec='minutes')}",
            "",
            f"- Machine: {lscpu_model()}, {os.cpu_count()} CPUs, {simd()}.",
            "- Measured FMA peak (" + (fma_desc if peaks else "probe failed") + "): "
            + ", ".join(f"{peaks[t]:.0f} GFLOP/s on {t} thread{'s' if t > 1 else ''}" for t in sorted(peaks)) + ".",
            f"- diti4j: {java_info.get('jvm', '?')}, backend {backend}, gemm {java_info.get('gemm', '?')}, "
            f"GC {java_info.get('gc', '?')}, max heap {java_info.get('heap_max_mib', '?')} MiB"
            + (f", JVM options {args.java_opts}" if args.java_opts else "") + "."]
    if torch_version is None:
        head.append("- PyTorch: not run (" + ("--no-torch" if args.no_torch else "not installed") + "); no ratios.")
    else:
        blas = torch_info.get("blas", "?")
        head.append(f"- PyTorch {torch_info.get('torch', torch_version)}, BLAS loaded: {blas} "
                    f"({torch_info.get('blas_build', '')}); oneDNN {'on' if torch_info.get('mkldnn') else 'off'}; "
                    "OMP_NUM_THREADS = threads; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset.")
        if "OpenBLAS" not in blas:
            head.append("- **Warning: PyTorch did not load OpenBLAS; its GEMM numbers are not representative.**")
    head += [f"- {rounds} rounds (order alternating), {warmup} warm-up and {steps} measured samples per process; "
             f"kernel samples of about {sample_ms:.0f} ms, their warm-up samples at least {args.warmup_ms:.0f} ms.",
             ""]
    body = table(cases, threads, ours, theirs, peaks, torch_version is not None)
    by_side = {}
    for rnd, side, f in foreign:
        by_side.setdefault(side, []).append(f)
    notes = ["",
             "Each time cell: median over all measured samples of all rounds, [range of the per-round medians], "
             "in ms per step (U-Net, DiTi) or per call (kernels). Speed ratio = PyTorch time / diti4j time (above 1: "
             "diti4j is faster). GFLOP/s counts 2 per multiply-add of the convolutions, linear layers and "
             "attention matmuls (an estimate from their shapes; normalisation, activations and the optimizer "
             "are not counted), three times the forward for a training step (a DiTi step: one frozen U-Net "
             "forward plus three times the encoder and shift-decoder forward); GEMM 2 n^3; conv forward "
             "2 N Cout H W Cin 9, forward+backward three times that. % peak: share of the measured FMA peak at "
             "that thread count. Peak RSS: the largest ru_maxrss of that side's processes for the case. "
             "diti4j GC: collection time (GarbageCollectorMXBean) / measured time.",
             ""]
    if any(c.kind == "dm-train" for c in cases):
        notes += ["The DM step on both sides: t and eps drawn, x_t, forward with dropout, eps-MSE (uniform weights, "
                  "as DmSettings.recipe), backward, global gradient norm, AdamW (lr 2e-4, no weight decay), a "
                  "finiteness check of the weights, EMA update (diti4j: DmTrainer.step itself, which computes the "
                  "global gradient norm twice, once for its divergence check and once inside AdamW.step; PyTorch once).",
                  ""]
    if any(c.family == "diti" for c in cases):
        notes += ["The DiTi step on both sides (diti4j: DitiTrainer.step itself; PyTorch: torch_step.py's "
                  "DitiTrain on the twins of adm_unet.py and diti_twin.py): t and eps drawn, z = E(x0), x_t, "
                  "one frozen U-Net pass without gradients and without dropout (its encoder half once; eps_theta "
                  "from those features), the condition z * M[i(t)] (base mode, k uniform subsets), G from the "
                  "shift decoder on the same frozen skips (dropout at the U-Net's rate), the lambda_t-weighted "
                  "loss with c_t and the frozen model's own weighted loss, the per-sample loss histogram, "
                  "backward into the encoder and the shift decoder only, a finiteness check of the gradients "
                  "and their global norm, Adam (no weight decay), a finiteness check of the weights, the EMA "
                  "update (constant decay). The frozen U-Net has its initial weights on both sides.",
                  ""]
    notes += ["Foreign CPU (cores used by other processes while a worker ran), mean [max]: "
              + "; ".join(f"{side} {statistics.mean(v):.2f} [{max(v):.2f}]" for side, v in by_side.items()) + "."]
    report = "\n".join(head + body + notes)
    print(report)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(report + "\n")
    shutil.rmtree(workdir, ignore_errors=True)
    failed = sum(s.failures for s in list(ours.values()) + list(theirs.values()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
