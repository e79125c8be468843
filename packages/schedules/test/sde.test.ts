import { describe, expect, it } from 'vitest';
import { ParameterError } from '@edmkit/core';
import {
  fromSde,
  linearSchedule,
  noScaling,
  toSde,
  veSchedule,
  vpScaling,
  vpSchedule,
} from '@edmkit/schedules';

const betaD = 19.9;
const betaMin = 0.1;
const beta = (t: number) => betaMin + betaD * t;
const grid = [1e-7, 1e-5, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1];

describe('toSde', () => {
  it("gives VP's f = −½β(t), g = √β(t)", () => {
    const { f, g } = toSde(vpSchedule(), vpScaling());
    for (const t of grid) {
      expect(f(t) / (-0.5 * beta(t))).toBeCloseTo(1, 13);
      expect(g(t) / Math.sqrt(beta(t))).toBeCloseTo(1, 12);
    }
  });

  it('gives VE f = 0, g = 1 and EDM f = 0, g = √(2t)', () => {
    const ve = toSde(veSchedule(), noScaling());
    const edm = toSde(linearSchedule(), noScaling());
    for (const t of grid) {
      expect(ve.f(t)).toBe(0);
      expect(ve.g(t)).toBeCloseTo(1, 15);
      expect(edm.g(t)).toBeCloseTo(Math.sqrt(2 * t), 15);
    }
  });
});

describe('fromSde', () => {
  it('reproduces vpSchedule and vpScaling from f = −½β, g = √β to 1e-12 relative', () => {
    const { schedule, scaling } = fromSde({
      f: (t) => -0.5 * beta(t),
      g: (t) => Math.sqrt(beta(t)),
    });
    const vp = vpSchedule();
    const vs = vpScaling();
    expect([schedule.name, scaling.name, schedule.tMax]).toEqual(['sde', 'sde', 1]);
    let worst = 0;
    const rel = (a: number, b: number) => (worst = Math.max(worst, Math.abs(a - b) / Math.abs(b)));
    for (const t of grid) {
      rel(schedule.sigma(t), vp.sigma(t));
      rel(schedule.sigmaDeriv(t), vp.sigmaDeriv(t));
      rel(scaling.s(t), vs.s(t));
      rel(scaling.sDeriv(t), vs.sDeriv(t));
    }
    for (const sigma of [1e-4, 0.002, 0.0105, 0.5, 1, 10, 80, 152])
      rel(schedule.sigmaInv(sigma), vp.sigmaInv(sigma));
    expect(worst).toBeLessThan(1e-12); // 1.5e-15 achieved with the default 64 × 16 points

    expect(schedule.sigma(0)).toBe(0);
    expect(scaling.s(0)).toBe(1);
  });

  it('round-trips through toSde for VE and the linear schedule', () => {
    for (const [sched, tMax] of [
      [veSchedule(), 10000],
      [linearSchedule(), 80],
    ] as const) {
      const back = fromSde({ ...toSde(sched, noScaling()), tMax });
      for (const frac of [1e-6, 1e-3, 0.1, 0.5, 1]) {
        const t = frac * tMax;
        expect(back.schedule.sigma(t) / sched.sigma(t)).toBeCloseTo(1, 10);
        expect(back.schedule.sigmaInv(sched.sigma(t)) / t).toBeCloseTo(1, 10);
        expect(back.scaling.s(t)).toBe(1);
      }
    }
  });

  it('inverts σ exactly enough for the sampler: σ(σ⁻¹(σ)) = σ', () => {
    const { schedule } = fromSde({ f: (t) => -0.5 * beta(t), g: (t) => Math.sqrt(beta(t)) });
    for (const sigma of [1e-6, 0.002, 0.3, 7, 100, 152]) {
      expect(Math.abs(schedule.sigma(schedule.sigmaInv(sigma)) - sigma) / sigma).toBeLessThan(
        1e-12,
      );
    }
  });

  it('refuses times and σ outside the tabulated interval, and bad f, g', () => {
    const { schedule, scaling } = fromSde({ f: () => 0, g: () => 1, tMax: 2 });
    expect(schedule.sigma(2)).toBeCloseTo(Math.SQRT2, 13);
    expect(() => schedule.sigma(2.5)).toThrow(/^t must be a finite number >= 0 and <= 2/);
    expect(() => scaling.s(-1)).toThrow(ParameterError);
    expect(() => schedule.sigmaInv(2)).toThrow(/^sigma must be a number in \[0, σ\(tMax\)/);
    expect(() => schedule.sigmaDeriv(0)).toThrow(/^t must be a number in \(0, 2\]/);
    expect(() => fromSde({ f: () => Number.NaN, g: () => 1 })).toThrow(
      /^f must be a function returning finite numbers/,
    );
    expect(() => fromSde({ f: () => 0, g: () => 0 })).toThrow(
      /^g must be a function that is not 0/,
    );
    expect(() => fromSde({ f: () => 0, g: () => 1, tMax: 0 })).toThrow(/^tMax must be/);
  });
});
