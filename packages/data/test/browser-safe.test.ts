import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('main entry', () => {
  it('imports no Node built-ins (only the /mnist subpath reads files)', () => {
    const dir = new URL('../src/', import.meta.url);
    for (const file of readdirSync(dir)) {
      if (file === 'mnist.ts') continue;
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/from ['"](node:|fs|path|module)['"/]/);
      expect(text, file).not.toMatch(/from ['"]\.\/mnist\.js['"]/);
    }
  });
});
