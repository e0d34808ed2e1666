import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { applyProviderShortcuts } from './provider-shortcuts.js';
import { configSchema, type GatewayConfig } from './schema.js';

/** Environment variables that set one config path each; the first one present wins. */
export const environmentSettings: ReadonlyArray<{ variables: string[]; path: string[] }> = [
  { variables: ['SWITCHYARD_HOST'], path: ['server', 'host'] },
  { variables: ['SWITCHYARD_PORT', 'PORT'], path: ['server', 'port'] },
  { variables: ['SWITCHYARD_BODY_LIMIT_BYTES'], path: ['server', 'bodyLimitBytes'] },
  { variables: ['SWITCHYARD_TRUST_PROXY'], path: ['server', 'trustProxy'] },
  { variables: ['SWITCHYARD_DASHBOARD'], path: ['server', 'dashboard'] },
  {
    variables: ['SWITCHYARD_SHUTDOWN_TIMEOUT_MILLISECONDS'],
    path: ['server', 'shutdownTimeoutMilliseconds'],
  },
  { variables: ['SWITCHYARD_DATA_DIR'], path: ['dataDirectory'] },
  { variables: ['DATABASE_URL'], path: ['database', 'url'] },
  { variables: ['SWITCHYARD_LOG_LEVEL', 'LOG_LEVEL'], path: ['logLevel'] },
  { variables: ['SWITCHYARD_SECRET_KEY'], path: ['secretKey'] },
  { variables: ['SWITCHYARD_ADMIN_TOKEN'], path: ['adminToken'] },
  { variables: ['SWITCHYARD_ADMIN_USERNAME'], path: ['admin', 'username'] },
  { variables: ['SWITCHYARD_ADMIN_PASSWORD'], path: ['admin', 'password'] },
  { variables: ['SWITCHYARD_USAGE_RETENTION_DAYS'], path: ['usage', 'retentionDays'] },
  { variables: ['SWITCHYARD_HOLD_TTL_MILLISECONDS'], path: ['billing', 'holdTtlMilliseconds'] },
  { variables: ['REDIS_URL'], path: ['redis', 'url'] },
  { variables: ['SWITCHYARD_REDIS_FAILURE_MODE'], path: ['limits', 'redisFailureMode'] },
  { variables: ['SWITCHYARD_DEFAULT_RPM'], path: ['limits', 'defaults', 'rpm'] },
  { variables: ['SWITCHYARD_DAY_OFFSET_MINUTES'], path: ['limits', 'dayOffsetMinutes'] },
  { variables: ['SWITCHYARD_METRICS'], path: ['metrics', 'enabled'] },
  { variables: ['SWITCHYARD_METRICS_TOKEN'], path: ['metrics', 'token'] },
];

/** A configuration that failed validation; its message names every bad setting and its source. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  environment: Readonly<Record<string, string | undefined>>;
  workingDirectory: string;
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** The YAML file that was read, if any. */
  file: string | undefined;
  /** Models added by provider shortcuts, whose stored prices a restart must not overwrite. */
  presetModelIds: ReadonlySet<string>;
  /** Where each setting given explicitly came from, by dotted path; the rest are defaults. */
  sources: ReadonlyMap<string, SettingSource>;
}

export type SettingSource = { kind: 'file' } | { kind: 'environment'; variable: string };

/** The dotted paths of a parsed YAML tree's leaves (a list counts as one leaf). */
function leafPaths(tree: unknown, prefix: string, into: Map<string, SettingSource>): void {
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    if (prefix !== '') into.set(prefix, { kind: 'file' });
    return;
  }
  for (const [key, value] of Object.entries(tree)) {
    leafPaths(value, prefix === '' ? key : `${prefix}.${key}`, into);
  }
}

type Tree = Record<string, unknown>;

function setPath(tree: Tree, keys: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1] as string] = value;
}

