import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam } from '@edmkit/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** PyTorch's Adam, in float64, written out for the test. */
function referenceAdam(
  w0: number[],
  grads: number[][],
  lrs: number[],
  beta1 = 0.9,
  beta2 = 0.999,
  eps = 1e-8,
): number[] {
  const w = [...w0];
  const m = w0.map(() => 0);
  const v = w0.map(() => 0);
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < w.length; i++) {
      m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
      v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! * g[i]!;
      const mHat = m[i]! / (1 - beta1 ** t);
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - beta2 ** t) + eps;
      w[i] = w[i]! - lrs[k]! * (mHat / denom);
    }
  });
  return w;
}

describe('adam', () => {
  it('first step moves every weight by lr·g/(|g| + ε), i.e. ≈ lr against the gradient sign', () => {
    const opt = adam();
    const w = tf.variable(tf.tensor1d([0.5, -1, 2]));
    const state = opt.init([w]);
    const g = tf.tensor1d([0.2, -4, 0]);
    opt.update(state, [w], [g], 0.1);
    // 0.5 − 0.1·0.2/(0.2 + 1e-8), −1 + 0.1·4/(4 + 1e-8), 2 − 0 (zero gradient: m̂ = 0); float32, so to an ulp.
    const want = [0.5 - (0.1 * 0.2) / (0.2 + 1e-8), -1 + (0.1 * 4) / (4 + 1e-8), 2];
    Array.from(w.dataSync()).forEach((x, i) =>
      expect(Math.abs(x - want[i]!)).toBeLessThanOrEqual(1.2e-7 * Math.abs(want[i]!)),
    );
    expect(w.dataSync()[2]).toBe(2);
    expect(state.step).toBe(1);
    const close = (got: ArrayLike<number>, want: number[]): void =>
      want.forEach((x, i) => expect(Math.abs(got[i]! - x)).toBeLessThanOrEqual(3e-7 * Math.abs(x)));
    close(state.m[0]!.dataSync(), [0.1 * 0.2, 0.1 * -4, 0]); // (1 − β₁)·g
    close(state.v[0]!.dataSync(), [0.001 * 0.04, 0.001 * 16, 0]); // (1 − β₂)·g²
    opt.dispose(state);
    tf.dispose([w, g]);
  });

  it('matches a float64 hand computation over several steps with changing rates', () => {
    const w0 = [0.5, -1.25, 3, 1e-3];
    const grads = [
      [0.1, -0.2, 0.3, 1e-6],
      [-0.05, 0.4, 0.1, -2],
      [0.2, 0.2, -0.7, 0.5],
      [1e-4, -3, 0, 0.25],
    ];
    const lrs = [0, 1e-2, 5e-3, 2e-2];
    const opt = adam({ beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
    const w = tf.variable(tf.tensor1d(w0));
    const state = opt.init([w]);
    grads.forEach((g, k) => {
      const gt = tf.tensor1d(g);
      opt.update(state, [w], [gt], lrs[k]!);
      gt.dispose();
    });
    const want = referenceAdam(w0, grads, lrs, 0.8, 0.99, 1e-6);
    const got = Array.from(w.dataSync());
    got.forEach((x, i) =>
      expect(Math.abs(x - want[i]!)).toBeLessThan(2e-6 * Math.max(1, Math.abs(want[i]!))),
    );
    expect(state.step).toBe(4);
    opt.dispose(state);
    w.dispose();
  });

  it('with rate 0 leaves the weights bit-identical but advances t and the moments', () => {
    const opt = adam();
    const w = tf.variable(tf.tensor1d([0.1, 0.2]));
    const state = opt.init([w]);
    const g = tf.tensor1d([1, -1]);
    opt.update(state, [w], [g], 0);
    expect(Array.from(w.dataSync())).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(state.step).toBe(1);
    expect(state.m[0]!.dataSync()[0]).toBeCloseTo(0.1, 7);
    opt.dispose(state);
    tf.dispose([w, g]);
  });

  it('creates and releases exactly its moment variables', () => {
    const w = tf.variable(tf.zeros([2, 3]));
    const before = tf.memory().numTensors;
    const opt = adam();
    const state = opt.init([w]);
    expect(tf.memory().numTensors).toBe(before + 2);
    const g = tf.ones([2, 3]);
    opt.update(state, [w], [g], 1e-3);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before + 2);
    opt.dispose(state);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it('refuses invalid options and mismatched gradients', () => {
    expect(() => adam({ beta1: 1 })).toThrow(/beta1 must be a finite number >= 0 and < 1/);
    expect(() => adam({ epsilon: 0 })).toThrow(/epsilon/);
    const opt = adam();
    const w = tf.variable(tf.zeros([2]));
    const state = opt.init([w]);
    const g = tf.zeros([3]);
    expect(() => opt.update(state, [w], [g], 1e-3)).toThrow(
      /grads\[0\] must be a tensor of shape \[2\]/,
    );
    expect(() => opt.update(state, [w], [], 1e-3)).toThrow(/grads must be one gradient per weight/);
    expect(() => opt.update(state, [w], [g], -1)).toThrow(/lr/);
    opt.dispose(state);
    tf.dispose([w, g]);
  });
});
