// A small U-Net-shaped conv net from plain tfjs ops (the same as test/helpers/tiny-net.ts):
// 3×3 convs, group norm via moments, SiLU, sinusoidal embedding, depthwise FIR + average-pool
// downsampling, single-head attention, nearest-neighbour + transposed-conv upsampling, skip concat.
import * as tf from '@tensorflow/tfjs';

export function tinyNet(channels = 16, inChannels = 3, seed = 1) {
  const c = channels;
  let s = seed;
  const v = (shape) =>
    tf.variable(
      tf.randomNormal(
        shape,
        0,
        1 / Math.sqrt(shape.slice(0, -1).reduce((a, b) => a * b, 1)),
        'float32',
        s++,
      ),
    );
  const w = {
    embed: v([16, c]),
    conv1: v([3, 3, inChannels, c]),
    gamma: v([c]),
    beta: v([c]),
    conv2: v([3, 3, c, c]),
    qkv: v([c, 3 * c]),
    up: v([3, 3, c, c]),
    out: v([3, 3, 2 * c, inChannels]),
  };
  const fir = tf.tidy(() => {
    const k = tf.tensor1d([1, 3, 3, 1]);
    return tf.tile(tf.outerProduct(k, k).div(64).reshape([4, 4, 1, 1]), [1, 1, c, 1]);
  });
  const silu = (x) => tf.mul(x, tf.sigmoid(x));
  const groupNorm = (x, groups) => {
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
  const apply = (x, cNoise) =>
    tf.tidy(() => {
      const [b, h, wd] = x.shape;
      const freqs = tf.exp(tf.range(0, 8).mul(-Math.log(10000) / 8));
      const arg = cNoise.reshape([-1, 1]).mul(freqs.reshape([1, -1]));
      const emb = silu(tf.concat([tf.sin(arg), tf.cos(arg)], 1).matMul(w.embed));
      let hid = tf.conv2d(x, w.conv1, 1, 'same');
      hid = silu(groupNorm(hid, 2)).add(emb.reshape([-1, 1, 1, c]));
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
      return tf.conv2d(tf.concat([up1.add(up2), skip], 3), w.out, 1, 'same');
    });
  const variables = Object.values(w);
  return {
    name: `small conv net (${c} ch)`,
    inputShape: [32, 32, inChannels],
    trainableWeights: variables,
    apply: (x, cNoise) => apply(x, cNoise),
    countParams: () => variables.reduce((a, t) => a + t.size, 0),
    dispose: () => {
      tf.dispose(variables);
      fir.dispose();
    },
  };
}
