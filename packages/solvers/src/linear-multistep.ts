import {
  checkSigmas,
  type DuplicateSigmas,
  type SigmaSolverResult,
  type SigmaSolverRun,
} from './sigma-solver.js';

/**
 * The step rule a linear multistep method shares: x_{i+1} = x_i + Σ_j c_{i,k,j}·d_{i−j}
 * with d = (x − D(x; σ))/σ, the last `order` slopes kept, order ramping up from 1 and,
 * with `lowerOrderFinal`, capped at N − i on the last steps when N < 10. Only the
 * coefficient rule differs between iPNDM (fixed Adams–Bashforth weights × step) and
 * LMS (Lagrange basis integrated over the actual σ grid).
 *
 * @param coefficient - c(σ list, step i, order k, lag j), the weight of d_{i−j}
 */
export async function linearMultistep<T>(
  run: SigmaSolverRun<T>,
  options: {
    readonly order: number;
    readonly lowerOrderFinal: boolean;
    readonly duplicates: DuplicateSigmas;
    readonly coefficient: (sigmas: Float64Array, i: number, k: number, j: number) => number;
  },
): Promise<SigmaSolverResult<T>> {
  const { ops, denoiser, onStep } = run;
  const { order, lowerOrderFinal, coefficient } = options;
  const sigmas = checkSigmas(run.sigmas, options.duplicates);
  const n = sigmas.length - 1;
  const ds: T[] = [];
  let x = run.x;
  let nfe = 0;
  try {
    for (let i = 0; i < n; i++) {
      const sigma = sigmas[i]!;
      const sigmaNext = sigmas[i + 1]!;
      const denoised = await denoiser(x, sigma);
      nfe++;
      const d = ops.combine([
        [1 / sigma, x],
        [-1 / sigma, denoised],
      ]);
      ops.dispose(denoised);
      ds.unshift(d);
      if (ds.length > order) ops.dispose(ds.pop()!);
      let k = Math.min(order, i + 1);
      if (lowerOrderFinal && n < 10) k = Math.min(k, n - i);
      const terms: (readonly [number, T])[] = [[1, x]];
      for (let j = 0; j < k; j++) terms.push([coefficient(sigmas, i, k, j), ds[j]!]);
      const next = ops.combine(terms);
      if (x !== run.x) ops.dispose(x);
      x = next;
      if (onStep) await onStep({ i, n, sigma, sigmaNext, nfe, x });
    }
  } catch (error) {
    if (x !== run.x) ops.dispose(x);
    throw error;
  } finally {
    for (const d of ds) ops.dispose(d);
  }
  return { x, nfe };
}
