/**
 * Generates docs/configuration-reference.md from the config schema (src/config/schema.ts): every
 * setting with its type, range, default, environment variable and meaning. The meanings are the
 * schema's `.describe()` texts, so a setting cannot be added without one (the drift test in
 * src/config/config-reference.test.ts fails).
 *
 * Usage: npm run docs:config
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { environmentSettings } from '../src/config/load.js';
import { configSchema } from '../src/config/schema.js';

type JsonSchema = z.core.JSONSchema.JSONSchema;

export const referencePath = fileURLToPath(
  new URL('../docs/configuration-reference.md', import.meta.url),
);

/** One row of a table: a setting, or an object or list that groups settings. */
export interface Setting {
  /** The dotted YAML path; `[]` marks each item of a list, e.g. `models[].prices.input`. */
  key: string;
  type: string;
  default: string;
  variables: string;
  description: string | undefined;
}

export interface Section {
  title: string;
  description: string | undefined;
  settings: Setting[];
}

/**
 * The input side of the schema as JSON Schema. zod leaves out the default of a schema that
 * transforms its input (booleans and money here), since a default is an output value; these
 * defaults are valid inputs too, so they are put back.
 */
export function configJsonSchema(): JsonSchema {
  return z.toJSONSchema(configSchema, {
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === 'default' && jsonSchema.default === undefined) {
        jsonSchema.default = JSON.parse(JSON.stringify(def.defaultValue)) as unknown;
      }
    },
  });
}

function schemaOf(value: z.core.JSONSchema._JSONSchema | undefined): JsonSchema | undefined {
  return typeof value === 'object' ? value : undefined;
}

function isObject(schema: JsonSchema): boolean {
  return schema.properties !== undefined;
}

function isListOfObjects(schema: JsonSchema): boolean {
  const items = schemaOf(Array.isArray(schema.items) ? undefined : schema.items);
  return items !== undefined && isObject(items);
}

const code = (text: string | number | boolean): string => `\`${String(text)}\``;

function choices(values: ReadonlyArray<string | number | boolean | null>): string {
  const shown = values.map((value) => code(String(value)));
  return shown.length < 2
    ? shown.join('')
    : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

/** A bound too large to be meant as one (`Number.MAX_SAFE_INTEGER`) is left out. */
function range(minimum: number | undefined, maximum: number | undefined): string {
  const upper = maximum !== undefined && maximum < Number.MAX_SAFE_INTEGER ? maximum : undefined;
  if (minimum !== undefined && upper !== undefined) return `${minimum}–${upper}`;
  if (minimum !== undefined) return `≥ ${minimum}`;
  return upper === undefined ? '' : `≤ ${upper}`;
}

function typeOf(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(', or ');
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  if (schema.enum) return choices(schema.enum);
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const bounds = range(schema.minimum, schema.maximum);
      return bounds === '' ? schema.type : `${schema.type}, ${bounds}`;
    }
    case 'string': {
      if (schema.pattern !== undefined) return `string matching ${code(schema.pattern)}`;
      const length = range(
        schema.minLength === 1 && schema.maxLength === undefined ? undefined : schema.minLength,
        schema.maxLength,
      );
      return length === '' ? 'string' : `string, ${length} characters`;
    }
    case 'array': {
      const items = schemaOf(Array.isArray(schema.items) ? undefined : schema.items);
      const item = items === undefined ? 'anything' : isObject(items) ? 'objects' : typeOf(items);
      const most = schema.maxItems === undefined ? '' : `, at most ${schema.maxItems}`;
      return `list of ${item}${most}`;
    }
    case 'object': {
      const values = schemaOf(schema.additionalProperties);
      return isObject(schema) || values === undefined
        ? 'object'
        : `map of string to ${typeOf(values)}`;
    }
    default:
      return schema.type ?? 'anything';
  }
}

