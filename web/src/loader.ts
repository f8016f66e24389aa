// The only script the HTML names. It picks the app build: the small one where
// WebAssembly exists, the pure-JavaScript libsodium build where it does not
// (Tor Browser at its "Safer" level). A classic script, so it runs everywhere.
const hasWasm = typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
if (!hasWasm) {
  // libsodium's CommonJS build tries WebAssembly first and leaves that rejection
  // unhandled before falling back to plain JavaScript; it is expected, not an error.
  addEventListener('unhandledrejection', (event) => {
    if (/WebAssembly/.test(String(event.reason))) event.preventDefault();
  });
}
const app = document.createElement('script');
app.type = 'module';
app.src = hasWasm ? __SEALBOX_APP__ : __SEALBOX_APP_FALLBACK__;
document.head.append(app);
