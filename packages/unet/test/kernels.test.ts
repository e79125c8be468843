import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dispatchedKernels, missingKernels, registerTrainingKernels } from '@edmkit/unet';
import { conv2dBackpropFilterKernel } from '../src/kernels/conv2d-backprop-filter.js';
import { loadWasm, randomValues, relativeError, valuesOn } from './helpers/backends.js';
import { tinyLoss, tinyNet } from './helpers/tiny-net.js';

type Pad =
  'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** tfjs 4.22's own kernels, captured before edmkit replaces them: the references. */
let originalCpu: Record<string, tf.KernelFunc>;
let firstRegistration: ReturnType<typeof registerTrainingKernels>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  originalCpu = Object.fromEntries(
    [tf.Conv2DBackpropFilter, tf.ResizeNearestNeighborGrad].map((name) => [
      name,
      tf.getKernel(name, 'cpu').kernelFunc,
    ]),
  );
  await loadWasm();
  firstRegistration = registerTrainingKernels();
});

/** Runs tfjs's original cpu kernel `name` on tensors. */
function runOriginalCpu(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  const info = originalCpu[name]!({
    inputs,
    backend: tf.backend(),
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(info);
}

describe('registerTrainingKernels', () => {
  it('adds the kernels wasm lacks, replaces the two cpu ones, and is idempotent', () => {
    const actions = Object.fromEntries(
      firstRegistration.map((r) => [`${r.backendName}/${r.kernelName}`, r.action]),
    );
    expect(actions).toEqual({
      'wasm/Conv2DBackpropFilter': 'added',
      'wasm/Conv2DBackpropInput': 'replaced',
      'wasm/DepthwiseConv2dNativeBackpropInput': 'added',
      'wasm/DepthwiseConv2dNativeBackpropFilter': 'added',
      'wasm/ResizeNearestNeighborGrad': 'replaced',
      'cpu/ResizeNearestNeighborGrad': 'replaced',
      'cpu/Conv2DBackpropFilter': 'replaced',
    });
    expect(registerTrainingKernels().every((r) => r.action === 'present')).toBe(true);
  });

  it('leaves no kernel of a U-Net training step missing on wasm', async () => {
    const net = tinyNet(4);
    const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 3);
    const cNoise = tf.tensor1d([0.2, -0.5]);
    const names = await dispatchedKernels(
      () => tf.variableGrads(tinyLoss(net, x, cNoise, x)).grads,
    );
    // The two kernels tfjs-backend-wasm 4.22 lacks are among those a conv-net step needs.
    expect(names).toEqual(
      expect.arrayContaining([
        'Conv2D',
        'Conv2DBackpropFilter',
        'Conv2DBackpropInput',
        'DepthwiseConv2dNativeBackpropInput',
      ]),
    );
    expect(missingKernels(names, 'wasm')).toEqual([]);
    expect(missingKernels(['Conv2DBackpropFilter', 'FFT', 'Einsum'], 'wasm')).toEqual([
      'FFT',
      'Einsum',
    ]);
    net.dispose();
    tf.dispose([x, cNoise]);
  });
});

const convCases: {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}[] = [
  {
    name: '3×3 stride 1 same',
    x: [2, 7, 6, 3],
    filter: [3, 3, 3, 5],
    strides: [1, 1],
    pad: 'same',
  },
  {
    name: '4×4 stride 2 same (asymmetric padding)',
    x: [3, 8, 9, 4],
    filter: [4, 4, 4, 2],
    strides: [2, 2],
    pad: 'same',
  },
  {
    name: '2×3 strides [2, 1] valid',
    x: [2, 9, 7, 2],
    filter: [2, 3, 2, 3],
    strides: [2, 1],
    pad: 'valid',
  },
  {
    name: '3×3 explicit padding',
    x: [1, 6, 5, 3],
    filter: [3, 3, 3, 4],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { name: '1×1 stride 1', x: [4, 5, 5, 6], filter: [1, 1, 6, 7], strides: [1, 1], pad: 'valid' },
];

describe('Conv2DBackpropFilter', () => {
  for (const c of convCases) {
    it(`matches tfjs's cpu kernel on wasm and as the cpu replacement: ${c.name}`, async () => {
      const probe = tf.conv2d(
        tf.zeros<tf.Rank.R4>(c.x),
        tf.zeros<tf.Rank.R4>(c.filter),
        c.strides,
        c.pad,
      );
      const dyShape = probe.shape;
      probe.dispose();
      const xv = randomValues(
        c.x.reduce((a, b) => a * b),
        11,
      );
      const dyv = randomValues(
        dyShape.reduce((a, b) => a * b),
        12,
      );
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
        filterShape: c.filter,
      };
      const run = () =>
        tf
          .engine()
          .runKernel<tf.Tensor>(
            tf.Conv2DBackpropFilter,
            { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) },
            attrs as unknown as tf.NamedAttrMap,
          );
      const reference = await valuesOn('cpu', () =>
        runOriginalCpu(
          tf.Conv2DBackpropFilter,
          { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) },
          attrs,
        ),
      );
      const onWasm = await valuesOn('wasm', run);
      const onCpu = await valuesOn('cpu', run);
      expect(relativeError(onWasm, reference)).toBeLessThan(1e-4);
      expect(relativeError(onCpu, reference)).toBeLessThan(1e-5);
      // And the gradient through tf.conv2d is the same on both backends.
      const gradient = () =>
        tf.grad((w: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.conv2d(tf.tensor4d(xv, c.x), w as tf.Tensor4D, c.strides, c.pad),
              tf.tensor(dyv, dyShape),
            ),
          ),
        )(tf.zeros(c.filter));
      expect(relativeError(await valuesOn('wasm', gradient), reference)).toBeLessThan(1e-4);
    });
  }

  it('accumulates over batch chunks when the im2col matrix would be too large', async () => {
    const xShape: [number, number, number, number] = [5, 6, 6, 3];
    const filterShape: [number, number, number, number] = [3, 3, 3, 4];
    const xv = randomValues(5 * 6 * 6 * 3, 21);
    const dyv = randomValues(5 * 6 * 6 * 4, 22);
    const attrs = {
      strides: 1,
      pad: 'same',
      dataFormat: 'NHWC',
      filterShape,
    } as unknown as tf.NamedAttrMap;
    // 27 × 36 = 972 elements per sample: a limit of 2000 makes chunks of 2, 2, 1 samples.
    const chunked = conv2dBackpropFilterKernel(undefined, 2000);
    const onWasm = await valuesOn(
      'wasm',
      () =>
        chunked({
          inputs: { x: tf.tensor(xv, xShape), dy: tf.tensor(dyv, [5, 6, 6, 4]) },
          backend: tf.backend(),
          attrs,
        }) as tf.TensorInfo,
    );
    const reference = await valuesOn('cpu', () =>
      runOriginalCpu(
        tf.Conv2DBackpropFilter,
        { x: tf.tensor(xv, xShape), dy: tf.tensor(dyv, [5, 6, 6, 4]) },
        attrs,
      ),
    );
    expect(relativeError(onWasm, reference)).toBeLessThan(1e-4);
  });

  it('passes NCHW to the kernel it replaced on cpu', async () => {
    const xv = randomValues(2 * 3 * 5 * 5, 31);
    const dyv = randomValues(2 * 4 * 5 * 5, 32);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] };
    const inputs = () => ({ x: tf.tensor(xv, [2, 3, 5, 5]), dy: tf.tensor(dyv, [2, 4, 5, 5]) });
    const ours = await valuesOn('cpu', () =>
      tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, inputs(), attrs),
    );
    const reference = await valuesOn('cpu', () =>
      runOriginalCpu(tf.Conv2DBackpropFilter, inputs(), attrs),
    );
    expect(ours).toEqual(reference);
  });
});

