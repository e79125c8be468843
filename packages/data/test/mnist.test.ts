import { describe, expect, it } from 'vitest';
import { loadMnist, mnistDataset, MNIST_DIGIT_COUNTS, MNIST_MAX_COUNT } from '@edmkit/data/mnist';

describe('loadMnist', () => {
  it('loads a balanced, interleaved, reproducible subset in [−1, 1]', () => {
    const a = loadMnist({ count: 25, size: 28, seed: 3 });
    expect(a.count).toBe(25);
    expect(a.dim).toBe(784);
    expect(a.shape).toEqual([1, 28, 28]);
    expect(a.images.length).toBe(25 * 784);
    expect(Array.from(a.labels.slice(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // 25 = 3·5 + 2·5: digits 0…4 get three images, 5…9 two.
    const per = new Array<number>(10).fill(0);
    for (const l of a.labels) per[l]!++;
    expect(per).toEqual([3, 3, 3, 3, 3, 2, 2, 2, 2, 2]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of a.images) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect(min).toBe(-1);
    expect(max).toBe(1);
    expect(loadMnist({ count: 25, size: 28, seed: 3 }).images).toEqual(a.images);
    expect(loadMnist({ count: 25, size: 28, seed: 4 }).images).not.toEqual(a.images);
  });

  it('pools to 14×14 consistently with the 28×28 images', () => {
    const big = loadMnist({ perDigit: 1, size: 28, seed: 1 });
    const small = loadMnist({ perDigit: 1, size: 14, seed: 1 });
    expect(small.dim).toBe(196);
    const r = 5;
    const c = 7;
    const want =
      (big.images[2 * r * 28 + 2 * c]! +
        big.images[2 * r * 28 + 2 * c + 1]! +
        big.images[(2 * r + 1) * 28 + 2 * c]! +
        big.images[(2 * r + 1) * 28 + 2 * c + 1]!) /
      4;
    expect(small.images[r * 14 + c]).toBeCloseTo(want, 15);
  });

  it('takes digit subsets and refuses impossible requests', () => {
    const twos = loadMnist({ perDigit: 4, digits: [2, 7] });
    expect(Array.from(twos.labels)).toEqual([2, 7, 2, 7, 2, 7, 2, 7]);
    expect(MNIST_DIGIT_COUNTS[5]).toBe(863);
    expect(() => loadMnist({ perDigit: 864 })).toThrow(/perDigit/);
    expect(() => loadMnist({ count: 0 })).toThrow(/count/);
    expect(() => loadMnist({ size: 7 as 14 })).toThrow(/size/);
    expect(() => loadMnist({ digits: [1, 1] })).toThrow(/digits/);
    expect(() => loadMnist({ digits: [10] })).toThrow(/digits\[0\]/);
  });
});

describe('mnistDataset', () => {
  it('is the empirical distribution of the loaded digits', () => {
    const data = mnistDataset({ count: 20 });
    expect(data.name).toBe('empirical-images');
    expect(data.dim).toBe(196);
    expect(data.shape).toEqual([1, 14, 14]);
    expect(data.labels?.length).toBe(20);
    // At σ → 0 an image is its own denoised value.
    const y = data.images.slice(3 * 196, 4 * 196);
    expect(data.denoiser(y, 0.01)).toEqual(y);
    expect(data.sigmaData).toBeGreaterThan(0.3);
  });
});

describe('MNIST_MAX_COUNT', () => {
  it('is the largest count an even split over the ten digits allows', () => {
    expect(MNIST_MAX_COUNT).toBe(8635); // 10 × 863 (digit 5) + 5 for the first five classes
    expect(loadMnist({ count: MNIST_MAX_COUNT, size: 14 }).labels).toHaveLength(MNIST_MAX_COUNT);
    expect(() => loadMnist({ count: MNIST_MAX_COUNT + 1 })).toThrow(
      /at most 863 images of digit 5/,
    );
  });
});
