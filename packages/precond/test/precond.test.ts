import { beforeEach, describe, expect, it } from 'vitest';
import { ParameterError } from '@edmkit/core';
import { edmPrecond, iddpmPrecond, vePrecond, vpPrecond } from '@edmkit/precond';
import type { Preconditioner } from '@edmkit/precond';
import { iddpmIndex, iddpmUTable } from '@edmkit/schedules';
import { maxRelErr, readFixture, relErr } from '../../../test-support/fixtures.js';
import type { NetName, PrecondFixture } from '../../../test-support/fixtures.js';

const fixture = readFixture<PrecondFixture>('precond.json');
// Built inside each test (not at import), so that a fault in a factory fails the tests
// that use it instead of the loading of this file.
const makers: Record<NetName, () => Preconditioner> = {
  vp: () => vpPrecond(),
  ve: () => vePrecond(),
  iddpm: () => iddpmPrecond(),
  edm: () => edmPrecond(),
};
const names: NetName[] = ['vp', 've', 'iddpm', 'edm'];
const u = iddpmUTable();

const uF32 = fixture.iddpm_u.u_f32;

/**
 * Whether σ lies between a level midpoint of our float64 u table and the same midpoint
 * of the official float32 table (up to 4.8e-4 relative away; numerics guide: “iDDPM table
 * precision”): only there may the
 * two tables snap σ to different neighbours.
 */
function betweenTables(sigma: number): boolean {
  for (let j = 0; j < u.length - 1; j++) {
    const m64 = 0.5 * (u[j]! + u[j + 1]!);
    const m32 = 0.5 * (uF32[j]! + uF32[j + 1]!);
    if (sigma >= Math.min(m64, m32) && sigma <= Math.max(m64, m32)) return true;
  }
  return false;
}

/** The three σ of the fixture's iDDPM grid that sit between the two tables' midpoints. */
const ambiguous = [75.74744360625458, 1.0108129953510165, 0.00788505092868628];

