import { describe, expect, it } from 'vitest';
import { ParameterError } from '@edmkit/core';
import {
  edmSteps,
  exponentialSteps,
  iddpmSteps,
  iddpmUTable,
  linearSchedule,
  polyexponentialSteps,
  refitVp,
  roundHalfEven,
  veSchedule,
  veSteps,
  vpSchedule,
  vpSigmaRange,
  vpSteps,
} from '@edmkit/schedules';
import type { Discretization, NoiseSchedule } from '@edmkit/schedules';
import { maxRelErr, readFixture } from '../../../test-support/fixtures.js';
import type { AblationEntry, DiscretizationFixture } from '../../../test-support/fixtures.js';

const fixture = readFixture<DiscretizationFixture>('discretization.json');

function discretizationOf(name: AblationEntry['discretization']): Discretization {
  switch (name) {
    case 'vp':
      return vpSteps();
    case 've':
      return veSteps();
    case 'iddpm':
      return iddpmSteps();
    case 'edm':
      return edmSteps();
  }
}

function scheduleOf(
  entry: AblationEntry,
  betas: { betaD: number; betaMin: number },
): NoiseSchedule {
  switch (entry.schedule) {
    case 'vp':
      return vpSchedule(betas);
    case 've':
      return veSchedule();
    case 'linear':
      return linearSchedule();
  }
}

const label = (e: AblationEntry) =>
  `${e.discretization} steps, ${e.schedule} schedule, ${e.net} net, N = ${e.num_steps}`;

describe('discretization.json, ablation sampler (clamped range taken from the fixture)', () => {
  it('has all 21 entries', () => {
    expect(fixture.ablation).toHaveLength(21);
  });

  it.each(fixture.ablation.map((e) => [label(e), e] as const))(
    '%s: refitted VP constants',
    (_l, e) => {
      const betas = refitVp({ sigmaMin: e.sigma_min, sigmaMax: e.sigma_max });
      expect(Math.abs(betas.betaD - e.vp_beta_d) / e.vp_beta_d).toBeLessThan(1e-12);
      // β_min' = ln(σ_max² + 1) − ½β_d' cancels (to 0.1 or −0.0048 out of ~9), and the official
      // ln(σ_min² + 1) without log1p carries 2e-14 absolute error into it: the fixture's
      // β_min' is off by up to 2.3e-11 relative (checked in 50-digit arithmetic; ours is off
      // by < 2e-13). Compare on the scale at which β_min enters σ(t), that of β_d.
      expect(Math.abs(betas.betaMin - e.vp_beta_min) / e.vp_beta_d).toBeLessThan(1e-12);
    },
  );

  it('refitted VP constants match 50-digit references to 1e-12 relative', () => {
    // mpmath, 50 digits, from the fixture's clamped ranges.
    const refs: [number, number, number, number][] = [
      [0.010485992786706403, 152.16697028394634, 19.899999999999853, 0.10000000000007171],
      [0.02, 100, 17.63867937066983, 0.3911006816416005],
      [0.002, 81, 17.587689132174226, -0.00479385256606578],
      [0.006422337144613266, 81, 17.513123422886743, 0.032489002077675175],
      [0.002, 80, 17.537956987271237, -0.004768986493614284],
    ];
    for (const [sigmaMin, sigmaMax, betaD, betaMin] of refs) {
      const b = refitVp({ sigmaMin, sigmaMax });
      expect(maxRelErr([b.betaD, b.betaMin], [betaD, betaMin])).toBeLessThan(1e-12);
    }
  });

  const noTable = fixture.ablation.filter((e) => e.discretization !== 'iddpm');
  it.each(noTable.map((e) => [label(e), e] as const))('%s: σ_i and t_i to 1e-12', (_l, e) => {
    const range = { sigmaMin: e.sigma_min, sigmaMax: e.sigma_max };
    const sigmas = discretizationOf(e.discretization).sigmaSteps(e.num_steps, range);
    expect(sigmas).toHaveLength(e.num_steps);
    expect(maxRelErr(sigmas, e.sigma_steps)).toBeLessThan(1e-12);
    // These nets round with the identity, so t_i = σ⁻¹(σ_i) in the (refitted) schedule.
    expect(e.net).not.toBe('iddpm');
    const schedule = scheduleOf(e, refitVp(range));
    const t = [...Array.from(sigmas, (s) => schedule.sigmaInv(s)), 0];
    expect(maxRelErr(t, e.t_steps)).toBeLessThan(1e-12);
    expect(maxRelErr(sigmas, e.net_sigmas_euler)).toBeLessThan(1e-12);
  });

  const withTable = fixture.ablation.filter((e) => e.discretization === 'iddpm');
  it.each(withTable.map((e) => [label(e), e] as const))(
    '%s: u-table positions exact, σ_i within the float32-table tolerance 5e-4',
    (_l, e) => {
      const u = iddpmUTable();
      const sigmas = iddpmSteps().sigmaSteps(e.num_steps, {
        sigmaMin: e.sigma_min,
        sigmaMax: e.sigma_max,
      });
      // The fixture's σ range is clamped with the official float32 network u_999; ours
      // admits the same L = 992 levels j = 8..999.
      expect(e.u_filtered_len).toBe(992);
      expect(e.j0).toBe(8);
      const expected = e.index_in_u_filtered!.map((p) => u[e.j0! + p]!);
      expect(Array.from(sigmas)).toEqual(expected);
      // sigma_steps come from the official sampler's mixed-precision table (numerics guide:
      // “iDDPM table precision”).
      expect(maxRelErr(sigmas, e.sigma_steps)).toBeLessThan(5e-4);
    },
  );
});

