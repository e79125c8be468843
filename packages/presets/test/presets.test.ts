import { describe, expect, it } from 'vitest';
import { arrayOps, createRng, ParameterError, UnknownNameError } from '@edmkit/core';
import {
  edm,
  getSamplerPreset,
  iddpmOriginal,
  networkPrecond,
  overrideSampler,
  resolveSampler,
  runSampler,
  samplerAblation,
  samplerPresets,
  table1,
  table1Markdown,
  veOriginal,
  vpOriginal,
} from '@edmkit/presets';

describe('sampler presets', () => {
  it('are the Table 1 choices', () => {
    expect(vpOriginal).toMatchObject({
      solver: 'euler',
      discretization: 'vp',
      schedule: 'vp',
      scaling: 'vp',
      network: 'vp',
    });
    expect(veOriginal).toMatchObject({
      solver: 'euler',
      discretization: 've',
      schedule: 've',
      scaling: 'none',
      network: 've',
    });
    expect(iddpmOriginal).toMatchObject({
      solver: 'euler',
      discretization: 'iddpm',
      schedule: 'linear',
      scaling: 'none',
    });
    expect(edm).toMatchObject({
      solver: 'heun',
      discretization: 'edm',
      rho: 7,
      schedule: 'linear',
      scaling: 'none',
    });
    expect(Object.isFrozen(edm)).toBe(true);
  });

  it('resolve to the official default ranges and the EDM N = 18 steps', () => {
    const r = resolveSampler(edm);
    expect(r.range).toEqual({ sigmaMin: 0.002, sigmaMax: 80 });
    const t = r.tSteps(18);
    const expected = [
      80, 57.586, 40.786, 28.375, 19.352, 12.91, 8.4009, 5.3152, 3.2568, 1.9233, 1.0882, 0.58535,
      0.29644, 0.13952, 0.059947, 0.022935, 0.007528, 0.002, 0,
    ];
    expected.forEach((v, i) =>
      expect(Math.abs(t[i]! - v)).toBeLessThanOrEqual(5e-5 * Math.max(v, 1e-3)),
    );
    expect(r.nfe(18)).toBe(35);
    expect(r.stepsForNfe(35)).toBe(18);
    expect(resolveSampler(vpOriginal).stepsForNfe(35)).toBe(35);
    const ve = resolveSampler(veOriginal);
    expect(ve.range).toEqual({ sigmaMin: 0.02, sigmaMax: 100 });
    expect(resolveSampler(iddpmOriginal).range.sigmaMax).toBe(81);
  });

  it('look up by name, refusing unknown names with the list', () => {
    expect(getSamplerPreset('edm')).toBe(samplerPresets.edm);
    expect(() => getSamplerPreset('ddpm')).toThrow(UnknownNameError);
    expect(() => getSamplerPreset('ddpm')).toThrow(
      'unknown preset "ddpm"; expected one of: vp, ve, iddpm, edm',
    );
  });
});

describe('overrideSampler', () => {
  it('swaps one axis and validates', () => {
    const c = overrideSampler(vpOriginal, { solver: 'heun' });
    expect(c.solver).toBe('heun');
    expect(c.discretization).toBe('vp');
    expect(vpOriginal.solver).toBe('euler');
  });

  it('refuses unknown axes and values, naming them', () => {
    expect(() => overrideSampler(edm, { solvr: 'heun' } as never)).toThrow(
      /unknown sampler axis "solvr"/,
    );
    expect(() => overrideSampler(edm, { solver: 'rk4' })).toThrow(
      'unknown solver "rk4"; expected one of: euler, heun, midpoint, second-order',
    );
    expect(() => overrideSampler(edm, { schedule: 'cosine' })).toThrow(/unknown schedule "cosine"/);
    expect(() => overrideSampler(edm, { rho: 0 })).toThrow(
      'rho must be a finite number > 0 (got 0)',
    );
    expect(() => overrideSampler(edm, { rho: -1 })).toThrow(ParameterError);
    expect(() => overrideSampler(edm, { alpha: 1.5 })).toThrow(/alpha must be/);
    // α belongs to 'second-order': never silently ignored on Heun, midpoint or Euler.
    expect(() => overrideSampler(edm, { solver: 'heun', alpha: 0.5 })).toThrow(
      /alpha must be 1 with solver 'heun'/,
    );
    expect(() => overrideSampler(edm, { solver: 'midpoint', alpha: 0.7 })).toThrow(
      /alpha must be 0.5 with solver 'midpoint'/,
    );
    expect(() => overrideSampler(edm, { solver: 'euler', alpha: 1 })).toThrow(
      /absent with solver 'euler'/,
    );
    expect(
      resolveSampler(overrideSampler(edm, { solver: 'second-order', alpha: 0.5 })).solver.alpha,
    ).toBe(0.5);
    expect(() => networkPrecond('foo' as 'vp')).toThrow(/unknown network "foo"/);
    expect(() => resolveSampler(edm).stepsForNfe(0)).toThrow(/nfe must be/);
    expect(() => resolveSampler(edm).stepsForNfe(Number.NaN)).toThrow(/nfe must be/);
    expect(resolveSampler(edm).stepsForNfe(35)).toBe(18);
    expect(() => overrideSampler(edm, { sigmaMin: 80, sigmaMax: 1 })).toThrow(
      /sigmaMax must be a number > sigmaMin = 80/,
    );
    expect(() => overrideSampler(edm, { sigmaMin: Number.NaN })).toThrow(/sigmaMin/);
    expect(() => overrideSampler(edm, { churn: { sChurn: -1 } })).toThrow(/sChurn/);
  });

  it('refuses a range outside the network', () => {
    expect(() =>
      resolveSampler(overrideSampler(veOriginal, { sigmaMin: 200, sigmaMax: 300 })),
    ).toThrow(ParameterError);
  });
});

