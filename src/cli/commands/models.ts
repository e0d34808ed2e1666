import { formatMoney, parseMoney } from '../../billing/money.js';
import type { ModelPrices } from '../../billing/cost.js';
import {
  onePositional,
  optionalString,
  printTable,
  requireString,
  UsageError,
  type Command,
  type OptionValues,
} from '../command.js';

function money(values: OptionValues, name: string, fallback: number): number {
  const text = optionalString(values, name);
  if (text === undefined) return fallback;
  try {
    return parseMoney(text);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

function wholeNumber(
  values: OptionValues,
  name: string,
  fallback: number | undefined,
  range: { minimum: number; maximum: number },
): number | undefined {
  const text = optionalString(values, name);
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= range.minimum && value <= range.maximum)) {
    throw new UsageError(
      `--${name}: '${text}' is not a whole number from ${range.minimum} to ${range.maximum}`,
    );
  }
  return value;
}

const tokenCount = { minimum: 1, maximum: 100_000_000 };

const priceOptions = {
  'input-price': { type: 'string' },
  'output-price': { type: 'string' },
  'cached-input-price': { type: 'string' },
  'request-price': { type: 'string' },
} as const;

const priceHelp = {
  'input-price': 'price per 1M input tokens, in currency units (e.g. 0.28)',
  'output-price': 'price per 1M output tokens',
  'cached-input-price': 'price per 1M cached input tokens (default: the input price)',
  'request-price': 'flat fee per request (default 0)',
};

function readPrices(values: OptionValues, current: ModelPrices | undefined): ModelPrices {
  const input = money(values, 'input-price', current?.input ?? 0);
  return {
    input,
    output: money(values, 'output-price', current?.output ?? 0),
    cachedInput: money(values, 'cached-input-price', current?.cachedInput ?? input),
    perRequest: money(values, 'request-price', current?.perRequest ?? 0),
  };
}

export const modelsAdd: Command = {
  group: 'models',
  name: 'add',
  summary: 'Add a model with its prices, and route it to a provider',
  usage:
    '--id MODEL [--kind chat|embedding] [--input-price P] [--output-price P] [--provider NAME [--upstream-model NAME] [--priority N] [--weight N]]',
  options: {
    id: { type: 'string' },
    kind: { type: 'string' },
    ...priceOptions,
    'context-window': { type: 'string' },
    'max-output-tokens': { type: 'string' },
    provider: { type: 'string' },
    'upstream-model': { type: 'string' },
    priority: { type: 'string' },
    weight: { type: 'string' },
  },
  optionHelp: {
    id: 'the public model id clients send, e.g. deepseek-chat',
    kind: 'chat (default for a new model) or embedding',
    ...priceHelp,
    'context-window': 'context size in tokens',
    'max-output-tokens': 'largest answer the model can give, in tokens',
    provider: 'add a deployment of this model on this provider',
    'upstream-model': "the provider's name for the model (default: the id)",
    priority: 'lower is tried first (default 0)',
    weight: 'share of traffic among deployments of the same priority (default 1)',
  },
  async run(context, values) {
    const id = requireString(values, 'id');
    if (id.length > 200 || /\s/.test(id))
      throw new UsageError('--id: use up to 200 characters without spaces');
    const kindText = optionalString(values, 'kind');
    if (kindText !== undefined && kindText !== 'chat' && kindText !== 'embedding')
      throw new UsageError(`--kind: '${kindText}' is not a kind; use chat or embedding`);
    const providerName = optionalString(values, 'provider');
    if (providerName === undefined) {
      for (const name of ['upstream-model', 'priority', 'weight']) {
        if (optionalString(values, name) !== undefined)
          throw new UsageError(`--${name} describes a deployment; it needs --provider NAME`);
      }
    }
    const priority = wholeNumber(values, 'priority', 0, { minimum: 0, maximum: 1000 }) ?? 0;
    const weight = wholeNumber(values, 'weight', 1, { minimum: 1, maximum: 1000 }) ?? 1;
    const store = await context.store();
    // Check everything before writing, so a mistake leaves no half-added model behind.
    const provider =
      providerName === undefined ? undefined : await store.catalog.findProviderByName(providerName);
    if (providerName !== undefined && !provider)
      throw new UsageError(
        `no provider is named '${providerName}' (see: switchyard providers list)`,
      );
    const existing = await store.catalog.findModel(id);
    const input = {
      id,
      kind: kindText ?? existing?.kind ?? 'chat',
      prices: readPrices(values, existing?.prices),
      contextWindow:
        wholeNumber(values, 'context-window', existing?.contextWindow ?? undefined, tokenCount) ??
        null,
      maxOutputTokens:
        wholeNumber(
          values,
          'max-output-tokens',
          existing?.maxOutputTokens ?? undefined,
          tokenCount,
        ) ?? null,
    };
    const model = await store.catalog.upsertModel(input, { replace: true });
    context.stdout.write(
      `${existing ? 'Updated' : 'Added'} model '${model.id}' (${model.kind}): input ${formatMoney(model.prices.input)}, output ${formatMoney(model.prices.output)} per 1M tokens.\n`,
    );
    if (provider) {
      const upstreamModel = optionalString(values, 'upstream-model') ?? id;
      const deployment = await store.catalog.ensureDeployment({
        modelId: id,
        providerId: provider.id,
        upstreamModel,
        priority,
        weight,
        timeouts: {
          connectMilliseconds: 10_000,
          firstByteMilliseconds: 300_000,
          idleMilliseconds: 120_000,
        },
      });
      context.stdout.write(
        `Routed to provider '${provider.name}' as '${deployment.upstreamModel}' (deployment ${deployment.id}).\n`,
      );
      if (deployment.priority !== priority || deployment.weight !== weight) {
        context.stdout.write(
          `That deployment already existed and keeps its priority ${deployment.priority} and weight ${deployment.weight}.\n`,
        );
      }
    } else if (!existing) {
      context.stdout.write(
        `No provider yet: run this again with --provider NAME so requests can be served.\n`,
      );
    }
    return 0;
  },
};

