import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'edmkit-signals-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The pids of a process's children (Linux `ps`). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const shardDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('edmkit-shards-'));

describe('a two-process sampler ablation interrupted', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} stops both shard processes, removes the temporary directory and exits ${code}`, async () => {
      const before = new Set(shardDirs());
      const out = join(scratch, signal);
      const parent = spawn(
        process.execPath,
        [
          cli,
          'ablate',
          'sampler',
          '--jobs',
          '2',
          '--families',
          'vp,ve',
          '--data',
          'gmm',
          '--no-progress',
          '--out',
          out,
        ],
        { stdio: 'ignore' },
      );
      const exited = new Promise<number | null>((resolve) => parent.on('close', (c) => resolve(c)));
      let shards: number[] = [];
      for (let t = 0; t < 200 && shards.length < 2; t++) {
        await new Promise((r) => setTimeout(r, 100));
        shards = childrenOf(parent.pid!);
      }
      expect(shards).toHaveLength(2);
      parent.kill(signal);
      expect(await exited).toBe(code);
      for (let t = 0; t < 50 && shards.some(alive); t++)
        await new Promise((r) => setTimeout(r, 100));
      expect(shards.filter(alive)).toEqual([]);
      expect(shardDirs().filter((d) => !before.has(d))).toEqual([]);
      expect(existsSync(join(out, 'sampler-ablation.json'))).toBe(false);
    }, 60_000);
  }
});

describe('a failing shard', () => {
  it('stops the other shards and reports the failure in one line', async () => {
    const { runShardProcesses } = await import('../src/shards.js');
    const { writeFileSync } = await import('node:fs');
    const fake = join(scratch, 'fake-cli.mjs');
    const pidFile = join(scratch, 'slow-shard.pid');
    writeFileSync(
      fake,
      `import { existsSync, writeFileSync } from 'node:fs';
const shard = process.argv[process.argv.indexOf('--shard') + 1];
if (shard === '1/2') {
  const wait = () => existsSync(${JSON.stringify(pidFile)}) ? (process.stderr.write('edmkit: out of memory\\n'), process.exit(1)) : setTimeout(wait, 20);
  wait();
} else {
writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
setTimeout(() => {}, 60_000);
}
`,
    );
    const started = performance.now();
    await expect(runShardProcesses(fake, [], 2, () => {})).rejects.toThrow(
      /shard 1\/2 failed \(exit 1\): edmkit: out of memory/,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    const { readFileSync } = await import('node:fs');
    const slow = Number(readFileSync(pidFile, 'utf8'));
    expect(slow).toBeGreaterThan(0);
    expect(alive(slow)).toBe(false);
  }, 30_000);
});
