'use strict';

/**
 * pnpm hook for this workspace. A package of the workspace may declare heavy optional peer
 * dependencies for its users: @edmkit/unet names @tensorflow/tfjs-node and
 * @tensorflow/tfjs-node-gpu, whose installers download libtensorflow. With auto-install-peers
 * (pnpm's default), pnpm installs a workspace package's own peer dependencies, optional ones
 * included. Here an optional peer that the package does not also list as a dependency or dev
 * dependency is left out of the install, so the repository installs and tests without them.
 * `pnpm pack` and `pnpm publish` read package.json as it is: published packages keep their peers.
 *
 * @param {{ name?: string, dependencies?: Record<string, string>, devDependencies?: Record<string, string>, peerDependencies?: Record<string, string>, peerDependenciesMeta?: Record<string, { optional?: boolean }> }} pkg
 */
function readPackage(pkg) {
  if (typeof pkg.name !== 'string' || !pkg.name.startsWith('@edmkit/')) return pkg;
  const peers = pkg.peerDependencies;
  const meta = pkg.peerDependenciesMeta ?? {};
  if (peers == null) return pkg;
  for (const name of Object.keys(peers)) {
    const installed = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
    if (meta[name]?.optional === true && installed === undefined) delete peers[name];
  }
  return pkg;
}

module.exports = { hooks: { readPackage } };