describe('samplerAblation (Fig. 2 chains)', () => {
  it('builds the paper chains with refitted VP constants', () => {
    const vp = samplerAblation('vp');
    expect(vp.map((c) => c.label)).toEqual([
      'VP original',
      'VP + Heun & EDM t_i',
      'VP + EDM σ(t) & s(t)',
    ]);
    const heun = resolveSampler(vp[1]!);
    expect(heun.range).toEqual({ sigmaMin: 0.002, sigmaMax: 80 });
    expect(heun.vpBetas!.betaD).toBeCloseTo(17.53796, 5);
    expect(heun.vpBetas!.betaMin).toBeCloseTo(-0.004769, 6);
    expect(resolveSampler(vp[2]!).vpBetas).toBeUndefined();
    expect(
      samplerAblation('ve').map((c) => [c.solver, c.discretization, c.schedule, c.scaling]),
    ).toEqual([
      ['euler', 've', 've', 'none'],
      ['heun', 'edm', 've', 'none'],
      ['heun', 'edm', 'linear', 'none'],
    ]);
    expect(resolveSampler(samplerAblation('ve')[1]!).range).toEqual({
      sigmaMin: 0.02,
      sigmaMax: 80,
    });
    expect(samplerAblation('iddpm')).toHaveLength(2);
    expect(() => samplerAblation('ddim' as never)).toThrow(/unknown family "ddim"/);
  });

  it('every chain configuration converges on Gaussian data, and each chain improves on its original', async () => {
    // D(x; σ) = σ_d²/(σ² + σ_d²)·x; the flow from x̂(σ_0) = z·σ_0 ends at z·σ_0·σ_d/√(σ_0² + σ_d²).
    const sigmaData = 0.5;
    const denoiser = (x: Float64Array, sigma: number) =>
      x.map((v) => (v * sigmaData ** 2) / (sigma ** 2 + sigmaData ** 2));
    const z = createRng(0).fillNormal(new Float64Array(16));
    for (const family of ['vp', 've', 'iddpm'] as const) {
      const errors: number[] = [];
      for (const config of samplerAblation(family)) {
        const sampler = resolveSampler(config);
        const n = sampler.stepsForNfe(255);
        const sigma0 = sampler.schedule.sigma(sampler.tSteps(n)[0]!);
        const { x } = await runSampler(sampler, { ops: arrayOps, denoiser, latents: z, n });
        const c = (sigma0 * sigmaData) / Math.sqrt(sigma0 ** 2 + sigmaData ** 2);
        const err = Math.max(...Array.from(x, (v, k) => Math.abs(v - c * z[k]!)));
        // Heun with 128 steps is within 0.05 of the closed form (σ(t) = √t is its worst); Euler within 0.5 (VE's worst).
        expect(err, config.label).toBeLessThan(config.solver === 'heun' ? 0.05 : 0.5);
        errors.push(err);
      }
      expect(errors[errors.length - 1]!, family).toBeLessThan(errors[0]! / 2);
    }
  });
});

describe('table 1', () => {
  it('has every axis of the paper and renders as markdown', () => {
    expect(table1.map((r) => r.axis)).toContain('Schedule σ(t)');
    const md = table1Markdown({ sections: ['Sampling'] });
    expect(md.split('\n')[0]).toBe('| | VP | VE | iDDPM + DDIM | EDM |');
    expect(md).toContain('| ODE solver | Euler | Euler | Euler | 2nd order Heun |');
    expect(md.trim().split('\n')).toHaveLength(2 + 4);
  });
});
