import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` puts the dashboard: dist/web, whether this file runs from src or dist. */
export const builtDashboardDirectory = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Paths that belong to the APIs: an unknown one there is a JSON 404, never the dashboard. */
const apiPaths = /^\/(api|v1)(\/|$)|^\/(healthz|readyz|metrics)$/;

/**
 * The dashboard talks only to the management API on this origin, so it can be held to its own
 * origin: no inline scripts or styles, no frames, nothing fetched from elsewhere. (React and
 * Chart.js set styles through the CSSOM, which style-src does not restrict.)
 */
const pageHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
} as const;

export interface DashboardOptions {
  /** The built single-page app: index.html and assets/. */
  directory: string;
}

/**
 * The app's own paths are plain words (`/keys`, `/usage/records`): letters, digits, `-`, `_` and
 * `/`. Anything else (`/.env`, `/data/switchyard.db`, `/%00`, a missing `/favicon.ico`) is a 404
 * rather than a page that would tell a scanner it found something; files that exist were routed
 * already.
 */
const pagePath = /^\/[A-Za-z0-9_\-/]*$/;

function wantsPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const pathname = request.url.split('?')[0] ?? '/';
  return !apiPaths.test(pathname) && pagePath.test(pathname);
}

/**
 * Serves the dashboard at `/`. Vite names every asset by its content hash, so assets are cached
 * for a year; index.html is revalidated each time so a new build shows up on the next load.
 * Paths the app routes itself (/keys, /usage, …) get index.html; API paths keep their 404s.
 *
 * Returns a function the app's not-found handler calls first: true when it answered.
 */
export function registerDashboard(
  app: FastifyInstance,
  options: DashboardOptions,
): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const indexFile = path.join(options.directory, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn(
      { directory: options.directory },
      'The dashboard is not built, so / answers 404. Run `npm run build` to build it.',
    );
    return () => false;
  }
  void app.register(fastifyStatic, {
    root: options.directory,
    prefix: '/',
    // One route per file, found once at start: no file-system lookup for a path that is not one.
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders(response, filePath) {
      for (const [name, value] of Object.entries(pageHeaders)) response.setHeader(name, value);
      response.setHeader(
        'cache-control',
        filePath.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
  return (request, reply) => {
    if (!wantsPage(request)) return false;
    void reply.sendFile('index.html');
    return true;
  };
}
