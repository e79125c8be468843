import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ParameterError } from '@edmkit/core';
import { ddpmppSmall, loadNetwork, type ApplyOptions, type Network } from '@edmkit/unet';
import {
  CheckpointError,
  datasetSource,
  derivedSeed,
  emaHalfLife,
  NonFiniteLossError,
  readCheckpoint,
  sampleStreams,
  samplerSource,
  train,
  type StepInfo,
  type TrainOptions,
} from '@edmkit/train';
import { baseOptions, sameBits, tempDir, tinyNetwork, useCpu, weightValues } from './helpers.js';

beforeAll(useCpu);

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/**
 * The objective of the minibatch of global samples first … first + batch − 1, computed
 * independently of the loop: σ_b and ε_b from the 'loss' stream of sample first + b
 * (σ first), D = c_skip·x + c_out·F(c_in·x; c_noise), Σ λ(σ_b)·(D − y)² / batch, in float64
 * around the network's float32 forward pass.
 */
function objective(network: Network, o: TrainOptions, first: number): number {
  const batch = o.batchSize!;
  const seed = o.seed!;
  const y = o.data.batch(seed, first, batch);
  const rngs = sampleStreams(seed, first, batch, 'loss');
  const sigma = o.distribution.sample(rngs);
  const x = new Float64Array(batch * 2);
  const xIn = new Float32Array(batch * 2);
  const cNoise = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const s = sigma[b]!;
    for (let i = 0; i < 2; i++) {
      x[2 * b + i] = y[2 * b + i]! + Math.fround(s) * Math.fround(rngs[b]!.normal());
      xIn[2 * b + i] = o.precond.cIn(s) * x[2 * b + i]!;
    }
    cNoise[b] = o.precond.cNoise(s);
  }
  const F = tf.tidy(() => network.apply(tf.tensor2d(xIn, [batch, 2]), tf.tensor1d(cNoise)));
  const f = F.dataSync();
  F.dispose();
  let total = 0;
  for (let b = 0; b < batch; b++) {
    const s = sigma[b]!;
    for (let i = 0; i < 2; i++) {
      const D = o.precond.cSkip(s) * x[2 * b + i]! + o.precond.cOut(s) * f[2 * b + i]!;
      total += o.weighting.weight(s) * (D - y[2 * b + i]!) ** 2;
    }
  }
  return total / batch;
}

