export type { Preconditioner, RawNetwork } from './types.js';

export { vpPrecond } from './vp.js';
export type { VpPrecond, VpPrecondOptions } from './vp.js';
export { vePrecond } from './ve.js';
export type { VePrecond, VePrecondOptions } from './ve.js';
export { iddpmPrecond } from './iddpm.js';
export type { IddpmPrecond, IddpmPrecondOptions } from './iddpm.js';
export { edmPrecond } from './edm.js';
export type { EdmPrecond, EdmPrecondOptions } from './edm.js';

export { precondition } from './precondition.js';
export { preconditionBatch } from './precondition-batch.js';
export type { BatchRawNetwork } from './precondition-batch.js';
export { score } from './score.js';
export type { ScoreFunction } from './score.js';
export { clampRange } from './clamp-range.js';
