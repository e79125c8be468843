import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edmTraining, resolveTraining, table2, vpTraining } from '@edmkit/presets';
import { selectBackend } from '@edmkit/unet';
import {
  quickDataset,
  runTrainingAblation,
  type TrainingAblationResult,
} from '../src/training-ablation.js';
import { writeTrainingReport } from '../src/training-report.js';

const out = mkdtempSync(join(tmpdir(), 'edmkit-train-ablate-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

describe('resolveTraining', () => {
  it('maps Table 1 names to the loss objects', () => {
    const vp = resolveTraining(vpTraining, 0.5);
    expect([vp.precond.name, vp.distribution.name, vp.weighting.name]).toEqual([
      'vp',
      'vp',
      'inverse-square',
    ]);
    const e = resolveTraining(edmTraining, 0.5);
    expect([e.precond.name, e.distribution.name, e.weighting.name]).toEqual([
      'edm',
      'log-normal',
      'edm',
    ]);
    // λ(σ)·c_out(σ)² = 1 for EDM
    for (const sigma of [0.01, 0.5, 10])
      expect(e.weighting.weight(sigma) * e.precond.cOut(sigma) ** 2).toBeCloseTo(1, 12);
  });

  it('builds the 2-D ring with σ_data ≈ 0.5', () => {
    const ring = quickDataset('ring', 0);
    expect(ring.dim).toBe(2);
    expect(ring.sigmaData).toBeGreaterThan(0.45);
    expect(ring.sigmaData).toBeLessThan(0.55);
    expect(() => quickDataset('moons', 0)).toThrow(/unknown data "moons"/);
  });
});

describe('the quick training ablation', () => {
  let result: TrainingAblationResult;

  it('trains every reproducible Table 2 row and keeps the others with their reason', async () => {
    result = await runTrainingAblation({
      baselines: ['ve'],
      mode: 'quick',
      data: 'ring',
      mnistImages: 0,
      totalImages: 4096,
      samples: 256,
      steps: 12,
      hidden: 64,
      layers: 2,
      seed: 0,
    });
    expect(result.rows.map((r) => r.id)).toEqual(table2('ve', 'quick').map((r) => r.id));
    for (const r of result.rows) {
      if (r.id === 'C' || r.id === 'F') {
        expect(r.notReproducible).toBeTruthy();
        expect(r.slicedW2).toBeUndefined();
      } else {
        expect(Number.isFinite(r.slicedW2)).toBe(true);
        expect(Number.isFinite(r.finalLoss)).toBe(true);
        expect(r.run!.steps).toBe(Math.ceil(4096 / r.run!.batch));
      }
    }
  }, 120_000);

  it('reproduces the paper’s finding for VE: EDM preconditioning and loss beat the baseline', () => {
    const sw = (id: string) => result.rows.find((r) => r.id === id)!.slicedW2!;
    expect(sw('D')).toBeLessThan(sw('A') / 3);
    expect(sw('E')).toBeLessThan(sw('A') / 3);
    // and nothing beats sampling with the exact ideal denoiser by more than the metric's noise
    expect(sw('E')).toBeGreaterThan(result.ideal.slicedW2 - 2 * result.dataVsData.slicedW2);
  });

  it('writes the table, strict JSON and the loss curves', async () => {
    const files = await writeTrainingReport(out, result, {
      mode: 'quick',
      network: { hidden: 64 },
      dataTitle: 'ring',
      totalImages: 4096,
      samples: 256,
    });
    expect(readdirSync(out).sort()).toEqual([
      'training-ablation-loss.png',
      'training-ablation.json',
      'training-ablation.md',
    ]);
    expect(files).toHaveLength(3);
    const md = readFileSync(join(out, 'training-ablation.md'), 'utf8');
    expect(md).toContain('not reproducible here');
    expect(md).toContain('| VE       | A: VE baseline');
    const json = JSON.parse(readFileSync(join(out, 'training-ablation.json'), 'utf8')) as {
      rows: { id: string; slicedW2?: number }[];
    };
    expect(json.rows.find((r) => r.id === 'D')!.slicedW2).toBe(
      result.rows.find((r) => r.id === 'D')!.slicedW2,
    );
  });
});
