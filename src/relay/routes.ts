import type { FastifyInstance } from 'fastify';
import { chatCompletionsHandler } from './chat-completions.js';
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
  app.post(`${prefix}/chat/completions`, chatCompletionsHandler(dependencies));
  app.post(`${prefix}/embeddings`, embeddingsHandler(dependencies));
  app.get(`${prefix}/models`, listModelsHandler(dependencies));
  app.get(`${prefix}/models/*`, retrieveModelHandler(dependencies));
}
