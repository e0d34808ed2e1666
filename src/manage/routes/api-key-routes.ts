import { z } from 'zod';
import { issueApiKey } from '../../auth/api-keys.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ApiKeyRecord, KeyLimits } from '../../store/records.js';
import { canSee, denied, findVisibleAccount, manages, notFound, ownAccountId } from '../access.js';
import { recordChange } from '../audit-trail.js';
import { bodyId, idParams, listOf, numericId, timeInput } from '../common-schemas.js';
import { checkWithinAccountLimits, limitsInput } from '../limits-input.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { Principal } from '../principal.js';
import type { ManageRouter } from '../router.js';
import { apiKeyView, viewApiKey } from '../views/api-key-view.js';

const limits = limitsInput.describe(
  'Replaces all of the key’s limits; a limit left out is inherited from the account, then the gateway. Admins and the agent of the key’s owner set any; an account on its own keys only up to its account’s default limits.',
);

const name = z.string().min(1).max(100);
const models = z
  .array(z.string().min(1).max(200))
  .min(1)
  .max(1000)
  .nullable()
  .describe('Model ids the key may use; null allows every model');
const expiresAt = timeInput.nullable().describe('When the key stops working; null never');

const listQuery = z
  .object({
    accountId: numericId
      .optional()
      .describe('Whose keys; your own by default (every key for the admin token)'),
  })
  .strict();

const createBody = z
  .object({
    accountId: bodyId.optional().describe('Who owns and pays for the key; you by default'),
    name: name.default('default'),
    models: models.optional(),
    expiresAt: expiresAt.optional(),
    limits: limits.optional(),
  })
  .strict();

const updateBody = z
  .object({
    name: name.optional(),
    models: models.optional(),
    expiresAt: expiresAt.optional(),
    status: z.enum(['active', 'disabled']).optional(),
    limits: limits.optional(),
  })
  .strict();

const createdKeyView = apiKeyView.extend({
  key: z.string().describe('The key itself, shown this once; only its hash is kept'),
});

