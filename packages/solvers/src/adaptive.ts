import {
  checkInteger,
  checkNumber,
  checkOneOf,
  checkPositive,
  EdmkitError,
  ParameterError,
} from '@edmkit/core';
import {
  checkSigmas,
  type DuplicateSigmas,
  type SigmaSolver,
  type SigmaSolverResult,
  type SigmaSolverRun,
} from './runner.js';

/** Reads a tensor's values into numbers, for the error norm. */
export type ReadTensor = (x: unknown) => ArrayLike<number> | Promise<ArrayLike<number>>;

/** Gains of the PID step-size controller: h ← h·ε₀^β₁·ε₁^β₂·ε₂^β₃ with εₖ = 1/error of the k-th last step. */
export interface PidGains {
  /** β₁ (default 1/order: k-diffusion's pcoeff = 0, icoeff = 1, dcoeff = 0, i.e. a pure I controller). */
  readonly beta1?: number;
  /** β₂ (default 0). */
  readonly beta2?: number;
  /** β₃ (default 0). */
  readonly beta3?: number;
}

/** Options of {@link adaptive}. */
export interface AdaptiveOptions {
  /** Relative tolerance rtol > 0 (default 1e-3). */
  readonly rtol?: number;
  /** Absolute tolerance atol > 0 (default 1e-3). */
  readonly atol?: number;
  /** 3: Bogacki–Shampine 3(2) (default); 2: Heun–Euler 2(1). */
  readonly order?: 2 | 3;
  /** PID gains (defaults: k-diffusion's PIDStepSizeController defaults, a pure I controller). */
  readonly pid?: PidGains;
  /** A step is accepted when the limited step factor is ≥ this (default 0.81, as k-diffusion). In (0, 1]. */
  readonly acceptSafety?: number;
  /** First trial step in ln σ, > 0 (default 0.05, as k-diffusion's h_init). */
  readonly hInit?: number;
  /**
   * Where to stop integrating before the final step to σ = 0, when `sigmas` ends in 0.
   * Default: the last nonzero σ of `sigmas` if it is not σ_0, else 0.002 (EDM's σ_min).
   */
  readonly sigmaMin?: number;
  /** Maximum denoiser evaluations (integer ≥ 1, default 10000); never exceeded: the run throws instead. */
  readonly maxNfe?: number;
  /** How repeated σ values in `sigmas` are treated (see `checkSigmas`, default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
  /**
   * Reads a tensor into numbers (the error norm needs values). Default: typed arrays
   * as they are, objects with an async `data()` method (tfjs tensors) through it.
   */
  readonly read?: ReadTensor;
}

/** Result of {@link adaptive}: the sample, NFE used, accepted and rejected steps. */
export interface AdaptiveResult<T> extends SigmaSolverResult<T> {
  /** Accepted steps (including the final step to σ = 0, if any). */
  readonly steps: number;
  /** Rejected trial steps. */
  readonly rejected: number;
}

/** The embedded-pair adaptive σ-space solver. */
export interface AdaptiveSolver extends Omit<SigmaSolver, 'nfe' | 'duplicates'> {
  readonly name: 'adaptive';
  readonly order: 2 | 3;
  readonly stochastic: false;
  readonly rtol: number;
  readonly atol: number;
  sample<T>(run: SigmaSolverRun<T>): Promise<AdaptiveResult<T>>;
}

const EPS = 1e-8;

async function defaultRead(x: unknown): Promise<ArrayLike<number>> {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return x as unknown as ArrayLike<number>;
  if (x != null && typeof (x as { data?: unknown }).data === 'function') {
    return await (x as { data(): Promise<ArrayLike<number>> }).data();
  }
  throw new ParameterError('read', 'a function (x) => numbers, required for this tensor type', x);
}

