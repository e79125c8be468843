import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ParameterError } from '@edmkit/core';
import type { DatasetAblation } from './sampler-ablation.js';

/** Format tag of a sampler-ablation shard file. */
export const SHARD_FORMAT = 'edmkit-sampler-ablation-shard';

/** A shard file: the options every shard must share, which shard it is, and its results. */
export interface ShardFile {
  readonly format: typeof SHARD_FORMAT;
  readonly version: 1;
  readonly shard: { readonly index: number; readonly count: number };
  /** Options of the run; shards merge only when these are equal. */
  readonly options: Record<string, unknown>;
  readonly results: readonly DatasetAblation[];
}

/** Parses `k/n` (1 ≤ k ≤ n) into a 0-based shard index and a count. */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !(n >= 1) || !(k >= 1 && k <= n))
    throw new ParameterError('--shard', 'k/n with integers 1 <= k <= n', value);
  return { index: k - 1, count: n };
}

/** The file name of shard `index` of `count`. */
export function shardFileName(shard: { index: number; count: number }): string {
  return `sampler-ablation.shard-${shard.index + 1}-of-${shard.count}.json`;
}

/** Reads a shard file, turning sample arrays back into Float64Arrays; a clear error if it is not one. */
export function readShard(file: string): ShardFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ParameterError(
      'shard file',
      `a readable JSON file written by --shard (${(error as Error).message})`,
      file,
    );
  }
  const shard = parsed as Partial<ShardFile>;
  if (shard?.format !== SHARD_FORMAT || shard.version !== 1 || !Array.isArray(shard.results)) {
    throw new ParameterError('shard file', `a ${SHARD_FORMAT} file (version 1)`, file);
  }
  const stored = shard.results as readonly DatasetAblation[];
  const results = stored.map((r) => ({
    ...r,
    exampleSamples: r.exampleSamples && {
      config: r.exampleSamples.config,
      x: Float64Array.from(r.exampleSamples.x as unknown as number[]),
      reference: Float64Array.from(r.exampleSamples.reference as unknown as number[]),
    },
  }));
  return { ...(shard as ShardFile), results };
}

/** Checks that shard files belong to one run and cover every shard once. */
export function checkShardSet(shards: readonly ShardFile[]): void {
  const first = shards[0];
  if (!first) throw new ParameterError('shard files', 'at least one file', 0);
  const options = JSON.stringify(first.options);
  const seen = new Set<number>();
  for (const s of shards) {
    if (JSON.stringify(s.options) !== options)
      throw new ParameterError('shard files', 'shards of one run (the same options)', s.options);
    if (s.shard.count !== first.shard.count)
      throw new ParameterError(
        'shard files',
        `shards of one split (${first.shard.count})`,
        s.shard.count,
      );
    if (seen.has(s.shard.index))
      throw new ParameterError(
        'shard files',
        'each shard once',
        `${s.shard.index + 1}/${s.shard.count}`,
      );
    seen.add(s.shard.index);
  }
  if (seen.size !== first.shard.count) {
    const missing = Array.from({ length: first.shard.count }, (_, i) => i)
      .filter((i) => !seen.has(i))
      .map((i) => `${i + 1}/${first.shard.count}`);
    throw new ParameterError(
      'shard files',
      'every shard of the split',
      `missing ${missing.join(', ')}`,
    );
  }
}

/**
 * Runs `count` shard processes of the command line `args` and returns their shard files.
 * A failing shard stops the others; SIGINT or SIGTERM to this process is passed on to every
 * shard, and once they have ended the temporary directory is removed and this process exits
 * with the conventional code (130 for SIGINT, 143 for SIGTERM). Nothing is left running and
 * no temporary directory remains, whatever happens.
 */
export async function runShardProcesses(
  cli: string,
  args: readonly string[],
  count: number,
  onProgress: (done: number, label: string) => void,
): Promise<ShardFile[]> {
  const dir = mkdtempSync(join(tmpdir(), 'edmkit-shards-'));
  const children: ChildProcess[] = [];
  const closed: Promise<void>[] = [];
  const stopAll = (signal: NodeJS.Signals) => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopAll(signal);
    void Promise.allSettled(closed).then(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const runs = Array.from(
      { length: count },
      (_, index) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [cli, ...args, '--shard', `${index + 1}/${count}`, '--out', dir, '--progress-json'],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          children.push(child);
          closed.push(new Promise((done) => child.on('close', () => done())));
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          createInterface({ input: child.stdout }).on('line', (line) => {
            try {
              const event = JSON.parse(line) as { done?: number; label?: string };
              if (typeof event.done === 'number') onProgress(event.done, event.label ?? '');
            } catch {
              // not a progress line
            }
          });
          child.on('error', reject);
          child.on('close', (code, signal) =>
            code === 0
              ? resolve()
              : reject(
                  new Error(
                    `shard ${index + 1}/${count} failed (${signal ?? `exit ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`,
                  ),
                ),
          );
        }),
    );
    try {
      await Promise.all(runs);
    } catch (error) {
      // One shard failed: stop the others before reporting it.
      stopAll('SIGTERM');
      await Promise.allSettled(closed);
      throw error;
    }
    return Array.from({ length: count }, (_, index) =>
      readShard(join(dir, shardFileName({ index, count }))),
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}
