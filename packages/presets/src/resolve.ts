import { UnknownNameError, type Denoiser, type Rng, type TensorOps } from '@edmkit/core';
import {
  clampRange,
  edmPrecond,
  iddpmPrecond,
  vePrecond,
  vpPrecond,
  type Preconditioner,
} from '@edmkit/precond';
import {
  edmSteps,
  exponentialSteps,
  iddpmSteps,
  linearSchedule,
  noScaling,
  polyexponentialSteps,
  refitVp,
  veSchedule,
  veSteps,
  vpSchedule,
  vpScaling,
  vpSteps,
  type Discretization,
  type NoiseSchedule,
  type Scaling,
  type SigmaRange,
} from '@edmkit/schedules';
import {
  churn as makeChurn,
  euler,
  heun,
  sample,
  secondOrder,
  stepsForNfe,
  timeSteps,
  type Churn,
  type GeneralizedSolver,
  type SampleResult,
  type StepInfo,
} from '@edmkit/solvers';
import { networkNames, type NetworkName } from './axes.js';
import { validateSamplerConfig } from './override.js';
import type { SamplerConfig } from './sampler-config.js';

/** VP constants of Song et al. (numerics guide: “VP schedule”). */
const vpBetaD = 19.9;
const vpBetaMin = 0.1;
/** ε_s of the VP discretization (numerics guide: “VP time steps”). */
const vpEpsilonS = 1e-3;

/** A sampler configuration turned into the objects that run it. */
export interface ResolvedSampler {
  readonly config: SamplerConfig;
  /** The network's preconditioning (range and rounding). */
  readonly precond: Preconditioner;
  /**
   * The requested σ range clamped to the network's (numerics guide: “Noise range
   * defaults and clamping”).
   */
  readonly range: SigmaRange;
  /**
   * VP constants refitted to `range` where a VP axis is used, else undefined (numerics guide:
   * “Refitted VP constants”).
   */
  readonly vpBetas: { readonly betaD: number; readonly betaMin: number } | undefined;
  readonly schedule: NoiseSchedule;
  readonly scaling: Scaling;
  readonly discretization: Discretization;
  /** The generalised sampler with this configuration's σ(t), s(t), churn and σ rounding. */
  readonly solver: GeneralizedSolver;
  readonly churn: Churn;
  /** t_0 > … > t_{N−1} > t_N = 0 for `n` steps (numerics guide: “From noise levels to times”). */
  tSteps(n: number): Float64Array;
  /** Denoiser evaluations of `n` steps. */
  nfe(n: number): number;
  /** The most steps whose NFE is at most `nfe` (an integer ≥ 1). */
  stepsForNfe(nfe: number): number;
}

/** The preconditioner of a network name with its default constants. */
export function networkPrecond(name: NetworkName): Preconditioner {
  switch (name) {
    case 'vp':
      return vpPrecond();
    case 've':
      return vePrecond();
    case 'iddpm':
      return iddpmPrecond();
    case 'edm':
      return edmPrecond();
    default:
      throw new UnknownNameError('network', String(name), networkNames);
  }
}

/**
 * Default requested σ range of a discretization (numerics guide: “Noise range defaults and
 * clamping”).
 */
function defaultRange(config: SamplerConfig): SigmaRange {
  switch (config.discretization) {
    case 'vp': {
      const vp = vpSchedule({ betaD: vpBetaD, betaMin: vpBetaMin });
      return { sigmaMin: vp.sigma(config.epsilonS ?? vpEpsilonS), sigmaMax: vp.sigma(1) };
    }
    case 've':
      return { sigmaMin: 0.02, sigmaMax: 100 };
    case 'iddpm':
      return { sigmaMin: 0.002, sigmaMax: 81 }; // 81, not 80: admits u_8 ≈ 80.2
    default:
      return { sigmaMin: 0.002, sigmaMax: 80 };
  }
}

