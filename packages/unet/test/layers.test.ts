import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, ParameterError } from '@edmkit/core';
import {
  Conv2d,
  FourierEmbedding,
  GroupNorm,
  Linear,
  MappingNetwork,
  PositionalEmbedding,
  ScaledAdd,
  SelfAttention,
  UNetBlock,
  attentionHeads,
  filterPad,
  firDown,
  firUp,
  groupCount,
  initSpec,
  normalizeFilter,
  positionalFrequencies,
  seededDropout,
  seededKeepMask,
} from '@edmkit/unet';
import { maxAbsDiff, normals, randn, weightOf } from './networks-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Applies a layer to concrete tensors (building it on first use) and returns the values. */
function valuesOf(
  layer: tf.layers.Layer,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown> = {},
): Float32Array {
  const y = tf.tidy(() => layer.apply(inputs, kwargs) as tf.Tensor);
  const values = y.dataSync() as Float32Array;
  y.dispose();
  return values;
}

function dot(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.sum(tf.mul(a, b)).dataSync()[0]!);
}

describe('GroupNorm', () => {
  it('normalises each group over its channels and positions (hand-computed)', () => {
    // Positions p0 = [1, 2, 10, 20], p1 = [3, 4, 30, 40]; two groups of two channels:
    // group 0 = {1, 2, 3, 4}: mean 2.5, variance 1.25; group 1 = {10, …, 40}: mean 25, variance 125.
    const x = tf.tensor4d([1, 2, 10, 20, 3, 4, 30, 40], [1, 1, 2, 4]);
    const norm = new GroupNorm({ groups: 2, minChannelsPerGroup: 1, epsilon: 1e-5 });
    const y = valuesOf(norm, x);
    const s0 = Math.sqrt(1.25 + 1e-5);
    const s1 = Math.sqrt(125 + 1e-5);
    const expected = [-1.5 / s0, -0.5 / s0, -15 / s1, -5 / s1, 0.5 / s0, 1.5 / s0, 5 / s1, 15 / s1];
    expect(maxAbsDiff(y, expected)).toBeLessThan(2e-6);
    // γ and β act per channel after normalisation.
    weightOf(norm, `${norm.name}/gamma`).write(tf.tensor1d([1, 2, 3, 4]));
    weightOf(norm, `${norm.name}/beta`).write(tf.tensor1d([0, 1, 0, -1]));
    const z = valuesOf(norm, x);
    expect(z[1]).toBeCloseTo(2 * (-0.5 / s0) + 1, 5);
    expect(z[7]).toBeCloseTo(4 * (15 / s1) - 1, 5);
    expect(norm.countParams()).toBe(8);
    x.dispose();
  });

  it('uses min(32, ⌊C/4⌋) groups and ε as given (ε matters for near-constant groups)', () => {
    expect(groupCount(256)).toBe(32);
    expect(groupCount(32)).toBe(8);
    expect(groupCount(96)).toBe(24);
    expect(() => groupCount(42)).toThrow(ParameterError); // min(32, 10) = 10 does not divide 42
    expect(() => groupCount(3)).toThrow(ParameterError);
    // A group with variance v normalises by √(v + ε): v = 1e-6 distinguishes ε = 1e-6 from 1e-5.
    const x = tf.tensor4d([0.999, 1.001, 0.999, 1.001], [1, 1, 1, 4]);
    const a = valuesOf(new GroupNorm({ epsilon: 1e-6 }), x)[1]!;
    const b = valuesOf(new GroupNorm({ epsilon: 1e-5 }), x)[1]!;
    expect(a).toBeCloseTo(0.001 / Math.sqrt(1e-6 + 1e-6), 3);
    expect(b).toBeCloseTo(0.001 / Math.sqrt(1e-6 + 1e-5), 3);
    x.dispose();
  });
});

