import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const licence = readFileSync(join(root, 'LICENSE'), 'utf8');
const published = [
  ...readdirSync(join(root, 'packages')).map((name) => join('packages', name)),
  join('apps', 'ablate'),
];

describe('every published package carries the licence', () => {
  it.each(published)('%s: LICENSE equal to the root one, listed in files, MIT', (dir) => {
    expect(readFileSync(join(root, dir, 'LICENSE'), 'utf8')).toBe(licence);
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      files: string[];
      license: string;
    };
    expect(pkg.files).toContain('LICENSE');
    expect(pkg.license).toBe('MIT');
  });
});
