"""The U-Net configuration shared by both sides of the side-by-side runner, and a FLOP estimate.

No PyTorch here: the driver (side_by_side.py) imports this module to name the cases and count
their work even where PyTorch is not installed. The JSON form is exactly diti4j's
UNetConfig.toJson(), so the Java side parses the same text the PyTorch side does.

FLOP estimate of one forward pass (stated as an estimate wherever it is printed): 2 per
multiply-add of every convolution, linear layer and attention matmul, from their shapes; the
normalisations, activations, resampling, softmax and additions are not counted (they are memory
bound and a few percent of the total). A training step counts three forwards' worth: the
forward, the input gradients and the weight gradients of every conv, linear and matmul.
"""
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class UNetConfig:
    in_channels: int
    out_channels: int
    base: int
    mult: tuple
    num_res_blocks: int
    attention_ds: tuple
    heads: int
    dropout: float
    groups: int

    def to_json(self):
        """The same keys and order as diti4j's UNetConfig.toJson()."""
        return json.dumps({"inChannels": self.in_channels, "outChannels": self.out_channels,
                           "baseChannels": self.base, "channelMult": list(self.mult),
                           "numResBlocks": self.num_res_blocks, "attentionDs": list(self.attention_ds),
                           "heads": self.heads, "dropout": self.dropout, "groups": self.groups},
                          separators=(",", ":"))

    @staticmethod
    def from_json(text):
        o = json.loads(text)
        return UNetConfig(o["inChannels"], o["outChannels"], o["baseChannels"], tuple(o["channelMult"]),
                          o["numResBlocks"], tuple(o["attentionDs"]), o["heads"], float(o["dropout"]),
                          o["groups"])

    def channels(self, level):
        return self.base * self.mult[level]

    @property
    def levels(self):
        return len(self.mult)

    @property
    def emb_dim(self):
        return 4 * self.base

    def skip_channels(self):
        """Channels of every skip the encoder pushes, input conv first (METHOD 1.3 "Layout")."""
        out = [self.channels(0)]
        ch = self.channels(0)
        for level in range(self.levels):
            for _ in range(self.num_res_blocks):
                ch = self.channels(level)
                out.append(ch)
            if level != self.levels - 1:
                out.append(ch)
        return out


# METHOD 9 stage A (diti4j's UNetConfig.fashionMnist()): 1,369,953 parameters.
METHOD9 = UNetConfig(1, 1, 32, (1, 2, 2), 1, (4,), 1, 0.1, 8)
# The ADM base model of the shared reference measurements: base 64, [1, 2, 2], two ResBlocks per
# level, attention at ds 2 (16 px of 32) with 4 heads, GroupNorm 32, dropout 0.1; 7,660,931.
ADM_BASE = UNetConfig(3, 3, 64, (1, 2, 2), 2, (2,), 4, 0.1, 32)
# The demo's U-Net (diti4j's ModelPresets.small(), 3 channels, for 16 px shapes): base 16, [1, 2, 4],
# one ResBlock, attention at ds 4 (4 px) with 1 head, no dropout, GroupNorm 8; 794,547 parameters.
SMALL16 = UNetConfig(3, 3, 16, (1, 2, 4), 1, (4,), 1, 0.0, 8)
# Expected parameter counts (diti4j's nn tests assert the first; StepRunner printed the second;
# ModelPresets.small() documents the third).
PARAMS = {METHOD9: 1_369_953, ADM_BASE: 7_660_931, SMALL16: 794_547}


def _conv(n, cin, cout, h, w, k):
    return 2 * n * cout * h * w * cin * k * k


def forward_flops(cfg, batch, side):
    """FLOPs of one forward pass of the U-Net of METHOD 1.3 on (batch, in, side, side)."""
    first, second = unet_halves_flops(cfg, batch, side)
    return first + second


