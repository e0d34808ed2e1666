import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  configJsonSchema,
  referencePath,
  referenceSections,
  renderReference,
} from '../../scripts/config-reference.js';
import { environmentSettings } from './load.js';
import { configSchema } from './schema.js';

type JsonSchema = z.core.JSONSchema.JSONSchema;

/** Every property of the schema, nested ones and those of list items included, by dotted path. */
function properties(schema: JsonSchema, prefix: string, into: Map<string, JsonSchema>): void {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (typeof property !== 'object') continue;
    const key = prefix === '' ? name : `${prefix}.${name}`;
    into.set(key, property);
    properties(property, key, into);
    const items = Array.isArray(property.items) ? undefined : property.items;
    if (typeof items === 'object') properties(items, `${key}[]`, into);
  }
}

function undescribed(schema: JsonSchema): string[] {
  const all = new Map<string, JsonSchema>();
  properties(schema, '', all);
  return [...all].filter(([, property]) => !property.description?.trim()).map(([key]) => key);
}

const isScalar = (value: unknown): value is string | number | boolean | undefined =>
  value === undefined || ['string', 'number', 'boolean'].includes(typeof value);

describe('the configuration reference', () => {
  it('is what npm run docs:config generates from the schema', async () => {
    const committed = readFileSync(referencePath, 'utf8');
    expect(
      committed,
      'docs/configuration-reference.md is out of date: run npm run docs:config',
    ).toBe(await renderReference());
  });

  it('gives every setting of the schema a meaning', () => {
    expect(undescribed(configJsonSchema()), 'add .describe() to these settings').toEqual([]);
  });

  it('finds a setting without a meaning, however deep', () => {
    const schema = z.object({
      described: z.string().describe('has one'),
      list: z.array(z.object({ nested: z.object({ leaf: z.number() }) })).describe('has one'),
    });
    expect(undescribed(z.toJSONSchema(schema, { io: 'input' }))).toEqual([
      'list[].nested',
      'list[].nested.leaf',
    ]);
  });

  it('lists every setting an environment variable sets, with the variable', () => {
    const settings = new Map(
      referenceSections()
        .flatMap((section) => section.settings)
        .map((setting) => [setting.key, setting]),
    );
    for (const { path, variables } of environmentSettings) {
      const setting = settings.get(path.join('.'));
      expect(setting, path.join('.')).toBeDefined();
      for (const variable of variables) expect(setting?.variables).toContain(`\`${variable}\``);
    }
  });

  it('shows the defaults the schema applies', () => {
    const defaults: unknown = configSchema.parse({});
    const at = (key: string): unknown =>
      key
        .split('.')
        .reduce<unknown>(
          (node, name) =>
            typeof node === 'object' && node !== null
              ? (node as Record<string, unknown>)[name]
              : undefined,
          defaults,
        );
    const scalars = referenceSections()
      .flatMap((section) => section.settings)
      .filter((setting) => !setting.key.includes('[]'))
      .flatMap((setting) => {
        const value = at(setting.key);
        return isScalar(value) ? [{ key: setting.key, value, shown: setting.default }] : [];
      });
    expect(scalars.length).toBeGreaterThan(20);
    for (const { key, value, shown } of scalars) {
      expect(shown, key).toBe(value === undefined ? 'none' : `\`${String(value)}\``);
    }
  });
});
