import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipGlobalNorm, globalNorm, reduceLoss, replaceNonFinite } from '@edmkit/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('replaceNonFinite', () => {
  it('maps NaN → 0, ±∞ → ±1e5 and keeps finite values (torch.nan_to_num of the official loop)', () => {
    const g = tf.tensor1d([Number.NaN, Infinity, -Infinity, 2, -3e6, 0]);
    const out = replaceNonFinite(g);
    expect(Array.from(out.dataSync())).toEqual([0, 1e5, -1e5, 2, -3e6, 0]);
    tf.dispose([g, out]);
  });
});

describe('clipGlobalNorm', () => {
  it('scales every gradient by maxNorm/‖g‖ when the global norm is larger', () => {
    const a = tf.tensor1d([3, 0]);
    const b = tf.tensor2d([[0], [4]]);
    expect(globalNorm([a, b])).toBe(5);
    const { grads, norm, clipped } = clipGlobalNorm([a, b], 1);
    expect([norm, clipped]).toEqual([5, true]);
    expect(Array.from(grads[0]!.dataSync())).toEqual([Math.fround(0.6), 0]);
    expect(Array.from(grads[1]!.dataSync())).toEqual([0, Math.fround(0.8)]);
    expect(globalNorm(grads)).toBeCloseTo(1, 6);
    tf.dispose([a, b, ...grads]);
  });

  it('returns the same tensors when the norm is within bounds', () => {
    const a = tf.tensor1d([0.3, 0.4]);
    const r = clipGlobalNorm([a], 0.5);
    expect(r.clipped).toBe(false);
    expect(r.grads[0]).toBe(a);
    a.dispose();
  });

  it('refuses maxNorm ≤ 0', () => {
    expect(() => clipGlobalNorm([], 0)).toThrow(/maxNorm must be a finite number > 0/);
  });
});

describe('reduceLoss', () => {
  it('sums over all elements and divides by the batch size, not a per-pixel mean', () => {
    const loss = tf.tensor3d([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    const r = reduceLoss(loss);
    expect(r.dataSync()[0]).toBe(36 / 2);
    const mean = tf.mean(loss);
    expect(mean.dataSync()[0]).toBe(4.5); // what it is not
    tf.dispose([loss, r, mean]);
  });

  it('uses the batch size given', () => {
    const loss = tf.ones([4, 8]);
    const r = reduceLoss(loss, 4);
    expect(r.dataSync()[0]).toBe(8);
    tf.dispose([loss, r]);
    expect(() => reduceLoss(tf.ones([1]), 0)).toThrow(/batchSize/);
  });
});
