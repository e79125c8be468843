import { checkInteger, ParameterError, type Rng } from '@edmkit/core';
import { checkBatch, checkRngs, checkSigma, toFloat64 } from './check.js';
import type { DataSet } from './types.js';

/** Options of {@link empiricalImages}. */
export interface EmpiricalImagesOptions {
  /** The K images y_k, flattened image after image (length count · dim). Copied. */
  readonly images: ArrayLike<number>;
  /** Number of images K (integer ≥ 1). */
  readonly count: number;
  /** Number of coordinates d of one image (e.g. 784 for 28×28 grey). */
  readonly dim: number;
  /** Optional class label per image (integers ≥ 0, length count). */
  readonly labels?: ArrayLike<number>;
  /** Optional image shape [channels, height, width] with product dim, for plotting. */
  readonly shape?: readonly [number, number, number];
}

/**
 * The empirical distribution of a finite set of images, p(y) = (1/K) Σ_k δ(y − y_k),
 * with its exact ideal denoiser.
 */
export interface EmpiricalImages extends DataSet {
  readonly name: 'empirical-images';
  /** Number of images K. */
  readonly count: number;
  /** The images y_k, flattened (a copy: changing it changes nothing). */
  readonly images: Float64Array;
  /** Class label per image, when given. */
  readonly labels?: Int32Array;
  /** [channels, height, width], when given. */
  readonly shape?: readonly [number, number, number];
}

/** Posterior weights below e^(−70) ≈ 4·10⁻³¹ of the largest are skipped in the weighted mean. */
const NEGLIGIBLE_LOGIT = 70;

/**
 * The empirical distribution of K images with its exact ideal denoiser: a
 * uniform mixture of Diracs, the "perfect memoriser" a network trained to
 * optimality on the set would be.
 *
 * Paper: D(x̂; σ) = Σ_k softmax_k(−‖x̂ − y_k‖² / (2σ²)) · y_k  (ideal denoiser, Eq. 3
 * with p_data the training set; σ = 0 gives the nearest image, ties averaged).
 *
 * Cost per call: batch · K · d for the squared distances, computed directly as
 * Σ_i (x̂_i − y_k,i)² (no ‖x‖² − 2x·y + ‖y‖² cancellation, exact at any σ),
 * plus batch · K' · d for the weighted mean, where K' counts the images whose
 * weight is at least e^(−70) of the largest (all K at large σ, usually 1 at
 * small σ). The softmax uses max subtraction, so D is finite down to σ = 0.
 *
 * @param options.images - y_k flattened (count · dim numbers), copied
 * @param options.count - K
 * @param options.dim - d
 * @param options.labels - optional labels (length K)
 * @param options.shape - optional [channels, height, width]
 * @example
 * const data = empiricalImages({ images, count: 1000, dim: 196, shape: [1, 14, 14] });
 * const denoised = data.denoiser(x, 0.5); // x: batch · 196
 * @see https://arxiv.org/abs/2206.00364
 */
