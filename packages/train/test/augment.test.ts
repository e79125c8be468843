import * as fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRng, ParameterError, sampleRngs, type Rng } from '@edmkit/core';
import { ddpmppSmall, type ApplyOptions, type Network } from '@edmkit/unet';
import {
  AUGMENT_LABEL_NAMES,
  augmentPipeline,
  augmentStreams,
  CheckpointError,
  IDENTITY_DRAW,
  samplerSource,
  train,
  type AugmentDraw,
  type AugmentPipeline,
  type TrainOptions,
} from '@edmkit/train';
import { baseOptions, sameBits, tempDir, tinyNetwork, useCpu, weightValues } from './helpers.js';

beforeAll(useCpu);

/** Every transform off but the named ones (multiplier 1 each). */
function only(p: number, ...names: string[]): AugmentPipeline {
  const off = {
    xflip: 0,
    yflip: 0,
    translateInt: 0,
    scale: 0,
    rotate: 0,
    aniso: 0,
    translateFrac: 0,
  };
  return augmentPipeline({ ...off, ...Object.fromEntries(names.map((n) => [n, 1])), p });
}

/** A draw of the identity with some fields set. */
function drawOf(fields: Partial<AugmentDraw>): AugmentDraw {
  return { ...IDENTITY_DRAW, ...fields };
}

/** One single-channel image (rows of `values`) through `pipeline.transform` with `draw`. */
function run1(pipeline: AugmentPipeline, rows: number[][], draw: AugmentDraw): number[][] {
  const h = rows.length;
  const w = rows[0]!.length;
  const { images } = pipeline.transform(rows.flat(), [1, h, w, 1], [draw]);
  return Array.from({ length: h }, (_, y) => Array.from(images.subarray(y * w, (y + 1) * w)));
}

/** The 4×4 test image: pixel (x, y) = 4y + x. */
const RAMP4 = [0, 1, 2, 3].map((y) => [0, 1, 2, 3].map((x) => 4 * y + x));

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

function randomImages(n: number, h: number, w: number, c: number, seed = 3): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * h * w * c }, () => 2 * rng.uniform() - 1);
}

