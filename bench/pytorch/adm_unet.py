"""The ε-prediction U-Net of METHOD.md 1.3 in PyTorch: the twin of diti4j's nn UNet, so the
side-by-side runner times both engines on the same network. Written from METHOD 1.3:

- time embedding: sinusoidal code of the raw integer t, dimension base, [cos | sin] with
  f_j = exp(-ln(10000) j / half); then Linear(base, 4 base), SiLU, Linear(4 base, 4 base);
- ResBlock (AdaGN): h = conv1(resample(SiLU(GN(x)))); (scale, shift) = Linear(SiLU(e_t));
  h = GN(h) (1 + scale) + shift; h = conv2(Dropout(SiLU(h))) with conv2 zero-initialised;
  out = skip(resample(x)) + h, skip the identity or a 1x1 conv; down = 2x2 average pooling,
  up = nearest x2, both inside the block, no resampling conv;
- AttentionBlock: GN, Conv1d(c, 3c, 1), the legacy head-major split ([h0: q k v][h1: q k v]...),
  q and k each scaled by (c/heads)^(-1/4), softmax over keys, zero-initialised proj_out
  Conv1d(c, c, 1), residual add;
- layout: input conv; per level n_res ResBlocks (+ attention where ds is listed) and, except
  at the last level, a down-sampling ResBlock; every output is a skip; middle ResBlock,
  attention, ResBlock; decoder levels in reverse with n_res + 1 ResBlocks on
  concat(h, pop(skip)), attention where listed, and an up-sampling ResBlock after the last
  block of every level but 0; output GN, SiLU, zero-initialised conv3x3;
- GroupNorm eps 1e-5 with a configurable group count; PyTorch default init elsewhere.

PyTorch 1.13 API only.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoidal(t, dim):
    """(B,) integer time steps -> (B, dim): [cos(t f_0..), sin(t f_0..)], cos first."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.to(torch.float32)[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


def zeroed(module):
    for p in module.parameters():
        nn.init.zeros_(p)
    return module


class ResBlock(nn.Module):
    """resample is None, "down" or "up"."""

    def __init__(self, cin, cout, emb_dim, dropout, groups, resample=None):
        super().__init__()
        self.resample = resample
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(emb_dim, 2 * cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = zeroed(nn.Conv2d(cout, cout, 3, padding=1))
        self.skip = nn.Identity() if cin == cout else nn.Conv2d(cin, cout, 1)

    def _resample(self, x):
        if self.resample == "down":
            return F.avg_pool2d(x, 2)
        if self.resample == "up":
            return F.interpolate(x, scale_factor=2, mode="nearest")
        return x

    def forward(self, x, emb):
        h = self.conv1(self._resample(F.silu(self.norm1(x))))
        scale, shift = self.emb(F.silu(emb))[:, :, None, None].chunk(2, dim=1)
        h = self.norm2(h) * (1 + scale) + shift
        h = self.conv2(self.dropout(F.silu(h)))
        return self.skip(self._resample(x)) + h


class AttentionBlock(nn.Module):
    def __init__(self, channels, heads, groups):
        super().__init__()
        assert channels % heads == 0, f"{channels} channels are not divisible into {heads} heads"
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels, eps=1e-5)
        self.qkv = nn.Conv1d(channels, 3 * channels, 1)
        self.proj_out = zeroed(nn.Conv1d(channels, channels, 1))

    def forward(self, x):
        b, c, h, w = x.shape
        t = h * w
        ch = c // self.heads
        qkv = self.qkv(self.norm(x).reshape(b, c, t))
        # legacy split: (B*heads, 3*ch, T), then q, k, v within each head
        q, k, v = qkv.reshape(b * self.heads, 3 * ch, t).split(ch, dim=1)
        scale = 1.0 / math.sqrt(math.sqrt(ch))
        weights = torch.softmax(torch.bmm((q * scale).transpose(1, 2), k * scale), dim=-1)  # (BH, Tq, Tk)
        a = torch.bmm(v, weights.transpose(1, 2))                                         # (BH, ch, Tq)
        return x + self.proj_out(a.reshape(b, c, t)).reshape(b, c, h, w)


