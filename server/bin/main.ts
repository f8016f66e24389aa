// `npm start`: the server process. Configuration, start-up, the process-wide
// timers (housekeeping, the PGlite WAL purge, young-generation collections for
// upload memory), listen, graceful shutdown. Everything the service does is
// built in app.ts.
import closeWithGrace from 'close-with-grace';
import { buildApp } from '../app.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { WAL_PURGE_INTERVAL_MS, purgeWal } from '../db/wal.ts';
import { MAINTENANCE_INTERVAL_MS, checkEpochKeys, runMaintenance } from '../maintenance.ts';
import { followParent, startedByNpm } from '../parent-watch.ts';
import { startup } from '../startup.ts';
import { collectYoungGeneration } from '../upload-buffers.ts';
import { startWatchdog } from '../watchdog.ts';

async function main(): Promise<void> {
  const started = await startup(loadConfig());
  const { config, db } = started;
  const watchdog = await startWatchdog(config.limits.watchdogSeconds);
  // Keeps the memory of arriving upload parts from piling up between V8's own
  // collections, for the whole life of the process (upload-buffers.ts).
  collectYoungGeneration(100);
  const app = await buildApp({ config, secrets: started.secrets, db });
  app.addHook('onClose', async () => {
    await app.sealbox.commitWindow.settle();
    await db.destroy();
  });
  const housekeeping = async () => {
    try {
      await runMaintenance(db, config);
    } catch (err) {
      app.log.error({ err }, 'maintenance failed');
    }
    try {
      await checkEpochKeys(db, app.log);
    } catch (err) {
      app.log.error({ err }, 'epoch key check failed');
    }
  };
  await housekeeping();
  const timer = setInterval(() => void housekeeping(), MAINTENANCE_INTERVAL_MS);
  timer.unref();
  // PGlite: commit records (with their times) leave the WAL within a minute
  // of the window that wrote them (db/wal.ts).
  const walPurge = setInterval(() => {
    if (config.databaseUrl || app.sealbox.commitWindow.takeCommitted() === 0) return;
    purgeWal(db).catch((err: unknown) => app.log.error({ err }, 'WAL purge failed'));
  }, WAL_PURGE_INTERVAL_MS);
  walPurge.unref();
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    clearInterval(timer);
    clearInterval(walPurge);
    await watchdog?.stop();
    if (err) app.log.error({ err }, 'shutting down after an error');
    await app.close();
  });
  if (startedByNpm()) followParent(() => process.kill(process.pid, 'SIGTERM'));
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  for (const note of started.notes) console.log(`sealbox: ${note}`);
  console.log(
    `sealbox: database: ${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`}`,
  );
  console.log(`sealbox: listening on http://${host}:${port}`);
  console.log(
    `sealbox: organisation fingerprint: ${started.organisationFingerprint ?? 'none (no keyset yet)'}`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`sealbox: ${error.message}`);
    process.exit(2);
  }
  console.error('sealbox: could not start:', error);
  process.exit(1);
});