describe('augmentPipeline: options and label layout', () => {
  it('defaults to the official CIFAR-10 setup: p = 0.12, 9 labels in the documented order', () => {
    const a = augmentPipeline();
    expect(a.config).toEqual({
      p: 0.12,
      xflip: 1e8,
      yflip: 1,
      translateInt: 0,
      translateIntMax: 0.125,
      scale: 1,
      scaleStd: 0.2,
      rotate: 1,
      rotateMax: 1,
      aniso: 1,
      anisoStd: 0.2,
      anisoRotateProb: 0.5,
      translateFrac: 1,
      translateFracStd: 0.125,
    });
    expect(a.labelDim).toBe(9);
    expect(a.labelNames).toEqual([
      'xflip',
      'yflip',
      'scale',
      'rotateCos',
      'rotateSin',
      'anisoCos',
      'anisoSin',
      'translateFracX',
      'translateFracY',
    ]);
    // Integer translation adds its two entries after the flips; a disabled transform drops its own.
    const all = augmentPipeline({ translateInt: 1 });
    expect(all.labelNames).toEqual([...AUGMENT_LABEL_NAMES]);
    expect(augmentPipeline({ yflip: 0 }).labelDim).toBe(8);
    expect(only(0.5, 'rotate').labelNames).toEqual(['rotateCos', 'rotateSin']);
  });

  it('refuses options outside their range, naming the option', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ p: 1.5 }, /^p must be a finite number >= 0 and <= 1 \(got 1\.5\)/],
      [{ p: -0.1 }, /^p must be/],
      [{ p: Number.NaN }, /^p must be/],
      [{ xflip: -1 }, /^xflip must be a finite number >= 0/],
      [{ translateFrac: Infinity }, /^translateFrac must be/],
      [{ scaleStd: -0.2 }, /^scaleStd must be/],
      [{ rotateMax: 2 }, /^rotateMax must be a finite number >= 0 and <= 1/],
      [{ anisoRotateProb: 1.5 }, /^anisoRotateProb must be/],
      [{ translateIntMax: 0 }, /^translateIntMax must be a finite number > 0 and <= 1/],
      [{ translateFracStd: '0.1' }, /^translateFracStd must be/],
      [{ rotateFrac: 1 }, /^options\.rotateFrac must be one of the known options/],
    ];
    for (const [options, message] of cases) {
      const error = (() => {
        try {
          augmentPipeline(options);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ParameterError);
      expect((error as Error).message).toMatch(message);
    }
    expect(() => augmentPipeline(null as never)).toThrow(ParameterError);
  });

  it('encodes each transform as documented (forced draws)', () => {
    const a = augmentPipeline({ translateInt: 1 }); // all 11 entries
    const h = 8;
    const w = 16; // translateIntMax 0.125: shifts are labelled in units of 2 (x) and 1 (y) pixels
    const at = (d: AugmentDraw): number[] => Array.from(a.labels(d, h, w));
    const zero = new Array<number>(11).fill(0);
    const withEntries = (entries: Record<number, number>): number[] =>
      zero.map((z, i) => Math.fround(entries[i] ?? z));
    expect(at(IDENTITY_DRAW)).toEqual(zero);
    expect(at(drawOf({ xflip: 1 }))).toEqual(withEntries({ 0: 1 }));
    expect(at(drawOf({ yflip: 1 }))).toEqual(withEntries({ 1: 1 }));
    expect(at(drawOf({ translateIntX: 2, translateIntY: -1 }))).toEqual(
      withEntries({ 2: 1, 3: -1 }),
    );
    expect(at(drawOf({ scale: 0.7 }))).toEqual(withEntries({ 4: 0.7 }));
    expect(at(drawOf({ rotate: Math.PI / 3 }))).toEqual(
      withEntries({ 5: Math.cos(Math.PI / 3) - 1, 6: Math.sin(Math.PI / 3) }),
    );
    expect(at(drawOf({ aniso: 1.5, anisoAngle: Math.PI / 6 }))).toEqual(
      withEntries({ 7: 1.5 * Math.cos(Math.PI / 6), 8: 1.5 * Math.sin(Math.PI / 6) }),
    );
    expect(at(drawOf({ aniso: -0.5 }))).toEqual(withEntries({ 7: -0.5 }));
    expect(at(drawOf({ translateFracX: 0.3, translateFracY: -0.4 }))).toEqual(
      withEntries({ 9: 0.3, 10: -0.4 }),
    );
    // The default 9-entry layout: [xflip, yflip, scale, cos θ − 1, sin θ, w cos r, w sin r, tx, ty].
    const d = drawOf({
      xflip: 1,
      yflip: 1,
      scale: -1.25,
      rotate: Math.PI / 2,
      aniso: 2,
      anisoAngle: Math.PI,
      translateFracX: 0.5,
      translateFracY: 0.25,
    });
    const nine = Array.from(augmentPipeline().labels(d, h, w));
    const want = [1, 1, -1.25, Math.cos(Math.PI / 2) - 1, 1, -2, 2 * Math.sin(Math.PI), 0.5, 0.25];
    nine.forEach((v, i) => expect(v).toBe(Math.fround(want[i]!)));
  });

  it('a transform forced on (p = 1) draws its parameters in range and labels them', () => {
    const rngs = sampleRngs(5, 200);
    const h = 8;
    const w = 8;
    for (const r of rngs) {
      const rot = only(1, 'rotate').draw(r, h, w);
      expect(rot.rotate).not.toBe(0);
      expect(Math.abs(rot.rotate)).toBeLessThanOrEqual(Math.PI);
      expect(Array.from(only(1, 'rotate').labels(rot, h, w))).toEqual([
        Math.fround(Math.cos(rot.rotate) - 1),
        Math.fround(Math.sin(rot.rotate)),
      ]);
      const shift = only(1, 'translateInt').draw(r, h, w);
      // Integer shifts of at most translateIntMax · 8 = 1 pixel, labelled shift / 1.
      expect([-1, 0, 1]).toContain(shift.translateIntX);
      expect(Array.from(only(1, 'translateInt').labels(shift, h, w))).toEqual([
        shift.translateIntX,
        shift.translateIntY,
      ]);
      const aniso = augmentPipeline({ ...offExcept('aniso'), p: 1, anisoRotateProb: 0 }).draw(
        r,
        h,
        w,
      );
      expect([aniso.aniso !== 0, aniso.anisoAngle]).toEqual([true, 0]);
      const flip = only(1, 'xflip').draw(r, h, w);
      expect([0, 1]).toContain(flip.xflip);
    }
  });
});

