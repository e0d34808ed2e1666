import { computeCost } from '../../src/billing/cost.js';
import { countPromptTokens, countTextTokens } from '../../src/relay/count-tokens.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { allLedgerEntries, allUsageRecords, ledgerAgainstUsage } from './books.js';
import { envelopeProblem } from './fuzz-client.js';
import { startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';
import { expect } from 'vitest';

// The rig of faults.test.ts: a scripted upstream and a gateway in front of it, per test, and the
// checks every fault ends with (the client's answer, then the books).

export const initialBalance = 10_000_000;
export const timeouts = {
  connectMilliseconds: 500,
  firstByteMilliseconds: 800,
  idleMilliseconds: 800,
};
export const messages = [{ role: 'user', content: 'Tell me something about robustness, briefly.' }];

export interface Rig {
  upstream: ScriptedUpstream;
  gateway: TestGateway;
  key: string;
  accountId: number;
}

const rigs: Rig[] = [];

/** Closes every rig opened so far; call it from `afterEach`. */
export async function closeRigs(): Promise<void> {
  for (const rig of rigs.splice(0)) {
    await rig.gateway.close();
    await rig.upstream.close();
  }
}

/** A fresh upstream and gateway per test: no queued script or cooling deployment carries over. */
export async function rig(): Promise<Rig> {
  const upstream = await startScriptedUpstream({
    kind: 'respond',
    status: 500,
    body: '{"error":{"message":"no script queued","type":"server_error"}}',
  });
  const gateway = await startTestGateway({
    upstreamBaseUrl: upstream.baseUrl,
    timeouts,
    // A second model with two deployments on the same upstream: failover within one request.
    extraYaml: `
  - id: failover-chat
    prices: { input: "1.50", output: "2.00" }
    deployments:
      - provider: mock
        upstreamModel: first
        priority: 0
        timeouts: ${JSON.stringify(timeouts)}
      - provider: mock
        upstreamModel: second
        priority: 1
        timeouts: ${JSON.stringify(timeouts)}`,
    environment: { SWITCHYARD_DEFAULT_RPM: '10000000' },
  });
  const { key, accountId } = await gateway.createKey({ balance: initialBalance });
  const created = { upstream, gateway, key, accountId };
  rigs.push(created);
  return created;
}

export interface Answer {
  status: number;
  requestId: string;
  text: string;
}

export async function chat(target: Rig, body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${target.gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-chat', messages, ...body }),
    signal: AbortSignal.timeout(15_000),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id') ?? '',
    text: await response.text(),
  };
}

export interface StreamAnswer extends Answer {
  /** The text of every content delta received. */
  content: string;
  /** The error event that ended the stream, if one did. */
  error: { code?: unknown; message?: unknown; type?: unknown } | undefined;
  done: boolean;
}

export async function chatStream(target: Rig): Promise<StreamAnswer> {
  const answer = await chat(target, { stream: true });
  let content = '';
  let error: StreamAnswer['error'];
  let done = false;
  for (const block of answer.text.split('\n\n')) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice('data: '.length))
      .join('\n');
    if (data === '') continue;
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const event = JSON.parse(data) as {
      error?: StreamAnswer['error'];
      choices?: { delta?: { content?: unknown } }[];
    };
    if (event.error) error = event.error;
    const delta = event.choices?.[0]?.delta?.content;
    if (typeof delta === 'string') content += delta;
  }
  return { ...answer, content, error, done };
}

export function expectRefusal(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(envelopeProblem(answer.text), answer.text).toBeUndefined();
  expect((JSON.parse(answer.text) as { error: { code: string } }).error.code).toBe(code);
  expect(answer.text).not.toContain('127.0.0.1');
  expect(answer.text).not.toContain('upstream-secret');
}

/** What the prompt plus `delivered` cost, counted the way docs/pricing-and-usage.md says. */
export async function deliveredCost(target: Rig, delivered: string): Promise<number> {
  const model = target.gateway.gateway.catalog.model('mock-chat');
  if (!model) throw new Error('mock-chat is not in the catalog');
  return computeCost(
    {
      promptTokens: await countPromptTokens({ messages }),
      completionTokens: await countTextTokens(delivered),
      cachedTokens: 0,
    },
    model.prices,
  );
}

export function reportedCost(target: Rig, promptTokens: number, completionTokens: number): number {
  const model = target.gateway.gateway.catalog.model('mock-chat');
  if (!model) throw new Error('mock-chat is not in the catalog');
  return computeCost({ promptTokens, completionTokens, cachedTokens: 0 }, model.prices);
}

/**
 * After the queue is flushed: each request was charged exactly its expected amount (0 = no
 * charge), the ledger agrees with the usage records, nothing is held, and the books balance.
 */
export async function expectBooks(
  target: Rig,
  expected: ReadonlyMap<string, number>,
): Promise<void> {
  const store = target.gateway.gateway.store;
  // A stream's last byte reaches the client a moment before its settlement is queued (the
  // tokenizer may still be counting what was delivered): wait, bounded, for every record.
  let records = await allUsageRecords(store, target.accountId);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    await target.gateway.gateway.settlements.flush();
    records = await allUsageRecords(store, target.accountId);
    const recorded = new Set(records.map((record) => record.requestId));
    if ([...expected.keys()].every((requestId) => recorded.has(requestId))) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const entries = await allLedgerEntries(store, target.accountId);
  expect(ledgerAgainstUsage(entries, records)).toEqual([]);
  const charged = new Map<string, number>();
  for (const entry of entries) {
    if (entry.kind === 'charge' && entry.requestId !== null)
      charged.set(entry.requestId, -entry.amount);
  }
  for (const [requestId, cost] of expected) {
    expect(
      records.some((record) => record.requestId === requestId),
      requestId,
    ).toBe(true);
    expect(charged.get(requestId) ?? 0, `charge of ${requestId}`).toBe(cost);
  }
  const total = [...expected.values()].reduce((sum, cost) => sum + cost, 0);
  const wallet = await store.wallets.find(target.accountId);
  expect(wallet).toMatchObject({ balance: initialBalance - total, held: 0 });
  expect(await store.wallets.verify()).toEqual([]);
}
