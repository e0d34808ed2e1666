import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Fail-over and the circuit breaker through a real gateway: two mock upstreams, `primary`
 * (priority 0) and `backup` (priority 1), and a gateway clock the tests move by hand.
 */
let primary: MockUpstream;
let backup: MockUpstream;
let harness: TestGateway;
let key: string;
let accountId: number;
let clock = Date.now();
const adminToken = 'routing-admin-token-0123456789abcdef0123456789';

const timeouts = JSON.stringify({
  connectMilliseconds: 1_000,
  firstByteMilliseconds: 300,
  idleMilliseconds: 1_000,
});

/** One model per scenario, so each starts with healthy circuits. */
const scenarios = [
  'on-500',
  'on-429',
  'on-hang',
  'after-first-byte',
  'cooldown',
  'all-down',
  'malformed',
];

function twoDeploymentModel(id: string): string {
  return `  - id: ${id}
    prices: { input: "1.00", output: "2.00" }
    deployments:
      - { provider: primary, upstreamModel: primary-${id}, priority: 0, timeouts: ${timeouts} }
      - { provider: backup, upstreamModel: backup-${id}, priority: 1, timeouts: ${timeouts} }
`;
}

beforeAll(async () => {
  primary = await startMockOpenAIUpstream();
  backup = await startMockOpenAIUpstream();
  harness = await startTestGateway({
    upstreamBaseUrl: primary.baseUrl,
    now: () => clock,
    environment: { SWITCHYARD_ADMIN_TOKEN: adminToken },
    extraProvidersYaml: `  - name: primary
    baseUrl: ${primary.baseUrl}
  - name: backup
    baseUrl: ${backup.baseUrl}
  - name: refused
    baseUrl: http://127.0.0.1:9/v1`,
    extraYaml: `${scenarios.map(twoDeploymentModel).join('')}  - id: refused-first
    deployments:
      - { provider: refused, priority: 0, timeouts: ${timeouts} }
      - { provider: backup, upstreamModel: backup-refused, priority: 1, timeouts: ${timeouts} }
routing:
  failureThreshold: 2
  cooldownMilliseconds: 10000
  maxCooldownMilliseconds: 40000
`,
  });
  const created = await harness.createKey();
  key = created.key;
  accountId = created.accountId;
});

afterAll(async () => {
  await harness.close();
  await primary.close();
  await backup.close();
});

beforeEach(() => {
  primary.reset();
  backup.reset();
});

function ask(model: string) {
  return harness.client(key).chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Hi' }],
  });
}

/** Upstream model names each mock was asked for, in order. */
function asked(upstream: MockUpstream): unknown[] {
  return upstream.requests.map((request) => (request.body as { model?: unknown }).model);
}

interface HealthRow {
  model: string;
  provider: string;
  state: string;
  consecutiveFailures: number;
  cooldownUntil: string | null;
  errorRate: number | null;
  lastError: { category: string; at: string } | null;
}

async function healthOf(model: string, provider: string): Promise<HealthRow> {
  const response = await fetch(`${harness.url}/api/manage/deployments/health`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: HealthRow[] };
  const row = body.data.find((item) => item.model === model && item.provider === provider);
  if (!row) throw new Error(`no health row for ${model} on ${provider}`);
  return row;
}

describe('GET /api/manage/deployments/health', () => {
  it('is for admins only and names no upstream address or secret', async () => {
    const anonymous = await fetch(`${harness.url}/api/manage/deployments/health`);
    expect(anonymous.status).toBe(401);
    const response = await fetch(`${harness.url}/api/manage/deployments/health`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const text = await response.text();
    expect(text).not.toMatch(/127\.0\.0\.1|upstream-secret|http:/);
    const rows = (JSON.parse(text) as { data: HealthRow[] }).data;
    expect(rows.find((row) => row.model === 'on-500' && row.provider === 'primary')).toEqual({
      deploymentId: expect.any(Number) as number,
      model: 'on-500',
      provider: 'primary',
      upstreamModel: 'primary-on-500',
      priority: 0,
      weight: 1,
      // Nothing was asked of it yet.
      state: 'closed',
      requests: 0,
      errorRate: null,
      latency: { p50Milliseconds: null, ewmaMilliseconds: null },
      cooldownUntil: null,
      consecutiveFailures: 0,
      lastError: null,
    });
  });
});

describe('fail-over before the first byte', () => {
  it('moves on after an upstream 500', async () => {
    primary.enqueue({ kind: 'error', status: 500 });
    const completion = await ask('on-500');
    expect(completion.choices[0]?.message.content).toContain('Hello');
    expect(asked(primary)).toEqual(['primary-on-500']);
    expect(asked(backup)).toEqual(['backup-on-500']);
    expect(await healthOf('on-500', 'primary')).toMatchObject({
      requests: 1,
      errorRate: 1,
      lastError: { category: 'server_error' },
    });
    const backupHealth = (await healthOf('on-500', 'backup')) as HealthRow & {
      latency: { p50Milliseconds: number | null; ewmaMilliseconds: number | null };
    };
    expect(backupHealth).toMatchObject({ state: 'closed', requests: 1, errorRate: 0 });
    expect(backupHealth.latency.p50Milliseconds).toBeGreaterThan(0);
  });

  it('moves on after an upstream 429', async () => {
    primary.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '1' } });
    await ask('on-429');
    expect(asked(primary)).toEqual(['primary-on-429']);
    expect(asked(backup)).toEqual(['backup-on-429']);
    expect((await healthOf('on-429', 'primary')).lastError?.category).toBe('rate_limited');
  });

  it('moves on when the connection is refused', async () => {
    await ask('refused-first');
    expect(asked(backup)).toEqual(['backup-refused']);
    expect((await healthOf('refused-first', 'refused')).lastError?.category).toBe('connect_error');
  });

  it('moves on when the upstream hangs before the first byte', async () => {
    primary.enqueue({ kind: 'hang' });
    const started = performance.now();
    await ask('on-hang');
    // The 300 ms first-byte timeout, then the backup; nowhere near the client's own timeout.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(asked(backup)).toEqual(['backup-on-hang']);
    expect((await healthOf('on-hang', 'primary')).lastError?.category).toBe('timeout');
  });
});