function offExcept(name: string): Record<string, number> {
  const off: Record<string, number> = {
    xflip: 0,
    yflip: 0,
    translateInt: 0,
    scale: 0,
    rotate: 0,
    aniso: 0,
    translateFrac: 0,
  };
  off[name] = 1;
  return off;
}

describe('augmentPipeline: the transforms on hand-computed images', () => {
  const a = augmentPipeline({ translateInt: 1, scaleStd: 1 });

  it('p = 0 is the identity: the images bit for bit, zero labels (arrays and tensors)', () => {
    const shape = [5, 6, 7, 3];
    const images = randomImages(5, 6, 7, 3);
    images[0] = -0; // even the sign of zero survives
    const zero = augmentPipeline({ p: 0, translateInt: 1 });
    const out = zero.applyArray(images, shape, sampleRngs(1, 5));
    expect(out.images).not.toBe(images);
    expect(bits(out.images)).toEqual(bits(images));
    expect(out.labels).toEqual(new Float32Array(5 * 11));
    expect(Object.is(out.labels[0], 0)).toBe(true);
    const t = tf.tensor4d(images, [5, 6, 7, 3]);
    const res = zero.apply(t, sampleRngs(1, 5));
    expect(bits(res.images.dataSync() as Float32Array)).toEqual(bits(images));
    expect(res.labels.shape).toEqual([5, 11]);
    expect(Array.from(res.labels.dataSync()).every((v) => Object.is(v, 0))).toBe(true);
    expect(t.isDisposed).toBe(false);
    tf.dispose([t, res.images, res.labels]);
  });

  it('x-flip and y-flip mirror the image exactly', () => {
    expect(run1(a, RAMP4, drawOf({ xflip: 1 }))).toEqual([
      [3, 2, 1, 0],
      [7, 6, 5, 4],
      [11, 10, 9, 8],
      [15, 14, 13, 12],
    ]);
    expect(run1(a, RAMP4, drawOf({ yflip: 1 }))).toEqual([
      [12, 13, 14, 15],
      [8, 9, 10, 11],
      [4, 5, 6, 7],
      [0, 1, 2, 3],
    ]);
    // Channels move together: a 2-channel 1×3 image flipped.
    const { images } = a.transform([1, -1, 2, -2, 3, -3], [1, 1, 3, 2], [drawOf({ xflip: 1 })]);
    expect(Array.from(images)).toEqual([3, -3, 2, -2, 1, -1]);
  });

  it('a 90° rotation turns the content counter-clockwise (as displayed), to float tolerance', () => {
    const out = run1(a, RAMP4, drawOf({ rotate: Math.PI / 2 }));
    const want = [
      [3, 7, 11, 15],
      [2, 6, 10, 14],
      [1, 5, 9, 13],
      [0, 4, 8, 12],
    ];
    out.forEach((row, y) => row.forEach((v, x) => expect(v).toBeCloseTo(want[y]![x]!, 6)));
    // Four quarter turns come back to the start.
    let img = RAMP4;
    for (let k = 0; k < 4; k++) img = run1(a, img, drawOf({ rotate: Math.PI / 2 }));
    img.forEach((row, y) => row.forEach((v, x) => expect(v).toBeCloseTo(RAMP4[y]![x]!, 5)));
  });

  it('an integer translation shifts exactly, the uncovered pixels filled by reflection', () => {
    // Content moves 1 right and 2 up: output (x, y) reads input (x − 1, y + 2), indices
    // mirrored about the edge pixels (…, 2, 1, 0, 1, 2, 3, 2, 1, …).
    expect(run1(a, RAMP4, drawOf({ translateIntX: 1, translateIntY: -2 }))).toEqual([
      [9, 8, 9, 10],
      [13, 12, 13, 14],
      [9, 8, 9, 10],
      [5, 4, 5, 6],
    ]);
    // A fractional translation of whole pixels is the same map: translateFracStd 0.125 of 8 pixels = 1 pixel per unit.
    const img8 = Array.from({ length: 8 }, (_, y) =>
      Array.from({ length: 8 }, (_, x) => (x * x + 3 * y) % 7),
    );
    expect(run1(a, img8, drawOf({ translateFracX: 1, translateFracY: -2 }))).toEqual(
      run1(a, img8, drawOf({ translateIntX: 1, translateIntY: -2 })),
    );
  });

  it('isotropic scaling by 2 about the centre is the bilinear interpolation at half steps', () => {
    // scaleStd 1 and w = 1: factor 2. Output x reads input 2 + (x − 2)/2 ∈ {1, 1.5, 2, 2.5, 3}.
    // Input (x² + 1)(y² + 1) is a product, so bilinear interpolation is the product of the 1-d
    // interpolations of x² + 1 at those points: 2, (2 + 5)/2, 5, (5 + 10)/2, 10.
    const img = [0, 1, 2, 3, 4].map((y) => [0, 1, 2, 3, 4].map((x) => (x * x + 1) * (y * y + 1)));
    const out = run1(a, img, drawOf({ scale: 1 }));
    expect(out).toEqual([
      [4, 7, 10, 15, 20],
      [7, 12.25, 17.5, 26.25, 35],
      [10, 17.5, 25, 37.5, 50],
      [15, 26.25, 37.5, 56.25, 75],
      [20, 35, 50, 75, 100],
    ]);
    // e.g. output (1, 1) averages input (1, 1), (2, 1), (1, 2), (2, 2): (4 + 10 + 10 + 25)/4.
    expect(out[1]![1]).toBe((4 + 10 + 10 + 25) / 4);
  });

  it('composes the transforms in one map: flip, then integer shift, then the geometric ones', () => {
    const img = [0, 1, 2, 3].map((y) => [0, 1, 2, 3].map((x) => (3 * x + 5 * y * y) % 11));
    const flip = drawOf({ xflip: 1 });
    const shift = drawOf({ translateIntX: 1, translateIntY: 1 });
    const turn = drawOf({ rotate: Math.PI / 2 });
    const stepwise = run1(a, run1(a, run1(a, img, flip), shift), turn);
    const combined = run1(
      a,
      img,
      drawOf({ xflip: 1, translateIntX: 1, translateIntY: 1, rotate: Math.PI / 2 }),
    );
    combined.forEach((row, y) => row.forEach((v, x) => expect(v).toBeCloseTo(stepwise[y]![x]!, 5)));
    // The map itself: F·(R(θ)q − t) with F = diag(−1, 1), t = (1, 1).
    const m = a.sourceMap(
      drawOf({ xflip: 1, translateIntX: 1, translateIntY: 1, rotate: Math.PI / 2 }),
      4,
      4,
    );
    const want = { a: 0, b: 1, c: 1, d: 0, e: 1, f: -1 };
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) expect(m[k]).toBeCloseTo(want[k], 12);
  });

  it('stays within the input range (no ringing) and keeps the centre of an odd image under rotation', () => {
    const img = randomImages(1, 9, 9, 1, 9);
    const lo = Math.min(...img);
    const hi = Math.max(...img);
    const { images } = augmentPipeline({ p: 1, yflip: 1 }).applyArray(
      img,
      [1, 9, 9, 1],
      [createRng(4)],
    );
    for (const v of images) expect(v >= lo && v <= hi).toBe(true);
    const turned = a.transform(img, [1, 9, 9, 1], [drawOf({ rotate: 0.3 })]).images;
    expect(turned[4 * 9 + 4]).toBeCloseTo(img[4 * 9 + 4]!, 6);
  });
});

