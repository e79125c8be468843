import { describe, expect, it } from 'vitest';
import { arrayOps, type Denoiser, type Rng } from '@edmkit/core';
import {
  deis,
  dpm2Ancestral,
  dpmpp2sAncestral,
  dpmppSde,
  dpmSolverPlusPlus,
  dpmSolverPlusPlusSde,
  dpmSolverPlusPlusSingle,
  dpmSolverSingle,
  euler,
  eulerAncestral,
  heun,
  lms,
  unipc,
  type SigmaSolver,
} from '@edmkit/solvers';
import { readReference } from '../../../test-support/fixtures.js';

/** A Gaussian mixture of the reference files. */
interface Gmm {
  dim: number;
  weights: number[];
  means: number[][];
  stds: number[];
}

interface Case {
  id: string;
  gmm: string;
  sigmas: number[];
  x_init: number[][];
  noise?: number[][][];
  model_sigmas: number[];
  nfe: number;
  output: number[][];
}

interface KCase extends Case {
  sampler: string;
  kwargs: Record<string, number | string>;
}

interface DCase extends Case {
  scheduler: string;
  config: Record<string, unknown>;
  step_kwargs: Record<string, number>;
}

const kd = readReference<{ gmms: Record<string, Gmm>; cases: KCase[] }>('kdiffusion/vectors.json');
const df = readReference<{
  gmms: Record<string, Gmm>;
  cases: DCase[];
  default_configs: Record<string, Record<string, unknown>>;
}>('diffusers/vectors.json');

/** The exact posterior mean of the mixture, batch first, float64 (log-sum-exp weights). */
function gmmDenoiser(g: Gmm): Denoiser<Float64Array> {
  const { dim, weights, means, stds } = g;
  return (x, sigma) => {
    const out = new Float64Array(x.length);
    const logits = new Float64Array(weights.length);
    for (let b = 0; b < x.length / dim; b++) {
      const o = b * dim;
      let max = -Infinity;
      for (let k = 0; k < weights.length; k++) {
        const v = stds[k]! ** 2 + sigma ** 2;
        let r2 = 0;
        for (let j = 0; j < dim; j++) r2 += (x[o + j]! - means[k]![j]!) ** 2;
        logits[k] = Math.log(weights[k]!) - (dim / 2) * Math.log(v) - r2 / (2 * v);
        max = Math.max(max, logits[k]!);
      }
      let z = 0;
      for (let k = 0; k < weights.length; k++) z += Math.exp(logits[k]! - max);
      for (let k = 0; k < weights.length; k++) {
        const r = Math.exp(logits[k]! - max) / z;
        const shrink = stds[k]! ** 2 / (stds[k]! ** 2 + sigma ** 2);
        for (let j = 0; j < dim; j++)
          out[o + j]! += r * (means[k]![j]! + shrink * (x[o + j]! - means[k]![j]!));
      }
    }
    return out;
  };
}

/** Per-sample streams that hand out the recorded draws in order. */
function replayRngs(noise: number[][][], batch: number): Rng[] {
  return Array.from({ length: batch }, (_, b) => {
    let draw = 0;
    const rng: Rng = {
      uniform: () => {
        throw new Error('not recorded');
      },
      normal: () => {
        throw new Error('not recorded');
      },
      fillNormal(out, offset = 0, length = out.length - offset) {
        const values = noise[draw++]?.[b];
        if (values === undefined || values.length !== length)
          throw new Error(`draw ${draw} of sample ${b} is not in the recording`);
        out.set(values, offset);
        return out;
      },
      getState: () => {
        throw new Error('not recorded');
      },
    };
    return rng;
  });
}

async function check(solver: SigmaSolver, c: Case, g: Gmm): Promise<void> {
  const batch = c.x_init.length;
  const denoise = gmmDenoiser(g);
  const seen: number[] = [];
  const denoiser: Denoiser<Float64Array> = (x, sigma) => {
    seen.push(sigma);
    return denoise(x, sigma);
  };
  const { x, nfe } = await solver.sample({
    ops: arrayOps,
    denoiser,
    x: Float64Array.from(c.x_init.flat()),
    sigmas: c.sigmas,
    ...(c.noise !== undefined ? { rngs: replayRngs(c.noise, batch) } : {}),
  });
  expect(nfe).toBe(c.nfe);
  expect(solver.nfe(c.sigmas.length - 1, c.sigmas.at(-1) === 0)).toBe(c.nfe);
  expect(seen.length).toBe(c.model_sigmas.length);
  seen.forEach((s, k) =>
    expect(Math.abs(s - c.model_sigmas[k]!)).toBeLessThanOrEqual(1e-10 * c.model_sigmas[k]!),
  );
  const want = c.output.flat();
  const scale = Math.max(...want.map(Math.abs));
  const err = Math.max(...want.map((w, k) => Math.abs(x[k]! - w)));
  expect(err / scale).toBeLessThan(1e-10);
}

