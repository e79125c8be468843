/**
 * The tfjs backends edmkit can run on, fastest first:
 *
 * | name | package | tfjs backend | runs on |
 * |---|---|---|---|
 * | `tensorflow-gpu` | `@tensorflow/tfjs-node-gpu` (optional peer) | `tensorflow` | libtensorflow with CUDA |
 * | `tensorflow` | `@tensorflow/tfjs-node` (optional peer) | `tensorflow` | libtensorflow on the CPU (all cores) |
 * | `wasm` | `@tensorflow/tfjs-backend-wasm` (dependency) | `wasm` | WebAssembly + XNNPACK, SIMD; one thread in Node |
 * | `cpu` | `@tensorflow/tfjs` (dependency) | `cpu` | plain JavaScript, one thread |
 */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** All {@link BackendName}s, in the order `selectBackend` tries them. */
export const backendNames: readonly BackendName[] = Object.freeze([
  'tensorflow-gpu',
  'tensorflow',
  'wasm',
  'cpu',
] as const);

/** What kind of code a backend runs. */
export type BackendKind = 'native-gpu' | 'native-cpu' | 'webassembly' | 'javascript';
