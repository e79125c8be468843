import { describe, expect, it } from 'vitest';
import { ParameterError } from '@edmkit/core';
import { emaHalfLife, lrRampup } from '@edmkit/train';

describe('lrRampup', () => {
  it('ramps linearly over rampupImages, then stays at lr', () => {
    const s = lrRampup({ lr: 1e-3, rampupImages: 1e4 });
    expect(s.at(0)).toBe(0);
    expect(s.at(2500)).toBeCloseTo(2.5e-4, 18);
    expect(s.at(5000)).toBeCloseTo(5e-4, 18);
    expect(s.at(1e4)).toBe(1e-3);
    expect(s.at(1e7)).toBe(1e-3);
  });

  it('has the official defaults (10⁻³ over 10 M images)', () => {
    const s = lrRampup();
    expect([s.lr, s.rampupImages]).toEqual([1e-3, 1e7]);
    expect(s.at(512)).toBeCloseTo((1e-3 * 512) / 1e7, 20);
  });

  it('gives the first step rate 0 even without ramp-up, as the official max(·, 1e-8)', () => {
    const s = lrRampup({ lr: 2e-4, rampupImages: 0 });
    expect(s.at(0)).toBe(0);
    expect(s.at(1)).toBe(2e-4);
  });

  it('refuses invalid values, naming the parameter', () => {
    expect(() => lrRampup({ lr: 0 })).toThrow(/lr must be a finite number > 0/);
    expect(() => lrRampup({ rampupImages: -1 })).toThrow(ParameterError);
    expect(() => lrRampup().at(Number.NaN)).toThrow(/imagesSeen/);
  });
});

describe('emaHalfLife', () => {
  it('caps the half-life at rampupRatio × images seen', () => {
    const e = emaHalfLife();
    expect([e.halfLifeImages, e.rampupRatio]).toEqual([5e5, 0.05]);
    expect(e.halfLife(0)).toBe(0);
    expect(e.halfLife(1e6)).toBe(5e4);
    expect(e.halfLife(1e7)).toBe(5e5);
    expect(e.halfLife(1e8)).toBe(5e5);
  });

  it('β = 0.5^(batch / half-life) in closed form', () => {
    const e = emaHalfLife();
    expect(e.beta(0, 512)).toBe(0); // first update copies the network
    expect(e.beta(1e6, 512)).toBeCloseTo(Math.pow(0.5, 512 / 5e4), 15);
    expect(e.beta(1e6, 512)).toBeCloseTo(0.992927, 6);
    expect(e.beta(2e7, 512)).toBeCloseTo(Math.exp((-512 / 5e5) * Math.LN2), 15);
  });

  it('halves the weight of the past over one half-life', () => {
    const e = emaHalfLife({ halfLifeImages: 1000, rampupRatio: null });
    const beta = e.beta(0, 50);
    // 20 steps of 50 images = one half-life.
    expect(Math.pow(beta, 20)).toBeCloseTo(0.5, 14);
    // The EMA of a step from 0 to 1 after one half-life is exactly 1/2 of the way.
    let avg = 0;
    for (let k = 0; k < 20; k++) avg = 1 + beta * (avg - 1);
    expect(avg).toBeCloseTo(0.5, 14);
  });

  it('with ramp-up, tracks images seen: after n images the average spans ≈ ratio·n', () => {
    const e = emaHalfLife({ halfLifeImages: 1e9, rampupRatio: 0.25 });
    expect(e.beta(4000, 100)).toBeCloseTo(Math.pow(0.5, 100 / 1000), 15);
  });

  it('refuses invalid values, naming the parameter', () => {
    expect(() => emaHalfLife({ halfLifeImages: -1 })).toThrow(/halfLifeImages/);
    expect(() => emaHalfLife({ rampupRatio: 0 })).toThrow(
      /rampupRatio must be a finite number > 0 or null/,
    );
    expect(() => emaHalfLife().beta(0, 0)).toThrow(/batchSize/);
  });
});