describe('augmentPipeline: randomness', () => {
  it('is deterministic per image: the same streams give the same bits, whatever the batch', () => {
    const a = augmentPipeline({ p: 1 });
    const shape = [6, 8, 8, 3];
    const images = randomImages(6, 8, 8, 3);
    const one = a.applyArray(images, shape, augmentStreams(7, 0, 6));
    const two = a.applyArray(images, shape, augmentStreams(7, 0, 6));
    expect(bits(two.images)).toEqual(bits(one.images));
    expect(bits(two.labels)).toEqual(bits(one.labels));
    // Images 3 and 4 alone, with the streams of global samples 3 and 4.
    const per = 8 * 8 * 3;
    const part = a.applyArray(
      images.slice(3 * per, 5 * per),
      [2, 8, 8, 3],
      augmentStreams(7, 3, 2),
    );
    expect(bits(part.images)).toEqual(bits(one.images.slice(3 * per, 5 * per)));
    expect(bits(part.labels)).toEqual(bits(one.labels.slice(3 * 9, 5 * 9)));
    // Another seed augments differently; the augmentation streams are not the loss streams.
    const other = a.applyArray(images, shape, augmentStreams(8, 0, 6));
    expect(bits(other.labels)).not.toEqual(bits(one.labels));
    const loss = a.applyArray(images, shape, sampleRngs(7, 6, 0));
    expect(bits(loss.labels)).not.toEqual(bits(one.labels));
    // The tensor API gives the array API's result.
    const t = tf.tensor4d(images, [6, 8, 8, 3]);
    const res = a.apply(t, augmentStreams(7, 0, 6));
    expect(bits(res.images.dataSync() as Float32Array)).toEqual(bits(one.images));
    expect(bits(res.labels.dataSync() as Float32Array)).toEqual(bits(one.labels));
    tf.dispose([t, res.images, res.labels]);
  });

  it('applies each transform to a fraction ≈ its probability of the images', () => {
    const n = 20_000;
    const p = 0.2;
    const a = augmentPipeline({ p });
    const draws = sampleRngs(21, n).map((r) => a.draw(r, 8, 8));
    const fraction = (test: (d: AugmentDraw) => boolean): number => draws.filter(test).length / n;
    const within = (f: number, q: number): void =>
      expect(Math.abs(f - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / n));
    within(
      fraction((d) => d.xflip === 1),
      0.5,
    ); // always eligible, then a fair coin
    within(
      fraction((d) => d.yflip === 1),
      p / 2,
    );
    within(
      fraction((d) => d.scale !== 0),
      p,
    );
    within(
      fraction((d) => d.rotate !== 0),
      p,
    );
    within(
      fraction((d) => d.aniso !== 0),
      p,
    );
    within(
      fraction((d) => d.translateFracX !== 0),
      p,
    );
    within(
      fraction((d) => d.aniso !== 0 && d.anisoAngle !== 0),
      p / 2,
    );
    // A single transform at p = 0.12: the fraction of images that come back changed.
    const m = 3000;
    const images = randomImages(m, 2, 2, 1);
    const out = only(0.12, 'scale').applyArray(images, [m, 2, 2, 1], sampleRngs(22, m));
    let changed = 0;
    for (let k = 0; k < m; k++) {
      const same = [0, 1, 2, 3].every((i) => out.images[4 * k + i] === images[4 * k + i]);
      const zeroLabel = out.labels[k] === 0;
      expect(same).toBe(zeroLabel);
      if (!same) changed++;
    }
    expect(Math.abs(changed / m - 0.12)).toBeLessThan(5 * Math.sqrt((0.12 * 0.88) / m));
  });

  it('refuses a bad batch', () => {
    const a = augmentPipeline();
    const rngs = sampleRngs(1, 2);
    expect(() => a.applyArray(new Float32Array(8), [2, 2, 2], rngs)).toThrow(/^shape must be/);
    expect(() => a.applyArray(new Float32Array(7), [2, 2, 2, 1], rngs)).toThrow(
      /^images must be 8 numbers/,
    );
    expect(() => a.applyArray(new Float32Array(8), [2, 2, 2, 1], rngs.slice(1))).toThrow(
      /^rngs must be an array of 2 Rng streams/,
    );
    const t = tf.zeros([2, 4]);
    expect(() => a.apply(t as never, rngs)).toThrow(/^images must be a float32 tf\.Tensor4D/);
    t.dispose();
  });
});

