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
