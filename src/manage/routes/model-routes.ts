import { z } from 'zod';
import type { ModelPrices } from '../../billing/cost.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { DeploymentInput } from '../../store/contract.js';
import type { DeploymentRecord, ModelRecord } from '../../store/records.js';
import { notFound } from '../access.js';
import { recordChange } from '../audit-trail.js';
import { idParams, listOf, priceInput } from '../common-schemas.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { ManageRouter } from '../router.js';
import {
  deploymentView,
  modelView,
  viewDeployment,
  viewModel,
  type ModelView,
} from '../views/catalog-view.js';

const modelId = z
  .string()
  .regex(/^\S{1,200}$/, { error: 'use up to 200 characters without spaces' })
  .describe('The public model id clients send; URL-encode a "/" in a path');
const tokens = z.number().int().min(1).max(100_000_000);
const milliseconds = (maximum: number) => z.number().int().min(1).max(maximum);

const priority = z.number().int().min(0).max(1000).describe('Lower is tried first');
const weight = z.number().int().min(1).max(1000);
const timeoutsInput = z
  .object({
    connectMilliseconds: milliseconds(600_000).default(10_000),
    firstByteMilliseconds: milliseconds(3_600_000).default(300_000),
    idleMilliseconds: milliseconds(3_600_000).default(120_000),
  })
  .strict();

const deploymentInput = z
  .object({
    provider: z.string().min(1).describe('The provider’s name'),
    upstreamModel: z.string().min(1).max(200).optional().describe('Default: the model id'),
    priority: priority.default(0),
    weight: weight.default(1),
    timeouts: timeoutsInput.optional(),
  })
  .strict();

