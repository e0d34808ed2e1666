import { maximumJsonDepth, nestsDeeperThan } from '../http/json-depth.js';
import { rechargeCodeRoutes } from './routes/recharge-code-routes.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.js';
import { handleError } from '../http/error-handler.js';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import type { ManageDependencies } from './manage-dependencies.js';
import { buildOpenApiDocument } from './openapi.js';
import { ManageRouter } from './router.js';
import { accountRoutes } from './routes/account-routes.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { modelRoutes } from './routes/model-routes.js';
import { providerRoutes } from './routes/provider-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { usageRoutes } from './routes/usage-routes.js';
import { walletRoutes } from './routes/wallet-routes.js';

/** Where the management API lives. */
export const managePrefix = '/api/manage';

/**
 * The route groups, one per resource. A new resource (recharge codes, settings) is one more
 * function here; the router gives it authentication, validation and the OpenAPI entry.
 */
const routeGroups: ReadonlyArray<(router: ManageRouter, dependencies: ManageDependencies) => void> =
  [
    sessionRoutes,
    accountRoutes,
    walletRoutes,
    apiKeyRoutes,
    modelRoutes,
    providerRoutes,
    usageRoutes,
    auditRoutes,
    rechargeCodeRoutes,
    healthRoutes,
    settingsRoutes,
  ];

export type ManageApiDependencies = Omit<ManageDependencies, 'loginThrottle'> & {
  loginThrottle?: Partial<LoginThrottleOptions>;
};

/** Registers the management API under `/api/manage`, in its own encapsulated context. */
export function registerManagementApi(app: FastifyInstance, options: ManageApiDependencies): void {
  const dependencies: ManageDependencies = {
    ...options,
    loginThrottle: new LoginThrottle(options.loginThrottle, options.now),
  };
  void app.register(
    async (instance) => {
      // Unlike the relay, routes here may be called without a body (or with an empty one and a
      // JSON content type, as browsers' fetch sends for DELETE): that is "no fields", not an error.
      instance.removeAllContentTypeParsers();
      instance.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
        const text = (body as string).trim();
        if (text.length === 0) {
          done(null, undefined);
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
              `The request body is not valid JSON (${(error as Error).message}).`,
            ),
          );
        }
      });
      // Answers about accounts and money must not linger in shared caches.
      instance.addHook('onSend', async (_request, reply) => {
        void reply.header('cache-control', 'no-store');
      });
      instance.setNotFoundHandler((request, reply) => {
        handleError(
          new GatewayError(
            'route_not_found',
            `There is no ${request.method} ${request.url.split('?')[0] ?? ''} route. The management API is described at ${managePrefix}/openapi.json.`,
          ),
          request,
          reply,
        );
      });

      const router = new ManageRouter(instance, dependencies);
      for (const group of routeGroups) group(router, dependencies);
      let document: Record<string, unknown> | undefined;
      router.publicRoute({
        method: 'GET',
        path: '/openapi.json',
        operationId: 'getOpenApiDocument',
        tag: 'meta',
        summary: 'This API’s OpenAPI 3.1 document',
        response: z.record(z.string(), z.unknown()),
        // Built on first use, when every route (this one included) is registered.
        handler: async () => (document ??= buildOpenApiDocument(router.routes, managePrefix)),
      });
    },
    { prefix: managePrefix },
  );
}
