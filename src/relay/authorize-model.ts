import type { CatalogCache, ResolvedModel } from '../catalog/catalog-cache.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { ApiKeyRecord, ModelKind } from '../store/records.js';

/** True when the key's allowlist (if any) names this model. */
export function keyAllowsModel(key: ApiKeyRecord, modelId: string): boolean {
  return key.allowedModels === null || key.allowedModels.includes(modelId);
}

/**
 * Resolves the requested model for this key. The allowlist is checked before existence, so a
 * restricted key cannot probe which models the gateway has.
 */
export function authorizeModel(
  key: ApiKeyRecord,
  modelId: string,
  kind: ModelKind,
  catalog: CatalogCache,
): ResolvedModel {
  if (!keyAllowsModel(key, modelId)) {
    throw new GatewayError(
      'model_not_allowed',
      `This API key may not use the model '${modelId}'. Ask your admin to add it to the key's model allowlist.`,
      { param: 'model' },
    );
  }
  const model = catalog.model(modelId);
  if (!model) {
    throw new GatewayError(
      'model_not_found',
      `The model '${modelId}' does not exist. GET /v1/models lists the models this key can use.`,
      { param: 'model' },
    );
  }
  if (model.kind !== kind) {
    const endpoint = model.kind === 'chat' ? '/v1/chat/completions' : '/v1/embeddings';
    throw new GatewayError(
      'invalid_value',
      `The model '${modelId}' is ${model.kind === 'chat' ? 'a chat' : 'an embedding'} model; send it to ${endpoint}.`,
      { param: 'model' },
    );
  }
  return model;
}
