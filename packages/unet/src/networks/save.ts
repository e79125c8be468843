import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Network, NetworkConfig } from '../types.js';
import { buildFrom, checkNetworkConfig, type AnyNetworkConfig } from './build.js';
import { configDiff } from './config.js';
import { ConfigMismatchError, NetworkFileError } from './errors.js';

/** File names inside a saved-network directory. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

interface WeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
}

/** The `model.json` of a saved network (a tfjs layers-model artifact). */
export interface SavedModelJson {
  readonly format: 'layers-model';
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly modelTopology: unknown;
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: readonly WeightSpec[];
  }[];
  readonly userDefinedMetadata: {
    /** The network's config. */
    readonly edmkit: NetworkConfig;
    /** Size and SHA-256 of weights.bin, checked on load. */
    readonly edmkitWeights: { readonly byteLength: number; readonly sha256: string };
  };
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<string> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return tmp;
}

/**
 * Saves a network in TensorFlow.js's layers-model format: `dir/model.json` (the model
 * topology, the weights manifest and `userDefinedMetadata.edmkit` = the network's config)
 * and `dir/weights.bin` (float32 weights, little-endian, in manifest order). Creates `dir`
 * if needed. Each file is written to a temporary name, flushed and renamed into place, so
 * an interrupted save never leaves a half-written file; model.json records the size and
 * SHA-256 of its weights.bin, so a mismatched pair is detected on load. Node only.
 *
 * The files load with `loadNetwork`, and with `tf.loadLayersModel` once the edmkit layers
 * are registered (importing `@edmkit/unet` registers them).
 *
 * @param network - the network to save
 * @param dir - the directory (created if missing; existing files are replaced)
 * @example
 * await saveNetwork(net, 'checkpoints/ddpmpp-small');
 * const again = await loadNetwork('checkpoints/ddpmpp-small', { expect: net.config });
 * @see https://arxiv.org/abs/2206.00364
 */
export async function saveNetwork(network: Network, dir: string): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await network.model.save(
    tf.io.withSaveHandler((a) => {
      artifacts = a;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
      });
    }),
  );
  const saved = artifacts as tf.io.ModelArtifacts | null;
  if (saved === null || saved.weightData === undefined || saved.weightSpecs === undefined) {
    throw new Error('tfjs returned no weights when saving the model');
  }
  const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(saved.weightData));
  const modelJson: SavedModelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: saved.modelTopology,
    weightsManifest: [
      {
        paths: [WEIGHTS_BIN],
        weights: saved.weightSpecs.map(({ name, shape, dtype }) => ({ name, shape, dtype })),
      },
    ],
    userDefinedMetadata: {
      edmkit: network.config,
      edmkitWeights: {
        byteLength: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    },
  };
  await mkdir(dir, { recursive: true });
  const weightsPath = join(dir, WEIGHTS_BIN);
  const jsonPath = join(dir, MODEL_JSON);
  const tmpWeights = await writeAtomically(weightsPath, bytes);
  let tmpJson: string;
  try {
    tmpJson = await writeAtomically(jsonPath, JSON.stringify(modelJson));
  } catch (error) {
    await unlink(tmpWeights).catch(() => undefined);
    throw error;
  }
  await rename(tmpWeights, weightsPath);
  await rename(tmpJson, jsonPath);
}

/** Options of {@link loadNetwork}. */
export interface LoadNetworkOptions {
  /** Refuse (ConfigMismatchError) a saved network whose config differs from this one. */
  readonly expect?: NetworkConfig;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function invalid(path: string, detail: string, cause?: unknown): NetworkFileError {
  return new NetworkFileError(
    'invalid-format',
    path,
    detail,
    cause === undefined ? undefined : { cause },
  );
}

function parseManifest(
  jsonPath: string,
  json: unknown,
): {
  config: AnyNetworkConfig;
  specs: WeightSpec[];
  weightsFile: string;
  check: { byteLength: number; sha256: string } | null;
} {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw invalid(jsonPath, 'not a JSON object');
  const m = json as Partial<Record<keyof SavedModelJson, unknown>>;
  if (m.format !== 'layers-model')
    throw invalid(jsonPath, `format is ${JSON.stringify(m.format)}, expected "layers-model"`);
  const meta = m.userDefinedMetadata as { edmkit?: unknown; edmkitWeights?: unknown } | undefined;
  if (meta?.edmkit === undefined)
    throw invalid(jsonPath, 'not an edmkit network (no userDefinedMetadata.edmkit config)');
  let config: AnyNetworkConfig;
  try {
    config = checkNetworkConfig(meta.edmkit);
  } catch (error) {
    throw invalid(jsonPath, `invalid network config: ${(error as Error).message}`, error);
  }
  const manifest = m.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1)
    throw invalid(jsonPath, 'weightsManifest must hold exactly one group');
  const group = manifest[0] as { paths?: unknown; weights?: unknown };
  const paths = group.paths;
  if (
    !Array.isArray(paths) ||
    paths.length !== 1 ||
    typeof paths[0] !== 'string' ||
    basename(paths[0]) !== paths[0] ||
    paths[0].startsWith('.')
  ) {
    throw invalid(jsonPath, 'weightsManifest[0].paths must name one file in the same directory');
  }
  if (!Array.isArray(group.weights))
    throw invalid(jsonPath, 'weightsManifest[0].weights must be an array');
  const specs = group.weights.map((w: unknown, i: number): WeightSpec => {
    const s = w as Partial<WeightSpec> | null;
    if (
      s === null ||
      typeof s.name !== 'string' ||
      !Array.isArray(s.shape) ||
      !s.shape.every((d) => Number.isInteger(d) && d >= 0) ||
      s.dtype !== 'float32'
    ) {
      throw invalid(
        jsonPath,
        `weightsManifest[0].weights[${i}] must be { name, shape, dtype: "float32" }`,
      );
    }
    return { name: s.name, shape: s.shape, dtype: s.dtype };
  });
  const w = meta.edmkitWeights as { byteLength?: unknown; sha256?: unknown } | undefined;
  const check =
    w !== undefined && typeof w.byteLength === 'number' && typeof w.sha256 === 'string'
      ? { byteLength: w.byteLength, sha256: w.sha256 }
      : null;
  return { config, specs, weightsFile: paths[0], check };
}

