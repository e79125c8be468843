import { describe, expect, it } from 'vitest';
import type { Rng } from '@edmkit/core';
import { datasetSource, sampleStreams, samplerSource } from '@edmkit/train';

// Ten 2-d samples whose first coordinate is their storage index.
const data = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? i / 2 : -i));
const ids = (batch: Float32Array): number[] => Array.from(batch).filter((_, i) => i % 2 === 0);

describe('datasetSource', () => {
  const source = datasetSource({ data, shape: [2] });

  it('visits every sample once per epoch, each epoch in its own order', () => {
    expect([source.name, source.size, source.shape]).toEqual(['dataset', 10, [2]]);
    const epoch0 = ids(source.batch(5, 0, 10));
    const epoch1 = ids(source.batch(5, 10, 10));
    expect([...epoch0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch0).not.toEqual(epoch1);
    expect(ids(source.batch(6, 0, 10))).not.toEqual(epoch0);
  });

  it('depends on the global index only, not on how the run is cut into batches', () => {
    const whole = ids(source.batch(5, 0, 30));
    expect(ids(source.batch(5, 3, 4))).toEqual(whole.slice(3, 7));
    expect(ids(source.batch(5, 8, 5))).toEqual(whole.slice(8, 13)); // across an epoch boundary
    expect(ids(source.batch(5, 25, 5))).toEqual(whole.slice(25, 30));
    expect(source.indexAt(5, 12)).toBe(whole[12]);
    // Samples are copied whole (second coordinate follows the first).
    const b = source.batch(5, 0, 1);
    expect(b[1]).toBe(-(2 * b[0]! + 1));
  });

  it('keeps storage order without shuffling', () => {
    const plain = datasetSource({ data, shape: [2], shuffle: false });
    expect(ids(plain.batch(1, 8, 4))).toEqual([8, 9, 0, 1]);
  });

  it('refuses bad data and shapes', () => {
    expect(() => datasetSource({ data: [1, 2, 3], shape: [2] })).toThrow(
      /data must be a non-empty array whose length is a multiple of ∏shape = 2/,
    );
    expect(() => datasetSource({ data: [1, Number.NaN], shape: [2] })).toThrow(
      /data\[1\] must be a finite number/,
    );
    expect(() => datasetSource({ data: [1e39, 0], shape: [2] })).toThrow(/data\[0\]/); // not a finite float32
    expect(() => datasetSource({ data, shape: [0] })).toThrow(/shape\[0\]/);
    expect(() => source.batch(5, -1, 2)).toThrow(/first/);
    expect(() => source.batch(5, 0, 0)).toThrow(/count/);
  });
});

describe('samplerSource', () => {
  const sample = (rngs: readonly Rng[]): Float64Array => {
    const out = new Float64Array(rngs.length * 3);
    rngs.forEach((r, b) => r.fillNormal(out, b * 3, 3));
    return out;
  };
  const source = samplerSource({ shape: [3], sample });

  it("draws global sample g from the 'data' stream g of the seed", () => {
    expect([source.name, source.size]).toEqual(['sampler', Infinity]);
    const got = source.batch(2, 40, 4);
    expect(Array.from(got)).toEqual(
      Array.from(Float32Array.from(sample(sampleStreams(2, 40, 4, 'data')))),
    );
    expect(Array.from(source.batch(2, 42, 1))).toEqual(Array.from(got.subarray(6, 9)));
    expect(Array.from(source.batch(3, 40, 1))).not.toEqual(Array.from(got.subarray(0, 3)));
  });

  it('refuses a sampler returning the wrong size or non-finite values', () => {
    expect(() => samplerSource({ shape: [3], sample: () => [1, 2] }).batch(0, 0, 1)).toThrow(
      /sample\(rngs\) must be an array of 1 · 3 numbers/,
    );
    expect(() => samplerSource({ shape: [1], sample: () => [Number.NaN] }).batch(0, 0, 1)).toThrow(
      /finite/,
    );
    expect(() => samplerSource({ shape: [1], sample: 3 as never })).toThrow(
      /sample must be a function/,
    );
  });
});
