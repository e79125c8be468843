import { checkNumber, ParameterError, type Denoiser, type TensorOps } from '@edmkit/core';

/** Options of {@link classifierFreeGuidance}. */
export interface ClassifierFreeGuidanceOptions<T> {
  /** Tensor backend (only `combine` and `dispose` are used). */
  readonly ops: TensorOps<T>;
  /** The conditional denoiser D(x; σ | c). */
  readonly conditional: Denoiser<T>;
  /** The unconditional denoiser D(x; σ). */
  readonly unconditional: Denoiser<T>;
  /** Guidance weight w (finite); w = 1 is the conditional denoiser, w = 0 the unconditional one. */
  readonly scale: number;
}

/** Options of {@link autoguidance}. */
export interface AutoguidanceOptions<T> {
  /** Tensor backend (only `combine` and `dispose` are used). */
  readonly ops: TensorOps<T>;
  /** The main (good) denoiser D₁(x; σ). */
  readonly main: Denoiser<T>;
  /** The guiding (weaker: smaller or less trained) denoiser D₀(x; σ). */
  readonly guide: Denoiser<T>;
  /** Guidance weight w (finite); w = 1 is the main denoiser. */
  readonly scale: number;
}

/** Options of {@link guidanceInterval}. */
export interface GuidanceIntervalOptions {
  /** σ_lo ≥ 0: no guidance at σ ≤ σ_lo. */
  readonly sigmaLo: number;
  /** σ_hi ≥ σ_lo (may be Infinity): no guidance at σ > σ_hi. */
  readonly sigmaHi: number;
}

/**
 * Extrapolates from `weak` towards `strong`: D = D_weak + w·(D_strong − D_weak).
 * w = 1 returns D_strong itself and w = 0 D_weak itself, each with one evaluation.
 */
function extrapolate<T>(
  ops: TensorOps<T>,
  strong: Denoiser<T>,
  weak: Denoiser<T>,
  w: number,
): Denoiser<T> {
  if (w === 1) return strong;
  if (w === 0) return weak;
  return async (x, sigma) => {
    const dStrong = await strong(x, sigma);
    let dWeak: T;
    try {
      dWeak = await weak(x, sigma);
    } catch (e) {
      ops.dispose(dStrong);
      throw e;
    }
    try {
      return ops.combine([
        [w, dStrong],
        [1 - w, dWeak],
      ]);
    } finally {
      ops.dispose(dStrong);
      ops.dispose(dWeak);
    }
  };
}

function checkOptions(name: string, options: unknown, keys: readonly string[]): void {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError('options', `an object { ${keys.join(', ')} }`, options);
  }
  for (const k of keys.slice(1, 3)) {
    if (typeof (options as Record<string, unknown>)[k] !== 'function') {
      throw new ParameterError(
        k,
        `a denoiser function (x, sigma) => tensor for ${name}`,
        (options as Record<string, unknown>)[k],
      );
    }
  }
  const ops = (options as { ops?: unknown }).ops as Partial<TensorOps<unknown>> | undefined;
  if (ops == null || typeof ops.combine !== 'function' || typeof ops.dispose !== 'function') {
    throw new ParameterError('ops', 'a TensorOps backend (e.g. arrayOps)', ops);
  }
}

/**
 * Classifier-free guidance as a denoiser combinator: the guided denoiser
 * D_w(x; σ) = D(x; σ) + w·(D(x; σ | c) − D(x; σ)), usable with every solver.
 *
 * Paper: Ho & Salimans 2022 (arXiv 2207.12598), in the EDM2 convention where w = 1
 * means no guidance: D_w = D_u + w·(D_c − D_u) = (1 − w)·D_u + w·D_c. (Ho & Salimans
 * write (1 + w')·ε_c − w'·ε_u, i.e. w = 1 + w'.) Costs two evaluations per call,
 * except at w = 1 (conditional only) and w = 0 (unconditional only).
 *
 * @param options.ops - tensor backend
 * @param options.conditional - D(x; σ | c)
 * @param options.unconditional - D(x; σ)
 * @param options.scale - w, any finite number
 * @example
 * const guided = classifierFreeGuidance({ ops: arrayOps, conditional: dc, unconditional: du, scale: 2 });
 * await heun().sample({ ops: arrayOps, denoiser: guided, x, sigmas });
 * @see https://arxiv.org/abs/2206.00364
 */
