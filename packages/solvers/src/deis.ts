import { checkOneOf, ParameterError } from '@edmkit/core';
import { lagrangeIntegral, stepOrder } from './multistep.js';
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

/** The variable DEIS interpolates the noise prediction in: ln σ (diffusers' "logrho") or σ. */
export type DeisInterpolation = 'log-sigma' | 'sigma';

/** Options of {@link deis}. */
export interface DeisOptions {
  /** Adams–Bashforth order 1, 2 or 3 (default 2, as diffusers). */
  readonly order?: 1 | 2 | 3;
  /** 'log-sigma' (default, diffusers' `solver_type="logrho"`) or 'sigma'. */
  readonly interpolation?: DeisInterpolation;
  /** Use lower orders for the last steps when N < 15 (default true, as diffusers). */
  readonly lowerOrderFinal?: boolean;
  /** Repeated σ values: zero-length steps (`'keep'`, default, as diffusers), `'merge'` or `'reject'`. */
  readonly duplicates?: DuplicateSigmas;
}

/** DEIS tAB. */
export interface Deis extends SigmaSolver {
  readonly name: 'deis-tab';
  readonly order: 1 | 2 | 3;
  readonly stochastic: false;
  readonly interpolation: DeisInterpolation;
  readonly lowerOrderFinal: boolean;
}

/**
 * ∫_a^b ℓ_j(ln τ) dτ for the Lagrange basis ℓ_j on the nodes ln ρ_k (at most 3),
 * in closed form: with u = ln τ, ∫(u − c) dτ = τ(u − c − 1) and
 * ∫(u − c)(u − d) dτ = τ[u² − 2u + 2 − (c + d)(u − 1) + cd].
 */
export function logLagrangeIntegral(
  nodes: readonly number[],
  j: number,
  a: number,
  b: number,
): number {
  if (a === b) return 0;
  const ln = nodes.map(Math.log);
  const self = ln[j]!;
  const others = ln.filter((_, k) => k !== j);
  for (const o of others)
    if (o === self)
      throw new ParameterError('sigmas', 'distinct noise levels among the multistep nodes', nodes);
  const antiderivative = (t: number): number => {
    const u = Math.log(t);
    if (others.length === 0) return t;
    if (others.length === 1) return (t * (u - others[0]! - 1)) / (self - others[0]!);
    const [c, d] = others as [number, number];
    return (t * (u * u - 2 * u + 2 - (c + d) * (u - 1) + c * d)) / ((self - c) * (self - d));
  };
  return antiderivative(b) - antiderivative(a);
}

/**
 * DEIS tAB: the time-space Adams–Bashforth exponential integrator of Zhang & Chen.
 * In σ-space (s(t) = 1) the exponential integrator on the noise prediction
 * ε(x; σ) = (x − D(x; σ))/σ has no linear part, so a step integrates the Lagrange
 * polynomial through the last k values of ε — in ln σ (`'log-sigma'`, diffusers'
 * default "logrho", closed form) or in σ (`'sigma'`, Gauss–Legendre, exact). One
 * evaluation per step; the order ramps up 1, 2, … and, with `lowerOrderFinal` and
 * N < 15, is at most the number of steps left. A zero-length step (a repeated σ)
 * costs its evaluation and leaves x unchanged.
 *
 * Paper: Zhang & Chen 2023 (DEIS, arXiv 2204.13902), eq. (15) "tAB-DEIS" with ρ = σ:
 * x_{i+1} = x_i + Σ_{j<k} C_{ij}·ε_{i−j}, C_{ij} = ∫_{σ_i}^{σ_{i+1}} ℓ_j(τ) dτ with ℓ_j the
 * Lagrange basis on the nodes σ_{i−m} (in ln τ for 'log-sigma'). Order 1 is DDIM.
 * This is diffusers' DEISMultistepScheduler.
 *
 * @param options.order - 1, 2 or 3 (default 2, as diffusers)
 * @param options.interpolation - 'log-sigma' (default) or 'sigma'
 * @param options.lowerOrderFinal - default true
 * @param options.duplicates - 'keep' (default), 'merge' or 'reject'
 * @example
 * const { x, nfe } = await deis({ order: 3 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas }); // nfe = N
 * @see https://arxiv.org/abs/2204.13902
 */
export function deis(input?: DeisOptions): Deis {
  const options = checkOptions(input, '{ order?, interpolation?, lowerOrderFinal?, duplicates? }');
  const order = checkChoice('order', options.order, [1, 2, 3] as const, 2);
  const interpolation = checkOneOf('interpolation', options.interpolation ?? 'log-sigma', [
    'log-sigma',
    'sigma',
  ] as const);
  const lowerOrderFinal = checkBoolean('lowerOrderFinal', options.lowerOrderFinal, true);
  const duplicates = checkDuplicates(options.duplicates, 'keep', ['reject', 'merge', 'keep']);
  const integral = interpolation === 'log-sigma' ? logLagrangeIntegral : lagrangeIntegral;

  function start<T>() {
    const history: T[] = []; // ε_{i−k+1}, …, ε_i (newest last)
    return async (ctx: StepContext<T>): Promise<T> => {
      const { i, n, sigma, sigmaNext, sigmas } = ctx;
      const denoised = await ctx.denoise(ctx.x, sigma);
      history.push(
        ctx.keep(
          ctx.combine([
            [1 / sigma, ctx.x],
            [-1 / sigma, denoised],
          ]),
        ),
      );
      if (history.length > order) ctx.drop(history.shift()!);
      if (sigmaNext === sigma) return ctx.x; // zero-length step
      const k = stepOrder(order, i, n, history.length, lowerOrderFinal);
      const nodes: number[] = [];
      for (let j = 0; j < k; j++) nodes.push(sigmas[i - j]!);
      // Into σ = 0 the log-σ antiderivatives are taken at the smallest double (τ·lnᵏτ → 0 there).
      const end = sigmaNext === 0 && interpolation === 'log-sigma' ? Number.MIN_VALUE : sigmaNext;
      const terms: [number, T][] = [[1, ctx.x]];
      for (let j = 0; j < k; j++)
        terms.push([integral(nodes, j, sigma, end), history[history.length - 1 - j]!]);
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name: 'deis-tab' as const,
    order,
    stochastic: false,
    duplicates,
    nfe: (steps) => steps,
    start,
    fields: { interpolation, lowerOrderFinal },
  }) as Deis;
}