export function empiricalImages(options: EmpiricalImagesOptions): EmpiricalImages {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError(
      'options',
      'an object { images, count, dim, labels?, shape? }',
      options,
    );
  }
  const K = checkInteger('count', options.count, 1);
  const dim = checkInteger('dim', options.dim, 1);
  const images = toFloat64('images', options.images, K * dim);
  let labels: Int32Array | undefined;
  if (options.labels !== undefined) {
    const l = toFloat64('labels', options.labels, K, { min: 0 });
    labels = new Int32Array(K);
    for (let k = 0; k < K; k++) {
      if (!Number.isInteger(l[k]) || l[k]! > 0x7fffffff) {
        throw new ParameterError(`labels[${k}]`, 'an integer >= 0', l[k]);
      }
      labels[k] = l[k]!;
    }
  }
  let shape: readonly [number, number, number] | undefined;
  if (options.shape !== undefined) {
    const s = options.shape as unknown;
    if (!Array.isArray(s) || s.length !== 3) {
      throw new ParameterError('shape', '[channels, height, width]', s);
    }
    const [c, h, w] = s.map((v, i) => checkInteger(`shape[${i}]`, v, 1)) as [
      number,
      number,
      number,
    ];
    if (c * h * w !== dim)
      throw new ParameterError('shape', `[channels, height, width] with product dim = ${dim}`, s);
    shape = Object.freeze([c, h, w] as const);
  }

  // σ_data² = mean over coordinates of the variance over the K images.
  const mean = new Float64Array(dim);
  for (let k = 0; k < K; k++) for (let i = 0; i < dim; i++) mean[i]! += images[k * dim + i]!;
  for (let i = 0; i < dim; i++) mean[i]! /= K;
  let variance = 0;
  for (let k = 0; k < K; k++)
    for (let i = 0; i < dim; i++) variance += (images[k * dim + i]! - mean[i]!) ** 2;
  variance /= K * dim;

  let scratch = new Float64Array(0);
  const picked = new Int32Array(tileSize(dim));

  const denoiser = (x: Float64Array, sigma: number): Float64Array => {
    const batch = checkBatch('x', x, dim);
    checkSigma(sigma);
    if (scratch.length < batch * K) scratch = new Float64Array(batch * K);
    const w = scratch;
    squaredDistances(x, batch, images, K, dim, w);

    // Softmax weights in place: w_bk = exp(−(‖x̂_b − y_k‖² − min_k ‖x̂_b − y_k‖²) / (2σ²)), 0 if negligible.
    const sums = new Float64Array(batch);
    const inv2s2 = sigma > 0 ? 0.5 / (sigma * sigma) : Infinity;
    for (let b = 0; b < batch; b++) {
      const row = b * K;
      let dmin = Infinity;
      for (let k = 0; k < K; k++) if (w[row + k]! < dmin) dmin = w[row + k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const gap = w[row + k]! - dmin;
        // σ = 0: gap · ∞ is NaN only for gap = 0, the nearest image(s), weight 1.
        const logit = gap === 0 ? 0 : gap * inv2s2;
        const wk = logit < NEGLIGIBLE_LOGIT ? Math.exp(-logit) : 0;
        w[row + k] = wk;
        sum += wk;
      }
      sums[b] = sum;
    }

    const out = new Float64Array(x.length);
    weightedSum(w, batch, images, K, dim, out, picked);
    for (let b = 0; b < batch; b++) {
      const inv = 1 / sums[b]!;
      const o = b * dim;
      for (let i = 0; i < dim; i++) out[o + i]! *= inv;
    }
    return out;
  };

  const sample = (rngs: readonly Rng[]): Float64Array => {
    checkRngs(rngs);
    const out = new Float64Array(rngs.length * dim);
    for (let b = 0; b < rngs.length; b++) {
      const k = Math.floor(rngs[b]!.uniform() * K);
      out.set(images.subarray(k * dim, (k + 1) * dim), b * dim);
    }
    return out;
  };

  const data: EmpiricalImages = {
    name: 'empirical-images',
    dim,
    sigmaData: Math.sqrt(variance),
    count: K,
    images: images.slice(),
    ...(labels !== undefined ? { labels } : {}),
    ...(shape !== undefined ? { shape } : {}),
    denoiser,
    sample,
  };
  return Object.freeze(data);
}

/** Images per tile: about 128 KiB of images, a multiple of 4, visited by the whole batch while in cache. */
function tileSize(dim: number): number {
  return Math.max(4, 4 * Math.floor(4096 / dim));
}

/**
 * out[b·K + k] = ‖x_b − y_k‖², computed directly as Σ_i (x_b,i − y_k,i)².
 * Tiled over images, and register-blocked: two samples × four images share
 * every load (eight accumulators), which is ~3× faster than one pair at a time.
 */
