import * as tf from '@tensorflow/tfjs';

/**
 * A small U-Net-shaped network built from the ops the edmkit U-Nets use: 3×3
 * convolutions, group norm via moments, SiLU, a sinusoidal noise embedding (exp,
 * sin, cos, matMul), a depthwise FIR downsampler and average pooling, single-head
 * self-attention (matMul, softmax, slice, transpose), nearest-neighbour and
 * transposed-convolution upsampling, skip concatenation.
 */
export interface TinyNet {
  readonly variables: tf.Variable[];
  apply(x: tf.Tensor4D, cNoise: tf.Tensor1D): tf.Tensor4D;
  dispose(): void;
}

export function tinyNet(channels = 8, inChannels = 3, seed = 1): TinyNet {
  const c = channels;
  let s = seed;
  const v = <R extends tf.Rank>(shape: tf.ShapeMap[R]): tf.Variable<R> =>
    tf.variable(
      tf.randomNormal<R>(
        shape,
        0,
        1 / Math.sqrt((shape as number[]).slice(0, -1).reduce((a, b) => a * b, 1)),
        'float32',
        s++,
      ),
    );
  const w = {
    embed: v([16, c]),
    conv1: v<tf.Rank.R4>([3, 3, inChannels, c]),
    gamma: v([c]),
    beta: v([c]),
    conv2: v<tf.Rank.R4>([3, 3, c, c]),
    qkv: v([c, 3 * c]),
    up: v<tf.Rank.R4>([3, 3, c, c]),
    out: v<tf.Rank.R4>([3, 3, 2 * c, inChannels]),
  };
  // [1, 3, 3, 1] ⊗ [1, 3, 3, 1] / 64 per channel (NCSN++'s resampling filter).
  const fir = tf.tidy(() => {
    const k = tf.tensor1d([1, 3, 3, 1]);
    return tf.tile(tf.outerProduct(k, k).div(64).reshape([4, 4, 1, 1]), [
      1,
      1,
      c,
      1,
    ]) as tf.Tensor4D;
  });
  const silu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));
  const groupNorm = (x: tf.Tensor4D, groups: number): tf.Tensor4D => {
    const [b, h, wd, ch] = x.shape;
    const r = x.reshape([b, h, wd, groups, ch / groups]);
    const { mean, variance } = tf.moments(r, [1, 2, 4], true);
    return r
      .sub(mean)
      .mul(tf.rsqrt(variance.add(1e-6)))
      .reshape(x.shape)
      .mul(w.gamma)
      .add(w.beta);
  };
  const apply = (x: tf.Tensor4D, cNoise: tf.Tensor1D): tf.Tensor4D =>
    tf.tidy(() => {
      const [b, h, wd] = x.shape;
      const freqs = tf.exp(tf.range(0, 8).mul(-Math.log(10000) / 8));
      const arg = cNoise.reshape([-1, 1]).mul(freqs.reshape([1, -1]));
      const emb = silu(tf.concat([tf.sin(arg), tf.cos(arg)], 1).matMul(w.embed));
      let hid = tf.conv2d(x, w.conv1, 1, 'same');
      hid = silu(groupNorm(hid, 2)).add<tf.Tensor4D>(emb.reshape([-1, 1, 1, c]));
      const skip = hid;
      const fired = tf.depthwiseConv2d(
        tf.pad(skip, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]),
        fir,
        2,
        'valid',
      );
      hid = tf.avgPool(hid, 2, 2, 'valid').add(fired);
      hid = tf.conv2d(hid, w.conv2, 1, 'same');
      const n = (h / 2) * (wd / 2);
      const qkv = hid
        .reshape([-1, c])
        .matMul(w.qkv)
        .reshape([b, n, 3 * c]);
      const q = qkv.slice([0, 0, 0], [-1, -1, c]);
      const k = qkv.slice([0, 0, c], [-1, -1, c]);
      const val = qkv.slice([0, 0, 2 * c], [-1, -1, c]);
      const attn = tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(c)));
      hid = hid.add(tf.matMul(attn, val).reshape(hid.shape));
      hid = tf.transpose(tf.transpose(hid, [0, 3, 1, 2]), [0, 2, 3, 1]);
      const up1 = tf.image.resizeNearestNeighbor(hid, [h, wd]);
      const up2 = tf.conv2dTranspose(hid, w.up, [b, h, wd, c], 2, 'same');
      return tf.conv2d(tf.concat([up1.add(up2), skip], 3) as tf.Tensor4D, w.out, 1, 'same');
    });
  return {
    variables: Object.values(w),
    apply,
    dispose: () => {
      tf.dispose(Object.values(w));
      fir.dispose();
    },
  };
}

/** Mean squared error of the net's output against `target`: the training step's loss. */
export function tinyLoss(
  net: TinyNet,
  x: tf.Tensor4D,
  cNoise: tf.Tensor1D,
  target: tf.Tensor4D,
): () => tf.Scalar {
  return () => tf.mean(tf.square(net.apply(x, cNoise).sub(target)));
}
