import type { FastifyInstance } from 'fastify';
import type { RelayRoute } from '../observability/metrics.js';
import { chatCompletionsHandler } from './chat-completions.js';
import { countUntracedFailures } from './count-failures.js';
import { embeddingsHandler } from './embeddings.js';
import { listModelsHandler, retrieveModelHandler } from './models.js';
import type { RelayDependencies } from './relay-dependencies.js';

/** The relay API; registered at `/api/v1` (the documented base URL) and at `/v1`. */
export const relayPrefixes = ['/api/v1', '/v1'] as const;

/** Registers the relay routes under one prefix. */
export function registerRelayRoutes(
  app: FastifyInstance,
  dependencies: RelayDependencies,
  prefix: string,
): void {
  const counted = (route: RelayRoute) => ({
    onError: countUntracedFailures(dependencies.metrics, route),
  });
  app.post(
    `${prefix}/chat/completions`,
    counted('chat_completions'),
    chatCompletionsHandler(dependencies),
  );
  app.post(`${prefix}/embeddings`, counted('embeddings'), embeddingsHandler(dependencies));
  app.get(`${prefix}/models`, counted('models'), listModelsHandler(dependencies));
  app.get<{ Params: { '*': string } }>(
    `${prefix}/models/*`,
    counted('models'),
    retrieveModelHandler(dependencies),
  );
}
