export { checkSigmas, defineSolver, stepsForNfe } from './runner.js';
export type {
  DuplicateSigmas,
  SigmaSolver,
  SigmaSolverResult,
  SigmaSolverRun,
  SigmaStepInfo,
  SolverDefinition,
  StepContext,
  StepRule,
} from './runner.js';
export { euler, heun, secondOrder } from './generalized.js';
export type { GeneralizedOptions, GeneralizedSolver } from './generalized.js';
export { churn, churnGamma, noChurn } from './churn.js';
export type { Churn } from './churn.js';
export { checkTimeSteps, timeSteps } from './time-steps.js';
export type { TimeStepsOptions } from './time-steps.js';
export { sample } from './sample.js';
export type { SampleOptions, SampleResult, StepInfo } from './sample.js';
export { adaptive } from './adaptive.js';
export type {
  AdaptiveOptions,
  AdaptiveResult,
  AdaptiveSolver,
  PidGains,
  ReadTensor,
} from './adaptive.js';
export { autoguidance, classifierFreeGuidance, guidanceInterval } from './guidance.js';
export type {
  AutoguidanceOptions,
  ClassifierFreeGuidanceOptions,
  GuidanceIntervalOptions,
} from './guidance.js';
export { ipndm } from './ipndm.js';
export type { IpndmOptions, IpndmSolver } from './ipndm.js';
export { lms, lmsCoefficient } from './lms.js';
export type { LmsOptions, LmsSolver } from './lms.js';
export type { LinearMultistepOptions, LinearMultistepSolver } from './linear-multistep.js';
export { dpmSolverSingle } from './dpm-solver-single.js';
export type { DpmSolverSingleOptions, DpmSolverSingleSolver } from './dpm-solver-single.js';
export { ancestralStep, eulerAncestral } from './euler-ancestral.js';
export type { EulerAncestralOptions, EulerAncestralSolver } from './euler-ancestral.js';
export { dpm2Ancestral } from './dpm2-ancestral.js';
export type { AncestralOptions, AncestralSolver } from './dpm2-ancestral.js';
export { dpmpp2sAncestral } from './dpmpp-2s-ancestral.js';
export { dpmppSde } from './dpmpp-sde.js';
export type { DpmppSdeOptions, DpmppSdeSolver } from './dpmpp-sde.js';
export { dpmSolverPlusPlusSde } from './dpm-solver-pp-sde.js';
export type {
  DpmSolverPlusPlusSdeOptions,
  DpmSolverPlusPlusSdeSolver,
} from './dpm-solver-pp-sde.js';
export { dpmSolverPlusPlus } from './dpm-solver-pp.js';
export type {
  D2Coefficient,
  DpmSolverPlusPlus,
  DpmSolverPlusPlusOptions,
  DpmSolverType,
} from './dpm-solver-pp.js';
export { dpmSolverPlusPlusSingle, singlestepOrders } from './dpm-solver-pp-single.js';
export type {
  DpmSolverPlusPlusSingleOptions,
  DpmSolverPlusPlusSingleSolver,
} from './dpm-solver-pp-single.js';
export { unipc } from './unipc.js';
export type { UniPc, UniPcOptions, UniPcVariant } from './unipc.js';
export { deis, logLagrangeIntegral } from './deis.js';
export type { Deis, DeisInterpolation, DeisOptions } from './deis.js';
