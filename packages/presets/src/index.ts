export {
  discretizationNames,
  networkNames,
  samplerAxes,
  scalingNames,
  scheduleNames,
  solverNames,
} from './axes.js';
export type { DiscretizationName, NetworkName, SamplerAxis, ScalingName, ScheduleName, SolverName } from './axes.js';
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
