import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../src/store/records.js';
import { adminToken, startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

let harness: ManageHarness;
let admin: Auth;
let agentA: Auth;
let userA: Auth;

beforeAll(async () => {
  harness = await startManageHarness();
  admin = { kind: 'token', token: adminToken };
  agentA = await harness.sessionFor(harness.cast.agentA);
  userA = await harness.sessionFor(harness.cast.userA);
});

afterAll(async () => {
  await harness.close();
});

async function balanceOf(account: AccountRecord): Promise<number> {
  return (await harness.gateway.gateway.store.wallets.find(account.id))?.balance ?? Number.NaN;
}

const walletPath = (account: AccountRecord, action = '') =>
  `/accounts/${account.id}/wallet${action === '' ? '' : `/${action}`}`;

describe('top-ups and adjustments (admins)', () => {
  it('tops up by a decimal string, exactly, and answers the wallet in both forms', async () => {
    const { agentA: agent } = harness.cast;
    const answer = await harness.call(admin, 'POST', walletPath(agent, 'topup'), {
      amount: '12.50',
      reason: 'first credit',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      accountId: agent.id,
      status: 'active',
      balance: '12.500000',
      balanceMicros: 12_500_000,
      held: '0.000000',
      available: '12.500000',
      availableMicros: 12_500_000,
    });
    const ledger = await harness.call(admin, 'GET', walletPath(agent, 'ledger'));
    expect(ledger.body.data).toEqual([
      expect.objectContaining({
        kind: 'topup',
        amount: '12.500000',
        amountMicros: 12_500_000,
        reason: 'first credit',
        actorAccountId: null,
      }),
    ]);
  });

  it('refuses amounts that are not positive decimal strings', async () => {
    const path = walletPath(harness.cast.agentA, 'topup');
    for (const amount of [12.5, '0', '-1', '1.1234567', 'ten', '1e3']) {
      const answer = await harness.call(admin, 'POST', path, { amount });
      expect(answer.status, JSON.stringify(amount)).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'invalid_value', param: 'amount' } });
    }
    const missing = await harness.call(admin, 'POST', path, {});
    expect(missing.body).toMatchObject({
      error: { code: 'missing_required_parameter', param: 'amount' },
    });
  });

  it('adjusts by a signed amount with a reason, and never below what is available', async () => {
    const user = await harness.account('adjusted-user', 'user');
    await harness.fund(user, 2_000_000);
    const debit = await harness.call(admin, 'POST', walletPath(user, 'adjust'), {
      amount: '-0.50',
      reason: 'refund reversal',
    });
    expect(debit.status).toBe(200);
    expect(debit.body).toMatchObject({ balanceMicros: 1_500_000 });
    const tooMuch = await harness.call(admin, 'POST', walletPath(user, 'adjust'), {
      amount: '-5',
      reason: 'too much',
    });
    expect(tooMuch.status).toBe(402);
    expect(tooMuch.body).toMatchObject({ error: { code: 'insufficient_balance' } });
    expect(JSON.stringify(tooMuch.body)).toContain('has 1.500000 available; this needs 5.000000');
    const noReason = await harness.call(admin, 'POST', walletPath(user, 'adjust'), {
      amount: '1',
    });
    expect(noReason.body).toMatchObject({ error: { param: 'reason' } });
    expect(await balanceOf(user)).toBe(1_500_000);
  });
});

describe('transfers', () => {
  it('moves credit from an agent to its own user, atomically, with both ledger sides', async () => {
    const { agentA: agent, userA: user } = harness.cast;
    const agentBefore = await balanceOf(agent);
    const answer = await harness.call(agentA, 'POST', walletPath(user, 'transfer'), {
      amount: '2.25',
      reason: 'monthly allowance',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      from: { accountId: agent.id, balanceMicros: agentBefore - 2_250_000 },
      to: { accountId: user.id, balanceMicros: 2_250_000 },
    });
    const userLedger = await harness.call(userA, 'GET', walletPath(user, 'ledger'));
    expect(userLedger.body.data).toEqual([
      expect.objectContaining({
        kind: 'transfer_in',
        amount: '2.250000',
        actorAccountId: agent.id,
      }),
    ]);
    const agentLedger = await harness.call(agentA, 'GET', walletPath(agent, 'ledger?limit=1'));
    expect(agentLedger.body.data).toEqual([
      expect.objectContaining({ kind: 'transfer_out', amountMicros: -2_250_000 }),
    ]);
    expect(agentLedger.body.nextCursor).toEqual(expect.any(String));
    const next = await harness.call(
      agentA,
      'GET',
      walletPath(agent, `ledger?limit=1&cursor=${String(agentLedger.body.nextCursor)}`),
    );
    expect(next.body.data).toEqual([expect.objectContaining({ kind: 'topup' })]);
  });

  it('refuses more than the agent has (402), and a suspended agent wallet (402)', async () => {
    const { agentA: agent, userA: user } = harness.cast;
    const before = await balanceOf(user);
    const tooMuch = await harness.call(agentA, 'POST', walletPath(user, 'transfer'), {
      amount: '1000',
    });
    expect(tooMuch.status).toBe(402);
    expect(tooMuch.body).toMatchObject({
      error: { code: 'insufficient_balance', param: 'amount' },
    });
    await harness.call(admin, 'POST', walletPath(agent, 'suspend'));
    const suspended = await harness.call(agentA, 'POST', walletPath(user, 'transfer'), {
      amount: '1',
    });
    expect(suspended.status).toBe(402);
    expect(suspended.body).toMatchObject({ error: { code: 'wallet_suspended' } });
    await harness.call(admin, 'POST', walletPath(agent, 'resume'));
    expect(await balanceOf(user)).toBe(before);
  });

  it('lets admins move credit between any two wallets, naming the source', async () => {
    const { userA: from, userB: to } = harness.cast;
    const missing = await harness.call(admin, 'POST', walletPath(to, 'transfer'), {
      amount: '0.25',
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      error: { code: 'missing_required_parameter', param: 'fromAccountId' },
    });
    const moved = await harness.call(admin, 'POST', walletPath(to, 'transfer'), {
      fromAccountId: from.id,
      amount: '0.25',
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ to: { accountId: to.id, balanceMicros: 250_000 } });
    const itself = await harness.call(admin, 'POST', walletPath(to, 'transfer'), {
      fromAccountId: to.id,
      amount: '0.25',
    });
    expect(itself.body).toMatchObject({ error: { code: 'invalid_value', param: 'fromAccountId' } });
  });

  it('keeps agents to their own wallet as the source', async () => {
    const { userA: user, agentA: agent } = harness.cast;
    const second = await harness.account('user-a-2', 'user', agent.id);
    const fromUser = await harness.call(agentA, 'POST', walletPath(second, 'transfer'), {
      fromAccountId: user.id,
      amount: '0.01',
    });
    expect(fromUser.status).toBe(403);
    const toSelf = await harness.call(agentA, 'POST', walletPath(agent, 'transfer'), {
      amount: '0.01',
    });
    expect(toSelf.status).toBe(403);
  });
});

