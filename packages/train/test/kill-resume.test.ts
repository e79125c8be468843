import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveNetwork } from '@edmkit/unet';
import { listCheckpoints, readCheckpoint, resolveCheckpoint } from '@edmkit/train';
import { tempDir, tinyNetwork, useCpu } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const child = path.join(here, 'fixtures', 'train-child.mjs');
const pruneKillChild = path.join(here, 'fixtures', 'prune-kill-child.mjs');

let dir: string;

beforeAll(async () => {
  // The child process runs on dist/: build this package and its dependencies (incremental).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'packages/train'], {
    cwd: repoRoot,
    stdio: 'pipe',
    timeout: 240_000,
  });
  await useCpu();
  dir = await tempDir();
  const network = tinyNetwork(8);
  await saveNetwork(network, path.join(dir, 'init'));
  network.dispose();
}, 300_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

interface Run {
  readonly lines: string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Runs the child; with `killAtStep`, SIGKILLs it as soon as it reports that step. */
function run(
  runDir: string,
  mode: 'fresh' | 'resume',
  delayMs: number,
  killAtStep?: number,
  script = child,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [script, runDir, path.join(dir, 'init'), mode, String(delayMs)],
      {
        cwd: here,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: string[] = [];
    let stderr = '';
    let pending = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (killAtStep !== undefined && line === `step ${killAtStep}`) p.kill('SIGKILL');
      }
    });
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (chunk: string) => (stderr += chunk));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (killAtStep === undefined && script === child && code !== 0)
        reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ lines, code, signal });
    });
  });
}

/** Digests of the binary files of a checkpoint (weights, EMA, Adam moments, loss history). */
async function binaries(checkpoint: string): Promise<Record<string, unknown>> {
  const manifest = JSON.parse(
    await fs.readFile(path.join(checkpoint, 'manifest.json'), 'utf8'),
  ) as {
    files: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(manifest.files).filter(([name]) => name.endsWith('.bin')),
  );
}

describe('a run killed with SIGKILL and resumed', () => {
  it('reaches bit for bit the weights, EMA and optimizer state of the uninterrupted run', async () => {
    const straight = path.join(dir, 'straight');
    const killed = path.join(dir, 'killed');
    const [full, dead] = await Promise.all([
      run(straight, 'fresh', 0),
      run(killed, 'fresh', 25, 14),
    ]);
    expect(full.lines[full.lines.length - 1]).toBe('done 40 640');

    // The killed run died mid-way: no 'done', a last complete checkpoint somewhere before the end.
    expect(dead.signal).toBe('SIGKILL');
    expect(dead.lines.some((l) => l.startsWith('done'))).toBe(false);
    const last = await readCheckpoint(await resolveCheckpoint(killed));
    expect(last.state.imagesSeen).toBeGreaterThanOrEqual(192);
    expect(last.state.imagesSeen).toBeLessThan(640);

    const resumed = await run(killed, 'resume', 0);
    expect(resumed.lines[0]).toBe(`step ${last.state.step + 1}`);
    expect(resumed.lines[resumed.lines.length - 1]).toBe('done 40 640');

    const a = await readCheckpoint(await resolveCheckpoint(straight));
    const b = await readCheckpoint(await resolveCheckpoint(killed));
    expect(b.state).toEqual(a.state);
    expect(b.lossHistory).toEqual(a.lossHistory);
    const digestsA = await binaries(a.dir);
    expect(Object.keys(digestsA).sort()).toEqual([
      'adam.bin',
      'ema/weights.bin',
      'loss-history.bin',
      'network/weights.bin',
    ]);
    expect(await binaries(b.dir)).toEqual(digestsA);
    // Nothing half-written is left behind.
    expect((await fs.readdir(killed)).filter((n) => n.startsWith('.tmp'))).toEqual([]);
  }, 120_000);
});

describe('a run killed in the middle of pruning an old checkpoint', () => {
  it('lists only complete checkpoints, and resumes from the newest of them', async () => {
    const runDir = path.join(dir, 'pruning');
    // Checkpoints every 64 images, one kept: writing ckpt-128 prunes ckpt-64, and the
    // process dies with one of its files deleted.
    const dead = await run(runDir, 'fresh', 0, undefined, pruneKillChild);
    expect(dead.signal).toBe('SIGKILL');
    expect(dead.lines.filter((l) => l.startsWith('killed while deleting'))).toHaveLength(1);
    expect(dead.lines).toContain('step 8');
    expect(dead.lines).not.toContain('step 9');

    const listed = await listCheckpoints(runDir);
    expect(listed.map((c) => path.basename(c))).toEqual(['ckpt-000000000128']);
    for (const c of listed) await expect(readCheckpoint(c)).resolves.toBeDefined();
    expect(await resolveCheckpoint(runDir)).toBe(listed[0]);

    const resumed = await run(runDir, 'resume', 0);
    expect(resumed.lines[0]).toBe('step 9');
    expect(resumed.lines[resumed.lines.length - 1]).toBe('done 40 640');
    // What the killed deletion left is gone, and every checkpoint is complete.
    expect((await fs.readdir(runDir)).filter((n) => !n.startsWith('ckpt-'))).toEqual([]);
    const after = await listCheckpoints(runDir);
    expect(after.map((c) => path.basename(c))).toEqual(['ckpt-000000000640']);
  }, 120_000);
});
