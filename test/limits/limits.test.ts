import { describe, expect, it } from 'vitest';
import { startMockOpenAIUpstream } from '../support/mock-openai-upstream.js';
import { startTestGateway } from '../support/test-gateway.js';
import { defineLimitsSuite } from './limits-suite.js';
import { chatBody, expectRateLimitHeaders, post } from './relay-calls.js';

// Issue 4's limits on one instance: the in-memory limiter, which a gateway without REDIS_URL
// uses. redis-limits.test.ts runs the same suite against Redis.

describe('limits with the in-memory limiter', () => {
  defineLimitsSuite(() => ({ environment: {}, forget: () => Promise.resolve() }));
});

describe('a gateway configured with no limits at all', () => {
  it('still limits every key to the built-in default of 600 requests per minute', async () => {
    const upstream = await startMockOpenAIUpstream();
    const gateway = await startTestGateway({ upstreamBaseUrl: upstream.baseUrl });
    try {
      const { key } = await gateway.createKey();
      const reply = await post(gateway.baseURL, key, '/chat/completions', chatBody({}));
      expect(reply.status).toBe(200);
      expectRateLimitHeaders(reply.headers, { limit: 600, remaining: 599 });
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});