describe('after the first byte', () => {
  it('never retries: the stream ends with an error event and the backup never sees it', async () => {
    primary.enqueue({ kind: 'reset-mid-stream', afterChunks: 3 });
    const stream = await harness.client(key).chat.completions.create({
      model: 'after-first-byte',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const chunks: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(chunks.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(APIError);
    expect(backup.requests).toHaveLength(0);
    // The broken stream still counts against the deployment that broke it.
    await expect
      .poll(async () => (await healthOf('after-first-byte', 'primary')).consecutiveFailures)
      .toBe(1);
  });
});

describe('malformed upstream output', () => {
  it('answers 502, costs nothing and counts against the deployment', async () => {
    primary.enqueue({ kind: 'malformed-json' });
    const { response } = await harness
      .client(key)
      .chat.completions.create({ model: 'malformed', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse()
      .catch((caught: APIError) => ({ response: caught }));
    const error = response as unknown as APIError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('could not read');
    // Unreadable output is not retried on the backup: a 200 already came back.
    expect(backup.requests).toHaveLength(0);
    const requestId = error.requestID as string;
    const records = await harness.usageRecords();
    expect(records.find((record) => record.requestId === requestId)).toMatchObject({
      status: 502,
      cost: 0,
    });
    const ledger = await harness.gateway.store.wallets.ledger(accountId, { limit: 1000 });
    expect(ledger.filter((entry) => entry.requestId === requestId)).toEqual([]);
    expect(await healthOf('malformed', 'primary')).toMatchObject({
      consecutiveFailures: 1,
      errorRate: 1,
      lastError: { category: 'malformed_output' },
    });
  });
});

describe('cooldown and recovery', () => {
  it('skips a deployment that keeps failing, then probes it once the cooldown is over', async () => {
    primary.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 503 });
    await ask('cooldown');
    await ask('cooldown');
    const opened = await healthOf('cooldown', 'primary');
    expect(opened).toMatchObject({ state: 'open', consecutiveFailures: 2 });
    expect(Date.parse(opened.cooldownUntil as string)).toBe(clock + 10_000);

    // While it cools, requests go straight to the backup.
    await ask('cooldown');
    expect(asked(primary)).toHaveLength(2);
    expect(asked(backup)).toHaveLength(3);

    clock += 10_000;
    expect((await healthOf('cooldown', 'primary')).state).toBe('half-open');
    // The probe succeeds: the primary is back in rotation.
    await ask('cooldown');
    expect(asked(primary)).toHaveLength(3);
    expect(asked(backup)).toHaveLength(3);
    expect(await healthOf('cooldown', 'primary')).toMatchObject({
      state: 'closed',
      consecutiveFailures: 0,
      cooldownUntil: null,
    });
    await ask('cooldown');
    expect(asked(primary)).toHaveLength(4);
  });
});

describe('when nothing answers', () => {
  it('answers 502 naming the model and no upstream address; when all cool, one attempt goes to the soonest', async () => {
    primary.setDefault({ kind: 'error', status: 500 });
    backup.setDefault({ kind: 'error', status: 502 });
    for (let round = 0; round < 2; round++) {
      const error = await apiError(ask('all-down'));
      expect(error.status).toBe(502);
      expect(error.code).toBe('upstream_unavailable');
      expect(error.message).toContain("'all-down'");
      expect(error.message).toContain('attempt 2 answered HTTP 502');
      expect(error.message).not.toMatch(/127\.0\.0\.1|localhost|upstream-secret/);
    }
    expect((await healthOf('all-down', 'primary')).state).toBe('open');
    expect((await healthOf('all-down', 'backup')).state).toBe('open');
    expect(primary.requests.length + backup.requests.length).toBe(4);

    // Every deployment is cooling: rather than refuse outright, one attempt on the deployment
    // whose cooldown ends first (a tie goes to routing order: the primary).
    const error = await apiError(ask('all-down'));
    expect(error.status).toBe(502);
    expect(error.message).toContain('attempt 1 answered HTTP 500');
    expect(error.message).toContain('1 more deployment was skipped while cooling down');
    expect(primary.requests).toHaveLength(3);
    expect(backup.requests).toHaveLength(2);
    // That failed attempt doubled the primary's cooldown, so the backup's now ends first; it
    // has recovered, and its success closes its circuit.
    backup.setDefault({ kind: 'ok' });
    const completion = await ask('all-down');
    expect(completion.choices[0]?.message.content).toContain('Hello');
    expect(primary.requests).toHaveLength(3);
    expect((await healthOf('all-down', 'backup')).state).toBe('closed');
    expect((await healthOf('all-down', 'primary')).state).toBe('open');
  });
});
