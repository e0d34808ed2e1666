import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../auth/secret-box.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import { handleError } from '../http/error-handler.js';
import { loadConfig } from '../config/load.js';
import { describeSettings } from '../config/settings-report.js';
import { UpstreamClient } from '../upstream/upstream-client.js';
import { managePrefix, registerManagementApi } from './manage-api.js';

let store: Store;
let app: FastifyInstance;
const registered: string[] = [];

beforeAll(async () => {
  store = openSqliteStore(':memory:');
  await store.migrate();
  app = Fastify();
  app.setErrorHandler(handleError);
  // Fastify's own record of what is registered, to hold the document against.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method !== 'HEAD') registered.push(`${method} ${route.url}`);
    }
  });
  registerManagementApi(app, {
    store,
    catalog: { refresh: async () => undefined },
    secrets: createSecretBox(Buffer.alloc(32, 7)),
    adminToken: undefined,
    now: Date.now,
    upstream: new UpstreamClient(),
    settings: describeSettings(loadConfig({ environment: {}, workingDirectory: '/' }), '0.0.0'),
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await store.close();
});

interface Document {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
}

async function fetchDocument(): Promise<Document> {
  const response = await app.inject({ method: 'GET', url: `${managePrefix}/openapi.json` });
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.body) as Document;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists exactly the routes Fastify registered', async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map(
        (method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
      ),
    );
    expect(registered.length).toBeGreaterThan(25);
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it('has schemas a JSON Schema 2020-12 validator compiles, and unique operation ids', async () => {
    const document = await fetchDocument();
    const ajv = new Ajv2020({ strict: false });
    addFormatsModule.default(ajv);
    const ids = new Set<string>();
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations)) {
        const id = operation.operationId as string;
        expect(ids.has(id), id).toBe(false);
        ids.add(id);
        const body = operation.requestBody as
          { content: { 'application/json': { schema: object } } } | undefined;
        if (body) ajv.compile(body.content['application/json'].schema);
        for (const parameter of operation.parameters as Array<{ schema: object }>) {
          ajv.compile(parameter.schema);
        }
      }
    }
  });

  it('documents request bodies from the validation schemas', async () => {
    const document = await fetchDocument();
    const topup = document.paths[`${managePrefix}/accounts/{id}/wallet/topup`]?.post as {
      requestBody: { content: { 'application/json': { schema: { required: string[] } } } };
      parameters: Array<{ name: string; in: string }>;
    };
    expect(topup.requestBody.content['application/json'].schema.required).toEqual(['amount']);
    expect(topup.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
  });
});
