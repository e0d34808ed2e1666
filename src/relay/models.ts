import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedModel } from '../catalog/catalog-cache.js';
import { GatewayError } from '../errors/gateway-error.js';
import { noModel } from '../observability/metrics.js';
import { authenticate } from './authenticate.js';
import { keyAllowsModel } from './authorize-model.js';
import type { RelayDependencies } from './relay-dependencies.js';

/** A model in OpenAI's shape, under one of its names (an alias is listed as its own entry). */
function toOpenAIModel(model: ResolvedModel, name: string = model.id): Record<string, unknown> {
  return {
    id: name,
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
      .filter((model) => keyAllowsModel(key, model.id, model))
      .flatMap((model) => [
        toOpenAIModel(model),
        ...model.aliases.map((alias) => toOpenAIModel(model, alias)),
      ]);
    await reply.send({ object: 'list', data });
    dependencies.metrics.recordRequest('models', noModel, 200, null, reply.elapsedTime / 1000);
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
    if (!model || !keyAllowsModel(key, modelId, model)) {
      throw new GatewayError(
        'model_not_found',
        `The model '${modelId}' does not exist or this key may not use it. GET /v1/models lists the models this key can use.`,
        { param: 'model' },
      );
    }
    await reply.send(toOpenAIModel(model, modelId));
    dependencies.metrics.recordRequest('models', noModel, 200, null, reply.elapsedTime / 1000);
  };
}
