"""The PyTorch side of bench/side-by-side.sh: runs one case in this process and prints JSON lines
in the format of diti4j's StepRunner (dev.diti4j.bench.StepRunner), which runs the same case in
Java:

  {"event":"info", "side":"pytorch", "case":..., "threads":..., "params":..., "blas":..., ...}
  {"event":"sample", "i":0, "warmup":true, "s":1.234, "calls":1}     one per warm-up and measured sample
  {"event":"result", "side":"pytorch", "case":..., "samples_s":[...], "warmup_s":[...], "vmhwm_kib":..., ...}

usage: torch_step.py --case dm-train --model JSON --batch 64 --threads 2 [--image 32] [--warmup 3] [--steps 7]
       torch_step.py --case unet-forward --model JSON --batch 32 --threads 2
       torch_step.py --case gemm --n 1024 --threads 2
       torch_step.py --case conv-fwd|conv-fwdbwd --shape 32x64x32x32 --threads 2
       torch_step.py --self-check          parameter counts and FLOP estimate of the twin U-Net

The dm-train step is the one diti4j's DmTrainer.step runs with DmSettings.recipe (METHOD 9 stage
A): t ~ U{0..999} and eps ~ N(0, I) per step, x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps,
forward in training mode (dropout on), loss = mean((eps - eps_theta)^2) (uniform lambda),
loss.item() with a finiteness check, backward, the global gradient norm with a finiteness check,
AdamW (lr 2e-4, betas 0.9/0.999, eps 1e-8, no weight decay, no clipping), a finiteness check of
the weights, and the EMA update with decay min(0.999, (1 + n)/(10 + n)).
"""
import argparse
import json
import math
import os
import re
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from adm_unet import UNet, counted_forward_flops, parameter_count  # noqa: E402
from unet_config import ADM_BASE, METHOD9, PARAMS, UNetConfig, forward_flops  # noqa: E402

T = 1000


def blas_in_use():
    """What BLAS this process loaded, from /proc/self/maps (PyTorch's own build info says only
    BLAS_INFO=generic for Debian's package): (summary, [paths])."""
    a = torch.randn(64, 64)
    a @ a  # make sure the BLAS is loaded
    paths = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                p = line.split()[-1]
                base = os.path.basename(p)
                if "blas" in base or "lapack" in base or "mkl" in base or "blis" in base:
                    paths.add(os.path.realpath(p))
    except OSError:
        return "unknown (no /proc/self/maps)", []
    paths = sorted(paths)
    openblas = [p for p in paths if "libopenblas" in os.path.basename(p)]
    if openblas:
        p = openblas[0]
        variant = os.path.basename(os.path.dirname(p))
        m = re.search(r"(\d+\.\d+(\.\d+)?)", os.path.basename(p))
        version = m.group(1) if m else "?"
        note = "" if variant == "openblas-openmp" else " (not libopenblas0-openmp)"
        return f"OpenBLAS {version} ({variant}){note}", paths
    if any("/blas/libblas.so" in p for p in paths):
        return "Netlib reference BLAS (slow: install libopenblas0-openmp)", paths
    if any("mkl" in os.path.basename(p) for p in paths):
        return "MKL", paths
    return "unknown", paths


def blas_build_info():
    m = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return f"built with BLAS_INFO={m.group(1)}" if m else "BLAS_INFO not reported"


