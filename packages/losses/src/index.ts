export type { LossWeighting, NoiseDistribution } from './types.js';

export { vpNoise } from './vp-noise.js';
export type { VpNoise, VpNoiseOptions } from './vp-noise.js';
export { veNoise } from './ve-noise.js';
export type { VeNoise, VeNoiseOptions } from './ve-noise.js';
export { iddpmNoise } from './iddpm-noise.js';
export type { IddpmNoise, IddpmNoiseOptions } from './iddpm-noise.js';
export { logNormal } from './log-normal.js';
export type { LogNormal, LogNormalOptions } from './log-normal.js';

export { inverseSquare } from './inverse-square.js';
export type { InverseSquare } from './inverse-square.js';
export { edmWeighting } from './edm-weighting.js';
export type { EdmWeighting, EdmWeightingOptions } from './edm-weighting.js';
export { softMinSnr } from './soft-min-snr.js';
export type { SoftMinSnr, SoftMinSnrOptions } from './soft-min-snr.js';
export { uncertaintyWeighted } from './uncertainty-weighted.js';
export type {
  UncertaintyWeightedOptions,
  UncertaintyWeightedResult,
} from './uncertainty-weighted.js';

export { draw } from './draw.js';
export type { DrawOptions, Draws } from './draw.js';
export { denoisingLoss } from './denoising-loss.js';
export type {
  AsyncBatchDenoiser,
  DenoisingLossOptions,
  DenoisingLossResult,
  SyncBatchDenoiser,
} from './denoising-loss.js';
export { denoisingLossF } from './denoising-loss-f.js';
export type {
  AsyncBatchRawNetwork,
  DenoisingLossFOptions,
  DenoisingLossFResult,
  SyncBatchRawNetwork,
} from './denoising-loss-f.js';
export { lossPerSample } from './loss-per-sample.js';

export { trainingLoss } from './training-loss.js';
export type { TrainingLoss, TrainingLossName, TrainingLosses } from './training-loss.js';