def unet_halves_flops(cfg, batch, side, z_modulated=False):
    """FLOPs of one forward of the U-Net, split in two: (time MLP + input conv + encoder half,
    middle block + decoder + output head). With z_modulated, the second half is that of the PDAE
    shift decoder (METHOD 2.2): every ResBlock has a second Linear(4 base -> 2 cout), for e_z;
    label_emb is not included (see shift_decoder_flops)."""
    n = batch
    emb = cfg.emb_dim
    first = 2 * n * (cfg.base * emb + emb * emb)  # time embedding MLP

    def resblock(cin, cout, h_out, w_out, z=False):
        f = _conv(n, cin, cout, h_out, w_out, 3)          # conv1 (after the resample)
        f += 2 * n * emb * 2 * cout * (2 if z else 1)      # emb -> (scale, shift) [and e_z -> (z_s, z_b)]
        f += _conv(n, cout, cout, h_out, w_out, 3)         # conv2
        if cin != cout:
            f += _conv(n, cin, cout, h_out, w_out, 1)      # 1x1 skip
        return f

    def attention(c, h, w):
        t = h * w
        f = _conv(n, c, 3 * c, h, w, 1) + _conv(n, c, c, h, w, 1)  # qkv and proj_out
        f += 2 * (2 * n * t * t * c)                                # q^T k and v w^T over all heads
        return f

    side_now = side
    ch = cfg.channels(0)
    first += _conv(n, cfg.in_channels, ch, side, side, 3)
    ds = 1
    for level in range(cfg.levels):
        for _ in range(cfg.num_res_blocks):
            first += resblock(ch, cfg.channels(level), side_now, side_now)
            ch = cfg.channels(level)
            if ds in cfg.attention_ds:
                first += attention(ch, side_now, side_now)
        if level != cfg.levels - 1:
            side_now //= 2
            first += resblock(ch, ch, side_now, side_now)   # down-sampling ResBlock
            ds *= 2
    z = z_modulated
    second = resblock(ch, ch, side_now, side_now, z) * 2 + attention(ch, side_now, side_now)  # middle
    skips = cfg.skip_channels()
    for level in reversed(range(cfg.levels)):
        for i in range(cfg.num_res_blocks + 1):
            second += resblock(ch + skips.pop(), cfg.channels(level), side_now, side_now, z)
            ch = cfg.channels(level)
            if ds in cfg.attention_ds:
                second += attention(ch, side_now, side_now)
            if level > 0 and i == cfg.num_res_blocks:
                side_now *= 2
                second += resblock(ch, ch, side_now, side_now, z)  # up-sampling ResBlock
                ds //= 2
    second += _conv(n, ch, cfg.out_channels, side, side, 3)  # output head
    return first, second


# ---- DiTi (METHOD 2.2, 3, 9 stage B) ------------------------------------------------------------

# The small encoder of METHOD 9 stage B (diti4j's EncoderConfig.small): 3x3 convolutions with
# stride 2 and padding 1 of these widths, GroupNorm 8 between them; GN, SiLU, flatten, Linear to d.
SMALL_ENCODER_WIDTHS = (32, 64, 64)
SMALL_ENCODER_GROUPS = 8


def encoder_side(side, widths=SMALL_ENCODER_WIDTHS):
    for _ in widths:
        side = (side + 1) // 2  # 3x3, stride 2, padding 1
    return side


def encoder_flops(in_channels, side, latent, batch, widths=SMALL_ENCODER_WIDTHS):
    """FLOPs of one forward of the small encoder on (batch, in_channels, side, side)."""
    total, cin, s = 0, in_channels, side
    for w in widths:
        s = (s + 1) // 2
        total += _conv(batch, cin, w, s, s, 3)
        cin = w
    return total + 2 * batch * cin * s * s * latent


def shift_decoder_flops(cfg, latent, batch, side):
    """FLOPs of one forward of the shift decoder G: label_emb, shift middle block, decoder, head."""
    return 2 * batch * latent * cfg.emb_dim + unet_halves_flops(cfg, batch, side, z_modulated=True)[1]


def diti_step_flops(cfg, latent, batch, side):
    """FLOPs of one DiTi training step (an estimate, as forward_flops): one frozen forward of the
    whole U-Net without gradients, plus three forwards' worth (forward, input gradients, weight
    gradients) of the encoder and the shift decoder."""
    return forward_flops(cfg, batch, side) + 3 * (encoder_flops(cfg.in_channels, side, latent, batch)
                                                  + shift_decoder_flops(cfg, latent, batch, side))


@dataclass(frozen=True)
class DitiConfig:
    """One DiTi training-step case: the frozen U-Net, image side, d, k (uniform), batch, Adam lr, EMA
    decay and loss mode, as diti4j's StepRunner --case diti-train takes them."""
    unet: UNetConfig
    image: int
    latent: int
    subsets: int
    batch: int
    lr: float
    ema: float
    mode: str = "base"

    def args(self):
        """The worker arguments (both sides take the same)."""
        return ("--model", self.unet.to_json(), "--batch", str(self.batch), "--image", str(self.image),
                "--latent", str(self.latent), "--subsets", str(self.subsets), "--lr", repr(self.lr),
                "--ema", repr(self.ema), "--mode", self.mode)


# METHOD 9 stage B (DitiSettings.recipe: Adam 1e-4, EMA 0.999, base mode) at batch 64, and the demo's
# DiTi run (./diti4j demo on shapes: Adam 1e-3, EMA 0.99, d = 32, k = 8, batch 32).
DITI_M9 = DitiConfig(METHOD9, 32, 64, 16, 64, 1e-4, 0.999)
DITI_DEMO = DitiConfig(SMALL16, 16, 32, 8, 32, 1e-3, 0.99)
# Trainable parameters (encoder + shift decoder with label_emb) as diti4j's StepRunner reports them:
# METHOD 9 121,664 + 1,179,809 (docs/internals/diti-model.md); the demo's model 776,211.
DITI_PARAMS = {DITI_M9: 1_301_473, DITI_DEMO: 776_211}
