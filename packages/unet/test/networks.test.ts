import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParameterError, UnknownNameError } from '@edmkit/core';
import {
  admConfig,
  admImageNet64Config,
  admSmallConfig,
  buildNetwork,
  checkNetworkConfig,
  configDiff,
  countParamsOf,
  ddpmpp,
  ddpmppConfig,
  ddpmppSmallConfig,
  dhariwalUNetConfig,
  adm,
  mlp,
  mlpConfig,
  ncsnpp,
  ncsnppConfig,
  ncsnppSmallConfig,
  songUNetConfig,
  type Network,
  type NetworkConfig,
} from '@edmkit/unet';
import { maxAbsDiff, randn, runOn, weightOf } from './networks-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Tiny configs of every architecture, with every kind of input. */
const tiny = {
  ddpmpp: songUNetConfig({
    resolution: 8,
    inChannels: 2,
    modelChannels: 8,
    channelMult: [1, 2],
    numBlocks: 1,
    attnResolutions: [4],
    labelDim: 3,
    augmentDim: 2,
    dropout: 0.1,
  }),
  ncsnpp: songUNetConfig({
    resolution: 8,
    inChannels: 2,
    modelChannels: 8,
    channelMult: [1, 2],
    numBlocks: 1,
    attnResolutions: [4],
    augmentDim: 0,
    embeddingType: 'fourier',
    encoderType: 'residual',
    resampleFilter: [1, 3, 3, 1],
  }),
  adm: dhariwalUNetConfig({
    resolution: 8,
    inChannels: 2,
    outChannels: 4, // iDDPM: 2× the image channels
    modelChannels: 8,
    channelMult: [1, 2],
    numBlocks: 1,
    attnResolutions: [8, 4],
    channelsPerHead: 4,
    labelDim: 3,
    augmentDim: 2,
    dropout: 0,
  }),
  mlp: mlpConfig({ dim: 3, hidden: 16, layers: 2, embeddingDim: 8, labelDim: 2 }),
  mlpFourier: mlpConfig({
    dim: 2,
    hidden: 8,
    layers: 1,
    embeddingDim: 6,
    embeddingType: 'fourier',
  }),
} as const;

const nets = new Map<string, Network>();
function net(name: keyof typeof tiny): Network {
  let n = nets.get(name);
  if (!n) {
    n = buildNetwork(tiny[name], { seed: 1 });
    nets.set(name, n);
  }
  return n;
}
afterAll(() => {
  for (const n of nets.values()) n.dispose();
});

