import { describe, expect, it } from 'vitest';
import { clampRange, edmPrecond, iddpmPrecond, vePrecond, vpPrecond } from '@edmkit/precond';
import type { Preconditioner } from '@edmkit/precond';
import {
  edmSteps,
  iddpmSteps,
  linearSchedule,
  refitVp,
  veSchedule,
  veSteps,
  vpSchedule,
  vpSigmaRange,
  vpSteps,
} from '@edmkit/schedules';
import type { Discretization, NoiseSchedule, SigmaRange } from '@edmkit/schedules';
import { maxRelErr, readFixture, relErr } from '../../../test-support/fixtures.js';
import type {
  AblationEntry,
  DiscretizationFixture,
  NetName,
} from '../../../test-support/fixtures.js';

const fixture = readFixture<DiscretizationFixture>('discretization.json');

const nets: Record<NetName, Preconditioner> = {
  vp: vpPrecond(),
  ve: vePrecond(),
  iddpm: iddpmPrecond(),
  edm: edmPrecond(),
};

/**
 * The ablation sampler's default requested range per discretization (numerics guide: “Noise
 * range defaults and clamping”).
 */
const defaultRange: Record<AblationEntry['discretization'], SigmaRange> = {
  vp: vpSigmaRange(), // (σ_VP(ε_s), σ_VP(1)) with 19.9 / 0.1
  ve: { sigmaMin: 0.02, sigmaMax: 100 },
  iddpm: { sigmaMin: 0.002, sigmaMax: 81 },
  edm: { sigmaMin: 0.002, sigmaMax: 80 },
};

const discretizations: Record<AblationEntry['discretization'], Discretization> = {
  vp: vpSteps(),
  ve: veSteps(),
  iddpm: iddpmSteps(),
  edm: edmSteps(),
};

function scheduleOf(name: AblationEntry['schedule'], range: SigmaRange): NoiseSchedule {
  if (name === 'vp') return vpSchedule(refitVp(range)); // numerics guide: “Refitted VP constants”
  return name === 've' ? veSchedule() : linearSchedule();
}

/**
 * Whether the official float32/mixed iDDPM u tables enter a value (numerics guide: “Reference
 * data and tolerances”).
 */
const usesTable = (e: AblationEntry) => e.discretization === 'iddpm' || e.net === 'iddpm';

describe('discretization.json, ablation sampler: clamp → discretize → round → σ⁻¹', () => {
  it.each(
    fixture.ablation.map(
      (e) =>
        [
          `${e.discretization} steps, ${e.schedule} schedule, ${e.net} net, N = ${e.num_steps}`,
          e,
        ] as const,
    ),
  )('%s', (_l, e) => {
    const net = nets[e.net];
    // 1. Clamp the default range to the network (numerics guide: “Noise range defaults and
    // clamping”).
    const range = clampRange(defaultRange[e.discretization], net);
    // The iDDPM net's σ_min is our float64 u_999, the fixture's the float32 one.
    const rangeTol = e.net === 'iddpm' ? 5e-4 : 1e-12;
    expect(relErr(range.sigmaMin, e.sigma_min)).toBeLessThan(rangeTol);
    expect(relErr(range.sigmaMax, e.sigma_max)).toBeLessThan(1e-12);
    // 2. Discretize.
    const sigmas = discretizations[e.discretization].sigmaSteps(e.num_steps, range);
    const tol = usesTable(e) ? 5e-4 : 1e-12;
    expect(maxRelErr(sigmas, e.sigma_steps)).toBeLessThan(tol);
    // 3. Round to the network's levels, 4. convert to the schedule's time, append t_N = 0.
    const schedule = scheduleOf(e.schedule, range);
    const t = [...Array.from(sigmas, (s) => schedule.sigmaInv(net.roundSigma(s))), 0];
    expect(maxRelErr(t, e.t_steps)).toBeLessThan(tol);
    // The σ the network sees at each Euler step: σ(t_i).
    expect(
      maxRelErr(
        t.slice(0, -1).map((v) => schedule.sigma(v)),
        e.net_sigmas_euler,
      ),
    ).toBeLessThan(tol);
    if (e.net === 'iddpm') {
      // Rounded levels are exactly levels of the network's table.
      const p = nets.iddpm as ReturnType<typeof iddpmPrecond>;
      for (const ti of t.slice(0, -1)) expect(p.u(p.index(ti))).toBe(ti);
    }
  });
});

describe('discretization.json, EDM sampler: clamp → EDM steps → round_sigma', () => {
  it.each(fixture.edm_sampler.map((e) => [`${e.net} net, N = ${e.num_steps}`, e] as const))(
    '%s',
    (_l, e) => {
      const net = nets[e.net];
      const range = clampRange({ sigmaMin: 0.002, sigmaMax: 80 }, net);
      expect(relErr(range.sigmaMin, e.sigma_min)).toBeLessThan(e.net === 'iddpm' ? 5e-4 : 1e-12);
      expect(range.sigmaMax).toBe(e.sigma_max);
      const t = [
        ...Array.from(edmSteps({ rho: 7 }).sigmaSteps(e.num_steps, range), (s) =>
          net.roundSigma(s),
        ),
        0,
      ];
      expect(maxRelErr(t, e.t_steps)).toBeLessThan(e.net === 'iddpm' ? 5e-4 : 1e-12);
    },
  );
});

describe('clampRange', () => {
  it('clamps to the network range', () => {
    expect(clampRange({ sigmaMin: 0.002, sigmaMax: 80 }, vePrecond())).toEqual({
      sigmaMin: 0.02,
      sigmaMax: 80,
    });
    expect(clampRange({ sigmaMin: 0.002, sigmaMax: 500 }, vpPrecond()).sigmaMax).toBe(
      vpPrecond().sigmaMax,
    );
    expect(clampRange({ sigmaMin: 0.002, sigmaMax: 80 }, edmPrecond())).toEqual({
      sigmaMin: 0.002,
      sigmaMax: 80,
    });
    const iddpm = iddpmPrecond();
    expect(clampRange({ sigmaMin: 0.002, sigmaMax: 81 }, iddpm)).toEqual({
      sigmaMin: iddpm.u(999),
      sigmaMax: 81,
    });
  });

  it('refuses an invalid or non-overlapping range, naming it', () => {
    expect(() => clampRange({ sigmaMin: 200, sigmaMax: 300 }, vePrecond())).toThrow(
      /^range must be a noise range overlapping the network's supported range \[0.02, 100\]/,
    );
    expect(() => clampRange({ sigmaMin: 0.001, sigmaMax: 0.01 }, vePrecond())).toThrow(
      /^range must be/,
    );
    expect(() => clampRange({ sigmaMin: 0, sigmaMax: 1 }, vePrecond())).toThrow(
      /^range.sigmaMin must be a finite number > 0/,
    );
    expect(() => clampRange({ sigmaMin: 2, sigmaMax: 1 }, vePrecond())).toThrow(
      /^range.sigmaMax must be a number > range.sigmaMin/,
    );
    expect(() => clampRange({ sigmaMin: 1, sigmaMax: Infinity }, vePrecond())).toThrow(
      /^range.sigmaMax/,
    );
  });
});