describe('discretization.json, EDM sampler (identity-rounding nets)', () => {
  const entries = fixture.edm_sampler.filter((e) => e.net !== 'iddpm');
  it.each(entries.map((e) => [`${e.net} net, N = ${e.num_steps}`, e] as const))(
    '%s: t_i to 1e-12',
    (_l, e) => {
      const sigmas = edmSteps({ rho: 7 }).sigmaSteps(e.num_steps, {
        sigmaMin: e.sigma_min,
        sigmaMax: e.sigma_max,
      });
      expect(maxRelErr([...sigmas, 0], e.t_steps)).toBeLessThan(1e-12);
    },
  );
});

describe('edmSteps', () => {
  it('gives the paper’s EDM list for N = 18', () => {
    const expected = [
      80, 57.586, 40.786, 28.375, 19.352, 12.91, 8.4009, 5.3152, 3.2568, 1.9233, 1.0882, 0.58535,
      0.29644, 0.13952, 0.059947, 0.022935, 0.007528, 0.002,
    ];
    const sigmas = edmSteps().sigmaSteps(18, { sigmaMin: 0.002, sigmaMax: 80 });
    expect(maxRelErr(sigmas, expected)).toBeLessThan(1e-4);
  });

  it('is uniform in σ for ρ = 1 and exposes ρ', () => {
    const d = edmSteps({ rho: 1 });
    expect(d.name).toBe('edm');
    expect(d.rho).toBe(1);
    expect(maxRelErr(d.sigmaSteps(5, { sigmaMin: 1, sigmaMax: 5 }), [5, 4, 3, 2, 1])).toBeLessThan(
      1e-15,
    );
  });
});

describe('vpSteps, veSteps', () => {
  it('vpSteps spans the range and is uniform in the refitted t', () => {
    const range = { sigmaMin: 0.002, sigmaMax: 80 };
    const sigmas = vpSteps().sigmaSteps(7, range);
    const vp = vpSchedule(refitVp(range));
    expect(maxRelErr([sigmas[0]!, sigmas[6]!], [80, 0.002])).toBeLessThan(1e-12);
    const t = Array.from(sigmas, (s) => vp.sigmaInv(s));
    for (let i = 1; i < 7; i++) expect(t[i - 1]! - t[i]!).toBeCloseTo((1 - 1e-3) / 6, 12);
  });

  it('refitVp gives back 19.9 / 0.1 for the native range and the official EDM-range values', () => {
    const native = refitVp(vpSigmaRange());
    expect(native.betaD).toBeCloseTo(19.9, 11);
    expect(native.betaMin).toBeCloseTo(0.1, 11);
    const edm = refitVp({ sigmaMin: 0.002, sigmaMax: 80 });
    expect(edm.betaD).toBeCloseTo(17.53796, 5);
    expect(edm.betaMin).toBeCloseTo(-0.004769, 6);
  });

  it('vpSigmaRange gives the official default ranges', () => {
    const r = vpSigmaRange();
    expect(r.sigmaMin).toBeCloseTo(0.010486, 6);
    expect(r.sigmaMax).toBeCloseTo(152.16697, 4);
    expect(vpSigmaRange({ epsilon: 1e-5 }).sigmaMin).toBeCloseTo(0.0010005, 7);
    expect(() => vpSigmaRange({ epsilon: 1 })).toThrow(/^epsilon must be/);
    expect(() => vpSigmaRange({ epsilon: 0 })).toThrow(
      'epsilon must be a finite number > 0 and < 1 (got 0)',
    );
  });

  it('veSteps is geometric', () => {
    const sigmas = veSteps().sigmaSteps(5, { sigmaMin: 0.02, sigmaMax: 100 });
    for (let i = 1; i < 5; i++)
      expect(sigmas[i]! / sigmas[i - 1]!).toBeCloseTo((0.02 / 100) ** 0.25, 14);
  });
});

