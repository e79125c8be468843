export { euler, heun, secondOrder, solverNfe } from './solver.js';
export type { EulerSolver, SecondOrderSolver, Solver } from './solver.js';
export { churn, churnGamma, noChurn } from './churn.js';
export type { Churn } from './churn.js';
export { checkTimeSteps, timeSteps } from './time-steps.js';
export type { TimeStepsOptions } from './time-steps.js';
export { sample } from './sample.js';
export type { SampleOptions, SampleResult, StepInfo } from './sample.js';
