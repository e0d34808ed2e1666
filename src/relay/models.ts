import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedModel } from '../catalog/catalog-cache.js';
import { GatewayError } from '../errors/gateway-error.js';
import { authenticate } from './authenticate.js';
import { keyAllowsModel } from './authorize-model.js';
import type { RelayDependencies } from './relay-dependencies.js';

function toOpenAIModel(model: ResolvedModel): Record<string, unknown> {
  return {
    id: model.id,
    object: 'model',
    created: Math.floor(model.createdAt / 1000),
    owned_by: model.deployments[0]?.providerName ?? 'switchyard',
  };
}

/** GET /models: the models this key may use, in OpenAI's list format. */
export function listModelsHandler(dependencies: RelayDependencies) {
  return async function handleListModels(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const key = await authenticate(request.headers, dependencies.catalog, dependencies.now());
    void reply.headers(await dependencies.limits.headers(key, dependencies.now()));
    const data = dependencies.catalog
      .models()
      .filter((model) => keyAllowsModel(key, model.id))
      .map(toOpenAIModel);
    await reply.send({ object: 'list', data });
  };
}

/** GET /models/{id}: one model, or 404 when it does not exist or the key may not see it. */
export function retrieveModelHandler(dependencies: RelayDependencies) {
  return async function handleRetrieveModel(
    request: FastifyRequest<{ Params: { '*': string } }>,
    reply: FastifyReply,
  ): Promise<void> {
    const key = await authenticate(request.headers, dependencies.catalog, dependencies.now());
    void reply.headers(await dependencies.limits.headers(key, dependencies.now()));
    const modelId = request.params['*'];
    const model = dependencies.catalog.model(modelId);
    if (!model || !keyAllowsModel(key, modelId)) {
      throw new GatewayError(
        'model_not_found',
        `The model '${modelId}' does not exist or this key may not use it. GET /v1/models lists the models this key can use.`,
        { param: 'model' },
      );
    }
    await reply.send(toOpenAIModel(model));
  };
}
