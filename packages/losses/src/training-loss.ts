import { checkOneOf } from '@edmkit/core';
import { edmWeighting } from './edm-weighting.js';
import type { EdmWeighting } from './edm-weighting.js';
import { iddpmNoise } from './iddpm-noise.js';
import type { IddpmNoise } from './iddpm-noise.js';
import { inverseSquare } from './inverse-square.js';
import type { InverseSquare } from './inverse-square.js';
import { logNormal } from './log-normal.js';
import type { LogNormal } from './log-normal.js';
import type { LossWeighting, NoiseDistribution } from './types.js';
import { veNoise } from './ve-noise.js';
import type { VeNoise } from './ve-noise.js';
import { vpNoise } from './vp-noise.js';
import type { VpNoise } from './vp-noise.js';

/** The methods of Table 1 with a training loss. */
export type TrainingLossName = 'vp' | 've' | 'iddpm' | 'edm';

/** The training rows of Table 1 for one method: p_train(σ) and λ(σ). */
export interface TrainingLoss<
  D extends NoiseDistribution = NoiseDistribution,
  W extends LossWeighting = LossWeighting,
> {
  readonly name: TrainingLossName;
  readonly distribution: D;
  readonly weighting: W;
}

/** {@link trainingLoss}'s result for each name. */
export interface TrainingLosses {
  readonly vp: TrainingLoss<VpNoise, InverseSquare>;
  readonly ve: TrainingLoss<VeNoise, InverseSquare>;
  readonly iddpm: TrainingLoss<IddpmNoise, InverseSquare>;
  readonly edm: TrainingLoss<LogNormal, EdmWeighting>;
}

const names: readonly TrainingLossName[] = ['vp', 've', 'iddpm', 'edm'];

/**
 * The training noise distribution and loss weighting of one column of Table 1, with the
 * paper's constants. Plain data: `JSON.stringify` gives e.g.
 * `{"name":"edm","distribution":{"name":"log-normal","pMean":-1.2,"pStd":1.2},"weighting":{"name":"edm","sigmaData":0.5}}`.
 *
 * Paper: Table 1, rows "Noise distribution" and "Loss weighting":
 * VP t ∼ U(ε_t, 1), 1/σ²; VE ln σ ∼ U(ln σ_min, ln σ_max), 1/σ²; iDDPM σ = u_j, j ∼ U{0, …, M − 1}, 1/σ²;
 * EDM ln σ ∼ N(P_mean, P_std²), (σ² + σ_data²)/(σ·σ_data)². (The official code has no iDDPM loss;
 * see {@link iddpmNoise}.) Presets combining these with preconditioners and networks live in
 * `@edmkit/presets`.
 *
 * @param name - `'vp'`, `'ve'`, `'iddpm'` or `'edm'`
 * @example
 * const { distribution, weighting } = trainingLoss('edm'); // logNormal(), edmWeighting()
 * @see https://arxiv.org/abs/2206.00364
 */
export function trainingLoss<K extends TrainingLossName>(name: K): TrainingLosses[K] {
  const key = checkOneOf('name', name, names);
  const table: { readonly [N in TrainingLossName]: () => TrainingLosses[N] } = {
    vp: () => Object.freeze({ name: 'vp', distribution: vpNoise(), weighting: inverseSquare() }),
    ve: () => Object.freeze({ name: 've', distribution: veNoise(), weighting: inverseSquare() }),
    iddpm: () =>
      Object.freeze({ name: 'iddpm', distribution: iddpmNoise(), weighting: inverseSquare() }),
    edm: () => Object.freeze({ name: 'edm', distribution: logNormal(), weighting: edmWeighting() }),
  };
  return table[key]() as TrainingLosses[K];
}
