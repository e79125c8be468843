import { ParameterError, type TensorOps } from '@edmkit/core';
import type { DuplicateSigmas, SigmaStepInfo } from './sigma-solver.js';

/**
 * Shared maths of the multistep exponential-integrator solvers (DPM-Solver++,
 * UniPC, DEIS): option checks, the warm-up / lower-order-final rule, a small
 * dense linear solve and exact integration of Lagrange basis polynomials.
 * Internal: not re-exported from the package index.
 */

/** Below this many steps, `lowerOrderFinal` lowers the order of the last steps (as diffusers does: N < 15). */
export const LOWER_ORDER_FINAL_BELOW = 15;

/** Checks `order` against the allowed values, naming them in the error. */
export function checkOrderOption<const O extends number>(
  value: unknown,
  allowed: readonly O[],
  fallback: O,
): O {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(allowed as readonly number[]).includes(value)) {
    throw new ParameterError('order', `one of ${allowed.join(', ')}`, value);
  }
  return value as O;
}

/** Checks a boolean option. */
export function checkBooleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ParameterError(name, 'true or false', value);
  return value;
}

/** Checks the `duplicates` option of {@link checkSigmas}. */
export function checkDuplicatesOption(value: unknown): DuplicateSigmas {
  if (value === undefined) return 'reject';
  if (value !== 'reject' && value !== 'merge')
    throw new ParameterError('duplicates', "'reject' or 'merge'", value);
  return value;
}

/**
 * Order used at step i (0-based) of N: at most the number of stored model values
 * (warm-up: 1, 2, … up to `order`) and, with `lowerOrderFinal` and N < 15, at most
 * the number of steps left (N − i), as the DPM-Solver reference does.
 */
export function stepOrder(
  order: number,
  i: number,
  n: number,
  stored: number,
  lowerOrderFinal: boolean,
): number {
  let k = Math.min(order, stored);
  if (lowerOrderFinal && n < LOWER_ORDER_FINAL_BELOW) k = Math.min(k, n - i);
  return Math.max(1, k);
}

/** Solves the small dense system A·x = b by Gaussian elimination with partial pivoting. */
export function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row.slice(0, n), b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    if (pivot === 0)
      throw new ParameterError('sigmas', 'noise levels giving a non-singular multistep system', 0);
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / pivot;
      for (let k = c; k <= n; k++) m[r]![k] = m[r]![k]! - f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

// 3-point Gauss–Legendre nodes/weights on [−1, 1]: exact for polynomials of degree ≤ 5.
const GL_NODES = [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)];
const GL_WEIGHTS = [5 / 9, 8 / 9, 5 / 9];

/**
 * ∫_a^b ℓ_j(τ) dτ for the Lagrange basis polynomial ℓ_j of the nodes (at most 3
 * nodes, so degree ≤ 2): exact, by 3-point Gauss–Legendre quadrature.
 */
export function lagrangeIntegral(
  nodes: readonly number[],
  j: number,
  a: number,
  b: number,
): number {
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (let q = 0; q < GL_NODES.length; q++) {
    const tau = mid + half * GL_NODES[q]!;
    let l = 1;
    for (let k = 0; k < nodes.length; k++)
      if (k !== j) l *= (tau - nodes[k]!) / (nodes[j]! - nodes[k]!);
    sum += GL_WEIGHTS[q]! * l;
  }
  return sum * half;
}

/** A linear combination Σ c·T built from a list of coefficient/tensor pairs. */
export type Terms<T> = [number, T][];

/** Calls `onStep` with the step's record. */
export async function report<T>(
  onStep: ((info: SigmaStepInfo<T>) => void | Promise<void>) | undefined,
  info: SigmaStepInfo<T>,
): Promise<void> {
  if (onStep) await onStep(info);
}

/** Disposes every tensor of the list except `keep` (the caller's input). */
export function disposeAll<T>(ops: TensorOps<T>, tensors: readonly T[], keep?: T): void {
  for (const t of tensors) if (t !== keep) ops.dispose(t);
}
