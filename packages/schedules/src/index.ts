export type { Discretization, NoiseSchedule, Scaling, SigmaRange } from './types.js';

export { vpSchedule, vpScaling, vpSigmaRange, VP_BETA_D, VP_BETA_MIN } from './vp.js';
export type {
  VpOptions,
  VpSchedule,
  VpScaling,
  VpScalingOptions,
  VpSigmaRangeOptions,
} from './vp.js';
export { veSchedule } from './ve.js';
export type { VeSchedule } from './ve.js';
export { linearSchedule } from './linear.js';
export type { LinearSchedule } from './linear.js';
export { noScaling } from './no-scaling.js';
export type { NoScaling } from './no-scaling.js';

export { vpSteps, refitVp, VP_EPSILON_S } from './vp-steps.js';
export type { VpBetas, VpSteps, VpStepsOptions } from './vp-steps.js';
export { veSteps } from './ve-steps.js';
export type { VeSteps } from './ve-steps.js';
export { iddpmSteps, roundHalfEven } from './iddpm-steps.js';
export type { IddpmSteps } from './iddpm-steps.js';
export { edmSteps } from './edm-steps.js';
export type { EdmSteps, EdmStepsOptions } from './edm-steps.js';
export { exponentialSteps } from './exponential-steps.js';
export type { ExponentialSteps } from './exponential-steps.js';
export { polyexponentialSteps } from './polyexponential-steps.js';
export type { PolyexponentialSteps, PolyexponentialStepsOptions } from './polyexponential-steps.js';

export { iddpmConstants, iddpmIndex, iddpmRoundSigma, iddpmUTable } from './iddpm-u.js';
export type { IddpmConstants, IddpmOptions } from './iddpm-u.js';

export { fromSde, toSde } from './sde.js';
export type { FromSdeOptions, Sde, SdeSchedule, SdeScaling } from './sde.js';
