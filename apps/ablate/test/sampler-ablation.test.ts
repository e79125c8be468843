import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../src/datasets.js';
import { formatNumber } from '../src/output/index.js';
import {
  lowNfeFinding,
  paperVsOurs,
  veHeunFinding,
  vpScheduleFinding,
} from '../src/paper-vs-ours.js';
import { writeSamplerReport, cellsOf } from '../src/report.js';
import {
  nfeToReach,
  observedOrder,
  runSamplerAblation,
  type AblationCell,
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
  it('gives the empirical set only its missed-image rate, and the smooth sets their errors', async () => {
    const run = (name: 'mnist' | 'mnist-kde') =>
      runSamplerAblation(prepareDataset(name, sizes, 0), {
        families: ['iddpm'],
        includeEdm: true,
        nfe: [9, 35],
        seed: 0,
        referenceRtol: 1e-8,
      });
    const mnist = await run('mnist');
    const kde = await run('mnist-kde');
    expect(mnist.cells.every((c) => c.missed !== undefined && c.missed >= 0 && c.missed <= 1)).toBe(
      true,
    );
    expect(kde.cells.every((c) => c.missed === undefined && c.error > 0)).toBe(true);
    const files = await writeSamplerReport(out, [gmm, mnist, kde], { ablation: 'sampler' });
    // No error plot for the empirical set; sample grids for both digit sets.
    expect(readdirSync(out).sort()).toEqual(
      [
        'sampler-ablation-gmm.png',
        'sampler-ablation-mnist-kde.png',
        'sampler-ablation.json',
        'sampler-ablation.md',
        'samples-mnist.png',
        'samples-mnist-kde.png',
      ].sort(),
    );
    expect(files).toHaveLength(6);
    const json = JSON.parse(readFileSync(join(out, 'sampler-ablation.json'), 'utf8')) as {
      datasets: {
        key: string;
        reported: string;
        orders?: unknown;
        references: Record<string, unknown>[];
        cells: Record<string, unknown>[];
      }[];
    };
    expect(json.datasets.map((d) => [d.key, d.reported])).toEqual([
      ['gmm', 'error'],
      ['mnist', 'missed'],
      ['mnist-kde', 'error'],
    ]);
    const [jsonGmm, jsonMnist, jsonKde] = json.datasets;
    expect(jsonGmm!.cells).toHaveLength(gmm.cells.length);
    expect(jsonGmm!.cells[0]!.error).toBe(gmm.cells[0]!.error);
    expect(jsonKde!.orders).toBeDefined();
    expect(jsonMnist!.orders).toBeUndefined();
    for (const cell of jsonMnist!.cells)
      expect(Object.keys(cell).sort()).toEqual(
        ['config', 'missed', 'n', 'nfe', 'seconds', 'target'].sort(),
      );
    expect(jsonMnist!.cells.map((c) => c.missed)).toEqual(mnist.cells.map((c) => c.missed));
    for (const r of jsonMnist!.references) expect(r).not.toHaveProperty('distance');

    const md = readFileSync(join(out, 'sampler-ablation.md'), 'utf8');
    expect(md).toContain('## All configurations at NFE ≈ 35');
    expect(md).toContain('| VP original');
    expect(md).toContain('mnist missed');
    expect(md).toContain('mnist-kde median RMS');
    expect(md).not.toMatch(/mnist (mean|median) RMS|mnist SW₂/);
    expect(md).not.toContain('sampler-ablation-mnist.png');
    const mnistSection = md.slice(md.indexOf(`## ${mnist.dataset.title}`));
    const mnistTable = mnistSection.slice(
      0,
      mnistSection.indexOf('\n\n', mnistSection.indexOf('|')),
    );
    expect(mnistTable).toContain('Fraction that end on another training image');
    expect(mnistTable).not.toMatch(/order|e-\d/);
    expect(mnistTable).toMatch(/\d+ %/);
    const png = readFileSync(join(out, 'sampler-ablation-gmm.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('compares with the paper: each difference with what this run measured', () => {
    const section = paperVsOurs([gmm]).join('\n');
    expect(section).toContain('## Paper vs ours');
    for (const heading of ['### (i)', '### (ii)', '### (iii)']) expect(section).toContain(heading);
    for (const script of [
      'sampler-harness-check.mjs',
      'sampler-vp-schedule.mjs',
      'sampler-low-nfe.mjs',
      'sampler-ve-heun.mjs',
    ])
      expect(section).toContain(`apps/ablate/bench/${script}`);
    // The run's own numbers: on the mixture "+ EDM σ(t) & s(t)" is behind at every NFE run here.
    expect(vpScheduleFinding(gmm)).toMatch(/^gmm: larger at 5 of 5 NFE \(17, 35, 71, 143, 287\), /);
    const at17 = (label: string) => cellsOf(gmm, label).find((c) => c.target === 17)!.error;
    expect(lowNfeFinding(gmm)).toContain(
      `EDM ${formatNumber(at17('EDM'))}, ${formatNumber(at17('EDM') / at17('VP original'), 2)}×`,
    );
    expect(veHeunFinding(gmm)).toMatch(/^gmm, NFE 17: /);
    // Nothing to compare without a smooth data set.
    const empiricalOnly = { ...gmm, dataset: { ...gmm.dataset, empirical: true } };
    expect(paperVsOurs([empiricalOnly])).toEqual([]);
  });

  it('computes each finding from the cells it is given', () => {
    const cell = (config: string, target: number, error: number): AblationCell => ({
      dataset: 'gmm',
      config,
      target,
      n: target,
      nfe: target,
      error,
      rms: { median: error, mean: error, p90: error, max: error },
      distance: 10 * error,
      missed: undefined,
      seconds: 0,
    });
    const fake = (cells: AblationCell[]): DatasetAblation => ({
      ...gmm,
      cells,
    });
    expect(
      vpScheduleFinding(
        fake([
          cell('VP + Heun & EDM t_i', 9, 1),
          cell('VP + EDM σ(t) & s(t)', 9, 0.5),
          cell('VP + Heun & EDM t_i', 17, 1),
          cell('VP + EDM σ(t) & s(t)', 17, 3),
        ]),
      ),
    ).toBe('gmm: larger at 1 of 2 NFE (17), 3× the error of "VP + Heun & EDM t_i".');
    expect(
      vpScheduleFinding(
        fake([cell('VP + Heun & EDM t_i', 9, 1), cell('VP + EDM σ(t) & s(t)', 9, 0.5)]),
      ),
    ).toBe('gmm: not larger at any NFE of the run (9).');
    expect(
      lowNfeFinding(
        fake([
          cell('EDM', 9, 0.8),
          cell('VP original', 9, 0.04),
          cell('iDDPM+DDIM original', 9, 0.08),
          cell('EDM', 17, 0.1),
        ]),
      ),
    ).toBe(
      'gmm, NFE 9: EDM 0.800, 20× that of VP original (0.0400) and 10× that of iDDPM+DDIM original ' +
        '(0.0800); FD 8 against 0.400 and 0.800.',
    );
    expect(
      veHeunFinding(
        fake([
          cell('VE + Heun & EDM t_i', 9, 500),
          cell('VE original', 9, 3),
          cell('VE + EDM σ(t) & s(t)', 9, 0.5),
          cell('VE + Heun & EDM t_i', 17, 0.5),
          cell('VE original', 17, 0.8),
          cell('VE + EDM σ(t) & s(t)', 17, 0.07),
        ]),
      ),
    ).toBe(
      'gmm, NFE 9: 500 (VE original 3; the same levels with σ(t) = t, s(t) = 1, ' +
        '"VE + EDM σ(t) & s(t)": 0.500); below VE original from NFE 17 on.',
    );
    expect(lowNfeFinding(fake([cell('EDM', 9, 1)]))).toBeUndefined();
  });
});
