import { providerKinds, type ProviderSettings } from '../../store/records.js';
import { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ProviderRecord } from '../../store/records.js';
import { notFound } from '../access.js';
import { recordChange } from '../audit-trail.js';
import { idParams, listOf } from '../common-schemas.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { ManageRouter } from '../router.js';
import { providerView, viewProvider } from '../views/catalog-view.js';
import { adapterFor } from '../../providers/registry.js';
import { providerTarget } from '../../providers/provider-target.js';
import { testConnection } from '../../upstream/connection-test.js';

const connectionTestView = z.object({
  ok: z.boolean(),
  status: z
    .number()
    .int()
    .nullable()
    .describe('The provider’s HTTP status; null without an answer'),
  latencyMilliseconds: z.number().int().nonnegative(),
  models: z.number().int().nullable().describe('How many models the provider listed'),
  message: z.string().describe('What happened, for a person to act on'),
});

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const baseUrl = z
  .string()
  .max(2000)
  .refine(isHttpUrl, { error: 'expected an http(s) URL, like https://api.example.com/v1' });
const apiKey = z.string().min(1).max(10_000).describe('Stored encrypted; never shown again');
const headers = z
  .record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(10_000))
  .describe('Extra headers sent upstream; replaces the whole set');
const maxTokensField = z.enum(['max_tokens', 'max_completion_tokens']);
const adapterSettings = {
  apiVersion: z
    .string()
    .max(50)
    .optional()
    .describe("Azure's api-version, or Gemini's API version"),
  anthropicVersion: z.string().max(50).optional().describe("Anthropic's anthropic-version header"),
  defaultMaxTokens: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Anthropic: max_tokens when neither the client nor the wallet sets one'),
};

/** The adapter settings given in a body, without the absent ones. */
function givenAdapterSettings(body: {
  apiVersion?: string | undefined;
  anthropicVersion?: string | undefined;
  defaultMaxTokens?: number | undefined;
}): Pick<ProviderSettings, 'apiVersion' | 'anthropicVersion' | 'defaultMaxTokens'> {
  return {
    ...(body.apiVersion === undefined ? {} : { apiVersion: body.apiVersion }),
    ...(body.anthropicVersion === undefined ? {} : { anthropicVersion: body.anthropicVersion }),
    ...(body.defaultMaxTokens === undefined ? {} : { defaultMaxTokens: body.defaultMaxTokens }),
  };
}

const createBody = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
      error: 'use up to 63 lowercase letters, digits, dots, dashes or underscores',
    }),
    kind: z.enum(providerKinds).default('openai-compatible'),
    baseUrl,
    apiKey: apiKey.optional(),
    streamUsage: z.boolean().default(true),
    maxTokensField: maxTokensField.default('max_tokens'),
    headers: headers.default({}),
    ...adapterSettings,
  })
  .strict();

const updateBody = z
  .object({
    baseUrl: baseUrl.optional(),
    apiKey: apiKey.nullable().optional().describe('A new secret; null removes it'),
    streamUsage: z.boolean().optional(),
    maxTokensField: maxTokensField.optional(),
    headers: headers.optional(),
    ...adapterSettings,
  })
  .strict();

/** Upstream providers; their secrets are sealed with the gateway's key and never returned. */
export function providerRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  const { store, catalog, secrets } = dependencies;

  async function findProvider(id: number): Promise<ProviderRecord> {
    const provider = (await store.catalog.listProviders()).find((entry) => entry.id === id);
    if (!provider) throw notFound('provider', id);
    return provider;
  }

  router.route({
    method: 'GET',
    path: '/providers',
    operationId: 'listProviders',
    tag: 'providers',
    summary: 'List providers',
    access: 'admin',
    response: listOf(providerView),
    handler: async () => ({ data: (await store.catalog.listProviders()).map(viewProvider) }),
  });

  router.route({
    method: 'POST',
    path: '/providers',
    operationId: 'createProvider',
    tag: 'providers',
    summary: 'Create a provider',
    access: 'admin',
    successStatus: 201,
    body: createBody,
    response: providerView,
    handler: async ({ principal, body }) => {
      if (await store.catalog.findProviderByName(body.name)) {
        throw new GatewayError('already_exists', `A provider '${body.name}' already exists.`, {
          param: 'name',
        });
      }
      const provider = await store.catalog.upsertProvider({
        name: body.name,
        kind: body.kind,
        baseUrl: body.baseUrl,
        apiKeyEncrypted: body.apiKey === undefined ? null : secrets.seal(body.apiKey),
        settings: {
          streamUsage: body.streamUsage,
          maxTokensField: body.maxTokensField,
          headers: body.headers,
          ...givenAdapterSettings(body),
        },
      });
      await catalog.refresh();
      const view = viewProvider(provider);
      await recordChange(store, principal, {
        action: 'provider.create',
        targetType: 'provider',
        targetId: provider.id,
        before: null,
        after: view,
      });
      return view;
    },
  });

  router.route({
    method: 'PATCH',
    path: '/providers/:id',
    operationId: 'updateProvider',
    tag: 'providers',
    summary: 'Update a provider',
    access: 'admin',
    params: idParams,
    body: updateBody,
    response: providerView,
    handler: async ({ principal, params, body }) => {
      const existing = await findProvider(params.id);
      const provider = await store.catalog.upsertProvider({
        name: existing.name,
        kind: existing.kind,
        baseUrl: body.baseUrl ?? existing.baseUrl,
        apiKeyEncrypted:
          body.apiKey === undefined
            ? existing.apiKeyEncrypted
            : body.apiKey === null
              ? null
              : secrets.seal(body.apiKey),
        settings: {
          streamUsage: body.streamUsage ?? existing.settings.streamUsage,
          maxTokensField: body.maxTokensField ?? existing.settings.maxTokensField,
          headers: body.headers ?? existing.settings.headers,
          ...givenAdapterSettings({ ...existing.settings, ...body }),
        },
      });
      await catalog.refresh();
      const after = viewProvider(provider);
      await recordChange(store, principal, {
        action: 'provider.update',
        targetType: 'provider',
        targetId: provider.id,
        before: viewProvider(existing),
        after: { ...after, apiKeyChanged: body.apiKey !== undefined },
      });
      return after;
    },
  });

  router.route({
    method: 'POST',
    path: '/providers/:id/test',
    operationId: 'testProvider',
    tag: 'providers',
    summary: 'Test a provider’s connection',
    description:
      'Asks the provider for its model list with the stored key: this proves the base URL, the network path and the key, and costs nothing. A failure is an answer (ok: false, with what went wrong), not an error.',
    access: 'admin',
    params: idParams,
    response: connectionTestView,
    handler: async ({ params }) => {
      const provider = await findProvider(params.id);
      const apiKey =
        provider.apiKeyEncrypted === null ? null : secrets.open(provider.apiKeyEncrypted);
      return testConnection(
        dependencies.upstream,
        adapterFor(provider),
        providerTarget(provider, apiKey, ''),
      );
    },
  });
}
