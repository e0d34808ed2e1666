import OpenAI, { RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeCost } from '../../src/billing/cost.js';
import { planHold } from '../../src/billing/hold-plan.js';
import { formatMoney, parseMoney } from '../../src/billing/money.js';
import { humanSeconds, isoSeconds } from '../../src/limits/messages.js';
import type { KeyLimits } from '../../src/store/records.js';
import {
  mockUsageFor,
  startMockOpenAIUpstream,
  type MockUpstream,
} from '../support/mock-openai-upstream.js';
import {
  mockPrices,
  startTestGateway,
  type KeyOptions,
  type TestGateway,
} from '../support/test-gateway.js';
import {
  chatBody,
  estimatedTokens,
  expectError,
  expectRateLimitHeaders,
  get,
  post,
  type Reply,
} from './relay-calls.js';

// Issue 4's limits, end to end through a real gateway (the same startGateway `serve` uses), once
// per limiter backend. Time is the gateway's injected clock: a test moves it instead of sleeping,
// so every reset and Retry-After is checked to the millisecond.

/** A limiter backend the suite runs against. */
export interface LimiterBackend {
  /** More environment for the gateway, e.g. REDIS_URL. */
  environment: Record<string, string>;
  /** Key ids start here, so limiter subjects (`key:<id>`) are this run's alone. */
  firstApiKeyId?: number;
  /** Drops whatever the limiter holds for these keys (Redis: their keys), before first use. */
  forget(keyIds: readonly number[]): Promise<void>;
}

const adminToken = 'limits-suite-admin-token-0123456789abcdef';
/** SWITCHYARD_DEFAULT_RPM of the suite's gateway: what a key gets with no rpm of its own. */
const globalRpm = 50;
/** Sixty words: a reply long enough that real usage exceeds a body-size estimate. */
const replyText = Array.from({ length: 60 }, (_, index) => `word${index}`).join(' ');
const replyWords = 60;
const prices = {
  input: parseMoney(mockPrices.input),
  output: parseMoney(mockPrices.output),
  cachedInput: parseMoney(mockPrices.cachedInput),
  perRequest: 0,
};
const minute = 60_000;

