import { checkNumber, checkOneOf, ParameterError, type Rng } from '@edmkit/core';

/** Weight initialisation schemes of the official networks (`weight_init`). */
export type InitMode = 'xavierUniform' | 'xavierNormal' | 'kaimingUniform' | 'kaimingNormal';

const INIT_MODES: readonly InitMode[] = [
  'xavierUniform',
  'xavierNormal',
  'kaimingUniform',
  'kaimingNormal',
];

/**
 * How a layer's weight and bias are initialised: a scheme and a multiplier for
 * each (the official `init_mode`, `init_weight`, `init_bias`).
 */
export interface InitSpec {
  /** The scheme; fan-in and fan-out are those of the weight (in·k², out·k²). */
  readonly mode: InitMode;
  /** Multiplier of the weight (1 = the plain scheme, 0 = zero-initialised). */
  readonly weight: number;
  /** Multiplier of the bias, drawn with the weight's fans (0 = zero bias). */
  readonly bias: number;
}

/**
 * An initialisation spec, validated.
 *
 * Paper: Appendix F.2 / official `weight_init`: Xavier-uniform √(6/(fan_in+fan_out))·U(−1, 1),
 * Xavier-normal √(2/(fan_in+fan_out))·N(0, 1), Kaiming-uniform √(3/fan_in)·U(−1, 1),
 * Kaiming-normal √(1/fan_in)·N(0, 1), each times the multiplier.
 *
 * @param mode - the scheme
 * @param weight - weight multiplier (default 1)
 * @param bias - bias multiplier (default 0: zero bias)
 * @example
 * initSpec('xavierUniform', 1e-5); // DDPM++ / NCSN++ output convolutions
 * initSpec('kaimingUniform', Math.sqrt(1 / 3), Math.sqrt(1 / 3)); // ADM (PyTorch's default init)
 * @see https://arxiv.org/abs/2206.00364
 */
export function initSpec(mode: InitMode, weight = 1, bias = 0): InitSpec {
  return Object.freeze({
    mode: checkOneOf('mode', mode, INIT_MODES),
    weight: checkNumber('weight', weight),
    bias: checkNumber('bias', bias),
  });
}

/** Checks a deserialized {@link InitSpec}. */
export function checkInitSpec(name: string, spec: unknown): InitSpec {
  const s = spec as Partial<InitSpec> | null;
  if (s == null || typeof s !== 'object')
    throw new ParameterError(name, 'an InitSpec { mode, weight, bias }', spec);
  return initSpec(s.mode as InitMode, s.weight, s.bias);
}

/** Scale of a unit draw under `mode` (uniform draws are in [−1, 1), normal draws N(0, 1)). */
function modeScale(mode: InitMode, fanIn: number, fanOut: number): number {
  switch (mode) {
    case 'xavierUniform':
      return Math.sqrt(6 / (fanIn + fanOut));
    case 'xavierNormal':
      return Math.sqrt(2 / (fanIn + fanOut));
    case 'kaimingUniform':
      return Math.sqrt(3 / fanIn);
    case 'kaimingNormal':
      return Math.sqrt(1 / fanIn);
  }
}

/**
 * `size` initial values under `mode` with fans `fanIn`, `fanOut`, times `multiplier`,
 * drawn from `rng` (nothing is drawn when the multiplier is 0).
 * @see https://arxiv.org/abs/2206.00364
 */
export function initValues(
  size: number,
  mode: InitMode,
  fanIn: number,
  fanOut: number,
  multiplier: number,
  rng: Rng,
): Float32Array {
  const out = new Float32Array(size);
  if (multiplier === 0) return out;
  const scale = modeScale(mode, fanIn, fanOut) * multiplier;
  if (mode === 'xavierUniform' || mode === 'kaimingUniform') {
    for (let i = 0; i < size; i++) out[i] = scale * (2 * rng.uniform() - 1);
  } else {
    for (let i = 0; i < size; i++) out[i] = scale * rng.normal();
  }
  return out;
}