describe('forward pass', () => {
  for (const name of Object.keys(tiny) as (keyof typeof tiny)[]) {
    it(`${name}: output [batch, …outShape], parameters = countParamsOf(config)`, () => {
      const network = net(name);
      const c = network.config;
      const y = runOn(network, 3, 1);
      const outShape =
        c.inputShape.length === 3
          ? [c.inputShape[0]!, c.inputShape[1]!, c.outChannels]
          : [c.outChannels];
      expect(y.length).toBe(3 * outShape.reduce((a, b) => a * b, 1));
      expect(y.every(Number.isFinite)).toBe(true);
      expect(network.countParams()).toBe(countParamsOf(c));
      expect(network.trainableWeights.reduce((s, w) => s + w.size, 0)).toBe(countParamsOf(c));
      const shape = tf.tidy(
        () =>
          network.apply(randn([1, ...c.inputShape], 2), tf.zeros([1]), {
            ...(c.labelDim > 0 ? { classLabels: tf.zeros<tf.Rank.R2>([1, c.labelDim]) } : {}),
          }).shape,
      );
      expect(shape).toEqual([1, ...outShape]);
    });
  }

  it('iDDPM ADM: 2× the image channels out', () => {
    expect(tiny.adm.outChannels).toBe(2 * tiny.adm.inputShape[2]);
    const shape = tf.tidy(
      () =>
        net('adm').apply(tf.zeros([2, 8, 8, 2]), tf.zeros([2]), {
          classLabels: tf.zeros<tf.Rank.R2>([2, 3]),
        }).shape,
    );
    expect(shape).toEqual([2, 8, 8, 4]);
  });

  it('NCSN++ keeps its 128 Fourier frequencies as a fixed weight outside the parameter count', () => {
    const n = net('ncsnpp');
    expect(n.model.countParams() - n.countParams()).toBe(8); // 16 noise channels → 8 frequencies
    expect(n.model.weights.some((w) => w.originalName === 'enc.4x4_aux_residual/kernel')).toBe(
      true,
    );
    expect(
      n.model.weights.some((w) => w.originalName === 'map/map_noise/freqs' && !w.trainable),
    ).toBe(true);
  });

  it('does not leak tensors (inference and training)', () => {
    const n = net('ddpmpp');
    runOn(n, 2, 3); // warm-up (lazy constants)
    const before = tf.memory().numTensors;
    runOn(n, 2, 3);
    runOn(n, 2, 3, { training: true, seed: 4 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('dispose releases every weight', () => {
    const before = tf.memory().numTensors;
    const n = buildNetwork(tiny.ncsnpp, { seed: 2 });
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    n.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('different seeds give different initial weights, the same seed the same', () => {
    const a = buildNetwork(tiny.mlp, { seed: 5 });
    const b = buildNetwork(tiny.mlp, { seed: 5 });
    const c = buildNetwork(tiny.mlp, { seed: 6 });
    expect(Array.from(runOn(a, 2, 1))).toEqual(Array.from(runOn(b, 2, 1)));
    expect(maxAbsDiff(runOn(a, 2, 1), runOn(c, 2, 1))).toBeGreaterThan(1e-3);
    [a, b, c].forEach((n) => n.dispose());
  });
});

describe('dropout', () => {
  it('is reproducible for a seed, differs between seeds, and is off in inference', () => {
    const n = net('ddpmpp');
    const a = runOn(n, 2, 5, { training: true, seed: 11 });
    const b = runOn(n, 2, 5, { training: true, seed: 11 });
    const c = runOn(n, 2, 5, { training: true, seed: 12 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0);
    expect(Array.from(runOn(n, 2, 5))).toEqual(Array.from(runOn(n, 2, 5, { seed: 99 })));
    expect(() => runOn(n, 2, 5, { training: true })).toThrow(/seed/);
    // A network without dropout needs no seed.
    expect(() => runOn(net('adm'), 1, 5, { training: true })).not.toThrow();
  });
});

/** A squared-error loss through `apply` (training mode, dropout seeded), on deterministic data. */
function lossOf(n: Network, seed: number): () => tf.Scalar {
  const c = n.config;
  const x = randn([2, ...c.inputShape], seed);
  const target = randn(
    [2, ...(c.inputShape.length === 3 ? [c.inputShape[0]!, c.inputShape[1]!] : []), c.outChannels],
    seed + 1,
  );
  const cNoise = randn([2], seed + 2) as tf.Tensor1D;
  const classLabels =
    c.labelDim > 0
      ? (tf.oneHot(tf.tensor1d([0, 1], 'int32'), c.labelDim).toFloat() as tf.Tensor2D)
      : undefined;
  const augmentLabels =
    c.augmentDim > 0 ? (randn([2, c.augmentDim], seed + 3) as tf.Tensor2D) : undefined;
  const options = {
    training: true,
    seed,
    ...(classLabels ? { classLabels } : {}),
    ...(augmentLabels ? { augmentLabels } : {}),
  };
  return () => tf.sum(tf.square(tf.sub(n.apply(x, cNoise, options), target)));
}

/** max |∂L/∂w| of every trainable weight, in `trainableWeights` order. */
function gradNorms(n: Network, seed: number): number[] {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(lossOf(n, seed), [...n.trainableWeights]);
    return n.trainableWeights.map((w) => tf.max(tf.abs(grads[w.name]!)).dataSync()[0]!);
  });
}

function adamStep(n: Network, optimizer: tf.Optimizer, seed: number): void {
  tf.tidy(() => {
    optimizer.minimize(lossOf(n, seed), false, [...n.trainableWeights]);
  });
}

describe('training', () => {
  it('Song U-Nets (1e-5 output init, not zero): every parameter has a non-zero gradient at once and after one Adam step', () => {
    for (const name of ['ddpmpp', 'ncsnpp'] as const) {
      const n = buildNetwork(tiny[name], { seed: 3 });
      const names = n.trainableWeights.map((w) => w.name);
      const zero = (norms: number[]): string[] => names.filter((_, i) => !(norms[i]! > 0));
      expect(zero(gradNorms(n, 1))).toEqual([]);
      const optimizer = tf.train.adam(1e-3);
      adamStep(n, optimizer, 2);
      expect(zero(gradNorms(n, 3))).toEqual([]);
      optimizer.dispose();
      n.dispose();
    }
  }, 60_000);

  it('ADM (zero-initialised output layers): only out_conv learns at step 0; every gradient is non-zero after two steps', () => {
    const n = buildNetwork(tiny.adm, { seed: 3 });
    const names = n.model.trainableWeights.map((w) => w.originalName);
    const nonZero = (norms: number[]): string[] => names.filter((_, i) => norms[i]! > 0);
    expect(nonZero(gradNorms(n, 1)).sort()).toEqual(['out_conv/bias', 'out_conv/kernel']);
    const optimizer = tf.train.adam(1e-2);
    adamStep(n, optimizer, 2); // out_conv becomes non-zero: conv1 / proj / skip paths now get gradients
    const afterOne = nonZero(gradNorms(n, 3));
    expect(afterOne).toContain('dec.8x8_block1/conv1/kernel');
    expect(afterOne).toContain('dec.8x8_block1/attn/proj/kernel');
    expect(afterOne).not.toContain('map/map_layer0/kernel'); // still behind zero conv1s
    adamStep(n, optimizer, 4);
    const afterTwo = nonZero(gradNorms(n, 5));
    expect(names.filter((name) => !afterTwo.includes(name))).toEqual([]);
    optimizer.dispose();
    n.dispose();
  }, 60_000);

  it('gradients through apply match finite differences (inference mode, batch 2, float32)', () => {
    for (const name of ['ddpmpp', 'ncsnpp', 'adm'] as const) {
      const n = name === 'adm' ? buildNetwork(tiny.adm, { seed: 3 }) : net(name);
      if (name === 'adm') {
        // Give the zero-initialised layers values so that every path carries gradient.
        for (const w of n.model.weights)
          if (/conv1\/kernel|proj\/kernel|out_conv\/kernel/.test(w.originalName))
            w.write(tf.mul(randn(w.shape as number[], 7), 0.2));
      }
      const c = n.config;
      const labels =
        c.labelDim > 0
          ? {
              classLabels: tf
                .oneHot(tf.tensor1d([0, 2], 'int32'), c.labelDim)
                .toFloat() as tf.Tensor2D,
            }
          : {};
      const x0 = randn([2, ...c.inputShape], 8);
      const v = randn([2, ...c.inputShape], 9);
      const w = randn([2, c.inputShape[0]!, c.inputShape[1]!, c.outChannels], 10);
      const cNoise = tf.tensor1d([0.3, -0.8]);
      const loss = (x: tf.Tensor): tf.Scalar => tf.sum(tf.mul(n.apply(x, cNoise, labels), w));
      const g = tf.grad(loss)(x0);
      const analytic = tf.sum(tf.mul(g, v)).dataSync()[0]!;
      const eps = 1e-2;
      const fd =
        (loss(tf.add(x0, tf.mul(v, eps))).dataSync()[0]! -
          loss(tf.sub(x0, tf.mul(v, eps))).dataSync()[0]!) /
        (2 * eps);
      expect(Math.abs(fd - analytic)).toBeLessThan(2e-2 * Math.max(1, Math.abs(analytic)));
      if (name === 'adm') n.dispose();
    }
  }, 30_000);
});

describe('initialisation (Appendix F.2)', () => {
  it('Song: output conv at 1e-5 × Xavier, qkv at √0.2 × Xavier, zero biases', () => {
    const m = net('ddpmpp').model;
    const maxAbs = (name: string): number =>
      tf.tidy(() => tf.max(tf.abs(weightOf(m, name).read())).dataSync()[0]!);
    const xavier = (fanIn: number, fanOut: number): number => Math.sqrt(6 / (fanIn + fanOut));
    expect(maxAbs('dec.8x8_aux_conv/kernel')).toBeLessThanOrEqual(1e-5 * xavier(8 * 9, 2 * 9));
    expect(maxAbs('dec.8x8_aux_conv/kernel')).toBeGreaterThan(0.5e-5 * xavier(8 * 9, 2 * 9));
    expect(maxAbs('dec.4x4_in0/attn/qkv/kernel')).toBeLessThanOrEqual(
      Math.sqrt(0.2) * xavier(16, 48),
    );
    expect(maxAbs('dec.4x4_in0/attn/qkv/kernel')).toBeGreaterThan(
      0.8 * Math.sqrt(0.2) * xavier(16, 48),
    );
    expect(maxAbs('enc.8x8_block0/conv1/kernel')).toBeLessThanOrEqual(1e-5 * xavier(8 * 9, 8 * 9));
    expect(maxAbs('enc.8x8_block0/conv0/bias')).toBe(0);
    expect(maxAbs('map/map_layer0/bias')).toBe(0);
  });

  it('ADM: zero output conv, zero conv1 and attention projections, Kaiming-uniform ×√⅓ elsewhere', () => {
    const m = net('adm').model;
    const maxAbs = (name: string): number =>
      tf.tidy(() => tf.max(tf.abs(weightOf(m, name).read())).dataSync()[0]!);
    for (const name of [
      'out_conv/kernel',
      'out_conv/bias',
      'enc.8x8_block0/conv1/kernel',
      'dec.4x4_in0/attn/proj/kernel',
      'map/map_augment/kernel',
    ]) {
      expect(maxAbs(name)).toBe(0);
    }
    expect(maxAbs('enc.8x8_block0/conv0/kernel')).toBeLessThanOrEqual(1 / Math.sqrt(8 * 9));
    expect(maxAbs('enc.8x8_block0/conv0/bias')).toBeGreaterThan(0);
  });
});

describe('parameter counts (official CIFAR-10 32×32 and ImageNet-64 configurations)', () => {
  const adm128 = { modelChannels: 128, channelMult: [1, 2, 2, 2] } as const;

  it('countParamsOf gives the exact integers; the quoted 55.73 M / 56.40 M / 279.6 M / 295.9 M round from them', () => {
    // Unconditional with augment_dim 9, as train.py configures CIFAR-10.
    expect(countParamsOf(ddpmppConfig())).toBe(55_733_891);
    expect(countParamsOf(ncsnppConfig())).toBe(56_397_827);
    expect(countParamsOf(admConfig())).toBe(279_625_923);
    // The other label settings round to the same two decimals.
    expect(countParamsOf(ddpmppConfig({ augmentDim: 0 }))).toBe(55_732_739);
    expect(countParamsOf(ddpmppConfig({ labelDim: 10 }))).toBe(55_735_299);
    expect(countParamsOf(ncsnppConfig({ labelDim: 10 }))).toBe(56_400_643);
    expect(countParamsOf(admConfig({ labelDim: 10 }))).toBe(279_633_603);
    // The smaller ADM (128 base channels, [1, 2, 2, 2]) when asked for explicitly.
    expect(countParamsOf(admConfig(adm128))).toBe(57_556_483);
    expect(countParamsOf(admConfig({ ...adm128, labelDim: 10 }))).toBe(57_561_603);
    // ImageNet-64 class-conditional ADM (EDM-retrained: 3 output channels; pre-trained iDDPM: 6).
    expect(countParamsOf(admImageNet64Config())).toBe(295_899_267);
    expect(countParamsOf(admImageNet64Config({ outChannels: 6 }))).toBe(295_904_454);
    // Small presets for this machine stay under 2 M.
    for (const c of [ddpmppSmallConfig(), ncsnppSmallConfig(), admSmallConfig()])
      expect(countParamsOf(c)).toBeLessThan(2e6);
  });

  it("adm's defaults are train.py's --arch=adm settings", () => {
    const c = admConfig();
    expect(c).toEqual(dhariwalUNetConfig());
    expect(c).toMatchObject({
      inputShape: [32, 32, 3],
      outChannels: 3,
      labelDim: 0,
      augmentDim: 9,
      modelChannels: 192,
      channelMult: [1, 2, 3, 4],
      channelMultEmb: 4,
      numBlocks: 3,
      attnResolutions: [32, 16, 8],
      channelsPerHead: 64,
      dropout: 0.13,
      labelDropout: 0,
    });
    // The ImageNet-64 run shares the architecture; only data and training settings differ.
    expect(configDiff(c, admImageNet64Config()).map((d) => d.key)).toEqual([
      'augmentDim',
      'dropout',
      'inputShape',
      'labelDim',
    ]);
  });

  it('countParamsOf matches a built ADM of the default layout at 1/12 of the width', () => {
    // Every default but the width: 4 levels [1, 2, 3, 4], 3 blocks, attention at 32, 16, 8,
    // augmentDim 9, at 32×32×3; 16 base channels and one 16-channel head at 32×32.
    const narrow = { modelChannels: 16, channelsPerHead: 16 } as const;
    const count = countParamsOf(admConfig(narrow));
    expect(count).toBeLessThan(2.5e6);
    const n = adm({ ...narrow, seed: 0 });
    try {
      expect(n.countParams()).toBe(count);
      expect(n.model.countParams()).toBe(count);
      expect(n.trainableWeights.reduce((s, w) => s + w.size, 0)).toBe(count);
    } finally {
      n.dispose();
    }
  }, 60_000);

  it('the built CIFAR-10 networks have exactly those counts', () => {
    // The default ADM (279.6 M parameters, 1.1 GB) is counted above, not built.
    for (const [make, count, buffers] of [
      [ddpmpp, 55_733_891, 0],
      [ncsnpp, 56_397_827, 128],
      [() => adm(adm128), 57_556_483, 0],
    ] as const) {
      const n = make();
      expect(n.countParams()).toBe(count);
      expect(n.model.countParams()).toBe(count + buffers);
      n.dispose();
    }
  }, 60_000);
});

describe('validation', () => {
  const n = (): Network => net('ddpmpp');
  const labels = (): tf.Tensor2D => tf.zeros<tf.Rank.R2>([2, 3]);

  it('refuses inputs of the wrong shape, dtype or count', () => {
    tf.tidy(() => {
      expect(() =>
        n().apply(tf.zeros([2, 8, 8, 3]), tf.zeros([2]), { classLabels: labels() }),
      ).toThrow(/x must be a tensor of shape \[batch, 8, 8, 2\]/);
      expect(() =>
        n().apply(tf.zeros([8, 8, 2]), tf.zeros([2]), { classLabels: labels() }),
      ).toThrow(ParameterError);
      expect(() =>
        n().apply(tf.zeros([2, 8, 8, 2]), tf.zeros([3]), { classLabels: labels() }),
      ).toThrow(/cNoise/);
      expect(() =>
        n().apply(tf.zeros([2, 8, 8, 2], 'int32'), tf.zeros([2]), { classLabels: labels() }),
      ).toThrow(/float32/);
      expect(() => n().apply(tf.zeros([2, 8, 8, 2]), tf.zeros([2]))).toThrow(/classLabels/);
      expect(() =>
        n().apply(tf.zeros([2, 8, 8, 2]), tf.zeros([2]), {
          classLabels: tf.zeros<tf.Rank.R2>([2, 4]),
        }),
      ).toThrow(/classLabels/);
      expect(() =>
        n().apply(tf.zeros([2, 8, 8, 2]), tf.zeros([2]), {
          classLabels: labels(),
          augmentLabels: tf.zeros<tf.Rank.R2>([2, 9]),
        }),
      ).toThrow(/augmentLabels/);
      expect(() =>
        net('ncsnpp').apply(tf.zeros([1, 8, 8, 2]), tf.zeros([1]), {
          classLabels: tf.zeros<tf.Rank.R2>([1, 3]),
        }),
      ).toThrow(/labelDim 0/);
      expect(() =>
        n().apply(tf.zeros([2, 8, 8, 2]), tf.zeros([2]), { classLabels: labels(), seed: -1 }),
      ).toThrow(/seed/);
      expect(() =>
        n().apply(tf.zeros([2, 8, 8, 2]), tf.zeros([2]), { classLabels: labels(), seed: 1.5 }),
      ).toThrow(/seed/);
    });
  });

  it('refuses invalid configs, naming the option', () => {
    const expectParam = (fn: () => unknown, parameter: string): void => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(ParameterError);
        expect((error as ParameterError).parameter).toBe(parameter);
        return;
      }
      throw new Error(`expected a ParameterError naming ${parameter}`);
    };
    expectParam(() => songUNetConfig({ resolution: 30 }), 'resolution'); // 3 levels need a multiple of 4
    expectParam(() => songUNetConfig({ numBlock: 2 } as never), 'options.numBlock');
    expectParam(() => songUNetConfig({ dropout: 1 }), 'dropout');
    expectParam(() => songUNetConfig({ channelMult: [] }), 'channelMult');
    expectParam(() => songUNetConfig({ modelChannels: 42 }), 'channels'); // GroupNorm: min(32, 10) ∤ 42
    expectParam(() => songUNetConfig({ resampleFilter: [1, -1] }), 'resampleFilter');
    expectParam(
      () => dhariwalUNetConfig({ modelChannels: 32, attnResolutions: [32] }),
      'channelsPerHead',
    );
    expectParam(() => mlpConfig({ dim: 0 }), 'dim');
    expectParam(() => mlpConfig({ dim: 2, embeddingDim: 6.5 }), 'embeddingDim');
    expect(() => songUNetConfig({ embeddingType: 'sinusoidal' as never })).toThrow(
      UnknownNameError,
    );
  });

  it('checkNetworkConfig accepts a JSON round trip and names inconsistent fields', () => {
    const json = JSON.parse(JSON.stringify(ncsnppConfig())) as NetworkConfig;
    expect(configDiff(checkNetworkConfig(json), ncsnppConfig())).toEqual([]);
    expect(() => checkNetworkConfig({ ...json, architecture: 'ddpmpp' })).toThrow(
      /config\.architecture/,
    );
    expect(() => checkNetworkConfig({ ...json, architecture: 'unet' })).toThrow(UnknownNameError);
    expect(() => checkNetworkConfig({ ...json, inputShape: [32, 16, 3] })).toThrow(
      /config\.inputShape/,
    );
    expect(() => checkNetworkConfig({ ...json, extra: 1 })).toThrow(/extra/);
    expect(configDiff(ddpmppConfig(), ncsnppConfig()).map((d) => d.key)).toEqual([
      'architecture',
      'channelMultNoise',
      'embeddingType',
      'encoderType',
      'resampleFilter',
    ]);
  });

  it('mlp: vectors in, vectors out', () => {
    const m = mlp({ dim: 2, seed: 1 });
    expect(m.countParams()).toBe((2 + 64) * 256 + 256 + 2 * (256 * 256 + 256) + 256 * 2 + 2);
    const y = tf.tidy(() => m.apply(tf.zeros([5, 2]), tf.fill<tf.Rank.R1>([5], -0.3)).shape);
    expect(y).toEqual([5, 2]);
    m.dispose();
  });
});