describe('noise embeddings', () => {
  it('positional, DDPM++ style: f_k = (1/10000)^(k/(C/2 − 1)), [sin, cos]', () => {
    expect(positionalFrequencies(128, 10000, true)[63]).toBeCloseTo(1e-4, 15);
    const emb = new PositionalEmbedding({ channels: 8, endpoint: true, order: 'sinCos' });
    const y = valuesOf(emb, tf.tensor2d([[2]]));
    const expected = [
      0.9092974268256817, 0.09269850077872724, 0.004308856046742813, 0.0001999999986666667,
      -0.4161468365471424, 0.9956942241237399, 0.9999907168366957, 0.9999999800000001,
    ];
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-6);
    expect(emb.countParams()).toBe(0);
  });

  it('positional, ADM style: f_k = (1/10000)^(k/(C/2)), [cos, sin]', () => {
    expect(maxAbsDiff(positionalFrequencies(8), [1, 0.1, 0.01, 0.001])).toBeLessThan(1e-15);
    const emb = new PositionalEmbedding({ channels: 8 });
    const y = valuesOf(emb, tf.tensor1d([-0.75, 0]));
    const expected = [
      0.7316888688738209, 0.9971888181122075, 0.9999718751318357, 0.9999997187500131,
      -0.6816387600233341, -0.07492970727274235, -0.007499929687697754, -0.000749999929687502,
    ];
    expect(maxAbsDiff(y.subarray(0, 8), expected)).toBeLessThan(1e-6);
    expect(Array.from(y.subarray(8))).toEqual([1, 1, 1, 1, 0, 0, 0, 0]); // c_noise = 0
  });

  it('random Fourier features: fixed f ~ N(0, 16²) from the seed, [sin(2πf c), cos(2πf c)], not trainable', () => {
    const emb = new FourierEmbedding({ channels: 6, order: 'sinCos', rng: createRng(5) });
    const y = valuesOf(emb, tf.tensor2d([[0.3]]));
    const rng = createRng(5);
    const f = [16 * rng.normal(), 16 * rng.normal(), 16 * rng.normal()];
    const a = f.map((v) => 2 * Math.PI * v * 0.3);
    expect(maxAbsDiff(y, [...a.map(Math.sin), ...a.map(Math.cos)])).toBeLessThan(2e-5);
    expect(emb.trainableWeights).toHaveLength(0);
    expect(emb.nonTrainableWeights).toHaveLength(1);
    // [cos, sin] order is the same features swapped.
    const swapped = new FourierEmbedding({ channels: 6, rng: createRng(5) });
    expect(
      maxAbsDiff(valuesOf(swapped, tf.tensor2d([[0.3]])), [...a.map(Math.cos), ...a.map(Math.sin)]),
    ).toBeLessThan(2e-5);
  });

  it('refuses odd widths', () => {
    expect(() => new PositionalEmbedding({ channels: 7 })).toThrow(ParameterError);
    expect(() => new FourierEmbedding({ channels: 3 })).toThrow(ParameterError);
  });
});