/**
 * Loads a network saved by {@link saveNetwork}: rebuilds it from the config in
 * `model.json` and loads `weights.bin` into it. Node only.
 *
 * Errors ({@link NetworkFileError} with `problem`): `missing-directory`, `missing-file`
 * (model.json or weights.bin), `invalid-json`, `invalid-format` (not a layers-model, no
 * edmkit config, an invalid config, a malformed manifest), `size-mismatch` (weights.bin
 * truncated or too long for the manifest), `checksum-mismatch` (weights.bin is not the one
 * saved with this model.json), `weights-mismatch` (the manifest's weights are not those of
 * the config's architecture — names what is missing, unexpected or of another shape). With
 * `expect`, a different config throws a {@link ConfigMismatchError} listing every differing field.
 *
 * @param dir - the directory holding model.json and weights.bin
 * @param options - `expect`: the config the caller requires
 * @example
 * const net = await loadNetwork('checkpoints/run1', { expect: ddpmppSmallConfig() });
 * @see https://arxiv.org/abs/2206.00364
 */
export async function loadNetwork(dir: string, options: LoadNetworkOptions = {}): Promise<Network> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory())
      throw new NetworkFileError('missing-directory', dir, 'is not a directory');
  } catch (error) {
    if (error instanceof NetworkFileError) throw error;
    if (isErrno(error, 'ENOENT'))
      throw new NetworkFileError('missing-directory', dir, 'no such directory', { cause: error });
    throw error;
  }
  const jsonPath = join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT'))
      throw new NetworkFileError('missing-file', jsonPath, `no ${MODEL_JSON} in the directory`, {
        cause: error,
      });
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NetworkFileError(
      'invalid-json',
      jsonPath,
      `invalid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const { config, specs, weightsFile, check } = parseManifest(jsonPath, json);
  if (options.expect !== undefined) {
    const expected = checkNetworkConfig(options.expect);
    const differences = configDiff(expected, config);
    if (differences.length > 0) throw new ConfigMismatchError(jsonPath, differences);
  }
  const weightsPath = join(dir, weightsFile);
  let bytes: Buffer;
  try {
    bytes = await readFile(weightsPath);
  } catch (error) {
    if (isErrno(error, 'ENOENT'))
      throw new NetworkFileError(
        'missing-file',
        weightsPath,
        `no ${weightsFile} in the directory`,
        { cause: error },
      );
    throw error;
  }
  const needed = specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== needed) {
    throw new NetworkFileError(
      'size-mismatch',
      weightsPath,
      `has ${bytes.byteLength} bytes but the manifest in ${MODEL_JSON} needs ${needed}${bytes.byteLength < needed ? ' (truncated?)' : ''}`,
    );
  }
  if (check !== null && createHash('sha256').update(bytes).digest('hex') !== check.sha256) {
    throw new NetworkFileError(
      'checksum-mismatch',
      weightsPath,
      `is not the weights file saved with this ${MODEL_JSON} (SHA-256 differs)`,
    );
  }
  const network = buildFrom(config, {}, true);
  try {
    const weights = network.model.weights;
    const byName = new Map(specs.map((s, i) => [s.name, i] as const));
    const problems: string[] = [];
    for (const w of weights) {
      const i = byName.get(w.originalName);
      if (i === undefined) problems.push(`missing ${w.originalName}`);
      else if (JSON.stringify(specs[i]!.shape) !== JSON.stringify(w.shape)) {
        problems.push(
          `${w.originalName} has shape [${specs[i]!.shape.join(', ')}], the architecture needs [${w.shape.join(', ')}]`,
        );
      }
    }
    const known = new Set(weights.map((w) => w.originalName));
    for (const s of specs) if (!known.has(s.name)) problems.push(`unexpected ${s.name}`);
    if (problems.length > 0) {
      const shown =
        problems.slice(0, 5).join('; ') +
        (problems.length > 5 ? `; … (${problems.length} in all)` : '');
      throw new NetworkFileError(
        'weights-mismatch',
        jsonPath,
        `the saved weights do not fit the ${config.architecture} architecture of its config: ${shown}`,
      );
    }
    // One aligned copy; then a view per weight in manifest order.
    const aligned = new Float32Array(needed / 4);
    new Uint8Array(aligned.buffer).set(bytes);
    const offsets = new Map<string, number>();
    let offset = 0;
    for (const s of specs) {
      offsets.set(s.name, offset);
      offset += s.shape.reduce((a, b) => a * b, 1);
    }
    for (const w of weights) {
      const start = offsets.get(w.originalName)!;
      const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      tf.tidy(() => {
        w.write(tf.tensor(aligned.subarray(start, start + size), w.shape as number[], 'float32'));
      });
    }
    return network;
  } catch (error) {
    network.dispose();
    throw error;
  }
}
