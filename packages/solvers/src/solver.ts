import { checkNumber } from '@edmkit/core';

/**
 * The ODE solver of a sampling step (paper Table 1, row "ODE solver").
 *
 * - `euler`: first order, one denoiser evaluation per step.
 * - `second-order`: the generic explicit 2nd-order Runge–Kutta method of paper
 *   Algorithm 1 with parameter α ∈ (0, 1]; α = 1 is Heun's (trapezoidal) method,
 *   α = ½ the explicit midpoint method. Two evaluations per step, except the
 *   last step to σ = 0, which is always an Euler step.
 */
export type Solver = EulerSolver | SecondOrderSolver;

/** Euler's method (paper Table 1: the original VP, VE and iDDPM+DDIM solver). */
export interface EulerSolver {
  readonly name: 'euler';
  readonly order: 1;
}

/** Generic 2nd-order method with parameter α (paper Algorithm 1, lines 9–11). */
export interface SecondOrderSolver {
  readonly name: 'heun' | 'midpoint' | 'second-order';
  readonly order: 2;
  /** α ∈ (0, 1]: the intermediate point sits at t' = t̂ + α·h. */
  readonly alpha: number;
}

/**
 * Euler's method: x_{i+1} = x̂ + h·d(x̂, t̂).
 *
 * Paper: Table 1, "ODE solver: Euler" (VP, VE, iDDPM+DDIM); DDIM is exactly Euler on this ODE.
 * @example
 * await sample({ ..., solver: euler() });
 * @see https://arxiv.org/abs/2206.00364
 */
export function euler(): EulerSolver {
  return Object.freeze({ name: 'euler', order: 1 });
}

/**
 * Heun's 2nd-order method (α = 1), the EDM choice.
 *
 * Paper: Table 1, "ODE solver: 2nd order Heun" (EDM); Algorithm 2, lines 7–8.
 * @example
 * await sample({ ..., solver: heun() });
 * @see https://arxiv.org/abs/2206.00364
 */
export function heun(): SecondOrderSolver {
  return Object.freeze({ name: 'heun', order: 2, alpha: 1 });
}

/**
 * The generic 2nd-order Runge–Kutta method with parameter α:
 * t' = t̂ + α h, x' = x̂ + α h d, x_{i+1} = x̂ + h·[(1 − 1/(2α))·d + (1/(2α))·d'].
 *
 * Paper: Algorithm 1, lines 9–11 (α = 1 Heun, α = ½ midpoint).
 * @param options.alpha - α ∈ (0, 1]; default 1.
 * @example
 * await sample({ ..., solver: secondOrder({ alpha: 0.5 }) }); // explicit midpoint
 * @see https://arxiv.org/abs/2206.00364
 */
export function secondOrder(options: { readonly alpha?: number } = {}): SecondOrderSolver {
  const alpha = checkNumber('alpha', options.alpha ?? 1, { min: 0, minInclusive: false, max: 1 });
  const name = alpha === 1 ? 'heun' : alpha === 0.5 ? 'midpoint' : 'second-order';
  return Object.freeze({ name, order: 2, alpha });
}

/** Number of denoiser evaluations of `n` steps: n for Euler, 2n − 1 for 2nd order (last step Euler). */
export function solverNfe(solver: Solver, n: number): number {
  return solver.order === 1 ? n : 2 * n - 1;
}
