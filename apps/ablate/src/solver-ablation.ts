import { arrayOps, checkInteger, sampleRngs } from '@edmkit/core';
import { referenceSolve, rmsError, summarize } from '@edmkit/metrics';
import { edmSteps } from '@edmkit/schedules';
import { stepsForNfe, type AdaptiveSolver, type SigmaSolver } from '@edmkit/solvers';
import type { PreparedDataset } from './datasets.js';

/** One run of the adaptive solver: its tolerance, the NFE it chose and its error. */
export interface AdaptiveCell {
  readonly dataset: string;
  readonly rtol: number;
  readonly nfe: number;
  readonly error: number;
}

/** One solver of the ablation: a label and how to build it. */
export interface SolverEntry {
  readonly label: string;
  readonly solver: SigmaSolver;
}

/** Options of {@link runSolverAblation}. */
export interface SolverAblationOptions {
  readonly solvers: readonly SolverEntry[];
  /** Target NFE values: each solver uses the most steps whose NFE does not exceed a target. */
  readonly nfe: readonly number[];
  /** ρ values of the EDM time steps to try; each cell keeps the best. */
  readonly rhos: readonly number[];
  readonly seed: number;
  readonly referenceRtol: number;
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  readonly onProgress?: (event: { solver: string; nfe: number }) => void;
  /** Tolerances (rtol = atol) at which the adaptive solver runs, reporting the NFE it used. */
  readonly adaptiveTolerances?: readonly number[];
  /** Builds the adaptive solver for a tolerance. */
  readonly adaptiveSolver?: (tol: number) => AdaptiveSolver;
}

/** One cell: a solver at one NFE target on one data set. */
export interface SolverCell {
  readonly dataset: string;
  readonly solver: string;
  readonly target: number;
  /** Steps N and the NFE the run used (≤ target), undefined when no step count fits. */
  readonly n?: number;
  readonly nfe?: number;
  /** The ρ that gave the smallest error. */
  readonly rho?: number;
  /** The data set's statistic of the per-sample RMS error against the exact ODE solution. */
  readonly error?: number;
  /** Error for every ρ tried. */
  readonly byRho?: Record<string, number>;
  readonly note?: string;
}

/**
 * Runs every solver at every NFE target on one data set from the same latents,
 * with EDM time steps (the best of `rhos`), scored against the near-exact ODE solution.
 */
export async function runSolverAblation(
  dataset: PreparedDataset,
  options: SolverAblationOptions,
): Promise<{ cells: SolverCell[]; adaptive: AdaptiveCell[] }> {
  const { data, samples } = dataset;
  const { dim } = data;
  const range = { sigmaMin: options.sigmaMin, sigmaMax: options.sigmaMax };
  const latents = new Float64Array(samples * dim);
  sampleRngs(options.seed, samples).forEach((rng, b) => rng.fillNormal(latents, b * dim, dim));
  const x0 = arrayOps.combine([[options.sigmaMax, latents]]);
  const reference = await referenceSolve({
    denoiser: data.denoiser,
    x0,
    sigmaMax: options.sigmaMax,
    dim,
    rtol: options.referenceRtol,
  });
  const cells: SolverCell[] = [];
  for (const { label, solver } of options.solvers) {
    for (const target of [...options.nfe].sort((a, b) => a - b)) {
      checkInteger('nfe', target, 1);
      const n = stepsForNfe(solver, target);
      if (n === undefined) {
        cells.push({
          dataset: dataset.key,
          solver: label,
          target,
          note: 'no step count fits this NFE',
        });
        continue;
      }
      const byRho: Record<string, number> = {};
      let best: { rho: number; error: number; nfe: number } | undefined;
      for (const rho of options.rhos) {
        const sigmas = [...edmSteps({ rho }).sigmaSteps(n, range), 0];
        const { x, nfe } = await solver.sample({
          ops: arrayOps,
          denoiser: data.denoiser,
          x: x0,
          sigmas,
          rngs: sampleRngs(options.seed + 1, samples),
        });
        const stats = summarize(rmsError(x, reference.x, dim));
        const error = stats[dataset.statistic];
        byRho[String(rho)] = error;
        if (!best || error < best.error || !Number.isFinite(best.error)) best = { rho, error, nfe };
      }
      options.onProgress?.({ solver: label, nfe: best!.nfe });
      cells.push({
        dataset: dataset.key,
        solver: label,
        target,
        n,
        nfe: best!.nfe,
        rho: best!.rho,
        error: best!.error,
        byRho,
      });
    }
  }
  const adaptive: AdaptiveCell[] = [];
  for (const tol of options.adaptiveTolerances ?? []) {
    const solver = options.adaptiveSolver!(tol);
    const { x, nfe } = await solver.sample({
      ops: arrayOps,
      denoiser: data.denoiser,
      x: x0,
      sigmas: [options.sigmaMax, options.sigmaMin, 0],
    });
    const stats = summarize(rmsError(x, reference.x, dim));
    adaptive.push({ dataset: dataset.key, rtol: tol, nfe, error: stats[dataset.statistic] });
  }
  return { cells, adaptive };
}

/** One row of the order study: a solver's error on a 1-D Gaussian at N steps and the observed orders. */
export interface OrderRow {
  readonly solver: string;
  readonly steps: readonly number[];
  readonly errors: readonly number[];
  /** log2(e_N / e_2N) for consecutive step counts. */
  readonly orders: readonly number[];
}

/**
 * The observed order of convergence of every deterministic solver on 1-D Gaussian data
 * N(0, 0.5²), where the probability-flow ODE has a closed form: EDM time steps (ρ = 7) from 80 to
 * σ_min = 0.002 (no step into σ = 0), max error at σ_min over a few starting points, N = 20, 40, 80, 160.
 */
export async function orderStudy(solvers: readonly SolverEntry[]): Promise<OrderRow[]> {
  const sigmaData = 0.5;
  const range = { sigmaMin: 0.002, sigmaMax: 80 };
  const z = Float64Array.of(-1.7, -0.6, 0.3, 1.1, 2.2);
  const x0 = z.map((v) => v * range.sigmaMax);
  const exact = z.map(
    (v) =>
      v *
      range.sigmaMax *
      Math.sqrt((range.sigmaMin ** 2 + sigmaData ** 2) / (range.sigmaMax ** 2 + sigmaData ** 2)),
  );
  const denoiser = (x: Float64Array, sigma: number) =>
    x.map((v) => (v * sigmaData ** 2) / (sigma ** 2 + sigmaData ** 2));
  const steps = [20, 40, 80, 160];
  const rows: OrderRow[] = [];
  for (const { label, solver } of solvers) {
    if (solver.stochastic) continue;
    const errors: number[] = [];
    for (const n of steps) {
      const sigmas = edmSteps({ rho: 7 }).sigmaSteps(n + 1, range);
      const { x } = await solver.sample({ ops: arrayOps, denoiser, x: x0, sigmas });
      errors.push(Math.max(...exact.map((e, k) => Math.abs(x[k]! - e))));
    }
    const orders = errors.slice(1).map((e, k) => Math.log2(errors[k]! / e));
    rows.push({ solver: label, steps, errors, orders });
  }
  return rows;
}
