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

/** Options of `edmkit ablate solvers`, with every default filled in. */
export interface SolverCommandOptions {
  /** Target NFE values (`--solver-nfe`). */
  readonly nfe: readonly number[];
  /** Data sets (`--solver-data`). */
  readonly data: readonly DatasetName[];
  readonly seed: number;
  /** Tolerances of the adaptive solver's runs; none in the short version `pnpm ablate` includes. */
  readonly adaptiveTolerances: readonly number[];
  /** Output directory (`--out`). */
  readonly out: string;
  /** Show progress on stderr (`--no-progress` turns it off). */
  readonly progress: boolean;
}

/** Runs `edmkit ablate solvers`. */
export async function runSolverCommand(
  options: SolverCommandOptions,
): Promise<{ cells: SolverCell[]; adaptive: AdaptiveCell[] }> {
  const { nfe, data, seed } = options;
  const outDir = resolve(options.out);
  const solvers = solverEntries();
  const progress = createProgress(options.progress, 'solver runs', 'runs');
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
      adaptiveTolerances: options.adaptiveTolerances,
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
