import { checkInteger, ParameterError, type Rng } from '@edmkit/core';
import { checkBatch, checkRngs, checkSigma, toFloat64 } from './check.js';
import type { DataSet } from './types.js';

/** Options of {@link gaussianMixture}. */
export interface GaussianMixtureOptions {
  /** Mixture weights w_k > 0, one per component; normalised to sum 1. */
  readonly weights: ArrayLike<number>;
  /**
   * Component means μ_k: either one array of `dim` numbers per component, or all
   * of them flattened component after component (length K · dim).
   */
  readonly means: ArrayLike<number> | readonly ArrayLike<number>[];
  /** Isotropic component standard deviations s_k > 0, one per component. */
  readonly stds: ArrayLike<number>;
  /** Number of coordinates d of one sample (integer ≥ 1). */
  readonly dim: number;
}

/**
 * An isotropic Gaussian mixture p(y) = Σ_k w_k N(y; μ_k, s_k² I) together with
 * its exact ideal denoiser, score, log-density and sampler.
 *
 * The arrays are copies: changing them does not change the distribution.
 */
export interface GaussianMixture<N extends string = 'gaussian-mixture'> extends DataSet {
  readonly name: N;
  /** Number of components K. */
  readonly components: number;
  /** Normalised weights w_k (length K). */
  readonly weights: Float64Array;
  /** Means μ_k flattened component after component (length K · dim). */
  readonly means: Float64Array;
  /** Component standard deviations s_k (length K). */
  readonly stds: Float64Array;
  /**
   * The score of the noised density p_σ = p ∗ N(0, σ² I), batched like the denoiser.
   *
   * Paper: ∇ log p_σ(x̂) = Σ_k r_k(x̂) (μ_k − x̂) / v_k = (D(x̂; σ) − x̂) / σ² (Eq. 3).
   */
  score(x: Float64Array, sigma: number): Float64Array;
  /**
   * log p_σ(x̂) per sample (length batch) of the noised density p_σ = p ∗ N(0, σ² I).
   *
   * Paper: log Σ_k w_k N(x̂; μ_k, (s_k² + σ²) I).
   */
  logDensity(x: Float64Array, sigma: number): Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Scratch-free kernel shared by the denoiser, score and log-density: writes the
 * normalised posterior responsibilities r_k(x̂) of the sample at `x[o … o+dim)`
 * into `r` and returns log Σ_k exp(logit_k), where
 * logit_k = log w_k − (d/2) log v_k − ‖x̂ − μ_k‖² / (2 v_k). Max-subtracted, so it
 * stays finite for any σ ≥ 0 and any distance.
 */
function responsibilities(
  x: Float64Array,
  o: number,
  dim: number,
  K: number,
  means: Float64Array,
  logWeights: Float64Array,
  halfDimLogV: Float64Array,
  inv2v: Float64Array,
  r: Float64Array,
): number {
  let max = -Infinity;
  for (let k = 0; k < K; k++) {
    const m = k * dim;
    let dist2 = 0;
    for (let i = 0; i < dim; i++) {
      const t = x[o + i]! - means[m + i]!;
      dist2 += t * t;
    }
    const logit = logWeights[k]! - halfDimLogV[k]! - dist2 * inv2v[k]!;
    r[k] = logit;
    if (logit > max) max = logit;
  }
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(r[k]! - max);
    r[k] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let k = 0; k < K; k++) r[k]! *= inv;
  return max + Math.log(sum);
}

/** Per-call constants of noise level σ: v_k = s_k² + σ², (d/2) ln v_k, 1/(2 v_k). */
function levelConstants(stds: Float64Array, dim: number, sigma: number) {
  const K = stds.length;
  const v = new Float64Array(K);
  const halfDimLogV = new Float64Array(K);
  const inv2v = new Float64Array(K);
  const sigma2 = sigma * sigma;
  for (let k = 0; k < K; k++) {
    const s = stds[k]!;
    const vk = s * s + sigma2;
    v[k] = vk;
    halfDimLogV[k] = 0.5 * dim * Math.log(vk);
    inv2v[k] = 0.5 / vk;
  }
  return { v, halfDimLogV, inv2v, sigma2 };
}

