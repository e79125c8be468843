import { describe, expect, it } from 'vitest';
import { arrayOps, arrayOpsFor, ParameterError, sampleRngs } from '@edmkit/core';

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

describe('arrayOpsFor', () => {
  const ops = arrayOpsFor(4);
  const x = Float64Array.from({ length: 8 }, (_, k) => k);

  it('refuses fewer or more streams than samples, which plain arrayOps cannot tell', () => {
    expect(() => ops.randnLike(x, sampleRngs(0, 1))).toThrow(
      'rngs must be one Rng per sample (2) (got 1)',
    );
    expect(() => ops.randnLike(x, sampleRngs(0, 4))).toThrow(ParameterError);
    expect(arrayOps.randnLike(x, sampleRngs(0, 1))).toHaveLength(8); // the ambiguity arrayOpsFor removes
    expect(() => ops.randnLike(x.subarray(0, 6), sampleRngs(0, 2))).toThrow(
      /like must be a Float64Array of whole samples of 4/,
    );
    expect(() => arrayOpsFor(0)).toThrow(/sampleSize/);
  });

  it('draws sample b from rngs[b] exactly as arrayOps does when the count is right', () => {
    expect(Array.from(ops.randnLike(x, sampleRngs(5, 2)))).toEqual(
      Array.from(arrayOps.randnLike(x, sampleRngs(5, 2))),
    );
    expect(Array.from(ops.scaleSamples(x, Float64Array.of(2, -1)))).toEqual([
      0, 2, 4, 6, -4, -5, -6, -7,
    ]);
    expect(() => ops.scaleSamples(x, Float64Array.of(2))).toThrow(
      /scale must be one factor per sample \(2\)/,
    );
  });

  it('checks denoiser outputs for whole samples on top of arrayOps.check', () => {
    expect(ops.check!(x, x)).toBeUndefined();
    expect(ops.check!(Float64Array.of(1, NaN, 0, 0, 0, 0, 0, 0), x)).toMatch(/NaN at index 1/);
    expect(ops.check!(undefined, x)).toBe('undefined');
  });
});

describe('arrayOps edges', () => {
  it('names itself, runs tidy bodies and disposes nothing', () => {
    expect(arrayOps.name).toBe('float64-array');
    expect(arrayOps.tidy(() => 42)).toBe(42);
    const x = Float64Array.of(1, 2);
    arrayOps.dispose(x);
    expect(Array.from(x)).toEqual([1, 2]);
  });

  it('combine: skips a zero coefficient (0·∞ does not poison the sum) and refuses a non-finite one', () => {
    const out = arrayOps.combine([
      [1.5, Float64Array.of(2, -4)],
      [0, Float64Array.of(Infinity, Number.NaN)],
    ]);
    expect(Array.from(out)).toEqual([3, -6]);
    expect(() =>
      arrayOps.combine([
        [1, Float64Array.of(1)],
        [Number.NaN, Float64Array.of(1)],
      ]),
    ).toThrow('terms[1][0] must be a finite coefficient (got NaN)');
    expect(() => arrayOps.combine([[Infinity, Float64Array.of(1)]])).toThrow(/terms\[0\]\[0\]/);
    // The inputs are not modified.
    const a = Float64Array.of(1, 1);
    arrayOps.combine([
      [2, a],
      [3, a],
    ]);
    expect(Array.from(a)).toEqual([1, 1]);
  });

  it('randnLike: refuses no streams; fills sample b from rngs[b] in order', () => {
    expect(() => arrayOps.randnLike(new Float64Array(4), [])).toThrow(
      'rngs must be one Rng per sample, a divisor of the tensor length 4 (got 0)',
    );
    const [r0, r1] = sampleRngs(3, 2);
    const want = [r0!.normal(), r0!.normal(), r1!.normal(), r1!.normal()];
    expect(Array.from(arrayOps.randnLike(new Float64Array(4), sampleRngs(3, 2)))).toEqual(want);
  });

  it('scaleSamples refuses no factors', () => {
    expect(() => arrayOps.scaleSamples(new Float64Array(4), new Float64Array(0))).toThrow(
      'scale must be one factor per sample, a divisor of the tensor length 4 (got 0)',
    );
  });

  it('check describes what is wrong with a denoiser output', () => {
    const like = new Float64Array(3);
    expect(arrayOps.check!(Float64Array.of(0, 1, 2), like)).toBeUndefined();
    expect(arrayOps.check!(null, like)).toBe('null');
    expect(arrayOps.check!(new Float32Array(3), like)).toBe(
      'a Float32Array instead of a Float64Array',
    );
    expect(arrayOps.check!([0, 1, 2], like)).toBe('a Array instead of a Float64Array');
    expect(arrayOps.check!(new Float64Array(2), like)).toBe('2 values instead of 3');
    expect(arrayOps.check!(Float64Array.of(0, 0, -Infinity), like)).toBe(
      'non-finite values (-Infinity at index 2)',
    );
  });

  it('arrayOpsFor: refuses an empty tensor and a partial sample', () => {
    const ops = arrayOpsFor(2);
    expect(() => ops.randnLike(new Float64Array(0), [])).toThrow(
      'like must be a Float64Array of whole samples of 2 values (got 0)',
    );
    expect(() => ops.scaleSamples(new Float64Array(3), Float64Array.of(1))).toThrow(
      /^x must be a Float64Array of whole samples of 2 values \(got 3\)/,
    );
    expect(ops.check!(new Float64Array(3), new Float64Array(3))).toBe(
      '3 values, not whole samples of 2',
    );
    expect(ops.check!(new Float64Array(1), new Float64Array(3))).toBe('1 values instead of 3');
    expect(() => arrayOpsFor(1.5)).toThrow('sampleSize must be an integer >= 1 (got 1.5)');
    expect(arrayOpsFor(1).name).toBe('float64-array');
  });
});

describe('arrayOpsFor refusals name the parameter, whatever the bad value', () => {
  const ops = arrayOpsFor(2);
  it('a typed array of another kind, or no tensor at all', () => {
    expect(() => ops.randnLike(new Float32Array(4) as unknown as Float64Array, [])).toThrow(
      'like must be a Float64Array of whole samples of 2 values (got 4)',
    );
    expect(() => ops.randnLike(undefined as unknown as Float64Array, [])).toThrow(
      'like must be a Float64Array of whole samples of 2 values (got undefined)',
    );
  });

  it('no streams or no factors', () => {
    const x = new Float64Array(4);
    expect(() => ops.randnLike(x, undefined as unknown as [])).toThrow(
      'rngs must be one Rng per sample (2) (got undefined)',
    );
    expect(() => ops.scaleSamples(x, undefined as unknown as Float64Array)).toThrow(
      'scale must be one factor per sample (2) (got undefined)',
    );
  });
});
