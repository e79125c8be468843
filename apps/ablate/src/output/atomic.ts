import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` atomically: readers see either the old file or the
 * complete new one, never a half-written target.
 *
 * Creates the parent directories, writes to a temporary file in the same
 * directory (`.<name>.<pid>.<random>.tmp`, so the final rename stays on one
 * file system), fsyncs it, then renames it over `path`. On any failure the
 * temporary file is removed and the error rethrown; `path` is left untouched.
 * The new file gets the default mode (0o666 less the umask), not the mode of
 * the file it replaces.
 *
 * @param path - the target file
 * @param data - text (written as UTF-8) or bytes
 * @example
 * await writeFileAtomic('runs/fid.csv', 'nfe,fid\n35,1.79\n');
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    // 'wx': fail rather than clobber should the random name ever exist already.
    handle = await open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * Writes `value` as strict, pretty-printed JSON (two-space indent, trailing
 * newline) with {@link writeFileAtomic}.
 *
 * Non-finite numbers, which `JSON.stringify` would silently turn into `null`,
 * are written as the strings `"NaN"`, `"Infinity"` and `"-Infinity"` instead:
 * a diverged run keeps its other results, the file stays strict JSON, and
 * `Number(field)` reads the value back. Typed arrays are written as arrays.
 *
 * @param path - the target file
 * @param value - anything `JSON.stringify` accepts (a BigInt throws, as there)
 * @example
 * await writeJsonAtomic('runs/result.json', { nfe: 35, fid: NaN }); // {"nfe": 35, "fid": "NaN"}
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, strictJson(value));
}

/**
 * The strict, pretty-printed JSON text {@link writeJsonAtomic} writes: two-space
 * indent, trailing newline, non-finite numbers as `"NaN"`, `"Infinity"`,
 * `"-Infinity"`, typed arrays as arrays.
 *
 * @example
 * strictJson({ fid: Infinity }); // '{\n  "fid": "Infinity"\n}\n'
 */
export function strictJson(value: unknown): string {
  const text = JSON.stringify(value, strictReplacer, 2) as string | undefined;
  // JSON.stringify(undefined) and friends return undefined: not a JSON document.
  if (text === undefined) throw new TypeError(`cannot write ${typeof value} as JSON`);
  return `${text}\n`;
}

function strictReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  return value;
}

/** Makes the rename itself durable; best effort (Windows cannot open a directory). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Durability of the directory entry is a bonus; atomicity does not depend on it.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
