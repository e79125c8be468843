import { checkNumber, checkPositive } from '@edmkit/core';
import type { LossWeighting } from './types.js';

/** Options of {@link softMinSnr}. */
export interface SoftMinSnrOptions {
  /** σ_data, the standard deviation of the data (default 0.5); sets the default γ. */
  readonly sigmaData?: number;
  /** γ, the level at which the SNR weight is capped (default σ_data⁻², k-diffusion's). */
  readonly gamma?: number;
}

/** The weighting returned by {@link softMinSnr}. */
export interface SoftMinSnr extends LossWeighting {
  readonly name: 'soft-min-snr';
  readonly sigmaData: number;
  readonly gamma: number;
}

/**
 * k-diffusion's soft-min-SNR loss weighting (Crowson et al. 2024, "Hourglass Diffusion
 * Transformers"): a smooth version of the Min-SNR-γ weighting of Hang et al. 2023, which
 * caps the weight of the low-noise levels.
 *
 * Paper: not in the EDM paper. With SNR(σ) = 1/σ², Min-SNR-γ weights the denoising loss
 * by min(SNR(σ), γ); the soft (harmonic) minimum of the two gives
 *
 *     λ(σ) = 1/(SNR(σ)⁻¹ + γ⁻¹) = 1/(σ² + 1/γ),
 *
 * which lies between ½·min(1/σ², γ) and min(1/σ², γ), and tends to 1/σ² for σ → ∞ and to
 * γ for σ → 0.
 *
 * k-diffusion (`Denoiser(weighting='soft-min-snr')` in `k_diffusion/layers.py`) has no γ:
 * it states the weight in F-space with the EDM preconditioner, as
 * w_F(σ) = (σ·σ_data)²/(σ² + σ_data²)², the weight of ‖F − target‖². Since
 * w_F = λ(σ)·c_out(σ)² with c_out² = σ²σ_data²/(σ² + σ_data²), that is
 * λ(σ) = 1/(σ² + σ_data²): the formula above with γ = σ_data⁻² (= 4 for σ_data = 0.5),
 * the default here. γ = 5 gives a soft version of the Min-SNR paper's recommended setting.
 * (k-diffusion also averages its loss over pixels where the official EDM loop sums them;
 * that is a constant factor per data shape.)
 *
 * σ must be finite and ≥ 0 (λ(0) = γ).
 *
 * @param options.sigmaData - σ_data > 0 (default 0.5)
 * @param options.gamma - γ > 0 (default σ_data⁻²)
 * @example
 * softMinSnr().weight(0.5); // 1/(0.25 + 0.25) = 2 (γ = 4)
 * @see https://arxiv.org/abs/2206.00364
 * @see https://arxiv.org/abs/2401.11605
 * @see https://arxiv.org/abs/2303.09556
 */
export function softMinSnr(options: SoftMinSnrOptions = {}): SoftMinSnr {
  const sigmaData = checkPositive('sigmaData', options.sigmaData ?? 0.5);
  const gamma = checkPositive('gamma', options.gamma ?? 1 / (sigmaData * sigmaData));
  const inverseGamma = 1 / gamma;
  return Object.freeze({
    name: 'soft-min-snr' as const,
    sigmaData,
    gamma,
    weight(sigma: number): number {
      checkNumber('sigma', sigma, { min: 0 });
      return 1 / (sigma * sigma + inverseGamma);
    },
  });
}