describe('train: the objective and its gradient', () => {
  it('draws σ and n of sample b of a step from the stream of global sample imagesSeen + b; loss = Σ λ(σ)(D − y)² / batch', async () => {
    const network = tinyNetwork(2);
    const o = baseOptions(network, { totalImages: 32 });
    // lr = 0 on the first step (ramp-up from 0 images), so both steps see the initial weights.
    const want = [objective(network, o, 0), objective(network, o, 16)];
    const { lossHistory, ema } = await train(o);
    ema.dispose();
    expect(lossHistory).toHaveLength(2);
    lossHistory.forEach((loss, k) =>
      expect(Math.abs(loss - want[k]!)).toBeLessThan(2e-6 * want[k]!),
    );
    expect(lossHistory[0]).not.toBeCloseTo(lossHistory[1]!, 3);
    network.dispose();
  });

  it('reports the gradient norm of the objective (against central finite differences)', async () => {
    const network = tinyNetwork(4, 6);
    const o = baseOptions(network, { totalImages: 16 });
    const h = 2e-3;
    let squares = 0;
    for (const v of network.trainableWeights) {
      const values = Float32Array.from(v.dataSync() as Float32Array);
      for (let i = 0; i < values.length; i++) {
        const x0 = values[i]!;
        values[i] = x0 + h;
        v.assign(tf.tensor(values, v.shape));
        const plus = objective(network, o, 0);
        values[i] = x0 - h;
        v.assign(tf.tensor(values, v.shape));
        const minus = objective(network, o, 0);
        values[i] = x0;
        v.assign(tf.tensor(values, v.shape));
        // (x0 ± h) are rounded to float32: divide by the step actually taken.
        squares += ((plus - minus) / (Math.fround(x0 + h) - Math.fround(x0 - h))) ** 2;
      }
    }
    let gradNorm = Number.NaN;
    const { ema } = await train({ ...o, onStep: (info) => void (gradNorm = info.gradNorm) });
    ema.dispose();
    expect(Math.abs(gradNorm - Math.sqrt(squares)) / Math.sqrt(squares)).toBeLessThan(2e-3);
    network.dispose();
  });

  it('applies the learning-rate ramp-up per images seen before the step', async () => {
    const network = tinyNetwork(1);
    const lrs: number[] = [];
    const { ema } = await train(
      baseOptions(network, { totalImages: 96, onStep: (i) => void lrs.push(i.lr) }),
    );
    ema.dispose();
    expect(lrs).toEqual([0, 0.0025, 0.005, 0.0075, 0.01, 0.01]);
    network.dispose();
  });

  it('takes lrRampupImages = 0 as no ramp (not as the default)', async () => {
    const network = tinyNetwork(1);
    const lrs: number[] = [];
    const { ema } = await train(
      baseOptions(network, {
        totalImages: 64,
        lrRampupImages: 0,
        onStep: (i) => void lrs.push(i.lr),
      }),
    );
    ema.dispose();
    // lr(n) = lr·min(n / max(0, 10⁻⁸), 1): 0 before any image, then the full rate.
    expect(lrs).toEqual([0, 0.01, 0.01, 0.01]);
    network.dispose();
  });

  it.each([0.5, null])(
    'keeps the EMA of the weights: θ_ema ← θ + β(θ_ema − θ), β = 0.5^(batch / min(h, ratio·n)), ratio %s',
    async (emaRampupRatio) => {
      const network = tinyNetwork(1);
      const seen: Float32Array[][] = [];
      const images: number[] = [];
      const { ema } = await train(
        baseOptions(network, {
          totalImages: 160,
          emaHalfLifeImages: 40,
          emaRampupRatio,
          onStep: (i) => {
            seen.push(weightValues(network));
            images.push(i.imagesSeen - 16);
          },
        }),
      );
      // ratio null: no ramp-up, β = 0.5^(16/40) from the first step.
      const schedule = emaHalfLife({ halfLifeImages: 40, rampupRatio: emaRampupRatio });
      let avg = seen[0]!.map((w) => Float64Array.from(w));
      seen.forEach((theta, k) => {
        const beta = schedule.beta(images[k]!, 16);
        avg = avg.map((a, i) => a.map((e, j) => theta[i]![j]! + beta * (e - theta[i]![j]!)));
      });
      const got = weightValues(ema);
      got.forEach((g, i) =>
        g.forEach((e, j) => expect(Math.abs(e - avg[i]![j]!)).toBeLessThan(1e-6)),
      );
      // …and it is not simply the network.
      expect(sameBits(got, weightValues(network))).toBe(false);
      ema.dispose();
      network.dispose();
    },
  );
});