/**
 * An adaptive-step solver of the probability-flow ODE: an embedded Runge–Kutta
 * pair in ln σ with a PID step-size controller, stepping as far as the error
 * tolerance allows and reporting the NFE it used.
 *
 * Paper: with u = ln σ the ODE dx/dσ = (x − D(x; σ))/σ becomes dx/du = x − D(x; eᵘ).
 * Each trial step h < 0 (in u) computes a high- and a low-order solution x̂, x̌
 * (Bogacki–Shampine 3(2), FSAL, 3 NFE per step; or Heun–Euler 2(1), 2 NFE per step);
 * error = RMSᵢ((x̂ᵢ − x̌ᵢ) / (atol + rtol·max(|xᵢ|, |x̂ᵢ|))); the PID controller of
 * k-diffusion's `sample_dpm_adaptive` (Jolicoeur-Martineau et al. 2021, arXiv 2105.14080;
 * Söderlind 2003) sets factor = 1 + atan(ε₀^β₁ε₁^β₂ε₂^β₃ − 1), εₖ = 1/(errorₖ + 10⁻⁸),
 * accepts when factor ≥ acceptSafety and sets h ← h·factor. k-diffusion pairs
 * DPM-Solver steps (exponential integrators); this solver uses classical RK pairs in ln σ.
 *
 * Only the endpoints of `sigmas` matter: pass [σ_max, σ_end]. With σ_end > 0 it
 * integrates to σ_end exactly. With σ_end = 0 (ln σ = −∞) it integrates to `sigmaMin`
 * and then takes one Euler step to 0, which returns the denoised estimate
 * D(x; σ_min) (free for order 3: it is the FSAL evaluation). The whole batch shares
 * one step size (the norm runs over all elements). `onStep` is called after every
 * accepted step; its `n` is a lower bound on the step count (N is not known in
 * advance) and equals i + 1 on the last step.
 *
 * @param options.rtol - relative tolerance (default 1e-3)
 * @param options.atol - absolute tolerance (default 1e-3)
 * @param options.order - 3 (Bogacki–Shampine 3(2), default) or 2 (Heun–Euler 2(1))
 * @param options.pid - { beta1, beta2, beta3 } (default { 1/order, 0, 0 })
 * @param options.maxNfe - NFE budget (default 10000); the run throws rather than exceed it
 * @example
 * const solver = adaptive({ rtol: 1e-4, atol: 1e-4 });
 * const { x, nfe } = await solver.sample({ ops: arrayOps, denoiser, x: z.map((v) => 80 * v), sigmas: [80, 0] });
 * @see https://arxiv.org/abs/2206.00364
 */