describe.each(names)('%s preconditioner against precond.json', (name) => {
  let p: Preconditioner;
  beforeEach(() => {
    p = makers[name]();
  });
  const f = fixture.preconds[name];

  it('has its literal name and is frozen', () => {
    expect(p.name).toBe(name);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('matches the float64 formulas (spec_f64) for c_skip, c_out, c_in to 1e-12', () => {
    expect(
      maxRelErr(
        f.sigma.map((v) => p.cSkip(v)),
        f.spec_f64.c_skip,
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxRelErr(
        f.sigma.map((v) => p.cOut(v)),
        f.spec_f64.c_out,
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxRelErr(
        f.sigma.map((v) => p.cIn(v)),
        f.spec_f64.c_in,
      ),
    ).toBeLessThan(1e-12);
  });

  it('matches the official float32 c_skip, c_out, c_in to 2e-7', () => {
    expect(
      maxRelErr(
        f.sigma.map((v) => p.cSkip(v)),
        f.c_skip,
      ),
    ).toBeLessThan(2e-7);
    expect(
      maxRelErr(
        f.sigma.map((v) => p.cOut(v)),
        f.c_out,
      ),
    ).toBeLessThan(2e-7);
    expect(
      maxRelErr(
        f.sigma.map((v) => p.cIn(v)),
        f.c_in,
      ),
    ).toBeLessThan(2e-7);
  });

  it('matches spec_f64 c_noise to 1e-12 (iDDPM: the index, away from level midpoints)', () => {
    const mine = f.sigma.map((v) => p.cNoise(v));
    if (name !== 'iddpm') {
      expect(maxRelErr(mine, f.spec_f64.c_noise)).toBeLessThan(1e-12);
      return;
    }
    // spec_f64's iDDPM c_noise was computed against the float32 network table: three of
    // its 27 σ sit on a level midpoint and take the other neighbour there.
    expect(f.sigma.filter(betweenTables)).toEqual(ambiguous);
    f.sigma.forEach((sigma, k) => {
      if (betweenTables(sigma))
        expect(Math.abs(mine[k]! - f.spec_f64.c_noise[k]!)).toBeLessThanOrEqual(1);
      else expect(mine[k]).toBe(f.spec_f64.c_noise[k]);
    });
  });

  it('is close to the official float32 c_noise', () => {
    const mine = f.sigma.map((v) => p.cNoise(v));
    f.sigma.forEach((sigma, k) => {
      const ref = f.c_noise[k]!;
      if (name === 'vp') {
        // float32 cancellation in ln(1 + σ²): ≤ 1.3e-2 relative, < 1e-3 absolute (numerics
        // guide: “Float32 in the official code”).
        expect(Math.abs(mine[k]! - ref)).toBeLessThan(1e-3);
        if (sigma >= 0.1) expect(relErr(mine[k]!, ref)).toBeLessThan(1e-6);
      } else if (name === 'iddpm') {
        if (betweenTables(sigma)) expect(Math.abs(mine[k]! - ref)).toBeLessThanOrEqual(1);
        else expect(mine[k]).toBe(ref);
      } else {
        // float32(σ) and a float32 logarithm: a few 1e-8 absolute.
        expect(Math.abs(mine[k]! - ref)).toBeLessThan(2e-7 * Math.max(1, Math.abs(ref)));
      }
    });
  });

  it('rounds σ like the official round_sigma', () => {
    if (name !== 'iddpm') {
      expect(f.sigma.map((v) => p.roundSigma(v))).toEqual(f.round_sigma);
      return;
    }
    const index = f.round_sigma_index!;
    // The official semantics (nearest level, ties to the smaller j, u_M = 0 included) on
    // the official float32 table give back every official index.
    expect(f.sigma.map((sigma) => iddpmIndex(uF32, sigma))).toEqual(index);
    f.sigma.forEach((sigma, k) => {
      const j = iddpmPrecond().index(sigma);
      if (betweenTables(sigma)) {
        expect(Math.abs(j - index[k]!)).toBeLessThanOrEqual(1);
      } else {
        expect(j).toBe(index[k]);
        // Our float64 level vs the official float32 one.
        expect(relErr(p.roundSigma(sigma), f.round_sigma[k]!)).toBeLessThan(5e-4);
      }
    });
  });
});

describe('VP c_noise, official float64 method', () => {
  it('agrees with c_noise_f64_official_method up to its cancellation error', () => {
    const f = fixture.preconds.vp;
    // The official σ⁻¹ cancels in ln(1 + σ²) and √(β_min² + …) − β_min at small σ:
    // 2.7e-11 relative at σ = 0.002 (spec_f64, like ours, is accurate to ~1e-16 there).
    expect(
      maxRelErr(
        f.sigma.map((v) => makers.vp().cNoise(v)),
        f.c_noise_f64_official_method!,
      ),
    ).toBeLessThan(1e-10);
    expect(
      maxRelErr(
        f.sigma.slice(5).map((v) => makers.vp().cNoise(v)),
        f.c_noise_f64_official_method!.slice(5),
      ),
    ).toBeLessThan(1e-14);
  });
});

describe('supported σ ranges', () => {
  it('VP: [σ(ε_t), σ(1)] in float64, not the float32 artefact 2^-10', () => {
    const f = fixture.preconds.vp;
    expect(f.sigma_min).toBe(2 ** -10);
    expect(relErr(makers.vp().sigmaMin, fixture.vp_schedule.sigma_spec_f64[0]!)).toBeLessThan(
      1e-12,
    );
    expect(makers.vp().sigmaMin).toBeCloseTo(0.0010005, 7);
    expect(relErr(makers.vp().sigmaMax, f.sigma_max as number)).toBeLessThan(2e-7);
  });

  it('VE: [0.02, 100]; EDM: [0, ∞)', () => {
    expect([makers.ve().sigmaMin, makers.ve().sigmaMax]).toEqual([
      fixture.preconds.ve.sigma_min,
      fixture.preconds.ve.sigma_max,
    ]);
    expect([makers.edm().sigmaMin, makers.edm().sigmaMax]).toEqual([0, Infinity]);
    expect(fixture.preconds.edm.sigma_max).toBe('Infinity');
  });

  it('iDDPM: [u_{M−1}, u_0] of the float64 table, within 5e-4 of the float32 values', () => {
    const p = iddpmPrecond();
    expect([p.sigmaMin, p.sigmaMax]).toEqual([u[999], u[0]]);
    expect(relErr(p.sigmaMin, fixture.preconds.iddpm.sigma_min)).toBeLessThan(5e-4);
    expect(relErr(p.sigmaMax, fixture.preconds.iddpm.sigma_max as number)).toBeLessThan(5e-4);
  });
});

describe('iDDPM u table', () => {
  it('is within 5e-4 relative of the network float32 table (fixture: 4.79e-4)', () => {
    const p = iddpmPrecond();
    const mine = Array.from({ length: 1001 }, (_, j) => p.u(j));
    expect(maxRelErr(mine, fixture.iddpm_u.u_f32)).toBeLessThan(5e-4);
    expect(maxRelErr(mine, fixture.iddpm_u.u_f32)).toBeGreaterThan(4e-4); // the float32 gap is real
    expect(() => p.u(1001)).toThrow(/^j must be an integer >= 0 and <= 1000/);
  });

  it('maps σ below ½u_999 to c_noise = −1 and σ = 0 to u_1000 = 0', () => {
    const p = iddpmPrecond();
    expect(p.cNoise(0.0001)).toBe(-1);
    expect(p.cNoise(0)).toBe(-1);
    expect(p.roundSigma(0)).toBe(0);
    expect(p.cNoise(20291)).toBe(999);
  });
});

describe('EDM preconditioning away from σ_data = 0.5', () => {
  it('uses σ_data in every coefficient (σ_data = 0.3, σ = 0.4: a 3-4-5 triangle)', () => {
    const edm = edmPrecond({ sigmaData: 0.3 });
    // √(σ² + σ_data²) = 0.5
    expect(edm.cSkip(0.4)).toBeCloseTo(0.09 / 0.25, 15);
    expect(edm.cOut(0.4)).toBeCloseTo((0.4 * 0.3) / 0.5, 15);
    expect(edm.cIn(0.4)).toBeCloseTo(2, 14);
    expect(edm.cNoise(0.4)).toBeCloseTo(0.25 * Math.log(0.4), 15);
    // σ = 0: the identity, D(x; 0) = x.
    expect([edm.cSkip(0), edm.cOut(0), edm.cIn(0)]).toEqual([1, 0, 1 / 0.3]);
  });

  it('keeps unit-variance input and target: c_in²(σ² + σ_data²) = 1, c_skip + c_out²/σ_data² = 1', () => {
    const sigmaData = 1.7;
    const edm = edmPrecond({ sigmaData });
    for (const sigma of [0.003, 0.9, 4.2, 61]) {
      expect(edm.cIn(sigma) ** 2 * (sigma ** 2 + sigmaData ** 2)).toBeCloseTo(1, 13);
      expect(edm.cSkip(sigma) + edm.cOut(sigma) ** 2 / sigmaData ** 2).toBeCloseTo(1, 13);
    }
  });
});

describe('validation', () => {
  it.each(names)('%s refuses NaN, negative and infinite σ, naming sigma', (name) => {
    const p = makers[name]();
    for (const bad of [Number.NaN, -1, Infinity]) {
      for (const fn of [
        (v: number) => p.cSkip(v),
        (v: number) => p.cOut(v),
        (v: number) => p.cIn(v),
        (v: number) => p.cNoise(v),
        (v: number) => p.roundSigma(v),
      ]) {
        expect(() => fn(bad)).toThrow(ParameterError);
        expect(() => fn(bad)).toThrow(/^sigma must be a finite number/);
      }
    }
  });

  it('σ = 0: defined for VP and iDDPM c_noise, refused where c_noise takes a logarithm', () => {
    expect(makers.vp().cNoise(0)).toBe(0);
    expect(() => makers.ve().cNoise(0)).toThrow(/^sigma must be a finite number > 0/);
    expect(() => makers.edm().cNoise(0)).toThrow(/^sigma must be a finite number > 0/);
    expect([makers.edm().cSkip(0), makers.edm().cOut(0), makers.edm().cIn(0)]).toEqual([1, 0, 2]);
  });

  it('refuses bad options, naming them', () => {
    expect(() => vpPrecond({ betaD: 0 })).toThrow(/^betaD must be/);
    expect(() => vpPrecond({ M: 1 })).toThrow(/^M must be an integer >= 2/);
    expect(() => vpPrecond({ epsilonT: 0 })).toThrow(/^epsilonT must be/);
    expect(() => vePrecond({ sigmaMin: 0 })).toThrow(/^sigmaMin must be a finite number > 0/);
    expect(() => vePrecond({ sigmaMin: 100, sigmaMax: 10 })).toThrow(
      /^sigmaMax must be a number > sigmaMin/,
    );
    expect(() => iddpmPrecond({ M: 1.5 })).toThrow(/^M must be/);
    expect(() => iddpmPrecond({ C1: -1 })).toThrow(/^C1 must be/);
    expect(() => edmPrecond({ sigmaData: 0 })).toThrow(/^sigmaData must be a finite number > 0/);
    expect(() => edmPrecond({ sigmaMin: -1 })).toThrow(/^sigmaMin/);
    expect(() => edmPrecond({ sigmaMin: 1, sigmaMax: 1 })).toThrow(/^sigmaMax/);
  });

  it('exposes its options', () => {
    const vp = vpPrecond({ M: 500 });
    expect([vp.betaD, vp.betaMin, vp.M, vp.epsilonT]).toEqual([19.9, 0.1, 500, 1e-5]);
    const edm = edmPrecond({ sigmaData: 1 });
    expect(edm.sigmaData).toBe(1);
    expect(edmPrecond({ sigmaMin: 0.01, sigmaMax: 50 })).toMatchObject({
      sigmaMin: 0.01,
      sigmaMax: 50,
    });
    const iddpm = iddpmPrecond();
    expect([iddpm.M, iddpm.C1, iddpm.C2]).toEqual([1000, 0.001, 0.008]);
  });
});