export const modelsPrice: Command = {
  group: 'models',
  name: 'price',
  summary: 'Change the prices of a model; running gateways use them within a second',
  usage: 'MODEL [--input-price P] [--output-price P] [--cached-input-price P] [--request-price P]',
  options: { ...priceOptions },
  optionHelp: { ...priceHelp },
  positionals: true,
  async run(context, values, positionals) {
    const id = onePositional(positionals, 'name the model whose prices to change');
    const given = Object.keys(priceOptions).filter(
      (name) => optionalString(values, name) !== undefined,
    );
    if (given.length === 0) {
      throw new UsageError(
        `give at least one of ${Object.keys(priceOptions)
          .map((name) => `--${name}`)
          .join(', ')}`,
      );
    }
    const store = await context.store();
    const model = await store.catalog.findModel(id);
    if (!model) throw new UsageError(`no model is named '${id}' (see: switchyard models list)`);
    const prices = readPrices(values, model.prices);
    await store.catalog.setModelPrices(id, prices);
    context.stdout.write(
      `Model '${id}': input ${formatMoney(prices.input)}, output ${formatMoney(prices.output)}, cached input ${formatMoney(prices.cachedInput)} per 1M tokens; ${formatMoney(prices.perRequest)} per request.\n`,
    );
    return 0;
  },
};

export const modelsList: Command = {
  group: 'models',
  name: 'list',
  summary: 'List models, their prices (per 1M tokens) and deployments',
  usage: '[--json]',
  options: { json: { type: 'boolean', default: false } },
  optionHelp: { json: 'print JSON instead of a table' },
  async run(context, values) {
    const store = await context.store();
    const [models, deployments, providers] = await Promise.all([
      store.catalog.listModels(),
      store.catalog.listDeployments(),
      store.catalog.listProviders(),
    ]);
    const providerNames = new Map(providers.map((provider) => [provider.id, provider.name]));
    const routes = (modelId: string): string[] =>
      deployments
        .filter((deployment) => deployment.modelId === modelId)
        .map(
          (deployment) =>
            `${providerNames.get(deployment.providerId) ?? '?'}:${deployment.upstreamModel}`,
        );
    if (values.json === true) {
      context.stdout.write(
        `${JSON.stringify(
          models.map((model) => ({ ...model, deployments: routes(model.id) })),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    printTable(
      context.stdout,
      ['ID', 'KIND', 'INPUT', 'OUTPUT', 'CACHED', 'PER REQUEST', 'DEPLOYMENTS'],
      models.map((model) => [
        model.id,
        model.kind,
        formatMoney(model.prices.input),
        formatMoney(model.prices.output),
        formatMoney(model.prices.cachedInput),
        formatMoney(model.prices.perRequest),
        routes(model.id).join(', ') || '(none)',
      ]),
    );
    return 0;
  },
};
