// The only script the HTML names. It picks the app build: the small one where
// WebAssembly can run, the pure-JavaScript libsodium build where it cannot (Tor
// Browser at its "Safer" level deletes WebAssembly; a CSP without
// 'wasm-unsafe-eval' forbids compiling it). A classic script, so it runs everywhere.
import { checkWasm } from './wasm-check.ts';

const hasWasm = checkWasm();
const app = document.createElement('script');
app.type = 'module';
app.src = hasWasm ? __SEALBOX_APP__ : __SEALBOX_APP_FALLBACK__;
document.head.append(app);
