import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../src/store/records.js';
import { adminToken, startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

// An account's default limits (PATCH /accounts/:id defaultLimits) and the rule that a key's own
// user may set its limits only within them. Who may do what follows the role rules of access.ts:
// admins anyone, an agent its own users, nobody its own account.

let harness: ManageHarness;
let admin: Auth;
let agentA: Auth;
let agentB: Auth;
let userA: Auth;
let userAccount: AccountRecord;
let counter = 0;

beforeAll(async () => {
  harness = await startManageHarness();
  admin = { kind: 'token', token: adminToken };
  agentA = await harness.sessionFor(harness.cast.agentA);
  agentB = await harness.sessionFor(harness.cast.agentB);
  userA = await harness.sessionFor(harness.cast.userA);
  userAccount = harness.cast.userA;
});

afterAll(async () => {
  await harness.close();
});

/** A fresh user of agent A, with a session, so each test starts with no default limits. */
async function freshUser(): Promise<{ account: AccountRecord; auth: Auth }> {
  const account = await harness.account(`limited-${++counter}`, 'user', harness.cast.agentA.id);
  return { account, auth: await harness.sessionFor(account) };
}

describe('PATCH /accounts/:id defaultLimits', () => {
  it('lets an admin set every limit; the view, the store and the audit log show them', async () => {
    const { account } = await freshUser();
    const limits = {
      rpm: 30,
      tpm: 100_000,
      rpd: 1_000,
      dailySpend: '5.00',
      tokenQuota: 2_000_000,
      tokenQuotaPeriod: 'month',
      maxConcurrency: 4,
    };
    const answer = await harness.call(admin, 'PATCH', `/accounts/${account.id}`, {
      defaultLimits: limits,
    });
    expect(answer.status, answer.text).toBe(200);
    const shown = {
      ...limits,
      dailySpend: '5.000000',
      dailySpendMicros: 5_000_000,
    };
    expect(answer.body.defaultLimits).toEqual(shown);
    const fetched = await harness.call(admin, 'GET', `/accounts/${account.id}`);
    expect(fetched.body.defaultLimits).toEqual(shown);
    const stored = await harness.gateway.gateway.store.accounts.findById(account.id);
    expect(stored?.defaultLimits).toEqual({ ...limits, dailySpend: 5_000_000 });

    const audit = await harness.call(admin, 'GET', '/audit?limit=5');
    const event = (
      audit.body.data as Array<{
        action: string;
        targetId: string;
        before: unknown;
        after: unknown;
      }>
    ).find((entry) => entry.action === 'account.update' && entry.targetId === String(account.id));
    expect(event?.before).toMatchObject({ defaultLimits: {} });
    expect(event?.after).toMatchObject({ defaultLimits: shown });

    // The whole set is replaced: what is left out is the gateway's again.
    const replaced = await harness.call(admin, 'PATCH', `/accounts/${account.id}`, {
      defaultLimits: { rpm: 5 },
    });
    expect(replaced.body.defaultLimits).toEqual({ rpm: 5 });
    const cleared = await harness.call(admin, 'PATCH', `/accounts/${account.id}`, {
      defaultLimits: {},
    });
    expect(cleared.body.defaultLimits).toEqual({});
  });

  it('lets an agent set its own users’ defaults, never its own or another agent’s users’', async () => {
    const body = { defaultLimits: { rpm: 10 } };
    const byAgent = await harness.call(agentA, 'PATCH', `/accounts/${userAccount.id}`, body);
    expect(byAgent.status, byAgent.text).toBe(200);
    expect(byAgent.body.defaultLimits).toEqual({ rpm: 10 });

    const ownByAgent = await harness.call(
      agentA,
      'PATCH',
      `/accounts/${harness.cast.agentA.id}`,
      body,
    );
    expect(ownByAgent.status).toBe(403);
    expect(ownByAgent.body).toMatchObject({
      error: {
        code: 'permission_denied',
        message: 'An account cannot set its own default limits; its agent or an admin can.',
      },
    });
    const otherAgents = await harness.call(agentB, 'PATCH', `/accounts/${userAccount.id}`, body);
    expect(otherAgents.status).toBe(404);
    const bySelf = await harness.call(userA, 'PATCH', `/accounts/${userAccount.id}`, {
      defaultLimits: { rpm: 1_000 },
    });
    expect(bySelf.status).toBe(403);
    // Refused changes leave the limits as they were.
    const stored = await harness.gateway.gateway.store.accounts.findById(userAccount.id);
    expect(stored?.defaultLimits).toEqual({ rpm: 10 });
  });

  it('validates every limit and names the bad one', async () => {
    const path = `/accounts/${userAccount.id}`;
    const cases: Array<[unknown, string]> = [
      [{ rpm: 0 }, 'defaultLimits.rpm'],
      [{ rpm: 1.5 }, 'defaultLimits.rpm'],
      [{ tpm: -1 }, 'defaultLimits.tpm'],
      [{ rpd: '10' }, 'defaultLimits.rpd'],
      [{ dailySpend: 5 }, 'defaultLimits.dailySpend'],
      [{ dailySpend: '0' }, 'defaultLimits.dailySpend'],
      [{ tokenQuotaPeriod: 'year' }, 'defaultLimits.tokenQuotaPeriod'],
      [{ maxConcurrency: 0 }, 'defaultLimits.maxConcurrency'],
      [{ requestsPerMinute: 5 }, 'defaultLimits.requestsPerMinute'],
      [null, 'defaultLimits'],
    ];
    for (const [defaultLimits, param] of cases) {
      const answer = await harness.call(admin, 'PATCH', path, { defaultLimits });
      expect(answer.status, JSON.stringify(defaultLimits)).toBe(400);
      expect(answer.body, JSON.stringify(defaultLimits)).toMatchObject({
        error: { code: 'invalid_value', param },
      });
    }
  });

  it('applies to the account’s keys on the very next request', async () => {
    const { account } = await freshUser();
    const created = await harness.call(admin, 'POST', '/keys', { accountId: account.id });
    const key = created.body.key as string;
    const limitOf = async (): Promise<string | null> => {
      const response = await fetch(`${harness.gateway.baseURL}/models`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.status).toBe(200);
      return response.headers.get('x-ratelimit-limit');
    };
    expect(await limitOf()).toBe('600');
    await harness.call(agentA, 'PATCH', `/accounts/${account.id}`, { defaultLimits: { rpm: 7 } });
    expect(await limitOf()).toBe('7');
  });
});

describe('a key’s limits set by its own account', () => {
  it('may be at most the account’s own, limit by limit', async () => {
    const { account, auth } = await freshUser();
    await harness.call(agentA, 'PATCH', `/accounts/${account.id}`, {
      defaultLimits: { rpm: 30, dailySpend: '5.00', tokenQuota: 1_000 },
    });
    const within = await harness.call(auth, 'POST', '/keys', {
      limits: { rpm: 30, dailySpend: '2.50', tokenQuota: 1_000 },
    });
    expect(within.status, within.text).toBe(201);
    expect(within.body.limits).toEqual({
      rpm: 30,
      dailySpend: '2.500000',
      dailySpendMicros: 2_500_000,
      tokenQuota: 1_000,
    });
    const keyId = within.body.id as number;

    const above = await harness.call(auth, 'POST', '/keys', { limits: { rpm: 31 } });
    expect(above.status).toBe(403);
    expect(above.body).toMatchObject({
      error: {
        code: 'permission_denied',
        message:
          "limits.rpm (31 requests per minute) is more than your account's limit of 30 requests per minute; a key's limits can be at most its account's. Ask your agent or an admin to raise the account's limit.",
      },
    });
    const spend = await harness.call(auth, 'PATCH', `/keys/${keyId}`, {
      limits: { dailySpend: '5.000001' },
    });
    expect(spend.status).toBe(403);
    expect((spend.body.error as { message: string }).message).toContain('5.000000 per day');
    const unset = await harness.call(auth, 'PATCH', `/keys/${keyId}`, { limits: { tpm: 10 } });
    expect(unset.status).toBe(403);
    expect((unset.body.error as { message: string }).message).toContain('no tpm limit of its own');
    const monthly = await harness.call(auth, 'PATCH', `/keys/${keyId}`, {
      limits: { tokenQuota: 500, tokenQuotaPeriod: 'month' },
    });
    expect(monthly.status).toBe(403);
    expect((monthly.body.error as { message: string }).message).toContain('tokenQuotaPeriod');

    // Lowering, and going back to the account's own by leaving limits out, are both fine.
    const lowered = await harness.call(auth, 'PATCH', `/keys/${keyId}`, { limits: { rpm: 3 } });
    expect(lowered.status, lowered.text).toBe(200);
    expect(lowered.body.limits).toEqual({ rpm: 3 });
    const inherited = await harness.call(auth, 'PATCH', `/keys/${keyId}`, { limits: {} });
    expect(inherited.status).toBe(200);
    // Refusals changed nothing on the way.
    const stored = await harness.gateway.gateway.store.apiKeys.findById(keyId);
    expect(stored?.limits).toEqual({});
  });

  it('is not bounded for the agent of the key’s owner or an admin', async () => {
    const { account } = await freshUser();
    await harness.call(admin, 'PATCH', `/accounts/${account.id}`, { defaultLimits: { rpm: 5 } });
    const byAgent = await harness.call(agentA, 'POST', '/keys', {
      accountId: account.id,
      limits: { rpm: 500, tokenQuota: 10, tokenQuotaPeriod: 'month' },
    });
    expect(byAgent.status, byAgent.text).toBe(201);
    expect(byAgent.body.limits).toEqual({ rpm: 500, tokenQuota: 10, tokenQuotaPeriod: 'month' });
    const byAdmin = await harness.call(admin, 'PATCH', `/keys/${byAgent.body.id as number}`, {
      limits: { maxConcurrency: 100 },
    });
    expect(byAdmin.body.limits).toEqual({ maxConcurrency: 100 });
    const byOtherAgent = await harness.call(agentB, 'PATCH', `/keys/${byAgent.body.id as number}`, {
      limits: {},
    });
    expect(byOtherAgent.status).toBe(404);
  });
});
