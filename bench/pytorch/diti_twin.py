"""The DiTi encoder E(x_0) -> z and the PDAE shift decoder G in PyTorch: the twins of diti4j's
FeatureEncoder (small layout) and ShiftDecoder, for the DiTi training-step cases of the
side-by-side runner. Written from METHOD 2.2, 3 and 9 (stage B), on the U-Net twin of adm_unet.py:

- encoder (METHOD 9 stage B, "small"): Conv3x3 s2 (C -> 32); GN-SiLU-Conv3x3 s2 (32 -> 64);
  GN-SiLU-Conv3x3 s2 (64 -> 64); GN-SiLU, flatten, Linear -> d. GroupNorm 8, padding 1 everywhere,
  no attention; z is the Linear's raw output (METHOD 3: no normalisation);
- shift decoder (METHOD 2.2): label_emb = Linear(d -> 4 base) on the (masked) z, no activation,
  gives e_z; shift middle block = ResBlockShift, attention, ResBlockShift on the frozen encoder
  half's bottleneck (the output of the last input block, not of the frozen middle block); then an
  exact structural copy of the U-Net decoder with ResBlockShift blocks, popping the same frozen
  skips in the same order; shift_out = GN, SiLU, zero-initialised Conv3x3 -> image channels, so
  G = 0 at step 0;
- ResBlockShift: a ResBlock (AdaGN, adm_unet.ResBlock) whose normalisation step is
  (1 + z_s) (GN(h)(1 + s) + b) + z_b, with (s, b) = emb(SiLU(e_t)) from the block's own trainable
  time layer reading the frozen e_t and (z_s, z_b) = emb_z(SiLU(e_z)); attention blocks do not see
  z. Dropout at the U-Net's rate, active while training (the frozen U-Net runs in eval mode);
- every layer of the shift branch freshly initialised (PyTorch defaults, zero-init of each
  ResBlock's conv2, attention proj_out and the head), not copied from the U-Net.

PyTorch 1.13 API only.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from adm_unet import AttentionBlock, ResBlock, zeroed
from unet_config import SMALL_ENCODER_GROUPS, SMALL_ENCODER_WIDTHS, encoder_side


class Encoder(nn.Module):
    """E(x_0) -> z, the small layout; one Sequential named encoder, in the reference's order (the
    parameter names and shapes are diti4j's encoder.encoder.N.*)."""

    def __init__(self, in_channels, side, latent, widths=SMALL_ENCODER_WIDTHS, groups=SMALL_ENCODER_GROUPS):
        super().__init__()
        layers, ch = [], in_channels
        for i, w in enumerate(widths):
            if i > 0:
                layers += [nn.GroupNorm(groups, ch, eps=1e-5), nn.SiLU()]
            layers.append(nn.Conv2d(ch, w, 3, stride=2, padding=1))
            ch = w
        s = encoder_side(side, widths)
        layers += [nn.GroupNorm(groups, ch, eps=1e-5), nn.SiLU(), nn.Flatten(), nn.Linear(ch * s * s, latent)]
        self.encoder = nn.Sequential(*layers)

    def forward(self, x):
        return self.encoder(x)


class ResBlockShift(ResBlock):
    """ResBlock with the second, z-driven scale-shift after the time modulation (METHOD 2.2)."""

    def __init__(self, cin, cout, emb_dim, dropout, groups, resample=None):
        super().__init__(cin, cout, emb_dim, dropout, groups, resample)
        self.emb_z = nn.Linear(emb_dim, 2 * cout)

    def forward(self, x, emb, ez):
        h = self.conv1(self._resample(F.silu(self.norm1(x))))
        scale, shift = self.emb(F.silu(emb))[:, :, None, None].chunk(2, dim=1)
        z_scale, z_shift = self.emb_z(F.silu(ez))[:, :, None, None].chunk(2, dim=1)
        h = (1 + z_scale) * (self.norm2(h) * (1 + scale) + shift) + z_shift
        h = self.conv2(self.dropout(F.silu(h)))
        return self.skip(self._resample(x)) + h


class ShiftBlock(nn.Module):
    """A ResBlockShift, attention where the factor asks, and an up-sampling ResBlockShift at the end
    of a decoder level (diti4j's UNetBlock, z-modulated)."""

    def __init__(self, res, attn=None, up=None):
        super().__init__()
        self.res = res
        self.attn = attn
        self.up = up

    def forward(self, x, emb, ez):
        h = self.res(x, emb, ez)
        if self.attn is not None:
            h = self.attn(h)
        if self.up is not None:
            h = self.up(h, emb, ez)
        return h


class ShiftDecoder(nn.Module):
    """G(x_t, z, t) from the frozen encoder half's features (skips, e_t) and a condition (B, d)."""

    def __init__(self, cfg, latent):
        super().__init__()
        emb = cfg.emb_dim
        self.label_emb = nn.Linear(latent, emb)

        def res(cin, cout, resample=None):
            return ResBlockShift(cin, cout, emb, cfg.dropout, cfg.groups, resample)

        def attn(c):
            return AttentionBlock(c, cfg.heads, cfg.groups)

        ch = cfg.channels(cfg.levels - 1)
        ds = 2 ** (cfg.levels - 1)
        self.mid1 = res(ch, ch)
        self.mid_attn = attn(ch)
        self.mid2 = res(ch, ch)
        self.up = nn.ModuleList()
        skips = cfg.skip_channels()
        for level in reversed(range(cfg.levels)):
            for i in range(cfg.num_res_blocks + 1):
                cout = cfg.channels(level)
                upsample = level > 0 and i == cfg.num_res_blocks
                self.up.append(ShiftBlock(res(ch + skips.pop(), cout),
                                          attn(cout) if ds in cfg.attention_ds else None,
                                          res(cout, cout, "up") if upsample else None))
                ch = cout
                if upsample:
                    ds //= 2
        assert not skips
        self.out_norm = nn.GroupNorm(cfg.groups, ch, eps=1e-5)
        self.out_conv = zeroed(nn.Conv2d(ch, cfg.in_channels, 3, padding=1))

    def forward(self, hs, emb, condition):
        """hs: every frozen skip in push order (not changed; the last is the bottleneck), emb: the
        frozen e_t, condition: (B, d), usually z * M[i(t)]."""
        ez = self.label_emb(condition)
        hs = list(hs)
        h = self.mid2(self.mid_attn(self.mid1(hs[-1], emb, ez)), emb, ez)
        for block in self.up:
            h = block(torch.cat([h, hs.pop()], dim=1), emb, ez)
        return self.out_conv(F.silu(self.out_norm(h)))


class DitiModel(nn.Module):
    """The trained parts only, as diti4j's DitiModel: children encoder and shift. The frozen U-Net
    is held outside (so parameters() never reaches it)."""

    def __init__(self, cfg, side, latent):
        super().__init__()
        self.encoder = Encoder(cfg.in_channels, side, latent)
        self.shift = ShiftDecoder(cfg, latent)


def uniform_masks(subsets, latent):
    """The cumulative masks M (k, d) of k uniform subsets, subset i = [floor(i d / k), floor((i+1) d / k))
    (METHOD 4.3, 4.4), with the newest-subset masks K and the older-subset masks R."""
    ends = [(i + 1) * latent // subsets for i in range(subsets)]
    starts = [0] + ends[:-1]
    idx = torch.arange(latent)
    m = torch.stack([(idx < e).float() for e in ends])
    k = torch.stack([((idx >= s) & (idx < e)).float() for s, e in zip(starts, ends)])
    r = torch.stack([(idx < s).float() for s in starts])
    return m, k, r
