import { checkNumber, ParameterError } from '@edmkit/core';

/** Options of {@link uncertaintyWeighted}. */
export interface UncertaintyWeightedOptions {
  /**
   * N, the number of elements each per-sample loss sums over (default 1). The official
   * EDM2 loop adds u to every element and sums, so its per-sample objective carries N·u.
   */
  readonly elements?: number;
}

/** What {@link uncertaintyWeighted} returns, one entry per sample. */
export interface UncertaintyWeightedResult {
  /** L_b·e^{−u_b} + N·u_b. */
  readonly loss: Float64Array;
  /** ∂loss_b/∂u_b = N − L_b·e^{−u_b} (zero at the optimum u_b = ln(L_b/N)). */
  readonly gradLogVariance: Float64Array;
  /** ∂loss_b/∂L_b = e^{−u_b}: the factor the per-sample loss's own gradient is scaled by. */
  readonly gradLoss: Float64Array;
}

/**
 * EDM2's uncertainty-based loss weighting (Karras et al. 2024, "Analyzing and Improving
 * the Training Dynamics of Diffusion Models"): a learned log-variance u(σ), a small function
 * of c_noise trained alongside the network, divides the loss of each noise level by its
 * current expected value, so that every σ contributes equally.
 *
 * Paper (EDM2): L = E_σ[ (λ(σ)/e^{u(σ)})·‖D(y + n; σ) − y‖² + u(σ) ]. Per sample b, with the
 * λ-weighted loss L_b (e.g. the per-sample sum of {@link denoisingLoss}'s tensor, see
 * {@link lossPerSample}) and u_b = u(σ_b):
 *
 *     loss_b = L_b·e^{−u_b} + N·u_b,   ∂/∂u_b = N − L_b·e^{−u_b},   ∂/∂L_b = e^{−u_b}.
 *
 * The optimum u_b = ln(L_b/N) makes the weighted loss N at every σ. The official EDM2 code
 * forms (λ/e^u)·(D − y)² + u per element and sums over all elements, which is this formula
 * with N = elements per sample; N = 1 is the paper's form for a per-sample L_b.
 *
 * This is the float64 reference of the formula. A tfjs training loop writes the same
 * expression on tensors, `tf.add(tf.mul(L, tf.exp(tf.neg(u))), tf.mul(N, u))`, lets autodiff
 * take the gradient through u(σ)'s weights, and can check it against `gradLogVariance`.
 *
 * @param perSampleLoss - L_b ≥ 0, one per sample (finite)
 * @param logVariance - u_b, one per sample (finite)
 * @param options.elements - N > 0 (default 1)
 * @example
 * const { loss, gradLogVariance } = uncertaintyWeighted(new Float64Array([2]), new Float64Array([Math.log(2)]));
 * // loss = [1 + ln 2], gradLogVariance = [0]: u = ln L is the optimum
 * @see https://arxiv.org/abs/2312.02696
 * @see https://arxiv.org/abs/2206.00364
 */
export function uncertaintyWeighted(
  perSampleLoss: Float64Array,
  logVariance: Float64Array,
  options: UncertaintyWeightedOptions = {},
): UncertaintyWeightedResult {
  if (!(perSampleLoss instanceof Float64Array) || perSampleLoss.length === 0) {
    throw new ParameterError(
      'perSampleLoss',
      'a non-empty Float64Array, one loss per sample',
      perSampleLoss,
    );
  }
  if (!(logVariance instanceof Float64Array) || logVariance.length !== perSampleLoss.length) {
    throw new ParameterError(
      'logVariance',
      `a Float64Array of length ${perSampleLoss.length} (one u per sample)`,
      logVariance,
    );
  }
  const N = checkNumber('elements', options.elements ?? 1, { min: 0, minInclusive: false });
  const batch = perSampleLoss.length;
  const loss = new Float64Array(batch);
  const gradLogVariance = new Float64Array(batch);
  const gradLoss = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    const L = checkNumber(`perSampleLoss[${b}]`, perSampleLoss[b], { min: 0 });
    const u = checkNumber(`logVariance[${b}]`, logVariance[b]);
    const scale = Math.exp(-u);
    const weighted = L * scale;
    if (!Number.isFinite(weighted)) {
      throw new ParameterError(`logVariance[${b}]`, 'a number for which L·e^{−u} is finite', u);
    }
    loss[b] = weighted + N * u;
    gradLogVariance[b] = N - weighted;
    gradLoss[b] = scale;
  }
  return Object.freeze({ loss, gradLogVariance, gradLoss });
}
