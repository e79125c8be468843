"""PyTorch re-implementation of edmkit's small DDPM++ (``ddpmppSmall``).

The raw network F_theta of the EDM paper (Karras et al. 2022, Table 1,
Appendix F.2) in edmkit's small configuration, ``{...DDPMPP, ...SMALL}`` in
``packages/unet/src/networks/song-unet.ts``:

- input 28x28x1 (NCHW here, NHWC in tfjs), output of the same shape;
- 32 base channels, channel multipliers [1, 2, 2] (levels 28, 14, 7 with
  32, 64, 64 channels), one residual block per level (two per level in the
  decoder, which also has two bottleneck blocks);
- self-attention (one head) at 14x14 and in the first bottleneck block;
- mapping network: positional embedding of c_noise (32 channels,
  [sin, cos]), two dense layers to a 128-channel embedding, each followed
  by SiLU; no class labels and no augmentation labels (augmentDim 0);
- residual blocks with additive embedding, GroupNorm (min(32, C/4) groups,
  eps 1e-6), SiLU, dropout 0.13, skip scale 1/sqrt(2), learned 1x1 skip
  projections (also on resampling skips);
- resampling with the [1, 1] filter: 2x2 average pooling / nearest
  upsampling;
- output GroupNorm, SiLU, 3x3 convolution.

Meant for speed comparisons: same layers and same trainable parameter count
as edmkit (1,259,393), same initialisation scheme (Xavier-uniform, x1e-5
before residual sums and at the output, x sqrt(0.2) for qkv, zero biases),
not the same random draws.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

GN_EPS = 1e-6
SKIP_SCALE = math.sqrt(0.5)


def _xavier_uniform_(weight, fan_in, fan_out, gain):
    """Xavier-uniform with the official fans (in*k^2, out*k^2), x gain."""
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        weight.uniform_(-bound, bound)


def group_norm(channels):
    """GroupNorm, min(32, floor(C/4)) groups, eps 1e-6 (Song U-Net)."""
    groups = min(32, channels // 4)
    if groups < 1 or channels % groups != 0:
        raise ValueError(
            f"GroupNorm: {channels} channels do not split into "
            f"{groups} groups")
    return nn.GroupNorm(groups, channels, eps=GN_EPS)


class Linear(nn.Linear):
    """Dense layer, Xavier-uniform weight (x gain), zero bias."""

    def __init__(self, in_features, out_features, gain=1.0):
        super().__init__(in_features, out_features)
        _xavier_uniform_(self.weight, in_features, out_features, gain)
        nn.init.zeros_(self.bias)


class Conv2d(nn.Module):
    """k x k convolution, "same" padding, optionally after resampling by 2.

    Only the DDPM++ [1, 1] resampling filter is implemented: downsampling
    is 2x2 average pooling, upsampling is nearest-neighbour (both exact for
    that filter).
    """

    def __init__(self, in_channels, out_channels, kernel, up=False,
                 down=False, gain=1.0):
        super().__init__()
        assert not (up and down)
        self.up = up
        self.down = down
        self.padding = kernel // 2
        self.weight = nn.Parameter(
            torch.empty(out_channels, in_channels, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        k2 = kernel * kernel
        _xavier_uniform_(self.weight, in_channels * k2, out_channels * k2,
                         gain)

    def forward(self, x):
        if self.up:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        if self.down:
            x = F.avg_pool2d(x, 2)
        return F.conv2d(x, self.weight, self.bias, padding=self.padding)


class SelfAttention(nn.Module):
    """x <- (x + proj(attention(qkv(norm(x))))) / sqrt(2).

    The qkv channels follow the official layout:
    channel = head * 3 * (C / heads) + c * 3 + {q, k, v}.
    """

    def __init__(self, channels, num_heads=1):
        super().__init__()
        self.num_heads = num_heads
        self.norm = group_norm(channels)
        self.qkv = Conv2d(channels, 3 * channels, 1, gain=math.sqrt(0.2))
        self.proj = Conv2d(channels, channels, 1, gain=1e-5)

    def forward(self, x):
        n, c, h, w = x.shape
        cph = c // self.num_heads
        qkv = self.qkv(self.norm(x))
        qkv = qkv.reshape(n * self.num_heads, cph, 3, h * w)
        q, k, v = qkv.unbind(2)  # each [n * heads, cph, h * w]
        logits = torch.bmm(q.transpose(1, 2), k) / math.sqrt(cph)
        weights = torch.softmax(logits, dim=-1)  # [n * heads, query, key]
        a = torch.bmm(v, weights.transpose(1, 2)).reshape(n, c, h, w)
        return (x + self.proj(a)) * SKIP_SCALE


class UNetBlock(nn.Module):
    """Residual block of the Song U-Net (additive embedding):

    h = conv0(silu(norm0(x)))            (up/down inside conv0)
    h = silu(norm1(h + affine(emb)))
    h = conv1(dropout(h))
    x = (h + skip(x)) / sqrt(2)          [then self-attention]
    """

    def __init__(self, in_channels, out_channels, emb_channels, up=False,
                 down=False, attention=False, dropout=0.13):
        super().__init__()
        self.norm0 = group_norm(in_channels)
        self.conv0 = Conv2d(in_channels, out_channels, 3, up=up, down=down)
        self.affine = Linear(emb_channels, out_channels)
        self.norm1 = group_norm(out_channels)
        self.dropout = nn.Dropout(dropout)
        self.conv1 = Conv2d(out_channels, out_channels, 3, gain=1e-5)
        self.skip = None
        if in_channels != out_channels or up or down:
            # Learned 1x1 projection, also when only resampling
            # (edmkit's resampleProj: true).
            self.skip = Conv2d(in_channels, out_channels, 1, up=up,
                               down=down)
        self.attn = SelfAttention(out_channels) if attention else None

    def forward(self, x, emb):
        h = self.conv0(F.silu(self.norm0(x)))
        h = F.silu(self.norm1(h + self.affine(emb)[:, :, None, None]))
        h = self.conv1(self.dropout(h))
        skip = self.skip(x) if self.skip is not None else x
        x = (h + skip) * SKIP_SCALE
        if self.attn is not None:
            x = self.attn(x)
        return x


class PositionalEmbedding(nn.Module):
    """[sin(c_noise * f), cos(c_noise * f)], f_k = (1/10000)^(k/(C/2-1))."""

    def __init__(self, channels, max_positions=10000):
        super().__init__()
        half = channels // 2
        k = torch.arange(half, dtype=torch.float32)
        freqs = (1.0 / max_positions) ** (k / (half - 1))
        self.register_buffer("freqs", freqs, persistent=False)

    def forward(self, c_noise):
        arg = c_noise.reshape(-1, 1).to(self.freqs.dtype) * self.freqs
        return torch.cat([torch.sin(arg), torch.cos(arg)], dim=1)


class SongUNet(nn.Module):
    """DDPM++ U-Net F_theta(x, c_noise): unconditional, no augment labels."""

    def __init__(self, resolution=28, in_channels=1, out_channels=1,
                 model_channels=32, channel_mult=(1, 2, 2),
                 channel_mult_emb=4, channel_mult_noise=1, num_blocks=1,
                 attn_resolutions=(14,), dropout=0.13):
        super().__init__()
        emb_channels = model_channels * channel_mult_emb
        noise_channels = model_channels * channel_mult_noise

        def block(cin, cout, **flags):
            return UNetBlock(cin, cout, emb_channels, dropout=dropout,
                             **flags)

        # Mapping network: emb = silu(L1(silu(L0(PE(c_noise))))).
        self.map_noise = PositionalEmbedding(noise_channels)
        self.map_layer0 = Linear(noise_channels, emb_channels)
        self.map_layer1 = Linear(emb_channels, emb_channels)

        # Encoder: 3x3 conv, then per level a downsampling block (not at
        # the first level) and num_blocks blocks; every output is a skip.
        self.enc = nn.ModuleDict()
        cout = in_channels
        skips = []
        for level, mult in enumerate(channel_mult):
            res = resolution >> level
            tag = f"{res}x{res}"
            if level == 0:
                self.enc[f"{tag}_conv"] = Conv2d(cout, model_channels, 3)
                cout = model_channels
            else:
                self.enc[f"{tag}_down"] = block(cout, cout, down=True)
            skips.append(cout)
            for i in range(num_blocks):
                self.enc[f"{tag}_block{i}"] = block(
                    cout, model_channels * mult,
                    attention=res in attn_resolutions)
                cout = model_channels * mult
                skips.append(cout)

        # Decoder: two bottleneck blocks (the first always with attention),
        # an upsampling block between levels, and num_blocks + 1 blocks per
        # level, each on the concatenation [x, skip]; attention after the
        # last block of a level in attn_resolutions.
        self.dec = nn.ModuleDict()
        self.dec_takes_skip = []
        for level in reversed(range(len(channel_mult))):
            res = resolution >> level
            tag = f"{res}x{res}"
            if level == len(channel_mult) - 1:
                self.dec[f"{tag}_in0"] = block(cout, cout, attention=True)
                self.dec[f"{tag}_in1"] = block(cout, cout)
                self.dec_takes_skip += [False, False]
            else:
                self.dec[f"{tag}_up"] = block(cout, cout, up=True)
                self.dec_takes_skip.append(False)
            for i in range(num_blocks + 1):
                cin = cout + skips.pop()
                cout = model_channels * channel_mult[level]
                last = i == num_blocks
                self.dec[f"{tag}_block{i}"] = block(
                    cin, cout, attention=last and res in attn_resolutions)
                self.dec_takes_skip.append(True)

        # Output: GroupNorm, SiLU, 3x3 conv (x1e-5 init).
        self.out_norm = group_norm(cout)
        self.out_conv = Conv2d(cout, out_channels, 3, gain=1e-5)

    def forward(self, x, c_noise):
        emb = self.map_noise(c_noise)
        emb = F.silu(self.map_layer0(emb))
        emb = F.silu(self.map_layer1(emb))

        skips = []
        for name, layer in self.enc.items():
            x = layer(x) if name.endswith("_conv") else layer(x, emb)
            skips.append(x)

        for layer, takes_skip in zip(self.dec.values(),
                                     self.dec_takes_skip):
            if takes_skip:
                x = torch.cat([x, skips.pop()], dim=1)
            x = layer(x, emb)

        return self.out_conv(F.silu(self.out_norm(x)))


def build():
    """edmkit's ``ddpmppSmall()``: 28x28x1, 1,259,393 trainable params."""
    return SongUNet()
