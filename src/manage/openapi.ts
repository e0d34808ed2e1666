import { z } from 'zod';
import type { RouteDescription } from './router.js';

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), without the `$schema` line. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const converted: JsonSchema = { ...z.toJSONSchema(schema, { io, unrepresentable: 'any' }) };
  delete converted.$schema;
  return converted;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const errorResponse = { $ref: '#/components/responses/Error' };

function operation(route: RouteDescription): JsonSchema {
  const responses: JsonSchema = {
    [String(route.successStatus)]:
      route.response === undefined
        ? { description: 'Done; no content' }
        : {
            description: 'Success',
            content: { 'application/json': { schema: jsonSchema(route.response, 'output') } },
          },
  };
  const failures = [
    ...(route.params || route.query || route.body ? ['400'] : []),
    ...(route.access === 'public' ? [] : ['401', '403']),
    ...(route.params ? ['404'] : []),
  ];
  for (const status of failures) responses[status] = errorResponse;
  responses.default = errorResponse;
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag],
    security: route.access === 'public' ? [] : [{ adminToken: [] }, { session: [] }],
    ...(route.access === 'admin' ? { 'x-switchyard-access': 'admin' } : {}),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }),
    responses,
  };
}

/** The path of a route in OpenAPI's syntax: `/accounts/:id` becomes `/accounts/{id}`. */
export function openApiPath(prefix: string, path: string): string {
  return `${prefix}${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
}

/** An OpenAPI 3.1 document of the given routes, from the zod schemas they validate with. */
export function buildOpenApiDocument(
  routes: readonly RouteDescription[],
  prefix: string,
): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  for (const route of routes) {
    const path = openApiPath(prefix, route.path);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard management API',
      version: '1',
      description: [
        'Accounts, wallets, API keys, models, providers, usage and the audit log.',
        'Authenticate with `Authorization: Bearer <SWITCHYARD_ADMIN_TOKEN>` (acts as an admin) or with the session cookie from `POST /api/manage/session`; cookie requests other than GET must send the session’s CSRF token in `x-csrf-token`.',
        'Admins see everything; an agent sees itself and its users; a user sees itself. Anything outside what you can see answers 404; what you can see but may not do answers 403.',
        'Money in requests is a decimal string of currency units ("12.50"); responses give each amount as such a string and as integer micro-units (`…Micros`, 1 unit = 1,000,000). Times are ISO 8601.',
        'Errors use the OpenAI envelope `{"error": {"message", "type", "param", "code"}}`.',
      ].join('\n\n'),
    },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'SWITCHYARD_ADMIN_TOKEN' },
        session: { type: 'apiKey', in: 'cookie', name: 'switchyard_session' },
      },
      responses: {
        Error: {
          description: 'An error, in OpenAI’s envelope',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['message', 'type', 'param', 'code'],
              properties: {
                message: { type: 'string' },
                type: { type: 'string' },
                param: { type: ['string', 'null'] },
                code: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
  };
}
