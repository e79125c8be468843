import { arrayOps, type TensorOps } from '@edmkit/core';
import { isotropicGaussian } from '@edmkit/data';
import { edmSteps } from '@edmkit/schedules';
import type { SigmaSolver } from '@edmkit/solvers';

/** Shared fixtures of the σ-space solver tests: Gaussian data N(0, 0.5² I) in 4-d with its exact flow. */
export const data = isotropicGaussian({ sigmaData: 0.5, dim: 4 });
export const denoiser = (x: Float64Array, sigma: number): Float64Array => data.denoiser(x, sigma);
export const z = Float64Array.from([1, -0.5, 0.3, 2]);
export const karras = (n: number): number[] => [
  ...edmSteps({ rho: 7 }).sigmaSteps(n, { sigmaMin: 0.002, sigmaMax: 80 }),
  0,
];
export const uniform = (n: number): number[] => [
  ...Array.from({ length: n + 1 }, (_, i) => 10 - (9.5 * i) / n),
  0,
];

/** Max error at the last nonzero σ against the exact flow from x(σ_0) = z·σ_0. */
export async function errorBeforeZero(solver: SigmaSolver, sigmas: number[]): Promise<number> {
  const x = z.map((v) => v * sigmas[0]!);
  const last = sigmas.length - 2;
  let before: Float64Array | undefined;
  await solver.sample({
    ops: arrayOps,
    denoiser,
    x,
    sigmas,
    onStep: (s) => void (s.i === last - 1 && (before = s.x.slice())),
  });
  const exact = data.flow(x, sigmas[0]!, sigmas[last]!);
  return Math.max(...before!.map((v, k) => Math.abs(v - exact[k]!)));
}

export async function observedOrder(
  solver: SigmaSolver,
  grid: (n: number) => number[],
  n: number,
): Promise<number> {
  return Math.log2(
    (await errorBeforeZero(solver, grid(n))) / (await errorBeforeZero(solver, grid(2 * n))),
  );
}

/** arrayOps that tracks every tensor it creates, to check that solvers dispose their intermediates. */
export function trackingOps(): {
  ops: TensorOps<Float64Array>;
  live: Set<Float64Array>;
  track: (t: Float64Array) => Float64Array;
} {
  const live = new Set<Float64Array>();
  const track = (t: Float64Array): Float64Array => (live.add(t), t);
  const ops: TensorOps<Float64Array> = {
    ...arrayOps,
    combine: (terms) => track(arrayOps.combine(terms)),
    randnLike: (like, rngs) => track(arrayOps.randnLike(like, rngs)),
    dispose: (t) => void live.delete(t),
  };
  return { ops, live, track };
}