def vm_status_kib(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


class Case:
    """One unit of work, as dev.diti4j.bench.Workload."""
    long_running = True
    params = 0
    param_sizes = ()
    describe = ""

    def run(self):
        raise NotImplementedError


class DmTrain(Case):
    def __init__(self, cfg, batch, side, seed):
        torch.manual_seed(seed)
        self.model = UNet(cfg)
        self.model.train()
        self.params_list = [p for p in self.model.parameters() if p.requires_grad]
        self.params = parameter_count(self.model)
        self.param_sizes = sorted(p.numel() for p in self.params_list)
        self.opt = torch.optim.AdamW(self.params_list, lr=2e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
        self.ema = [p.detach().clone() for p in self.params_list]
        betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
        abar = torch.cumprod(1.0 - betas, dim=0)
        self.sqrt_abar = abar.sqrt().float()
        self.sqrt_1m_abar = (1.0 - abar).sqrt().float()
        self.gen = torch.Generator().manual_seed(seed + 1)
        self.x0 = torch.rand(batch, cfg.in_channels, side, side, generator=torch.Generator().manual_seed(seed + 2)) * 2 - 1
        self.n = 0
        self.describe = f"DmTrainer.step twin, {cfg.to_json()}, batch {batch}, {side}x{side}, AdamW foreach=" \
                        f"{self.opt.defaults.get('foreach')}"

    def run(self):
        b = self.x0.shape[0]
        t = torch.randint(0, T, (b,), generator=self.gen)
        eps = torch.randn(self.x0.shape, generator=self.gen)
        xt = self.sqrt_abar[t].view(b, 1, 1, 1) * self.x0 + self.sqrt_1m_abar[t].view(b, 1, 1, 1) * eps
        loss = F.mse_loss(self.model(xt, t), eps)
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit(f"loss is {value} at step {self.n + 1}")
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            norm = torch.stack([p.grad.square().sum() for p in self.params_list if p.grad is not None]).sum().sqrt()
            if not math.isfinite(norm.item()):
                raise SystemExit(f"gradient norm is not finite at step {self.n + 1}")
        self.opt.step()
        with torch.no_grad():
            if not math.isfinite(torch.stack([p.mul(0).sum() for p in self.params_list]).sum().item()):
                raise SystemExit(f"the update made a weight non-finite at step {self.n + 1}")
            decay = min(0.999, (1.0 + self.n) / (10.0 + self.n))
            for e, p in zip(self.ema, self.params_list):
                e.mul_(decay).add_(p, alpha=1.0 - decay)
        self.n += 1


class UNetForward(Case):
    def __init__(self, cfg, batch, side, seed):
        torch.manual_seed(seed)
        self.model = UNet(cfg)
        self.model.eval()
        self.params = parameter_count(self.model)
        self.param_sizes = sorted(p.numel() for p in self.model.parameters() if p.requires_grad)
        self.x = torch.randn(batch, cfg.in_channels, side, side, generator=torch.Generator().manual_seed(seed + 1))
        self.t = torch.full((batch,), 500, dtype=torch.long)
        self.describe = f"UNet forward (eval, no grad), {cfg.to_json()}, batch {batch}, {side}x{side}"

    def run(self):
        with torch.no_grad():
            self.model(self.x, self.t)


# Hook: the DiTi training-step cases (issue 7, part 2) get a Case class here, named in make_case below,
# in StepRunner.workload() and in side_by_side.py.


class Gemm(Case):
    long_running = False

    def __init__(self, n):
        torch.manual_seed(1)
        self.a, self.b, self.c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
        self.describe = f"torch.mm n={n}"

    def run(self):
        torch.mm(self.a, self.b, out=self.c)


class Conv(Case):
    long_running = False

    def __init__(self, n, c, h, w, backward):
        torch.manual_seed(0)
        self.x = torch.randn(n, c, h, w, requires_grad=True)
        self.w = (torch.randn(c, c, 3, 3) / (c * 9) ** 0.5).requires_grad_(True)
        self.bias = torch.zeros(c, requires_grad=True)
        self.gy = torch.randn(n, c, h, w)
        self.backward = backward
        self.describe = f"F.conv2d {'fwd+bwd' if backward else 'fwd'} {n}x{c}->{c}@{h}x{w}"

    def run(self):
        if self.backward:
            y = F.conv2d(self.x, self.w, self.bias, stride=1, padding=1)
            torch.autograd.grad(y, (self.x, self.w, self.bias), self.gy)
        else:
            with torch.no_grad():
                F.conv2d(self.x, self.w, self.bias, stride=1, padding=1)


def make_case(args):
    cfg = UNetConfig.from_json(args.model) if args.model else None
    if args.case in ("dm-train", "unet-forward") and cfg is None:
        raise SystemExit(f"--case {args.case} needs --model (UNetConfig JSON)")
    if args.case == "dm-train":
        return DmTrain(cfg, args.batch, args.image, args.seed)
    if args.case == "unet-forward":
        return UNetForward(cfg, args.batch, args.image, args.seed)
    if args.case == "gemm":
        return Gemm(args.n)
    if args.case in ("conv-fwd", "conv-fwdbwd"):
        n, c, h, w = (int(v) for v in args.shape.split("x"))
        return Conv(n, c, h, w, args.case == "conv-fwdbwd")
    raise SystemExit(f"unknown --case {args.case}")


def emit(obj):
    print(json.dumps(obj, separators=(",", ":")), flush=True)


def sample(case, min_seconds):
    """Calls case.run() once, and again until min_seconds have passed: (seconds per call, calls)."""
    t0 = time.perf_counter()
    calls = 0
    while True:
        case.run()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds:
            return elapsed / calls, calls


def self_check():
    """The twin U-Net has diti4j's parameter counts, and the FLOP estimate matches the shapes."""
    ok = True
    for name, cfg in (("METHOD 9", METHOD9), ("ADM base", ADM_BASE)):
        torch.manual_seed(0)
        m = UNet(cfg)
        n = parameter_count(m)
        x = torch.randn(2, cfg.in_channels, 32, 32)
        counted = counted_forward_flops(m, x, torch.tensor([0, 999]))
        est = forward_flops(cfg, 2, 32)
        zero = m(x, torch.tensor([0, 999])).abs().max().item()
        good = n == PARAMS[cfg] and counted == est and zero == 0.0
        ok &= good
        emit(dict(event="self-check", model=name, params=n, expected=PARAMS[cfg], flops_counted=counted,
                  flops_estimate=est, output_at_init_max=zero, ok=good))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case")
    ap.add_argument("--model", default=None, help="UNetConfig JSON")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--image", type=int, default=32)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=7)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--shape", default=None)
    ap.add_argument("--sample-ms", type=float, default=100.0)
    ap.add_argument("--warmup-ms", type=float, default=1000.0)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--self-check", action="store_true")
    args = ap.parse_args()
    if args.self_check:
        sys.exit(0 if self_check() else 1)
    if not args.case or args.threads is None:
        ap.error("--case and --threads are required")
    torch.set_num_threads(args.threads)
    if torch.get_num_threads() != args.threads:
        sys.exit(f"torch runs {torch.get_num_threads()} threads, not {args.threads}")
    # Freeing one large block raises glibc's mmap threshold, so activation-sized tensors come from
    # the heap instead of fresh, page-faulting mmaps on every call: the steady state of a long
    # training loop (the same as torch_bench.py does).
    del_me = torch.empty(4 * 1024 * 1024)
    del del_me
    blas, blas_paths = blas_in_use()
    case = make_case(args)
    emit(dict(event="info", side="pytorch", case=args.case, threads=torch.get_num_threads(), params=case.params,
              param_sizes=list(case.param_sizes), describe=case.describe, torch=torch.__version__, blas=blas,
              blas_paths=blas_paths, blas_build=blas_build_info(), mkldnn=torch.backends.mkldnn.is_available(),
              omp_num_threads=os.environ.get("OMP_NUM_THREADS"),
              openblas_env={k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}))
    # a long case: one call per sample; a short one: calls until the sample lasts --sample-ms
    # (warm-up samples at least --warmup-ms), as StepRunner does
    measure_for = 0.0 if case.long_running else args.sample_ms * 1e-3
    warm_for = 0.0 if case.long_running else max(measure_for, args.warmup_ms * 1e-3)
    warm = []
    for i in range(args.warmup):
        s, n = sample(case, warm_for)
        warm.append(s)
        emit(dict(event="sample", i=i, warmup=True, s=s, calls=n))
    t0 = time.perf_counter()
    measured, calls = [], []
    for i in range(args.steps):
        s, n = sample(case, measure_for)
        measured.append(s)
        calls.append(n)
        emit(dict(event="sample", i=i, warmup=False, s=s, calls=n))
    emit(dict(event="result", side="pytorch", case=args.case, threads=torch.get_num_threads(), params=case.params,
              calls_per_sample=calls, samples_s=measured, warmup_s=warm, measured_s=time.perf_counter() - t0,
              vmhwm_kib=vm_status_kib("VmHWM"), vmrss_kib=vm_status_kib("VmRSS")))


if __name__ == "__main__":
    main()