function flattenMeans(
  means: GaussianMixtureOptions['means'],
  K: number,
  dim: number,
): Float64Array {
  if (means == null || typeof (means as { length?: unknown }).length !== 'number') {
    throw new ParameterError(
      'means',
      'an array of K·dim numbers or K arrays of dim numbers',
      means,
    );
  }
  const list = means as ArrayLike<unknown>;
  const first = list[0];
  if (first != null && typeof first === 'object') {
    if (list.length !== K)
      throw new ParameterError('means.length', `the number of components K = ${K}`, list.length);
    const out = new Float64Array(K * dim);
    for (let k = 0; k < K; k++) out.set(toFloat64(`means[${k}]`, list[k], dim), k * dim);
    return out;
  }
  return toFloat64('means', means, K * dim);
}

/**
 * Builds the isotropic Gaussian mixture p(y) = Σ_k w_k N(y; μ_k, s_k² I) with its
 * exact ideal denoiser: the "network" that makes a sampler's error pure
 * discretisation error. Cost per denoiser call: O(batch · K · d).
 *
 * Paper: v_k = s_k² + σ²; r_k(x̂) ∝ w_k v_k^(−d/2) exp(−‖x̂ − μ_k‖² / (2 v_k));
 * D(x̂; σ) = Σ_k r_k(x̂) [μ_k + (s_k² / v_k)(x̂ − μ_k)]  (ideal denoiser, Eq. 3; numerics guide:
 * “Ideal denoiser of a Gaussian mixture”).
 *
 * The posterior responsibilities are computed with log-sum-exp (max subtraction),
 * so D stays finite and exact down to σ = 0 for any d. Sampling draws, per
 * stream, one uniform (the component, by inverse CDF of the weights) then d normals.
 *
 * @param options.weights - w_k > 0 (normalised here)
 * @param options.means - μ_k, K arrays of d numbers or one flat array of K·d
 * @param options.stds - s_k > 0
 * @param options.dim - d
 * @example
 * const data = gaussianMixture({ weights: [0.5, 0.5], means: [[-1, 0], [1, 0]], stds: [0.1, 0.2], dim: 2 });
 * const denoised = data.denoiser(new Float64Array([0.3, 0.1]), 0.5);
 * const y = data.sample(sampleRngs(0, 64)); // 64 exact samples
 * @see https://arxiv.org/abs/2206.00364
 */
export function gaussianMixture(options: GaussianMixtureOptions): GaussianMixture {
  return buildMixture('gaussian-mixture', options);
}

