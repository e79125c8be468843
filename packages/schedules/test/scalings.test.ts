import { describe, expect, it } from 'vitest';
import { ParameterError } from '@edmkit/core';
import {
  linearSchedule,
  noScaling,
  veSchedule,
  vpScaling,
  vpSchedule,
  type VpSchedule,
} from '@edmkit/schedules';

const grid = [0, 1e-4, 1e-3, 0.01, 0.1, 0.5, 1];

describe('vpScaling', () => {
  it("is 1/√(1 + σ²) and s' = −σσ's³ (Table 1, VP), also with refitted betas", () => {
    for (const betas of [{}, { betaD: 17.53795698727145, betaMin: -0.004768986493722593 }]) {
      const vp = vpSchedule(betas);
      const s = vpScaling(betas);
      for (const t of grid.filter((x) => x >= 1e-3)) {
        const sigma = vp.sigma(t);
        expect(s.s(t) * Math.sqrt(1 + sigma * sigma)).toBeCloseTo(1, 14);
        const official = -sigma * vp.sigmaDeriv(t) * s.s(t) ** 3;
        expect(s.sDeriv(t) / official).toBeCloseTo(1, 13);
      }
    }
  });

  it("has s'(t) equal to a central finite difference and s(0) = 1", () => {
    const s = vpScaling();
    expect(s.s(0)).toBe(1);
    expect(s.sDeriv(0)).toBeCloseTo(-0.05, 15);
    for (const t of grid.slice(1)) {
      const h = 1e-5 * Math.max(t, 0.01);
      const fd = (s.s(t + h) - s.s(t - h)) / (2 * h);
      expect(Math.abs(s.sDeriv(t) - fd) / Math.abs(fd)).toBeLessThan(1e-8);
    }
  });

  it('has a literal name, its betas, and validates', () => {
    const s = vpScaling({ betaD: 10, betaMin: 0.2 });
    expect([s.name, (s.schedule as VpSchedule).betaD, (s.schedule as VpSchedule).betaMin]).toEqual([
      'vp',
      10,
      0.2,
    ]);
    expect(Object.isFrozen(s)).toBe(true);
    expect(() => s.s(-1)).toThrow(/^t must be a finite number >= 0/);
    expect(() => s.sDeriv(Number.NaN)).toThrow(ParameterError);
    expect(() => vpScaling({ betaD: -2 })).toThrow(/^betaD must be/);
  });
});

describe('vpScaling of a given schedule', () => {
  it('scales any σ(t), also one named "vp" without VP constants, by 1/√(1 + σ²)', () => {
    const quadratic = {
      name: 'vp',
      sigma: (t: number) => 3 * t * t,
      sigmaDeriv: (t: number) => 6 * t,
    };
    const s = vpScaling({ schedule: quadratic as unknown as VpSchedule });
    expect(s.schedule).toBe(quadratic);
    expect(s.s(0.5)).toBeCloseTo(1 / Math.sqrt(1 + 0.75 ** 2), 15);
    // s' = −σσ's³
    expect(s.sDeriv(0.5)).toBeCloseTo(-0.75 * 3 * s.s(0.5) ** 3, 15);
    const ve = vpScaling({ schedule: veSchedule() });
    expect(ve.s(4)).toBeCloseTo(1 / Math.sqrt(5), 15);
    // A VP schedule is used through its closed form: s(t) = e^{−½(½β_d t² + β_min t)}.
    const vp = vpScaling({ schedule: vpSchedule({ betaD: 10, betaMin: 0.5 }) });
    expect(vp.s(2)).toBeCloseTo(Math.exp(-0.5 * 2 * (0.5 * 10 * 2 + 0.5)), 15);
  });

  it("refuses a schedule without σ(t) or σ'(t)", () => {
    for (const bad of [
      { name: 'x', sigmaDeriv: () => 1 },
      { name: 'x', sigma: () => 1 },
      { name: 'vp', sigma: () => 1 },
    ]) {
      expect(() => vpScaling({ schedule: bad as unknown as VpSchedule })).toThrow(
        'schedule must be a NoiseSchedule',
      );
    }
  });
});

describe('noScaling', () => {
  it("is s = 1, s' = 0", () => {
    const s = noScaling();
    expect(s.name).toBe('none');
    expect([s.s(0), s.s(5), s.sDeriv(5)]).toEqual([1, 1, 0]);
    expect(() => s.s(Infinity)).toThrow(/^t must be/);
  });
});

describe('vpScaling of another schedule', () => {
  it('is 1/√(1 + σ(t)²) with s′ = −σσ′s³, as the ablation sampler pairs them', () => {
    const ve = vpScaling({ schedule: veSchedule() });
    const lin = vpScaling({ schedule: linearSchedule() });
    for (const t of [1e-4, 0.3, 4, 6400]) {
      expect(ve.s(t)).toBeCloseTo(1 / Math.sqrt(1 + t), 15);
      expect(lin.s(t)).toBeCloseTo(1 / Math.sqrt(1 + t * t), 15);
      const linDeriv = -t * (1 + t * t) ** -1.5;
      expect(Math.abs(lin.sDeriv(t) - linDeriv)).toBeLessThan(1e-14 * Math.abs(linDeriv));
      expect(ve.sDeriv(t)).toBeCloseTo(-0.5 * (1 + t) ** -1.5, 12);
    }
  });

  it('uses the VP closed form for a VP schedule', () => {
    const vp = vpSchedule({ betaD: 17.5, betaMin: -0.004 });
    const a = vpScaling({ schedule: vp });
    const b = vpScaling({ betaD: 17.5, betaMin: -0.004 });
    for (const t of [0.01, 0.5, 1]) expect(a.s(t)).toBe(b.s(t));
  });
});
