import type { CatalogCache, ResolvedModel } from '../catalog/catalog-cache.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { ApiKeyRecord, ModelKind } from '../store/records.js';

/**
 * True when the key's allowlist (if any) names this model: by the name asked for, or by any name
 * of the model it resolves to. A model's id and aliases are one model at one price, so listing
 * either grants it under every name.
 */
export function keyAllowsModel(
  key: ApiKeyRecord,
  name: string,
  model: ResolvedModel | undefined,
): boolean {
  const allowed = key.allowedModels;
  if (allowed === null || allowed.includes(name)) return true;
  if (model === undefined) return false;
  return allowed.includes(model.id) || model.aliases.some((alias) => allowed.includes(alias));
}

/**
 * Resolves the requested model (by id or alias) for this key. A name outside the allowlist is
 * refused whether or not it exists, so a restricted key cannot probe which models the gateway has.
 */
export function authorizeModel(
  key: ApiKeyRecord,
  modelId: string,
  kind: ModelKind,
  catalog: CatalogCache,
): ResolvedModel {
  const model = catalog.model(modelId);
  if (!keyAllowsModel(key, modelId, model)) {
    throw new GatewayError(
      'model_not_allowed',
      `This API key may not use the model '${modelId}'. Ask your admin to add it to the key's model allowlist.`,
      { param: 'model' },
    );
  }
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
