import { mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigMismatchError,
  NetworkFileError,
  buildNetwork,
  dhariwalUNetConfig,
  loadNetwork,
  mlpConfig,
  saveNetwork,
  songUNetConfig,
  type Network,
  type NetworkFileProblem,
  type SavedModelJson,
} from '@edmkit/unet';
import { runOn } from './networks-helpers.js';

let root = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'edmkit-unet-save-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const songOptions = {
  resolution: 8,
  inChannels: 1,
  modelChannels: 8,
  channelMult: [1, 2],
  numBlocks: 1,
  attnResolutions: [4],
  augmentDim: 2,
  embeddingType: 'fourier',
  encoderType: 'residual',
  resampleFilter: [1, 3, 3, 1],
  channelMultNoise: 2,
} as const;
const song = songUNetConfig(songOptions);
const admTiny = dhariwalUNetConfig({
  resolution: 8,
  inChannels: 1,
  modelChannels: 8,
  channelMult: [1, 2],
  numBlocks: 1,
  attnResolutions: [4],
  channelsPerHead: 8,
  labelDim: 2,
  augmentDim: 0,
});

async function expectProblem(
  promise: Promise<unknown>,
  problem: NetworkFileProblem,
  message?: RegExp,
): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NetworkFileError);
  expect((error as NetworkFileError).problem).toBe(problem);
  if (message) expect((error as Error).message).toMatch(message);
}

