import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ParameterError } from '@edmkit/core';
import { exists, syncPath } from './atomic-dir.js';
import { CheckpointError } from './errors.js';

/** Prefix of the checkpoint directories of a run directory (`ckpt-<images seen>`). */
export const PREFIX = 'ckpt-';
/** Prefix of everything that is not (or no longer) a checkpoint: writes in progress, checkpoints being deleted. */
export const TMP_PREFIX = '.tmp-ckpt-';
/** Prefix of a checkpoint on its way out: renamed away from `ckpt-*` first, deleted after. */
const DOOMED_PREFIX = `${TMP_PREFIX}old-`;
/** The file of a checkpoint written last, naming every other file. */
export const MANIFEST = 'manifest.json';

/** Name of the checkpoint directory of a run after `imagesSeen` images. */
export function checkpointName(imagesSeen: number): string {
  return `${PREFIX}${String(imagesSeen).padStart(12, '0')}`;
}

/** A fresh hidden name in `runDir` for a directory about to be deleted. */
export function doomedName(runDir: string): string {
  return path.join(runDir, `${DOOMED_PREFIX}${randomBytes(4).toString('hex')}`);
}

/** The `ckpt-*` directories of `runDir`, complete or not, oldest first. */
async function checkpointDirs(runDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(runDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((e) => e.isDirectory() && /^ckpt-\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => Number(a.slice(PREFIX.length)) - Number(b.slice(PREFIX.length)))
    .map((name) => path.join(runDir, name));
}

/**
 * Whether `dir` holds a complete checkpoint: a manifest, and every file the manifest names.
 * (Sizes and digests are for {@link readCheckpoint} to verify: a damaged file is reported,
 * not hidden.)
 */
async function isComplete(dir: string): Promise<boolean> {
  let files: unknown;
  try {
    files = (JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as { files?: unknown })
      ?.files;
  } catch (error) {
    if (error instanceof SyntaxError || (error as NodeJS.ErrnoException).code === 'ENOENT')
      return false;
    throw error;
  }
  if (files == null || typeof files !== 'object') return false;
  for (const rel of Object.keys(files)) {
    try {
      if (!(await fs.stat(path.join(dir, ...rel.split('/')))).isFile()) return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
  return true;
}

/**
 * The complete checkpoints of a run directory, oldest first: `ckpt-*` directories holding a
 * manifest and every file it names. Temporary directories of an interrupted write, and what
 * an interrupted deletion left, are not listed.
 *
 * @example
 * const all = await listCheckpoints('runs/a'); // ['runs/a/ckpt-000000032768', …]
 */
export async function listCheckpoints(runDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of await checkpointDirs(runDir)) if (await isComplete(dir)) out.push(dir);
  return out;
}

/**
 * Removes all but the newest `keep` complete checkpoints of `runDir`, and any incomplete
 * `ckpt-*` directory older than the ones kept. Each goes in two moves: an atomic rename to a
 * hidden name (so {@link listCheckpoints} never sees it half-deleted), then the deletion.
 * What a killed deletion leaves is hidden, and removed here or by {@link removeStaleTemporaries}.
 */
export async function pruneCheckpoints(runDir: string, keep: number): Promise<void> {
  const kept = (await listCheckpoints(runDir)).slice(-keep);
  const oldestKept = kept[0];
  if (oldestKept === undefined) return;
  const doomed: string[] = [];
  for (const dir of await checkpointDirs(runDir)) {
    if (dir === oldestKept) break;
    const aside = doomedName(runDir);
    await fs.rename(dir, aside);
    doomed.push(aside);
  }
  if (doomed.length > 0) await syncPath(runDir);
  for (const name of await fs.readdir(runDir)) {
    if (name.startsWith(DOOMED_PREFIX)) doomed.push(path.join(runDir, name));
  }
  for (const dir of new Set(doomed)) await fs.rm(dir, { recursive: true, force: true });
}

/**
 * Removes what interrupted runs left in `runDir`: temporary directories of a checkpoint
 * being written, and checkpoints being deleted.
 */
export async function removeStaleTemporaries(runDir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(runDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names) {
    if (name.startsWith(TMP_PREFIX))
      await fs.rm(path.join(runDir, name), { recursive: true, force: true });
  }
}

/**
 * The checkpoint to resume from: `dir` itself when it holds a manifest, else the
 * newest complete `ckpt-*` directory of the run directory `dir`.
 *
 * @throws {CheckpointError} `missing` when there is none
 * @example
 * const latest = await resolveCheckpoint('runs/a');
 */
export async function resolveCheckpoint(dir: string): Promise<string> {
  if (typeof dir !== 'string' || dir === '')
    throw new ParameterError('resume', 'a directory path', dir);
  if (await exists(path.join(dir, MANIFEST))) return dir;
  if (!(await exists(dir))) throw new CheckpointError(dir, 'missing', 'no such directory');
  const all = await listCheckpoints(dir);
  const latest = all[all.length - 1];
  if (latest === undefined) {
    throw new CheckpointError(
      dir,
      'missing',
      `neither a checkpoint (no ${MANIFEST}) nor a run directory holding complete ${PREFIX}* checkpoints`,
    );
  }
  return latest;
}
