import { describe, expect, it } from 'vitest';
import { arrayOps, type Denoiser } from '@edmkit/core';
import {
  edm,
  overrideSampler,
  resolveSampler,
  runSampler,
  type SamplerConfig,
} from '@edmkit/presets';
import {
  maxRelErr,
  readFixture,
  type AblationEntry,
  type DiscretizationFixture,
} from '../../../test-support/fixtures.js';

const fixture = readFixture<DiscretizationFixture>('discretization.json');

/**
 * Tolerance (numerics guide: “Reference data and tolerances”): 1e-12, or 5e-4 where the
 * iDDPM float32 u table is involved.
 */
function tolerance(e: { net: string; discretization?: string }): number {
  return e.net === 'iddpm' || e.discretization === 'iddpm' ? 5e-4 : 1e-12;
}

function configOf(e: AblationEntry): SamplerConfig {
  return {
    label: `${e.discretization}/${e.schedule}/${e.scaling} on ${e.net}`,
    network: e.net,
    solver: 'euler',
    discretization: e.discretization,
    schedule: e.schedule,
    scaling: e.scaling,
  };
}

describe('resolveSampler against the official ablation sampler', () => {
  for (const e of fixture.ablation) {
    const name = `${e.discretization} steps, σ(t) ${e.schedule}, s(t) ${e.scaling}, ${e.net} network, N = ${e.num_steps}`;
    it(name, async () => {
      const sampler = resolveSampler(configOf(e));
      const tol = tolerance(e);
      expect(
        maxRelErr([sampler.range.sigmaMin, sampler.range.sigmaMax], [e.sigma_min, e.sigma_max]),
      ).toBeLessThan(tol);
      if (sampler.vpBetas) {
        expect(maxRelErr([sampler.vpBetas.betaD], [e.vp_beta_d])).toBeLessThan(1e-12);
        expect(Math.abs(sampler.vpBetas.betaMin - e.vp_beta_min)).toBeLessThan(1e-12);
      }
      const t = sampler.tSteps(e.num_steps);
      expect(t[e.num_steps]).toBe(0);
      expect(maxRelErr(t, e.t_steps)).toBeLessThan(tol);
      // The σ values the network sees in an Euler run: σ(t̂_i) after the σ → t → σ round trip.
      const seen: number[] = [];
      const recorder: Denoiser<Float64Array> = (x, sigma) => {
        seen.push(sigma);
        return x;
      };
      const { nfe } = await runSampler(sampler, {
        ops: arrayOps,
        denoiser: recorder,
        latents: new Float64Array(2),
        n: e.num_steps,
      });
      expect(nfe).toBe(e.num_steps);
      expect(maxRelErr(seen, e.net_sigmas_euler)).toBeLessThan(tol);
    });
  }
});

describe('the EDM sampler on each network', () => {
  for (const e of fixture.edm_sampler) {
    it(`${e.net} network, N = ${e.num_steps}`, () => {
      const sampler = resolveSampler(overrideSampler(edm, { network: e.net }));
      const tol = tolerance(e);
      expect(
        maxRelErr([sampler.range.sigmaMin, sampler.range.sigmaMax], [e.sigma_min, e.sigma_max]),
      ).toBeLessThan(tol);
      expect(maxRelErr(sampler.tSteps(e.num_steps), e.t_steps)).toBeLessThan(tol);
    });
  }
});
