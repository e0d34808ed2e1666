import { providerKinds } from '../store/records.js';
import { z } from 'zod';
import { parseMoney } from '../billing/money.js';

const money = z.union([z.string(), z.number()]).transform((value, context) => {
  try {
    return parseMoney(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const wholeNumber = (minimum: number, maximum: number) =>
  z.coerce
    .number({ error: `expected a whole number between ${minimum} and ${maximum}` })
    .int({ error: `expected a whole number between ${minimum} and ${maximum}` })
    .min(minimum, { error: `must be at least ${minimum}` })
    .max(maximum, { error: `must be at most ${maximum}` });

const booleanSetting = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((value) => value === true || value === 'true' || value === '1' || value === 'yes');

/** The relay splits base URLs with `new URL`, so anything it cannot parse is refused here. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const httpUrl = z.string().refine(isHttpUrl, { error: 'expected an http(s) URL' });

/** A set of limits; each absent one is unlimited. Money limits are micro-units. */
export const limitSetSchema = z
  .object({
    rpm: wholeNumber(1, 10_000_000).optional().describe('requests per minute'),
    tpm: wholeNumber(1, 10_000_000_000).optional().describe('tokens per minute'),
    rpd: wholeNumber(1, 1_000_000_000).optional().describe('requests per day'),
    dailySpend: wholeNumber(1, Number.MAX_SAFE_INTEGER)
      .optional()
      .describe('spend per day in micro-units (1 currency unit = 1,000,000)'),
    tokenQuota: wholeNumber(1, Number.MAX_SAFE_INTEGER)
      .optional()
      .describe('tokens in total, or per month (see `tokenQuotaPeriod`)'),
    tokenQuotaPeriod: z
      .enum(['lifetime', 'month'])
      .optional()
      .describe('when the token quota resets; unset: `lifetime` (never)'),
    maxConcurrency: wholeNumber(1, 100_000).optional().describe('requests in flight at once'),
  })
  .strict();

export const timeoutsSchema = z
  .object({
    connectMilliseconds: wholeNumber(1, 600_000)
      .default(10_000)
      .describe('time to open a connection'),
    firstByteMilliseconds: wholeNumber(1, 3_600_000)
      .default(300_000)
      .describe(
        "time until the upstream's response headers arrive (for a non-streaming request, usually the whole generation)",
      ),
    idleMilliseconds: wholeNumber(1, 3_600_000)
      .default(120_000)
      .describe('longest gap between two pieces of the response body'),
  })
  .strict();

export const deploymentConfigSchema = z
  .object({
    provider: z
      .string()
      .min(1)
      .describe(
        'a provider name from this file, a shortcut, or the database (`switchyard providers list`)',
      ),
    upstreamModel: z
      .string()
      .min(1)
      .optional()
      .describe(
        'the name the provider knows the model by, sent upstream in place of the public id; unset: the model `id`',
      ),
    priority: wholeNumber(0, 1000).default(0).describe('lower is tried first'),
    weight: wholeNumber(1, 1000)
      .default(1)
      .describe('share of traffic among deployments of the same priority'),
    timeouts: timeoutsSchema
      .default({
        connectMilliseconds: 10_000,
        firstByteMilliseconds: 300_000,
        idleMilliseconds: 120_000,
      })
      .describe('upstream timeouts; each has its own default, so you can set only one'),
  })
  .strict();

export const modelConfigSchema = z
  .object({
    id: z.string().min(1).max(200).describe('the public model id clients send'),
    kind: z
      .enum(['chat', 'embedding'])
      .default('chat')
      .describe('which endpoint serves it: `/v1/chat/completions` or `/v1/embeddings`'),
    prices: z
      .object({
        input: money.default(0).describe('per 1M prompt tokens'),
        output: money.default(0).describe('per 1M completion tokens'),
        cachedInput: money
          .optional()
          .describe(
            "per 1M prompt tokens served from the provider's cache; unset: same as `prices.input`",
          ),
        perRequest: money.default(0).describe('flat fee per request (not per 1M tokens)'),
      })
      .strict()
      .default({ input: 0, output: 0, perRequest: 0 })
      .describe(
        "decimal amounts of your currency, at most 6 digits after the point; quote them (`'0.28'`) to keep them exact ([prices](configuration.md#prices))",
      ),
    contextWindow: wholeNumber(1, 100_000_000)
      .optional()
      .describe('context size in tokens; stored and shown, not enforced'),
    maxOutputTokens: wholeNumber(1, 100_000_000)
      .optional()
      .describe(
        'largest answer in tokens; with no `max_tokens` from the client, the wallet hold plans for the smaller of it and 4096 output tokens, sent upstream as the cap',
      ),
    aliases: z
      .array(z.string().min(1).max(200))
      .max(50)
      .default([])
      .describe(
        'other names clients may send for this model, e.g. a short or legacy name; ids and aliases share one namespace',
      ),
    deployments: z
      .array(deploymentConfigSchema)
      .default([])
      .describe('where the model is served; a model without one answers 502'),
  })
  .strict();

export const providerConfigSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
        error: 'use lowercase letters, digits, dot, dash or underscore',
      })
      .describe(
        'unique name: 1–63 lowercase letters, digits, `.`, `-`, `_`, starting with a letter or digit',
      ),
    kind: z
      .enum(providerKinds)
      .default('openai-compatible')
      .describe('the adapter ([providers.md](providers.md))'),
    baseUrl: httpUrl.describe(
      'http(s) URL of the API base, including `/v1`; the gateway appends `/chat/completions` and `/embeddings`',
    ),
    apiKey: z
      .string()
      .min(1)
      .optional()
      .describe(
        'sent as `Authorization: Bearer …` and stored encrypted with the secret key; write `${VAR}` to keep it out of the file',
      ),
    streamUsage: z
      .boolean()
      .default(true)
      .describe(
        'the server honours `stream_options.include_usage`; when `false`, streams are metered by counting tokens',
      ),
    maxTokensField: z
      .enum(['max_tokens', 'max_completion_tokens'])
      .default('max_tokens')
      .describe(
        '`openai-compatible` and `azure`: the field the gateway uses for its own output cap (the output tokens the wallet hold pays for) when the client set neither `max_tokens` nor `max_completion_tokens`',
      ),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe(
        "extra headers sent with every upstream request; names are lower-cased, and `apiKey`'s `authorization` wins over a header of that name",
      ),
    apiVersion: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Azure OpenAI's `api-version` query parameter, or Gemini's API version in the path; other kinds ignore it; unset: `2024-10-21` for `azure`, `v1beta` for `gemini`",
      ),
    anthropicVersion: z
      .string()
      .min(1)
      .optional()
      .describe('`anthropic` only: the `anthropic-version` header; unset: `2023-06-01`'),
    defaultMaxTokens: wholeNumber(1, 10_000_000)
      .optional()
      .describe(
        '`anthropic` only: the `max_tokens` sent when neither the gateway nor the client set a cap (Anthropic requires one); unset: `4096`',
      ),
  })
  .strict();