const inputCases: {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  pad: Pad;
}[] = [
  { name: '3×3 stride 1 same', x: [2, 7, 6, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: '2×3 stride 1 valid', x: [3, 6, 7, 4], filter: [2, 3, 4, 2], strides: 1, pad: 'valid' },
  {
    name: '4×4 stride 1 same (asymmetric padding)',
    x: [1, 6, 6, 2],
    filter: [4, 4, 2, 3],
    strides: 1,
    pad: 'same',
  },
  {
    name: '3×3 stride 1 explicit padding',
    x: [2, 5, 6, 3],
    filter: [3, 3, 3, 2],
    strides: 1,
    pad: [
      [0, 0],
      [2, 0],
      [1, 2],
      [0, 0],
    ],
  },
  { name: '1×1 stride 1', x: [2, 4, 4, 6], filter: [1, 1, 6, 5], strides: 1, pad: 'valid' },
  {
    name: '4×4 stride 2 same (the original kernel)',
    x: [2, 8, 8, 3],
    filter: [4, 4, 3, 2],
    strides: 2,
    pad: 'same',
  },
  {
    name: '2×2 padding wider than the filter (the original kernel)',
    x: [1, 4, 4, 2],
    filter: [2, 2, 2, 2],
    strides: 1,
    pad: [
      [0, 0],
      [3, 0],
      [0, 3],
      [0, 0],
    ],
  },
];

describe('Conv2DBackpropInput on wasm', () => {
  for (const c of inputCases) {
    it(`matches tfjs's cpu kernel: ${c.name}`, async () => {
      const probe = tf.conv2d(
        tf.zeros<tf.Rank.R4>(c.x),
        tf.zeros<tf.Rank.R4>(c.filter),
        c.strides,
        c.pad,
      );
      const dyShape = probe.shape;
      probe.dispose();
      const dyv = randomValues(
        dyShape.reduce((a, b) => a * b),
        81,
      );
      const wv = randomValues(
        c.filter.reduce((a, b) => a * b),
        82,
      );
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        inputShape: c.x,
      } as unknown as tf.NamedAttrMap;
      const run = () =>
        tf
          .engine()
          .runKernel<tf.Tensor>(
            tf.Conv2DBackpropInput,
            { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(wv, c.filter) },
            attrs,
          );
      expect(relativeError(await valuesOn('wasm', run), await valuesOn('cpu', run))).toBeLessThan(
        1e-5,
      );
    });
  }
});

