import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerProbes, type ProbeDependencies } from './probes.js';

async function probe(dependencies: ProbeDependencies) {
  const app = Fastify();
  registerProbes(app, dependencies);
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  await app.close();
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
}

const healthyStore = {
  ping: async () => true,
  pendingMigrations: async () => [],
};

// The real database and Redis are exercised in test/operations/probes.test.ts; these stand-ins
// produce the failures a test cannot cause on shared servers.
describe('/readyz', () => {
  it('is ready when the database answers with every migration applied, without Redis', async () => {
    expect(await probe({ store: healthyStore, redis: undefined })).toEqual({
      status: 200,
      body: { status: 'ready', database: true, migrations: 'applied', redis: 'not configured' },
    });
  });

  it('is not ready while the database is down', async () => {
    const answer = await probe({
      store: { ping: async () => false, pendingMigrations: async () => [] },
      redis: undefined,
    });
    expect(answer).toMatchObject({ status: 503, body: { status: 'not ready', database: false } });
  });

  it('is not ready with migrations pending, and names them', async () => {
    const answer = await probe({
      store: { ping: async () => true, pendingMigrations: async () => ['0009_future'] },
      redis: undefined,
    });
    expect(answer).toEqual({
      status: 503,
      body: {
        status: 'not ready',
        database: true,
        migrations: 'pending',
        pendingMigrations: ['0009_future'],
        redis: 'not configured',
      },
    });
  });

  it('is not ready while the configured Redis does not answer', async () => {
    const answer = await probe({ store: healthyStore, redis: { ping: async () => false } });
    expect(answer).toMatchObject({ status: 503, body: { redis: false } });
  });
});