/**
 * Fail-over and the circuit breaker (docs/providers.md). The defaults follow what proxies with
 * outlier detection do (Envoy: 5 consecutive failures, 30 s base ejection, 300 s at most) and
 * keep a short blip from taking a deployment out: a cooldown starts short and grows only while
 * the deployment keeps failing its probes.
 */
const routingDefaults = {
  maxAttempts: 3,
  failureThreshold: 5,
  errorRateThreshold: 0.5,
  minimumRequests: 20,
  windowMilliseconds: 60_000,
  cooldownMilliseconds: 30_000,
  maxCooldownMilliseconds: 300_000,
};

export const routingSchema = z
  .object({
    maxAttempts: wholeNumber(1, 10)
      .default(routingDefaults.maxAttempts)
      .describe('most deployments tried per request'),
    failureThreshold: wholeNumber(1, 10_000)
      .default(routingDefaults.failureThreshold)
      .describe("consecutive failures that open a deployment's circuit breaker"),
    errorRateThreshold: z.coerce
      .number({ error: 'expected a share between 0.01 and 1, like 0.5' })
      .min(0.01, { error: 'must be at least 0.01' })
      .max(1, { error: 'must be at most 1' })
      .default(routingDefaults.errorRateThreshold)
      .describe('share of failed requests in the window that opens it'),
    minimumRequests: wholeNumber(1, 10_000)
      .default(routingDefaults.minimumRequests)
      .describe('requests in the window before the error rate counts'),
    windowMilliseconds: wholeNumber(1_000, 3_600_000)
      .default(routingDefaults.windowMilliseconds)
      .describe('the window the error rate is measured over'),
    cooldownMilliseconds: wholeNumber(100, 3_600_000)
      .default(routingDefaults.cooldownMilliseconds)
      .describe('first cooldown of a deployment taken out'),
    maxCooldownMilliseconds: wholeNumber(100, 86_400_000)
      .default(routingDefaults.maxCooldownMilliseconds)
      .describe(
        'longest cooldown, at least `cooldownMilliseconds`; cooldowns grow while probes keep failing',
      ),
  })
  .strict()
  .refine((routing) => routing.maxCooldownMilliseconds >= routing.cooldownMilliseconds, {
    error: 'maxCooldownMilliseconds must be at least cooldownMilliseconds',
    path: ['maxCooldownMilliseconds'],
  });

