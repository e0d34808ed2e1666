import {
  badValue,
  deeplyNested,
  longString,
  malformedBodies,
  truncated,
  withValueAt,
  withoutValueAt,
} from './bad-values.js';
import type { FuzzCase } from './fuzz-client.js';
import type { SeededRandom } from './seeded-random.js';

type JsonSchema = Record<string, unknown>;

/** One operation of the management API's OpenAPI document. */
export interface ManageOperation {
  method: string;
  /** OpenAPI syntax, e.g. /api/manage/accounts/{id}. */
  path: string;
  pathParameters: string[];
  queryParameters: string[];
  body: JsonSchema | undefined;
}

/** The operations of /api/manage/openapi.json: the fuzz follows whatever the API registers. */
export function readOperations(document: unknown): ManageOperation[] {
  const paths = (document as { paths?: Record<string, Record<string, JsonSchema>> }).paths ?? {};
  const operations: ManageOperation[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = (operation.parameters ?? []) as { name: string; in: string }[];
      const content = (
        operation.requestBody as { content?: Record<string, JsonSchema> } | undefined
      )?.content;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParameters: parameters
          .filter((entry) => entry.in === 'path')
          .map((entry) => entry.name),
        queryParameters: parameters
          .filter((entry) => entry.in === 'query')
          .map((entry) => entry.name),
        body: content?.['application/json']?.schema as JsonSchema | undefined,
      });
    }
  }
  return operations;
}

/** A value that satisfies `schema` as far as a quick look can tell (patterns aside). */
function plausible(random: SeededRandom, schema: JsonSchema, name: string): unknown {
  if (Array.isArray(schema.anyOf)) {
    return plausible(random, random.pick(schema.anyOf as JsonSchema[]), name);
  }
  if (Array.isArray(schema.enum)) return random.pick(schema.enum as unknown[]);
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const minimum = typeof schema.minimum === 'number' ? schema.minimum : 1;
      return Math.max(minimum, random.integer(1, 5));
    }
    case 'boolean':
      return random.chance(0.5);
    case 'null':
      return null;
    case 'array': {
      const items = (schema.items ?? {}) as JsonSchema;
      return [plausible(random, items, name)];
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      const result: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(properties)) {
        if (required.has(key) || random.chance(0.5)) result[key] = plausible(random, property, key);
      }
      return result;
    }
    default:
      return plausibleString(random, schema, name);
  }
}

function plausibleString(random: SeededRandom, schema: JsonSchema, name: string): string {
  if (schema.format === 'date-time' || /At$|^from$|^to$/.test(name)) {
    return new Date(Date.UTC(2030, 0, random.integer(1, 28))).toISOString();
  }
  if (/amount|price|input|output|perRequest|cached/i.test(name)) {
    return random.pick(['1', '0.50', '12.345678', '0']);
  }
  if (/url/i.test(name)) return 'http://127.0.0.1:9/v1';
  if (/email/i.test(name)) return `fuzz${random.integer(0, 1e6)}@example.com`;
  // Mostly too short to pass validation: each valid one costs a deliberately slow scrypt hash,
  // and a few hundred of them would turn this into a CPU benchmark on a two-core machine.
  if (/password/i.test(name)) return random.chance(0.03) ? 'a-long-enough-password' : 'short';
  return `fuzz-${random.integer(0, 1e9).toString(36)}`;
}

const idValues = [
  '1',
  '2',
  '3',
  '4',
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  '%201',
  '1%20',
  'abc',
  'NaN',
  'Infinity',
  '9007199254740993',
  '99999999999999999999999',
  '%00',
  '%ZZ',
  '%E0%A4%A',
  '..%2f..%2f',
  '%2e%2e',
  'req_00000000000000000000000000000000',
  'a'.repeat(600),
  '%u0000',
  '__proto__',
  'constructor',
];

const queryValues = [
  '',
  '0',
  '-1',
  '1e309',
  '9007199254740993',
  'NaN',
  'abc',
  'true',
  '%00',
  '%ZZ',
  '2030-01-01T00:00:00Z',
  'not-a-date',
  '1%2C2',
  'a'.repeat(3_000),
  '%E2%80%AE',
  'user',
  'admin',
  'mock-chat',
];

/** How a management request authenticates. */
export interface ManageCredentials {
  adminToken: string;
  /** Sessions (token and CSRF token) of an admin, an agent and a user. */
  sessions: { token: string; csrfToken: string }[];
  apiKey: string;
}

