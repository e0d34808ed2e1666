import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema: object } } }>;
}

/**
 * Checks answers against the response schemas the OpenAPI document publishes, so the document
 * and what the routes really send cannot drift apart.
 */
export class DocumentedSchemas {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: { paths: Record<string, Record<string, Operation>> }) {
    addFormatsModule.default(this.ajv);
  }

  /** Asserts that a 2xx body matches its route's documented schema; `route` is e.g. "GET /keys/:id". */
  check(route: string, status: number, body: unknown): void {
    const [method = '', template = ''] = route.split(' ');
    const path = `/api/manage${template.replace(/:(\w+)/g, '{$1}')}`;
    const key = `${route} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const operation = this.document.paths[path]?.[method.toLowerCase()];
      expect(operation, `${route} is documented`).toBeDefined();
      const response = operation?.responses[String(status)];
      expect(response, `${route} documents status ${status}`).toBeDefined();
      const schema = response?.content?.['application/json']?.schema;
      if (!schema) return;
      validate = this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    const valid = validate(body);
    expect(valid, `${route} → ${status}: ${this.ajv.errorsText(validate.errors)}`).toBe(true);
  }
}
