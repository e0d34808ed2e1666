import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type LoadedConfig } from './load.js';

let directory: string;

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-'));
});

afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

function load(environment: Record<string, string | undefined> = {}): LoadedConfig {
  return loadConfig({ environment, workingDirectory: directory });
}

/** The ConfigError that loading throws; fails the test when loading succeeds. */
function loadError(environment: Record<string, string | undefined> = {}): ConfigError {
  try {
    load(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

function writeFile(name: string, text: string): string {
  const file = path.join(directory, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('loadConfig defaults', () => {
  it('needs nothing: an empty environment gives a working configuration', () => {
    const loaded = load();
    expect(loaded.file).toBeUndefined();
    expect(loaded.presetModelIds.size).toBe(0);
    expect(loaded.config).toEqual({
      server: {
        host: '127.0.0.1',
        port: 8080,
        bodyLimitBytes: 10 * 1024 * 1024,
        trustProxy: false,
        dashboard: true,
        shutdownTimeoutMilliseconds: 30_000,
      },
      // Relative paths are anchored to the directory the configuration was loaded for.
      dataDirectory: path.join(directory, 'data'),
      database: { url: undefined },
      logLevel: 'info',
      admin: { username: 'admin' },
      catalogRefreshMilliseconds: 250,
      usage: { flushIntervalMilliseconds: 100, batchSize: 500, retentionDays: 0 },
      billing: { holdTtlMilliseconds: 3_600_000, maintenanceIntervalMilliseconds: 60_000 },
      limits: { defaults: { rpm: 600 }, dayOffsetMinutes: 0, redisFailureMode: 'open' },
      redis: {},
      metrics: { enabled: true },
      routing: {
        maxAttempts: 3,
        failureThreshold: 5,
        errorRateThreshold: 0.5,
        minimumRequests: 20,
        windowMilliseconds: 60_000,
        cooldownMilliseconds: 30_000,
        maxCooldownMilliseconds: 300_000,
      },
      providers: [],
      models: [],
    });
  });
});

describe('loadConfig environment variables', () => {
  it('reads the port, database URL, log level and the rest from the environment', () => {
    const { config } = load({
      SWITCHYARD_HOST: '0.0.0.0',
      SWITCHYARD_PORT: '9090',
      SWITCHYARD_BODY_LIMIT_BYTES: '2048',
      SWITCHYARD_TRUST_PROXY: 'yes',
      SWITCHYARD_DASHBOARD: 'false',
      SWITCHYARD_DATA_DIR: '/var/lib/switchyard',
      DATABASE_URL: 'sqlite:/tmp/other.db',
      LOG_LEVEL: 'debug',
      SWITCHYARD_ADMIN_USERNAME: 'root',
      SWITCHYARD_ADMIN_PASSWORD: 'correct horse battery',
    });
    expect(config.server).toEqual({
      host: '0.0.0.0',
      port: 9090,
      bodyLimitBytes: 2048,
      trustProxy: true,
      dashboard: false,
      shutdownTimeoutMilliseconds: 30_000,
    });
    expect(config.dataDirectory).toBe('/var/lib/switchyard');
    expect(config.database.url).toBe('sqlite:/tmp/other.db');
    expect(config.logLevel).toBe('debug');
    expect(config.admin).toEqual({ username: 'root', password: 'correct horse battery' });
  });

  it('reads the metrics switch and token, and refuses a short token', () => {
    const token = 'metrics-token-0123456789abcdef0123456789';
    expect(
      load({ SWITCHYARD_METRICS: 'false', SWITCHYARD_METRICS_TOKEN: token }).config.metrics,
    ).toEqual({ enabled: false, token });
    expect(loadError({ SWITCHYARD_METRICS_TOKEN: 'short' }).message).toContain(
      'SWITCHYARD_METRICS_TOKEN',
    );
  });

  it('falls back to PORT, and prefers SWITCHYARD_PORT when both are set', () => {
    expect(load({ PORT: '3000' }).config.server.port).toBe(3000);
    expect(load({ PORT: '3000', SWITCHYARD_PORT: '4000' }).config.server.port).toBe(4000);
  });

  it('prefers SWITCHYARD_LOG_LEVEL over LOG_LEVEL', () => {
    expect(load({ LOG_LEVEL: 'warn', SWITCHYARD_LOG_LEVEL: 'error' }).config.logLevel).toBe(
      'error',
    );
  });

  it('ignores variables that are set but empty', () => {
    expect(load({ SWITCHYARD_PORT: '', PORT: '5000' }).config.server.port).toBe(5000);
    expect(load({ DATABASE_URL: '' }).config.database.url).toBeUndefined();
  });

  it('accepts a PostgreSQL URL', () => {
    const url = 'postgres://switchyard:secret@db:5432/switchyard';
    expect(load({ DATABASE_URL: url }).config.database.url).toBe(url);
  });

  it('names the variable when a value is bad', () => {
    const error = loadError({ SWITCHYARD_PORT: 'abc' });
    expect(error.message).toContain('SWITCHYARD_PORT');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^SWITCHYARD_PORT: /);
  });

  it('names the fallback variable that supplied a bad value', () => {
    expect(loadError({ PORT: '70000' }).problems[0]).toMatch(/^PORT: .*65535/);
  });

  it('names every bad variable at once', () => {
    const error = loadError({
      SWITCHYARD_PORT: '-1',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://db',
      SWITCHYARD_SECRET_KEY: 'short',
      SWITCHYARD_ADMIN_PASSWORD: 'short',
    });
    const named = error.problems.map((problem) => problem.split(':')[0]);
    expect(named.sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'SWITCHYARD_ADMIN_PASSWORD',
      'SWITCHYARD_PORT',
      'SWITCHYARD_SECRET_KEY',
    ]);
  });

  it('accepts a secret key as 64 hex digits or as base64 of 32 bytes', () => {
    const hex = 'ab'.repeat(32);
    expect(load({ SWITCHYARD_SECRET_KEY: hex }).config.secretKey).toBe(hex);
    const base64 = Buffer.alloc(32, 7).toString('base64');
    expect(load({ SWITCHYARD_SECRET_KEY: base64 }).config.secretKey).toBe(base64);
  });

  it('reads the management admin token, which is off by default and at least 32 characters', () => {
    expect(load().config.adminToken).toBe(undefined);
    const token = 'x'.repeat(32);
    expect(load({ SWITCHYARD_ADMIN_TOKEN: token }).config.adminToken).toBe(token);
    const problem = loadError({ SWITCHYARD_ADMIN_TOKEN: 'short' }).problems[0];
    expect(problem).toMatch(/^SWITCHYARD_ADMIN_TOKEN: must be at least 32 characters/);
  });
});

describe('loadConfig YAML file', () => {
  const yaml = `
server:
  port: 8181
providers:
  - name: local
    baseUrl: http://127.0.0.1:8000/v1
    apiKey: \${LOCAL_KEY}
    headers:
      x-team: \${TEAM}
models:
  - id: local-chat
    prices:
      input: "0.27"
      output: 1.1
      cachedInput: 0.07
    contextWindow: 32000
    deployments:
      - provider: local
        upstreamModel: qwen
        priority: 1
        weight: 3
  - id: local-embed
    kind: embedding
    prices:
      input: 0.1
`;

  it('reads providers and models from SWITCHYARD_CONFIG, prices in micro-units', () => {
    const file = writeFile('gateway.yaml', yaml);
    const loaded = load({ SWITCHYARD_CONFIG: 'gateway.yaml', LOCAL_KEY: 'sk-local', TEAM: 'blue' });
    expect(loaded.file).toBe(file);
    expect(loaded.presetModelIds.size).toBe(0);
    expect(loaded.config.server.port).toBe(8181);
    expect(loaded.config.providers).toEqual([
      {
        name: 'local',
        kind: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:8000/v1',
        apiKey: 'sk-local',
        streamUsage: true,
        maxTokensField: 'max_tokens',
        headers: { 'x-team': 'blue' },
      },
    ]);
    const [chat, embed] = loaded.config.models;
    expect(chat).toMatchObject({
      id: 'local-chat',
      kind: 'chat',
      prices: { input: 270_000, output: 1_100_000, cachedInput: 70_000, perRequest: 0 },
      contextWindow: 32_000,
      deployments: [
        {
          provider: 'local',
          upstreamModel: 'qwen',
          priority: 1,
          weight: 3,
          timeouts: {
            connectMilliseconds: 10_000,
            firstByteMilliseconds: 300_000,
            idleMilliseconds: 120_000,
          },
        },
      ],
    });
    expect(embed).toMatchObject({
      id: 'local-embed',
      kind: 'embedding',
      prices: { input: 100_000, output: 0, perRequest: 0 },
      deployments: [],
    });
    expect(embed?.prices.cachedInput).toBeUndefined();
  });

  it('lets the environment override the file', () => {
    writeFile('gateway.yaml', yaml);
    const { config } = load({
      SWITCHYARD_CONFIG: 'gateway.yaml',
      LOCAL_KEY: 'k',
      TEAM: 't',
      SWITCHYARD_PORT: '9999',
    });
    expect(config.server.port).toBe(9999);
  });

  it('finds switchyard.yaml in the working directory without being told', () => {
    const file = writeFile('switchyard.yaml', 'logLevel: warn\n');
    const loaded = load();
    expect(loaded.file).toBe(file);
    expect(loaded.config.logLevel).toBe('warn');
  });

  it('treats an empty file as no settings', () => {
    writeFile('switchyard.yaml', '# nothing yet\n');
    expect(load().config.server.port).toBe(8080);
  });

  it('names a ${VAR} that is not set, with where it is used', () => {
    writeFile('gateway.yaml', yaml);
    const error = loadError({ SWITCHYARD_CONFIG: 'gateway.yaml', TEAM: 'blue' });
    expect(error.message).toContain('${LOCAL_KEY}');
    expect(error.message).toContain('providers[0].apiKey');
    expect(error.message).toContain('gateway.yaml');
    expect(error.message).not.toContain('${TEAM}');
  });

  it('rejects an unknown key and names it', () => {
    writeFile('switchyard.yaml', 'server:\n  port: 8080\n  prot: 1\n');
    const error = loadError();
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('prot');
    expect(error.problems[0]).toContain('switchyard.yaml');
  });

  it('names the file and the path of a bad value', () => {
    writeFile('gateway.yaml', 'models:\n  - id: m\n    prices:\n      input: "-1"\n');
    const error = loadError({ SWITCHYARD_CONFIG: 'gateway.yaml' });
    expect(error.problems[0]).toMatch(/^gateway\.yaml: models\.0\.prices\.input: /);
  });

  it('rejects a price with more than six decimals', () => {
    writeFile('switchyard.yaml', 'models:\n  - id: m\n    prices:\n      output: "0.0000001"\n');
    expect(loadError().problems[0]).toContain('models.0.prices.output');
  });

  it('names the file when it is not valid YAML', () => {
    writeFile('broken.yaml', 'server: [unclosed\n');
    const error = loadError({ SWITCHYARD_CONFIG: 'broken.yaml' });
    expect(error.message).toContain('broken.yaml');
  });

  it('names the file when its top level is not a mapping', () => {
    writeFile('list.yaml', '- a\n- b\n');
    const error = loadError({ SWITCHYARD_CONFIG: 'list.yaml' });
    expect(error.message).toContain('list.yaml');
    expect(error.message).toContain('mapping');
  });

  it('names a SWITCHYARD_CONFIG file that does not exist', () => {
    const error = loadError({ SWITCHYARD_CONFIG: 'missing.yaml' });
    expect(error.message).toContain('SWITCHYARD_CONFIG');
    expect(error.message).toContain('missing.yaml');
  });

  it('rejects a provider base URL the relay could not parse', () => {
    writeFile(
      'switchyard.yaml',
      'providers:\n  - name: spaced\n    baseUrl: "http://exa mple.com/v1"\n',
    );
    expect(loadError().problems[0]).toContain('providers.0.baseUrl');
  });
});

describe('loadConfig provider shortcuts', () => {
  it('OPENAI_API_KEY registers the openai provider and its models as presets', () => {
    const loaded = load({ OPENAI_API_KEY: 'sk-openai' });
    expect(loaded.config.providers).toEqual([
      expect.objectContaining({
        name: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        apiKey: 'sk-openai',
        maxTokensField: 'max_completion_tokens',
      }),
    ]);
    const mini = loaded.config.models.find((model) => model.id === 'gpt-4o-mini');
    expect(mini).toMatchObject({
      kind: 'chat',
      prices: { input: 150_000, output: 600_000, cachedInput: 75_000, perRequest: 0 },
      deployments: [{ provider: 'openai', upstreamModel: 'gpt-4o-mini', priority: 0, weight: 1 }],
    });
    expect(loaded.config.models.find((model) => model.id === 'text-embedding-3-small')?.kind).toBe(
      'embedding',
    );
    expect([...loaded.presetModelIds].sort()).toEqual(
      loaded.config.models.map((model) => model.id).sort(),
    );
    expect(loaded.presetModelIds.has('gpt-4o-mini')).toBe(true);
  });

  it('OPENAI_BASE_URL moves the openai provider, and a bad one is named', () => {
    const loaded = load({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'https://proxy.example/v1' });
    expect(loaded.config.providers[0]?.baseUrl).toBe('https://proxy.example/v1');
    const error = loadError({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'localhost:8000' });
    expect(error.problems[0]).toMatch(/^OPENAI_BASE_URL: /);
  });

  it('DEEPSEEK_API_KEY registers deepseek-chat', () => {
    const loaded = load({ DEEPSEEK_API_KEY: 'sk-deepseek' });
    expect(loaded.config.providers.map((provider) => provider.name)).toEqual(['deepseek']);
    expect(loaded.config.models.find((model) => model.id === 'deepseek-chat')).toMatchObject({
      deployments: [{ provider: 'deepseek', upstreamModel: 'deepseek-chat' }],
    });
    expect(loaded.presetModelIds.has('deepseek-chat')).toBe(true);
    expect(loaded.presetModelIds.has('gpt-4o-mini')).toBe(false);
  });

  it('OPENAI_COMPATIBLE_BASE_URL and OPENAI_COMPATIBLE_MODELS register a generic server', () => {
    const loaded = load({
      OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:11434/v1',
      OPENAI_COMPATIBLE_MODELS: 'llama3, qwen2 ,,',
      OPENAI_COMPATIBLE_API_KEY: 'local-secret',
    });
    expect(loaded.config.providers).toEqual([
      expect.objectContaining({
        name: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:11434/v1',
        apiKey: 'local-secret',
        streamUsage: true,
      }),
    ]);
    expect(loaded.config.models.map((model) => model.id)).toEqual(['llama3', 'qwen2']);
    expect(loaded.config.models[0]).toMatchObject({
      prices: { input: 0, output: 0, perRequest: 0 },
      deployments: [{ provider: 'openai-compatible', upstreamModel: 'llama3' }],
    });
    expect([...loaded.presetModelIds].sort()).toEqual(['llama3', 'qwen2']);
  });

  it('names OPENAI_COMPATIBLE_NAME and OPENAI_COMPATIBLE_BASE_URL when they are bad', () => {
    const error = loadError({
      OPENAI_COMPATIBLE_BASE_URL: 'not a url',
      OPENAI_COMPATIBLE_NAME: 'My Server',
      OPENAI_COMPATIBLE_MODELS: 'm',
    });
    const named = error.problems.map((problem) => problem.split(':')[0]).sort();
    expect(named).toEqual(['OPENAI_COMPATIBLE_BASE_URL', 'OPENAI_COMPATIBLE_NAME']);
  });

  it('a provider the YAML file defines wins over the shortcut of the same name', () => {
    writeFile(
      'switchyard.yaml',
      [
        'providers:',
        '  - name: openai',
        '    baseUrl: https://my-openai-proxy.example/v1',
        '    apiKey: from-yaml',
        'models:',
        '  - id: my-model',
        '    deployments:',
        '      - provider: openai',
        '',
      ].join('\n'),
    );
    const loaded = load({ OPENAI_API_KEY: 'from-env' });
    expect(loaded.config.providers).toHaveLength(1);
    expect(loaded.config.providers[0]).toMatchObject({
      baseUrl: 'https://my-openai-proxy.example/v1',
      apiKey: 'from-yaml',
    });
    expect(loaded.config.models.map((model) => model.id)).toEqual(['my-model']);
    expect(loaded.presetModelIds.size).toBe(0);
  });

  it('a model the YAML file defines keeps its prices, gaining the shortcut deployment', () => {
    writeFile(
      'switchyard.yaml',
      'models:\n  - id: deepseek-chat\n    prices:\n      input: 9\n      output: 9\n',
    );
    const loaded = load({ DEEPSEEK_API_KEY: 'k' });
    const model = loaded.config.models.find((candidate) => candidate.id === 'deepseek-chat');
    expect(model?.prices.input).toBe(9_000_000);
    expect(model?.deployments).toEqual([expect.objectContaining({ provider: 'deepseek' })]);
    expect(loaded.presetModelIds.has('deepseek-chat')).toBe(false);
    expect(loaded.presetModelIds.has('deepseek-reasoner')).toBe(true);
  });
});