describe('FIR resampling', () => {
  it('[1, 3, 3, 1] downsampling of an impulse is the filter outer product (hand-computed)', () => {
    const x = tf.buffer([1, 4, 4, 1]);
    x.set(1, 0, 1, 1, 0);
    const y = firDown(x.toTensor() as tf.Tensor4D, normalizeFilter([1, 3, 3, 1]), 1);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(maxAbsDiff(y.dataSync(), [9 / 64, 3 / 64, 3 / 64, 1 / 64])).toBeLessThan(1e-7);
  });

  it('[1, 3, 3, 1] upsampling of an impulse is 4·(f ⊗ f) cropped by 1 (hand-computed)', () => {
    const x = tf.buffer([1, 2, 2, 1]);
    x.set(1, 0, 0, 0, 0);
    const y = firUp(x.toTensor() as tf.Tensor4D, normalizeFilter([1, 3, 3, 1]), 1);
    expect(y.shape).toEqual([1, 4, 4, 1]);
    const row = [3 / 4, 3 / 4, 1 / 4, 0];
    const expected = row.flatMap((a) => row.map((b) => a * b));
    expect(maxAbsDiff(y.dataSync(), expected)).toBeLessThan(1e-7);
  });

  it('[1, 1] is 2×2 average pooling and nearest-neighbour upsampling', () => {
    const x = randn([2, 4, 6, 3], 1) as tf.Tensor4D;
    const down = firDown(x, normalizeFilter([1, 1]), 0);
    expect(maxAbsDiff(down.dataSync(), tf.avgPool(x, 2, 2, 'valid').dataSync())).toBeLessThan(1e-6);
    const up = firUp(x, normalizeFilter([1, 1]), 0);
    expect(
      maxAbsDiff(up.dataSync(), tf.image.resizeNearestNeighbor(x, [8, 12]).dataSync()),
    ).toBeLessThan(1e-7);
  });

  it('the box fast path equals the general convolution path', () => {
    const x = randn([2, 4, 4, 3], 2) as tf.Tensor4D;
    // [2, 2] normalises to the same taps but the fast path only triggers for equal taps: compare with [1, 1 + 1e-12].
    const general = normalizeFilter([1, 1 + 1e-12]);
    expect(
      maxAbsDiff(
        firDown(x, normalizeFilter([1, 1]), 0).dataSync(),
        firDown(x, general, 0).dataSync(),
      ),
    ).toBeLessThan(1e-6);
    expect(
      maxAbsDiff(firUp(x, normalizeFilter([1, 1]), 0).dataSync(), firUp(x, general, 0).dataSync()),
    ).toBeLessThan(1e-6);
  });

  for (const filter of [
    [1, 1],
    [1, 3, 3, 1],
  ]) {
    it(`up is 4× the adjoint of down, and their gradients are each other, batch 3 (${JSON.stringify(filter)})`, () => {
      const taps = normalizeFilter(filter);
      const pad = filterPad(filter);
      const x = randn([3, 4, 4, 2], 3) as tf.Tensor4D;
      const w = randn([3, 8, 8, 2], 4) as tf.Tensor4D;
      // ⟨up(x), w⟩ = 4⟨x, down(w)⟩
      expect(dot(firUp(x, taps, pad), w)).toBeCloseTo(4 * dot(x, firDown(w, taps, pad)), 3);
      // ∇ₓ⟨up(x), w⟩ = 4·down(w); ∇_w⟨down(w), x⟩ = up(x)/4 — exact, so any gradient bug shows.
      const gUp = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(firUp(v as tf.Tensor4D, taps, pad), w)))(
        x,
      );
      expect(maxAbsDiff(gUp.dataSync(), tf.mul(firDown(w, taps, pad), 4).dataSync())).toBeLessThan(
        1e-5,
      );
      const gDown = tf.grad((v: tf.Tensor) =>
        tf.sum(tf.mul(firDown(v as tf.Tensor4D, taps, pad), x)),
      )(w);
      expect(maxAbsDiff(gDown.dataSync(), tf.div(firUp(x, taps, pad), 4).dataSync())).toBeLessThan(
        1e-6,
      );
    });
  }

  it('refuses filters with a zero sum', () => {
    expect(() => normalizeFilter([1, -1])).toThrow(ParameterError);
    expect(() => normalizeFilter([])).toThrow(ParameterError);
  });
});