function squaredDistances(
  x: Float64Array,
  batch: number,
  images: Float64Array,
  K: number,
  dim: number,
  out: Float64Array,
): void {
  const tile = tileSize(dim);
  for (let k0 = 0; k0 < K; k0 += tile) {
    const k1 = Math.min(K, k0 + tile);
    let b = 0;
    for (; b + 1 < batch; b += 2) {
      const o0 = b * dim;
      const o1 = o0 + dim;
      const r0 = b * K;
      const r1 = r0 + K;
      let k = k0;
      for (; k + 3 < k1; k += 4) block2x4(x, o0, o1, images, k * dim, dim, out, r0 + k, r1 + k);
      for (; k < k1; k++) {
        const m = k * dim;
        let s0 = 0;
        let s1 = 0;
        for (let i = 0; i < dim; i++) {
          const y = images[m + i]!;
          const t0 = x[o0 + i]! - y;
          const t1 = x[o1 + i]! - y;
          s0 += t0 * t0;
          s1 += t1 * t1;
        }
        out[r0 + k] = s0;
        out[r1 + k] = s1;
      }
    }
    if (b < batch) {
      // Odd batch: the last sample alone.
      const o = b * dim;
      const r = b * K;
      for (let k = k0; k < k1; k++) {
        const m = k * dim;
        let s = 0;
        for (let i = 0; i < dim; i++) {
          const t = x[o + i]! - images[m + i]!;
          s += t * t;
        }
        out[r + k] = s;
      }
    }
  }
}

/**
 * The hot loop of {@link squaredDistances}: squared distances of samples at x[o0…], x[o1…]
 * to the four consecutive images starting at images[m…], written to out[p0 … p0+3] and
 * out[p1 … p1+3]. A separate small function, so that it is optimised on its own.
 */
function block2x4(
  x: Float64Array,
  o0: number,
  o1: number,
  images: Float64Array,
  m: number,
  dim: number,
  out: Float64Array,
  p0: number,
  p1: number,
): void {
  const mb = m + dim;
  const mc = mb + dim;
  const md = mc + dim;
  let a0 = 0;
  let b0 = 0;
  let c0 = 0;
  let d0 = 0;
  let a1 = 0;
  let b1 = 0;
  let c1 = 0;
  let d1 = 0;
  for (let i = 0; i < dim; i++) {
    const x0 = x[o0 + i]!;
    const x1 = x[o1 + i]!;
    const ya = images[m + i]!;
    const yb = images[mb + i]!;
    const yc = images[mc + i]!;
    const yd = images[md + i]!;
    let t = x0 - ya;
    a0 += t * t;
    t = x0 - yb;
    b0 += t * t;
    t = x0 - yc;
    c0 += t * t;
    t = x0 - yd;
    d0 += t * t;
    t = x1 - ya;
    a1 += t * t;
    t = x1 - yb;
    b1 += t * t;
    t = x1 - yc;
    c1 += t * t;
    t = x1 - yd;
    d1 += t * t;
  }
  out[p0] = a0;
  out[p0 + 1] = b0;
  out[p0 + 2] = c0;
  out[p0 + 3] = d0;
  out[p1] = a1;
  out[p1 + 1] = b1;
  out[p1 + 2] = c1;
  out[p1 + 3] = d1;
}

/**
 * out[b] += Σ_k w[b·K + k] · y_k, skipping zero weights. Tiled like
 * {@link squaredDistances}. Within a tile, two samples whose weights are both
 * mostly non-zero (large σ) take a dense pass, two samples × four images per
 * load (a small matrix product); otherwise each sample visits only its
 * non-zero images (small σ: usually one).
 */
