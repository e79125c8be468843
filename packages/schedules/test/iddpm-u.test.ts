import { describe, expect, it } from 'vitest';
import { ParameterError } from '@edmkit/core';
import { iddpmIndex, iddpmRoundSigma, iddpmUTable } from '@edmkit/schedules';
import { maxRelErr, readFixture } from '../../../test-support/fixtures.js';
import type { DiscretizationFixture, PrecondFixture } from '../../../test-support/fixtures.js';

const uNetwork = readFixture<PrecondFixture>('precond.json').iddpm_u.u_f32;
const uSampler = readFixture<DiscretizationFixture>('discretization.json').iddpm_u_sampler.u;

describe('iddpmUTable', () => {
  const u = iddpmUTable();

  it('has M + 1 decreasing levels ending in u_M = 0', () => {
    expect(u).toBeInstanceOf(Float64Array);
    expect(u).toHaveLength(1001);
    expect(u[1000]).toBe(0);
    for (let j = 1; j <= 1000; j++) expect(u[j]!).toBeLessThan(u[j - 1]!);
  });

  it('matches 50-digit references of the float64 recursion to 1e-13', () => {
    const refs: [number, number][] = [
      [0, 20291.16961002151],
      [1, 641.6623451182564],
      [7, 91.66248682370691],
      [8, 80.20370184547434],
      [9, 71.29119807209868],
      [500, 1.0123895639480043],
      [998, 0.009350492835604553],
      [999, 0.006425412771127171],
    ];
    expect(
      maxRelErr(
        refs.map(([j]) => u[j]!),
        refs.map(([, v]) => v),
      ),
    ).toBeLessThan(1e-13);
  });

  it('is within 5e-4 relative of the official float32 network table and the sampler table', () => {
    // Numerics guide: “iDDPM table precision”.
    // Both official tables carry float32 rounding amplified by the recursion; the gap is
    // largest at small σ (fixture: 4.79e-4 network, 4.58e-4 sampler).
    expect(maxRelErr(u.subarray(0, 1000), uNetwork.slice(0, 1000))).toBeLessThan(5e-4);
    expect(maxRelErr(u.subarray(0, 1000), uSampler.slice(0, 1000))).toBeLessThan(5e-4);
    // At large σ the tables agree far better.
    expect(maxRelErr(u.subarray(0, 100), uNetwork.slice(0, 100))).toBeLessThan(2e-6);
    expect([uNetwork[1000], uSampler[1000]]).toEqual([0, 0]);
  });

  it('returns a fresh copy each time and validates its options', () => {
    const a = iddpmUTable();
    a[0] = 0;
    expect(iddpmUTable()[0]).toBeCloseTo(20291.17, 1);
    expect(iddpmUTable({ M: 10 })).toHaveLength(11);
    expect(() => iddpmUTable({ M: 2.5 })).toThrow(/^M must be an integer >= 1/);
    expect(() => iddpmUTable({ C1: 2 })).toThrow(/^C1 must be a finite number > 0 and <= 1/);
  });
});

describe('iddpmIndex and iddpmRoundSigma', () => {
  const u = iddpmUTable();

  it('finds the nearest level, including u_M = 0 below half of u_999', () => {
    expect(iddpmIndex(u, 80)).toBe(8);
    expect(iddpmIndex(u, 20291)).toBe(0);
    expect(iddpmIndex(u, 1e6)).toBe(0);
    expect(iddpmIndex(u, 0)).toBe(1000);
    expect(iddpmIndex(u, 0.0001)).toBe(1000);
    expect(iddpmIndex(u, u[999]! / 2 + 1e-12)).toBe(999);
    expect(iddpmIndex(u, u[999]! / 2 - 1e-12)).toBe(1000);
    for (const j of [0, 1, 8, 500, 999, 1000]) expect(iddpmIndex(u, u[j]!)).toBe(j);
  });

  it('breaks exact ties towards the smaller index, as argmin does', () => {
    expect(iddpmIndex([4, 2, 0], 1)).toBe(1);
    expect(iddpmIndex([4, 2, 0], 3)).toBe(0);
  });

  it('rounds σ to the nearest level', () => {
    const round = iddpmRoundSigma(u);
    expect(round(80)).toBe(u[8]);
    expect(round(0.0001)).toBe(0);
    expect(round(u[123]!)).toBe(u[123]);
  });

  it('validates σ and the table', () => {
    expect(() => iddpmIndex(u, -1)).toThrow(/^sigma must be a finite number >= 0/);
    expect(() => iddpmIndex(u, Number.NaN)).toThrow(ParameterError);
    expect(() => iddpmIndex([], 1)).toThrow(/^u must be a non-empty u table/);
    expect(() => iddpmRoundSigma([])).toThrow(/^u must be/);
  });
});