describe('saveNetwork / loadNetwork', () => {
  let saved: Network;
  let dir = '';
  beforeAll(async () => {
    saved = buildNetwork(song, { seed: 4 });
    // Move the weights away from their initial values so that loading cannot pass by rebuilding.
    for (const w of saved.model.weights)
      w.write(tf.add(w.read(), tf.randomNormal(w.shape as number[], 0, 0.01, 'float32', 1)));
    dir = join(root, 'song');
    await saveNetwork(saved, dir);
  });
  afterAll(() => saved.dispose());

  it('writes a tfjs layers-model artifact with the config as userDefinedMetadata.edmkit, and no temp files', async () => {
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as SavedModelJson;
    expect(json.format).toBe('layers-model');
    expect(json.userDefinedMetadata.edmkit).toEqual(JSON.parse(JSON.stringify(song)));
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const names = json.weightsManifest[0]!.weights.map((w) => w.name);
    expect(names).toContain('map/map_noise/freqs');
    expect(names).toContain('enc.4x4_aux_residual/kernel');
    const bytes = json.weightsManifest[0]!.weights.reduce(
      (n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1),
      0,
    );
    expect((await readFile(join(dir, 'weights.bin'))).byteLength).toBe(bytes);
    // The topology deserialises with tfjs itself (the edmkit layers are registered).
    const model = await tf.models.modelFromJSON({
      modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'],
    });
    expect(model.countParams()).toBe(saved.model.countParams());
    model.dispose();
  });

  it('round trip: bit-identical outputs, in inference and in training with a dropout seed', async () => {
    const loaded = await loadNetwork(dir, { expect: song });
    expect(loaded.config).toEqual(song);
    expect(Array.from(runOn(loaded, 2, 1))).toEqual(Array.from(runOn(saved, 2, 1)));
    expect(Array.from(runOn(loaded, 2, 1, { training: true, seed: 5 }))).toEqual(
      Array.from(runOn(saved, 2, 1, { training: true, seed: 5 })),
    );
    loaded.dispose();
  });

  it('overwrites an existing save', async () => {
    const other = buildNetwork(song, { seed: 9 });
    const d = join(root, 'overwrite');
    await saveNetwork(saved, d);
    await saveNetwork(other, d);
    const loaded = await loadNetwork(d);
    expect(Array.from(runOn(loaded, 1, 2))).toEqual(Array.from(runOn(other, 1, 2)));
    expect((await readdir(d)).sort()).toEqual(['model.json', 'weights.bin']);
    [other, loaded].forEach((n) => n.dispose());
  });

  it('expect: refuses another config, naming every differing field', async () => {
    const error = await loadNetwork(dir, {
      expect: songUNetConfig({ ...songOptions, embeddingType: 'positional' }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigMismatchError);
    const keys = (error as ConfigMismatchError).differences.map((d) => d.key);
    expect(keys).toEqual(['architecture', 'embeddingType']);
    expect((error as Error).message).toMatch(
      /embeddingType: expected "positional", found "fourier"/,
    );
  });

  it('missing directory, missing files', async () => {
    await expectProblem(loadNetwork(join(root, 'nope')), 'missing-directory');
    await expectProblem(
      loadNetwork(join(dir, 'model.json')),
      'missing-directory',
      /not a directory/,
    );
    const d = join(root, 'no-weights');
    await saveNetwork(saved, d);
    await rm(join(d, 'weights.bin'));
    await expectProblem(loadNetwork(d), 'missing-file', /weights\.bin/);
    await rm(join(d, 'model.json'));
    await expectProblem(loadNetwork(d), 'missing-file', /model\.json/);
  });

  it('truncated weights.bin (size mismatch) and a weights.bin of another save (checksum)', async () => {
    const d = join(root, 'truncated');
    await saveNetwork(saved, d);
    const size = (await readFile(join(d, 'weights.bin'))).byteLength;
    await truncate(join(d, 'weights.bin'), size - 4);
    await expectProblem(loadNetwork(d), 'size-mismatch', /truncated/);
    // Same architecture, other weights: same size, different bytes.
    const other = buildNetwork(song, { seed: 10 });
    const d2 = join(root, 'other');
    await saveNetwork(other, d2);
    await writeFile(join(d, 'weights.bin'), await readFile(join(d2, 'weights.bin')));
    await expectProblem(loadNetwork(d), 'checksum-mismatch');
    other.dispose();
  });

  it('invalid JSON, not a layers model, no edmkit config, an invalid config', async () => {
    const d = join(root, 'bad-json');
    await saveNetwork(saved, d);
    const good = await readFile(join(d, 'model.json'), 'utf8');
    await writeFile(join(d, 'model.json'), good.slice(0, 100));
    await expectProblem(loadNetwork(d), 'invalid-json');
    const json = JSON.parse(good) as Record<string, unknown> & {
      userDefinedMetadata: Record<string, unknown>;
    };
    await writeFile(join(d, 'model.json'), JSON.stringify({ ...json, format: 'graph-model' }));
    await expectProblem(loadNetwork(d), 'invalid-format', /layers-model/);
    await writeFile(join(d, 'model.json'), JSON.stringify({ ...json, userDefinedMetadata: {} }));
    await expectProblem(loadNetwork(d), 'invalid-format', /not an edmkit network/);
    await writeFile(
      join(d, 'model.json'),
      JSON.stringify({
        ...json,
        userDefinedMetadata: { ...json.userDefinedMetadata, edmkit: { ...song, numBlocks: 0 } },
      }),
    );
    await expectProblem(loadNetwork(d), 'invalid-format', /numBlocks/);
    await writeFile(
      join(d, 'model.json'),
      JSON.stringify({ ...json, weightsManifest: [{ paths: ['../weights.bin'], weights: [] }] }),
    );
    await expectProblem(loadNetwork(d), 'invalid-format', /paths/);
  });

  it('a model.json whose config is of another architecture than its weights names what differs', async () => {
    // An ADM's weights with a Song U-Net's config (checksum removed, sizes made to agree by the manifest).
    const a = buildNetwork(admTiny, { seed: 1 });
    const d = join(root, 'mixed');
    await saveNetwork(a, d);
    const json = JSON.parse(await readFile(join(d, 'model.json'), 'utf8')) as SavedModelJson;
    const mixed = { ...json, userDefinedMetadata: { edmkit: song } };
    await writeFile(join(d, 'model.json'), JSON.stringify(mixed));
    await expectProblem(
      loadNetwork(d),
      'weights-mismatch',
      /missing map\/map_noise\/freqs|unexpected out_conv\/kernel|has shape/,
    );
    a.dispose();
  });

  it('an MLP round-trips too', async () => {
    const m = buildNetwork(mlpConfig({ dim: 3, embeddingType: 'fourier', labelDim: 2 }), {
      seed: 2,
    });
    const d = join(root, 'mlp');
    await saveNetwork(m, d);
    const loaded = await loadNetwork(d);
    expect(Array.from(runOn(loaded, 4, 3))).toEqual(Array.from(runOn(m, 4, 3)));
    [m, loaded].forEach((n) => n.dispose());
  });
});
