// The screens (web/, built by Vite into dist/web): static files from the same server as the API, so a page and
// the API share one origin and one token. Every page path answers index.html (the pages route in the browser);
// hashed assets are cached for a year, index.html and the service worker never, so a new build is picked up on
// the next load. The pages reach data only through the public API: nothing here reads the database.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { UnavailableError } from '../core/errors.js';

/** Paths the browser routes (web/src/main.tsx): each answers index.html. */
export const PAGE_PREFIXES = ['/login', '/dock', '/station', '/trace', '/audit'] as const;

/**
 * Where the built screens are: dist/web beside the compiled server, or under the repository when the server
 * runs from source (tests, tsx).
 * @example findWebRoot() // '/srv/motor-ledger/dist/web'
 */
export function findWebRoot(): string | undefined {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const candidate of [join(here, '../../web'), join(here, '../../dist/web')]) {
    // A build, not the sources: from src/http, ../../web is web/ itself, whose index.html loads /src/main.tsx.
    if (existsSync(join(candidate, 'index.html')) && existsSync(join(candidate, 'sw.js'))) return candidate;
  }
  return undefined;
}

/**
 * Serve the screens at / (index.html for every page path, the assets under /assets).
 * @example await registerWeb(app, findWebRoot());
 */
export async function registerWeb(
  app: FastifyInstance,
  root: string | undefined,
  options: { oidcIssuer?: string | undefined } = {},
): Promise<void> {
  if (root === undefined) {
    const notBuilt = async () => {
      throw new UnavailableError(
        'SCREENS_NOT_BUILT',
        'The screens are not built: run "npm run build" (npm install does it), then restart the server. The API works without them.',
      );
    };
    app.get('/', { schema: { hide: true } }, notBuilt);
    for (const prefix of PAGE_PREFIXES) app.get(`${prefix}*`, { schema: { hide: true } }, notBuilt);
    return;
  }
  const indexHtml = await readFile(join(root, 'index.html'));
  // The pages call this server, and the identity provider's discovery and token endpoints when there is one.
  const connect = ["'self'", ...(options.oidcIssuer ? [new URL(options.oidcIssuer).origin] : [])].join(' ');
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: false,
    serve: true,
    cacheControl: false,
    setHeaders: (res, path) => {
      if (path.includes('/assets/')) {
        res.header('cache-control', 'public, max-age=31536000, immutable');
      } else {
        res.header('cache-control', 'no-cache');
      }
    },
  });
  const page = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header(
        'content-security-policy',
        `default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src ${connect}; frame-ancestors 'none'; base-uri 'none'`,
      )
      .send(indexHtml);
  app.get('/', { schema: { hide: true } }, page);
  for (const prefix of PAGE_PREFIXES) {
    app.get(prefix, { schema: { hide: true } }, page);
    app.get(`${prefix}/*`, { schema: { hide: true } }, page);
  }
}