function credentials(random: SeededRandom, credentials: ManageCredentials): Record<string, string> {
  const roll = random.next();
  if (roll < 0.55) return { authorization: `Bearer ${credentials.adminToken}` };
  if (roll < 0.85) {
    const session = random.pick(credentials.sessions);
    return {
      cookie: `switchyard_session=${session.token}`,
      ...(random.chance(0.85) ? { 'x-csrf-token': session.csrfToken } : {}),
    };
  }
  return random.pick<Record<string, string>>([
    {},
    { authorization: 'Bearer' },
    { authorization: `Bearer ${credentials.adminToken.slice(1)}` },
    { authorization: `Bearer ${credentials.adminToken}x` },
    { authorization: `Basic ${credentials.adminToken}` },
    { authorization: `Bearer ${credentials.apiKey}` },
    { cookie: 'switchyard_session=' },
    { cookie: 'switchyard_session="quoted"' },
    { cookie: `switchyard_session=${'z'.repeat(4_000)}` },
    { cookie: 'switchyard_session=a; switchyard_session=b' },
    { cookie: ';;;=;=' },
    { cookie: 'other=1', 'x-csrf-token': 'nope' },
  ]);
}

function bodyFor(random: SeededRandom, schema: JsonSchema): { kind: string; body: string } {
  const base = plausible(random, schema, 'body');
  const properties = Object.keys(schema.properties ?? {});
  const field = (): (string | number)[] => [
    random.pick([...properties, 'unknownField', '__proto__', 'constructor']),
  ];
  const roll = random.next();
  if (roll < 0.1) return { kind: 'plausible', body: JSON.stringify(base) };
  if (roll < 0.6) return { kind: 'wrong-type', body: withValueAt(base, field(), badValue(random)) };
  if (roll < 0.67) return { kind: 'missing-field', body: withoutValueAt(base, field()) };
  if (roll < 0.77) return { kind: 'truncated-json', body: truncated(random, JSON.stringify(base)) };
  if (roll < 0.87) return { kind: 'malformed-json', body: random.pick(malformedBodies) };
  if (roll < 0.94) {
    return { kind: 'long-string', body: withValueAt(base, field(), longString(random, 20_000)) };
  }
  return {
    kind: 'odd-unicode',
    body: withValueAt(base, field(), random.pick(['"\\ud800"', '"\\u0000"', '"\\u202e"'])),
  };
}

/** A generated management request from the OpenAPI document, mostly broken somehow. */
export function manageCase(
  random: SeededRandom,
  operations: readonly ManageOperation[],
  auth: ManageCredentials,
): FuzzCase {
  let operation = random.pick(operations);
  // Every sign-in runs a deliberately slow scrypt (a decoy one for unknown names) until the
  // address is locked out; a quarter of the weight keeps the run about requests, not hashing.
  if (operation.method === 'POST' && operation.path.endsWith('/session') && random.chance(0.75)) {
    operation = random.pick(operations);
  }
  let path = operation.path;
  for (const name of operation.pathParameters) {
    path = path.replace(`{${name}}`, random.pick(idValues));
  }
  if (operation.queryParameters.length > 0 && random.chance(0.7)) {
    const pairs = Array.from({ length: random.integer(1, 3) }, () => {
      const name = random.chance(0.9) ? random.pick(operation.queryParameters) : '__proto__';
      return `${name}=${random.pick(queryValues)}`;
    });
    path += `?${pairs.join('&')}`;
  }
  const headers: Record<string, string> = credentials(random, auth);
  let method = operation.method;
  if (random.chance(0.05)) method = random.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
  if (operation.body === undefined || method === 'GET' || method === 'HEAD') {
    return { kind: `manage:${operation.method}:${operation.path}`, method, path, headers };
  }
  const { kind, body } = bodyFor(random, operation.body);
  headers['content-type'] = random.chance(0.9) ? 'application/json' : 'text/plain';
  return {
    kind: `manage:${kind}:${operation.method}:${operation.path}`,
    method,
    path,
    headers,
    body,
  };
}

/** Deep nesting against the management API's body validation. */
export function manageEdgeCases(
  operations: readonly ManageOperation[],
  adminToken: string,
): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const operation of operations) {
    if (operation.body === undefined) continue;
    const path = operation.path.replace(/\{[^}]+\}/g, '1');
    const properties = Object.keys(operation.body.properties ?? {});
    for (const shape of ['array', 'object'] as const) {
      cases.push({
        kind: `manage:deep:${shape}:${operation.method}:${operation.path}`,
        method: operation.method,
        path,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: withValueAt({}, [properties[0] ?? 'field'], deeplyNested(10_000, shape)),
      });
    }
  }
  return cases;
}
