export { train } from './train.js';
export type { TrainOptions, TrainResult } from './train.js';
export type { StepInfo } from './progress.js';
// Called by train() unless registerKernels is false; exported for callers who register once themselves.
export { registerTrainingKernels } from '@edmkit/unet';
export type { KernelRegistration } from '@edmkit/unet';

export { adam } from './adam.js';
export type { Adam, AdamOptions, AdamState } from './adam.js';
export { lrRampup } from './lr-rampup.js';
export type { LrRampup, LrRampupOptions } from './lr-rampup.js';
export { emaHalfLife } from './ema.js';
export type { EmaHalfLife, EmaHalfLifeOptions } from './ema.js';
export { clipGlobalNorm, globalNorm, reduceLoss, replaceNonFinite } from './gradients.js';

export type { DataSource } from './data-source.js';
export { datasetSource } from './dataset-source.js';
export type { DatasetSource, DatasetSourceOptions } from './dataset-source.js';
export { samplerSource } from './sampler-source.js';
export type { SamplerSource, SamplerSourceOptions } from './sampler-source.js';
export { derivedSeed, sampleStream, sampleStreams } from './streams.js';
export type { StreamPurpose } from './streams.js';
export {
  AUGMENT_LABEL_NAMES,
  augmentPipeline,
  augmentStreams,
  IDENTITY_DRAW,
} from './augment/index.js';
export type {
  AffineMap,
  AugmentConfig,
  AugmentDraw,
  AugmentedArrays,
  AugmentLabelName,
  AugmentOptions,
  AugmentPipeline,
} from './augment/index.js';

export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  EMA_DIR,
  NETWORK_DIR,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
export { listCheckpoints, resolveCheckpoint } from './run-dir.js';
export type { CheckpointContents, CheckpointState, LoadedCheckpoint } from './checkpoint.js';
export { CheckpointError, NonFiniteLossError } from './errors.js';
