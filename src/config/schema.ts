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
    rpm: wholeNumber(1, 10_000_000).optional(),
    tpm: wholeNumber(1, 10_000_000_000).optional(),
    rpd: wholeNumber(1, 1_000_000_000).optional(),
    dailySpend: wholeNumber(1, Number.MAX_SAFE_INTEGER).optional(),
    tokenQuota: wholeNumber(1, Number.MAX_SAFE_INTEGER).optional(),
    tokenQuotaPeriod: z.enum(['lifetime', 'month']).optional(),
    maxConcurrency: wholeNumber(1, 100_000).optional(),
  })
  .strict();

export const timeoutsSchema = z
  .object({
    connectMilliseconds: wholeNumber(1, 600_000).default(10_000),
    firstByteMilliseconds: wholeNumber(1, 3_600_000).default(300_000),
    idleMilliseconds: wholeNumber(1, 3_600_000).default(120_000),
  })
  .strict();

export const deploymentConfigSchema = z
  .object({
    provider: z.string().min(1),
    upstreamModel: z.string().min(1).optional(),
    priority: wholeNumber(0, 1000).default(0),
    weight: wholeNumber(1, 1000).default(1),
    timeouts: timeoutsSchema.default({
      connectMilliseconds: 10_000,
      firstByteMilliseconds: 300_000,
      idleMilliseconds: 120_000,
    }),
  })
  .strict();

export const modelConfigSchema = z
  .object({
    id: z.string().min(1).max(200),
    kind: z.enum(['chat', 'embedding']).default('chat'),
    prices: z
      .object({
        input: money.default(0),
        output: money.default(0),
        cachedInput: money.optional(),
        perRequest: money.default(0),
      })
      .strict()
      .default({ input: 0, output: 0, perRequest: 0 }),
    contextWindow: wholeNumber(1, 100_000_000).optional(),
    maxOutputTokens: wholeNumber(1, 100_000_000).optional(),
    // Other names clients may send for this model, e.g. a short or legacy name.
    aliases: z.array(z.string().min(1).max(200)).max(50).default([]),
    deployments: z.array(deploymentConfigSchema).default([]),
  })
  .strict();

export const providerConfigSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
      error: 'use lowercase letters, digits, dot, dash or underscore',
    }),
    kind: z.enum(providerKinds).default('openai-compatible'),
    baseUrl: httpUrl,
    apiKey: z.string().min(1).optional(),
    streamUsage: z.boolean().default(true),
    maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
    headers: z.record(z.string(), z.string()).default({}),
    apiVersion: z.string().min(1).optional(),
    anthropicVersion: z.string().min(1).optional(),
    defaultMaxTokens: wholeNumber(1, 10_000_000).optional(),
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
    maxAttempts: wholeNumber(1, 10).default(routingDefaults.maxAttempts),
    failureThreshold: wholeNumber(1, 10_000).default(routingDefaults.failureThreshold),
    errorRateThreshold: z.coerce
      .number({ error: 'expected a share between 0.01 and 1, like 0.5' })
      .min(0.01, { error: 'must be at least 0.01' })
      .max(1, { error: 'must be at most 1' })
      .default(routingDefaults.errorRateThreshold),
    minimumRequests: wholeNumber(1, 10_000).default(routingDefaults.minimumRequests),
    windowMilliseconds: wholeNumber(1_000, 3_600_000).default(routingDefaults.windowMilliseconds),
    cooldownMilliseconds: wholeNumber(100, 3_600_000).default(routingDefaults.cooldownMilliseconds),
    maxCooldownMilliseconds: wholeNumber(100, 86_400_000).default(
      routingDefaults.maxCooldownMilliseconds,
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
        host: z.string().min(1).default('127.0.0.1'),
        port: wholeNumber(0, 65_535).default(8080),
        bodyLimitBytes: wholeNumber(1024, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
        trustProxy: booleanSetting.default(false),
        dashboard: booleanSetting.default(true),
        shutdownTimeoutMilliseconds: wholeNumber(0, 3_600_000).default(30_000),
      })
      .strict()
      .default({
        host: '127.0.0.1',
        port: 8080,
        bodyLimitBytes: 10 * 1024 * 1024,
        trustProxy: false,
        dashboard: true,
        shutdownTimeoutMilliseconds: 30_000,
      }),
    dataDirectory: z.string().min(1).default('./data'),
    database: z
      .object({
        url: z
          .string()
          .refine((value) => /^(sqlite:|postgres(ql)?:\/\/)/.test(value), {
            error: "expected 'sqlite:<file>' or 'postgres://…'",
          })
          .optional(),
      })
      .strict()
      .default({}),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    secretKey: z
      .string()
      .refine((value) => decodeSecretKey(value) !== undefined, {
        error: 'expected 32 bytes as 64 hex digits or base64',
      })
      .optional(),
    // Bearer token that acts as the system admin on the management API; unset disables it.
    adminToken: z
      .string()
      .min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
      .optional(),
    admin: z
      .object({
        username: z.string().min(1).default('admin'),
        password: z.string().min(12, { error: 'must be at least 12 characters' }).optional(),
      })
      .strict()
      .default({ username: 'admin' }),
    catalogRefreshMilliseconds: wholeNumber(50, 60_000).default(250),
    usage: z
      .object({
        flushIntervalMilliseconds: wholeNumber(10, 60_000).default(100),
        batchSize: wholeNumber(1, 1_000).default(500),
        retentionDays: wholeNumber(0, 36_500).default(0),
      })
      .strict()
      .default({ flushIntervalMilliseconds: 100, batchSize: 500, retentionDays: 0 }),
    billing: z
      .object({
        holdTtlMilliseconds: wholeNumber(60_000, 86_400_000).default(3_600_000),
        maintenanceIntervalMilliseconds: wholeNumber(1_000, 3_600_000).default(60_000),
      })
      .strict()
      .default({ holdTtlMilliseconds: 3_600_000, maintenanceIntervalMilliseconds: 60_000 }),
    limits: z
      .object({
        /** Limits of every key whose own and account's limits leave them unset. */
        defaults: limitSetSchema.default({ rpm: 600 }),
        dayOffsetMinutes: wholeNumber(-1439, 1439).default(0),
        redisFailureMode: z.enum(['open', 'closed']).default('open'),
      })
      .strict()
      .default({ defaults: { rpm: 600 }, dayOffsetMinutes: 0, redisFailureMode: 'open' }),
    redis: z
      .object({
        url: z
          .string()
          .refine((value) => /^rediss?:\/\//.test(value), {
            error: "expected 'redis://…' or 'rediss://…'",
          })
          .optional(),
      })
      .strict()
      .default({}),
    metrics: z
      .object({
        /** Serve GET /metrics (Prometheus text format). */
        enabled: booleanSetting.default(true),
        /** When set, /metrics asks for `Authorization: Bearer <token>`. */
        token: z
          .string()
          .min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
          .optional(),
      })
      .strict()
      .default({ enabled: true }),
    routing: routingSchema.default(routingDefaults),
    providers: z.array(providerConfigSchema).default([]),
    models: z.array(modelConfigSchema).default([]),
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
