export { referenceSolve } from './reference-solve.js';
export type { ReferenceSolution, ReferenceSolveOptions } from './reference-solve.js';
export { rmsError } from './rms-error.js';
export { summarize } from './summarize.js';
export type { Summary } from './summarize.js';
export { symmetricEigen } from './eigen.js';
export type { SymmetricEigen } from './eigen.js';