describe('agent A and agent B’s users', () => {
  it('cannot see, fund, transfer to, suspend, or create keys for them: 404, and nothing changes', async () => {
    const { userB } = harness.cast;
    await harness.fund(userB, 1_000_000);
    const before = await balanceOf(userB);
    const attempts: Array<[string, string, unknown]> = [
      ['GET', `/accounts/${userB.id}`, undefined],
      ['PATCH', `/accounts/${userB.id}`, { email: 'stolen@example.com' }],
      ['GET', walletPath(userB), undefined],
      ['GET', walletPath(userB, 'ledger'), undefined],
      ['POST', walletPath(userB, 'topup'), { amount: '1' }],
      ['POST', walletPath(userB, 'adjust'), { amount: '-1', reason: 'x' }],
      ['POST', walletPath(userB, 'transfer'), { amount: '1' }],
      ['POST', walletPath(userB, 'suspend'), undefined],
      ['POST', walletPath(userB, 'resume'), undefined],
      ['GET', `/keys?accountId=${userB.id}`, undefined],
      ['POST', '/keys', { accountId: userB.id, name: 'sneaky' }],
      ['GET', `/usage/records?accountId=${userB.id}`, undefined],
      ['GET', `/usage/summary?accountId=${userB.id}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await harness.call(agentA, method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body).toMatchObject({ error: { code: 'resource_not_found' } });
    }
    // Not even a different message for an account that does not exist at all.
    const ghost = await harness.call(agentA, 'GET', '/accounts/999999');
    const real = await harness.call(agentA, 'GET', `/accounts/${userB.id}`);
    expect((ghost.body.error as { message: string }).message).toBe(
      (real.body.error as { message: string }).message.replace(String(userB.id), '999999'),
    );
    const listed = await harness.call(agentA, 'GET', '/accounts');
    const ids = (listed.body.data as Array<{ id: number }>).map((account) => account.id);
    expect(ids).not.toContain(userB.id);
    expect(ids).not.toContain(harness.cast.agentB.id);
    const store = harness.gateway.gateway.store;
    expect(await balanceOf(userB)).toBe(before);
    expect((await store.wallets.find(userB.id))?.status).toBe('active');
    expect(await store.apiKeys.list({ accountId: userB.id })).toEqual([]);
    expect((await store.accounts.findById(userB.id))?.email).toBe(null);
  });
});

describe('users', () => {
  it('see their wallet but cannot move money: top-up, adjust, transfer, suspend all refused', async () => {
    const { userA: self, agentA: agent, userB } = harness.cast;
    const before = await balanceOf(self);
    const view = await harness.call(userA, 'GET', walletPath(self));
    expect(view.status).toBe(200);
    const refused: Array<[string, unknown, number]> = [
      [walletPath(self, 'topup'), { amount: '100' }, 403],
      [walletPath(self, 'adjust'), { amount: '100', reason: 'gift' }, 403],
      [walletPath(self, 'transfer'), { fromAccountId: agent.id, amount: '1' }, 403],
      [walletPath(userB, 'transfer'), { fromAccountId: self.id, amount: '0.01' }, 404],
      [walletPath(self, 'suspend'), undefined, 403],
      [walletPath(self, 'resume'), undefined, 403],
    ];
    for (const [path, body, status] of refused) {
      const answer = await harness.call(userA, 'POST', path, body);
      expect(answer.status, path).toBe(status);
    }
    expect(await balanceOf(self)).toBe(before);
  });
});

describe('suspension', () => {
  it('lets an agent suspend and resume its own user’s wallet', async () => {
    const { userA: user } = harness.cast;
    const suspended = await harness.call(agentA, 'POST', walletPath(user, 'suspend'), {
      reason: 'unpaid invoice',
    });
    expect(suspended.body).toMatchObject({ status: 'suspended' });
    const resumed = await harness.call(agentA, 'POST', walletPath(user, 'resume'));
    expect(resumed.body).toMatchObject({ status: 'active' });
  });
});
