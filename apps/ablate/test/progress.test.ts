import { describe, expect, it } from 'vitest';
import { formatDuration } from '../src/progress.js';

describe('formatDuration', () => {
  it('rounds to whole seconds before splitting, so no "28m60s"', () => {
    expect(formatDuration(1739.6)).toBe('29m00s');
    expect(formatDuration(59.5)).toBe('1m00s');
    expect(formatDuration(42.2)).toBe('42s');
    expect(formatDuration(3723)).toBe('1h02m03s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(Number.NaN)).toBe('?');
    expect(formatDuration(-1)).toBe('?');
  });
});

describe('networkProse', () => {
  it('describes the training ablation network in words, not JSON', async () => {
    const { networkProse } = await import('../src/training-report.js');
    expect(networkProse({ architecture: 'mlp', hidden: 256, layers: 3 })).toBe(
      'an MLP with 3 hidden layers of 256 units',
    );
    expect(networkProse({ architecture: 'mlp', hidden: 64, layers: 1 })).toBe(
      'an MLP with 1 hidden layer of 64 units',
    );
    expect(
      networkProse({ architecture: 'ddpmppSmall / ncsnppSmall (by baseline)', maxBatch: 16 }),
    ).toBe(
      "the small U-Net of each baseline's architecture, `ddpmppSmall` or `ncsnppSmall`, batches of at most 16",
    );
  });
});
