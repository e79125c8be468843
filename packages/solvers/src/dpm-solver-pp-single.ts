import { checkOneOf } from '@edmkit/core';
import type { DpmSolverType } from './dpm-solver-pp.js';
import {
  checkChoice,
  checkDuplicates,
  checkOptions,
  defineSolver,
  type DuplicateSigmas,
  type SigmaSolver,
  type StepContext,
} from './runner.js';

/** Options of {@link dpmSolverPlusPlusSingle}. */
export interface DpmSolverPlusPlusSingleOptions {
  /** 2 (default) or 3: the order of each single step. */
  readonly order?: 2 | 3;
  /** 'midpoint' (default) or 'heun'. */
  readonly solverType?: DpmSolverType;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** The solver returned by {@link dpmSolverPlusPlusSingle}. */
export interface DpmSolverPlusPlusSingleSolver extends SigmaSolver {
  readonly name: 'dpmpp-2s' | 'dpmpp-3s';
  readonly order: 2 | 3;
  readonly stochastic: false;
  readonly solverType: DpmSolverType;
}

/**
 * The orders of the grid intervals of a single-step DPM-Solver++ run: groups
 * 1, 2, … up to `order` (a group of k intervals is one k-th order step), the
 * tail shortened so the last group ends on σ_N, and the interval into σ = 0 first
 * order (diffusers' `get_order_list` with `lower_order_final`).
 */
export function singlestepOrders(order: 2 | 3, steps: number, finalZero: boolean): number[] {
  const group = order === 2 ? [1, 2] : [1, 2, 3];
  const full = Math.floor(steps / order);
  const rest = steps % order;
  let orders: number[];
  if (rest === 0) orders = [...repeat(group, full - 1), ...group.slice(0, order - 1), 1];
  else orders = [...repeat(group, full), ...group.slice(0, rest)];
  if (finalZero) orders[orders.length - 1] = 1;
  return orders;
}

function repeat(group: readonly number[], times: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < times; t++) out.push(...group);
  return out;
}

/**
 * Single-step DPM-Solver++ (data prediction) of order 2 or 3 with its
 * intermediate points taken from the step grid, as diffusers'
 * DPMSolverSinglestepScheduler: the grid intervals are grouped (see
 * {@link singlestepOrders}); inside a group of k intervals starting at σ_s the
 * first k − 1 intervals are DDIM steps that only place the evaluation points, and
 * the last jumps from x(σ_s) with the k collected D values. One evaluation per
 * interval.
 *
 * Paper: Lu et al. 2022 (DPM-Solver++, arXiv 2211.01095), Algorithm 1 (2S) and
 * its 3rd-order analogue. With λ = −ln σ, h = λ_t − λ_s, φ₁ = e^{−h} − 1:
 * 2nd order (points s, s₀; r₀ = (λ_{s₀} − λ_s)/h, D1 = (D_{s₀} − D_s)/r₀):
 * x_t = (σ_t/σ_s)x_s − φ₁D_s − ½φ₁D1 ('midpoint') or + (φ₁/h + 1)D1 ('heun');
 * 3rd order (points s, s₁, s₀; rₖ = (λ_{sₖ} − λ_s)/h, D1₀ = (D_{s₁} − D_s)/r₁,
 * D1₁ = (D_{s₀} − D_s)/r₀): 'midpoint' x_t = (σ_t/σ_s)x_s − φ₁D_s + (φ₁/h + 1)D1₁;
 * 'heun' adds the D1, D2 interpolation of the reference.
 *
 * @param options.order - 2 (default) or 3
 * @param options.solverType - 'midpoint' (default) or 'heun'
 * @example
 * const { x, nfe } = await dpmSolverPlusPlusSingle({ order: 3 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas });
 * @see https://arxiv.org/abs/2211.01095
 */
export function dpmSolverPlusPlusSingle(
  input?: DpmSolverPlusPlusSingleOptions,
): DpmSolverPlusPlusSingleSolver {
  const options = checkOptions(input, '{ order?, solverType?, duplicates? }');
  const order = checkChoice('order', options.order, [2, 3] as const, 2);
  const solverType = checkOneOf('solverType', options.solverType ?? 'midpoint', [
    'midpoint',
    'heun',
  ] as const);
  const duplicates = checkDuplicates(options.duplicates, 'reject');

  function start<T>() {
    let orders: number[] = [];
    let start: T | undefined; // x at the start of the current group
    let startIndex = 0;
    const outputs: T[] = []; // D values of the current group, oldest first
    return async (ctx: StepContext<T>): Promise<T> => {
      const { i, n, sigmas, sigmaNext } = ctx;
      if (i === 0) orders = singlestepOrders(order, n, sigmas[n] === 0);
      const k = orders[i]!;
      if (k === 1) {
        for (const t of outputs) ctx.drop(t);
        outputs.length = 0;
        if (start !== undefined) ctx.drop(start);
        start = ctx.keep(ctx.x);
        startIndex = i;
      }
      const d = ctx.keep(await ctx.denoise(ctx.x, ctx.sigma));
      outputs.push(d);
      if (sigmaNext === 0) return ctx.combine([[1, d]]);
      const lambda = (j: number) => -Math.log(sigmas[j]!);
      const s = startIndex;
      const h = lambda(i + 1) - lambda(s);
      const phi1 = Math.expm1(-h);
      const phi2 = phi1 / h + 1;
      const terms: [number, T][] = [[sigmaNext / sigmas[s]!, start!]];
      if (k === 1) {
        terms.push([-phi1, outputs[0]!]);
      } else if (k === 2) {
        const r0 = (lambda(s + 1) - lambda(s)) / h;
        const w = solverType === 'midpoint' ? -0.5 * phi1 : phi2;
        terms.push([-phi1 - w / r0, outputs[0]!], [w / r0, outputs[1]!]);
      } else {
        const r1 = (lambda(s + 1) - lambda(s)) / h;
        const r0 = (lambda(s + 2) - lambda(s)) / h;
        // Coefficients of D_s, D_{s₁}, D_{s₀}.
        const c = [-phi1, 0, 0];
        if (solverType === 'midpoint') {
          c[0]! -= phi2 / r0;
          c[2]! += phi2 / r0;
        } else {
          // D1 = (r₀D1₀ − r₁D1₁)/(r₀ − r₁), D2 = 2(D1₁ − D1₀)/(r₀ − r₁).
          const phi3 = phi2 / h - 0.5;
          const d10 = [-1 / r1, 1 / r1, 0];
          const d11 = [-1 / r0, 0, 1 / r0];
          for (let j = 0; j < 3; j++) {
            const d1 = (r0 * d10[j]! - r1 * d11[j]!) / (r0 - r1);
            const d2 = (2 * (d11[j]! - d10[j]!)) / (r0 - r1);
            c[j]! += phi2 * d1 - phi3 * d2;
          }
        }
        for (let j = 0; j < 3; j++) terms.push([c[j]!, outputs[j]!]);
      }
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name: order === 2 ? ('dpmpp-2s' as const) : ('dpmpp-3s' as const),
    order,
    stochastic: false,
    duplicates,
    nfe: (steps) => steps,
    start,
    fields: { solverType },
  }) as DpmSolverPlusPlusSingleSolver;
}
