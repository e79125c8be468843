import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EdmkitError } from '@edmkit/core';

/** The output directory cannot hold results; the message names `--out` and the reason. */
export class OutDirError extends EdmkitError {
  override readonly name: string = 'OutDirError';
}

/** Pseudo file systems where a results directory makes no sense (and recursive mkdir can loop). */
const PSEUDO = ['/proc', '/sys', '/dev'];

/** The nearest existing ancestor of `path`, resolved through symlinks. */
function realAncestor(path: string): string {
  let p = path;
  for (;;) {
    try {
      return realpathSync(p);
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/**
 * Checks, before any computation, that `out` can receive results: not on a pseudo file
 * system, a directory (created when missing) in which a file can be created and removed.
 * Fails within a second with an {@link OutDirError} naming `--out`, the path and the reason.
 *
 * @returns the resolved directory
 */
export async function prepareOutDir(out: string): Promise<string> {
  const dir = resolve(out);
  const real = realAncestor(dir);
  if (PSEUDO.some((p) => real === p || real.startsWith(`${p}/`)))
    throw new OutDirError(
      `--out must be a directory for results, not on a pseudo file system (${dir})`,
    );
  const fail = (error: unknown): never => {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why: Record<string, string> = {
      EEXIST: 'a file of that name exists',
      ENOTDIR: 'a part of the path is a file',
      EROFS: 'the file system is read-only',
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      ENOSPC: 'no space left on the device',
      EDQUOT: 'the disk quota is exceeded',
    };
    throw new OutDirError(
      `--out must be a writable directory: ${dir}: ${why[code] ?? (error as Error).message}`,
    );
  };
  const existing = await stat(dir).catch((error: NodeJS.ErrnoException) =>
    error.code === 'ENOENT' ? undefined : fail(error),
  );
  if (existing !== undefined && !existing.isDirectory())
    throw new OutDirError(`--out must be a writable directory: ${dir} is a file`);
  if (existing === undefined) await mkdir(dir, { recursive: true }).catch(fail);
  const probe = join(dir, `.edmkit-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
  } catch (error) {
    fail(error);
  } finally {
    await rm(probe, { force: true });
  }
  return dir;
}
