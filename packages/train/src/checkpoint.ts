import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { checkInteger } from '@edmkit/core';
import {
  digestFile,
  exists,
  listFiles,
  syncPath,
  syncTree,
  writeFileSynced,
  type FileDigest,
} from './atomic-dir.js';
import { CheckpointError } from './errors.js';
import { checkpointName, doomedName, MANIFEST, pruneCheckpoints, TMP_PREFIX } from './run-dir.js';

/** `format` field of every checkpoint manifest. */
export const CHECKPOINT_FORMAT = 'edmkit-train-checkpoint';
/** Version of the checkpoint layout this package writes and reads. */
export const CHECKPOINT_VERSION = 1;

const ADAM_FILE = 'adam.bin';
const LOSS_FILE = 'loss-history.bin';
/** Sub-directory of the network weights (tfjs format, `saveNetwork` of `@edmkit/unet`). */
export const NETWORK_DIR = 'network';
/** Sub-directory of the EMA weights (tfjs format, loadable with `loadNetwork`). */
export const EMA_DIR = 'ema';

/** The JSON part of a checkpoint: where the run stands and how it was configured. */
export interface CheckpointState {
  /** Steps taken. */
  readonly step: number;
  /** Images seen (= step · batchSize). */
  readonly imagesSeen: number;
  /** Adam's step count t. */
  readonly adamStep: number;
  /** Shapes of the trainable weights, in order (the layout of the Adam moments). */
  readonly weightShapes: readonly (readonly number[])[];
  /** The run's configuration (network config and training settings), JSON. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** What {@link writeCheckpoint} writes. */
export interface CheckpointContents {
  readonly state: CheckpointState;
  /** Training objective of every step taken, in order. */
  readonly lossHistory: Float64Array;
  /** Adam first moments m, one per trainable weight. */
  readonly adamM: readonly Float32Array[];
  /** Adam second moments v, one per trainable weight. */
  readonly adamV: readonly Float32Array[];
  /** Writes the network weights into the (existing, empty) directory given. */
  readonly saveNetwork: (dir: string) => Promise<void>;
  /** Writes the EMA weights into the (existing, empty) directory given. */
  readonly saveEma: (dir: string) => Promise<void>;
}

/** A checkpoint read back by {@link readCheckpoint}, its files verified. */
export interface LoadedCheckpoint {
  /** The checkpoint directory. */
  readonly dir: string;
  readonly state: CheckpointState;
  readonly lossHistory: Float64Array;
  readonly adamM: readonly Float32Array[];
  readonly adamV: readonly Float32Array[];
  /** Directory of the network weights. */
  readonly networkDir: string;
  /** Directory of the EMA weights. */
  readonly emaDir: string;
}

interface Manifest {
  readonly format: string;
  readonly version: number;
  readonly createdAt: string;
  readonly state: CheckpointState;
  readonly files: Readonly<Record<string, FileDigest>>;
}

/**
 * Writes a checkpoint into `runDir` atomically: everything goes into a temporary
 * sibling directory, every file and directory is fsynced, a manifest with the size
 * and SHA-256 of every file is written last, and the directory is renamed to
 * `ckpt-<imagesSeen>`. Only then are older checkpoints beyond the newest `keep`
 * deleted, each renamed to a hidden name first, so a crash at any point leaves the previous
 * checkpoint intact and every checkpoint `listCheckpoints` lists complete.
 *
 * {@link train} calls this; use it directly only to write checkpoints of a loop of your own.
 *
 * Layout: `manifest.json` (format, version, the {@link CheckpointState}, size and SHA-256 of
 * every file), `network/` and `ema/` (`saveNetwork` of `@edmkit/unet`: model.json +
 * weights.bin, loadable with `loadNetwork`), `adam.bin` (float32 m then v, weight after
 * weight), `loss-history.bin` (float64, one per step).
 *
 * @param runDir - the run directory (created if missing)
 * @param contents - state, moments, loss history and the two weight writers
 * @param keep - complete checkpoints to keep, ≥ 1 (default 1)
 * @returns the checkpoint directory
 * @example
 * const dir = await writeCheckpoint('runs/a', contents); // runs/a/ckpt-000000065536
 * @see https://arxiv.org/abs/2206.00364
 */
export async function writeCheckpoint(
  runDir: string,
  contents: CheckpointContents,
  keep = 1,
): Promise<string> {
  checkInteger('keepCheckpoints', keep, 1);
  const { state } = contents;
  checkInteger('state.imagesSeen', state.imagesSeen, 0);
  await fs.mkdir(runDir, { recursive: true });
  const tmp = path.join(
    runDir,
    `${TMP_PREFIX}${state.imagesSeen}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const final = path.join(runDir, checkpointName(state.imagesSeen));
  await fs.mkdir(tmp);
  try {
    await fs.mkdir(path.join(tmp, NETWORK_DIR));
    await fs.mkdir(path.join(tmp, EMA_DIR));
    await contents.saveNetwork(path.join(tmp, NETWORK_DIR));
    await contents.saveEma(path.join(tmp, EMA_DIR));
    await writeFileSynced(
      path.join(tmp, ADAM_FILE),
      concatFloat32([...contents.adamM, ...contents.adamV]),
    );
    await writeFileSynced(path.join(tmp, LOSS_FILE), bytesOf(contents.lossHistory));
    const files: Record<string, FileDigest> = {};
    for (const rel of await listFiles(tmp)) files[rel] = await digestFile(path.join(tmp, rel));
    const manifest: Manifest = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      createdAt: new Date().toISOString(),
      state,
      files,
    };
    await writeFileSynced(path.join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
    await syncTree(tmp);
    await replaceDir(tmp, final);
    await syncPath(runDir);
  } catch (error) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await pruneCheckpoints(runDir, keep);
  return final;
}

/** Renames `from` onto `to`; an existing `to` (same images seen) is moved aside first and removed after. */
async function replaceDir(from: string, to: string): Promise<void> {
  let aside: string | undefined;
  if (await exists(to)) {
    aside = doomedName(path.dirname(to));
    await fs.rename(to, aside);
  }
  await fs.rename(from, to);
  if (aside !== undefined) await fs.rm(aside, { recursive: true, force: true });
}

/**
 * Reads a checkpoint directory and verifies it: format and version, the size and
 * SHA-256 of every file the manifest lists, and the layout of the binary files.
 *
 * @throws {CheckpointError} `missing` (no manifest) or `corrupt` (truncated, altered, unknown format)
 * @example
 * const { state, lossHistory, emaDir } = await readCheckpoint(await resolveCheckpoint('runs/a'));
 * const ema = await loadNetwork(emaDir); // sample from the EMA weights
 */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, MANIFEST), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CheckpointError(dir, 'missing', `no ${MANIFEST}`);
    throw error;
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    throw new CheckpointError(dir, 'corrupt', `${MANIFEST} is not valid JSON (truncated?)`);
  }
  if (manifest?.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(dir, 'corrupt', `${MANIFEST} is not an edmkit training checkpoint`);
  }
  if (manifest.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      dir,
      'mismatch',
      `checkpoint version ${manifest.version}, this package reads ${CHECKPOINT_VERSION}`,
    );
  }
  for (const [rel, want] of Object.entries(manifest.files ?? {})) {
    const file = path.join(dir, ...rel.split('/'));
    let got: FileDigest;
    try {
      got = await digestFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new CheckpointError(dir, 'corrupt', `file ${rel} is missing`);
      throw error;
    }
    if (got.bytes !== want.bytes) {
      throw new CheckpointError(
        dir,
        'corrupt',
        `file ${rel} has ${got.bytes} bytes, expected ${want.bytes} (truncated?)`,
      );
    }
    if (got.sha256 !== want.sha256)
      throw new CheckpointError(dir, 'corrupt', `file ${rel} does not match its SHA-256`);
  }
  for (const required of [ADAM_FILE, LOSS_FILE]) {
    if (manifest.files[required] === undefined)
      throw new CheckpointError(dir, 'corrupt', `the manifest lists no ${required}`);
  }
  const state = manifest.state;
  if (!isState(state))
    throw new CheckpointError(dir, 'corrupt', `${MANIFEST} has no valid training state`);
  const shapes = state.weightShapes;
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const adamBytes = await fs.readFile(path.join(dir, ADAM_FILE));
  if (adamBytes.byteLength !== 2 * total * 4) {
    throw new CheckpointError(
      dir,
      'corrupt',
      `${ADAM_FILE} holds ${adamBytes.byteLength} bytes, the weight shapes need ${2 * total * 4}`,
    );
  }
  const adam = new Float32Array(
    adamBytes.buffer.slice(adamBytes.byteOffset, adamBytes.byteOffset + adamBytes.byteLength),
  );
  const adamM: Float32Array[] = [];
  const adamV: Float32Array[] = [];
  let offset = 0;
  for (const size of sizes) adamM.push(adam.slice(offset, (offset += size)));
  for (const size of sizes) adamV.push(adam.slice(offset, (offset += size)));
  const lossBytes = await fs.readFile(path.join(dir, LOSS_FILE));
  if (lossBytes.byteLength !== state.step * 8) {
    throw new CheckpointError(
      dir,
      'corrupt',
      `${LOSS_FILE} holds ${lossBytes.byteLength / 8} losses for ${state.step} steps`,
    );
  }
  const lossHistory = new Float64Array(
    lossBytes.buffer.slice(lossBytes.byteOffset, lossBytes.byteOffset + lossBytes.byteLength),
  );
  return {
    dir,
    state,
    lossHistory,
    adamM,
    adamV,
    networkDir: path.join(dir, NETWORK_DIR),
    emaDir: path.join(dir, EMA_DIR),
  };
}

function isState(s: unknown): s is CheckpointState {
  if (s == null || typeof s !== 'object') return false;
  const st = s as Record<string, unknown>;
  const count = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
  return (
    count(st.step) &&
    count(st.imagesSeen) &&
    count(st.adamStep) &&
    Array.isArray(st.weightShapes) &&
    st.weightShapes.every((shape) => Array.isArray(shape) && shape.every(count)) &&
    st.config != null &&
    typeof st.config === 'object'
  );
}

function bytesOf(a: Float64Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function concatFloat32(parts: readonly Float32Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return bytesOf(out);
}