/** Registers the suite's hooks and tests in the enclosing describe block. */
export function defineLimitsSuite(backend: () => LimiterBackend): void {
  let upstream: MockUpstream;
  let harness: TestGateway;
  // The gateway's clock: 2031-03-14T10:00:00.250Z, off the whole second so rounding shows.
  let clock = Date.UTC(2031, 2, 14, 10, 0, 0, 250);

  beforeAll(async () => {
    upstream = await startMockOpenAIUpstream({ replyText });
    const { environment, firstApiKeyId } = backend();
    harness = await startTestGateway({
      upstreamBaseUrl: upstream.baseUrl,
      now: () => clock,
      environment: {
        SWITCHYARD_DEFAULT_RPM: String(globalRpm),
        SWITCHYARD_ADMIN_TOKEN: adminToken,
        ...environment,
      },
      ...(firstApiKeyId === undefined ? {} : { firstApiKeyId }),
      extraYaml: `  - id: nowhere
    deployments: [{ provider: closed }]
`,
      // Nothing listens on port 9: every call to this provider is refused, a 502 for the client.
      extraProvidersYaml: `  - name: closed
    baseUrl: http://127.0.0.1:9/v1`,
    });
  });

  afterAll(async () => {
    await harness?.close();
    await upstream?.close();
  });

  beforeEach(() => {
    upstream.reset();
    // Each test starts a fresh minute, 250 ms past it; the clock only ever moves forward.
    clock = (Math.floor(clock / minute) + 2) * minute + 250;
  });

  /** A key with its own limits (and its own account unless one is named), new to the limiter. */
  async function newKey(limits: KeyLimits, options: KeyOptions = {}) {
    const created = await harness.createKey({ ...options, limits });
    await backend().forget([created.id]);
    return created;
  }

  const chat = (key: string, body: string, signal?: AbortSignal): Promise<Reply> =>
    post(harness.baseURL, key, '/chat/completions', body, signal);

  /** Sends `send` at `refusedAt + (retryAfter - 1) s` (still refused) and `+ retryAfter s`. */
  async function expectRetryAfterExact(
    send: () => Promise<Reply>,
    refusedAt: number,
    retryAfter: number,
  ): Promise<Reply> {
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    if (retryAfter > 1) {
      clock = refusedAt + (retryAfter - 1) * 1000;
      expect((await send()).status, 'one second before Retry-After').toBe(429);
    }
    clock = refusedAt + retryAfter * 1000;
    const admitted = await send();
    expect(admitted.status, `after Retry-After: ${admitted.text}`).toBe(200);
    return admitted;
  }

  function client(key: string): OpenAI {
    return new OpenAI({ apiKey: key, baseURL: harness.baseURL, maxRetries: 0, timeout: 20_000 });
  }

  const nextMidnight = (at: number): number => (Math.floor(at / 86_400_000) + 1) * 86_400_000;
  const nextMonth = (at: number): number => {
    const date = new Date(at);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  };

  describe('rpm', () => {
    it('refuses the request over the limit with 429, Retry-After and the reset; the window slides', async () => {
      const { key } = await newKey({ rpm: 3 });
      const openai = client(key);
      const start = clock;
      for (const [index, offset] of [0, 1000, 2000].entries()) {
        clock = start + offset;
        const { response } = await openai.chat.completions
          .create({ model: 'mock-chat', messages: [{ role: 'user', content: 'Hi' }] })
          .withResponse();
        expectRateLimitHeaders(response.headers, {
          limit: 3,
          remaining: 2 - index,
          resetAt: clock + minute,
        });
      }

      clock = start + 2500;
      const refusal = await openai.chat.completions
        .create({ model: 'mock-chat', messages: [{ role: 'user', content: 'Hi' }] })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refusal).toBeInstanceOf(RateLimitError);
      const error = refusal as RateLimitError;
      expect(error.status).toBe(429);
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.type).toBe('rate_limit_error');
      // The oldest entry leaves at start + 60 s: 57.5 s from now, rounded up.
      expect(error.headers.get('retry-after')).toBe('58');
      expect(error.message).toContain(
        `Rate limit reached: 3 requests per minute for this key. Retry after 58 s (at ${isoSeconds(start + minute)}).`,
      );
      expectRateLimitHeaders(error.headers, {
        limit: 3,
        remaining: 0,
        resetAt: start + 2000 + minute,
      });

      const admitted = await expectRetryAfterExact(() => chat(key, chatBody({})), start + 2500, 58);
      // The entries of start + 1 s and + 2 s are still in the window, and this one.
      expectRateLimitHeaders(admitted.headers, { limit: 3, remaining: 0 });
    });
  });

  describe('tpm', () => {
    it('checks the estimate before the call, and corrects it with the real usage after', async () => {
      const { key } = await newKey({ tpm: 1000 });
      // An estimate over the whole limit can never fit: no wait helps, so no Retry-After.
      const huge = chatBody({ maxTokens: 2000 });
      const tooLarge = await chat(key, huge);
      const error = expectError(tooLarge, 429, 'rate_limit_exceeded');
      expect(error.message).toBe(
        `Request too large: it needs about ${estimatedTokens(huge, 2000).toLocaleString('en-US')} tokens, more than this key's limit of 1,000 tokens per minute. Shorten the input or lower max_tokens. Waiting will not help; ask an administrator to raise the limit.`,
      );
      expect(tooLarge.headers.get('retry-after')).toBeNull();
      expectRateLimitHeaders(
        tooLarge.headers,
        { limit: globalRpm, remaining: globalRpm },
        { limit: 1000, remaining: 1000 },
      );

      const start = clock;
      const body = chatBody({ maxTokens: 500 });
      const estimate = estimatedTokens(body, 500);
      const usage = mockUsageFor(JSON.parse(body), replyText);
      const real = usage.prompt_tokens + usage.completion_tokens;
      expect(real).toBeLessThan(estimate);
      const first = await chat(key, body);
      expect(first.status).toBe(200);
      expectRateLimitHeaders(
        first.headers,
        { limit: globalRpm, remaining: globalRpm - 1 },
        { limit: 1000, remaining: 1000 - estimate },
      );
      clock = start + 1000;
      // Had the estimate stood, this one would show 1000 - 2 × estimate.
      const second = await chat(key, body);
      expect(second.status).toBe(200);
      expectRateLimitHeaders(
        second.headers,
        { limit: globalRpm, remaining: globalRpm - 2 },
        { limit: 1000, remaining: 1000 - real - estimate },
      );

      clock = start + 1500;
      const big = chatBody({ maxTokens: 900 });
      const bigEstimate = estimatedTokens(big, 900);
      expect(2 * real + bigEstimate).toBeGreaterThan(1000);
      expect(real + bigEstimate).toBeLessThanOrEqual(1000);
      const refused = await chat(key, big);
      const refusal = expectError(refused, 429, 'rate_limit_exceeded');
      // It fits once the first request has left the window: start + 60 s.
      expect(refused.headers.get('retry-after')).toBe('59');
      expect(refusal.message).toBe(
        `Rate limit reached: 1,000 tokens per minute for this key (${2 * real} used in the last minute, this request needs about ${bigEstimate}). Retry after 59 s (at ${isoSeconds(start + minute)}).`,
      );
      expectRateLimitHeaders(
        refused.headers,
        { limit: globalRpm, remaining: globalRpm - 2 },
        { limit: 1000, remaining: 1000 - 2 * real },
      );
      await expectRetryAfterExact(() => chat(key, big), start + 1500, 59);
    });

    it('fills with the real usage when it exceeds the estimate', async () => {
      const { key } = await newKey({ tpm: 200 });
      // No max_tokens: the estimate is the prompt's bytes, the reply is sixty words more.
      const body = chatBody({});
      const estimate = estimatedTokens(body);
      const usage = mockUsageFor(JSON.parse(body), replyText);
      const real = usage.prompt_tokens + usage.completion_tokens;
      expect(usage.completion_tokens).toBe(replyWords);
      const fits = Math.floor((200 - estimate) / real) + 1;
      expect(fits).toBeLessThan(Math.floor(200 / estimate));
      const start = clock;
      for (let index = 0; index < fits; index++) {
        clock = start + index * 100;
        const reply = await chat(key, body);
        expect(reply.status, `request ${index + 1}`).toBe(200);
        expect(reply.headers.get('x-ratelimit-remaining-tokens')).toBe(
          String(Math.max(0, 200 - index * real - estimate)),
        );
      }
      clock = start + fits * 100;
      const refused = await chat(key, body);
      expectError(refused, 429, 'rate_limit_exceeded');
      expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe(
        String(Math.max(0, 200 - fits * real)),
      );
      // The first request leaves the window at start + 60 s; then this one fits again.
      const wait = start + minute - clock;
      expect(refused.headers.get('retry-after')).toBe(String(Math.ceil(wait / 1000)));
      await expectRetryAfterExact(() => chat(key, body), clock, Math.ceil(wait / 1000));
    });
  });

  describe('rpd', () => {
    it('refuses with daily_limit_reached until the next UTC midnight', async () => {
      const { key } = await newKey({ rpd: 2 });
      const body = chatBody({});
      expect((await chat(key, body)).status).toBe(200);
      clock += 1000;
      expect((await chat(key, body)).status).toBe(200);
      clock += 1000;
      const refusedAt = clock;
      const refused = await chat(key, body);
      const error = expectError(refused, 429, 'daily_limit_reached');
      const midnight = nextMidnight(refusedAt);
      const retryAfter = Math.ceil((midnight - refusedAt) / 1000);
      expect(refused.headers.get('retry-after')).toBe(String(retryAfter));
      expect(error.message).toBe(
        `Daily limit reached: 2 requests per day for this key. Retry after ${humanSeconds(retryAfter)} (at ${isoSeconds(midnight)}).`,
      );
      // The key has no rpm of its own: the gateway's default shows, and the refusal took none.
      expectRateLimitHeaders(refused.headers, { limit: globalRpm, remaining: globalRpm - 2 });
      await expectRetryAfterExact(() => chat(key, body), refusedAt, retryAfter);
    });
  });

  describe('dailySpend', () => {
    it('reserves the hold, keeps the real cost, and refuses until the next day', async () => {
      const body = chatBody({ maxTokens: 2000 });
      const hold = planHold({
        bodyBytes: Buffer.byteLength(body),
        prices,
        requestedOutputTokens: 2000,
        modelMaxOutputTokens: null,
        producesOutput: true,
        choices: 1,
      }).amount;
      const usage = mockUsageFor(JSON.parse(body), replyText);
      const cost = computeCost(
        {
          promptTokens: usage.prompt_tokens,
          completionTokens: usage.completion_tokens,
          cachedTokens: 0,
        },
        prices,
      );
      expect(cost).toBeLessThan(hold);
      // Room for one hold and one real cost: the second request fits only if the first one's
      // hold was replaced by its cost.
      const { key, id } = await newKey({ dailySpend: hold + cost });
      expect((await chat(key, body)).status).toBe(200);
      clock += 1000;
      expect((await chat(key, body)).status).toBe(200);
      clock += 1000;
      const refusedAt = clock;
      const refused = await chat(key, body);
      const error = expectError(refused, 429, 'daily_limit_reached');
      const midnight = nextMidnight(refusedAt);
      const retryAfter = Math.ceil((midnight - refusedAt) / 1000);
      expect(refused.headers.get('retry-after')).toBe(String(retryAfter));
      expect(error.message).toBe(
        `Daily limit reached: this key may spend ${formatMoney(hold + cost)} per day and has spent ${formatMoney(2 * cost)} today; this request may cost up to ${formatMoney(hold)}. Retry after ${humanSeconds(retryAfter)} (at ${isoSeconds(midnight)}).`,
      );
      expectRateLimitHeaders(refused.headers, { limit: globalRpm, remaining: globalRpm - 2 });
      // The wallet paid the real cost of the two, and nothing for the refusal.
      const records = (await harness.usageRecords()).filter((record) => record.apiKeyId === id);
      expect(records.map((record) => [record.status, record.cost]).reverse()).toEqual([
        [200, cost],
        [200, cost],
        [429, 0],
      ]);
      await expectRetryAfterExact(() => chat(key, body), refusedAt, retryAfter);
    });
  });

  describe('tokenQuota', () => {
    const body = chatBody({ maxTokens: 100 });
    const estimate = estimatedTokens(body, 100);
    const usage = mockUsageFor(JSON.parse(body), replyText);
    const real = usage.prompt_tokens + usage.completion_tokens;

    it('for the key’s life: refuses with token_quota_exhausted and no Retry-After, for good', async () => {
      // Room for one estimate and one real usage, as for dailySpend.
      const quota = real + estimate;
      const { key, id } = await newKey({ tokenQuota: quota });
      expect((await chat(key, body)).status).toBe(200);
      expect((await chat(key, body)).status).toBe(200);
      const refused = await chat(key, body);
      const error = expectError(refused, 429, 'token_quota_exhausted');
      expect(error.message).toBe(
        `Token quota exhausted: this key may use ${quota} tokens in total and has used ${2 * real}; this request needs about ${estimate}. The quota does not reset. Waiting will not help; ask an administrator to raise the limit.`,
      );
      expect(refused.headers.get('retry-after')).toBeNull();
      expectRateLimitHeaders(refused.headers, { limit: globalRpm, remaining: globalRpm - 2 });
      // Not the next day, nor the next month.
      clock += 40 * 86_400_000;
      expectError(await chat(key, body), 429, 'token_quota_exhausted');
      // Raised through the management API, the very next request is admitted.
      const raised = await fetch(`${harness.url}/api/manage/keys/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ limits: { tokenQuota: 2 * real + estimate } }),
      });
      expect(raised.status).toBe(200);
      expect((await chat(key, body)).status).toBe(200);
      expectError(await chat(key, body), 429, 'token_quota_exhausted');
    });

    it('per month: refuses until the first of the next month', async () => {
      const quota = real + estimate;
      const { key } = await newKey({ tokenQuota: quota, tokenQuotaPeriod: 'month' });
      expect((await chat(key, body)).status).toBe(200);
      expect((await chat(key, body)).status).toBe(200);
      clock += 1000;
      const refusedAt = clock;
      const refused = await chat(key, body);
      const error = expectError(refused, 429, 'token_quota_exhausted');
      const monthStart = nextMonth(refusedAt);
      const retryAfter = Math.ceil((monthStart - refusedAt) / 1000);
      expect(refused.headers.get('retry-after')).toBe(String(retryAfter));
      expect(error.message).toBe(
        `Token quota exhausted: this key may use ${quota} tokens per month and has used ${2 * real} this month; this request needs about ${estimate}. Retry after ${humanSeconds(retryAfter)} (at ${isoSeconds(monthStart)}).`,
      );
      await expectRetryAfterExact(() => chat(key, body), refusedAt, retryAfter);
    });
  });

  describe('maxConcurrency', () => {
    it('refuses while the slots are taken, and admits once a request ends or its slot expires', async () => {
      const { key, id } = await newKey({ maxConcurrency: 1 });
      const body = chatBody({});
      const hanging = new AbortController();
      upstream.enqueue({ kind: 'hang' });
      const inFlight = chat(key, body, hanging.signal).catch((error: unknown) => error);
      await until(() => upstream.requests.length === 1);

      const refusedAt = clock;
      const refused = await chat(key, body);
      const error = expectError(refused, 429, 'rate_limit_exceeded');
      // When a slot frees is unknown: the shortest wait allowed.
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(error.message).toBe(
        `Rate limit reached: this key allows 1 requests in flight at once. Retry after 1 s (at ${isoSeconds(refusedAt + 1000)}).`,
      );
      expectRateLimitHeaders(refused.headers, { limit: globalRpm, remaining: globalRpm - 1 });
      clock += 1000;
      expectError(await chat(key, body), 429, 'rate_limit_exceeded');

      // The client gives up: the request ends (recorded as 499) and its slot is free at once.
      hanging.abort();
      expect(await inFlight).toBeInstanceOf(Error);
      await until(async () =>
        (await harness.usageRecords()).some(
          (record) => record.apiKeyId === id && record.status === 499,
        ),
      );
      expect((await chat(key, body)).status).toBe(200);

      // A request that never ends (its instance died, say) frees its slot after 10 minutes.
      const stuck = new AbortController();
      upstream.enqueue({ kind: 'hang' });
      const stuckRequest = chat(key, body, stuck.signal).catch((error: unknown) => error);
      await until(() => upstream.requests.length === 3);
      expectError(await chat(key, body), 429, 'rate_limit_exceeded');
      clock += 10 * minute + 1;
      expect((await chat(key, body)).status).toBe(200);
      stuck.abort();
      await stuckRequest;
    });
  });

  describe('headers', () => {
    it('are on every answer the key gets, successes and errors, streams and model lists', async () => {
      const limits = { rpm: 20, tpm: 100_000 };
      const { key } = await newKey(limits, {
        models: ['mock-chat', 'mock-embed', 'nowhere', 'no-such-model'],
      });
      const tokens = { limit: 100_000 };
      let remaining = 20;
      const check = (reply: Reply, admitted: boolean): void => {
        if (admitted) remaining -= 1;
        expectRateLimitHeaders(reply.headers, { limit: 20, remaining }, tokens);
        expect(reply.headers.get('x-request-id')).toMatch(/^req_/);
      };

      const success = await chat(key, chatBody({}));
      expect(success.status).toBe(200);
      check(success, true);
      expectRateLimitHeaders(
        success.headers,
        { limit: 20, remaining, resetAt: clock + minute },
        { limit: 100_000, remaining: 100_000 - estimatedTokens(chatBody({})) },
      );

      // The SDK's streaming response: the headers came with the event stream.
      const { data: stream, response } = await client(key)
        .chat.completions.create({
          model: 'mock-chat',
          messages: [{ role: 'user', content: 'Hi' }],
          stream: true,
        })
        .withResponse();
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      remaining -= 1;
      expectRateLimitHeaders(response.headers, { limit: 20, remaining }, tokens);
      let streamed = '';
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
      expect(streamed).toBe(replyText);

      check(await get(harness.baseURL, key, '/models'), false);
      check(await get(harness.baseURL, key, '/models/mock-chat'), false);
      const missing = await get(harness.baseURL, key, '/models/not-a-model');
      expectError(missing, 404, 'model_not_found');
      check(missing, false);

      const invalid = await chat(key, JSON.stringify({ model: 'mock-chat' }));
      expectError(invalid, 400, 'missing_required_parameter');
      check(invalid, false);
      const notAllowed = await chat(key, chatBody({ model: 'forbidden-model' }));
      expectError(notAllowed, 403, 'model_not_allowed');
      check(notAllowed, false);
      const notFound = await chat(key, chatBody({ model: 'no-such-model' }));
      expectError(notFound, 404, 'model_not_found');
      check(notFound, false);
      const upstreamDown = await chat(key, chatBody({ model: 'nowhere' }));
      expectError(upstreamDown, 502, 'upstream_unavailable');
      check(upstreamDown, true);
      const embedded = await post(harness.baseURL, key, '/embeddings', {
        model: 'mock-embed',
        input: 'Hi',
      });
      expect(embedded.status).toBe(200);
      check(embedded, true);

      // A wallet that cannot pay: 402, after the limits admitted the request.
      const broke = await newKey({ rpm: 20 }, { balance: 0 });
      const unpaid = await chat(broke.key, chatBody({}));
      expectError(unpaid, 402, 'insufficient_balance');
      expectRateLimitHeaders(unpaid.headers, { limit: 20, remaining: 19 });

      // Used up: the 429 carries them too, with nothing remaining.
      const tight = await newKey({ rpm: 1, tpm: 100_000 });
      expect((await chat(tight.key, chatBody({}))).status).toBe(200);
      const refused = await chat(tight.key, chatBody({}));
      expectError(refused, 429, 'rate_limit_exceeded');
      expectRateLimitHeaders(refused.headers, { limit: 1, remaining: 0 }, tokens);
    });
  });

  describe('where limits come from', () => {
    it('the key’s own, else its account’s defaults, else the gateway’s, limit by limit', async () => {
      const plain = await newKey({});
      const reply = await chat(plain.key, chatBody({}));
      expectRateLimitHeaders(reply.headers, { limit: globalRpm, remaining: globalRpm - 1 });

      const inherits = await newKey({}, { username: 'limited-account' });
      const own = await newKey({ rpm: 4 }, { username: 'limited-account' });
      const store = harness.gateway.store;
      await store.accounts.update(inherits.accountId, { defaultLimits: { rpm: 2, tpm: 5000 } });
      await harness.gateway.catalog.refresh();

      const first = await chat(inherits.key, chatBody({}));
      expectRateLimitHeaders(first.headers, { limit: 2, remaining: 1 }, { limit: 5000 });
      expect((await chat(inherits.key, chatBody({}))).status).toBe(200);
      expectError(await chat(inherits.key, chatBody({})), 429, 'rate_limit_exceeded');
      // The key's own rpm wins; its tpm, which it does not set, is still the account's.
      const ownReply = await chat(own.key, chatBody({}));
      expectRateLimitHeaders(ownReply.headers, { limit: 4, remaining: 3 }, { limit: 5000 });

      // Through the management API, too, on the very next request.
      const patched = await fetch(`${harness.url}/api/manage/accounts/${inherits.accountId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ defaultLimits: { rpm: 3 } }),
      });
      expect(patched.status).toBe(200);
      const third = await chat(inherits.key, chatBody({}));
      expect(third.status).toBe(200);
      expectRateLimitHeaders(third.headers, { limit: 3, remaining: 0 });
    });

    it('a raised limit succeeds on the very next request', async () => {
      const { key, id } = await newKey({ rpm: 1 });
      expect((await chat(key, chatBody({}))).status).toBe(200);
      expectError(await chat(key, chatBody({})), 429, 'rate_limit_exceeded');

      const patched = await fetch(`${harness.url}/api/manage/keys/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ limits: { rpm: 2 } }),
      });
      expect(patched.status).toBe(200);
      const afterApi = await chat(key, chatBody({}));
      expect(afterApi.status).toBe(200);
      expectRateLimitHeaders(afterApi.headers, { limit: 2, remaining: 0 });
      expectError(await chat(key, chatBody({})), 429, 'rate_limit_exceeded');

      // Written to the store by another process (the CLI, another instance): the cache refresh
      // every instance polls for applies it.
      await harness.gateway.store.apiKeys.update(id, { limits: { rpm: 3 } });
      await harness.gateway.catalog.refresh();
      const afterStore = await chat(key, chatBody({}));
      expect(afterStore.status).toBe(200);
      expectRateLimitHeaders(afterStore.headers, { limit: 3, remaining: 0 });
    });
  });
}

/** Polls a condition the test cannot await directly; fails after 5 s. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