const num = (v: unknown): number => v as number;

/** The edmkit solver of a k-diffusion sampler call. */
function kSolver(c: KCase): SigmaSolver {
  const k = c.kwargs;
  const churn = {
    ...(k['s_churn'] !== undefined ? { sChurn: num(k['s_churn']) } : {}),
    ...(k['s_tmin'] !== undefined ? { sMin: num(k['s_tmin']) } : {}),
    ...(k['s_tmax'] !== undefined ? { sMax: num(k['s_tmax']) } : {}),
    ...(k['s_noise'] !== undefined ? { sNoise: num(k['s_noise']) } : {}),
  };
  const eta = k['eta'] !== undefined ? { eta: num(k['eta']) } : {};
  switch (c.sampler) {
    case 'sample_euler':
      return euler({ churn });
    case 'sample_heun':
      return heun({ churn });
    case 'sample_dpm_2':
      return dpmSolverSingle({ order: 2, ...churn });
    case 'sample_lms':
      return lms({ order: num(k['order']) });
    case 'sample_dpmpp_2m':
      return dpmSolverPlusPlus();
    case 'sample_dpmpp_2m_sde':
      return dpmSolverPlusPlusSde({ order: 2, ...eta, solverType: k['solver_type'] as 'heun' });
    case 'sample_dpmpp_3m_sde':
      return dpmSolverPlusPlusSde({ order: 3, ...eta });
    case 'sample_euler_ancestral':
      return eulerAncestral(eta);
    case 'sample_dpm_2_ancestral':
      return dpm2Ancestral(eta);
    case 'sample_dpmpp_2s_ancestral':
      return dpmpp2sAncestral(eta);
    case 'sample_dpmpp_sde':
      return dpmppSde({ ...eta, r: num(k['r']) });
    default:
      throw new Error(`no edmkit solver for ${c.sampler}`);
  }
}

/** The edmkit solver of a diffusers scheduler configuration; only settings that differ from the scheduler's defaults are passed. */
function dSolver(c: DCase): SigmaSolver {
  const defaults = df.default_configs[c.scheduler]!;
  const set = (key: string): unknown =>
    c.config[key] !== undefined && c.config[key] !== defaults[key] ? c.config[key] : undefined;
  const pick = <O extends object>(o: O): { [K in keyof O]-?: Exclude<O[K], undefined> } =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
  const order = set('solver_order') as 1 | 2 | 3 | undefined;
  const lowerOrderFinal = set('lower_order_final') as boolean | undefined;
  switch (c.scheduler) {
    case 'UniPCMultistepScheduler':
      return unipc(pick({ order, variant: set('solver_type') as 'bh1', lowerOrderFinal }));
    case 'DEISMultistepScheduler':
      return deis(pick({ order, lowerOrderFinal }));
    case 'DPMSolverMultistepScheduler':
    case 'EDMDPMSolverMultistepScheduler':
      return dpmSolverPlusPlus(
        pick({ order: order as 3, solverType: set('solver_type') as 'heun', lowerOrderFinal }),
      );
    case 'DPMSolverSinglestepScheduler':
      return dpmSolverPlusPlusSingle(pick({ order: order as 3 }));
    case 'EDMEulerScheduler':
      return euler();
    case 'LMSDiscreteScheduler':
      return lms({ order: c.step_kwargs['order'] as 4 });
    case 'HeunDiscreteScheduler':
      return heun();
    case 'KDPM2DiscreteScheduler':
      return dpmSolverSingle();
    default:
      throw new Error(`no edmkit solver for ${c.scheduler}`);
  }
}

describe('k-diffusion reference vectors', () => {
  it.each(kd.cases.map((c) => [c.id, c] as const))('%s', async (_, c) => {
    await check(kSolver(c), c, kd.gmms[c.gmm]!);
  });
});

describe('diffusers reference vectors', () => {
  it.each(df.cases.map((c) => [c.id, c] as const))('%s', async (_, c) => {
    await check(dSolver(c), c, df.gmms[c.gmm]!);
  });
});