const depthwiseCases: {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  dilations: number;
  pad: Pad;
}[] = [
  {
    name: '3×3 stride 1 same, multiplier 1',
    x: [2, 6, 7, 3],
    filter: [3, 3, 3, 1],
    strides: 1,
    dilations: 1,
    pad: 'same',
  },
  {
    name: '4×4 stride 2 valid, multiplier 2',
    x: [2, 9, 8, 2],
    filter: [4, 4, 2, 2],
    strides: 2,
    dilations: 1,
    pad: 'valid',
  },
  {
    name: '3×3 dilation 2 same, multiplier 3',
    x: [1, 8, 8, 2],
    filter: [3, 3, 2, 3],
    strides: 1,
    dilations: 2,
    pad: 'same',
  },
  {
    name: '2×2 stride 2 explicit padding',
    x: [3, 5, 5, 4],
    filter: [2, 2, 4, 1],
    strides: 2,
    dilations: 1,
    pad: [
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 0],
    ],
  },
];

describe('DepthwiseConv2dNativeBackpropInput and …Filter on wasm', () => {
  for (const c of depthwiseCases) {
    it(`are the adjoints of the forward depthwise convolution${c.dilations === 1 ? " and match tfjs's cpu kernels" : ''}: ${c.name}`, async () => {
      const probe = tf.depthwiseConv2d(
        tf.zeros<tf.Rank.R4>(c.x),
        tf.zeros<tf.Rank.R4>(c.filter),
        c.strides,
        c.pad,
        'NHWC',
        c.dilations,
      );
      const dyShape = probe.shape;
      probe.dispose();
      const xv = randomValues(
        c.x.reduce((a, b) => a * b),
        41,
      );
      const wv = randomValues(
        c.filter.reduce((a, b) => a * b),
        42,
      );
      const dyv = randomValues(
        dyShape.reduce((a, b) => a * b),
        43,
      );
      const common = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      const input = () =>
        tf.engine().runKernel<tf.Tensor>(
          tf.DepthwiseConv2dNativeBackpropInput,
          { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(wv, c.filter) },
          {
            ...common,
            inputShape: c.x,
          },
        );
      const filter = () =>
        tf.engine().runKernel<tf.Tensor>(
          tf.DepthwiseConv2dNativeBackpropFilter,
          { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) },
          {
            ...common,
            filterShape: c.filter,
          },
        );
      const forward = await valuesOn('wasm', () =>
        tf.depthwiseConv2d(
          tf.tensor4d(xv, c.x),
          tf.tensor4d(wv, c.filter),
          c.strides,
          c.pad,
          'NHWC',
          c.dilations,
        ),
      );
      const dx = await valuesOn('wasm', input);
      const dw = await valuesOn('wasm', filter);
      // ⟨conv(x, w), dy⟩ = ⟨x, dx(dy, w)⟩ = ⟨w, dw(x, dy)⟩: the convolution is bilinear.
      const inner = (a: ArrayLike<number>, b: ArrayLike<number>) =>
        Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);
      const reference = inner(forward, dyv);
      expect(Math.abs(inner(xv, dx) - reference)).toBeLessThan(1e-4 * Math.abs(reference));
      expect(Math.abs(inner(wv, dw) - reference)).toBeLessThan(1e-4 * Math.abs(reference));
      if (c.dilations === 1) {
        // tfjs's gradients only ask for dilation 1 (its cpu kernels ignore dilations).
        expect(relativeError(dx, await valuesOn('cpu', input))).toBeLessThan(1e-5);
        expect(relativeError(dw, await valuesOn('cpu', filter))).toBeLessThan(1e-5);
      }
    });
  }
});

