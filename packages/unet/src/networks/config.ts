import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkNumber, ParameterError } from '@edmkit/core';
import type { NetworkConfig } from '../types.js';

/** Checks a non-empty list of integers ≥ `min` and returns a frozen copy. */
export function checkIntegerList(
  name: string,
  value: unknown,
  min: number,
  allowEmpty = false,
): readonly number[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    throw new ParameterError(
      name,
      `${allowEmpty ? 'an' : 'a non-empty'} array of integers >= ${min}`,
      value,
    );
  }
  return Object.freeze(value.map((v, i) => checkInteger(`${name}[${i}]`, v, min)));
}

/** Checks a dropout probability in [0, 1). */
export function checkProbability(name: string, value: unknown): number {
  return checkNumber(name, value, { min: 0, max: 1, maxInclusive: false });
}

/**
 * Checks that a square image of side `resolution` can be halved `levels − 1` times
 * exactly (every U-Net level but the first downsamples by 2).
 */
export function checkResolution(resolution: number, levels: number): void {
  const factor = 2 ** (levels - 1);
  if (resolution % factor !== 0) {
    throw new ParameterError(
      'resolution',
      `a multiple of 2^(levels − 1) = ${factor} for ${levels} resolution levels (channelMult.length)`,
      resolution,
    );
  }
}

/** Refuses option keys a factory does not know (catches typos such as `numBlock`). */
export function checkKnownKeys(name: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ParameterError(
        `${name}.${key}`,
        `one of the known options (${known.join(', ')})`,
        (options as Record<string, unknown>)[key],
      );
    }
  }
}

/** One difference between two configs. */
export interface ConfigDifference {
  /** The config field. */
  readonly key: string;
  /** Its value in the expected (reference) config. */
  readonly expected: unknown;
  /** Its value in the actual config. */
  readonly actual: unknown;
}

/**
 * The fields on which two network configs differ (compared as JSON values), in key order.
 *
 * @example
 * configDiff(ddpmppConfig(), ncsnppConfig()).map((d) => d.key);
 * // ['architecture', 'channelMultNoise', 'embeddingType', 'encoderType', 'resampleFilter']
 * @see https://arxiv.org/abs/2206.00364
 */
export function configDiff(expected: NetworkConfig, actual: NetworkConfig): ConfigDifference[] {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  const out: ConfigDifference[] = [];
  for (const key of keys) {
    const a = expected[key];
    const b = actual[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ key, expected: a, actual: b });
  }
  return out;
}

/** The symbolic inputs of a network: x, c_noise (N×1), and the label inputs its config has. */
export interface ModelInputs {
  readonly x: tf.SymbolicTensor;
  readonly cNoise: tf.SymbolicTensor;
  readonly classLabels: tf.SymbolicTensor | null;
  readonly augmentLabels: tf.SymbolicTensor | null;
  /** All of them, in the model's input order. */
  readonly list: tf.SymbolicTensor[];
  /** The conditioning inputs of the mapping network: [cNoise, (labels), (augment)]. */
  readonly conditioning: tf.SymbolicTensor[];
}

/** Creates the symbolic inputs of `config`: [x, cNoise(, classLabels)(, augmentLabels)]. */
export function modelInputs(config: NetworkConfig): ModelInputs {
  const x = tf.input({ shape: [...config.inputShape], name: 'x' });
  const cNoise = tf.input({ shape: [1], name: 'c_noise' });
  const classLabels =
    config.labelDim > 0 ? tf.input({ shape: [config.labelDim], name: 'class_labels' }) : null;
  const augmentLabels =
    config.augmentDim > 0 ? tf.input({ shape: [config.augmentDim], name: 'augment_labels' }) : null;
  const conditioning = [
    cNoise,
    ...(classLabels ? [classLabels] : []),
    ...(augmentLabels ? [augmentLabels] : []),
  ];
  return { x, cNoise, classLabels, augmentLabels, list: [x, ...conditioning], conditioning };
}
