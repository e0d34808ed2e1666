/**
 * Validates gateway output against the JSON schemas from OpenAI's own OpenAPI spec, so
 * compatibility is checked against the source of truth rather than against our own types.
 * The schemas come from test/fixtures/openai-schemas.json (see scripts/extract-openai-schemas.ts).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** Root schemas extracted into the fixture; anything they reference is available to them. */
export const OPENAI_SCHEMA_NAMES = [
  'CreateChatCompletionResponse',
  'CreateChatCompletionStreamResponse',
  'CreateEmbeddingResponse',
  'ListModelsResponse',
  'Model',
  'ErrorResponse',
  'CreateChatCompletionRequest',
  'CreateEmbeddingRequest',
] as const;

export type OpenAISchemaName = (typeof OPENAI_SCHEMA_NAMES)[number];

export interface OpenAISchemaResult {
  valid: boolean;
  errors: string[];
}

type JsonObject = { [key: string]: unknown };

const FIXTURE_URL = new URL('../fixtures/openai-schemas.json', import.meta.url);
// Any absolute URI works; the fixture's own refs are '#/schemas/<Name>', relative to this id.
const FIXTURE_ID = 'https://switchyard.invalid/openai-schemas.json';
const MAX_LISTED_ERRORS = 20;
const EXCERPT_CHARS = 300;

// OpenAPI keywords that are annotations to a JSON Schema validator. They are registered (rather
// than merely tolerated by strict: false) so a typo'd real keyword still stands out if strictness
// is ever turned back on.
const OPENAPI_ANNOTATIONS = ['discriminator', 'example', 'xml', 'externalDocs'];

const SCHEMA_MAP_KEYWORDS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'dependentSchemas',
]);
const SCHEMA_ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_KEYWORDS = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedItems',
  'unevaluatedProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
]);

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the
// module object, so the plugin function lives on `.default`.
const addFormats = addFormatsModule.default;

let ajv: Ajv2020 | undefined;
const validators = new Map<OpenAISchemaName, ValidateFunction>();

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rewrites OpenAPI 3.0 `nullable: true` into JSON Schema. The spec is 3.1 and mostly spells
 * nullability as `anyOf: [..., {type: 'null'}]`, but some schemas (notably the stream chunk's
 * `finish_reason`, `logprobs` and `usage`) still use `nullable`, which JSON Schema ignores, so
 * `finish_reason: null` would otherwise be rejected. Ajv's own `nullable` support cannot stand
 * in: it throws at compile time for `nullable` without `type` (the chunk's `$ref`'d `usage`).
 * Wrapping in anyOf also covers `enum` lists without null and `nullable` beside a bare `$ref`.
 */
function normalizeSchema(node: unknown, extensionKeywords: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((item) => normalizeSchema(item, extensionKeywords));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  let nullable = false;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable') {
      nullable = value === true;
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, normalizeSchema(sub, extensionKeywords)]),
      );
    } else if (SCHEMA_ARRAY_KEYWORDS.has(key) || SCHEMA_KEYWORDS.has(key)) {
      out[key] = normalizeSchema(value, extensionKeywords);
    } else {
      if (key.startsWith('x-')) extensionKeywords.add(key);
      out[key] = value;
    }
  }
  return nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

function loadFixtureSchemas(): JsonObject {
  const fixture: unknown = JSON.parse(readFileSync(FIXTURE_URL, 'utf8'));
  if (!isObject(fixture) || !isObject(fixture.schemas)) {
    throw new Error(`${FIXTURE_URL.pathname} has no "schemas" object`);
  }
  return fixture.schemas;
}

function getAjv(): Ajv2020 {
  if (ajv) return ajv;
  const extensionKeywords = new Set<string>();
  const schemas = Object.fromEntries(
    Object.entries(loadFixtureSchemas()).map(([name, schema]) => [
      name,
      normalizeSchema(schema, extensionKeywords),
    ]),
  );
  const instance = new Ajv2020({ strict: false, allErrors: true });
  addFormats(instance);
  // OpenAI's own format for epoch-seconds fields such as `created`.
  instance.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  for (const keyword of [...OPENAPI_ANNOTATIONS, ...extensionKeywords]) {
    if (instance.getKeyword(keyword) === false) instance.addKeyword(keyword);
  }
  instance.addSchema({ $id: FIXTURE_ID, schemas });
  ajv = instance;
  return instance;
}

function getValidator(name: OpenAISchemaName): ValidateFunction {
  const cached = validators.get(name);
  if (cached) return cached;
  const validate = getAjv().getSchema(`${FIXTURE_ID}#/schemas/${name}`);
  if (!validate) {
    throw new Error(
      `Schema ${name} is missing from the fixture; run npx tsx scripts/extract-openai-schemas.ts`,
    );
  }
  validators.set(name, validate);
  return validate;
}

function excerpt(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Circular structures and BigInts cannot be serialised; a rough rendering still helps.
    text = String(value);
  }
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let current = root;
  for (const segment of instancePath.split('/').slice(1)) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function describeError(error: ErrorObject, root: unknown): string {
  const path = error.instancePath === '' ? '/' : error.instancePath;
  const params: Record<string, unknown> = error.params;
  let detail = '';
  if (error.keyword === 'enum') detail = ` ${excerpt(params.allowedValues)}`;
  else if (error.keyword === 'const') detail = ` ${excerpt(params.allowedValue)}`;
  else if (error.keyword === 'additionalProperties') {
    detail = ` (${excerpt(params.additionalProperty)})`;
  }
  // For `required` the offending value is the whole parent object, which is noise in a list.
  const got =
    error.keyword === 'required' ? '' : ` (got ${excerpt(valueAt(root, error.instancePath))})`;
  return `${path} ${error.message ?? error.keyword}${detail}${got}`;
}

/** Validates `value` against the named OpenAI schema, returning readable error lines. */
export function matchesOpenAISchema(name: OpenAISchemaName, value: unknown): OpenAISchemaResult {
  const validate = getValidator(name);
  if (validate(value)) return { valid: true, errors: [] };
  return { valid: false, errors: (validate.errors ?? []).map((e) => describeError(e, value)) };
}

/** Throws an Error listing every schema violation when `value` does not match the named schema. */
export function assertMatchesOpenAISchema(name: OpenAISchemaName, value: unknown): void {
  const { valid, errors } = matchesOpenAISchema(name, value);
  if (valid) return;
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map((line) => `  - ${line}`);
  if (errors.length > MAX_LISTED_ERRORS) {
    listed.push(`  … and ${errors.length - MAX_LISTED_ERRORS} more`);
  }
  throw new Error(
    `Value does not match OpenAI schema ${name} (${errors.length} error(s)):\n` +
      `${listed.join('\n')}\nValue: ${excerpt(value)}`,
  );
}
