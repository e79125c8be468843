import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError, sampleRngs } from '@edmkit/core';

describe('arrayOps.combine', () => {
  it('computes a linear combination', () => {
    const a = new Float64Array([1, 2, 3]);
    const b = new Float64Array([10, 20, 30]);
    expect(
      Array.from(
        arrayOps.combine([
          [2, a],
          [-0.5, b],
        ]),
      ),
    ).toEqual([-3, -6, -9]);
  });

  it('refuses empty or mismatched terms', () => {
    expect(() => arrayOps.combine([])).toThrow(ParameterError);
    expect(() =>
      arrayOps.combine([
        [1, new Float64Array(2)],
        [1, new Float64Array(3)],
      ]),
    ).toThrow(/terms/);
  });
});

describe('arrayOps.randnLike', () => {
  it('draws each sample from its own stream, independent of the batch', () => {
    const dim = 4;
    const full = arrayOps.randnLike(new Float64Array(3 * dim), sampleRngs(11, 3));
    const last = arrayOps.randnLike(new Float64Array(dim), sampleRngs(11, 1, 2));
    expect(Array.from(full.subarray(2 * dim))).toEqual(Array.from(last));
  });

  it('refuses a batch that does not divide the tensor', () => {
    expect(() => arrayOps.randnLike(new Float64Array(5), sampleRngs(0, 2))).toThrow(/rngs/);
  });
});

describe('arrayOps.mul and scaleSamples', () => {
  it('multiply elementwise and per sample', () => {
    const x = new Float64Array([1, 2, 3, 4, 5, 6]);
    expect(Array.from(arrayOps.mul(x, x))).toEqual([1, 4, 9, 16, 25, 36]);
    expect(Array.from(arrayOps.scaleSamples(x, new Float64Array([10, -1])))).toEqual([
      10, 20, 30, -4, -5, -6,
    ]);
    expect(() => arrayOps.scaleSamples(x, new Float64Array(4))).toThrow(/scale/);
    expect(() => arrayOps.mul(x, new Float64Array(2))).toThrow(/length 6/);
  });
});
