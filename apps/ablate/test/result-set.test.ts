import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, realpathSync, rmSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeResultSet } from '../src/output/index.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'edmkit-sets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = [
  'ablate',
  'sampler',
  '--families',
  'vp',
  '--data',
  'gmm',
  '--nfe',
  '9,17',
  '--no-edm',
  '--no-progress',
];
const setFiles = ['sampler-ablation.md', 'sampler-ablation.json', 'sampler-ablation-gmm.png'];

/** The set directory every top-level result file resolves to, and its seed. */
function currentSet(out: string): { dir: string; seed: number } {
  const dirs = new Set(setFiles.map((f) => dirname(realpathSync(join(out, f)))));
  expect(dirs.size).toBe(1);
  const dir = [...dirs][0]!;
  expect(readdirSync(dir).sort()).toEqual([...setFiles].sort());
  const json = JSON.parse(readFileSync(join(dir, 'sampler-ablation.json'), 'utf8')) as {
    options: { seed: number };
  };
  return { dir, seed: json.options.seed };
}

describe('results are written as a set', () => {
  it('a run killed at any moment leaves the old set or the new one, never a mix; the next run cleans up', async () => {
    const out = join(scratch, 'killed');
    expect(spawnSync(process.execPath, [cli, ...run, '--seed', '0', '--out', out]).status).toBe(0);
    const first = currentSet(out);
    expect(first.seed).toBe(0);
    // After each kill the current set is the previous one or the killed run's own, whole.
    let previous = first.seed;
    const outcomes: string[] = [];
    for (let k = 0; k < 8; k++) {
      const seed = k + 1;
      const child = spawn(process.execPath, [cli, ...run, '--seed', String(seed), '--out', out], {
        stdio: 'ignore',
      });
      const closed = new Promise((resolve) => child.on('close', resolve));
      await new Promise((r) => setTimeout(r, 300 + 350 * k));
      child.kill('SIGKILL');
      await closed;
      const now = currentSet(out).seed;
      expect([previous, seed]).toContain(now);
      outcomes.push(now === seed ? 'new' : 'old');
      previous = now;
    }
    // The kill times span the run: some land before the switch (old set kept).
    expect(outcomes).toContain('old');
    // A complete run afterwards: its set, and nothing hidden left behind but the set itself.
    expect(spawnSync(process.execPath, [cli, ...run, '--seed', '42', '--out', out]).status).toBe(0);
    expect(currentSet(out).seed).toBe(42);
    const hidden = readdirSync(out).filter((f) => f.startsWith('.'));
    expect(hidden).toEqual([currentSet(out).dir.split('/').at(-1)]);
  }, 120_000);

  it('a failing writer leaves the previous set current and removes the unfinished one', async () => {
    const out = join(scratch, 'failing');
    rmSync(out, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(out);
    await writeResultSet(out, 'demo', (dir) => writeFile(join(dir, 'demo.md'), 'old'));
    await expect(
      writeResultSet(out, 'demo', async (dir) => {
        await writeFile(join(dir, 'demo.md'), 'new');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(join(out, 'demo.md'), 'utf8')).toBe('old');
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toHaveLength(1);
  });
});
