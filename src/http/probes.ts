import type { FastifyInstance } from 'fastify';

export interface ProbeDependencies {
  store: { ping(): Promise<boolean>; pendingMigrations(): Promise<string[]> };
  /** The shared limiter's backend; undefined when limits live in this process's memory. */
  redis: { ping(): Promise<boolean> } | undefined;
}

/**
 * `/healthz` answers while the process runs (a restart is the cure when it does not);
 * `/readyz` answers 200 only when this instance can serve: the database answers with every
 * migration applied, and Redis, when configured, answers. A load balancer takes an instance out
 * of rotation on 503 and puts it back when it recovers.
 */
export function registerProbes(app: FastifyInstance, dependencies: ProbeDependencies): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const [database, redis] = await Promise.all([
      dependencies.store.ping(),
      dependencies.redis === undefined ? undefined : dependencies.redis.ping(),
    ]);
    const pending = database
      ? await dependencies.store.pendingMigrations().catch(() => null)
      : null;
    const migrations = pending === null ? 'unknown' : pending.length === 0 ? 'applied' : 'pending';
    const ready = database && migrations === 'applied' && redis !== false;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not ready',
      database,
      migrations,
      ...(pending !== null && pending.length > 0 ? { pendingMigrations: pending } : {}),
      redis: redis === undefined ? 'not configured' : redis,
    });
  });
}