describe('Conv2d', () => {
  const shapeOf = (args: ConstructorParameters<typeof Conv2d>[0], input: number[]): number[] =>
    tf.tidy(() => (new Conv2d(args).apply(tf.zeros(input)) as tf.Tensor).shape);

  it('resamples by 2 (plain and fused) and keeps channels without a kernel', () => {
    expect(shapeOf({ filters: 5, down: true }, [2, 8, 8, 3])).toEqual([2, 4, 4, 5]);
    expect(shapeOf({ filters: 5, down: true, resampleFilter: [1, 3, 3, 1] }, [2, 8, 8, 3])).toEqual(
      [2, 4, 4, 5],
    );
    expect(
      shapeOf(
        { filters: 5, down: true, resampleFilter: [1, 3, 3, 1], fusedResample: true },
        [2, 8, 8, 3],
      ),
    ).toEqual([2, 4, 4, 5]);
    expect(
      shapeOf(
        { filters: 5, up: true, resampleFilter: [1, 3, 3, 1], fusedResample: true },
        [2, 8, 8, 3],
      ),
    ).toEqual([2, 16, 16, 5]);
    expect(shapeOf({ filters: 5, kernel: 0, up: true }, [1, 7, 7, 3])).toEqual([1, 14, 14, 3]);
    expect(
      shapeOf({ filters: 5, kernel: 0, down: true, resampleFilter: [1, 3, 3, 1] }, [1, 14, 14, 3]),
    ).toEqual([1, 7, 7, 3]);
    const c = new Conv2d({ filters: 5, kernel: 0, down: true });
    c.apply(tf.zeros([1, 4, 4, 3]));
    expect(c.countParams()).toBe(0);
    expect(Conv2d.paramCount(3, 5, 0)).toBe(0);
  });

  it('fused downsampling (conv, then filter at stride 2) matches conv after padding by the filter', () => {
    // Fused: conv3×3 padded by 1 + 1, then [1,3,3,1] at stride 2 without padding. As a check, the
    // result at an interior position equals filtering the unfused full-resolution conv output.
    const x = randn([1, 8, 8, 2], 5);
    const fused = new Conv2d({
      filters: 3,
      down: true,
      resampleFilter: [1, 3, 3, 1],
      fusedResample: true,
      rng: createRng(1),
    });
    const yFused = fused.apply(x) as tf.Tensor4D;
    const plain = new Conv2d({ filters: 3, rng: createRng(1) });
    const full = plain.apply(x) as tf.Tensor4D; // same weights (same seed, same draws)
    const yRef = firDown(full, normalizeFilter([1, 3, 3, 1]), 1);
    // Interior outputs (whose 4×4 filter window stays inside the image) agree.
    const a = yFused.slice([0, 1, 1, 0], [1, 2, 2, 3]).dataSync();
    const b = yRef.slice([0, 1, 1, 0], [1, 2, 2, 3]).dataSync();
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
  });

  it('initialises as the official weight_init: Xavier-uniform bound √(6/(fan_in+fan_out)) × multiplier', () => {
    const conv = new Conv2d({
      filters: 64,
      kernel: 3,
      init: initSpec('xavierUniform', 0.5),
      rng: createRng(3),
    });
    conv.apply(tf.zeros([1, 4, 4, 32]));
    const w = weightOf(conv, `${conv.name}/kernel`).read().dataSync();
    const bound = 0.5 * Math.sqrt(6 / (32 * 9 + 64 * 9));
    let max = 0;
    let sq = 0;
    for (const v of w) {
      max = Math.max(max, Math.abs(v));
      sq += v * v;
    }
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.99 * bound);
    expect(Math.sqrt(sq / w.length)).toBeCloseTo(bound / Math.sqrt(3), 3); // U(−a, a) has std a/√3
    expect(
      Array.from(weightOf(conv, `${conv.name}/bias`).read().dataSync()).every((v) => v === 0),
    ).toBe(true);
  });

  it('Kaiming-uniform ×√⅓ (ADM) bounds weights and biases by 1/√fan_in', () => {
    const lin = new Linear({
      units: 300,
      init: initSpec('kaimingUniform', Math.sqrt(1 / 3), Math.sqrt(1 / 3)),
      rng: createRng(4),
    });
    lin.apply(tf.zeros([1, 400]));
    const bound = 1 / Math.sqrt(400);
    for (const name of ['kernel', 'bias']) {
      const values = weightOf(lin, `${lin.name}/${name}`).read().dataSync() as Float32Array;
      const max = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(max).toBeLessThanOrEqual(bound * (1 + 1e-6));
      expect(max).toBeGreaterThan(0.9 * bound);
    }
  });

  it('the same seed gives the same weights, another seed others', () => {
    const make = (seed: number): Float32Array => {
      const l = new Linear({ units: 4, init: initSpec('xavierNormal'), rng: createRng(seed) });
      l.apply(tf.zeros([1, 3]));
      return l.getWeights()[0]!.dataSync() as Float32Array;
    };
    expect(Array.from(make(1))).toEqual(Array.from(make(1)));
    expect(maxAbsDiff(make(1), make(2))).toBeGreaterThan(0);
  });
});

