import { describe, expect, it } from 'vitest';
import { ParameterError } from '@edmkit/core';
import { linearSchedule, veSchedule, vpSchedule } from '@edmkit/schedules';
import type { NoiseSchedule } from '@edmkit/schedules';
import { maxRelErr, readFixture } from '../../../test-support/fixtures.js';
import type { PrecondFixture } from '../../../test-support/fixtures.js';

const fixture = readFixture<PrecondFixture>('precond.json').vp_schedule;

/** Central finite difference with a step scaled to t. */
function centralDiff(fn: (t: number) => number, t: number): number {
  const h = 1e-5 * t;
  return (fn(t + h) - fn(t - h)) / (2 * h);
}

const grid = [1e-4, 1e-3, 0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 1];

describe('vpSchedule', () => {
  const vp = vpSchedule();

  it('has the paper constants and a literal name', () => {
    expect(vp.name).toBe('vp');
    expect(vp.betaD).toBe(19.9);
    expect(vp.betaMin).toBe(0.1);
    expect(Object.isFrozen(vp)).toBe(true);
  });

  it('matches the float64 formula values of precond.json (vp_schedule) to 1e-12', () => {
    expect(
      maxRelErr(
        fixture.t.map((v) => vp.sigma(v)),
        fixture.sigma_spec_f64,
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxRelErr(
        fixture.sigma_query.map((v) => vp.sigmaInv(v)),
        fixture.sigma_inv_spec_f64,
      ),
    ).toBeLessThan(1e-12);
  });

  it('matches the official float64 method up to its cancellation error (≤ 1e-10 at small t, σ)', () => {
    // The official direct formulas lose digits in e^x − 1 and ln(1 + σ²) at small
    // arguments: 3.1e-11 relative at t = 1e-5 and 8.2e-11 at σ = 1e-3 (checked against
    // 50-digit arithmetic); vpSchedule uses expm1/log1p and is accurate to ~1e-16 there.
    expect(
      maxRelErr(
        fixture.t.map((v) => vp.sigma(v)),
        fixture.sigma_f64,
      ),
    ).toBeLessThan(1e-10);
    expect(
      maxRelErr(
        fixture.sigma_query.map((v) => vp.sigmaInv(v)),
        fixture.sigma_inv_f64,
      ),
    ).toBeLessThan(1e-10);
    // Away from the small end they agree to the last digits.
    expect(
      maxRelErr(
        fixture.t.slice(3).map((v) => vp.sigma(v)),
        fixture.sigma_f64.slice(3),
      ),
    ).toBeLessThan(1e-13);
  });

  it('is close to the official float32 values (float32 accuracy, except the cancelling small end)', () => {
    // σ(1e-5) in float32 is 2^-10 = 0.0009765625 instead of 0.0010005 (numerics guide:
    // “Float32 in the official code”).
    expect(fixture.sigma_f32[0]).toBe(0.0009765625);
    // float32 e^x − 1 cancels at small t: 2e-4 relative at t = 1e-3; full float32 accuracy from t = 0.1.
    expect(
      maxRelErr(
        fixture.t.slice(4).map((v) => vp.sigma(v)),
        fixture.sigma_f32.slice(4),
      ),
    ).toBeLessThan(1e-6);
    expect(
      maxRelErr(
        fixture.t.map((v) => vp.sigma(v)),
        fixture.sigma_f32,
      ),
    ).toBeLessThan(3e-2);
  });

  it('gives the reference values', () => {
    expect(vp.sigma(1)).toBeCloseTo(152.16697, 4);
    expect(vp.sigma(1e-3)).toBeCloseTo(0.010486, 6);
    expect(vp.sigma(1e-5)).toBeCloseTo(0.0010005, 7);
    expect(vp.sigma(0)).toBe(0);
  });

  it('is exact where the closed form is simple: σ(t)² = e^{½β_d t² + β_min t} − 1', () => {
    for (const t of grid) {
      const e = 0.5 * 19.9 * t * t + 0.1 * t;
      expect(vp.sigma(t) ** 2 / Math.expm1(e)).toBeCloseTo(1, 14);
    }
  });
});

// The refitted VP schedule (β_min < 0) is only defined from t = −2β_min/β_d ≈ 5.4e-4 on.
const refitted = vpSchedule({ betaD: 17.53795698727145, betaMin: -0.004768986493722593 });
const schedules: [string, NoiseSchedule, number[]][] = [
  ['vp', vpSchedule(), grid],
  ['vp refitted to the EDM range (β_min < 0)', refitted, grid.filter((t) => t >= 1e-3)],
  ['ve', veSchedule(), grid],
  ['linear', linearSchedule(), grid],
];

describe.each(schedules)('%s schedule', (_label, schedule, grid) => {
  it("has σ'(t) equal to a central finite difference", () => {
    for (const t of grid) {
      const fd = centralDiff((x) => schedule.sigma(x), t);
      expect(Math.abs(schedule.sigmaDeriv(t) - fd) / Math.abs(fd)).toBeLessThan(1e-8);
    }
  });

  it('round-trips σ⁻¹(σ(t)) = t and σ(σ⁻¹(σ)) = σ', () => {
    for (const t of grid)
      expect(Math.abs(schedule.sigmaInv(schedule.sigma(t)) - t) / t).toBeLessThan(1e-13);
    for (const sigma of [1e-4, 0.002, 0.01, 0.5, 1, 10, 80, 150]) {
      const t = schedule.sigmaInv(sigma);
      expect(Math.abs(schedule.sigma(t) - sigma) / sigma).toBeLessThan(1e-13);
    }
  });

  it('is strictly increasing with a positive derivative', () => {
    let prev = -1;
    for (let k = 1; k <= 200; k++) {
      const t = grid[0]! + (k / 200) ** 2;
      const s = schedule.sigma(t);
      expect(s).toBeGreaterThan(prev);
      expect(schedule.sigmaDeriv(t)).toBeGreaterThan(0);
      prev = s;
    }
  });

  it('refuses negative, NaN and infinite times and noise levels, naming the parameter', () => {
    for (const bad of [-1, Number.NaN, Infinity]) {
      expect(() => schedule.sigma(bad)).toThrow(ParameterError);
      expect(() => schedule.sigma(bad)).toThrow(/^t must be/);
      expect(() => schedule.sigmaDeriv(bad)).toThrow(/^t must be/);
      expect(() => schedule.sigmaInv(bad)).toThrow(/^sigma must be a finite number >= 0/);
    }
  });
});

describe('schedule special cases', () => {
  it("ve: σ = √t, σ⁻¹ = σ², σ'(0) refused", () => {
    const ve = veSchedule();
    expect(ve.name).toBe('ve');
    expect(ve.sigma(10000)).toBe(100);
    expect(ve.sigmaInv(0.02)).toBeCloseTo(0.0004, 18);
    expect(ve.sigmaDeriv(4)).toBe(0.25);
    expect(() => ve.sigmaDeriv(0)).toThrow(/^t must be a finite number > 0/);
  });

  it('linear: σ = t', () => {
    const lin = linearSchedule();
    expect(lin.name).toBe('linear');
    expect([lin.sigma(3), lin.sigmaDeriv(3), lin.sigmaInv(3), lin.sigma(0)]).toEqual([3, 1, 3, 0]);
  });

  it('vp with β_min < 0: σ⁻¹(0) is the end of the gap, inside which σ(t) is refused', () => {
    const vp = vpSchedule({ betaD: 17.53795698727145, betaMin: -0.004768986493722593 });
    const tZero = (2 * 0.004768986493722593) / 17.53795698727145;
    expect(vp.sigmaInv(0)).toBeCloseTo(tZero, 15);
    expect(vp.sigma(0)).toBe(0);
    expect(vp.sigma(vp.sigmaInv(0))).toBeLessThan(1e-7);
    expect(() => vp.sigma(tZero / 2)).toThrow(/^t must be 0 or a number >= /);
    expect(() => vp.sigmaDeriv(0)).toThrow(/^t must be a number > /);
    // σ(t) just above the gap is small and accurate.
    expect(vp.sigmaInv(vp.sigma(2 * tZero)) / (2 * tZero)).toBeCloseTo(1, 12);
  });

  it("vp: σ'(0) is infinite and refused; σ overflow is refused", () => {
    const vp = vpSchedule();
    expect(() => vp.sigmaDeriv(0)).toThrow(/^t must be a number > 0/);
    expect(vp.sigma(8)).toBeGreaterThan(1e100);
    expect(() => vp.sigma(20)).toThrow(/^t must be a number for which σ\(t\) is finite/);
  });

  it('vp: σ(t) keeps full accuracy where e^e overflows, and σ⁻¹ where σ² does', () => {
    const vp = vpSchedule();
    const t = 9; // e = ½β_d t² + β_min t = 806.85: e^e overflows, σ = e^{e/2}·√(1 − e^{−e}) does not
    const e = t * (0.5 * 19.9 * t + 0.1);
    expect(vp.sigma(t) / Math.exp(0.5 * e)).toBeCloseTo(1, 14);
    expect(vp.sigmaInv(vp.sigma(t)) / t).toBeCloseTo(1, 14);
    // σ = 10²⁰⁰: ln(σ² + 1) = 2 ln σ, t = (√(β_min² + 2β_d·2 ln σ) − β_min)/β_d.
    const l = 2 * Math.log(1e200);
    const want = (2 * l) / (Math.sqrt(0.01 + 2 * 19.9 * l) + 0.1);
    expect(vp.sigmaInv(1e200) / want).toBeCloseTo(1, 14);
    // Small t: no cancellation, σ ≈ √(β_min t).
    expect(vp.sigma(1e-12) / Math.sqrt(0.1e-12)).toBeCloseTo(1, 10);
  });

  it('vp with β_min < 0: within rounding of the gap end σ is 0, not refused', () => {
    const betaMin = -0.3;
    const vp = vpSchedule({ betaD: 19.9, betaMin });
    const tZero = (-2 * betaMin) / 19.9;
    expect(vp.sigma(tZero * (1 - 1e-13))).toBe(0);
    expect(() => vp.sigma(tZero * (1 - 1e-9))).toThrow(/^t must be 0 or a number >= 0.0301/);
    expect(vp.sigmaInv(0)).toBeCloseTo(tZero, 15);
    const t = 1.5 * tZero;
    expect(vp.sigma(t) ** 2).toBeCloseTo(Math.expm1(t * (0.5 * 19.9 * t + betaMin)), 14);
  });

  it('vp: validates β_d and β_min', () => {
    expect(() => vpSchedule({ betaD: 0 })).toThrow(/^betaD must be a finite number > 0/);
    expect(() => vpSchedule({ betaD: -1 })).toThrow(ParameterError);
    expect(() => vpSchedule({ betaMin: Number.NaN })).toThrow(/^betaMin must be a finite number/);
  });
});
