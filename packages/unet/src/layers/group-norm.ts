import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkNumber, ParameterError } from '@edmkit/core';
import {
  EdmLayer,
  knownDim,
  singleShape,
  singleTensor,
  type EdmLayerArgs,
  type Kwargs,
  type LayerVariable,
} from './edm-layer.js';

/** Options of {@link GroupNorm}. */
export interface GroupNormArgs extends EdmLayerArgs {
  /** Largest number of groups (default 32). */
  readonly groups?: number;
  /** Fewest channels a group may have (default 4); fewer groups are used for narrow layers. */
  readonly minChannelsPerGroup?: number;
  /** ε added to the variance (default 1e-5; the Song U-Net uses 1e-6). */
  readonly epsilon?: number;
}

/**
 * The number of groups GroupNorm uses for `channels` channels:
 * min(groups, ⌊channels / minChannelsPerGroup⌋), as the official `GroupNorm`.
 * Throws a {@link ParameterError} if that does not divide `channels` (or is 0).
 *
 * @example
 * groupCount(256); // 32
 * groupCount(32);  // 8
 * @see https://arxiv.org/abs/2206.00364
 */
export function groupCount(channels: number, groups = 32, minChannelsPerGroup = 4): number {
  const g = Math.min(groups, Math.floor(channels / minChannelsPerGroup));
  if (g < 1 || channels % g !== 0) {
    throw new ParameterError(
      'channels',
      `a multiple of min(${groups}, ⌊channels/${minChannelsPerGroup}⌋) with at least ${minChannelsPerGroup} channels (GroupNorm)`,
      channels,
    );
  }
  return g;
}

/**
 * Group normalisation (Wu & He 2018) over the last (channel) axis: the channels are
 * split into G groups, each group is normalised to zero mean and unit variance over
 * its channels and all positions of one sample, then scaled and shifted per channel.
 *
 * Paper: Appendix F.2 (network architectures); official `GroupNorm`:
 * y = (x − μ_g) / √(σ²_g + ε) · γ + β with G = min(32, ⌊C/4⌋); ε = 10⁻⁶ in the Song
 * U-Net (DDPM++, NCSN++), 10⁻⁵ in the Dhariwal U-Net (ADM). γ starts at 1, β at 0.
 *
 * Input [batch, …positions, C] (NHWC images or [batch, C] vectors).
 *
 * @example
 * const norm = new GroupNorm({ epsilon: 1e-6 });
 * const y = norm.apply(tf.randomNormal([2, 8, 8, 64])) as tf.Tensor; // 16 groups of 4
 * @see https://arxiv.org/abs/2206.00364
 */
export class GroupNorm extends EdmLayer {
  static readonly className = 'EdmGroupNorm';
  readonly groups: number;
  readonly minChannelsPerGroup: number;
  readonly epsilon: number;
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;
  private numGroups = 0;

  constructor(args: GroupNormArgs = {}) {
    super(args);
    this.groups = checkInteger('groups', args.groups ?? 32, 1);
    this.minChannelsPerGroup = checkInteger(
      'minChannelsPerGroup',
      args.minChannelsPerGroup ?? 4,
      1,
    );
    this.epsilon = checkNumber('epsilon', args.epsilon ?? 1e-5, { min: 0, minInclusive: false });
  }

  /** Scalar parameters of a GroupNorm over `channels` channels (γ and β). */
  static paramCount(channels: number): number {
    return 2 * channels;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = knownDim(singleShape(inputShape), -1, this.name);
    this.numGroups = groupCount(channels, this.groups, this.minChannelsPerGroup);
    this.gamma = this.addParam('gamma', [channels], (n) => new Float32Array(n).fill(1));
    this.beta = this.addParam('beta', [channels], null);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      const shape = x.shape;
      const batch = shape[0];
      const channels = shape[shape.length - 1]!;
      const g = this.numGroups;
      const grouped = x.reshape([batch, -1, g, channels / g]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      const normed = tf
        .mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, this.epsilon)))
        .reshape(shape);
      return tf.add(tf.mul(normed, this.gamma!.read()), this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      groups: this.groups,
      minChannelsPerGroup: this.minChannelsPerGroup,
      epsilon: this.epsilon,
    };
  }
}
tf.serialization.registerClass(GroupNorm, 'edmkit');