const deploymentUpdate = z
  .object({
    enabled: z.boolean().optional().describe('A disabled deployment gets no traffic'),
    priority: priority.optional(),
    weight: weight.optional(),
    timeouts: timeoutsInput.optional().describe('Replaces all three; absent ones take defaults'),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, {
    error: 'send at least one of enabled, priority, weight or timeouts',
  });

const pricesInput = z
  .object({
    input: priceInput.prefault('0'),
    output: priceInput.prefault('0'),
    cachedInput: priceInput.optional().describe('Default: the input price'),
    perRequest: priceInput.prefault('0'),
  })
  .strict();

const createBody = z
  .object({
    id: modelId,
    kind: z.enum(['chat', 'embedding']).default('chat'),
    prices: pricesInput,
    contextWindow: tokens.nullish(),
    maxOutputTokens: tokens.nullish(),
    deployments: z.array(deploymentInput).max(100).default([]),
  })
  .strict();

const updateBody = z
  .object({
    kind: z.enum(['chat', 'embedding']).optional(),
    prices: z
      .object({
        input: priceInput.optional(),
        output: priceInput.optional(),
        cachedInput: priceInput.optional(),
        perRequest: priceInput.optional(),
      })
      .strict()
      .optional()
      .describe('Only the prices given change'),
    contextWindow: tokens.nullable().optional(),
    maxOutputTokens: tokens.nullable().optional(),
  })
  .strict();

const modelParams = z.object({ id: modelId }).strict();

const defaultTimeouts = {
  connectMilliseconds: 10_000,
  firstByteMilliseconds: 300_000,
  idleMilliseconds: 120_000,
};

/** Models, prices and deployments. */
export function modelRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  const { store, catalog } = dependencies;

  async function providerNames(): Promise<Map<number, string>> {
    return new Map((await store.catalog.listProviders()).map((p) => [p.id, p.name]));
  }

  async function adminView(model: ModelRecord): Promise<ModelView> {
    const names = await providerNames();
    const deployments = (await store.catalog.listDeployments())
      .filter((deployment) => deployment.modelId === model.id)
      .map((deployment) => viewDeployment(deployment, names.get(deployment.providerId) ?? '?'));
    return viewModel(model, deployments);
  }

  /** Resolves provider names first, so a bad one leaves nothing half written. */
  async function resolveDeployments(
    id: string,
    inputs: readonly z.output<typeof deploymentInput>[],
    param: (index: number) => string,
  ): Promise<DeploymentInput[]> {
    const providers = new Map((await store.catalog.listProviders()).map((p) => [p.name, p.id]));
    return inputs.map((input, index) => {
      const providerId = providers.get(input.provider);
      if (providerId === undefined) {
        throw new GatewayError(
          'invalid_value',
          `There is no provider '${input.provider}'. See GET /api/manage/providers.`,
          { param: param(index) },
        );
      }
      return {
        modelId: id,
        providerId,
        upstreamModel: input.upstreamModel ?? id,
        priority: input.priority,
        weight: input.weight,
        timeouts: input.timeouts ?? defaultTimeouts,
      };
    });
  }

  router.route({
    method: 'GET',
    path: '/models',
    operationId: 'listModels',
    tag: 'models',
    summary: 'List models and prices',
    description: 'Prices are per 1M tokens. Admins also see each model’s deployments.',
    access: 'signed_in',
    response: listOf(modelView),
    handler: async ({ principal }) => {
      const models = await store.catalog.listModels();
      if (principal.role !== 'admin') return { data: models.map((model) => viewModel(model)) };
      return { data: await Promise.all(models.map(adminView)) };
    },
  });

  router.route({
    method: 'POST',
    path: '/models',
    operationId: 'createModel',
    tag: 'models',
    summary: 'Create a model',
    access: 'admin',
    successStatus: 201,
    body: createBody,
    response: modelView,
    handler: async ({ principal, body }) => {
      if (await store.catalog.findModel(body.id)) {
        throw new GatewayError('already_exists', `A model '${body.id}' already exists.`, {
          param: 'id',
        });
      }
      const deployments = await resolveDeployments(
        body.id,
        body.deployments,
        (index) => `deployments[${index}].provider`,
      );
      const prices: ModelPrices = {
        input: body.prices.input,
        output: body.prices.output,
        cachedInput: body.prices.cachedInput ?? body.prices.input,
        perRequest: body.prices.perRequest,
      };
      const model = await store.catalog.upsertModel(
        {
          id: body.id,
          kind: body.kind,
          prices,
          contextWindow: body.contextWindow ?? null,
          maxOutputTokens: body.maxOutputTokens ?? null,
        },
        { replace: false },
      );
      for (const deployment of deployments) await store.catalog.ensureDeployment(deployment);
      await catalog.refresh();
      const view = await adminView(model);
      await recordChange(store, principal, {
        action: 'model.create',
        targetType: 'model',
        targetId: model.id,
        before: null,
        after: view,
      });
      return view;
    },
  });

  router.route({
    method: 'PATCH',
    path: '/models/:id',
    operationId: 'updateModel',
    tag: 'models',
    summary: 'Update a model’s prices or sizes',
    access: 'admin',
    params: modelParams,
    body: updateBody,
    response: modelView,
    handler: async ({ principal, params, body }) => {
      const existing = await store.catalog.findModel(params.id);
      if (!existing) throw notFound('model', params.id);
      const model = await store.catalog.upsertModel(
        {
          id: existing.id,
          kind: body.kind ?? existing.kind,
          prices: { ...existing.prices, ...body.prices },
          contextWindow:
            body.contextWindow === undefined ? existing.contextWindow : body.contextWindow,
          maxOutputTokens:
            body.maxOutputTokens === undefined ? existing.maxOutputTokens : body.maxOutputTokens,
        },
        { replace: true },
      );
      await catalog.refresh();
      const after = await adminView(model);
      await recordChange(store, principal, {
        action: 'model.update',
        targetType: 'model',
        targetId: model.id,
        before: viewModel(existing),
        after,
      });
      return after;
    },
  });

  router.route({
    method: 'POST',
    path: '/models/:id/deployments',
    operationId: 'addDeployment',
    tag: 'models',
    summary: 'Route a model to a provider',
    description:
      'Adds a deployment, or changes the priority, weight and timeouts of the one with the same provider and upstream model.',
    access: 'admin',
    successStatus: 201,
    params: modelParams,
    body: deploymentInput,
    response: deploymentView,
    handler: async ({ principal, params, body }) => {
      const model = await store.catalog.findModel(params.id);
      if (!model) throw notFound('model', params.id);
      const [input] = await resolveDeployments(model.id, [body], () => 'provider');
      const before: DeploymentRecord | undefined = (await store.catalog.listDeployments()).find(
        (deployment) =>
          deployment.modelId === model.id &&
          deployment.providerId === input?.providerId &&
          deployment.upstreamModel === input.upstreamModel,
      );
      const deployment = await store.catalog.ensureDeployment(input as DeploymentInput, {
        replace: true,
      });
      await catalog.refresh();
      const view = viewDeployment(deployment, body.provider);
      await recordChange(store, principal, {
        action: 'model.deployment',
        targetType: 'model',
        targetId: model.id,
        before: before ? viewDeployment(before, body.provider) : null,
        after: view,
      });
      return view;
    },
  });

  router.route({
    method: 'PATCH',
    path: '/deployments/:id',
    operationId: 'updateDeployment',
    tag: 'models',
    summary: 'Enable, disable or re-weight a deployment',
    description:
      'Changes only the fields given. Every instance applies it within its catalog poll; this one at once.',
    access: 'admin',
    params: idParams,
    body: deploymentUpdate,
    response: deploymentView,
    handler: async ({ principal, params, body }) => {
      const before = (await store.catalog.listDeployments()).find(
        (deployment) => deployment.id === params.id,
      );
      if (!before) throw notFound('deployment', params.id);
      const after = await store.catalog.updateDeployment(params.id, {
        ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
        ...(body.priority === undefined ? {} : { priority: body.priority }),
        ...(body.weight === undefined ? {} : { weight: body.weight }),
        ...(body.timeouts === undefined ? {} : { timeouts: body.timeouts }),
      });
      if (!after) throw notFound('deployment', params.id);
      await catalog.refresh();
      const providerName = (await providerNames()).get(after.providerId) ?? '?';
      const view = viewDeployment(after, providerName);
      await recordChange(store, principal, {
        action: 'deployment.update',
        targetType: 'deployment',
        targetId: after.id,
        before: viewDeployment(before, providerName),
        after: view,
      });
      return view;
    },
  });
}