/** A 4×4×1 U-Net with augmentation labels (augmentDim 9 unless given). */
function tinyUNet(augmentDim = 9): Network {
  return ddpmppSmall({
    resolution: 4,
    inChannels: 1,
    modelChannels: 8,
    channelMult: [1],
    numBlocks: 1,
    attnResolutions: [],
    augmentDim,
    dropout: 0, // per-slice dropout masks would differ between one thread and workers
    seed: 2,
  });
}

function imageOptions(network: Network, extra: Partial<TrainOptions> = {}): TrainOptions {
  const sample = (rngs: readonly Rng[]): Float64Array =>
    Float64Array.from(
      { length: rngs.length * 16 },
      (_, i) => 0.5 * Math.tanh(rngs[Math.floor(i / 16)]!.normal()),
    );
  return baseOptions(network, {
    data: samplerSource({ shape: [4, 4, 1], sample }),
    batchSize: 4,
    totalImages: 12,
    lrRampupImages: 4,
    ...extra,
  });
}

/** `network` with its apply() calls recorded (options, and the augmentation labels' values). */
function spy(network: Network, calls: { options: ApplyOptions; labels?: number[] }[]): Network {
  return Object.freeze({
    config: network.config,
    model: network.model,
    trainableWeights: network.trainableWeights,
    countParams: () => network.countParams(),
    dispose: () => network.dispose(),
    apply: (x: tf.Tensor, cNoise: tf.Tensor1D, options?: ApplyOptions) => {
      const labels = options?.augmentLabels;
      calls.push({
        options: options ?? {},
        ...(labels && { labels: Array.from(labels.dataSync()) }),
      });
      return network.apply(x, cNoise, options);
    },
  });
}

