// First module of the saved page (saved.ts): runs before the app's modules. One
// file cannot pick between two app builds as the served page's loader does, so
// the saved page carries libsodium's CommonJS build, which uses WebAssembly
// where it can and falls back to plain JavaScript where it cannot.
import { checkWasm } from './wasm-check.ts';

checkWasm();
