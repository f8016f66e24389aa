// The one module that owns `await sodium.ready`. Every other file asks for
// `await getSodium()` so that the WebAssembly (or pure-JS) instance is ready
// exactly once, wherever the library runs.
import _sodium from 'libsodium-wrappers';
import { SealboxError } from './errors.ts';

export type Sodium = typeof _sodium;

let ready: Promise<Sodium> | undefined;

export function getSodium(): Promise<Sodium> {
  ready ??= _sodium.ready.then(() => _sodium);
  return ready;
}

// Argon2id (crypto_pwhash) exists only in the sumo build. Only key files need
// it, and only the reviewer tool opens key files, so the browser never loads
// it: the dynamic import keeps it out of the page's bundle. Its pure-JS
// fallback returns wrong results at >= 128 MiB, so without WebAssembly we
// refuse rather than derive a wrong key.
let sumoReady: Promise<Sodium> | undefined;

export function getSodiumSumo(): Promise<Sodium> {
  if (typeof WebAssembly === 'undefined') {
    return Promise.reject(
      new SealboxError('KEYFILE_UNSUPPORTED', 'key files need WebAssembly (Argon2id)'),
    );
  }
  sumoReady ??= import('libsodium-wrappers-sumo').then(async (mod) => {
    const sumo = mod.default as unknown as Sodium;
    await sumo.ready;
    return sumo;
  });
  return sumoReady;
}
