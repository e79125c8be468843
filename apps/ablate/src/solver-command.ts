import { resolve } from 'node:path';
import { writeResultSet } from './output/index.js';
import {
  adaptive,
  deis,
  dpm2Ancestral,
  dpmpp2sAncestral,
  dpmppSde,
  dpmSolverPlusPlus,
  dpmSolverPlusPlusSde,
  dpmSolverPlusPlusSingle,
  dpmSolverSingle,
  eulerAncestral,
  heun,
  ipndm,
  lms,
  unipc,
} from '@edmkit/solvers';
import { prepareDataset, type DatasetName, type DatasetSizes } from './datasets.js';
import { createProgress } from './progress.js';
import {
  orderStudy,
  runSolverAblation,
  type AdaptiveCell,
  type SolverCell,
  type SolverEntry,
} from './solver-ablation.js';
import { writeSolverReport, solverTable } from './solver-report.js';

/** The solvers of `edmkit ablate solvers`, EDM's Heun first (the baseline). */
export function solverEntries(): SolverEntry[] {
  return [
    { label: 'EDM Heun', solver: heun() },
    { label: 'DPM-Solver++(2M)', solver: dpmSolverPlusPlus({ order: 2 }) },
    { label: 'DPM-Solver++(3M)', solver: dpmSolverPlusPlus({ order: 3 }) },
    {
      label: 'DPM-Solver++(3M), Taylor D2',
      solver: dpmSolverPlusPlus({ order: 3, d2Coefficient: 'taylor' }),
    },
    { label: 'DPM-Solver++(3S)', solver: dpmSolverPlusPlusSingle({ order: 3 }) },
    { label: 'UniPC-3 (bh2)', solver: unipc({ order: 3, variant: 'bh2' }) },
    { label: 'UniPC-3 (bh1)', solver: unipc({ order: 3, variant: 'bh1' }) },
    { label: 'iPNDM-4', solver: ipndm({ order: 4 }) },
    { label: 'DEIS-3 (log σ)', solver: deis({ order: 3 }) },
    { label: 'DEIS-3 (σ)', solver: deis({ order: 3, interpolation: 'sigma' }) },
    { label: 'LMS-4', solver: lms({ order: 4 }) },
    { label: 'DPM-Solver-2', solver: dpmSolverSingle({ order: 2 }) },
    { label: 'DPM-Solver-3', solver: dpmSolverSingle({ order: 3 }) },
    { label: 'Euler ancestral', solver: eulerAncestral() },
    { label: 'DPM-Solver-2 ancestral', solver: dpm2Ancestral() },
    { label: 'DPM-Solver++(2S) ancestral', solver: dpmpp2sAncestral() },
    { label: 'DPM-Solver++ SDE', solver: dpmppSde() },
    { label: 'DPM-Solver++(2M) SDE', solver: dpmSolverPlusPlusSde({ order: 2 }) },
    { label: 'DPM-Solver++(3M) SDE', solver: dpmSolverPlusPlusSde({ order: 3 }) },
  ];
}

/** Defaults of `edmkit ablate solvers`. */
export const solverDefaults = Object.freeze({
  nfe: [5, 6, 8, 10, 12, 15, 20, 35, 50],
  /** The short version `pnpm ablate` runs. */
  shortNfe: [5, 10, 20],
  rhos: [5, 7],
  /**
   * The mixture, the empirical MNIST set (whose exact flow ends on a training image, so errors
   * are 0 or a digit apart) and the same digits blurred by N(0, 0.1²) (a flow that does not
   * collapse, so the median error measures the discretisation).
   */
  data: ['gmm', 'mnist', 'mnist-kde'] as DatasetName[],
  adaptiveTolerances: [1e-2, 1e-3, 1e-4],
  sizes: Object.freeze<DatasetSizes>({
    gmmSamples: 256,
    gmmDim: 16,
    gmmComponents: 4,
    mnistSamples: 32,
    mnistImages: 500,
    mnistSize: 14,
  }),
});

/** Runs `edmkit ablate solvers` with parsed options; `short` is the version `pnpm ablate` includes. */
export async function runSolverCommand(
  opts: Record<string, unknown>,
  short: boolean,
): Promise<{ cells: SolverCell[]; adaptive: AdaptiveCell[] }> {
  const nfe =
    (opts['solverNfe'] as number[] | undefined) ??
    (short ? solverDefaults.shortNfe : solverDefaults.nfe);
  const data = (opts['solverData'] as DatasetName[] | undefined) ?? solverDefaults.data;
  const seed = (opts['seed'] as number | undefined) ?? 0;
  const outDir = resolve(typeof opts['out'] === 'string' ? opts['out'] : 'results');
  const solvers = solverEntries();
  const progress = createProgress(opts['progress'] !== false, 'solver runs', 'runs');
  const started = performance.now();
  progress.start(solvers.length * nfe.length * data.length);
  const cells: SolverCell[] = [];
  const adaptiveCells: AdaptiveCell[] = [];
  for (const name of data) {
    const dataset = prepareDataset(name, solverDefaults.sizes, seed);
    const result = await runSolverAblation(dataset, {
      solvers,
      nfe,
      rhos: solverDefaults.rhos,
      seed,
      referenceRtol: 1e-8,
      sigmaMin: 0.002,
      sigmaMax: 80,
      onProgress: ({ solver }) => progress.advance(1, `${name}: ${solver}`),
      adaptiveTolerances: short ? [] : solverDefaults.adaptiveTolerances,
      adaptiveSolver: (tol) => adaptive({ rtol: tol, atol: tol }),
    });
    cells.push(...result.cells);
    adaptiveCells.push(...result.adaptive);
  }
  progress.stop();
  const orders = await orderStudy(solvers);
  const seconds = (performance.now() - started) / 1000;
  const files = await writeResultSet(outDir, 'solver-ablation', (dir) =>
    writeSolverReport(
      dir,
      cells,
      adaptiveCells,
      {
        ablation: 'solvers',
        nfe,
        rhos: solverDefaults.rhos,
        sizes: solverDefaults.sizes,
        seed,
        wallSeconds: seconds,
      },
      orders,
    ),
  );
  process.stdout.write(
    `\nSolver ablation: error against the exact ODE solution by NFE (EDM time steps, best ρ of ${solverDefaults.rhos.join(', ')})\n\n${solverTable(cells)}\n`,
  );
  process.stdout.write(
    `Wall time ${seconds.toFixed(1)} s. Wrote:\n${files.map((f) => `  ${f}`).join('\n')}\n`,
  );
  return { cells, adaptive: adaptiveCells };
}