export function adaptive(options: AdaptiveOptions = {}): AdaptiveSolver {
  if (options == null || typeof options !== 'object')
    throw new ParameterError('options', 'an options object', options);
  const rtol = checkPositive('rtol', options.rtol ?? 1e-3);
  const atol = checkPositive('atol', options.atol ?? 1e-3);
  const order = options.order ?? 3;
  if (order !== 2 && order !== 3)
    throw new ParameterError(
      'order',
      'one of 2 (Heun–Euler 2(1)) or 3 (Bogacki–Shampine 3(2))',
      order,
    );
  const pid = options.pid ?? {};
  if (pid == null || typeof pid !== 'object')
    throw new ParameterError('pid', 'an object { beta1?, beta2?, beta3? }', pid);
  const beta1 = checkNumber('pid.beta1', pid.beta1 ?? 1 / order, { min: 0, minInclusive: false });
  const beta2 = checkNumber('pid.beta2', pid.beta2 ?? 0);
  const beta3 = checkNumber('pid.beta3', pid.beta3 ?? 0);
  const acceptSafety = checkNumber('acceptSafety', options.acceptSafety ?? 0.81, {
    min: 0,
    minInclusive: false,
    max: 1,
  });
  const hInit = checkPositive('hInit', options.hInit ?? 0.05);
  const sigmaMinOpt =
    options.sigmaMin === undefined ? undefined : checkPositive('sigmaMin', options.sigmaMin);
  const maxNfe = checkInteger('maxNfe', options.maxNfe ?? 10000, 1);
  const duplicates = checkOneOf('duplicates', options.duplicates ?? 'reject', [
    'reject',
    'merge',
  ] as const);
  const read = options.read ?? defaultRead;
  if (typeof read !== 'function')
    throw new ParameterError('read', 'a function (x) => numbers', read);

  async function sample<T>(run: SigmaSolverRun<T>): Promise<AdaptiveResult<T>> {
    if (run == null || typeof run !== 'object')
      throw new ParameterError('run', 'an object { ops, denoiser, x, sigmas }', run);
    const { ops, denoiser, onStep } = run;
    if (typeof denoiser !== 'function')
      throw new ParameterError('denoiser', 'a function (x, sigma) => tensor', denoiser);
    const sig = checkSigmas(run.sigmas, duplicates);
    const sigmaStart = sig[0]!;
    const last = sig[sig.length - 1]!;
    const toZero = last === 0;
    let target = last;
    if (toZero) {
      target = sigmaMinOpt ?? (sig.length >= 3 ? sig[sig.length - 2]! : 0.002);
      if (!(target < sigmaStart))
        throw new ParameterError('sigmaMin', `a number < sigmas[0] = ${sigmaStart}`, target);
    }
    const minNfe = order === 3 ? 4 : 2 + (toZero ? 1 : 0);
    if (maxNfe < minNfe) {
      throw new ParameterError(
        'maxNfe',
        `an integer >= ${minNfe} (one step of the order-${order} pair${toZero ? ' and the final step to 0' : ''})`,
        maxNfe,
      );
    }

    let nfe = 0;
    const evaluate = async (x: T, sigma: number): Promise<T> => {
      nfe++;
      return await denoiser(x, sigma);
    };
    const owned = new Set<T>();
    const dispose = (...ts: (T | undefined)[]): void => {
      for (const t of ts) {
        if (t !== undefined && t !== run.x) {
          owned.delete(t);
          ops.dispose(t);
        }
      }
    };
    const keep = (t: T): T => {
      owned.add(t);
      return t;
    };

    let x = run.x;
    let xValues = await read(x);
    let dCur: T | undefined; // D(x; σ_cur), kept across rejections and (order 3) FSAL
    const uEnd = Math.log(target);
    let u = Math.log(sigmaStart);
    let sigmaCur = sigmaStart;
    let h = -hInit;
    let errs: [number, number, number] | undefined;
    let steps = 0;
    let rejected = 0;

    try {
      while (sigmaCur > target) {
        const finalStep = u + h <= uEnd;
        const hh = finalStep ? uEnd - u : h;
        const sigmaNext = finalStep ? target : Math.exp(u + hh);
        const need =
          (dCur === undefined ? 1 : 0) + (order === 3 ? 3 : 1) + (toZero && order === 2 ? 1 : 0);
        if (nfe + need > maxNfe) {
          throw new EdmkitError(
            `adaptive: maxNfe = ${maxNfe} denoiser evaluations would be exceeded at σ = ${sigmaCur} (target ${target}); ` +
              `raise maxNfe or loosen rtol = ${rtol} / atol = ${atol}`,
          );
        }
        if (dCur === undefined) dCur = keep(await evaluate(x, sigmaCur));
        const d1 = dCur;
        let high: T;
        let low: T;
        let dNext: T | undefined;
        const temps: T[] = [];
        if (order === 2) {
          // Heun–Euler: low = Euler, high = Heun (trapezoid), in u = ln σ.
          low = keep(
            ops.combine([
              [1 + hh, x],
              [-hh, d1],
            ]),
          );
          const d2 = keep(await evaluate(low, sigmaNext));
          temps.push(d2);
          high = keep(
            ops.combine([
              [1 + hh / 2, x],
              [-hh / 2, d1],
              [hh / 2, low],
              [-hh / 2, d2],
            ]),
          );
        } else {
          // Bogacki–Shampine 3(2): c = (0, 1/2, 3/4, 1), b = (2/9, 1/3, 4/9), b̂ = (7/24, 1/4, 1/3, 1/8).
          const k1 = keep(
            ops.combine([
              [1, x],
              [-1, d1],
            ]),
          );
          const x2 = keep(
            ops.combine([
              [1, x],
              [hh / 2, k1],
            ]),
          );
          const d2 = keep(await evaluate(x2, Math.exp(u + hh / 2)));
          const k2 = keep(
            ops.combine([
              [1, x2],
              [-1, d2],
            ]),
          );
          dispose(x2, d2);
          const x3 = keep(
            ops.combine([
              [1, x],
              [(3 * hh) / 4, k2],
            ]),
          );
          const d3 = keep(await evaluate(x3, Math.exp(u + (3 * hh) / 4)));
          const k3 = keep(
            ops.combine([
              [1, x3],
              [-1, d3],
            ]),
          );
          dispose(x3, d3);
          high = keep(
            ops.combine([
              [1, x],
              [(2 * hh) / 9, k1],
              [hh / 3, k2],
              [(4 * hh) / 9, k3],
            ]),
          );
          const d4 = keep(await evaluate(high, sigmaNext));
          dNext = d4;
          const k4 = keep(
            ops.combine([
              [1, high],
              [-1, d4],
            ]),
          );
          low = keep(
            ops.combine([
              [1, x],
              [(7 * hh) / 24, k1],
              [hh / 4, k2],
              [hh / 3, k3],
              [hh / 8, k4],
            ]),
          );
          temps.push(k1, k2, k3, k4);
        }
        const highValues = await read(high);
        const lowValues = await read(low);
        let sum = 0;
        const len = highValues.length;
        for (let k = 0; k < len; k++) {
          const a = highValues[k]!;
          const tol = atol + rtol * Math.max(Math.abs(xValues[k]!), Math.abs(a));
          const e = (a - lowValues[k]!) / tol;
          sum += e * e;
        }
        const error = Math.sqrt(sum / Math.max(len, 1));
        dispose(low, ...temps);
        if (!Number.isFinite(error)) {
          dispose(high, dNext);
          throw new ParameterError('denoiser', 'a denoiser returning finite values', error);
        }
        const inv = 1 / (error + EPS);
        errs ??= [inv, inv, inv];
        errs[0] = inv;
        let factor = errs[0] ** beta1 * errs[1] ** beta2 * errs[2] ** beta3;
        factor = 1 + Math.atan(factor - 1);
        const accept = factor >= acceptSafety;
        if (accept) {
          errs[2] = errs[1];
          errs[1] = errs[0];
          dispose(x, dCur);
          x = high;
          xValues = highValues;
          dCur = dNext; // FSAL for order 3; undefined for order 2
          u = finalStep ? uEnd : u + hh;
          const sigmaPrev = sigmaCur;
          sigmaCur = sigmaNext;
          steps++;
          if (onStep) {
            const done = finalStep && !toZero;
            await onStep({
              i: steps - 1,
              n: done ? steps : steps + 1,
              sigma: sigmaPrev,
              sigmaNext,
              nfe,
              x,
            });
          }
        } else {
          rejected++;
          dispose(high, dNext);
        }
        h = hh * factor;
      }
      if (toZero) {
        // Final Euler step σ_min → 0: x + (0 − σ)(x − D)/σ = D(x; σ_min).
        dCur ??= keep(await evaluate(x, sigmaCur));
        const out = dCur;
        dCur = undefined;
        dispose(x);
        x = out;
        steps++;
        if (onStep) await onStep({ i: steps - 1, n: steps, sigma: sigmaCur, sigmaNext: 0, nfe, x });
      }
      dispose(dCur);
      owned.delete(x);
      return { x, nfe, steps, rejected };
    } catch (e) {
      for (const t of [...owned]) dispose(t);
      throw e;
    }
  }

  return Object.freeze({
    name: 'adaptive' as const,
    order,
    stochastic: false as const,
    rtol,
    atol,
    sample,
  });
}