/** A default as it would be written in YAML's flow style, e.g. `{ rpm: 600 }`. */
function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => `${key}: ${flow(item)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return String(value);
}

function defaultOf(value: unknown, required: boolean): string {
  if (value !== undefined) return code(flow(value));
  return required ? 'required' : 'none';
}

const variablesByKey = new Map(
  environmentSettings.map((setting) => [
    setting.path.join('.'),
    setting.variables.map(code).join(', then '),
  ]),
);

/**
 * Adds a row for each property of an object schema, recursing into nested objects. A list of
 * objects gets a row here and a section of its own, added to `sections` after the current one.
 */
function addSettings(
  prefix: string,
  schema: JsonSchema,
  inheritedDefault: unknown,
  section: Section,
  sections: Section[],
): void {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const child = schemaOf(property);
    if (child === undefined) continue;
    const key = prefix === '' ? name : `${prefix}.${name}`;
    // A setting without a default of its own can take one from its parent's default object.
    const inherited =
      typeof inheritedDefault === 'object' && inheritedDefault !== null
        ? (inheritedDefault as Record<string, unknown>)[name]
        : undefined;
    const defaultValue = child.default ?? inherited;
    section.settings.push({
      key,
      type: isListOfObjects(child) ? `list of objects (see ${code(`${key}[]`)})` : typeOf(child),
      default: defaultOf(defaultValue, schema.required?.includes(name) ?? false),
      variables: variablesByKey.get(key) ?? '',
      description: child.description,
    });
    if (isObject(child)) addSettings(key, child, defaultValue, section, sections);
    if (isListOfObjects(child)) addList(key, child, sections);
  }
}

/** A field's meaning as a paragraph: capitalised, with a full stop. */
function sentence(text: string): string {
  const capitalised = `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
  return /[.)]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

function addList(key: string, schema: JsonSchema, sections: Section[]): void {
  const items = schemaOf(Array.isArray(schema.items) ? undefined : schema.items) ?? {};
  const section: Section = {
    title: `${key}[]`,
    description: schema.description === undefined ? undefined : sentence(schema.description),
    settings: [],
  };
  sections.push(section);
  addSettings(`${key}[]`, items, undefined, section, sections);
}

/**
 * The reference's tables: the top-level settings, then one section per top-level object, then
 * one per list of objects (a nested list follows its parent).
 */
export function referenceSections(root: JsonSchema = configJsonSchema()): Section[] {
  const topLevel: Section = { title: 'Top level', description: undefined, settings: [] };
  const objects: Section[] = [];
  const lists: Section[] = [];
  for (const [name, property] of Object.entries(root.properties ?? {})) {
    const child = schemaOf(property);
    if (child === undefined) continue;
    if (isListOfObjects(child)) {
      addList(name, child, lists);
    } else if (isObject(child)) {
      const section: Section = { title: name, description: child.description, settings: [] };
      objects.push(section);
      addSettings(name, child, child.default, section, objects);
    } else {
      addSettings('', { properties: { [name]: child } }, undefined, topLevel, objects);
    }
  }
  return [topLevel, ...objects, ...lists];
}

/** A table cell: one line, with `|` escaped. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const introduction = `<!-- Generated from src/config/schema.ts by \`npm run docs:config\`: do not edit; change the schema's descriptions and regenerate. -->

# Configuration reference

Every setting of Switchyard, generated from the config schema. Where settings come from (the YAML
file, environment variables, provider shortcuts), \`\${VAR}\` in the file, prices and examples are
explained in [configuration.md](configuration.md).

- A key is a dotted path in \`switchyard.yaml\`: \`server.port\` is \`port\` under \`server\`, and
  \`providers[].name\` is \`name\` in each item of the \`providers\` list.
- Unknown keys are rejected. Whole numbers may also be written as strings (\`"8080"\`).
- An environment variable overrides the file. Where two are listed, the first one that is set
  wins; a variable set to the empty string counts as not set. Settings without one are set in the
  file.
- "none" means unset; the meaning says what happens then.
`;

/** The reference document, formatted with the project's prettier settings. */
export async function renderReference(): Promise<string> {
  const sections = referenceSections();
  const parts = [introduction];
  for (const section of sections) {
    parts.push(`## ${section.title === 'Top level' ? section.title : code(section.title)}`);
    if (section.description !== undefined) parts.push(section.description);
    parts.push(
      table(
        ['key', 'type', 'default', 'environment variable', 'meaning'],
        section.settings.map((setting) => [
          code(setting.key),
          setting.type,
          setting.default,
          setting.variables,
          setting.description ?? '',
        ]),
      ),
    );
  }
  const settings = new Map(sections.flatMap((section) => section.settings).map((s) => [s.key, s]));
  parts.push(
    '## Environment variables',
    'The same settings, by variable. `SWITCHYARD_CONFIG` names the YAML file; the provider ' +
      'shortcuts (`OPENAI_API_KEY`, `DEEPSEEK_API_KEY`, `OPENAI_COMPATIBLE_*`) are in ' +
      '[configuration.md](configuration.md#provider-shortcuts).',
    table(
      ['variable', 'key', 'default'],
      environmentSettings.map((setting) => {
        const key = setting.path.join('.');
        return [variablesByKey.get(key) ?? '', code(key), settings.get(key)?.default ?? ''];
      }),
    ),
  );
  const markdown = `${parts.join('\n\n')}\n`;
  const options = await resolveConfig(referencePath);
  return format(markdown, { ...options, parser: 'markdown' });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(referencePath, await renderReference());
  console.log(`Wrote ${referencePath}`);
}