describe('iddpmSteps index rounding (numerics guide: “iDDPM index rounding”)', () => {
  it.each(fixture.iddpm_index_rounding_note.cases_N_le_300)(
    'N = %i, i = %i: position %f rounds down to 495, not 496',
    (n, i, product) => {
      expect((991 / (n - 1)) * i).toBe(product);
      expect(roundHalfEven((991 / (n - 1)) * i)).toBe(495);
      const u = iddpmUTable();
      const sigmas = iddpmSteps().sigmaSteps(n, { sigmaMin: 0.002, sigmaMax: 81 });
      expect(sigmas[i]).toBe(u[8 + 495]);
    },
  );

  it('rounds exact halves to even', () => {
    expect([0.5, 1.5, 2.5, 3.5, 495.5, 496.5, 2.4999999999999996].map(roundHalfEven)).toEqual([
      0, 2, 2, 4, 496, 496, 2,
    ]);
    // Exact arithmetic: N = 3, i = 1 with L = 992 is position 495.5 → 496.
    expect(iddpmSteps().sigmaSteps(3, { sigmaMin: 0.002, sigmaMax: 81 })[1]).toBe(
      iddpmUTable()[8 + 496],
    );
  });

  it('rounds an exact half down to the even position inside sigmaSteps (σ ≤ u₁₀, N = 5)', () => {
    // u₁₀ … u₉₉₉ are admitted: L = 990, positions 989/4·i = 0, 247.25, 494.5, 741.75, 989.
    const u = iddpmUTable();
    const sigmas = iddpmSteps().sigmaSteps(5, { sigmaMin: 0.002, sigmaMax: u[10]! });
    expect(Array.from(sigmas)).toEqual([u[10], u[10 + 247], u[10 + 494], u[10 + 742], u[999]]);
  });

  it('refuses N above the number of admitted levels, and an empty range', () => {
    expect(() => iddpmSteps().sigmaSteps(993, { sigmaMin: 0.002, sigmaMax: 81 })).toThrow(
      /^n must be an integer <= 992/,
    );
    expect(iddpmSteps().sigmaSteps(992, { sigmaMin: 0.002, sigmaMax: 81 })).toHaveLength(992);
    expect(() => iddpmSteps().sigmaSteps(2, { sigmaMin: 80.3, sigmaMax: 81 })).toThrow(
      /^range must be/,
    );
  });
});

describe('exponentialSteps, polyexponentialSteps (k-diffusion)', () => {
  const range = { sigmaMin: 0.002, sigmaMax: 80 };
  it('exponential is uniform in ln σ with exact ends, and equals veSteps', () => {
    const sigmas = exponentialSteps().sigmaSteps(10, range);
    expect([sigmas[0], sigmas[9]]).toEqual([80, 0.002]);
    for (let i = 1; i < 10; i++)
      expect(Math.log(sigmas[i - 1]! / sigmas[i]!)).toBeCloseTo(Math.log(40000) / 9, 13);
    expect(maxRelErr(sigmas, veSteps().sigmaSteps(10, range))).toBeLessThan(1e-14);
  });

  it('polyexponential with ρ = 1 is exponential; ρ > 1 crowds the small end', () => {
    expect(
      maxRelErr(
        polyexponentialSteps().sigmaSteps(10, range),
        exponentialSteps().sigmaSteps(10, range),
      ),
    ).toBeLessThan(1e-14);
    const d = polyexponentialSteps({ rho: 2 });
    expect([d.name, d.rho]).toEqual(['polyexponential', 2]);
    const s = d.sigmaSteps(5, range);
    expect([s[0], s[4]]).toEqual([80, 0.002]);
    // ramp = (1 − i/4)², σ = exp(ramp·ln(40000) + ln 0.002)
    expect(s[2]).toBeCloseTo(Math.exp(0.25 * Math.log(40000) + Math.log(0.002)), 13);
  });
});