describe('SelfAttention', () => {
  it('matches a hand-written multi-head attention with the official qkv channel layout', () => {
    const [h, w, c, heads] = [2, 2, 4, 2];
    const cph = c / heads;
    const xValues = normals(h * w * c, 11);
    const x = tf.tensor4d(xValues, [1, h, w, c]);
    const attn = new SelfAttention({
      numHeads: heads,
      epsilon: 1e-5,
      skipScale: 0.5,
      initProj: initSpec('xavierUniform'),
      rng: createRng(2),
    });
    const y = valuesOf(attn, x);
    const wq = weightOf(attn, `${attn.name}/qkv/kernel`).read().dataSync(); // [1, 1, c, 3c]
    const bq = Float32Array.from(normals(3 * c, 12));
    weightOf(attn, `${attn.name}/qkv/bias`).write(tf.tensor1d(bq));
    const wp = weightOf(attn, `${attn.name}/proj/kernel`).read().dataSync(); // [1, 1, c, c]
    const y2 = valuesOf(attn, x);
    expect(maxAbsDiff(y, y2)).toBeGreaterThan(0); // the bias matters

    // Reference: GroupNorm with one group (4 channels → min(32, 1) = 1), qkv projection,
    // per head q·kᵀ/√(C/heads) softmax over keys, values, projection, residual, × skipScale.
    const n = h * w;
    const mean = xValues.reduce((a, b) => a + b, 0) / xValues.length;
    const variance = xValues.reduce((a, b) => a + (b - mean) ** 2, 0) / xValues.length;
    const hn = Array.from(xValues, (v) => (v - mean) / Math.sqrt(variance + 1e-5));
    const qkv = (p: number, ch: number): number => {
      let s = bq[ch]!;
      for (let i = 0; i < c; i++) s += hn[p * c + i]! * wq[i * 3 * c + ch]!;
      return s;
    };
    const a = new Array<number>(n * c).fill(0);
    for (let head = 0; head < heads; head++) {
      const at = (p: number, cc: number, j: number): number => qkv(p, head * 3 * cph + cc * 3 + j);
      for (let p = 0; p < n; p++) {
        const logits = Array.from({ length: n }, (_, p2) => {
          let s = 0;
          for (let cc = 0; cc < cph; cc++) s += at(p, cc, 0) * at(p2, cc, 1);
          return s / Math.sqrt(cph);
        });
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const z = e.reduce((s, v) => s + v, 0);
        for (let cc = 0; cc < cph; cc++) {
          let s = 0;
          for (let p2 = 0; p2 < n; p2++) s += (e[p2]! / z) * at(p2, cc, 2);
          a[p * c + head * cph + cc] = s;
        }
      }
    }
    const expected = new Array<number>(n * c);
    for (let p = 0; p < n; p++) {
      for (let o = 0; o < c; o++) {
        let s = 0; // proj bias starts at 0
        for (let i = 0; i < c; i++) s += a[p * c + i]! * wp[i * c + o]!;
        expected[p * c + o] = 0.5 * (s + xValues[p * c + o]!);
      }
    }
    expect(maxAbsDiff(y2, expected)).toBeLessThan(1e-5);
    expect(attn.countParams()).toBe(SelfAttention.paramCount(c));
    x.dispose();
  });

  it('computes heads from channels per head, and refuses zero heads (the official code drops the attention)', () => {
    expect(attentionHeads(256, null, 64)).toBe(4);
    expect(attentionHeads(192, null, 64)).toBe(3);
    expect(attentionHeads(256, 1, 64)).toBe(1);
    expect(() => attentionHeads(32, null, 64)).toThrow(/silently skip/);
    expect(() => new UNetBlock({ outChannels: 32, attention: true })).toThrow(ParameterError);
  });
});

