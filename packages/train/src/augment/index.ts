export { AUGMENT_LABEL_NAMES, augmentPipeline, IDENTITY_DRAW } from './pipeline.js';
export type {
  AugmentConfig,
  AugmentDraw,
  AugmentedArrays,
  AugmentLabelName,
  AugmentOptions,
  AugmentPipeline,
} from './pipeline.js';
export type { AffineMap } from './geometry.js';
export { augmentStreams } from './streams.js';
