export { euler, heun, secondOrder, solverNfe } from './solver.js';
export type { EulerSolver, SecondOrderSolver, Solver } from './solver.js';
export { churn, churnGamma, noChurn } from './churn.js';
export type { Churn } from './churn.js';
export { checkTimeSteps, timeSteps } from './time-steps.js';
export type { TimeStepsOptions } from './time-steps.js';
export { sample } from './sample.js';
export type { SampleOptions, SampleResult, StepInfo } from './sample.js';
export { checkSigmas, countingDenoiser } from './sigma-solver.js';
export type {
  DuplicateSigmas,
  SigmaSolver,
  SigmaSolverResult,
  SigmaSolverRun,
  SigmaStepInfo,
} from './sigma-solver.js';
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
export { dpmSolverSingle } from './dpm-solver-single.js';
export type { DpmSolverSingleOptions, DpmSolverSingleSolver } from './dpm-solver-single.js';
export { heunK } from './heun-k.js';
export type { HeunKOptions, HeunKSolver } from './heun-k.js';
export { ancestralStep, eulerAncestral } from './euler-ancestral.js';
export type { EulerAncestralOptions, EulerAncestralSolver } from './euler-ancestral.js';
export { dpmSolverPlusPlusSde } from './dpm-solver-sde.js';
export type { DpmSolverPlusPlusSdeOptions, DpmSolverPlusPlusSdeSolver } from './dpm-solver-sde.js';
export { dpmSolverPlusPlus } from './dpm-solver-pp.js';
export type { DpmSolverPlusPlus, DpmSolverPlusPlusOptions } from './dpm-solver-pp.js';
export { unipc } from './unipc.js';
export type { UniPc, UniPcOptions, UniPcVariant } from './unipc.js';
export { deis } from './deis.js';
export type { Deis, DeisOptions } from './deis.js';
