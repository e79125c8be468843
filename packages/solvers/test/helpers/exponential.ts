import { arrayOps, createRng, type Denoiser, type TensorOps } from '@edmkit/core';
import { isotropicGaussian } from '@edmkit/data';
import { edmSteps } from '@edmkit/schedules';
import type { SigmaSolver } from '@edmkit/solvers';

/** Shared fixtures of the exponential-integrator tests: Gaussian data N(0, 0.5² I) in 3-d, a batch of 2. */
export const data = isotropicGaussian({ sigmaData: 0.5, dim: 3 });
export const gaussian: Denoiser<Float64Array> = (x, s) => data.denoiser(x, s);
export const rng = createRng(11);
export const z = Float64Array.from({ length: 6 }, () => rng.normal()); // batch of 2
export const x0 = z.map((v) => v * 80);
export const maxAbs = (a: Float64Array, b: Float64Array) =>
  Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

/** Max error at σ_min = 0.002 (no final 0) against the exact flow, on N EDM steps (ρ = 7). */
export async function errorAt(solver: SigmaSolver, n: number): Promise<number> {
  const sigmas = edmSteps({ rho: 7 }).sigmaSteps(n, { sigmaMin: 0.002, sigmaMax: 80 });
  const { x } = await solver.sample({ ops: arrayOps, denoiser: gaussian, x: x0, sigmas });
  return maxAbs(x, data.flow(x0, 80, 0.002));
}

/** Observed orders log₂(e_N / e_2N) for N = 64, 128. */
export async function observedOrders(solver: SigmaSolver): Promise<number[]> {
  const e = [await errorAt(solver, 64), await errorAt(solver, 128), await errorAt(solver, 256)];
  return [Math.log2(e[0]! / e[1]!), Math.log2(e[1]! / e[2]!)];
}

/** arrayOps that records every tensor it or the denoiser creates and every disposal. */
export function tracking() {
  const live = new Set<Float64Array>();
  const ops: TensorOps<Float64Array> = {
    ...arrayOps,
    combine: (terms) => {
      const t = arrayOps.combine(terms);
      live.add(t);
      return t;
    },
    dispose: (t) => {
      if (!live.delete(t)) throw new Error('disposed a tensor not created by the solver');
    },
  };
  const wrap =
    (d: Denoiser<Float64Array>): Denoiser<Float64Array> =>
    async (x, s) => {
      const t = await d(x, s);
      live.add(t);
      return t;
    };
  return { ops, wrap, live };
}

// A linear denoiser D(x; σ) = a(σ)·x + b with a(σ) = 1/(1 + σ²), b = 0.3 (for hand computation).
export const linear: Denoiser<Float64Array> = (x, s) => x.map((v) => v / (1 + s * s) + 0.3);

/**
 * Runs the solver `make(order)` from the same latents on N = 16 and 256 EDM steps to
 * σ = 0 with Gaussian data: its NFE and max error against the closed-form flow at σ = 0.
 */
export async function gaussianConvergence(
  make: (order: 1 | 2 | 3) => SigmaSolver,
  order: 1 | 2 | 3,
) {
  const exact = data.flow(x0, 80, 0);
  const out: { n: number; nfe: number; error: number }[] = [];
  for (const n of [16, 256]) {
    const sigmas = [...edmSteps().sigmaSteps(n, { sigmaMin: 0.002, sigmaMax: 80 }), 0];
    const { x, nfe } = await make(order).sample({
      ops: arrayOps,
      denoiser: gaussian,
      x: x0,
      sigmas,
    });
    out.push({ n, nfe, error: maxAbs(x, exact) });
  }
  return out;
}

/**
 * Runs `make(order)` on tracked tensors with an async denoiser: the tensors left alive
 * besides the result, the result, and the (hopefully untouched) input.
 */
export async function trackedRun(make: (order: 1 | 2 | 3) => SigmaSolver, order: 1 | 2 | 3) {
  const { ops, wrap, live } = tracking();
  const input = x0.slice();
  const sigmas = [...edmSteps().sigmaSteps(7, { sigmaMin: 0.002, sigmaMax: 80 }), 0];
  const { x } = await make(order).sample({ ops, denoiser: wrap(gaussian), x: input, sigmas });
  return { live: [...live], x, input };
}
