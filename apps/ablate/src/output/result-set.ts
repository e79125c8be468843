import { randomBytes } from 'node:crypto';
import {
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  unlink,
} from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A set of result files (one ablation's markdown, JSON and plots) that replaces the previous
 * set in one step: the files are written into a fresh hidden directory `<out>/.<name>.<id>`,
 * then the symbolic link `<out>/<name>` is switched to it by a single rename, and each file is
 * reachable as `<out>/<file>` through a link into `<name>/`. A reader — or a run killed at any
 * moment — sees the old set or the new one, never a mix; a later run removes the directories
 * of interrupted runs and of replaced sets. (On Windows, where links need privileges, the
 * files are written in place.)
 */
export interface ResultSet {
  /** Where the writers put this set's files. */
  readonly dir: string;
  /** Makes the set current; returns the paths of its files as `<out>/<file>`. */
  commit(): Promise<string[]>;
  /** Removes the unfinished set (after a failure). */
  abort(): Promise<void>;
}

const linkable = process.platform !== 'win32';

/** Starts a result set `name` (e.g. `sampler-ablation`) in the output directory `out`. */
export async function openResultSet(out: string, name: string): Promise<ResultSet> {
  if (!linkable) {
    return {
      dir: out,
      commit: async () => (await readdir(out)).map((f) => join(out, f)),
      abort: async () => {},
    };
  }
  await removeStale(out, name);
  const id = `${Date.now().toString(36)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const hidden = `.${name}.${id}`;
  const dir = join(out, hidden);
  await mkdir(dir);
  return {
    dir,
    async commit() {
      const files = (await readdir(dir)).filter((f) => !f.startsWith('.'));
      for (const f of files) await syncFile(join(dir, f));
      await syncFile(dir);
      // The switch: one rename of a fresh link over `<out>/<name>`.
      await replaceWithLink(out, name, hidden);
      // `<out>/<file>` → `<name>/<file>`, so that every file follows the switch.
      for (const f of files) {
        const target = join(name, f);
        const existing = await lstat(join(out, f)).catch(() => undefined);
        if (existing?.isSymbolicLink() && (await readlink(join(out, f))) === target) continue;
        await replaceWithLink(out, f, target);
      }
      await removeStale(out, name);
      return files.map((f) => join(out, f));
    },
    async abort() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Atomically makes `<out>/<entry>` a symbolic link to `target` (relative to `out`). */
async function replaceWithLink(out: string, entry: string, target: string): Promise<void> {
  const temp = join(out, `.${entry}.link-${process.pid}-${randomBytes(3).toString('hex')}`);
  await symlink(target, temp);
  try {
    const existing = await lstat(join(out, entry)).catch(() => undefined);
    // A real directory of that name (not ours) is never replaced.
    if (existing?.isDirectory())
      throw new Error(`${join(out, entry)} is a directory, not a result set`);
    await rename(temp, join(out, entry));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Removes what interrupted runs left in `out`: hidden set directories of `name` that the
 * current link does not use, temporary links, and the temporaries of atomic file writes.
 */
async function removeStale(out: string, name: string): Promise<void> {
  const current = await readlink(join(out, name)).catch(() => undefined);
  for (const entry of await readdir(out)) {
    const staleSet =
      entry.startsWith(`.${name}.`) && !entry.includes('.link-') && entry !== current;
    const tempLink = /^\..+\.link-\d+-[0-9a-f]{6}$/.test(entry);
    const tempFile = /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/.test(entry);
    if (staleSet || tempLink || tempFile)
      await rm(join(out, entry), { recursive: true, force: true });
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (handle === undefined) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

/**
 * Writes one result set with `write(dir)` and makes it current ({@link openResultSet}); on a
 * failure the unfinished set is removed and the previous one stays.
 *
 * @returns the paths of the set's files as `<out>/<file>`
 */
export async function writeResultSet(
  out: string,
  name: string,
  write: (dir: string) => Promise<unknown>,
): Promise<string[]> {
  const set = await openResultSet(out, name);
  try {
    await write(set.dir);
  } catch (error) {
    await set.abort();
    throw error;
  }
  return set.commit();
}