/** Replaces `${NAME}` in YAML strings with the environment's value, so secrets stay out of files. */
function interpolate(
  value: unknown,
  environment: LoadConfigOptions['environment'],
  problems: string[],
  where: string,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)\}/gi, (_match, name: string) => {
      const found = environment[name];
      if (found === undefined) problems.push(`${where}: refers to \${${name}}, which is not set`);
      return found ?? '';
    });
  }
  if (Array.isArray(value))
    return value.map((item, index) =>
      interpolate(item, environment, problems, `${where}[${index}]`),
    );
  if (typeof value === 'object' && value !== null) {
    const result: Tree = {};
    for (const [key, item] of Object.entries(value))
      result[key] = interpolate(item, environment, problems, where ? `${where}.${key}` : key);
    return result;
  }
  return value;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  sources: Map<string, string>,
  file: string | undefined,
): string {
  const dotted = issue.path.map(String).join('.');
  const source = sources.get(dotted) ?? (file ? `${path.basename(file)}: ${dotted}` : dotted);
  const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return `${source || '(root)'}: ${issue.message}${unknownKeys}`;
}

/**
 * Makes relative paths relative to the working directory the configuration was loaded for, so
 * the gateway and the CLI agree on where the data is whatever the process's own directory.
 */
function anchorPaths(config: GatewayConfig, workingDirectory: string): GatewayConfig {
  const url = config.database.url;
  const sqliteFile = url?.startsWith('sqlite:') ? url.slice('sqlite:'.length) : undefined;
  return {
    ...config,
    dataDirectory: path.resolve(workingDirectory, config.dataDirectory),
    database: {
      ...config.database,
      url:
        sqliteFile === undefined || sqliteFile === ':memory:'
          ? url
          : `sqlite:${path.resolve(workingDirectory, sqliteFile)}`,
    },
  };
}

/**
 * Reads the optional YAML file, lays environment variables over it, adds the providers that
 * shortcut variables name, and validates the result. Throws `ConfigError` naming each bad setting.
 */
export function loadConfig({ environment, workingDirectory }: LoadConfigOptions): LoadedConfig {
  const problems: string[] = [];
  const explicitFile = environment.SWITCHYARD_CONFIG;
  const defaultFile = path.join(workingDirectory, 'switchyard.yaml');
  const file = explicitFile
    ? path.resolve(workingDirectory, explicitFile)
    : existsSync(defaultFile)
      ? defaultFile
      : undefined;

  let tree: Tree = {};
  if (file) {
    if (!existsSync(file))
      throw new ConfigError([`SWITCHYARD_CONFIG: the file ${file} does not exist`]);
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed))
          throw new Error('the top level must be a mapping');
        tree = interpolate(parsed, environment, problems, '') as Tree;
      }
    } catch (error) {
      throw new ConfigError([`${file}: ${(error as Error).message}`]);
    }
  }

  const settingSources = new Map<string, SettingSource>();
  leafPaths(tree, '', settingSources);
  const sources = new Map<string, string>();
  for (const setting of environmentSettings) {
    const variable = setting.variables.find(
      (name) => environment[name] !== undefined && environment[name] !== '',
    );
    if (variable === undefined) continue;
    setPath(tree, setting.path, environment[variable]);
    sources.set(setting.path.join('.'), variable);
    settingSources.set(setting.path.join('.'), { kind: 'environment', variable });
  }

  if (problems.length > 0) {
    const fileName = path.basename(file ?? '');
    throw new ConfigError(problems.map((problem) => `${fileName}: ${problem}`));
  }
  const result = configSchema.safeParse(tree);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => describeIssue(issue, sources, file)));
  }
  const shortcuts = applyProviderShortcuts(anchorPaths(result.data, workingDirectory), environment);
  if (shortcuts.problems.length > 0) throw new ConfigError(shortcuts.problems);
  return {
    config: shortcuts.config,
    file,
    presetModelIds: shortcuts.presetModelIds,
    sources: settingSources,
  };
}