/** ⟨resize(x), dy⟩ and ⟨x, resizeᵀ(dy)⟩: equal when the gradient is the exact adjoint. */
async function adjointPair(
  backend: string,
  xShape: [number, number, number, number],
  size: [number, number],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Promise<[number, number]> {
  await tf.setBackend(backend);
  const [forward, adjoint] = tf.tidy(() => {
    const x = tf.tensor4d(
      randomValues(
        xShape.reduce((a, b) => a * b),
        51,
      ),
      xShape,
    );
    const dy = tf.tensor(randomValues(xShape[0] * size[0] * size[1] * xShape[3], 52), [
      xShape[0],
      ...size,
      xShape[3],
    ]);
    const f = (x: tf.Tensor) =>
      tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size, alignCorners, halfPixelCenters);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), dy)))(x);
    return [tf.sum(tf.mul(f(x), dy)).dataSync()[0]!, tf.sum(tf.mul(x, grad)).dataSync()[0]!];
  });
  await tf.setBackend('cpu');
  return [forward, adjoint];
}

describe('ResizeNearestNeighborGrad', () => {
  it("tfjs 4.22's cpu kernel is wrong for batch > 1 (when this fails, tfjs fixed it: drop edmkit's replacement)", () => {
    // 2× upsampling: the gradient of each input pixel is the sum of its 2×2 block of dy.
    tf.tidy(() => {
      const images = tf.zeros([2, 2, 3, 1]);
      const dy = tf.tensor(randomValues(2 * 4 * 6, 61), [2, 4, 6, 1]);
      const exact = dy.reshape([2, 2, 2, 3, 2, 1]).sum([2, 4]);
      const attrs = { alignCorners: false, halfPixelCenters: false, size: [4, 6] };
      const buggy = runOriginalCpu(tf.ResizeNearestNeighborGrad, { images, dy }, attrs);
      // Sample 0 is right; sample 1 reads sample 0's rows of dy.
      expect(
        relativeError(buggy.slice(0, 1).dataSync(), exact.slice(0, 1).dataSync()),
      ).toBeLessThan(1e-6);
      expect(
        relativeError(buggy.slice(1, 1).dataSync(), exact.slice(1, 1).dataSync()),
      ).toBeGreaterThan(0.1);
      const ours = tf.grad((x: tf.Tensor) =>
        tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [4, 6]), dy)),
      )(images);
      expect(relativeError(ours.dataSync(), exact.dataSync())).toBeLessThan(1e-6);
    });
  });

  const settings: [string, boolean, boolean][] = [
    ['plain', false, false],
    ['alignCorners', true, false],
    ['halfPixelCenters', false, true],
  ];
  for (const backend of ['cpu', 'wasm']) {
    for (const [label, alignCorners, halfPixelCenters] of settings) {
      it(`is the exact adjoint of the forward resize on ${backend} (${label}; up, down and non-integer ratios)`, async () => {
        for (const size of [
          [8, 6],
          [3, 2],
          [5, 7],
        ] as [number, number][]) {
          const [forward, adjoint] = await adjointPair(
            backend,
            [3, 4, 3, 2],
            size,
            alignCorners,
            halfPixelCenters,
          );
          expect(Math.abs(forward - adjoint)).toBeLessThan(1e-4 * Math.max(1, Math.abs(forward)));
        }
      });
    }
  }
});

describe('a small conv net', () => {
  it('has the same loss and gradients (tf.variableGrads) on wasm as on cpu', async () => {
    const net = tinyNet(8, 3, 7);
    const x = tf.tensor4d(randomValues(2 * 8 * 8 * 3, 71), [2, 8, 8, 3]);
    const target = tf.tensor4d(randomValues(2 * 8 * 8 * 3, 72), [2, 8, 8, 3]);
    const cNoise = tf.tensor1d([0.3, -1.1]);
    const step = async (backend: string) => {
      await tf.setBackend(backend);
      const { value, grads } = tf.variableGrads(tinyLoss(net, x, cNoise, target));
      const out = {
        loss: value.dataSync()[0]!,
        grads: net.variables.map((v) => grads[v.name]!.dataSync() as Float32Array),
      };
      tf.dispose([value, ...Object.values(grads)]);
      await tf.setBackend('cpu');
      return out;
    };
    const cpu = await step('cpu');
    const wasm = await step('wasm');
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4 * cpu.loss);
    cpu.grads.forEach((g, i) => {
      expect(g.some((v) => v !== 0)).toBe(true);
      expect(relativeError(wasm.grads[i]!, g)).toBeLessThan(1e-4);
    });
    net.dispose();
    tf.dispose([x, target, cNoise]);
  });
});