describe('train with augmentation', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('at p = 0 gives the loss history and weights of the run without augmentation', async () => {
    const plainNet = tinyUNet();
    const plain = await train(imageOptions(plainNet));
    const zeroNet = tinyUNet();
    const zero = await train(imageOptions(zeroNet, { augment: augmentPipeline({ p: 0 }) }));
    expect(zero.lossHistory).toHaveLength(3);
    expect(zero.lossHistory).toEqual(plain.lossHistory);
    expect(sameBits(weightValues(zeroNet), weightValues(plainNet))).toBe(true);
    // With p = 1 the batches and labels change, and so does the loss.
    const augNet = tinyUNet();
    const counts: number[] = [];
    const aug = await train(
      imageOptions(augNet, {
        augment: augmentPipeline({ p: 1 }),
        onStep: () => void counts.push(tf.memory().numTensors),
      }),
    );
    expect(aug.lossHistory.every(Number.isFinite)).toBe(true);
    expect(new Set(counts).size).toBe(1); // no tensor left behind by the labels
    expect(aug.lossHistory[0]).not.toBe(plain.lossHistory[0]);
    for (const n of [plain.ema, zero.ema, aug.ema, plainNet, zeroNet, augNet]) n.dispose();
  }, 60_000);

  it('augments each minibatch from the streams of its samples and gives the labels to the network', async () => {
    const network = tinyUNet();
    const calls: { options: ApplyOptions; labels?: number[] }[] = [];
    const augment = augmentPipeline({ p: 0.5 });
    const o = imageOptions(spy(network, calls), { augment });
    const { ema } = await train(o);
    ema.dispose();
    expect(calls).toHaveLength(3);
    calls.forEach((call, step) => {
      const first = step * 4;
      const y = o.data.batch(11, first, 4);
      const want = augment.applyArray(y, [4, 4, 4, 1], augmentStreams(11, first, 4));
      expect(call.labels).toEqual(Array.from(want.labels));
    });
    expect(calls.some((c) => c.labels!.some((v) => v !== 0))).toBe(true);
    // A network without augmentation labels trains on the augmented batches, without labels.
    const plain = tinyUNet(0);
    const plainCalls: { options: ApplyOptions; labels?: number[] }[] = [];
    const r = await train(imageOptions(spy(plain, plainCalls), { augment }));
    r.ema.dispose();
    expect(plainCalls.map((c) => c.options.augmentLabels)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    for (const n of [network, plain]) n.dispose();
  }, 60_000);

  it('a zero label vector is what sampling feeds: the network output equals the one without labels', () => {
    const network = tinyUNet();
    const x = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 3);
    const c = tf.tensor1d([0.1, -0.4]);
    const zeros = tf.zeros([2, 9]);
    const a = network.apply(x, c);
    const b = network.apply(x, c, { augmentLabels: zeros as tf.Tensor2D });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, c, zeros, a, b]);
    network.dispose();
  });

  it('records the pipeline in checkpoints: resuming with another one is refused', async () => {
    const network = tinyUNet();
    const first = await train(
      imageOptions(network, { augment: augmentPipeline({ p: 0.5 }), checkpointDir: dir }),
    );
    first.ema.dispose();
    const error = await train(
      imageOptions(network, {
        augment: augmentPipeline({ p: 0.25 }),
        resume: dir,
        totalImages: 16,
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/training\.augment\.p/);
    const resumed = await train(
      imageOptions(network, { augment: augmentPipeline({ p: 0.5 }), resume: dir, totalImages: 16 }),
    );
    expect(resumed.lossHistory).toHaveLength(4);
    resumed.ema.dispose();
    network.dispose();
  }, 60_000);

  it('refuses a pipeline that does not fit the network or the data', async () => {
    const network = tinyUNet();
    await expect(
      train(imageOptions(network, { augment: augmentPipeline({ yflip: 0 }) })),
    ).rejects.toThrow(
      /^augment must be a pipeline with 9 labels \(the network's augmentDim\) \(got 8\)/,
    );
    await expect(train(imageOptions(network, { augment: {} as never }))).rejects.toThrow(
      /^augment must be an augmentPipeline\(\) or undefined/,
    );
    const mlp = tinyNetwork(1);
    await expect(train(baseOptions(mlp, { augment: augmentPipeline() }))).rejects.toThrow(
      /^augment must be undefined for data that are not images/,
    );
    for (const n of [network, mlp]) n.dispose();
  });

  it('with worker threads, equals the one-thread run to float32 rounding', async () => {
    const run = async (workers: number) => {
      const network = tinyUNet();
      const r = await train(
        imageOptions(network, { augment: augmentPipeline({ p: 1 }), workers, totalImages: 16 }),
      );
      r.ema.dispose();
      network.dispose();
      return r.lossHistory;
    };
    const one = await run(1);
    const two = await run(2);
    two.forEach((v, i) => expect(Math.abs(v - one[i]!)).toBeLessThan(1e-5 * Math.abs(one[i]!)));
  }, 120_000);
});
