import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { envelopeProblem } from './fuzz-client.js';

const adminToken = 'known-bugs-admin-token-0123456789abcdef0123';

let upstream: MockUpstream;
let gateway: TestGateway;
let accounts = 0;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ recordRequests: false });
  gateway = await startTestGateway({
    upstreamBaseUrl: upstream.baseUrl,
    environment: { SWITCHYARD_ADMIN_TOKEN: adminToken, SWITCHYARD_BODY_LIMIT_BYTES: '65536' },
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function freshKey(): Promise<string> {
  return (await gateway.createKey({ username: `known-${++accounts}` })).key;
}

// Bugs the fuzz run found, one request each. They are fixed; each test keeps its fix in place.
describe('bugs the fuzz run found, fixed', () => {
  const deep = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

  async function post(path: string, body: string, authorization: string) {
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  it('a relay body nested 10,000 deep in a field that is validated is a 400, not a 500', async () => {
    const answer = await post(
      '/api/v1/chat/completions',
      `{"model":${deep(10_000)},"messages":[{"role":"user","content":"hi"}]}`,
      `Bearer ${await freshKey()}`,
    );
    expect(answer.status, answer.text).toBe(400);
    expect(envelopeProblem(answer.text)).toBeUndefined();
  });

  it('a relay body nested 10,000 deep in a passed-through field is a 400, not a 500', async () => {
    const answer = await post(
      '/api/v1/chat/completions',
      `{"model":"mock-chat","messages":[{"role":"user","content":"hi"}],"metadata":${deep(10_000)}}`,
      `Bearer ${await freshKey()}`,
    );
    expect(answer.status, answer.text).toBe(400);
    expect(envelopeProblem(answer.text)).toBeUndefined();
  });

  it('a management body nested 10,000 deep is a 400, not a 500', async () => {
    const answer = await post(
      '/api/manage/accounts',
      `{"username":${deep(10_000)}}`,
      `Bearer ${adminToken}`,
    );
    expect(answer.status, answer.text).toBe(400);
    expect(envelopeProblem(answer.text)).toBeUndefined();
  });

  it('max_tokens of 2^53 − 1 is refused with a 402 (or 400), not a 500', async () => {
    const answer = await post(
      '/api/v1/chat/completions',
      JSON.stringify({
        model: 'mock-chat',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: Number.MAX_SAFE_INTEGER,
      }),
      `Bearer ${await freshKey()}`,
    );
    expect([400, 402]).toContain(answer.status);
    expect(envelopeProblem(answer.text)).toBeUndefined();
  });

  it('max_tokens of 10^14 with n = 128 is refused with a 402 (or 400), not a 500', async () => {
    const answer = await post(
      '/api/v1/chat/completions',
      JSON.stringify({
        model: 'mock-chat',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 1e14,
        n: 128,
      }),
      `Bearer ${await freshKey()}`,
    );
    expect([400, 402]).toContain(answer.status);
    expect(envelopeProblem(answer.text)).toBeUndefined();
  });

  it('a path with a bad percent-escape gets the envelope and a request id', async () => {
    const response = await fetch(`${gateway.baseURL}/models/%ZZ`, {
      headers: { authorization: `Bearer ${await freshKey()}` },
    });
    const text = await response.text();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(envelopeProblem(text), text).toBeUndefined();
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('a path parameter longer than maxParamLength gets the envelope', async () => {
    const response = await fetch(`${gateway.url}/api/manage/accounts/${'1'.repeat(600)}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const text = await response.text();
    expect(envelopeProblem(text), text).toBeUndefined();
  });

  it('headers over Node’s 16 KB limit get a 431 in the envelope', async () => {
    const response = await request(`${gateway.baseURL}/models`, {
      headers: { authorization: `Bearer ${await freshKey()}`, 'x-junk': 'a'.repeat(70_000) },
    });
    const text = await response.body.text();
    expect(response.statusCode).toBe(431);
    expect(envelopeProblem(text), text).toBeUndefined();
  });
});
