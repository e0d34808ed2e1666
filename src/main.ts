import { existsSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { builtDashboardDirectory } from './http/dashboard.js';
import { InFlightRequests } from './relay/in-flight.js';
import { packageVersion } from './config/package-version.js';
import { describeSettings } from './config/settings-report.js';
import { createSecretBox } from './auth/secret-box.js';
import { resolveSecretKey } from './auth/secret-key-file.js';
import { Maintenance } from './billing/maintenance.js';
import { SettlementQueue } from './billing/settlement-queue.js';
import { WalletGate } from './billing/wallet-gate.js';
import { MemoryLimiter } from './limits/memory/memory-limiter.js';
import { RedisLimiter } from './limits/redis/redis-limiter.js';
import { LimitGate } from './relay/limit-gate.js';
import { CatalogCache } from './catalog/catalog-cache.js';
import type { LoadedConfig } from './config/load.js';
import { ensureAdmin, type AdminBootstrap } from './setup/ensure-admin.js';
import { GatewayMetrics } from './observability/metrics.js';
import { DeploymentHealth } from './routing/deployment-health.js';
import { describeDeploymentHealth } from './routing/health-report.js';
import { syncConfiguredCatalog } from './setup/sync-configured-catalog.js';
import type { Store } from './store/contract.js';
import { openStore, resolveDatabaseUrl } from './store/open-store.js';
import { UpstreamClient } from './upstream/upstream-client.js';

export interface RunningGateway {
  app: FastifyInstance;
  store: Store;
  catalog: CatalogCache;
  settlements: SettlementQueue;
  maintenance: Maintenance;
  /** Each deployment's circuit breaker, as this instance sees it. */
  health: DeploymentHealth;
  /** This gateway's Prometheus registry and recorders (served at /metrics when enabled). */
  metrics: GatewayMetrics;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  admin: AdminBootstrap | undefined;
  /** Whether the dashboard is served at `/` (enabled, and built). */
  servesDashboard: boolean;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Overrides wall-clock time (tests of key expiry). */
  now?: () => number;
  /** Where logs go; defaults to stdout. */
  logDestination?: NodeJS.WritableStream;
  /** Overrides the weighted-random draw of routing (seeded tests). */
  random?: () => number;
}

/**
 * The one place that chooses implementations from configuration, wires them together and starts
 * the server. Everything it builds is returned, so a test or the CLI can drive and stop it.
 */
export async function startGateway(
  loaded: LoadedConfig,
  options: StartOptions = {},
): Promise<RunningGateway> {
  const { config } = loaded;
  const dataDirectory = path.resolve(config.dataDirectory);
  const logger = pino(
    {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'req.headers["api-key"]',
          'apiKey',
          '*.apiKey',
        ],
        censor: '[redacted]',
      },
    },
    options.logDestination ?? process.stdout,
  );

  const store = await openStore(resolveDatabaseUrl(config.database.url, dataDirectory), {
    onIdleError: (error) =>
      logger.warn({ err: error }, 'a database connection was closed by the server; replacing it'),
  });
  const stopped: Array<() => Promise<void> | void> = [() => store.close()];
  // Whatever has been started is stopped again, newest first, if a later step fails.
  const stopAll = async (): Promise<void> => {
    for (const stop of stopped.splice(0).reverse()) await stop();
  };
  try {
    await store.migrate();
    const secrets = createSecretBox(resolveSecretKey(config.secretKey, dataDirectory));
    await syncConfiguredCatalog(store, config, loaded.presetModelIds, secrets);
    const admin = await ensureAdmin(store, config.admin, dataDirectory);

    const catalog = new CatalogCache(store, secrets, {
      refreshMilliseconds: config.catalogRefreshMilliseconds,
      onRefreshError: (error) =>
        logger.error({ err: error }, 'could not refresh the model and key cache'),
    });
    await catalog.start();
    stopped.push(() => catalog.stop());
    const now = options.now ?? Date.now;
    const settlements = new SettlementQueue(store, {
      flushIntervalMilliseconds: config.usage.flushIntervalMilliseconds,
      batchSize: config.usage.batchSize,
      onError: (error, pending) =>
        logger.error({ err: error, pending }, 'could not settle finished requests; will retry'),
    });
    settlements.start();
    stopped.push(() => settlements.close());
    const maintenance = new Maintenance(store, {
      intervalMilliseconds: config.billing.maintenanceIntervalMilliseconds,
      usageRetentionDays: config.usage.retentionDays,
      now,
      onError: (error) => logger.error({ err: error }, 'housekeeping failed; will retry'),
    });
    // Holds left by a previous run whose process died are released once their time is up.
    await maintenance.runOnce();
    maintenance.start();
    stopped.push(() => maintenance.stop());
    const { maxAttempts, ...breaker } = config.routing;
    const health = new DeploymentHealth(breaker, now);
    const metrics = new GatewayMetrics(
      {
        deployments: () => describeDeploymentHealth(catalog.models(), health),
        settlementQueueDepth: () => settlements.queueDepth(),
        // An aggregate: a scrape must not read every hold while thousands are open.
        openHolds: () => store.wallets.holdTotals(),
      },
      // Process metrics start timers and observers; a gateway that serves no metrics needs none.
      { processMetrics: config.metrics.enabled },
    );
    const limiter = config.redis.url
      ? new RedisLimiter({
          url: config.redis.url,
          dayOffsetMinutes: config.limits.dayOffsetMinutes,
        })
      : new MemoryLimiter({ dayOffsetMinutes: config.limits.dayOffsetMinutes });
    stopped.push(() => limiter.close());
    if (limiter instanceof RedisLimiter) {
      // A gateway that starts without its Redis would start with limits that do not hold.
      await limiter.ready();
    }
    const limits = new LimitGate(limiter, config.limits.defaults, {
      failureMode: config.limits.redisFailureMode,
      dayOffsetMinutes: config.limits.dayOffsetMinutes,
      tokensUsedSince: async (apiKeyId, from) => {
        const rows = await store.usage.summarize({ apiKeyId, from, to: now() + 1, groupBy: 'key' });
        return rows.reduce((sum, row) => sum + row.promptTokens + row.completionTokens, 0);
      },
      onRejected: (limit) => metrics.recordRejection(limit),
      onUnavailable: (error) =>
        logger.error(
          { err: error, failureMode: config.limits.redisFailureMode },
          `RATE LIMITER UNAVAILABLE: requests are ${config.limits.redisFailureMode === 'open' ? 'admitted without rate limits' : 'refused with 503'} until Redis answers again`,
        ),
    });
    const wallets = new WalletGate(store, {
      holdTtlMilliseconds: config.billing.holdTtlMilliseconds,
      now,
      onRejected: (reason) => metrics.recordRejection(reason),
    });
    const upstream = new UpstreamClient();
    stopped.push(() => upstream.close());
    const inFlight = new InFlightRequests();

    const dashboardDirectory =
      config.server.dashboard && existsSync(path.join(builtDashboardDirectory, 'index.html'))
        ? builtDashboardDirectory
        : undefined;
    const app = buildApp(
      {
        inFlight,
        store,
        catalog,
        settlements,
        wallets,
        limits,
        upstream,
        now,
        maxAttempts,
        health,
        metrics,
        ...(options.random === undefined ? {} : { random: options.random }),
        secrets,
        adminToken: config.adminToken,
        settings: describeSettings(loaded, packageVersion),
        redis: limiter instanceof RedisLimiter ? limiter : undefined,
      },
      {
        bodyLimitBytes: config.server.bodyLimitBytes,
        trustProxy: config.server.trustProxy,
        logger,
        dashboardDirectory,
        metrics: config.metrics.enabled ? { token: config.metrics.token } : undefined,
      },
    );
    stopped.push(() =>
      closeWithin(app, inFlight, config.server.shutdownTimeoutMilliseconds, logger),
    );
    await app.listen({ host: config.server.host, port: config.server.port });
    return describeRunning(
      app,
      config.server,
      {
        store,
        catalog,
        settlements,
        maintenance,
        health,
        metrics,
        admin,
        servesDashboard: dashboardDirectory !== undefined,
      },
      stopAll,
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function describeRunning(
  app: FastifyInstance,
  server: { host: string; port: number },
  parts: Pick<
    RunningGateway,
    | 'store'
    | 'catalog'
    | 'settlements'
    | 'maintenance'
    | 'health'
    | 'metrics'
    | 'admin'
    | 'servesDashboard'
  >,
  stopAll: () => Promise<void>,
): RunningGateway {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : server.port;
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;

  let closing: Promise<void> | undefined;
  return {
    app,
    ...parts,
    url: `http://${host}:${port}`,
    close() {
      // Stop taking requests first, then flush usage, then let go of connections and the store.
      closing ??= stopAll();
      return closing;
    },
  };
}

/**
 * Stops accepting connections and waits for open requests, streams included, to finish; those
 * still open after the deadline are cut, so a stream that never ends cannot keep a stopping
 * instance (and its unwritten usage records) alive. A cut stream is settled like a client that
 * went away: charged for what it delivered. Then it waits for every relay handler to have
 * recorded its request, so the settlement queue's last flush holds them all.
 */
async function closeWithin(
  app: FastifyInstance,
  inFlight: InFlightRequests,
  timeoutMilliseconds: number,
  logger: pino.Logger,
): Promise<void> {
  // A keep-alive connection whose response ends after the stop began would otherwise stay open
  // until its idle timeout: close each one as soon as it has nothing left to send.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  sweep.unref();
  const deadline = setTimeout(() => {
    logger.warn(
      { timeoutMilliseconds, openRequests: inFlight.count },
      'open requests outlived the shutdown timeout; closing their connections',
    );
    app.server.closeAllConnections();
  }, timeoutMilliseconds);
  deadline.unref();
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
  // Handlers of cut connections settle within moments: their upstream calls are aborted.
  if (!(await inFlight.drained(5_000))) {
    logger.error(
      { openRequests: inFlight.count },
      'relay requests were still running after the server closed; their usage may be lost',
    );
  }
}
