import { describe, expect, it } from 'vitest';
import { prepareDataset } from '../src/datasets.js';
import { runSolverAblation } from '../src/solver-ablation.js';
import { solverEntries } from '../src/solver-command.js';
import { bestVsHeun, solverTable } from '../src/solver-report.js';

const sizes = {
  gmmSamples: 64,
  gmmDim: 16,
  gmmComponents: 4,
  mnistSamples: 4,
  mnistImages: 20,
  mnistSize: 14,
} as const;

describe('the solver ablation on the Gaussian mixture', () => {
  it('finds a solver at least 5× better than EDM Heun at 10 NFE, and better and finite at 5–6 NFE', async () => {
    const { cells } = await runSolverAblation(prepareDataset('gmm', sizes, 0), {
      solvers: solverEntries().filter((s) =>
        ['EDM Heun', 'DPM-Solver++(2M)', 'UniPC-3 (bh2)', 'iPNDM-4', 'LMS-4'].includes(s.label),
      ),
      nfe: [5, 6, 10],
      rhos: [7],
      seed: 0,
      referenceRtol: 1e-8,
      sigmaMin: 0.002,
      sigmaMax: 80,
    });
    for (const c of cells) if (c.nfe !== undefined) expect(c.nfe).toBeLessThanOrEqual(c.target);
    const at10 = bestVsHeun(cells, 'gmm', 10);
    expect(at10.heun!.nfe).toBe(9); // Heun: 2N − 1
    expect(at10.ratio!).toBeLessThan(0.2);
    for (const t of [5, 6]) {
      const { best, heun } = bestVsHeun(cells, 'gmm', t);
      expect(Number.isFinite(best!.error)).toBe(true);
      expect(best!.error!).toBeLessThan(heun!.error!);
    }
    expect(solverTable(cells)).toContain('| EDM Heun');
  }, 60_000);
});

describe('the solver ablation on blurred MNIST digits', () => {
  it('finds a solver at least 5× better than EDM Heun at 10 NFE, and better and finite at 5–6 NFE', async () => {
    const kde = { ...sizes, mnistSamples: 16, mnistImages: 200 };
    const { cells } = await runSolverAblation(prepareDataset('mnist-kde', kde, 0), {
      solvers: solverEntries().filter((s) =>
        ['EDM Heun', 'DPM-Solver++(2M)', 'iPNDM-4', 'DEIS-3 (tAB)', 'LMS-4'].includes(s.label),
      ),
      nfe: [5, 6, 10],
      rhos: [7],
      seed: 0,
      referenceRtol: 1e-8,
      sigmaMin: 0.002,
      sigmaMax: 80,
    });
    expect(bestVsHeun(cells, 'mnist-kde', 10).ratio!).toBeLessThan(0.2);
    for (const t of [5, 6]) {
      const { best, heun } = bestVsHeun(cells, 'mnist-kde', t);
      expect(Number.isFinite(best!.error)).toBe(true);
      expect(best!.error!).toBeLessThan(heun!.error!);
    }
  }, 120_000);
});
