import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  listCheckpoints,
  readCheckpoint,
  resolveCheckpoint,
  writeCheckpoint,
  type CheckpointContents,
} from '@edmkit/train';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'edmkit-ckpt-test-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function contents(imagesSeen: number, fail?: 'ema'): CheckpointContents {
  const step = imagesSeen / 4;
  return {
    state: {
      step,
      imagesSeen,
      adamStep: step,
      weightShapes: [[2, 3], [3]],
      config: { network: { architecture: 'mlp' }, training: { seed: 1 } },
    },
    lossHistory: Float64Array.from({ length: step }, (_, i) => 1 / (i + 3)),
    adamM: [
      Float32Array.from([1, 2, 3, 4, 5, 6].map((x) => x / 7 + imagesSeen)),
      Float32Array.from([Math.PI, -0, 1e-30]),
    ],
    adamV: [new Float32Array(6).fill(0.1), Float32Array.from([3, 2, 1])],
    saveNetwork: (dir) =>
      fs.writeFile(path.join(dir, 'weights.bin'), new Uint8Array([imagesSeen & 255, 1, 2, 3])),
    saveEma: async (dir) => {
      if (fail === 'ema') throw new Error('disk full');
      await fs.writeFile(path.join(dir, 'model.json'), '{"ema":true}');
    },
  };
}

describe('writeCheckpoint / readCheckpoint', () => {
  it('round-trips state, loss history and Adam moments bit for bit', async () => {
    const written = contents(40);
    const dir = await writeCheckpoint(root, written);
    expect(path.basename(dir)).toBe('ckpt-000000000040');
    const read = await readCheckpoint(dir);
    expect(read.state).toEqual(written.state);
    expect(read.lossHistory).toEqual(written.lossHistory);
    expect(read.adamM.map((a) => Array.from(a))).toEqual(written.adamM.map((a) => Array.from(a)));
    expect(Object.is(read.adamM[1]![1], -0)).toBe(true);
    expect(read.adamV.map((a) => Array.from(a))).toEqual(written.adamV.map((a) => Array.from(a)));
    expect(await fs.readFile(path.join(read.networkDir, 'weights.bin'))).toEqual(
      Buffer.from([40, 1, 2, 3]),
    );
    expect(await fs.readFile(path.join(read.emaDir, 'model.json'), 'utf8')).toBe('{"ema":true}');
  });

  it('keeps the newest checkpoints only once the new one is complete', async () => {
    await writeCheckpoint(root, contents(40));
    await writeCheckpoint(root, contents(80), 2);
    expect((await listCheckpoints(root)).map((d) => path.basename(d))).toEqual([
      'ckpt-000000000040',
      'ckpt-000000000080',
    ]);
    await writeCheckpoint(root, contents(120));
    expect((await listCheckpoints(root)).map((d) => path.basename(d))).toEqual([
      'ckpt-000000000120',
    ]);
    expect(path.basename(await resolveCheckpoint(root))).toBe('ckpt-000000000120');
  });

  it('lists only complete checkpoints: what an interrupted deletion left is skipped, then removed', async () => {
    await writeCheckpoint(root, contents(40));
    await writeCheckpoint(root, contents(80), 3);
    await writeCheckpoint(root, contents(120), 3);
    const names = (dirs: string[]): string[] => dirs.map((d) => path.basename(d));
    // An in-place recursive delete of ckpt-40 killed after its first files: the manifest stays.
    await fs.rm(path.join(root, 'ckpt-000000000040', 'adam.bin'));
    await fs.rm(path.join(root, 'ckpt-000000000040', 'ema'), { recursive: true });
    // …and one killed later, the manifest gone too.
    await fs.mkdir(path.join(root, 'ckpt-000000000020', 'network'), { recursive: true });
    // A deletion killed after the rename: hidden.
    await fs.mkdir(path.join(root, '.tmp-ckpt-old-0123abcd', 'network'), { recursive: true });
    await fs.writeFile(path.join(root, '.tmp-ckpt-old-0123abcd', 'manifest.json'), '{}');
    expect(names(await listCheckpoints(root))).toEqual(['ckpt-000000000080', 'ckpt-000000000120']);
    for (const dir of await listCheckpoints(root))
      await expect(readCheckpoint(dir)).resolves.toBeDefined();
    // The newest checkpoint losing a file: resuming takes the newest complete one.
    await fs.rm(path.join(root, 'ckpt-000000000120', 'loss-history.bin'));
    expect(names(await listCheckpoints(root))).toEqual(['ckpt-000000000080']);
    expect(path.basename(await resolveCheckpoint(root))).toBe('ckpt-000000000080');
    // The next write prunes the old leftovers (not the incomplete newer one: a later write replaces it).
    await writeCheckpoint(root, contents(100), 1);
    expect((await fs.readdir(root)).sort()).toEqual(['ckpt-000000000100', 'ckpt-000000000120']);
    expect(names(await listCheckpoints(root))).toEqual(['ckpt-000000000100']);
    await writeCheckpoint(root, contents(120), 1);
    expect(await fs.readdir(root)).toEqual(['ckpt-000000000120']);
    expect((await readCheckpoint(path.join(root, 'ckpt-000000000120'))).state.imagesSeen).toBe(120);
  });

  it('leaves the previous checkpoint intact and no temporary files when writing fails', async () => {
    const good = await writeCheckpoint(root, contents(40));
    await expect(writeCheckpoint(root, contents(80, 'ema'))).rejects.toThrow(/disk full/);
    expect(await fs.readdir(root)).toEqual(['ckpt-000000000040']);
    expect((await readCheckpoint(good)).state.imagesSeen).toBe(40);
  });

  it('detects truncated, altered and missing files', async () => {
    const dir = await writeCheckpoint(root, contents(40));
    const adamFile = path.join(dir, 'adam.bin');
    const bytes = await fs.readFile(adamFile);
    await fs.writeFile(adamFile, bytes.subarray(0, bytes.length - 4));
    await expect(readCheckpoint(dir)).rejects.toThrow(
      /adam\.bin has 68 bytes, expected 72 \(truncated\?\)/,
    );
    bytes.writeUInt8(bytes.readUInt8(5) ^ 1, 5);
    await fs.writeFile(adamFile, bytes);
    await expect(readCheckpoint(dir)).rejects.toThrow(/adam\.bin does not match its SHA-256/);
    bytes.writeUInt8(bytes.readUInt8(5) ^ 1, 5);
    await fs.writeFile(adamFile, bytes);
    await fs.rm(path.join(dir, 'network', 'weights.bin'));
    await expect(readCheckpoint(dir)).rejects.toThrow(/file network\/weights\.bin is missing/);
    const manifest = path.join(dir, 'manifest.json');
    const text = await fs.readFile(manifest, 'utf8');
    await fs.writeFile(manifest, text.slice(0, text.length / 2));
    const error = await readCheckpoint(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).reason).toBe('corrupt');
    expect((error as CheckpointError).message).toMatch(
      /manifest\.json is not valid JSON \(truncated\?\)/,
    );
  });

  it('reports a missing checkpoint as such', async () => {
    await expect(resolveCheckpoint(path.join(root, 'nope'))).rejects.toThrow(/no such directory/);
    await expect(resolveCheckpoint(root)).rejects.toThrow(
      /neither a checkpoint .* nor a run directory/,
    );
    const error = await readCheckpoint(root).catch((e: unknown) => e);
    expect((error as CheckpointError).reason).toBe('missing');
  });
});
