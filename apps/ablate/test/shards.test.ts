import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../src/datasets.js';
import { writeJsonAtomic } from '../src/output/index.js';
import {
  ablationConfigs,
  assignShards,
  mergeShards,
  runSamplerAblation,
} from '../src/sampler-ablation.js';
import { resolveSampler } from '@edmkit/presets';
import {
  checkShardSet,
  parseShard,
  readShard,
  SHARD_FORMAT,
  shardFileName,
  type ShardFile,
} from '../src/shards.js';

const sizes = {
  gmmSamples: 32,
  gmmDim: 4,
  gmmComponents: 2,
  mnistSamples: 4,
  mnistImages: 20,
  mnistSize: 14,
} as const;
const options = {
  families: ['vp', 'iddpm'] as const,
  includeEdm: true,
  nfe: [9, 17],
  seed: 1,
  referenceRtol: 1e-8,
};
const dir = mkdtempSync(join(tmpdir(), 'edmkit-shards-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sharding the sampler ablation', () => {
  it('parses k/n and refuses anything else', () => {
    expect(parseShard('2/3')).toEqual({ index: 1, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '3'])
      expect(() => parseShard(bad)).toThrow(/--shard must be k\/n/);
    expect(shardFileName({ index: 1, count: 3 })).toBe('sampler-ablation.shard-2-of-3.json');
  });

  it('merges shards, through their files, into exactly the unsharded result', async () => {
    const whole = await runSamplerAblation(prepareDataset('gmm', sizes, 1), {
      ...options,
      families: [...options.families],
    });
    const files: ShardFile[] = [];
    for (let index = 0; index < 3; index++) {
      const results = [
        await runSamplerAblation(prepareDataset('gmm', sizes, 1), {
          ...options,
          families: [...options.families],
          shard: { index, count: 3 },
        }),
      ];
      const path = join(dir, shardFileName({ index, count: 3 }));
      await writeJsonAtomic(path, {
        format: SHARD_FORMAT,
        version: 1,
        shard: { index, count: 3 },
        options: { seed: 1 },
        results,
      });
      files.push(readShard(path));
    }
    checkShardSet(files);
    const order = ablationConfigs({ families: [...options.families], includeEdm: true }).map(
      (c) => c.config.label,
    );
    const [merged] = mergeShards(
      files.map((f) => f.results),
      order,
    );
    expect(merged!.configs.map((c) => c.config.label)).toEqual(
      whole.configs.map((c) => c.config.label),
    );
    expect(merged!.cells).toEqual(
      whole.cells.map((c) => ({ ...c, seconds: expect.any(Number) as number })),
    );
    expect(merged!.exampleSamples!.config).toBe('EDM');
    expect(Array.from(merged!.exampleSamples!.x)).toEqual(Array.from(whole.exampleSamples!.x));
  });

  it('refuses an incomplete or mixed set of shards', () => {
    const shard = (index: number, count: number, seed = 1): ShardFile => ({
      format: SHARD_FORMAT,
      version: 1,
      shard: { index, count },
      options: { seed },
      results: [],
    });
    expect(() => checkShardSet([shard(0, 2)])).toThrow(/missing 2\/2/);
    expect(() => checkShardSet([shard(0, 2), shard(0, 2)])).toThrow(/each shard once/);
    expect(() => checkShardSet([shard(0, 2), shard(1, 2, 7)])).toThrow(/same options/);
    expect(() => readShard(join(dir, 'nope.json'))).toThrow(/shard file/);
  });
});

describe('assignShards', () => {
  const all = ablationConfigs({ families: ['vp', 've', 'iddpm'], includeEdm: true });
  const nfe = [9, 17, 35, 71, 143, 287, 511];

  it('keeps configurations that share a reference solve together and balances the rest', () => {
    for (const count of [2, 3]) {
      const owner = assignShards(all, nfe, count);
      expect(owner).toHaveLength(all.length);
      expect(new Set(owner).size).toBe(
        Math.min(
          count,
          new Set(all.map(({ config }) => resolveSampler(config).range.sigmaMax)).size,
        ),
      );
      const byStart = new Map<number, Set<number>>();
      all.forEach(({ config }, i) => {
        const key = resolveSampler(config).range.sigmaMax;
        byStart.set(key, (byStart.get(key) ?? new Set()).add(owner[i]!));
      });
      for (const shards of byStart.values()) expect(shards.size).toBe(1);
      expect(assignShards(all, nfe, count)).toEqual(owner); // deterministic
    }
  });
});
