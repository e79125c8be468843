export {
  discretizationNames,
  networkNames,
  samplerAxes,
  scalingNames,
  scheduleNames,
  solverNames,
} from './axes.js';
export type {
  DiscretizationName,
  NetworkName,
  SamplerAxis,
  ScalingName,
  ScheduleName,
  SolverName,
} from './axes.js';
export type { SamplerConfig } from './sampler-config.js';
export { edm, iddpmOriginal, samplerPresets, veOriginal, vpOriginal } from './samplers.js';
export type { SamplerPresetName } from './samplers.js';
export { getSamplerPreset, overrideSampler, validateSamplerConfig } from './override.js';
export { networkPrecond, resolveSampler, runSampler } from './resolve.js';
export type { ResolvedSampler, RunSamplerOptions } from './resolve.js';
export { samplerAblation, samplerFamilies } from './ablation.js';
export type { SamplerFamily } from './ablation.js';
export { table1, table1Markdown } from './table1.js';
export type { Table1Row } from './table1.js';
export {
  architectureNames,
  noiseDistributionNames,
  precondNames,
  weightingNames,
} from './training-config.js';
export type {
  ArchitectureName,
  NoiseDistributionName,
  PrecondName,
  TrainingConfig,
  TrainingHyperparameters,
  WeightingName,
} from './training-config.js';
export {
  baselineHyperparameters,
  edmHyperparameters,
  edmTraining,
  iddpmTraining,
  trainingPresets,
  veTraining,
  vpTraining,
} from './training.js';
export type { TrainingPresetName } from './training.js';
export { table2, table2Baselines, table2Configs, table2Ids } from './table2.js';
export type { Table2Baseline, Table2Id, Table2Row } from './table2.js';
export {
  nonLeakyAugment,
  resolveTraining,
  trainingNetworkNames,
  trainingPreset,
} from './training-preset.js';
export type {
  AugmentSettings,
  MlpPresetOptions,
  PresetNetwork,
  PresetTrainOptions,
  ResolvedTraining,
  TrainingNetworkName,
  TrainingPreset,
  TrainingPresetData,
  TrainingPresetHyperparameters,
  TrainingPresetOptions,
  TrainingPresetSource,
  UNetPresetOptions,
} from './training-preset.js';
