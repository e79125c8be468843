import { describe, expect, it } from 'vitest';
import {
  edmTraining,
  iddpmTraining,
  table2,
  trainingPresets,
  veTraining,
  vpTraining,
} from '@edmkit/presets';

describe('training presets', () => {
  it('are the Table 1 training rows', () => {
    expect([
      vpTraining.precond,
      vpTraining.noise,
      vpTraining.weighting,
      vpTraining.architecture,
    ]).toEqual(['vp', 'vp', 'inverse-square', 'ddpmpp']);
    expect([veTraining.precond, veTraining.noise, veTraining.architecture]).toEqual([
      've',
      've',
      'ncsnpp',
    ]);
    expect([iddpmTraining.precond, iddpmTraining.noise, iddpmTraining.architecture]).toEqual([
      'iddpm',
      'iddpm',
      'adm',
    ]);
    expect(edmTraining).toMatchObject({
      precond: 'edm',
      noise: 'edm',
      weighting: 'edm',
      sigmaData: 0.5,
      pMean: -1.2,
      pStd: 1.2,
    });
    expect(edmTraining.hyperparameters).toMatchObject({
      lr: 1e-3,
      batch: 512,
      emaHalfLifeImages: 500_000,
      dropout: 0.13,
    });
    expect(Object.keys(trainingPresets)).toEqual(['vp', 've', 'iddpm', 'edm']);
  });

  it('has the baseline EMA half-life of a 0.9999 per-step decay at batch 128', () => {
    const halfLife = (128 * Math.log(0.5)) / Math.log(0.9999);
    expect(Math.abs(vpTraining.hyperparameters.emaHalfLifeImages - halfLife)).toBeLessThan(500);
  });
});

describe('table2', () => {
  it('builds A–F as successive overrides, keeping unreproducible rows with a reason', () => {
    const rows = table2('vp', 'quick');
    expect(rows.map((r) => r.id)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    const [a, b, c, d, e, f] = rows;
    expect(a!.config).toMatchObject({ precond: 'vp', noise: 'vp', weighting: 'inverse-square' });
    expect(b!.config!.hyperparameters.lr).toBe(1e-3);
    expect(b!.config!.precond).toBe('vp');
    expect(c!.config).toBeUndefined();
    expect(c!.notReproducible).toMatch(/capacity/);
    expect(d!.config).toMatchObject({ precond: 'edm', noise: 'vp', weighting: 'inverse-square' });
    expect(e!.config).toMatchObject({ precond: 'edm', noise: 'edm', weighting: 'edm' });
    expect(f!.notReproducible).toMatch(/augmentation/);
    expect(table2('ve', 'full')[0]!.config).toMatchObject({
      precond: 've',
      noise: 've',
      architecture: 'ncsnpp',
    });
  });

  it('refuses unknown baselines and scales', () => {
    expect(() => table2('edm' as never, 'quick')).toThrow(
      'unknown baseline "edm"; expected one of: vp, ve',
    );
    expect(() => table2('vp', 'huge' as never)).toThrow(/unknown scale "huge"/);
  });
});
