import { stepOrder } from './multistep.js';
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

/** Options of {@link lms} and {@link ipndm}. */
export interface LinearMultistepOptions {
  /** Maximum order 1…4 (default 4). */
  readonly order?: number;
  /** Use order min(order, N − i) on the last steps when N < 15 (default false, as k-diffusion). */
  readonly lowerOrderFinal?: boolean;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** A linear multistep solver ({@link lms}, {@link ipndm}). */
export interface LinearMultistepSolver<N extends string> extends SigmaSolver {
  readonly name: N;
  readonly stochastic: false;
  readonly lowerOrderFinal: boolean;
}

/**
 * The solver a linear multistep method defines: x_{i+1} = x_i + Σ_j c_{i,k,j}·d_{i−j}
 * with d = (x − D(x; σ))/σ, the last `order` slopes kept, the order ramping up
 * from 1 and, with `lowerOrderFinal`, at most N − i when N < 15. Only the
 * coefficient rule differs between iPNDM and LMS.
 *
 * @param coefficient - c(σ list, step i, order k, lag j), the weight of d_{i−j}
 */
export function linearMultistep<N extends string>(
  name: N,
  input: LinearMultistepOptions | undefined,
  coefficient: (sigmas: Float64Array, i: number, k: number, j: number) => number,
): LinearMultistepSolver<N> {
  const options = checkOptions(input, '{ order?, lowerOrderFinal?, duplicates? }');
  const order = checkChoice('order', options.order, [1, 2, 3, 4] as const, 4);
  const lowerOrderFinal = checkBoolean('lowerOrderFinal', options.lowerOrderFinal, false);
  const duplicates = checkDuplicates(options.duplicates, 'reject');

  function start<T>() {
    const ds: T[] = []; // newest first
    return async (ctx: StepContext<T>): Promise<T> => {
      const { i, n, sigma, sigmas } = ctx;
      const denoised = await ctx.denoise(ctx.x, sigma);
      ds.unshift(
        ctx.keep(
          ctx.combine([
            [1 / sigma, ctx.x],
            [-1 / sigma, denoised],
          ]),
        ),
      );
      if (ds.length > order) ctx.drop(ds.pop()!);
      const k = stepOrder(order, i, n, ds.length, lowerOrderFinal);
      const terms: [number, T][] = [[1, ctx.x]];
      for (let j = 0; j < k; j++) terms.push([coefficient(sigmas, i, k, j), ds[j]!]);
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name,
    order,
    stochastic: false,
    duplicates,
    nfe: (steps) => steps,
    start,
    fields: { lowerOrderFinal },
  }) as LinearMultistepSolver<N>;
}
