export { DenoiserError, EdmkitError, ParameterError, UnknownNameError } from './errors.js';
export { checkInteger, checkNumber, checkOneOf, checkOrdered, checkPositive } from './validate.js';
export type { NumberBounds } from './validate.js';
export { createRng, rngFromState, sampleRngs } from './rng.js';
export type { Rng, RngState } from './rng.js';
export type { BatchDenoiser, Denoiser, TensorOps } from './tensor-ops.js';
export { arrayOps, arrayOpsFor } from './array-ops.js';
