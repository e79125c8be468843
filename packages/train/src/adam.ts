import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkNumber, ParameterError } from '@edmkit/core';

/** Options of {@link adam}. */
export interface AdamOptions {
  /** β₁, decay of the first-moment average (default 0.9). */
  readonly beta1?: number;
  /** β₂, decay of the second-moment average (default 0.999). */
  readonly beta2?: number;
  /** ε, added to the root second moment (default 10⁻⁸). */
  readonly epsilon?: number;
}

/**
 * Adam's state for one list of weights: the step count t and the moment estimates
 * m and v (one float32 variable per weight, same shape). Plain data, saved and
 * restored bit for bit by the checkpoints.
 */
export interface AdamState {
  /** Number of updates applied so far (t of the bias correction). */
  step: number;
  /** First-moment estimates m, one per weight. */
  readonly m: readonly tf.Variable[];
  /** Second-moment estimates v, one per weight. */
  readonly v: readonly tf.Variable[];
}

/** The optimizer returned by {@link adam}. */
export interface Adam {
  readonly name: 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Fresh state for `weights`: t = 0, m = v = 0. */
  init(weights: readonly tf.Variable[]): AdamState;
  /**
   * One update θ ← θ − lr·m̂/(√v̂ + ε) of every weight from its gradient (same order),
   * in place. Tensors created on the way are released; the gradients are not.
   */
  update(
    state: AdamState,
    weights: readonly tf.Variable[],
    grads: readonly tf.Tensor[],
    lr: number,
  ): void;
  /** Releases the moment variables of `state`. */
  dispose(state: AdamState): void;
}

/**
 * The Adam optimizer (Kingma & Ba 2015) written out on `tf.Variable`s, so that its
 * whole state (t, m, v) is ours to checkpoint and restore exactly.
 *
 * Numerics guide: “Adam” (Adam, β₁ 0.9, β₂ 0.999, ε 10⁻⁸, as the official code's
 * `torch.optim.Adam`), with t ← t + 1 and
 *     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,
 *     θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * — PyTorch's operation order (ε is added after the bias correction of v). The bias
 * corrections are float64 numbers; the tensors are float32.
 *
 * @param options.beta1 - β₁ in [0, 1) (default 0.9)
 * @param options.beta2 - β₂ in [0, 1) (default 0.999)
 * @param options.epsilon - ε > 0 (default 10⁻⁸)
 * @example
 * const opt = adam();
 * const state = opt.init(network.trainableWeights);
 * opt.update(state, network.trainableWeights, grads, 1e-3);
 * @see https://arxiv.org/abs/2206.00364
 */
export function adam(options: AdamOptions = {}): Adam {
  const beta1 = checkNumber('beta1', options.beta1 ?? 0.9, { min: 0, max: 1, maxInclusive: false });
  const beta2 = checkNumber('beta2', options.beta2 ?? 0.999, {
    min: 0,
    max: 1,
    maxInclusive: false,
  });
  const epsilon = checkNumber('epsilon', options.epsilon ?? 1e-8, { min: 0, minInclusive: false });
  return Object.freeze({
    name: 'adam' as const,
    beta1,
    beta2,
    epsilon,
    init(weights: readonly tf.Variable[]): AdamState {
      // Variables survive tidy; the zeros they were made from do not.
      const m = tf.tidy(() => weights.map((w) => tf.variable(tf.zerosLike(w), false)));
      const v = tf.tidy(() => weights.map((w) => tf.variable(tf.zerosLike(w), false)));
      return { step: 0, m, v };
    },
    update(
      state: AdamState,
      weights: readonly tf.Variable[],
      grads: readonly tf.Tensor[],
      lr: number,
    ): void {
      checkNumber('lr', lr, { min: 0 });
      checkInteger('state.step', state.step, 0);
      if (state.m.length !== weights.length || state.v.length !== weights.length) {
        throw new ParameterError(
          'weights',
          `${state.m.length} weights (as the Adam state)`,
          weights.length,
        );
      }
      if (grads.length !== weights.length) {
        throw new ParameterError(
          'grads',
          `one gradient per weight (${weights.length})`,
          grads.length,
        );
      }
      const t = state.step + 1;
      const stepSize = lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      tf.tidy(() => {
        weights.forEach((w, i) => {
          const g = grads[i]!;
          const mi = state.m[i]!;
          const vi = state.v[i]!;
          if (!arraysEqual(g.shape, w.shape)) {
            throw new ParameterError(
              `grads[${i}]`,
              `a tensor of shape [${w.shape.join(', ')}]`,
              g.shape,
            );
          }
          mi.assign(tf.add(tf.mul(mi, beta1), tf.mul(g, 1 - beta1)));
          vi.assign(tf.add(tf.mul(vi, beta2), tf.mul(tf.square(g), 1 - beta2)));
          const denom = tf.add(tf.div(tf.sqrt(vi), bc2Sqrt), epsilon);
          w.assign(tf.sub(w, tf.mul(tf.div(mi, denom), stepSize)));
        });
      });
      state.step = t;
    },
    dispose(state: AdamState): void {
      for (const x of state.m) x.dispose();
      for (const x of state.v) x.dispose();
    },
  });
}

function arraysEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
