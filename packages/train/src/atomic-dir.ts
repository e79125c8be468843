import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** Size and SHA-256 of one file of a checkpoint, keyed by its path relative to the checkpoint. */
export interface FileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

/** Writes `data` to `file` and flushes it to the disk before returning. */
export async function writeFileSynced(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a file or directory entry list to the disk (directories: best effort where the OS refuses). */
export async function syncPath(p: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(p, fsConstants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/** Every regular file under `dir`, as paths relative to it with '/' separators, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  await walk('');
  return out.sort();
}

/** Size and SHA-256 of a file. */
export async function digestFile(file: string): Promise<FileDigest> {
  const data = await fs.readFile(file);
  return { bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
}

/** fsyncs every file and directory under `dir`, deepest first, then `dir` itself. */
export async function syncTree(dir: string): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await syncTree(p);
    else if (e.isFile()) await syncPath(p);
  }
  await syncPath(dir);
}

/** Whether `p` exists (other errors than ENOENT are thrown). */
export async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
