import { checkPositive } from '@edmkit/core';
import { checkSigmaPositive } from './check.js';
import type { LossWeighting } from './types.js';

/** Options of {@link edmWeighting}. */
export interface EdmWeightingOptions {
  /** σ_data, the standard deviation of the data (default 0.5). */
  readonly sigmaData?: number;
}

/** The weighting returned by {@link edmWeighting}. */
export interface EdmWeighting extends LossWeighting {
  readonly name: 'edm';
  readonly sigmaData: number;
}

/**
 * The EDM loss weighting, chosen so that the effective weight of the raw network's
 * loss is 1 at every σ: λ(σ)·c_out(σ)² = 1 with the EDM preconditioner.
 *
 * Paper: Table 1, "Ours" column, row "Loss weighting" (and Eq. 8):
 * λ(σ) = (σ² + σ_data²)/(σ·σ_data)² = 1/c_out(σ)² (numerics guide: “Loss weighting”).
 *
 * σ must be finite and > 0.
 *
 * @param options.sigmaData - σ_data > 0 (default 0.5)
 * @example
 * edmWeighting().weight(0.5); // (0.25 + 0.25)/(0.25·0.25) = 8
 * @see https://arxiv.org/abs/2206.00364
 */
export function edmWeighting(options: EdmWeightingOptions = {}): EdmWeighting {
  const sigmaData = checkPositive('sigmaData', options.sigmaData ?? 0.5);
  const sigmaData2 = sigmaData * sigmaData;
  return Object.freeze({
    name: 'edm' as const,
    sigmaData,
    weight(sigma: number): number {
      checkSigmaPositive(sigma);
      const s2 = sigma * sigma;
      return (s2 + sigmaData2) / (s2 * sigmaData2);
    },
  });
}