export function classifierFreeGuidance<T>(options: ClassifierFreeGuidanceOptions<T>): Denoiser<T> {
  checkOptions('classifierFreeGuidance', options, ['ops', 'conditional', 'unconditional', 'scale']);
  const w = checkNumber('scale', options.scale);
  return extrapolate(options.ops, options.conditional, options.unconditional, w);
}

/**
 * Autoguidance (EDM2): guides a denoiser with a weaker version of itself instead
 * of an unconditional model, D_w(x; σ) = D₀(x; σ) + w·(D₁(x; σ) − D₀(x; σ)).
 *
 * Paper: Karras et al. 2024, "Guiding a Diffusion Model with a Bad Version of
 * Itself" (arXiv 2406.02507), Eq. 2 with D₁ = `main`, D₀ = `guide` (both see the
 * same condition). w = 1 is `main` alone.
 *
 * @param options.ops - tensor backend
 * @param options.main - D₁, the good model
 * @param options.guide - D₀, the weaker model
 * @param options.scale - w, any finite number
 * @example
 * const guided = autoguidance({ ops: arrayOps, main: big, guide: small, scale: 2.25 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function autoguidance<T>(options: AutoguidanceOptions<T>): Denoiser<T> {
  checkOptions('autoguidance', options, ['ops', 'main', 'guide', 'scale']);
  const w = checkNumber('scale', options.scale);
  return extrapolate(options.ops, options.main, options.guide, w);
}

/**
 * Limits guidance to an interval of noise levels: the `guided` denoiser for
 * σ_lo < σ ≤ σ_hi, the `plain` one (e.g. the conditional model alone) elsewhere.
 *
 * Paper: Kynkäänniemi et al. 2024, "Applying Guidance in a Limited Interval
 * Improves Sample and Distribution Quality in Diffusion Models" (arXiv 2404.07724):
 * guidance is enabled for σ ∈ (σ_lo, σ_hi] (half-open, as in the paper; e.g.
 * EDM2-XXL on ImageNet-512: (0.28, 2.9]). Outside it only `plain` is evaluated, which
 * saves the extra evaluation.
 *
 * @param guided - the guided denoiser (e.g. from {@link classifierFreeGuidance})
 * @param plain - the denoiser to use outside the interval
 * @param options.sigmaLo - σ_lo ≥ 0 (excluded)
 * @param options.sigmaHi - σ_hi ≥ σ_lo, may be Infinity (included)
 * @example
 * const d = guidanceInterval(classifierFreeGuidance({ ops, conditional, unconditional, scale: 2 }),
 *   conditional, { sigmaLo: 0.28, sigmaHi: 2.9 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function guidanceInterval<T>(
  guided: Denoiser<T>,
  plain: Denoiser<T>,
  options: GuidanceIntervalOptions,
): Denoiser<T> {
  if (typeof guided !== 'function')
    throw new ParameterError('guided', 'a denoiser function (x, sigma) => tensor', guided);
  if (typeof plain !== 'function')
    throw new ParameterError('plain', 'a denoiser function (x, sigma) => tensor', plain);
  if (options == null || typeof options !== 'object') {
    throw new ParameterError('options', 'an object { sigmaLo, sigmaHi }', options);
  }
  const lo = checkNumber('sigmaLo', options.sigmaLo, { min: 0 });
  const hi = checkNumber('sigmaHi', options.sigmaHi, { min: lo, allowInfinity: true });
  return (x, sigma) => (sigma > lo && sigma <= hi ? guided(x, sigma) : plain(x, sigma));
}