/** Reference GroupNorm (tf ops) with the official group rule. */
function gnRef(t: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor4D {
  const [n, h, w, c] = t.shape;
  const g = groupCount(c);
  const r = t.reshape([n, h * w, g, c / g]);
  const { mean, variance } = tf.moments(r, [1, 3], true);
  return tf.add(
    tf.mul(tf.div(tf.sub(r, mean), tf.sqrt(tf.add(variance, eps))).reshape(t.shape), gamma),
    beta,
  );
}
const siluRef = <T extends tf.Tensor>(t: T): T => tf.mul(t, tf.sigmoid(t));

describe('UNetBlock', () => {
  it('ADM block: adaptive scale-and-shift, box downsampling, pure-resampling skip (reference)', () => {
    const block = new UNetBlock({ name: 'b', outChannels: 8, down: true, rng: createRng(7) });
    const x = randn([2, 4, 4, 8], 20) as tf.Tensor4D;
    const emb = randn([2, 6], 21) as tf.Tensor2D;
    block.apply([x, emb]);
    // Zero-initialised conv1 would hide the residual branch: give it values.
    const k1 = weightOf(block, 'b/conv1/kernel');
    k1.write(tf.mul(randn(k1.shape as number[], 22), 0.1));
    const y = valuesOf(block, [x, emb]);
    const v = (name: string): tf.Tensor => weightOf(block, `b/${name}`).read();
    const ref = tf.tidy(() => {
      let hh = siluRef(gnRef(x, v('norm0/gamma'), v('norm0/beta'), 1e-5));
      hh = tf.avgPool(hh, 2, 2, 'valid');
      hh = tf.add(tf.conv2d(hh, v('conv0/kernel') as tf.Tensor4D, 1, 'same'), v('conv0/bias'));
      const params = tf
        .add(tf.matMul(emb, v('affine/kernel') as tf.Tensor2D), v('affine/bias'))
        .reshape([2, 1, 1, 16]);
      const scale = params.slice([0, 0, 0, 0], [2, 1, 1, 8]);
      const shift = params.slice([0, 0, 0, 8], [2, 1, 1, 8]);
      hh = siluRef(
        tf.add(shift, tf.mul(gnRef(hh, v('norm1/gamma'), v('norm1/beta'), 1e-5), tf.add(scale, 1))),
      );
      hh = tf.add(tf.conv2d(hh, v('conv1/kernel') as tf.Tensor4D, 1, 'same'), v('conv1/bias'));
      return tf.add(hh, tf.avgPool(x, 2, 2, 'valid')).dataSync();
    });
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
    expect(block.weights.some((w) => w.originalName.startsWith('b/skip'))).toBe(false); // no projection
    expect(block.countParams()).toBe(
      UNetBlock.paramCount({
        inChannels: 8,
        outChannels: 8,
        embChannels: 6,
        down: true,
        adaptiveScale: true,
        resampleProj: false,
      }),
    );
  });

  it('Song block: additive embedding, nearest upsampling, 1×1 projected skip, skip scale 1/√2 (reference)', () => {
    const args = {
      outChannels: 4,
      up: true,
      skipScale: Math.SQRT1_2,
      epsilon: 1e-6,
      adaptiveScale: false,
      resampleProj: true,
    };
    const block = new UNetBlock({
      name: 's',
      ...args,
      initZero: initSpec('xavierUniform'),
      rng: createRng(8),
    });
    const x = randn([2, 2, 2, 8], 30) as tf.Tensor4D;
    const emb = randn([2, 5], 31) as tf.Tensor2D;
    const y = valuesOf(block, [x, emb]);
    const v = (name: string): tf.Tensor => weightOf(block, `s/${name}`).read();
    const ref = tf.tidy(() => {
      const up = (t: tf.Tensor4D): tf.Tensor4D => tf.image.resizeNearestNeighbor(t, [4, 4]);
      let hh = up(siluRef(gnRef(x, v('norm0/gamma'), v('norm0/beta'), 1e-6)));
      hh = tf.add(tf.conv2d(hh, v('conv0/kernel') as tf.Tensor4D, 1, 'same'), v('conv0/bias'));
      const params = tf
        .add(tf.matMul(emb, v('affine/kernel') as tf.Tensor2D), v('affine/bias'))
        .reshape([2, 1, 1, 4]);
      hh = siluRef(gnRef(tf.add(hh, params), v('norm1/gamma'), v('norm1/beta'), 1e-6));
      hh = tf.add(tf.conv2d(hh, v('conv1/kernel') as tf.Tensor4D, 1, 'same'), v('conv1/bias'));
      const skip = tf.add(
        tf.conv2d(up(x), v('skip/kernel') as tf.Tensor4D, 1, 'same'),
        v('skip/bias'),
      );
      return tf.mul(tf.add(hh, skip), Math.SQRT1_2).dataSync();
    });
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
    expect(block.countParams()).toBe(
      UNetBlock.paramCount({
        inChannels: 8,
        outChannels: 4,
        embChannels: 5,
        up: true,
        adaptiveScale: false,
        resampleProj: true,
      }),
    );
  });

  it('names weights <block>/<child>/<weight> and exposes the children’s weights as its own', () => {
    const block = new UNetBlock({
      name: 'enc.8x8_block0',
      outChannels: 8,
      attention: true,
      numHeads: 1,
      rng: createRng(1),
    });
    block.apply([tf.zeros([1, 4, 4, 8]), tf.zeros([1, 3])]);
    const names = block.weights.map((w) => w.originalName);
    expect(names).toContain('enc.8x8_block0/attn/qkv/kernel');
    expect(names).toContain('enc.8x8_block0/norm1/gamma');
    expect(new Set(names).size).toBe(names.length);
    expect(block.trainableWeights).toHaveLength(block.weights.length);
    block.trainable = false;
    expect(block.trainableWeights).toHaveLength(0);
    expect(block.nonTrainableWeights).toHaveLength(names.length);
  });
});

describe('MappingNetwork', () => {
  it('Song: [sin, cos] embedding + √labelDim·labels + augment labels, two SiLU layers (reference)', () => {
    const map = new MappingNetwork({
      name: 'm',
      kind: 'song',
      noiseChannels: 8,
      embChannels: 6,
      labelDim: 4,
      augmentDim: 3,
      rng: createRng(9),
    });
    const cNoise = tf.tensor2d([[0.5], [-1.2]]);
    const labels = tf.tensor2d([0, 0, 1, 0, 0.5, 0.5, 0, 0], [2, 4]);
    const aug = randn([2, 3], 40) as tf.Tensor2D;
    const y = valuesOf(map, [cNoise, labels, aug]);
    const v = (name: string): tf.Tensor2D => weightOf(map, `m/${name}`).read() as tf.Tensor2D;
    const ref = tf.tidy(() => {
      const f = tf.tensor2d(Float32Array.from(positionalFrequencies(8, 10000, true)), [1, 4]);
      const arg = tf.mul(cNoise, f);
      let e: tf.Tensor = tf.concat([tf.sin(arg), tf.cos(arg)], 1);
      e = tf.add(
        e,
        tf.add(tf.matMul(tf.mul(labels, 2), v('map_label/kernel')), v('map_label/bias')),
      );
      e = tf.add(e, tf.matMul(aug, v('map_augment/kernel')));
      e = siluRef(
        tf.add(tf.matMul(e as tf.Tensor2D, v('map_layer0/kernel')), v('map_layer0/bias')),
      );
      return siluRef(
        tf.add(tf.matMul(e as tf.Tensor2D, v('map_layer1/kernel')), v('map_layer1/bias')),
      ).dataSync();
    });
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
    expect(map.weights.some((w) => w.originalName === 'm/map_augment/bias')).toBe(false);
  });

  it('ADM: [cos, sin] embedding, class label added after the second layer without bias, N(0, 1) label weights, zero augment weights', () => {
    const map = new MappingNetwork({
      name: 'a',
      kind: 'dhariwal',
      noiseChannels: 8,
      embChannels: 64,
      labelDim: 100,
      augmentDim: 3,
      rng: createRng(10),
    });
    const cNoise = tf.tensor2d([[3], [500]]);
    const labels = tf.oneHot(tf.tensor1d([5, 99], 'int32'), 100).toFloat() as tf.Tensor2D;
    const aug = randn([2, 3], 41) as tf.Tensor2D;
    const y = valuesOf(map, [cNoise, labels, aug]);
    const v = (name: string): tf.Tensor2D => weightOf(map, `a/${name}`).read() as tf.Tensor2D;
    expect(Array.from(v('map_augment/kernel').dataSync()).every((x) => x === 0)).toBe(true);
    const label = v('map_label/kernel').dataSync() as Float32Array;
    const std = Math.sqrt(label.reduce((s, x) => s + x * x, 0) / label.length);
    expect(std).toBeGreaterThan(0.97);
    expect(std).toBeLessThan(1.03);
    expect(map.weights.some((w) => w.originalName === 'a/map_label/bias')).toBe(false);
    const ref = tf.tidy(() => {
      const f = tf.tensor2d(Float32Array.from(positionalFrequencies(8)), [1, 4]);
      const arg = tf.mul(cNoise, f);
      let e: tf.Tensor = tf.concat([tf.cos(arg), tf.sin(arg)], 1);
      e = siluRef(
        tf.add(tf.matMul(e as tf.Tensor2D, v('map_layer0/kernel')), v('map_layer0/bias')),
      );
      e = tf.add(tf.matMul(e as tf.Tensor2D, v('map_layer1/kernel')), v('map_layer1/bias'));
      return siluRef(tf.add(e, tf.matMul(labels, v('map_label/kernel')))).dataSync();
    });
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
  });

  it('label dropout zeroes whole labels, reproducibly from the seed', () => {
    const map = new MappingNetwork({
      name: 'd',
      kind: 'song',
      noiseChannels: 4,
      embChannels: 4,
      labelDim: 2,
      labelDropout: 0.5,
      rng: createRng(1),
    });
    const cNoise = tf.zeros([64, 1]);
    const labels = tf.tile(tf.tensor2d([[1, 0]]), [64, 1]);
    const train1 = valuesOf(map, [cNoise, labels], { training: true, seed: 3 });
    const train2 = valuesOf(map, [cNoise, labels], { training: true, seed: 3 });
    const dropped = valuesOf(map, [cNoise, tf.zeros([64, 2])]);
    const kept = valuesOf(map, [cNoise, labels]);
    expect(Array.from(train1)).toEqual(Array.from(train2));
    let nDropped = 0;
    for (let i = 0; i < 64; i++) {
      const row = train1.subarray(4 * i, 4 * i + 4);
      const isDropped = maxAbsDiff(row, dropped.subarray(0, 4)) < 1e-6;
      const isKept = maxAbsDiff(row, kept.subarray(0, 4)) < 1e-6;
      expect(isDropped !== isKept).toBe(true);
      if (isDropped) nDropped++;
    }
    expect(nDropped).toBeGreaterThan(16);
    expect(nDropped).toBeLessThan(48);
  });
});

describe('seeded dropout', () => {
  it('is a pure function of (seed, path), keeps ≈ 1 − p and rescales by 1/(1 − p)', () => {
    const mask = (seed: number, path: string): Float32Array =>
      tf.tidy(() => seededKeepMask([4000], 0.25, seed, path).dataSync() as Float32Array);
    expect(Array.from(mask(7, 'a'))).toEqual(Array.from(mask(7, 'a')));
    expect(maxAbsDiff(mask(7, 'a'), mask(8, 'a'))).toBe(1);
    expect(maxAbsDiff(mask(7, 'a'), mask(7, 'b'))).toBe(1);
    const kept = mask(7, 'a').reduce((s, v) => s + v, 0) / 4000;
    expect(kept).toBeGreaterThan(0.72);
    expect(kept).toBeLessThan(0.78);
    const y = tf.tidy(() => seededDropout(tf.ones([100]), 0.2, 1, 'p').dataSync());
    expect(new Set(Array.from(y).map((v) => v.toFixed(5)))).toEqual(
      new Set(['0.00000', '1.25000']),
    );
    expect(() => seededDropout(tf.ones([2]), 0.1, undefined, 'p')).toThrow(ParameterError);
  });
});

describe('ScaledAdd', () => {
  it('returns (a + b)·scale', () => {
    const y = valuesOf(new ScaledAdd({ scale: Math.SQRT1_2 }), [
      tf.tensor1d([1, 2]),
      tf.tensor1d([3, -2]),
    ]);
    expect(maxAbsDiff(y, [4 * Math.SQRT1_2, 0])).toBeLessThan(1e-6);
  });
});

describe('serialization', () => {
  it('every layer round-trips through getConfig and the tfjs class registry', () => {
    const layers: tf.layers.Layer[] = [
      new GroupNorm({ epsilon: 1e-6, groups: 16 }),
      new Linear({ units: 3, useBias: false, init: initSpec('xavierUniform', 2) }),
      new Conv2d({ filters: 4, down: true, resampleFilter: [1, 3, 3, 1], fusedResample: true }),
      new PositionalEmbedding({ channels: 8, endpoint: true, order: 'sinCos' }),
      new FourierEmbedding({ channels: 8, scale: 4 }),
      new SelfAttention({ numHeads: 2, skipScale: 0.5 }),
      new UNetBlock({
        outChannels: 8,
        up: true,
        attention: true,
        channelsPerHead: 4,
        dropout: 0.1,
        adaptiveScale: false,
      }),
      new MappingNetwork({ kind: 'dhariwal', noiseChannels: 8, embChannels: 16, labelDim: 3 }),
      new ScaledAdd({ scale: 2 }),
    ];
    for (const layer of layers) {
      const className = (layer.constructor as unknown as { className: string }).className;
      const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
      expect(entry).toBeDefined();
      const [cls, fromConfig] = entry!;
      const copy = fromConfig(cls, layer.getConfig()) as tf.layers.Layer;
      expect(copy).toBeInstanceOf(layer.constructor);
      expect(copy.getConfig()).toEqual(layer.getConfig());
    }
  });
});