/** @internal Shared constructor, so special cases can carry their own `name`. */
export function buildMixture<N extends string>(
  name: N,
  options: GaussianMixtureOptions,
): GaussianMixture<N> {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError('options', 'an object { weights, means, stds, dim }', options);
  }
  const dim = checkInteger('dim', options.dim, 1);
  const rawWeights = toFloat64('weights', options.weights, undefined, {
    min: 0,
    minInclusive: false,
  });
  const K = rawWeights.length;
  if (K === 0)
    throw new ParameterError('weights', 'a non-empty array of numbers > 0', options.weights);
  const stds = toFloat64('stds', options.stds, K, { min: 0, minInclusive: false });
  const means = flattenMeans(options.means, K, dim);

  let total = 0;
  for (let k = 0; k < K; k++) total += rawWeights[k]!;
  const weights = rawWeights.map((w) => w / total);
  const logWeights = weights.map((w) => Math.log(w));
  const cumulative = new Float64Array(K);
  let acc = 0;
  for (let k = 0; k < K; k++) cumulative[k] = acc += weights[k]!;

  // σ_data² = mean over coordinates of Var[y_i] = Σ_k w_k (s_k² + ‖μ_k − m‖² / d), m = Σ_k w_k μ_k.
  const mean = new Float64Array(dim);
  for (let k = 0; k < K; k++)
    for (let i = 0; i < dim; i++) mean[i]! += weights[k]! * means[k * dim + i]!;
  let variance = 0;
  for (let k = 0; k < K; k++) {
    let spread = 0;
    for (let i = 0; i < dim; i++) spread += (means[k * dim + i]! - mean[i]!) ** 2;
    variance += weights[k]! * (stds[k]! ** 2 + spread / dim);
  }

  const r = new Float64Array(K);

  const denoiser = (x: Float64Array, sigma: number): Float64Array => {
    const batch = checkBatch('x', x, dim);
    checkSigma(sigma);
    const { v, halfDimLogV, inv2v, sigma2 } = levelConstants(stds, dim, sigma);
    const out = new Float64Array(x.length);
    for (let b = 0; b < batch; b++) {
      const o = b * dim;
      responsibilities(x, o, dim, K, means, logWeights, halfDimLogV, inv2v, r);
      // D = (Σ_k r_k s_k²/v_k) x̂ + Σ_k (r_k σ²/v_k) μ_k
      let a = 0;
      for (let k = 0; k < K; k++) a += (r[k]! * stds[k]! * stds[k]!) / v[k]!;
      for (let i = 0; i < dim; i++) out[o + i] = a * x[o + i]!;
      if (sigma2 === 0) continue;
      for (let k = 0; k < K; k++) {
        const c = (r[k]! * sigma2) / v[k]!;
        if (c === 0) continue;
        const m = k * dim;
        for (let i = 0; i < dim; i++) out[o + i]! += c * means[m + i]!;
      }
    }
    return out;
  };

  const score = (x: Float64Array, sigma: number): Float64Array => {
    const batch = checkBatch('x', x, dim);
    checkSigma(sigma);
    const { v, halfDimLogV, inv2v } = levelConstants(stds, dim, sigma);
    const out = new Float64Array(x.length);
    for (let b = 0; b < batch; b++) {
      const o = b * dim;
      responsibilities(x, o, dim, K, means, logWeights, halfDimLogV, inv2v, r);
      // ∇ log p_σ = Σ_k (r_k/v_k) μ_k − (Σ_k r_k/v_k) x̂
      let a = 0;
      for (let k = 0; k < K; k++) a += r[k]! / v[k]!;
      for (let i = 0; i < dim; i++) out[o + i] = -a * x[o + i]!;
      for (let k = 0; k < K; k++) {
        const c = r[k]! / v[k]!;
        if (c === 0) continue;
        const m = k * dim;
        for (let i = 0; i < dim; i++) out[o + i]! += c * means[m + i]!;
      }
    }
    return out;
  };

  const logDensity = (x: Float64Array, sigma: number): Float64Array => {
    const batch = checkBatch('x', x, dim);
    checkSigma(sigma);
    const { halfDimLogV, inv2v } = levelConstants(stds, dim, sigma);
    const out = new Float64Array(batch);
    const constant = -0.5 * dim * LOG_2PI;
    for (let b = 0; b < batch; b++) {
      out[b] =
        constant + responsibilities(x, b * dim, dim, K, means, logWeights, halfDimLogV, inv2v, r);
    }
    return out;
  };

  const sample = (rngs: readonly Rng[]): Float64Array => {
    checkRngs(rngs);
    const out = new Float64Array(rngs.length * dim);
    for (let b = 0; b < rngs.length; b++) {
      const rng = rngs[b]!;
      const u = rng.uniform();
      let k = 0;
      while (k < K - 1 && u >= cumulative[k]!) k++;
      const o = b * dim;
      rng.fillNormal(out, o, dim);
      const s = stds[k]!;
      const m = k * dim;
      for (let i = 0; i < dim; i++) out[o + i] = means[m + i]! + s * out[o + i]!;
    }
    return out;
  };

  return Object.freeze({
    name,
    dim,
    sigmaData: Math.sqrt(variance),
    components: K,
    weights: weights.slice(),
    means: means.slice(),
    stds: stds.slice(),
    denoiser,
    score,
    logDensity,
    sample,
  });
}
