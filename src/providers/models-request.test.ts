import { describe, expect, it } from 'vitest';
import type { ProviderKindName, ProviderRecord } from '../store/records.js';
import { providerTarget } from './provider-target.js';
import { adapterFor } from './registry.js';

function provider(kind: ProviderKindName, baseUrl: string, apiVersion?: string): ProviderRecord {
  return {
    id: 1,
    name: kind,
    kind,
    baseUrl,
    apiKeyEncrypted: null,
    settings: {
      streamUsage: true,
      maxTokensField: 'max_tokens',
      headers: { 'X-Team': 'blue' },
      ...(apiVersion === undefined ? {} : { apiVersion }),
    },
    createdAt: 0,
    updatedAt: 0,
  };
}

// Each provider's documented model list, with its own way of sending the key.
const cases = [
  {
    kind: 'openai-compatible',
    baseUrl: 'https://api.deepseek.com/v1/',
    path: '/v1/models',
    credential: ['authorization', 'Bearer sk-test'],
  },
  {
    kind: 'anthropic',
    baseUrl: 'https://api.anthropic.com/v1',
    path: '/v1/models',
    credential: ['x-api-key', 'sk-test'],
  },
  {
    kind: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com',
    path: '/v1beta/models',
    credential: ['x-goog-api-key', 'sk-test'],
  },
  {
    kind: 'azure',
    baseUrl: 'https://example.openai.azure.com',
    apiVersion: '2024-10-21',
    path: '/openai/models?api-version=2024-10-21',
    credential: ['api-key', 'sk-test'],
  },
] as const;

describe('the model-list request each adapter builds for a connection test', () => {
  for (const testCase of cases) {
    it(`${testCase.kind}: GET ${testCase.path}`, () => {
      const record = provider(
        testCase.kind,
        testCase.baseUrl,
        'apiVersion' in testCase ? testCase.apiVersion : undefined,
      );
      const request = adapterFor(record).modelsRequest(providerTarget(record, 'sk-test', ''));
      expect(request.method).toBe('GET');
      expect(request.origin).toBe(new URL(testCase.baseUrl).origin);
      expect(request.path).toBe(testCase.path);
      expect(request.body).toBeUndefined();
      const [name, value] = testCase.credential;
      expect(request.headers[name]).toBe(value);
      expect(request.headers['x-team']).toBe('blue');
      // The key goes in exactly one header: never also as a bearer token to a non-OpenAI API.
      const carriers = Object.values(request.headers).filter((header) =>
        header.includes('sk-test'),
      );
      expect(carriers).toHaveLength(1);
    });
  }

  it('sends no credential when the provider has no key', () => {
    const record = provider('anthropic', 'https://api.anthropic.com/v1');
    const request = adapterFor(record).modelsRequest(providerTarget(record, null, ''));
    expect(request.headers['x-api-key']).toBeUndefined();
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
  });
});
