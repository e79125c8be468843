import { arrayOps, type Denoiser } from '@edmkit/core';
import {
  edmSteps,
  linearSchedule,
  noScaling,
  refitVp,
  veSchedule,
  vpScaling,
  vpSchedule,
  type NoiseSchedule,
  type Scaling,
  type SigmaRange,
} from '@edmkit/schedules';
import { sample, timeSteps, type GeneralizedSolver } from '@edmkit/solvers';

export const range: SigmaRange = { sigmaMin: 0.002, sigmaMax: 80 };
export const sigmaData = 0.5;

/** Ideal denoiser of N(0, σ_d² I): D(x; σ) = σ_d²/(σ² + σ_d²)·x. */
export const gaussianDenoiser: Denoiser<Float64Array> = (x, sigma) => {
  const c = sigmaData ** 2 / (sigma ** 2 + sigmaData ** 2);
  return x.map((v) => c * v);
};

/** Exact probability-flow solution x̂(σ) from x̂(σ_max) = z·σ_max for N(0, σ_d² I) data. */
export function exactGaussian(z: Float64Array, sigma: number, sigmaMax: number): Float64Array {
  const c = sigmaMax * Math.sqrt((sigma ** 2 + sigmaData ** 2) / (sigmaMax ** 2 + sigmaData ** 2));
  return z.map((v) => c * v);
}

export interface Pair {
  readonly label: string;
  readonly schedule: NoiseSchedule;
  readonly scaling: Scaling;
}

/**
 * Every σ(t)/s(t) pair of Table 1, VP constants refitted to `range` (numerics guide: “Refitted
 * VP constants”).
 */
export function pairs(): Pair[] {
  const betas = refitVp(range);
  const schedules = { vp: vpSchedule(betas), ve: veSchedule(), linear: linearSchedule() };
  const out: Pair[] = [];
  for (const [sn, schedule] of Object.entries(schedules)) {
    // The VP scaling is 1/√(1 + σ(t)²) of the schedule in use.
    const scalings = { vp: vpScaling({ schedule }), none: noScaling() };
    for (const [cn, scaling] of Object.entries(scalings))
      out.push({ label: `${sn}/${cn}`, schedule, scaling });
  }
  return out;
}

/**
 * Max abs error, at the last level σ_{N−1} = σ_min before the final jump to 0, of a
 * deterministic run against the closed form; and the run's NFE.
 */
export async function errorAtSigmaMin(
  pair: Pair,
  solver: GeneralizedSolver,
  n: number,
  z: Float64Array,
) {
  const tSteps = timeSteps({
    discretization: edmSteps({ rho: 7 }),
    n,
    range,
    schedule: pair.schedule,
  });
  let before: Float64Array | undefined;
  const { nfe } = await sample({
    ops: arrayOps,
    denoiser: gaussianDenoiser,
    latents: z,
    tSteps,
    schedule: pair.schedule,
    scaling: pair.scaling,
    solver,
    onStep: ({ i, x }) => {
      if (i === n - 2) {
        const sT = pair.scaling.s(tSteps[n - 1]!);
        before = x.map((v) => v / sT);
      }
    },
  });
  const exact = exactGaussian(
    z,
    pair.schedule.sigma(tSteps[n - 1]!),
    pair.schedule.sigma(tSteps[0]!),
  );
  let err = 0;
  for (let k = 0; k < z.length; k++) err = Math.max(err, Math.abs(before![k]! - exact[k]!));
  return { err, nfe };
}
