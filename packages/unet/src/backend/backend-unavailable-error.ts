import { EdmkitError } from '@edmkit/core';
import type { BackendName } from './backend-names.js';

/**
 * The backend the user forced (`selectBackend({ prefer })` or `EDMKIT_BACKEND`)
 * cannot be used here. edmkit never falls back silently to another one: the
 * message names the backend, why it failed and which backends are available.
 */
export class BackendUnavailableError extends EdmkitError {
  override readonly name: string = 'BackendUnavailableError';
  /** The backend that was asked for. */
  readonly backend: BackendName;
  /** Why it could not be used. */
  readonly reason: string;
  /** Where the request came from: the `prefer` option, the `EDMKIT_BACKEND` variable, or auto mode (no backend at all). */
  readonly source: 'option' | 'env' | 'auto';
  /** Backends whose package loads here (checked without initialising them); `cpu` always. */
  readonly available: readonly BackendName[];

  constructor(
    backend: BackendName,
    reason: string,
    source: 'option' | 'env' | 'auto',
    available: readonly BackendName[],
  ) {
    const by =
      source === 'env'
        ? 'forced by EDMKIT_BACKEND'
        : source === 'option'
          ? 'forced by the prefer option'
          : 'the last resort';
    super(
      `backend "${backend}" (${by}) is unavailable: ${reason}; available: ${available.length > 0 ? available.join(', ') : 'none'}`,
    );
    this.backend = backend;
    this.reason = reason;
    this.source = source;
    this.available = available;
  }
}
