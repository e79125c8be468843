import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../src/datasets.js';
import { writeSamplerReport, cellsOf } from '../src/report.js';
import {
  nfeToReach,
  observedOrder,
  runSamplerAblation,
  type DatasetAblation,
} from '../src/sampler-ablation.js';

const sizes = {
  gmmSamples: 128,
  gmmDim: 16,
  gmmComponents: 4,
  mnistSamples: 8,
  mnistImages: 100,
  mnistSize: 14,
} as const;
const out = mkdtempSync(join(tmpdir(), 'edmkit-ablate-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

let gmm: DatasetAblation;

describe('the sampler ablation on the Gaussian mixture', () => {
  it('runs every Fig. 2 configuration from the same latents', async () => {
    gmm = await runSamplerAblation(prepareDataset('gmm', sizes, 0), {
      families: ['vp', 've', 'iddpm'],
      includeEdm: true,
      nfe: [17, 35, 71, 143, 287],
      seed: 0,
      referenceRtol: 1e-8,
    });
    expect(gmm.configs.map((c) => c.config.label)).toEqual([
      'VP original',
      'VP + Heun & EDM t_i',
      'VP + EDM σ(t) & s(t)',
      'VE original',
      'VE + Heun & EDM t_i',
      'VE + EDM σ(t) & s(t)',
      'iDDPM+DDIM original',
      'iDDPM + Heun & EDM t_i',
      'EDM',
    ]);
    for (const c of gmm.cells) {
      expect(Number.isFinite(c.error)).toBe(true);
      expect(c.nfe).toBeLessThanOrEqual(c.target);
    }
    // One reference per distinct starting level: VP 152.17, VE 100, iDDPM u_8 ≈ 80.2, EDM 80.
    expect(gmm.references.map((r) => r.sigmaStart).sort((a, b) => a - b)).toHaveLength(4);
  }, 60_000);

  it('shows Euler at order 1 and Heun at order 2 (error halves / quarters as NFE doubles)', () => {
    for (const { config, solverOrder } of gmm.configs) {
      const p = observedOrder(cellsOf(gmm, config.label));
      expect(p, config.label).toBeDefined();
      // Fitted over NFE 30–150; VP/iDDPM Heun chains start pre-asymptotic, hence the band.
      expect(Math.abs(p! - solverOrder), `${config.label}: order ${p}`).toBeLessThan(
        solverOrder === 1 ? 0.3 : 0.45,
      );
    }
  });

  it('lets the EDM chain reach each original sampler’s best error with several times fewer NFE', () => {
    for (const [original, improved] of [
      ['VP original', 'VP + EDM σ(t) & s(t)'],
      ['VE original', 'VE + EDM σ(t) & s(t)'],
      ['iDDPM+DDIM original', 'iDDPM + Heun & EDM t_i'],
    ] as const) {
      const cells = cellsOf(gmm, original);
      const best = cells[cells.length - 1]!;
      const need = nfeToReach(cellsOf(gmm, improved), best.error);
      expect(need, `${improved} vs ${original}`).toBeDefined();
      expect(best.nfe / need!, `${improved} vs ${original}`).toBeGreaterThan(2.5);
    }
    // At NFE 35 the EDM sampler beats every original sampler.
    const at35 = (label: string) => cellsOf(gmm, label).find((c) => c.target === 35)!.error;
    for (const original of ['VP original', 'VE original', 'iDDPM+DDIM original']) {
      expect(at35('EDM')).toBeLessThan(at35(original));
    }
  });

  it('is the same, bit for bit, when run again', async () => {
    const again = await runSamplerAblation(prepareDataset('gmm', sizes, 0), {
      families: ['vp'],
      includeEdm: false,
      nfe: [17, 35],
      seed: 0,
      referenceRtol: 1e-8,
    });
    for (const c of again.cells) {
      const first = gmm.cells.find((x) => x.config === c.config && x.nfe === c.nfe)!;
      expect(c.rms).toEqual(first.rms);
    }
  });
});

describe('the sampler report', () => {
  it('writes markdown, strict JSON with every number, and PNG plots, leaving no temporary files', async () => {
    const mnist = await runSamplerAblation(prepareDataset('mnist', sizes, 0), {
      families: ['iddpm'],
      includeEdm: true,
      nfe: [9, 35],
      seed: 0,
      referenceRtol: 1e-8,
    });
    expect(mnist.cells.every((c) => c.missed !== undefined && c.missed >= 0 && c.missed <= 1)).toBe(
      true,
    );
    const files = await writeSamplerReport(out, [gmm, mnist], { ablation: 'sampler' });
    expect(readdirSync(out).sort()).toEqual(
      [
        'sampler-ablation-gmm.png',
        'sampler-ablation-mnist.png',
        'sampler-ablation.json',
        'sampler-ablation.md',
        'samples-mnist.png',
      ].sort(),
    );
    expect(files).toHaveLength(5);
    const json = JSON.parse(readFileSync(join(out, 'sampler-ablation.json'), 'utf8')) as {
      datasets: {
        key: string;
        cells: { config: string; nfe: number; error: number }[];
        configs: unknown[];
      }[];
    };
    expect(json.datasets.map((d) => d.key)).toEqual(['gmm', 'mnist']);
    expect(json.datasets[0]!.cells).toHaveLength(gmm.cells.length);
    expect(json.datasets[0]!.cells[0]!.error).toBe(gmm.cells[0]!.error);
    const md = readFileSync(join(out, 'sampler-ablation.md'), 'utf8');
    expect(md).toContain('## All configurations at NFE ≈ 35');
    expect(md).toContain('| VP original');
    const png = readFileSync(join(out, 'sampler-ablation-gmm.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});
