// Builds the Sealbox application; bin/main.ts owns the process. Tests call
// buildApp() on a fresh database and talk to it with inject() or a socket.
// Layers: infrastructure (errors, headers, limits, OpenAPI, context) first,
// then the route groups.
import swagger from '@fastify/swagger';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import { appContext } from './context.ts';
import type { Db } from './db/database.ts';
import { loggerOptions } from './logger.ts';
import cors from './plugins/cors.ts';
import errors, { clientErrorHandler, frameworkErrors } from './plugins/errors.ts';
import limits from './plugins/limits.ts';
import security from './plugins/security.ts';
import storage from './plugins/storage.ts';
import type { WebFiles } from './plugins/web.ts';
import web, { loadWeb, pageExpectation } from './plugins/web.ts';
import challenge from './routes/challenge.ts';
import courier from './routes/courier.ts';
import epochs from './routes/epochs.ts';
import followups from './routes/followups.ts';
import health from './routes/health.ts';
import keyset from './routes/keyset.ts';
import status from './routes/status.ts';
import submissions from './routes/submissions.ts';
import uploads from './routes/uploads.ts';
import type { Secrets } from './secrets.ts';

export interface AppOptions {
  config: Config;
  secrets: Secrets;
  db: Db;
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: NodeJS.WritableStream;
  /** The built page; read from config.webDir (and checked against config) when not given. */
  web?: WebFiles;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    requestIdHeader: false,
    return503OnClosing: true,
    // Refusals from before routing and from the HTTP parser keep the API's error shape.
    frameworkErrors,
    clientErrorHandler,
  });
  // On shutdown, a request still in flight gets its answer and then
  // `Connection: close`, so its keep-alive connection does not hold the
  // process open until the grace period kills it.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON, and raw bytes for upload parts (routes/uploads.ts): nothing else.
  app.removeContentTypeParser('text/plain');

  const context = appContext(config, options.secrets, options.db);
  await app.register(errors);
  await app.register(security, { onionLocation: config.onionLocation });
  await app.register(cors);
  await app.register(limits, { ...config.limits, pow: context.pow, load: context.load });
  await app.register(storage, {
    dir: config.databaseUrl ? undefined : config.dataDir,
    minFreeBytes: config.limits.minFreeBytes,
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Sealbox intake API',
        version: '1',
        description:
          'Anonymous, end-to-end encrypted complaint intake. Every binary value is base64url ' +
          'without padding; every error is { error: { code, message } } with a stable code.',
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.decorate('sealbox', context);
  // Writes waiting for their window still commit (and are answered) on close.
  app.addHook('onClose', () => app.sealbox.commitWindow.settle());
  // The minimum effort level follows load shared through the database (server/load.ts).
  app.addHook('onReady', (done) => {
    context.load.start(app.log);
    done();
  });
  app.addHook('onClose', () => context.load.stop());

  await app.register(health);
  await app.register(keyset);
  await app.register(epochs);
  await app.register(challenge);
  await app.register(uploads);
  await app.register(submissions);
  await app.register(status);
  await app.register(followups);
  await app.register(courier);

  const files = options.web ?? (await loadWeb(config.webDir, await pageExpectation(config)));
  await app.register(web, { files });

  app.get('/openapi.json', { schema: { hide: true }, config: { rateClass: 'read' } }, () =>
    app.swagger(),
  );
  return app;
}
