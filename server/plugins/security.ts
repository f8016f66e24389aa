// Response headers that make the page and the API hard to misuse: a strict
// CSP (no inline script, no third-party origin), no referrer, isolation from
// other origins, no powerful browser features, no caching, never a cookie.
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { PAGE_CSP } from '../page-csp.ts';

export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'usb=()',
  'browsing-topics=()',
  'interest-cohort=()',
].join(', ');

async function security(app: FastifyInstance, options: { onionLocation?: string | undefined }) {
  await app.register(helmet, {
    // Sent below, exactly as the page's manifest states it (server/page-csp.ts).
    contentSecurityPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: { policy: 'require-corp' },
    xFrameOptions: { action: 'deny' },
  });

  const onion = options.onionLocation?.replace(/\/+$/, '');
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', PAGE_CSP);
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.removeHeader('set-cookie');
    if (onion) reply.header('onion-location', onion + request.url);
    return payload;
  });
}

export default fp(security, { name: 'sealbox-security' });
