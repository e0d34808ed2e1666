import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type LoadedConfig } from '../../src/config/load.js';

/** The `routing` section and model `aliases` in the YAML file. */
let directory: string;

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-routing-'));
});

afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

function loadYaml(yaml: string): LoadedConfig {
  fs.writeFileSync(path.join(directory, 'switchyard.yaml'), yaml);
  return loadConfig({ environment: {}, workingDirectory: directory });
}

function problemsOf(yaml: string): string[] {
  try {
    loadYaml(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('routing configuration', () => {
  it('has defaults a careful operator can live with', () => {
    expect(loadYaml('').config.routing).toEqual({
      maxAttempts: 3,
      failureThreshold: 5,
      errorRateThreshold: 0.5,
      minimumRequests: 20,
      windowMilliseconds: 60_000,
      cooldownMilliseconds: 30_000,
      maxCooldownMilliseconds: 300_000,
    });
  });

  it('takes each knob on its own, numbers as strings included', () => {
    const { routing } = loadYaml(`routing:
  maxAttempts: "2"
  failureThreshold: 3
  errorRateThreshold: 0.25
  cooldownMilliseconds: 5000
`).config;
    expect(routing).toMatchObject({
      maxAttempts: 2,
      failureThreshold: 3,
      errorRateThreshold: 0.25,
      cooldownMilliseconds: 5_000,
      maxCooldownMilliseconds: 300_000,
    });
  });

  it('refuses values that cannot work, naming them', () => {
    const problems = problemsOf(`routing:
  maxAttempts: 0
  errorRateThreshold: 1.5
  cooldownMilliseconds: 60000
  maxCooldownMilliseconds: 1000
  retries: 2
`);
    expect(problems.join('\n')).toMatch(/routing\.maxAttempts: must be at least 1/);
    expect(problems.join('\n')).toMatch(/routing\.errorRateThreshold: must be at most 1/);
    expect(problems.join('\n')).toMatch(/routing: .*retries/);
  });

  it('refuses a maximum cooldown shorter than the first', () => {
    const problems = problemsOf(`routing:
  cooldownMilliseconds: 60000
  maxCooldownMilliseconds: 1000
`);
    expect(problems).toEqual([
      expect.stringMatching(
        /routing\.maxCooldownMilliseconds: maxCooldownMilliseconds must be at least cooldownMilliseconds/,
      ),
    ]);
  });
});

describe('model aliases in the configuration', () => {
  it('are read, and default to none', () => {
    const { models } = loadYaml(`models:
  - id: gpt-4o-mini
    aliases: [fast, mini]
  - id: plain
`).config;
    expect(models.map((model) => model.aliases)).toEqual([['fast', 'mini'], []]);
  });

  it('may not take a model id or another model’s alias', () => {
    const problems = problemsOf(`models:
  - id: one
    aliases: [two, shared]
  - id: two
    aliases: [shared, one-more, one-more]
`);
    expect(problems).toEqual([
      expect.stringContaining("models.0.aliases.0: 'two' is already a model id"),
      expect.stringContaining(
        "models.1.aliases.0: 'shared' is already an alias of the model 'one'",
      ),
      expect.stringContaining(
        "models.1.aliases.2: 'one-more' is already an alias of the model 'two'",
      ),
    ]);
  });
});
