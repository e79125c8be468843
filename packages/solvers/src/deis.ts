import { ParameterError } from '@edmkit/core';
import {
  checkDuplicatesOption,
  checkOrderOption,
  disposeAll,
  lagrangeIntegral,
  report,
  type Terms,
} from './exponential-integrator.js';
import {
  checkSigmas,
  type DuplicateSigmas,
  type SigmaSolver,
  type SigmaSolverResult,
  type SigmaSolverRun,
} from './sigma-solver.js';

/** Options of {@link deis}. */
export interface DeisOptions {
  /** Adams–Bashforth order 1, 2 or 3 (default 3). */
  readonly order?: 1 | 2 | 3;
  /** How repeated consecutive σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** DEIS tAB as a σ-space solver. */
export interface Deis extends SigmaSolver {
  readonly name: 'deis-tab';
  readonly order: 1 | 2 | 3;
  readonly stochastic: false;
  readonly duplicates: DuplicateSigmas;
}

/**
 * DEIS tAB: the time-space Adams–Bashforth exponential integrator of Zhang & Chen,
 * in ρ = σ. In σ-space (s(t) = 1) the exponential integrator on the noise
 * prediction ε(x; σ) = (x − D(x; σ))/σ has no linear part, so a step integrates
 * the Lagrange polynomial through the last k values of ε, exactly (3-point
 * Gauss–Legendre, exact for these degrees). One evaluation per step; the order
 * ramps up 1, 2, … during the first steps. A last step to σ = 0 needs no special
 * case (the integrand is polynomial in σ); with order 1 it returns D(x_{N−1}; σ_{N−1}).
 *
 * Paper: Zhang & Chen 2023 (DEIS, arXiv 2204.13902), eq. (15) "tAB-DEIS" with ρ = σ:
 * x_{i+1} = x_i + Σ_{j<k} C_{ij}·ε_{i−j}, C_{ij} = ∫_{σ_i}^{σ_{i+1}} Π_{m≠j} (τ − σ_{i−m})/(σ_{i−j} − σ_{i−m}) dτ.
 * Order 1 is DDIM (= Euler in σ); the pseudo-linear multistep idea goes back to
 * Liu et al. 2022 (PNDM).
 *
 * @param options.order - 1, 2 or 3 (default 3)
 * @param options.duplicates - 'reject' (default) or 'merge'
 * @example
 * const solver = deis({ order: 3 });
 * const sigmas = [...edmSteps().sigmaSteps(10, { sigmaMin: 0.002, sigmaMax: 80 }), 0];
 * const { x, nfe } = await solver.sample({ ops: arrayOps, denoiser, x: z.map((v) => v * 80), sigmas }); // nfe = 10
 * @see https://arxiv.org/abs/2204.13902
 * @see https://arxiv.org/abs/2206.00364
 */
export function deis(options: DeisOptions = {}): Deis {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError('options', 'an object { order?, duplicates? }', options);
  }
  const order = checkOrderOption(options.order, [1, 2, 3] as const, 3);
  const duplicates = checkDuplicatesOption(options.duplicates);

  async function sample<T>(run: SigmaSolverRun<T>): Promise<SigmaSolverResult<T>> {
    const { ops, denoiser, onStep } = run;
    const sigmas = checkSigmas(run.sigmas, duplicates);
    const n = sigmas.length - 1;
    const history: T[] = []; // ε_{i−k+1}, …, ε_i (newest last)
    let x = run.x;
    let nfe = 0;
    let ok = false;
    try {
      for (let i = 0; i < n; i++) {
        const sigma = sigmas[i]!;
        const sigmaNext = sigmas[i + 1]!;
        const denoised = await denoiser(x, sigma);
        nfe++;
        history.push(
          ops.combine([
            [1 / sigma, x],
            [-1 / sigma, denoised],
          ]),
        );
        ops.dispose(denoised);
        const k = Math.min(order, history.length);
        const nodes: number[] = [];
        for (let j = 0; j < k; j++) nodes.push(sigmas[i - j]!);
        const terms: Terms<T> = [[1, x]];
        for (let j = 0; j < k; j++)
          terms.push([
            lagrangeIntegral(nodes, j, sigma, sigmaNext),
            history[history.length - 1 - j]!,
          ]);
        const xNext = ops.combine(terms);
        if (x !== run.x) ops.dispose(x);
        x = xNext;
        while (history.length > order - 1) ops.dispose(history.shift()!);
        await report(onStep, { i, n, sigma, sigmaNext, nfe, x });
      }
      ok = true;
      return { x, nfe };
    } finally {
      disposeAll(ops, history);
      if (!ok && x !== run.x) ops.dispose(x);
    }
  }

  return Object.freeze({
    name: 'deis-tab' as const,
    order,
    stochastic: false as const,
    duplicates,
    sample,
  });
}
