// Whether libsodium can run on WebAssembly here (Tor Browser at its "Safer" level
// deletes WebAssembly; a CSP without 'wasm-unsafe-eval' forbids compiling it),
// for the loader of the served page and for the saved page.
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function wasmUsable(): boolean {
  try {
    return new WebAssembly.Module(EMPTY_MODULE) instanceof WebAssembly.Module;
  } catch {
    return false;
  }
}

/**
 * Notes on <html data-sodium> which libsodium build runs ('wasm' or 'js') and,
 * without WebAssembly, silences the rejection that libsodium's CommonJS build
 * leaves unhandled when it tries WebAssembly before falling back to plain
 * JavaScript: it is expected, not an error.
 */
export function checkWasm(): boolean {
  const hasWasm = typeof WebAssembly === 'object' && wasmUsable();
  if (!hasWasm) {
    addEventListener('unhandledrejection', (event) => {
      if (/WebAssembly|wasm/i.test(String(event.reason))) event.preventDefault();
    });
  }
  document.documentElement.dataset.sodium = hasWasm ? 'wasm' : 'js';
  return hasWasm;
}
