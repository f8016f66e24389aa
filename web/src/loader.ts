// The only script the HTML names. It picks the app build: the small one where
// WebAssembly can run, the pure-JavaScript libsodium build where it cannot (Tor
// Browser at its "Safer" level deletes WebAssembly; a CSP without
// 'wasm-unsafe-eval' forbids compiling it). A classic script, so it runs everywhere.
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function wasmUsable(): boolean {
  try {
    return new WebAssembly.Module(EMPTY_MODULE) instanceof WebAssembly.Module;
  } catch {
    return false;
  }
}

const hasWasm = typeof WebAssembly === 'object' && wasmUsable();
if (!hasWasm) {
  // libsodium's CommonJS build tries WebAssembly first and leaves that rejection
  // unhandled before falling back to plain JavaScript; it is expected, not an error.
  addEventListener('unhandledrejection', (event) => {
    if (/WebAssembly|wasm/i.test(String(event.reason))) event.preventDefault();
  });
}
document.documentElement.dataset.sodium = hasWasm ? 'wasm' : 'js';
const app = document.createElement('script');
app.type = 'module';
app.src = hasWasm ? __SEALBOX_APP__ : __SEALBOX_APP_FALLBACK__;
document.head.append(app);
