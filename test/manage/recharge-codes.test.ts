import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../src/store/records.js';
import { startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

let harness: ManageHarness;
let agent: AccountRecord;
let agentAuth: Auth;
let user: AccountRecord;
let userAuth: Auth;

const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

beforeAll(async () => {
  harness = await startManageHarness();
  agent = await harness.account('codes-agent', 'agent');
  user = await harness.account('codes-user', 'user', agent.id);
  await harness.fund(agent, 100_000_000);
  agentAuth = await harness.sessionFor(agent);
  userAuth = await harness.sessionFor(user);
});

afterAll(async () => {
  await harness.close();
});

async function balance(account: AccountRecord): Promise<number> {
  return (await harness.gateway.gateway.store.wallets.find(account.id))?.balance ?? -1;
}

async function issue(count: number, amount: string): Promise<string[]> {
  const answer = await harness.call(agentAuth, 'POST', '/recharge-codes', {
    count,
    amount,
    expiresAt: inADay(),
  });
  expect(answer.status).toBe(201);
  return (answer.body.codes as Array<{ code: string }>).map((item) => item.code);
}

describe('recharge codes', () => {
  it('an agent pays for its batch when issuing it, and gets the codes once, also as CSV', async () => {
    const before = await balance(agent);
    const answer = await harness.call(agentAuth, 'POST', '/recharge-codes', {
      count: 3,
      amount: '2.50',
      expiresAt: inADay(),
    });
    expect(answer.status).toBe(201);
    expect(await balance(agent)).toBe(before - 7_500_000);
    const csv = (answer.body.csv as string).trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[1]).toMatch(/^SY(-[0-9A-Z]{4}){5},2\.500000,/);
    const listed = await harness.call(
      agentAuth,
      'GET',
      `/recharge-codes?batchId=${String(answer.body.batchId)}`,
    );
    expect(listed.text).not.toContain((answer.body.codes as Array<{ code: string }>)[0]?.code);
    expect((listed.body.data as unknown[]).length).toBe(3);
  });

  it('a user redeems a code into its wallet at once, and only once', async () => {
    const [code] = await issue(1, '1.25');
    const before = await balance(user);
    const first = await harness.call(userAuth, 'POST', '/recharge-codes/redeem', {
      code: code?.toLowerCase(),
    });
    expect(first.status).toBe(200);
    expect(await balance(user)).toBe(before + 1_250_000);
    const again = await harness.call(userAuth, 'POST', '/recharge-codes/redeem', { code });
    expect(again.status).toBe(400);
    expect((again.body.error as { code: string }).code).toBe('recharge_code_invalid');
    expect(await balance(user)).toBe(before + 1_250_000);
  });

  it('two redemptions of one code racing: exactly one wins, the wallet is credited once', async () => {
    const [code] = await issue(1, '3.00');
    const other = await harness.account('codes-racer', 'user', agent.id);
    const otherAuth = await harness.sessionFor(other);
    const [mine, theirs] = await Promise.all([
      harness.call(userAuth, 'POST', '/recharge-codes/redeem', { code }),
      harness.call(otherAuth, 'POST', '/recharge-codes/redeem', { code }),
    ]);
    expect([mine.status, theirs.status].sort()).toEqual([200, 400]);
    expect(await harness.gateway.gateway.store.wallets.verify()).toEqual([]);
  });

  it('refuses an agent a batch its wallet cannot pay for, issuing nothing', async () => {
    const poor = await harness.account('codes-poor-agent', 'agent');
    const answer = await harness.call(await harness.sessionFor(poor), 'POST', '/recharge-codes', {
      count: 2,
      amount: '1.00',
      expiresAt: inADay(),
    });
    expect(answer.status).toBe(402);
    expect(
      await harness.gateway.gateway.store.rechargeCodes.list({ issuerAccountId: poor.id }),
    ).toEqual([]);
  });

  it('throttles an account after five wrong codes, with Retry-After', async () => {
    const guesser = await harness.account('codes-guesser', 'user', agent.id);
    const guesserAuth = await harness.sessionFor(guesser);
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await harness.call(guesserAuth, 'POST', '/recharge-codes/redeem', {
        code: `SY-0000-0000-0000-0000-000${attempt}`,
      });
      expect(wrong.status).toBe(400);
    }
    const [code] = await issue(1, '1.00');
    const blocked = await harness.call(guesserAuth, 'POST', '/recharge-codes/redeem', { code });
    expect(blocked.status).toBe(429);
    expect((blocked.body.error as { code: string }).code).toBe('too_many_redeem_attempts');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