const all: [string, Discretization][] = [
  ['vp', vpSteps()],
  ['ve', veSteps()],
  ['iddpm', iddpmSteps()],
  ['edm', edmSteps()],
  ['exponential', exponentialSteps()],
  ['polyexponential', polyexponentialSteps({ rho: 3 })],
];

describe.each(all)('%s discretization', (name, d) => {
  const range = { sigmaMin: 0.002, sigmaMax: 80 };

  it('has its literal name, is frozen, and returns N strictly decreasing levels within the range', () => {
    expect(d.name).toBe(name);
    expect(Object.isFrozen(d)).toBe(true);
    for (const n of [2, 3, 18, 50, 256]) {
      const s = d.sigmaSteps(n, range);
      expect(s).toBeInstanceOf(Float64Array);
      expect(s).toHaveLength(n);
      for (let i = 1; i < n; i++) expect(s[i]!).toBeLessThan(s[i - 1]!);
      expect(s[0]!).toBeLessThanOrEqual(80 * (1 + 1e-12));
      expect(s[n - 1]!).toBeGreaterThanOrEqual(0.002 * (1 - 1e-12));
    }
  });

  it('defines N = 1 as the single highest level', () => {
    const one = d.sigmaSteps(1, range);
    expect(one).toHaveLength(1);
    expect(one[0]).toBeCloseTo(d.sigmaSteps(5, range)[0]!, 12);
  });

  it('refuses bad N and ranges, naming the parameter', () => {
    for (const n of [0, -1, 2.5, Number.NaN, Infinity]) {
      expect(() => d.sigmaSteps(n, range)).toThrow(ParameterError);
      expect(() => d.sigmaSteps(n, range)).toThrow(/^n must be an integer >= 1/);
    }
    expect(() => d.sigmaSteps(5, { sigmaMin: 0, sigmaMax: 80 })).toThrow(
      /^range.sigmaMin must be a finite number > 0/,
    );
    expect(() => d.sigmaSteps(5, { sigmaMin: -1, sigmaMax: 80 })).toThrow(/^range.sigmaMin/);
    expect(() => d.sigmaSteps(5, { sigmaMin: 0.002, sigmaMax: Infinity })).toThrow(
      /^range.sigmaMax/,
    );
    expect(() => d.sigmaSteps(5, { sigmaMin: 80, sigmaMax: 0.002 })).toThrow(
      /^range.sigmaMax must be a number > range.sigmaMin/,
    );
    expect(() => d.sigmaSteps(5, { sigmaMin: 1, sigmaMax: 1 })).toThrow(ParameterError);
  });
});

describe('option validation', () => {
  it('names the bad option', () => {
    expect(() => edmSteps({ rho: 0 })).toThrow(/^rho must be a finite number > 0/);
    expect(() => edmSteps({ rho: Number.NaN })).toThrow(/^rho/);
    expect(() => polyexponentialSteps({ rho: -1 })).toThrow(/^rho/);
    expect(() => vpSteps({ epsilonS: 0 })).toThrow(/^epsilonS must be a finite number > 0 and < 1/);
    expect(() => vpSteps({ epsilonS: 1 })).toThrow(/^epsilonS/);
    expect(() => iddpmSteps({ M: 0 })).toThrow(/^M must be an integer >= 1/);
    expect(() => iddpmSteps({ C1: 0 })).toThrow(/^C1/);
    expect(() => iddpmSteps({ C2: -1 })).toThrow(/^C2/);
    expect(() => refitVp({ sigmaMin: 10, sigmaMax: 20 })).toThrow(
      /^range must be a noise range a VP schedule can fit/,
    );
    expect(() => refitVp({ sigmaMin: 0.002, sigmaMax: 80 }, 2)).toThrow(/^epsilonS/);
  });
});
