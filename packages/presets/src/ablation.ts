import { checkOneOf } from '@edmkit/core';
import { overrideSampler } from './override.js';
import type { SamplerConfig } from './sampler-config.js';
import { iddpmOriginal, veOriginal, vpOriginal } from './samplers.js';

/** The model families of the paper's sampler ablation (Fig. 2). */
export const samplerFamilies = ['vp', 've', 'iddpm'] as const;
export type SamplerFamily = (typeof samplerFamilies)[number];

const originals: Record<SamplerFamily, SamplerConfig> = {
  vp: vpOriginal,
  ve: veOriginal,
  iddpm: iddpmOriginal,
};
const familyLabels: Record<SamplerFamily, string> = { vp: 'VP', ve: 'VE', iddpm: 'iDDPM' };

/**
 * The paper's sampler ablation chain for one model family: the original sampler,
 * then "+ Heun & EDM t_i" (2nd-order Heun, EDM time steps with ρ = 7 and their
 * default range σ ∈ [0.002, 80] clamped to the network), then "+ EDM σ(t) & s(t)"
 * (σ(t) = t, s(t) = 1). The network (σ range, rounding) stays the family's own.
 * For iDDPM the original already uses σ(t) = t and s(t) = 1, so its chain has two steps.
 *
 * Paper: Fig. 2 and Table 1 rows "ODE solver", "Time steps", "Schedule", "Scaling" (numerics
 * guide: “Figure 2 configurations”).
 * @example
 * samplerAblation('vp').map((c) => c.label); // ['VP original', 'VP + Heun & EDM t_i', 'VP + EDM σ(t) & s(t)']
 */
export function samplerAblation(family: SamplerFamily): SamplerConfig[] {
  const name = checkOneOf('family', family, samplerFamilies);
  const original = originals[name];
  const label = familyLabels[name];
  const withHeun = overrideSampler(original, {
    label: `${label} + Heun & EDM t_i`,
    solver: 'heun',
    discretization: 'edm',
    rho: 7, // Table 1, EDM ρ = 7
  });
  const chain = [original, withHeun];
  if (original.schedule !== 'linear' || original.scaling !== 'none') {
    chain.push(
      overrideSampler(withHeun, {
        label: `${label} + EDM σ(t) & s(t)`,
        schedule: 'linear',
        scaling: 'none',
      }),
    );
  }
  return chain;
}