describe('train: checkpoints and exact resume', () => {
  it('round-trips network, EMA, Adam moments and loss history bit for bit', async () => {
    const network = tinyNetwork(3);
    const r = await train(baseOptions(network, { checkpointDir: dir, checkpointEvery: 64 }));
    expect(path.basename(r.checkpoint!)).toBe('ckpt-000000000128');
    const ck = await readCheckpoint(r.checkpoint!);
    expect([ck.state.step, ck.state.imagesSeen, ck.state.adamStep]).toEqual([8, 128, 8]);
    expect(ck.lossHistory).toEqual(r.lossHistory);
    const savedNet = await loadNetwork(ck.networkDir);
    const savedEma = await loadNetwork(ck.emaDir);
    expect(sameBits(weightValues(savedNet), weightValues(network))).toBe(true);
    expect(sameBits(weightValues(savedEma), weightValues(r.ema))).toBe(true);
    // Resuming a finished run restores it and takes no step.
    const other = tinyNetwork(77);
    const again = await train(baseOptions(other, { resume: dir }));
    expect([again.step, again.imagesSeen]).toEqual([8, 128]);
    expect(sameBits(weightValues(other), weightValues(network))).toBe(true);
    expect(sameBits(weightValues(again.ema), weightValues(r.ema))).toBe(true);
    expect(again.lossHistory).toEqual(r.lossHistory);
    for (const n of [savedNet, savedEma, r.ema, again.ema, network, other]) n.dispose();
  });

  it('a run resumed from a checkpoint reaches the weights of the uninterrupted run bit for bit', async () => {
    const fullNet = tinyNetwork(5);
    const full = await train(baseOptions(fullNet, { checkpointDir: path.join(dir, 'full') }));
    const firstNet = tinyNetwork(5);
    const first = await train(
      baseOptions(firstNet, { totalImages: 48, checkpointDir: path.join(dir, 'split') }),
    );
    first.ema.dispose();
    firstNet.dispose();
    const resumedNet = tinyNetwork(6); // other initial weights: the checkpoint's must win
    const resumed = await train(baseOptions(resumedNet, { resume: path.join(dir, 'split') }));
    expect([resumed.step, resumed.imagesSeen]).toEqual([8, 128]);
    expect(resumed.lossHistory).toEqual(full.lossHistory);
    expect(sameBits(weightValues(resumedNet), weightValues(fullNet))).toBe(true);
    expect(sameBits(weightValues(resumed.ema), weightValues(full.ema))).toBe(true);
    const a = await fs.readFile(path.join(full.checkpoint!, 'adam.bin'));
    const b = await fs.readFile(path.join(resumed.checkpoint!, 'adam.bin'));
    expect(a.equals(b)).toBe(true);
    for (const n of [full.ema, resumed.ema, fullNet, resumedNet]) n.dispose();
  });

  it('stops on a NaN/Inf loss with a typed error naming the step, leaving the last good checkpoint untouched', async () => {
    // Samples 48… are 1e30: their squared error overflows float32.
    const data = Array.from({ length: 128 }, (_, i) => (i < 96 ? Math.sin(i) * 0.5 : 1e30));
    const network = tinyNetwork(1);
    const before = tf.memory().numTensors;
    const o = baseOptions(network, {
      data: datasetSource({ data, shape: [2], shuffle: false }),
      checkpointDir: dir,
      checkpointEvery: 32,
    });
    const error = await train(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    const e = error as NonFiniteLossError;
    expect([e.step, e.imagesSeen, e.quantity, Number.isFinite(e.loss)]).toEqual([
      3,
      48,
      'loss',
      false,
    ]);
    expect(e.lastCheckpoint).toBe(path.join(dir, 'ckpt-000000000032'));
    expect(e.message).toMatch(
      /training loss is (NaN|Infinity) at step 3 \(48 images seen\); the step was not applied; last good checkpoint: .*ckpt-000000000032/,
    );
    expect(await fs.readdir(dir)).toEqual(['ckpt-000000000032']);
    const ck = await readCheckpoint(e.lastCheckpoint!);
    expect(ck.state.imagesSeen).toBe(32);
    expect(tf.memory().numTensors).toBe(before);
    network.dispose();
  });

  it('refuses missing, truncated and other-architecture checkpoints with typed errors', async () => {
    const network = tinyNetwork(1);
    const other = tinyNetwork(1, 8);
    const before = tf.memory().numTensors;
    const missing = await train(baseOptions(network, { resume: path.join(dir, 'nothing') })).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(CheckpointError);
    expect((missing as CheckpointError).reason).toBe('missing');

    const r = await train(baseOptions(network, { totalImages: 32, checkpointDir: dir }));
    r.ema.dispose();
    await expect(train(baseOptions(other, { resume: dir }))).rejects.toThrow(
      /saved for another network architecture \(network\.hidden: saved 16, now 8\)/,
    );
    await expect(train(baseOptions(network, { resume: dir, seed: 12 }))).rejects.toThrow(
      /saved with other training settings \(training\.seed: saved 11, now 12\)/,
    );
    await expect(train(baseOptions(network, { checkpointDir: dir }))).rejects.toThrow(
      ParameterError,
    );
    // Continuing into a directory that holds another run's checkpoints would prune them: refused.
    const elsewhere = path.join(dir, 'other-run');
    const o2 = await train(baseOptions(network, { totalImages: 16, checkpointDir: elsewhere }));
    o2.ema.dispose();
    await expect(
      train(baseOptions(network, { resume: dir, checkpointDir: elsewhere })),
    ).rejects.toThrow(
      /checkpointDir must be a directory without checkpoints, or the run directory of the checkpoint resumed/,
    );
    // …into an empty one it is fine, and the resumed run's checkpoints go there.
    const moved = await train(
      baseOptions(network, {
        totalImages: 48,
        resume: dir,
        checkpointDir: path.join(dir, 'moved'),
      }),
    );
    moved.ema.dispose();
    expect(path.basename(path.dirname(moved.checkpoint!))).toBe('moved');
    expect(await fs.readdir(elsewhere)).toEqual(['ckpt-000000000016']);

    const weights = path.join(r.checkpoint!, 'ema', 'weights.bin');
    const bytes = await fs.readFile(weights);
    await fs.writeFile(weights, bytes.subarray(0, bytes.length - 8));
    const truncated = await train(baseOptions(network, { resume: dir })).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(CheckpointError);
    expect((truncated as CheckpointError).reason).toBe('corrupt');
    expect((truncated as Error).message).toMatch(
      /file ema\/weights\.bin has \d+ bytes, expected \d+ \(truncated\?\)/,
    );
    expect(tf.memory().numTensors).toBe(before);
    other.dispose();
    network.dispose();
  });

  it('stops on an abort signal after the current step and checkpoints there', async () => {
    const network = tinyNetwork(1);
    const controller = new AbortController();
    const r = await train(
      baseOptions(network, {
        checkpointDir: dir,
        signal: controller.signal,
        onStep: (i) => {
          if (i.step === 3) controller.abort();
        },
      }),
    );
    expect([r.stopped, r.step, r.imagesSeen]).toEqual([true, 3, 48]);
    expect(await fs.readdir(dir)).toEqual(['ckpt-000000000048']);
    r.ema.dispose();
    network.dispose();
  });
});

describe('train: non-finite gradients', () => {
  /** The network, with a NaN gradient flowing back from its output (the loss stays finite). */
  function nanGradient(network: Network): Network {
    const poison = tf.customGrad((...args) => {
      const x = args[0] as tf.Tensor;
      return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.mul(dy, Number.NaN) };
    });
    return Object.freeze({
      ...network,
      apply: (x: tf.Tensor, cNoise: tf.Tensor1D, options?: ApplyOptions) =>
        tf.tidy(() => poison(network.apply(x, cNoise, options))),
    });
  }

  it('replaces NaN entries by 0 as the official loop (the step is taken, the weights stay put)', async () => {
    const network = tinyNetwork(1);
    const before = weightValues(network);
    const norms: number[] = [];
    const r = await train(
      baseOptions(nanGradient(network), {
        totalImages: 48,
        onStep: (i) => void norms.push(i.gradNorm),
      }),
    );
    expect(norms).toEqual([0, 0, 0]);
    expect(r.lossHistory.every(Number.isFinite)).toBe(true);
    expect(sameBits(weightValues(network), before)).toBe(true);
    r.ema.dispose();
    network.dispose();
  });

  it('without replacement, stops on a non-finite gradient before applying it', async () => {
    const network = tinyNetwork(1);
    const before = weightValues(network);
    const error = await train(baseOptions(nanGradient(network), { replaceNonFinite: false })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect([(error as NonFiniteLossError).quantity, (error as NonFiniteLossError).step]).toEqual([
      'gradient',
      0,
    ]);
    expect((error as Error).message).toMatch(/training gradient norm is NaN at step 0/);
    expect(sameBits(weightValues(network), before)).toBe(true);
    network.dispose();
  });
});

describe('train: dropout', () => {
  it('calls the network in training mode with the dropout seed derived from (seed, step)', async () => {
    const network = tinyNetwork(1);
    const calls: ApplyOptions[] = [];
    const spy: Network = Object.freeze({
      config: network.config,
      model: network.model,
      trainableWeights: network.trainableWeights,
      countParams: () => network.countParams(),
      dispose: () => network.dispose(),
      apply: (x: tf.Tensor, cNoise: tf.Tensor1D, options?: ApplyOptions) => {
        calls.push(options ?? {});
        return network.apply(x, cNoise, options);
      },
    });
    const { ema } = await train(baseOptions(spy, { totalImages: 64 }));
    ema.dispose();
    expect(calls.map((c) => [c.training, c.seed])).toEqual(
      [0, 1, 2, 3].map((s) => [true, derivedSeed(11, s)]),
    );
    network.dispose();
  });

  it('a U-Net with dropout resumes bit for bit (the masks follow the step)', async () => {
    const make = (): Network =>
      ddpmppSmall({
        resolution: 4,
        inChannels: 1,
        modelChannels: 8,
        channelMult: [1],
        numBlocks: 1,
        attnResolutions: [],
        dropout: 0.5,
        seed: 2,
      });
    const sample = (rngs: readonly { normal(): number }[]): Float64Array =>
      Float64Array.from(
        { length: rngs.length * 16 },
        (_, i) => 0.5 * Math.tanh(rngs[Math.floor(i / 16)]!.normal()),
      );
    const options = (network: Network, extra: Partial<TrainOptions>): TrainOptions =>
      baseOptions(network, {
        data: samplerSource({ shape: [4, 4, 1], sample }),
        batchSize: 2,
        totalImages: 10,
        lrRampupImages: 2,
        ...extra,
      });
    const fullNet = make();
    const full = await train(options(fullNet, {}));
    const splitNet = make();
    const first = await train(options(splitNet, { totalImages: 4, checkpointDir: dir }));
    first.ema.dispose();
    const resumed = await train(options(splitNet, { resume: dir }));
    expect(resumed.lossHistory).toEqual(full.lossHistory);
    expect(sameBits(weightValues(splitNet), weightValues(fullNet))).toBe(true);
    expect(sameBits(weightValues(resumed.ema), weightValues(full.ema))).toBe(true);
    // Dropout is active: the masks of two steps differ.
    const outputs = [0, 1].map((step) =>
      tf.tidy(() =>
        Array.from(
          fullNet
            .apply(tf.ones([1, 4, 4, 1]), tf.tensor1d([0]), {
              training: true,
              seed: derivedSeed(11, step),
            })
            .dataSync(),
        ),
      ),
    );
    expect(outputs[0]).not.toEqual(outputs[1]);
    for (const n of [full.ema, resumed.ema, fullNet, splitNet]) n.dispose();
  });
});

describe('train: resources and reporting', () => {
  it('leaks no tensor: the count is constant over the steps and back to its start after the EMA is released', async () => {
    const network = tinyNetwork(1);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const r = await train(
      baseOptions(network, {
        checkpointDir: dir,
        checkpointEvery: 32,
        gradClip: 0.5,
        onStep: () => void counts.push(tf.memory().numTensors),
      }),
    );
    expect(new Set(counts).size).toBe(1);
    r.ema.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const resumed = await train(
      baseOptions(network, { totalImages: 192, resume: dir, gradClip: 0.5 }),
    );
    resumed.ema.dispose();
    expect(tf.memory().numTensors).toBe(before);
    network.dispose();
  });

  it('prints a progress line every logEvery steps when stderr is not a terminal', async () => {
    const network = tinyNetwork(1);
    const lines: string[] = [];
    const spy = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    const infos: StepInfo[] = [];
    try {
      const r = await train(
        baseOptions(network, { progress: true, logEvery: 3, onStep: (i) => void infos.push(i) }),
      );
      r.ema.dispose();
    } finally {
      spy.mockRestore();
    }
    expect(process.stderr.isTTY).not.toBe(true);
    expect(lines.map((l) => /^step (\d+) \| (\d+)\/128 img \| loss /.exec(l)?.slice(1, 3))).toEqual(
      [
        ['3', '48'],
        ['6', '96'],
        ['8', '128'],
      ],
    );
    expect(lines[0]).toMatch(/lr 5\.00e-3 \| [\d.]+ img\/s\n$/);
    expect(infos.map((i) => i.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const i of infos) expect(i.imagesPerSecond).toBeGreaterThan(0);
    network.dispose();
  });

  it('validates its options, naming the parameter', async () => {
    const network = tinyNetwork(1);
    const o = baseOptions(network);
    await expect(train({ ...o, totalImages: 0 })).rejects.toThrow(
      /totalImages must be an integer >= 1/,
    );
    await expect(train({ ...o, batchSize: 2.5 })).rejects.toThrow(/batchSize/);
    await expect(train({ ...o, gradClip: -1 })).rejects.toThrow(
      /gradClip must be a finite number > 0/,
    );
    await expect(
      train({ ...o, data: datasetSource({ data: [1, 2, 3], shape: [3] }) }),
    ).rejects.toThrow(/data\.shape must be the network's input shape \[2\]/);
    await expect(train({ ...o, emaRampupRatio: 0 })).rejects.toThrow(/rampupRatio/);
    network.dispose();
  });
});