/** Model ids and aliases share one namespace: each name must point at one model. */
function checkModelNames(
  config: { models: ReadonlyArray<{ id: string; aliases: readonly string[] }> },
  context: z.RefinementCtx,
): void {
  const owners = new Map<string, string>();
  config.models.forEach((model) => owners.set(model.id, model.id));
  config.models.forEach((model, index) => {
    model.aliases.forEach((alias, at) => {
      const owner = owners.get(alias);
      if (owner !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['models', index, 'aliases', at],
          message:
            owner === alias
              ? `'${alias}' is already a model id`
              : `'${alias}' is already an alias of the model '${owner}'`,
        });
        return;
      }
      owners.set(alias, model.id);
    });
  });
}

export const configSchema = z
  .object({
    server: z
      .object({
        host: z
          .string()
          .min(1)
          .default('127.0.0.1')
          .describe('address to listen on; `0.0.0.0` for every IPv4 interface'),
        port: wholeNumber(0, 65_535)
          .default(8080)
          .describe('port to listen on; `0` picks a free one'),
        bodyLimitBytes: wholeNumber(1024, 1024 * 1024 * 1024)
          .default(10 * 1024 * 1024)
          .describe('largest request body in bytes; larger ones get 413 `request_too_large`'),
        trustProxy: booleanSetting
          .default(false)
          .describe("trust `X-Forwarded-*` headers from a reverse proxy (Fastify's `trustProxy`)"),
        dashboard: booleanSetting
          .default(true)
          .describe(
            'serve the dashboard (built into `dist/web` by `npm run build`) at `/`; `false` leaves only the APIs, for relay-only instances',
          ),
        shutdownTimeoutMilliseconds: wholeNumber(0, 3_600_000)
          .default(30_000)
          .describe(
            'on `SIGTERM`, how long open requests and streams may run before their connections are cut; cut streams are charged for what they delivered',
          ),
      })
      .strict()
      .default({
        host: '127.0.0.1',
        port: 8080,
        bodyLimitBytes: 10 * 1024 * 1024,
        trustProxy: false,
        dashboard: true,
        shutdownTimeoutMilliseconds: 30_000,
      })
      .describe('The HTTP server.'),
    dataDirectory: z
      .string()
      .min(1)
      .default('./data')
      .describe(
        'where the SQLite database, `secret.key` and `initial-admin-password` live; relative to the working directory',
      ),
    database: z
      .object({
        url: z
          .string()
          .refine((value) => /^(sqlite:|postgres(ql)?:\/\/)/.test(value), {
            error: "expected 'sqlite:<file>' or 'postgres://…'",
          })
          .optional()
          .describe(
            '`sqlite:<file>`, or `postgres://…` / `postgresql://…` for PostgreSQL; unset: `sqlite:<dataDirectory>/switchyard.db`',
          ),
      })
      .strict()
      .default({})
      .describe(
        'Where accounts, keys, wallets, the ledger, the catalog and usage records are stored.',
      ),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('the least severe level logged; logs are JSON lines (pino) on standard output'),
    secretKey: z
      .string()
      .refine((value) => decodeSecretKey(value) !== undefined, {
        error: 'expected 32 bytes as 64 hex digits or base64',
      })
      .optional()
      .describe(
        '32 bytes, as 64 hex digits or base64 (`openssl rand -hex 32`), that encrypt provider secrets at rest; keep it with the database backup; unset: read from or created in `<dataDirectory>/secret.key`',
      ),
    adminToken: z
      .string()
      .min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
      .optional()
      .describe(
        'bearer token that acts as the system admin on the management API ([management-api.md](management-api.md)); make one with `openssl rand -hex 32`; unset disables it',
      ),
    admin: z
      .object({
        username: z
          .string()
          .min(1)
          .default('admin')
          .describe('name of the admin account created on the first start'),
        password: z
          .string()
          .min(12, { error: 'must be at least 12 characters' })
          .optional()
          .describe(
            'its password, used only on the first start (ignored once any account exists); unset: generated and written to `<dataDirectory>/initial-admin-password`',
          ),
      })
      .strict()
      .default({ username: 'admin' })
      .describe('The admin account created on the first start.'),
    catalogRefreshMilliseconds: wholeNumber(50, 60_000)
      .default(250)
      .describe('how often each process checks whether providers, models, prices or keys changed'),
    usage: z
      .object({
        flushIntervalMilliseconds: wholeNumber(10, 60_000)
          .default(100)
          .describe(
            'how often finished requests are settled (usage records written, wallets charged, holds released)',
          ),
        batchSize: wholeNumber(1, 1_000)
          .default(500)
          .describe('most requests settled per write transaction; a full queue is written at once'),
        retentionDays: wholeNumber(0, 36_500)
          .default(0)
          .describe(
            'usage records older than this many days are deleted by housekeeping; `0` keeps them forever',
          ),
      })
      .strict()
      .default({ flushIntervalMilliseconds: 100, batchSize: 500, retentionDays: 0 })
      .describe('Settling finished requests, and how long their usage records are kept.'),
    billing: z
      .object({
        holdTtlMilliseconds: wholeNumber(60_000, 86_400_000)
          .default(3_600_000)
          .describe(
            'how long a wallet hold lives; a hold whose request died with its process is released after it',
          ),
        maintenanceIntervalMilliseconds: wholeNumber(1_000, 3_600_000)
          .default(60_000)
          .describe(
            'how often housekeeping runs (expired holds, expired sessions, usage retention)',
          ),
      })
      .strict()
      .default({ holdTtlMilliseconds: 3_600_000, maintenanceIntervalMilliseconds: 60_000 })
      .describe('Wallet holds and housekeeping ([money.md](money.md)).'),
    limits: z
      .object({
        defaults: limitSetSchema
          .default({ rpm: 600 })
          .describe(
            "limits of every key whose own and account's limits leave them unset; each absent limit is unlimited, and setting this replaces the built-in `{ rpm: 600 }` as a whole",
          ),
        dayOffsetMinutes: wholeNumber(-1439, 1439)
          .default(0)
          .describe(
            'days and months (for `rpd`, `dailySpend` and monthly quotas) start at midnight of UTC+this; `480` for UTC+8',
          ),
        redisFailureMode: z
          .enum(['open', 'closed'])
          .default('open')
          .describe(
            'while Redis is unreachable: `open` admits without limits, `closed` refuses with 503 `limits_unavailable`',
          ),
      })
      .strict()
      .default({ defaults: { rpm: 600 }, dayOffsetMinutes: 0, redisFailureMode: 'open' })
      .describe(
        'Rate limits and quotas; how they are inherited and enforced is in [limits.md](limits.md).',
      ),
    redis: z
      .object({
        url: z
          .string()
          .refine((value) => /^rediss?:\/\//.test(value), {
            error: "expected 'redis://…' or 'rediss://…'",
          })
          .optional()
          .describe(
            "`redis://…` or `rediss://…`: the shared limiter, needed when several instances serve one database; unset: limits are kept in each process's memory",
          ),
      })
      .strict()
      .default({})
      .describe('Redis, shared by instances that scale out ([scale-out.md](scale-out.md)).'),
    metrics: z
      .object({
        enabled: booleanSetting
          .default(true)
          .describe('serve Prometheus metrics at `GET /metrics`; `false` answers 404'),
        token: z
          .string()
          .min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
          .optional()
          .describe(
            'bearer token a scrape of `/metrics` must send as `Authorization: Bearer <token>`, or get 401; unset: open',
          ),
      })
      .strict()
      .default({ enabled: true })
      .describe('Prometheus metrics ([metrics.md](metrics.md)).'),
    routing: routingSchema
      .default(routingDefaults)
      .describe(
        'Fail-over between deployments and the circuit breaker ([providers.md](providers.md)).',
      ),
    providers: z
      .array(providerConfigSchema)
      .default([])
      .describe(
        'Upstream servers, written into the database on every start ([configuration.md](configuration.md#providers)).',
      ),
    models: z
      .array(modelConfigSchema)
      .default([])
      .describe(
        'Public models, with their prices and deployments, written into the database on every start ([configuration.md](configuration.md#models)).',
      ),
  })
  .strict()
  .superRefine(checkModelNames);

export type GatewayConfig = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerConfigSchema>;
export type ModelConfig = z.output<typeof modelConfigSchema>;
export type DeploymentConfig = z.output<typeof deploymentConfigSchema>;
export type DeploymentTimeouts = z.output<typeof timeoutsSchema>;
export type RoutingConfig = z.output<typeof routingSchema>;

/** Decodes a 32-byte key written as hex or base64; undefined when it is neither. */
export function decodeSecretKey(value: string): Buffer | undefined {
  const text = value.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(text)
    ? Buffer.from(text, 'hex')
    : Buffer.from(text, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}
