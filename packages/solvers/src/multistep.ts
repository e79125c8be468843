import { ParameterError } from '@edmkit/core';

/**
 * Shared maths of the multistep solvers (DPM-Solver++, UniPC, DEIS, LMS, iPNDM):
 * the lower-order-final rule, a small dense linear solve and exact integrals of
 * Lagrange basis polynomials. Internal: not re-exported from the package index.
 */

/**
 * `lowerOrderFinal` lowers the order of the last steps only below this many
 * steps (diffusers' rule for DPM-Solver++ and DEIS: N < 15). UniPC lowers it for
 * any N.
 */
export const LOWER_ORDER_FINAL_BELOW = 15;

/**
 * Order used at step i (0-based) of N: at most the number of stored model values
 * (warm-up 1, 2, …) and, with `lowerOrderFinal`, at most the number of steps left
 * (N − i) — for every N (`'always'`) or only when N < 15 (`'below-15'`).
 */
export function stepOrder(
  order: number,
  i: number,
  n: number,
  stored: number,
  lowerOrderFinal: boolean | 'always',
): number {
  let k = Math.min(order, stored);
  if (lowerOrderFinal === 'always' || (lowerOrderFinal && n < LOWER_ORDER_FINAL_BELOW))
    k = Math.min(k, n - i);
  return Math.max(1, k);
}

/**
 * The weights of D_i, D_{i−1}, D_{i−2} in φ₂·D1 − φ₃·D2, the 3rd-order part of a DPM-Solver++
 * multistep update, with r₀ = h_{i−1}/h, r₁ = h_{i−2}/h, D1₀ = (D_i − D_{i−1})/r₀,
 * D1₁ = (D_{i−1} − D_{i−2})/r₁, D1 = D1₀ + r₀/(r₀ + r₁)·(D1₀ − D1₁), D2 = (D1₀ − D1₁)/(r₀ + r₁).
 */
export function thirdOrderWeights(
  r0: number,
  r1: number,
  phi2: number,
  phi3: number,
): [number, number, number] {
  // φ₂·D1 − φ₃·D2 = a0·D1₀ + a1·D1₁.
  const a0 = phi2 * (1 + r0 / (r0 + r1)) - phi3 / (r0 + r1);
  const a1 = -phi2 * (r0 / (r0 + r1)) + phi3 / (r0 + r1);
  return [a0 / r0, -a0 / r0 + a1 / r1, -a1 / r1];
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
    if (pivot === 0 || !Number.isFinite(pivot))
      throw new ParameterError(
        'sigmas',
        'noise levels giving a non-singular multistep system',
        pivot,
      );
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

// 3-point Gauss–Legendre nodes and weights on [−1, 1]: exact for polynomials of degree ≤ 5.
const GL_NODES = [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)] as const;
const GL_WEIGHTS = [5 / 9, 8 / 9, 5 / 9] as const;

/**
 * ∫_a^b ℓ_j(τ) dτ for the Lagrange basis polynomial ℓ_j of the (at most 4, distinct)
 * nodes, so of degree ≤ 3: exact, by 3-point Gauss–Legendre quadrature.
 */
export function lagrangeIntegral(
  nodes: readonly number[],
  j: number,
  a: number,
  b: number,
): number {
  if (a === b) return 0;
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (let q = 0; q < GL_NODES.length; q++) {
    const tau = mid + half * GL_NODES[q]!;
    let l = 1;
    for (let k = 0; k < nodes.length; k++) {
      if (k === j) continue;
      const gap = nodes[j]! - nodes[k]!;
      if (gap === 0)
        throw new ParameterError(
          'sigmas',
          'distinct noise levels among the multistep nodes',
          nodes,
        );
      l *= (tau - nodes[k]!) / gap;
    }
    sum += GL_WEIGHTS[q]! * l;
  }
  return sum * half;
}
