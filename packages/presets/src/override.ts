import {
  checkNumber,
  checkOneOf,
  checkPositive,
  ParameterError,
  UnknownNameError,
} from '@edmkit/core';
import { churn as checkChurn } from '@edmkit/solvers';
import {
  discretizationNames,
  networkNames,
  samplerAxes,
  scalingNames,
  scheduleNames,
  solverNames,
  type SamplerAxis,
} from './axes.js';
import type { SamplerConfig } from './sampler-config.js';
import { samplerPresets, type SamplerPresetName } from './samplers.js';

/**
 * Checks every field of a sampler configuration and returns it frozen; throws
 * {@link UnknownNameError} / {@link ParameterError} naming the axis otherwise.
 */
export function validateSamplerConfig(config: SamplerConfig): SamplerConfig {
  if (config == null || typeof config !== 'object')
    throw new ParameterError('config', 'a SamplerConfig object', config);
  for (const key of Object.keys(config)) {
    if (!(samplerAxes as readonly string[]).includes(key))
      throw new UnknownNameError('sampler axis', key, samplerAxes);
  }
  if (typeof config.label !== 'string') throw new ParameterError('label', 'a string', config.label);
  checkOneOf('network', config.network, networkNames);
  checkOneOf('solver', config.solver, solverNames);
  checkOneOf('discretization', config.discretization, discretizationNames);
  checkOneOf('schedule', config.schedule, scheduleNames);
  checkOneOf('scaling', config.scaling, scalingNames);
  if (config.alpha !== undefined) {
    checkNumber('alpha', config.alpha, { min: 0, minInclusive: false, max: 1 });
    // α belongs to the general 2nd-order method; Heun is α = 1, midpoint α = ½, Euler has none.
    const fixed = config.solver === 'heun' ? 1 : config.solver === 'midpoint' ? 0.5 : undefined;
    if (config.solver === 'euler' || (fixed !== undefined && config.alpha !== fixed)) {
      throw new ParameterError(
        'alpha',
        config.solver === 'euler'
          ? "absent with solver 'euler' (α belongs to solver 'second-order')"
          : `${fixed} with solver '${config.solver}' (use solver 'second-order' for another α)`,
        config.alpha,
      );
    }
  }
  if (config.rho !== undefined) checkPositive('rho', config.rho);
  if (config.sigmaMin !== undefined) checkPositive('sigmaMin', config.sigmaMin);
  if (config.sigmaMax !== undefined) checkPositive('sigmaMax', config.sigmaMax);
  if (
    config.sigmaMin !== undefined &&
    config.sigmaMax !== undefined &&
    !(config.sigmaMin < config.sigmaMax)
  ) {
    throw new ParameterError(
      'sigmaMax',
      `a number > sigmaMin = ${config.sigmaMin}`,
      config.sigmaMax,
    );
  }
  if (config.epsilonS !== undefined)
    checkNumber('epsilonS', config.epsilonS, {
      min: 0,
      minInclusive: false,
      max: 1,
      maxInclusive: false,
    });
  if (config.churn !== undefined) checkChurn(config.churn);
  return Object.freeze({ ...config });
}

/**
 * A copy of `base` with some axes swapped: the ablation step "change one row of
 * Table 1". Unknown axes and values are refused with the list of allowed ones.
 *
 * @example
 * const vpHeun = overrideSampler(vpOriginal, { solver: 'heun', discretization: 'edm', rho: 7,
 *   sigmaMin: 0.002, sigmaMax: 80, label: 'VP + Heun & EDM t_i' });
 */
export function overrideSampler(
  base: SamplerConfig,
  overrides: Partial<Record<SamplerAxis, unknown>>,
): SamplerConfig {
  return validateSamplerConfig({ ...base, ...(overrides as Partial<SamplerConfig>) });
}

/** The sampler preset called `name` (`vp`, `ve`, `iddpm`, `edm`). */
export function getSamplerPreset(name: string): SamplerConfig {
  return samplerPresets[
    checkOneOf('preset', name, Object.keys(samplerPresets) as SamplerPresetName[])
  ];
}