/** API keys: list, create (the key is shown once), show, update, delete. */
export function apiKeyRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  const { store, catalog } = dependencies;

  async function findVisibleKey(principal: Principal, id: number): Promise<ApiKeyRecord> {
    const key = await store.apiKeys.findById(id);
    const owner = key && (await store.accounts.findById(key.accountId));
    if (!key || !owner || !canSee(principal, owner)) throw notFound('API key', id);
    return key;
  }

  async function checkModels(ids: readonly string[] | null | undefined): Promise<void> {
    if (!ids) return;
    const known = new Set((await store.catalog.listModels()).map((model) => model.id));
    const index = ids.findIndex((id) => !known.has(id));
    if (index >= 0) {
      throw new GatewayError(
        'invalid_value',
        `There is no model '${ids[index]}'. See GET /api/manage/models.`,
        { param: `models[${index}]` },
      );
    }
  }

  function checkExpiry(at: number | null | undefined): void {
    if (at != null && at <= dependencies.now()) {
      throw new GatewayError(
        'invalid_value',
        `expiresAt ${new Date(at).toISOString()} is in the past; the key could never be used.`,
        { param: 'expiresAt' },
      );
    }
  }

  async function checkLimits(
    principal: Principal,
    ownerId: number,
    limits: KeyLimits | undefined,
  ): Promise<void> {
    if (limits === undefined) return;
    const owner = await findVisibleAccount(store, principal, ownerId);
    if (manages(principal, owner)) return;
    // An account may tighten its own keys, within the limits its agent or an admin gave it.
    if (ownAccountId(principal) === owner.id) {
      checkWithinAccountLimits(limits, owner.defaultLimits);
      return;
    }
    throw denied('Only an admin, or the agent of the key’s owner, can set a key’s limits.');
  }

  router.route({
    method: 'GET',
    path: '/keys',
    operationId: 'listApiKeys',
    tag: 'api keys',
    summary: 'List API keys',
    access: 'signed_in',
    query: listQuery,
    response: listOf(apiKeyView),
    handler: async ({ principal, query }) => {
      const accountId = query.accountId ?? ownAccountId(principal);
      if (accountId !== null) await findVisibleAccount(store, principal, accountId);
      const keys = await store.apiKeys.list(accountId === null ? {} : { accountId });
      return { data: keys.map(viewApiKey) };
    },
  });

  router.route({
    method: 'POST',
    path: '/keys',
    operationId: 'createApiKey',
    tag: 'api keys',
    summary: 'Create an API key',
    description: 'The response carries the key itself, once; store it then.',
    access: 'signed_in',
    successStatus: 201,
    body: createBody,
    response: createdKeyView,
    handler: async ({ principal, body }) => {
      const accountId = body.accountId ?? ownAccountId(principal);
      if (accountId === null) {
        throw new GatewayError(
          'missing_required_parameter',
          "Missing required body parameter: 'accountId' (the admin token has no account of its own).",
          { param: 'accountId' },
        );
      }
      const owner = await findVisibleAccount(store, principal, accountId);
      await checkLimits(principal, owner.id, body.limits);
      await checkModels(body.models);
      checkExpiry(body.expiresAt);
      const { record, key } = await issueApiKey(store.apiKeys, {
        accountId: owner.id,
        name: body.name,
        allowedModels: body.models ?? null,
        expiresAt: body.expiresAt ?? null,
        ...(body.limits === undefined ? {} : { limits: body.limits }),
      });
      await catalog.refresh();
      const view = viewApiKey(record);
      await recordChange(store, principal, {
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: record.id,
        before: null,
        after: view,
      });
      return { ...view, key };
    },
  });

  router.route({
    method: 'GET',
    path: '/keys/:id',
    operationId: 'getApiKey',
    tag: 'api keys',
    summary: 'Show an API key',
    access: 'signed_in',
    params: idParams,
    response: apiKeyView,
    handler: async ({ principal, params }) =>
      viewApiKey(await findVisibleKey(principal, params.id)),
  });

  router.route({
    method: 'PATCH',
    path: '/keys/:id',
    operationId: 'updateApiKey',
    tag: 'api keys',
    summary: 'Update an API key',
    description: 'Rename, change its models or expiry, enable or disable it, or set its limits.',
    access: 'signed_in',
    params: idParams,
    body: updateBody,
    response: apiKeyView,
    handler: async ({ principal, params, body }) => {
      const key = await findVisibleKey(principal, params.id);
      await checkLimits(principal, key.accountId, body.limits);
      await checkModels(body.models);
      checkExpiry(body.expiresAt);
      if (body.status !== undefined && body.status !== key.status) {
        await store.apiKeys.setStatus(key.id, body.status);
      }
      const updated = await store.apiKeys.update(key.id, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.models !== undefined ? { allowedModels: body.models } : {}),
        ...(body.expiresAt !== undefined ? { expiresAt: body.expiresAt } : {}),
        ...(body.limits !== undefined ? { limits: body.limits } : {}),
      });
      if (!updated) throw notFound('API key', key.id);
      await catalog.refresh();
      const after = viewApiKey(updated);
      await recordChange(store, principal, {
        action: 'api_key.update',
        targetType: 'api_key',
        targetId: key.id,
        before: viewApiKey(key),
        after,
      });
      return after;
    },
  });

  router.route({
    method: 'DELETE',
    path: '/keys/:id',
    operationId: 'deleteApiKey',
    tag: 'api keys',
    summary: 'Delete an API key',
    description: 'The key stops working at once on this instance; its usage records stay.',
    access: 'signed_in',
    params: idParams,
    successStatus: 204,
    handler: async ({ principal, params }) => {
      const key = await findVisibleKey(principal, params.id);
      if (!(await store.apiKeys.delete(key.id))) throw notFound('API key', key.id);
      await catalog.refresh();
      await recordChange(store, principal, {
        action: 'api_key.delete',
        targetType: 'api_key',
        targetId: key.id,
        before: viewApiKey(key),
        after: null,
      });
    },
  });
}