function weightedSum(
  w: Float64Array,
  batch: number,
  images: Float64Array,
  K: number,
  dim: number,
  out: Float64Array,
  picked: Int32Array,
): void {
  const tile = tileSize(dim);
  for (let k0 = 0; k0 < K; k0 += tile) {
    const k1 = Math.min(K, k0 + tile);
    const half = (k1 - k0) / 2;
    let b = 0;
    for (; b + 1 < batch; b += 2) {
      const r0 = b * K;
      const r1 = r0 + K;
      let n0 = 0;
      let n1 = 0;
      for (let k = k0; k < k1; k++) {
        if (w[r0 + k]! !== 0) n0++;
        if (w[r1 + k]! !== 0) n1++;
      }
      if (n0 > half && n1 > half) {
        denseTwo(w, r0, r1, images, k0, k1, dim, out, b * dim);
      } else {
        sparseOne(w, r0, images, k0, k1, dim, out, b * dim, picked);
        sparseOne(w, r1, images, k0, k1, dim, out, (b + 1) * dim, picked);
      }
    }
    if (b < batch) sparseOne(w, b * K, images, k0, k1, dim, out, b * dim, picked);
  }
}

/** Dense pass for samples at rows r0, r1 (outputs at o0, o0 + dim) over images [k0, k1). */
function denseTwo(
  w: Float64Array,
  r0: number,
  r1: number,
  images: Float64Array,
  k0: number,
  k1: number,
  dim: number,
  out: Float64Array,
  o0: number,
): void {
  const o1 = o0 + dim;
  let k = k0;
  for (; k + 3 < k1; k += 4) {
    const wa0 = w[r0 + k]!;
    const wb0 = w[r0 + k + 1]!;
    const wc0 = w[r0 + k + 2]!;
    const wd0 = w[r0 + k + 3]!;
    const wa1 = w[r1 + k]!;
    const wb1 = w[r1 + k + 1]!;
    const wc1 = w[r1 + k + 2]!;
    const wd1 = w[r1 + k + 3]!;
    const ma = k * dim;
    const mb = ma + dim;
    const mc = mb + dim;
    const md = mc + dim;
    for (let i = 0; i < dim; i++) {
      const ya = images[ma + i]!;
      const yb = images[mb + i]!;
      const yc = images[mc + i]!;
      const yd = images[md + i]!;
      out[o0 + i]! += wa0 * ya + wb0 * yb + wc0 * yc + wd0 * yd;
      out[o1 + i]! += wa1 * ya + wb1 * yb + wc1 * yc + wd1 * yd;
    }
  }
  for (; k < k1; k++) {
    const wk0 = w[r0 + k]!;
    const wk1 = w[r1 + k]!;
    const m = k * dim;
    for (let i = 0; i < dim; i++) {
      const y = images[m + i]!;
      out[o0 + i]! += wk0 * y;
      out[o1 + i]! += wk1 * y;
    }
  }
}

/** One sample (weights at row r, output at o) over the non-zero weights of images [k0, k1). */
function sparseOne(
  w: Float64Array,
  r: number,
  images: Float64Array,
  k0: number,
  k1: number,
  dim: number,
  out: Float64Array,
  o: number,
  picked: Int32Array,
): void {
  let n = 0;
  for (let k = k0; k < k1; k++) if (w[r + k]! !== 0) picked[n++] = k;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const ka = picked[j]!;
    const kb = picked[j + 1]!;
    const kc = picked[j + 2]!;
    const kd = picked[j + 3]!;
    const wa = w[r + ka]!;
    const wb = w[r + kb]!;
    const wc = w[r + kc]!;
    const wd = w[r + kd]!;
    const ma = ka * dim;
    const mb = kb * dim;
    const mc = kc * dim;
    const md = kd * dim;
    for (let i = 0; i < dim; i++) {
      out[o + i]! +=
        wa * images[ma + i]! + wb * images[mb + i]! + wc * images[mc + i]! + wd * images[md + i]!;
    }
  }
  for (; j < n; j++) {
    const k = picked[j]!;
    const wk = w[r + k]!;
    const m = k * dim;
    for (let i = 0; i < dim; i++) out[o + i]! += wk * images[m + i]!;
  }
}
