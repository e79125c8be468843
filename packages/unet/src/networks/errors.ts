import { EdmkitError } from '@edmkit/core';
import type { ConfigDifference } from './config.js';

/** Why a saved network could not be read. */
export type NetworkFileProblem =
  | 'missing-directory'
  | 'missing-file'
  | 'invalid-json'
  | 'invalid-format'
  | 'size-mismatch'
  | 'checksum-mismatch'
  | 'weights-mismatch';

/**
 * A saved network (a `model.json` + `weights.bin` directory) is missing, unreadable,
 * truncated or inconsistent. `problem` says which; `path` is the file or directory.
 * @see https://arxiv.org/abs/2206.00364
 */
export class NetworkFileError extends EdmkitError {
  override readonly name: string = 'NetworkFileError';
  /** What is wrong. */
  readonly problem: NetworkFileProblem;
  /** The file or directory concerned. */
  readonly path: string;

  constructor(
    problem: NetworkFileProblem,
    path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${detail}`, options);
    this.problem = problem;
    this.path = path;
  }
}

/**
 * A saved network's config is not the one expected (`loadNetwork(dir, { expect })`).
 * `differences` lists every differing field with both values.
 * @see https://arxiv.org/abs/2206.00364
 */
export class ConfigMismatchError extends EdmkitError {
  override readonly name: string = 'ConfigMismatchError';
  /** The file whose config differs. */
  readonly path: string;
  /** The differing fields. */
  readonly differences: readonly ConfigDifference[];

  constructor(path: string, differences: readonly ConfigDifference[]) {
    const list = differences
      .map(
        (d) =>
          `${d.key}: expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual)}`,
      )
      .join('; ');
    super(`${path}: the saved network's config differs from the expected one (${list})`);
    this.path = path;
    this.differences = differences;
  }
}
