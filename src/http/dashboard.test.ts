import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerDashboard } from './dashboard.js';

const directories: string[] = [];
const apps: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  for (const directory of directories.splice(0))
    rmSync(directory, { recursive: true, force: true });
});

function builtDashboard(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'switchyard-dashboard-'));
  directories.push(directory);
  mkdirSync(path.join(directory, 'assets'));
  writeFileSync(path.join(directory, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(path.join(directory, 'assets', 'index-abc123.js'), 'console.log(1)');
  return directory;
}

async function appServing(directory: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  apps.push(app);
  const servePage = registerDashboard(app, { directory });
  app.get('/api/manage/session', async () => ({ signedIn: false }));
  app.setNotFoundHandler((request, reply) => {
    if (servePage(request, reply)) return;
    void reply.code(404).send({ error: { code: 'route_not_found' } });
  });
  await app.ready();
  return app;
}

describe('the dashboard', () => {
  it('serves index.html at / with a strict content security policy, revalidated each load', async () => {
    const app = await appServing(builtDashboard());
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('id="root"');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['content-security-policy']).toContain("style-src 'self';");
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('caches hashed assets for a year', async () => {
    const app = await appServing(builtDashboard());
    const response = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it("answers the app's own paths with index.html, so a reload on /keys works", async () => {
    const app = await appServing(builtDashboard());
    const response = await app.inject({ method: 'GET', url: '/keys?page=2' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('id="root"');
  });

  it('keeps JSON 404s for unknown API paths, traversal attempts and other methods', async () => {
    const app = await appServing(builtDashboard());
    for (const url of ['/api/manage/nope', '/v1/nope', '/api/v1', '/metrics']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'route_not_found' } });
    }
    for (const url of [
      '/.env',
      '/.git/config',
      '/assets/..%2f..%2fpackage.json',
      '/data/switchyard.db',
      '/favicon.ico',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
    }
    const post = await app.inject({ method: 'POST', url: '/keys' });
    expect(post.statusCode).toBe(404);
  });

  it('serves nothing when the dashboard is not built', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'switchyard-dashboard-'));
    directories.push(empty);
    const app = await appServing(empty);
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(404);
  });
});
