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
# Expected parameter counts (diti4j's nn tests assert the first; StepRunner printed the second).
PARAMS = {METHOD9: 1_369_953, ADM_BASE: 7_660_931}


def _conv(n, cin, cout, h, w, k):
    return 2 * n * cout * h * w * cin * k * k


def forward_flops(cfg, batch, side):
    """FLOPs of one forward pass of the U-Net of METHOD 1.3 on (batch, in, side, side)."""
    n = batch
    emb = cfg.emb_dim
    total = 2 * n * (cfg.base * emb + emb * emb)  # time embedding MLP

    def resblock(cin, cout, h_out, w_out):
        f = _conv(n, cin, cout, h_out, w_out, 3)          # conv1 (after the resample)
        f += 2 * n * emb * 2 * cout                        # emb -> (scale, shift)
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
    total += _conv(n, cfg.in_channels, ch, side, side, 3)
    ds = 1
    for level in range(cfg.levels):
        for _ in range(cfg.num_res_blocks):
            total += resblock(ch, cfg.channels(level), side_now, side_now)
            ch = cfg.channels(level)
            if ds in cfg.attention_ds:
                total += attention(ch, side_now, side_now)
        if level != cfg.levels - 1:
            side_now //= 2
            total += resblock(ch, ch, side_now, side_now)   # down-sampling ResBlock
            ds *= 2
    total += resblock(ch, ch, side_now, side_now) * 2 + attention(ch, side_now, side_now)  # middle
    skips = cfg.skip_channels()
    for level in reversed(range(cfg.levels)):
        for i in range(cfg.num_res_blocks + 1):
            total += resblock(ch + skips.pop(), cfg.channels(level), side_now, side_now)
            ch = cfg.channels(level)
            if ds in cfg.attention_ds:
                total += attention(ch, side_now, side_now)
            if level > 0 and i == cfg.num_res_blocks:
                side_now *= 2
                total += resblock(ch, ch, side_now, side_now)  # up-sampling ResBlock
                ds //= 2
    total += _conv(n, ch, cfg.out_channels, side, side, 3)  # output head
    return total