class Block(nn.Module):
    """A ResBlock, attention where asked, and an up-sampling ResBlock at the end of a decoder level."""

    def __init__(self, res, attn=None, up=None):
        super().__init__()
        self.res = res
        self.attn = attn
        self.up = up

    def forward(self, x, emb):
        h = self.res(x, emb)
        if self.attn is not None:
            h = self.attn(h)
        if self.up is not None:
            h = self.up(h, emb)
        return h


class UNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        emb = cfg.emb_dim
        self.time1 = nn.Linear(cfg.base, emb)
        self.time2 = nn.Linear(emb, emb)

        def res(cin, cout, resample=None):
            return ResBlock(cin, cout, emb, cfg.dropout, cfg.groups, resample)

        def attn(c):
            return AttentionBlock(c, cfg.heads, cfg.groups)

        self.input = nn.Conv2d(cfg.in_channels, cfg.channels(0), 3, padding=1)
        self.down = nn.ModuleList()
        ch, ds = cfg.channels(0), 1
        for level in range(cfg.levels):
            for _ in range(cfg.num_res_blocks):
                cout = cfg.channels(level)
                self.down.append(Block(res(ch, cout), attn(cout) if ds in cfg.attention_ds else None))
                ch = cout
            if level != cfg.levels - 1:
                self.down.append(Block(res(ch, ch, "down")))
                ds *= 2
        self.mid1 = res(ch, ch)
        self.mid_attn = attn(ch)
        self.mid2 = res(ch, ch)
        self.up = nn.ModuleList()
        skips = cfg.skip_channels()
        for level in reversed(range(cfg.levels)):
            for i in range(cfg.num_res_blocks + 1):
                cout = cfg.channels(level)
                upsample = level > 0 and i == cfg.num_res_blocks
                self.up.append(Block(res(ch + skips.pop(), cout), attn(cout) if ds in cfg.attention_ds else None,
                                     res(cout, cout, "up") if upsample else None))
                ch = cout
                if upsample:
                    ds //= 2
        assert not skips
        self.out_norm = nn.GroupNorm(cfg.groups, ch, eps=1e-5)
        self.out_conv = zeroed(nn.Conv2d(ch, cfg.out_channels, 3, padding=1))

    def forward(self, x, t):
        return self.decode(*self.encode(x, t))

    def encode(self, x, t):
        """The time embedding and the encoder half: (every skip in push order, input conv first; e_t).
        The last skip is the bottleneck, the middle block's input (METHOD 2.2)."""
        emb = self.time2(F.silu(self.time1(sinusoidal(t, self.cfg.base))))
        h = self.input(x)
        hs = [h]
        for block in self.down:
            h = block(h, emb)
            hs.append(h)
        return hs, emb

    def decode(self, hs, emb):
        """Middle block, decoder and output head on the features of encode (hs is not changed)."""
        hs = list(hs)
        h = self.mid2(self.mid_attn(self.mid1(hs[-1], emb)), emb)
        for block in self.up:
            h = block(torch.cat([h, hs.pop()], dim=1), emb)
        return self.out_conv(F.silu(self.out_norm(h)))


def parameter_count(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def counted_forward_flops(model, x, t):
    """FLOPs of one forward, counted from the shapes the convs, linears and attention matmuls
    actually see (forward hooks), to check unet_config.forward_flops."""
    return counted_flops(model, lambda: model(x, t))


def counted_flops(model, fn):
    """FLOPs of the convs, linears and attention matmuls of model that fn() runs (no gradients),
    counted from the shapes they see (forward hooks)."""
    total = [0]
    hooks = []

    def conv_hook(m, inp, out):
        k = 1
        for s in m.kernel_size:
            k *= s
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * k

    def linear_hook(m, inp, out):
        total[0] += 2 * out.numel() * m.in_features

    def attn_hook(m, inp, out):
        b, c, h, w = inp[0].shape
        total[0] += 2 * (2 * b * (h * w) ** 2 * c)

    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d)):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
        elif isinstance(m, AttentionBlock):
            hooks.append(m.register_forward_hook(attn_hook))
    try:
        with torch.no_grad():
            fn()
    finally:
        for h in hooks:
            h.remove()
    return total[0]
