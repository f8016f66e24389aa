// `npm start` runs the service as npm → sh → node. A SIGTERM to npm reaches
// the shell but not the service, which was left running as an orphan that
// still answered. When npm started it, the service follows npm: once its
// parent is gone, it stops as if it had been sent SIGTERM. (A service started
// directly — Docker, systemd, `nohup node …` — is not affected.)

/** Whether `npm start` (or `npm run start`) started this process. */
export function startedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.npm_lifecycle_event === 'start';
}

/** Calls `onOrphaned` once, when this process's parent has gone. */
export function followParent(onOrphaned: () => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
