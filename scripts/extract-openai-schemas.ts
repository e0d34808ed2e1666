/**
 * Extracts the OpenAI response/request JSON schemas the test suite validates against from the
 * vendored OpenAPI spec, so tests never need the 3 MB YAML (or the network) at run time.
 *
 * Usage: npx tsx scripts/extract-openai-schemas.ts [path/to/openai-openapi.yaml]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Schemas the tests validate against; everything they reference comes along transitively. */
const ROOT_SCHEMAS = [
  'CreateChatCompletionResponse',
  'CreateChatCompletionStreamResponse',
  'CreateEmbeddingResponse',
  'ListModelsResponse',
  'Model',
  'ErrorResponse',
  'CreateChatCompletionRequest',
  'CreateEmbeddingRequest',
] as const;

const SPEC_REF_PREFIX = '#/components/schemas/';
const FIXTURE_REF_PREFIX = '#/schemas/';

// Keys whose values are instance data, not schemas: a "$ref" key inside an example is not a
// reference and must be neither followed nor rewritten.
const DATA_KEYWORDS = new Set(['example', 'examples', 'default', 'enum', 'const']);
// Keys whose values map arbitrary names to schemas: a property called "default" is still a schema.
const SCHEMA_MAP_KEYWORDS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'dependentSchemas',
]);

type JsonObject = { [key: string]: unknown };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const defaultSpecPath = resolve(repoRoot, '../shared/specs/openai-openapi.yaml');
const outputPath = resolve(repoRoot, 'test/fixtures/openai-schemas.json');

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refTarget(ref: string): string {
  if (!ref.startsWith(SPEC_REF_PREFIX)) {
    throw new Error(`Unsupported $ref ${JSON.stringify(ref)}: only ${SPEC_REF_PREFIX}<Name>`);
  }
  const name = ref.slice(SPEC_REF_PREFIX.length);
  // A pointer into a schema (…/Foo/properties/bar) would need JSON-pointer rewriting; fail loudly
  // rather than emit a fixture with dangling references.
  if (name.includes('/')) throw new Error(`Unsupported nested $ref ${JSON.stringify(ref)}`);
  return name;
}

/** Deep-copies a schema, rewriting spec refs to fixture refs and reporting each target. */
function rewriteRefs(node: unknown, onRef: (name: string) => void): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, onRef));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const name = refTarget(value);
      onRef(name);
      out[key] = FIXTURE_REF_PREFIX + name;
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, rewriteRefs(schema, onRef)]),
      );
    } else if (DATA_KEYWORDS.has(key) || key.startsWith('x-')) {
      out[key] = structuredClone(value);
    } else {
      out[key] = rewriteRefs(value, onRef);
    }
  }
  return out;
}

/** Collects the root schemas and their transitive $ref closure, refs rewritten for the fixture. */
function extractSchemas(allSchemas: JsonObject, roots: readonly string[]): Record<string, unknown> {
  const extracted = new Map<string, unknown>();
  const pending = [...roots];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (extracted.has(name)) continue;
    const schema = allSchemas[name];
    if (schema === undefined) throw new Error(`Schema ${name} not found in components.schemas`);
    extracted.set(
      name,
      rewriteRefs(schema, (target) => pending.push(target)),
    );
  }
  // Sorted so regenerating from an unchanged spec yields a byte-identical fixture.
  return Object.fromEntries([...extracted.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function main(): void {
  const specPath = resolve(process.argv[2] ?? defaultSpecPath);
  const source = readFileSync(specPath, 'utf8');
  const spec: unknown = parse(source, { maxAliasCount: -1 });
  if (!isObject(spec) || !isObject(spec.components) || !isObject(spec.components.schemas)) {
    throw new Error(`${specPath} has no components.schemas`);
  }
  const version = isObject(spec.info) ? String(spec.info.version) : 'unknown';
  const sha256 = createHash('sha256').update(source).digest('hex');
  const schemas = extractSchemas(spec.components.schemas, ROOT_SCHEMAS);

  const sourceLabel = relative(resolve(repoRoot, '..'), specPath);
  const fixture = {
    $comment:
      `Extracted from ${sourceLabel} (OpenAI OpenAPI spec v${version}, sha256 ${sha256}) ` +
      'by scripts/extract-openai-schemas.ts; do not edit by hand. ' +
      `$refs point at ${FIXTURE_REF_PREFIX}<Name> inside this file.`,
    schemas,
  };
  mkdirSync(dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(
    `Wrote ${Object.keys(schemas).length} schemas (${ROOT_SCHEMAS.length} roots) to ` +
      relative(repoRoot, outputPath),
  );
}

main();
