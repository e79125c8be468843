import { checkSigmaPositive } from './check.js';
import type { LossWeighting } from './types.js';

/** The weighting returned by {@link inverseSquare}. */
export interface InverseSquare extends LossWeighting {
  readonly name: 'inverse-square';
}

/**
 * The loss weighting of the VP, VE and iDDPM models: λ(σ) = 1/σ², which turns the
 * denoising loss into the noise-prediction loss ‖ε̂ − ε‖² of the score-matching papers.
 *
 * Paper: Table 1, VP, VE and iDDPM+DDIM columns, row "Loss weighting": λ(σ) = 1/σ²
 * (numerics guide: “Loss weighting”). iDDPM's original objective adds its L_vlb term, which is
 * not included.
 *
 * σ must be finite and > 0.
 *
 * @example
 * inverseSquare().weight(0.5); // 4
 * @see https://arxiv.org/abs/2206.00364
 */
export function inverseSquare(): InverseSquare {
  return Object.freeze({
    name: 'inverse-square' as const,
    weight(sigma: number): number {
      checkSigmaPositive(sigma);
      return 1 / (sigma * sigma);
    },
  });
}