/**
 * Resolves a sampler configuration: clamps the σ range to the network, refits
 * the VP constants to it where needed, and builds σ(t), s(t), the time steps,
 * the solver and the churn.
 *
 * @example
 * const r = resolveSampler(edm);
 * const t = r.tSteps(18); // 80, 57.586, …, 0.002, 0
 * @see https://arxiv.org/abs/2206.00364
 */
export function resolveSampler(input: SamplerConfig): ResolvedSampler {
  const config = validateSamplerConfig(input);
  const precond = networkPrecond(config.network);
  const requested = defaultRange(config);
  const range = clampRange(
    {
      sigmaMin: config.sigmaMin ?? requested.sigmaMin,
      sigmaMax: config.sigmaMax ?? requested.sigmaMax,
    },
    precond,
  );
  const epsilonS = config.epsilonS ?? vpEpsilonS;
  const usesVp =
    config.discretization === 'vp' || config.schedule === 'vp' || config.scaling === 'vp';
  const vpBetas = usesVp ? refitVp(range, epsilonS) : undefined;

  const schedule =
    config.schedule === 'vp'
      ? vpSchedule(vpBetas)
      : config.schedule === 've'
        ? veSchedule()
        : linearSchedule();
  // The VP scaling preserves the variance of whichever σ(t) is in use: s = 1/√(1 + σ(t)²)
  // (numerics guide: “VP schedule”).
  const scaling = config.scaling === 'vp' ? vpScaling({ schedule }) : noScaling();
  const discretization = makeDiscretization(config, epsilonS);
  const churn = makeChurn(config.churn);
  const roundSigma = (sigma: number) => precond.roundSigma(sigma);
  const options = { schedule, scaling, churn, roundSigma };
  const solver =
    config.solver === 'euler'
      ? euler(options)
      : config.solver === 'heun'
        ? heun(options)
        : secondOrder({
            ...options,
            alpha: config.alpha ?? (config.solver === 'midpoint' ? 0.5 : 1),
          });

  return Object.freeze({
    config,
    precond,
    range,
    vpBetas,
    schedule,
    scaling,
    discretization,
    solver,
    churn,
    tSteps: (n: number) => timeSteps({ discretization, n, range, schedule, roundSigma }),
    nfe: (n: number) => solver.nfe(n),
    stepsForNfe: (nfe: number) => stepsForNfe(solver, nfe)!,
  });
}

function makeDiscretization(config: SamplerConfig, epsilonS: number): Discretization {
  switch (config.discretization) {
    case 'vp':
      return vpSteps({ epsilonS });
    case 've':
      return veSteps();
    case 'iddpm':
      return iddpmSteps();
    case 'edm':
      return edmSteps({ rho: config.rho ?? 7 });
    case 'exponential':
      return exponentialSteps();
    case 'polyexponential':
      return polyexponentialSteps({ rho: config.rho ?? 1 });
  }
}

/** Options of {@link runSampler}. */
export interface RunSamplerOptions<T> {
  readonly ops: TensorOps<T>;
  readonly denoiser: Denoiser<T>;
  /** z ~ N(0, I), batch first. */
  readonly latents: T;
  /** Number of steps N. */
  readonly n: number;
  /** One stream per sample (needed with churn). */
  readonly rngs?: readonly Rng[];
  readonly onStep?: (info: StepInfo<T>) => void | Promise<void>;
}

/**
 * Runs a resolved sampler for `n` steps: {@link sample} with the configuration's
 * time steps, σ(t), s(t), solver, churn and the network's σ rounding.
 */
export function runSampler<T>(
  sampler: ResolvedSampler,
  options: RunSamplerOptions<T>,
): Promise<SampleResult<T>> {
  return sample({
    ops: options.ops,
    denoiser: options.denoiser,
    latents: options.latents,
    tSteps: sampler.tSteps(options.n),
    schedule: sampler.schedule,
    scaling: sampler.scaling,
    solver: sampler.solver,
    churn: sampler.churn,
    roundSigma: (sigma) => sampler.precond.roundSigma(sigma),
    ...(options.rngs ? { rngs: options.rngs } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
}
