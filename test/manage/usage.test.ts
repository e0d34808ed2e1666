import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/api-keys.js';
import type { AccountRecord, UsageRecord } from '../../src/store/records.js';
import { adminToken, startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

let harness: ManageHarness;
let admin: Auth;
let agentA: Auth;
let userA: Auth;
const keys = new Map<string, number>();
const day = 86_400_000;
// Records fall on known UTC days: yesterday and (some hours into) today. Summaries name `to`
// explicitly, as today's records may lie ahead of the clock shortly after midnight.
const today = Math.floor(Date.now() / day) * day;
const tomorrowText = new Date(today + day).toISOString().slice(0, 10);

function record(
  requestId: string,
  account: AccountRecord,
  overrides: Partial<UsageRecord> = {},
): UsageRecord {
  return {
    requestId,
    accountId: account.id,
    apiKeyId: keys.get(account.username) ?? 0,
    modelId: 'mock-chat',
    deploymentId: 1,
    promptTokens: 100,
    completionTokens: 50,
    cachedTokens: 0,
    cost: 250,
    status: 200,
    errorCode: null,
    latencyMilliseconds: 20,
    firstTokenMilliseconds: null,
    stream: false,
    createdAt: today + 3_600_000,
    ...overrides,
  };
}

beforeAll(async () => {
  harness = await startManageHarness();
  admin = { kind: 'token', token: adminToken };
  agentA = await harness.sessionFor(harness.cast.agentA);
  userA = await harness.sessionFor(harness.cast.userA);
  const store = harness.gateway.gateway.store;
  const { agentA: agent, userA: user, userB } = harness.cast;
  for (const account of [agent, user, userB]) {
    const { record: key } = await issueApiKey(store.apiKeys, {
      accountId: account.id,
      name: 'usage',
    });
    keys.set(account.username, key.id);
  }
  await store.usage.insertMany([
    record('req_a_1', user, { createdAt: today - day + 1000 }),
    record('req_a_2', user, { modelId: 'mock-embed', cost: 10 }),
    record('req_a_3', user, { status: 429, errorCode: 'rate_limit_exceeded', cost: 0 }),
    record('req_a_4', user, { createdAt: today + 7_200_000 }),
    record('req_agent_1', agent),
    record('req_b_1', userB),
  ]);
});

afterAll(async () => {
  await harness.close();
});

function ids(body: Record<string, unknown>): string[] {
  return (body.data as Array<{ requestId: string }>).map((row) => row.requestId);
}

describe('usage records', () => {
  it('scopes the log: a user sees its own, an agent its users’ and its own, an admin all', async () => {
    const own = await harness.call(userA, 'GET', '/usage/records');
    expect(ids(own.body).sort()).toEqual(['req_a_1', 'req_a_2', 'req_a_3', 'req_a_4']);
    const agent = await harness.call(agentA, 'GET', '/usage/records');
    expect(ids(agent.body).sort()).toEqual([
      'req_a_1',
      'req_a_2',
      'req_a_3',
      'req_a_4',
      'req_agent_1',
    ]);
    const everyone = await harness.call(admin, 'GET', '/usage/records');
    expect(ids(everyone.body)).toContain('req_b_1');
  });

  it('pages newest first with an opaque cursor', async () => {
    const first = await harness.call(userA, 'GET', '/usage/records?limit=3');
    expect(ids(first.body)).toEqual(['req_a_4', 'req_a_3', 'req_a_2']);
    const cursor = String(first.body.nextCursor);
    const second = await harness.call(userA, 'GET', `/usage/records?limit=3&cursor=${cursor}`);
    expect(ids(second.body)).toEqual(['req_a_1']);
    expect(second.body.nextCursor).toBe(null);
    const bad = await harness.call(userA, 'GET', '/usage/records?cursor=garbage');
    expect(bad.body).toMatchObject({ error: { code: 'invalid_value', param: 'cursor' } });
  });

  it('filters by key, model and outcome', async () => {
    const errors = await harness.call(agentA, 'GET', '/usage/records?outcome=error');
    expect(ids(errors.body)).toEqual(['req_a_3']);
    const embed = await harness.call(agentA, 'GET', '/usage/records?model=mock-embed');
    expect(ids(embed.body)).toEqual(['req_a_2']);
    const agentKey = keys.get('agent-a') ?? 0;
    const byKey = await harness.call(agentA, 'GET', `/usage/records?keyId=${agentKey}`);
    expect(ids(byKey.body)).toEqual(['req_agent_1']);
    // Someone else's key filters to nothing rather than revealing anything.
    const otherKey = keys.get('user-b') ?? 0;
    const foreign = await harness.call(agentA, 'GET', `/usage/records?keyId=${otherKey}`);
    expect(ids(foreign.body)).toEqual([]);
  });

  it('shows one record by request id, to those who can see it', async () => {
    const shown = await harness.call(agentA, 'GET', '/usage/records/req_a_2');
    expect(shown.body).toMatchObject({
      requestId: 'req_a_2',
      model: 'mock-embed',
      cost: '0.000010',
      costMicros: 10,
      // Which upstream deployment served it is for admins.
      deploymentId: null,
    });
    const asAdmin = await harness.call(admin, 'GET', '/usage/records/req_a_2');
    expect(asAdmin.body).toMatchObject({ deploymentId: 1 });
    expect((await harness.call(agentA, 'GET', '/usage/records/req_b_1')).status).toBe(404);
    expect((await harness.call(userA, 'GET', '/usage/records/req_agent_1')).status).toBe(404);
  });
});

describe('usage summary', () => {
  it('groups by UTC day, with totals', async () => {
    const answer = await harness.call(
      userA,
      'GET',
      `/usage/summary?groupBy=day&to=${tomorrowText}`,
    );
    expect(answer.status).toBe(200);
    const todayText = new Date(today).toISOString().slice(0, 10);
    const yesterdayText = new Date(today - day).toISOString().slice(0, 10);
    expect(answer.body.data).toEqual([
      expect.objectContaining({ bucket: yesterdayText, requests: 1, cost: '0.000250' }),
      expect.objectContaining({ bucket: todayText, requests: 3, errors: 1, costMicros: 260 }),
    ]);
    expect(answer.body.total).toMatchObject({ requests: 4, errors: 1, costMicros: 510 });
  });

  it('groups by model and by key, within a time range', async () => {
    const byModel = await harness.call(
      agentA,
      'GET',
      `/usage/summary?groupBy=model&from=${new Date(today).toISOString().slice(0, 10)}&to=${tomorrowText}`,
    );
    expect(byModel.body.data).toEqual([
      expect.objectContaining({ bucket: 'mock-chat', requests: 3 }),
      expect.objectContaining({ bucket: 'mock-embed', requests: 1 }),
    ]);
    const byKey = await harness.call(
      agentA,
      'GET',
      `/usage/summary?groupBy=key&to=${tomorrowText}`,
    );
    expect((byKey.body.data as Array<{ bucket: string }>).map((row) => row.bucket).sort()).toEqual(
      [String(keys.get('agent-a')), String(keys.get('user-a'))].sort(),
    );
  });

  it('names bad query parameters', async () => {
    const badGroup = await harness.call(userA, 'GET', '/usage/summary?groupBy=week');
    expect(badGroup.body).toMatchObject({ error: { code: 'invalid_value', param: 'groupBy' } });
    const reversed = await harness.call(
      userA,
      'GET',
      '/usage/summary?from=2025-02-01&to=2025-01-01',
    );
    expect(reversed.body).toMatchObject({ error: { param: 'from' } });
    const unknown = await harness.call(userA, 'GET', '/usage/summary?group=day');
    expect(unknown.body).toMatchObject({ error: { code: 'invalid_value', param: 'group' } });
  });
});
