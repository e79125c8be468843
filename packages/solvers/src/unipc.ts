import { checkOneOf } from '@edmkit/core';
import { solveLinear, stepOrder } from './multistep.js';
import {
  checkBoolean,
  checkChoice,
  checkDuplicates,
  checkOptions,
  defineSolver,
  type DuplicateSigmas,
  type SigmaSolver,
  type StepContext,
} from './runner.js';

/** The B(h) choice of UniPC: B₁(h) = h ('bh1') or B₂(h) = e^h − 1 ('bh2'). */
export type UniPcVariant = 'bh1' | 'bh2';

/** Options of {@link unipc}. */
export interface UniPcOptions {
  /** Predictor order p ∈ {1, 2, 3} (default 2, as diffusers); the corrector raises the accuracy to p + 1. */
  readonly order?: 1 | 2 | 3;
  /** 'bh1' or 'bh2' (default 'bh2'). */
  readonly variant?: UniPcVariant;
  /** Use order min(p, N − i) on the last steps, for any N (default true, as diffusers). */
  readonly lowerOrderFinal?: boolean;
  /** How repeated consecutive σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** UniPC as a σ-space solver. */
export interface UniPc extends SigmaSolver {
  readonly name: 'unipc';
  readonly stochastic: false;
  /** The predictor order p (the solver's `order` is p + 1). */
  readonly predictorOrder: 1 | 2 | 3;
  readonly variant: UniPcVariant;
  readonly lowerOrderFinal: boolean;
  readonly duplicates: DuplicateSigmas;
}

/**
 * UniPC: a unified multistep predictor (UniP) – corrector (UniC) in data-prediction
 * form on λ = −ln σ. The corrector reuses the denoiser evaluation at the predicted
 * point (no extra NFE: one evaluation per step), and that evaluation, taken at the
 * uncorrected point, is what the next step uses; no corrector after the last step.
 *
 * Paper: Zhao et al. 2023 (UniPC, arXiv 2302.04867), Algorithms 2–3 (data prediction).
 * With h = λ_{i+1} − λ_i, r_k = (λ_{i−k} − λ_i)/h, D1_k = (D_{i−k} − D_i)/r_k, r_p = 1,
 * R[m][k] = r_k^m, b_m = m!·h·φ_{m+1}(−h)/B(h) (B(h) = −h for bh1, e^{−h} − 1 for bh2):
 * x̃ = (σ_{i+1}/σ_i)·x_i − (e^{−h} − 1)·D_i;
 * UniP: x_{i+1}^pred = x̃ − B(h)·Σ_k ρᵖ_k·D1_k, ρᵖ solving R[:p−1,:p−1]ρ = b[:p−1] (ρᵖ = ½ when p = 2);
 * UniC: x_{i+1} = x̃ − B(h)·(Σ_k ρᶜ_k·D1_k + ρᶜ_p·(D(x_{i+1}^pred; σ_{i+1}) − D_i)), Rρᶜ = b (ρᶜ = ½ when p = 1).
 * Measured: UniPC-1/2/3 converge at orders 2/3/4 on Gaussian data (EDM ρ = 7 steps, N = 64…1024);
 * formally the order-1 warm-up step caps the asymptotic order, but its error constant is tiny there.
 * Warm-up ramps p = 1, 2, …; with `lowerOrderFinal` the order is at most the number
 * of steps left, whatever N (diffusers' UniPCMultistepScheduler; unlike its
 * DPM-Solver++ and DEIS, which lower it only when N < 15). A last step to σ_N = 0
 * (λ = ∞) is a first-order step x_N = D_{N−1}, as diffusers with a final σ of zero.
 *
 * @param options.order - predictor order 1, 2 or 3 (default 2, as diffusers)
 * @param options.variant - 'bh1' or 'bh2' (default 'bh2')
 * @param options.lowerOrderFinal - default true
 * @param options.duplicates - 'reject' (default) or 'merge'
 * @example
 * const solver = unipc({ order: 3, variant: 'bh2' });
 * const sigmas = [...edmSteps().sigmaSteps(8, { sigmaMin: 0.002, sigmaMax: 80 }), 0];
 * const { x, nfe } = await solver.sample({ ops: arrayOps, denoiser, x: z.map((v) => v * 80), sigmas }); // nfe = 8
 * @see https://arxiv.org/abs/2302.04867
 * @see https://arxiv.org/abs/2206.00364
 */
export function unipc(input?: UniPcOptions): UniPc {
  const options = checkOptions(input, '{ order?, variant?, lowerOrderFinal?, duplicates? }');
  const order = checkChoice('order', options.order, [1, 2, 3] as const, 2);
  const variant = checkOneOf('variant', options.variant ?? 'bh2', ['bh1', 'bh2'] as const);
  const lowerOrderFinal = checkBoolean('lowerOrderFinal', options.lowerOrderFinal, true);
  const duplicates = checkDuplicates(options.duplicates, 'reject');

  function start<T>() {
    const history: T[] = []; // D_{i−k+1}, …, D_i (newest last)
    return async (ctx: StepContext<T>): Promise<T> => {
      const { i, n, sigma, sigmaNext, sigmas } = ctx;
      if (i === 0) history.push(ctx.keep(await ctx.denoise(ctx.x, sigma)));
      const d0 = history[history.length - 1]!;
      if (sigmaNext === 0) return ctx.combine([[1, d0]]);
      const lambda = (j: number) => -Math.log(sigmas[j]!);
      const k = stepOrder(order, i, n, history.length, lowerOrderFinal ? 'always' : false);
      const h = lambda(i + 1) - lambda(i);
      const hh = -h;
      const hPhi1 = Math.expm1(hh);
      const bh = variant === 'bh1' ? hh : hPhi1;
      const rks: number[] = [];
      for (let j = 1; j < k; j++) rks.push((lambda(i - j) - lambda(i)) / h);
      rks.push(1);
      const rMat: number[][] = [];
      const b: number[] = [];
      let hPhiK = hPhi1 / hh - 1;
      let factorial = 1;
      for (let m = 1; m <= k; m++) {
        rMat.push(rks.map((r) => r ** (m - 1)));
        b.push((hPhiK * factorial) / bh);
        factorial *= m + 1;
        hPhiK = hPhiK / hh - 1 / factorial;
      }
      // x̃ and the Σ c_j·D1_j terms written on the stored D values.
      const withDiffs = (rhos: readonly number[], cNew = 0): [number, T][] => {
        const terms: [number, T][] = [[sigmaNext / sigma, ctx.x]];
        let cD0 = -hPhi1 - cNew;
        for (let j = 1; j < k; j++) {
          const c = (-bh * rhos[j - 1]!) / rks[j - 1]!;
          terms.push([c, history[history.length - 1 - j]!]);
          cD0 -= c;
        }
        terms.push([cD0, d0]);
        return terms;
      };
      const rhosP =
        k === 1
          ? []
          : k === 2
            ? [0.5]
            : solveLinear(
                rMat.slice(0, k - 1).map((row) => row.slice(0, k - 1)),
                b.slice(0, k - 1),
              );
      const xPred = ctx.combine(withDiffs(rhosP));
      if (i === n - 1) return xPred;
      // UniC: corrected with the evaluation at the predicted point, which the next step reuses.
      const dNew = ctx.keep(await ctx.denoise(xPred, sigmaNext));
      const rhosC = k === 1 ? [0.5] : solveLinear(rMat, b);
      const cNew = -bh * rhosC[k - 1]!;
      const terms = withDiffs(rhosC, cNew);
      terms.push([cNew, dNew]);
      history.push(dNew);
      while (history.length > order) ctx.drop(history.shift()!);
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name: 'unipc' as const,
    order: order + 1,
    stochastic: false,
    duplicates,
    nfe: (steps) => steps,
    start,
    fields: { predictorOrder: order, variant, lowerOrderFinal },
  }) as UniPc;
}
