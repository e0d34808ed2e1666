import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { SecretBox } from './auth/secret-box.js';
import { GatewayError } from './errors/gateway-error.js';
import { registerDashboard } from './http/dashboard.js';
import { newRequestId } from './http/request-id.js';
import { handleError } from './http/error-handler.js';
import { registerProbes } from './http/probes.js';
import { maximumJsonDepth, nestsDeeperThan } from './http/json-depth.js';
import { registerManagementApi } from './manage/manage-api.js';
import { registerMetricsRoute, type MetricsRouteOptions } from './observability/metrics-route.js';
import type { RelayDependencies } from './relay/relay-dependencies.js';
import { registerRelayRoutes, relayPrefixes } from './relay/routes.js';
import { describeDeploymentHealth } from './routing/health-report.js';
import type { Store } from './store/contract.js';
import type { SettingsReport } from './config/settings-report.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** UTF-8 size of the request body; 0 without one. */
    bodyBytes: number;
  }
}

export interface AppDependencies extends RelayDependencies {
  store: Store;
  /** Seals provider secrets written through the management API. */
  secrets: SecretBox;
  /** SWITCHYARD_ADMIN_TOKEN; undefined turns admin-token access to the management API off. */
  adminToken: string | undefined;
  /** The effective configuration, as the settings page shows it. */
  settings: SettingsReport;
  /** Redis, when the limiter uses it: /readyz checks it answers. */
  redis: { ping(): Promise<boolean> } | undefined;
}

export interface AppOptions {
  bodyLimitBytes: number;
  trustProxy: boolean;
  logger: FastifyBaseLogger;
  /** The built dashboard to serve at `/`; undefined serves none. */
  dashboardDirectory: string | undefined;
  /** How to serve GET /metrics; undefined serves none (404). */
  metrics: MetricsRouteOptions | undefined;
}

/** Answers a request Node's HTTP parser refused, in OpenAI's envelope, and closes the socket. */
function writeClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return;
  const code =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'request_headers_too_large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request_timeout'
        : 'invalid_value';
  const message =
    code === 'request_headers_too_large'
      ? 'The request headers are larger than this server accepts (16 KB). Send fewer or smaller headers.'
      : code === 'request_timeout'
        ? 'The request took too long to arrive. Send it again.'
        : 'The request is not valid HTTP.';
  const failure = new GatewayError(code, message);
  const body = JSON.stringify(failure.toEnvelope());
  socket.end(
    `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${newRequestId()}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Builds the HTTP app from its dependencies. It holds no globals: tests build as many as they like. */
export function buildApp(dependencies: AppDependencies, options: AppOptions): FastifyInstance {
  const app = Fastify({
    // Requests Node's HTTP parser refuses (headers too large, a malformed request line, a
    // timeout) never reach a route; they still get OpenAI's envelope.
    clientErrorHandler: writeClientError,
    loggerInstance: options.logger,
    // One record per request already goes to the usage log; a second access log line per
    // request would cost the hot path more than everything else it does.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'requestId',
    }),
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy,
    // Fastify passes the raw request; the id depends on nothing in it.
    genReqId: () => newRequestId(),
    // Errors Fastify raises before routing (a path it cannot decode, a parameter too long) get
    // the same envelope and request id as every other error.
    frameworkErrors: (error, request, reply) => {
      void reply.header('x-request-id', request.id);
      handleError(error, request, reply);
    },
    // Refused below instead, in OpenAI's envelope and with a request id.
    return503OnClosing: false,
    // Slow-loris clients must not hold sockets forever.
    requestTimeout: 120_000,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 },
  });

  // Bodies are parsed once, here, whatever content type the client claims: curl's default
  // form type included. Anything that is not JSON is the client's error, never ours.
  app.removeAllContentTypeParsers();
  app.decorateRequest('bodyBytes', 0);
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    // The wallet hold needs the body's size in bytes: no prompt has more tokens than that.
    request.bodyBytes = Buffer.byteLength(text);
    if (text.length === 0) {
      done(new GatewayError('invalid_json', 'The request body is empty. Send a JSON object.'));
      return;
    }
    if (nestsDeeperThan(text, maximumJsonDepth)) {
      done(
        new GatewayError(
          'invalid_json',
          `The request body nests objects or arrays more than ${maximumJsonDepth} levels deep.`,
        ),
      );
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(
        new GatewayError(
          'invalid_json',
          `The request body is not valid JSON (${(error as Error).message}). Check the body and the Content-Type: application/json header.`,
        ),
      );
    }
  });

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    if (closing) {
      void reply.header('connection', 'close');
      done(
        new GatewayError(
          'shutting_down',
          'This gateway instance is shutting down. Retry the request; it will reach another instance or this one once restarted.',
        ),
      );
      return;
    }
    done();
  });
  app.setErrorHandler(handleError);
  const servePage =
    options.dashboardDirectory === undefined
      ? () => false
      : registerDashboard(app, { directory: options.dashboardDirectory });
  app.setNotFoundHandler((request, reply) => {
    if (servePage(request, reply)) return;
    handleError(
      new GatewayError(
        'route_not_found',
        `There is no ${request.method} ${request.url.split('?')[0] ?? ''} route. The OpenAI-compatible API is under /api/v1.`,
      ),
      request,
      reply,
    );
  });

  for (const prefix of relayPrefixes) registerRelayRoutes(app, dependencies, prefix);
  registerManagementApi(app, {
    store: dependencies.store,
    catalog: dependencies.catalog,
    secrets: dependencies.secrets,
    adminToken: dependencies.adminToken,
    now: dependencies.now,
    deploymentHealth: () =>
      describeDeploymentHealth(dependencies.catalog.models(), dependencies.health),
    upstream: dependencies.upstream,
    settings: dependencies.settings,
  });

  registerProbes(app, { store: dependencies.store, redis: dependencies.redis });
  if (options.metrics) registerMetricsRoute(app, dependencies.metrics, options.metrics);

  return app;
}
