// The one module that owns `await sodium.ready`. Every other file asks for
// `await getSodium()` so that the WebAssembly (or pure-JS) instance is ready
// exactly once, wherever the library runs.
import _sodium from 'libsodium-wrappers';

export type Sodium = typeof _sodium;

let ready: Promise<Sodium> | undefined;

export function getSodium(): Promise<Sodium> {
  ready ??= _sodium.ready.then(() => _sodium);
  return ready;
}
