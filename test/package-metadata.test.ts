import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const published = [
  ...readdirSync(join(root, 'packages')).map((name) => join('packages', name)),
  join('apps', 'ablate'),
].map((dir) => dir.replaceAll('\\', '/'));

interface Manifest {
  name: string;
  private?: boolean;
  files: string[];
  bin?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;

/** The package a specifier names: `@scope/name` or `name`, without a subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The fenced blocks of a markdown text whose info string is `lang`. */
function blocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm'))].map(
    (m) => m[1]!,
  );
}

describe('package metadata', () => {
  it.each(published)('%s: repository, homepage, bugs; publishable', (dir) => {
    const pkg = manifest(dir);
    expect(pkg.private).toBeUndefined();
    expect(pkg.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/edmkit/edmkit.git',
      directory: dir,
    });
    expect(pkg.homepage).toBe('https://github.com/edmkit/edmkit#readme');
    // The bug tracker of the same repository, one for all packages.
    expect(pkg.bugs).toEqual(manifest('packages/core').bugs);
    expect(pkg.bugs?.url).toMatch(/^https:\/\/github\.com\/edmkit\/edmkit\/[a-z]+$/);
    for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
      if (name.startsWith('@edmkit/')) expect(range, name).toBe('workspace:^');
    }
    for (const target of Object.values(pkg.bin ?? {})) {
      expect(pkg.files).toContain(target.replace(/^\.\//, '').split('/')[0]);
    }
  });

  it.each(published)('%s: every optional peer has a version range, and the reverse', (dir) => {
    const pkg = manifest(dir);
    const meta = Object.keys(pkg.peerDependenciesMeta ?? {}).sort();
    expect(Object.keys(pkg.peerDependencies ?? {}).sort()).toEqual(expect.arrayContaining(meta));
    for (const name of meta) expect(pkg.peerDependencies?.[name], name).toMatch(/^\^?\d/);
  });

  it('the edmkit command is published with its bin', () => {
    const pkg = manifest('apps/ablate');
    expect(pkg.bin).toEqual({ edmkit: './dist/cli.js' });
    expect(readFileSync(join(root, 'apps/ablate/src/cli.ts'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });
});

describe('READMEs', () => {
  it.each(published)('%s: the install lines name every package the examples import', (dir) => {
    const readme = readFileSync(join(root, dir, 'README.md'), 'utf8');
    const installed = new Set(
      blocks(readme, 'sh')
        .flatMap((block) => block.split('\n'))
        .filter((line) => /^(pnpm add|npm i|npm install) /.test(line))
        .flatMap((line) => line.split(/\s+/))
        .map((word) => word.replace(/(.)@[^@/]*$/, '$1')),
    );
    const imported = new Set(
      blocks(readme, 'ts').flatMap((block) =>
        [...block.matchAll(/\bfrom '([^'.][^']*)'/g)].map((m) => packageOf(m[1]!)),
      ),
    );
    const missing = [...imported].filter((name) => !installed.has(name));
    expect(missing).toEqual([]);
  });
});
