import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import {
  generateRechargeCode,
  hashRechargeCode,
  issueRechargeCodes,
  rechargeCodesCsv,
  RedeemThrottle,
} from './recharge-codes.js';

describe('recharge code format', () => {
  it('is SY- and five groups of four unambiguous characters, all different', () => {
    const codes = Array.from({ length: 500 }, () => generateRechargeCode().code);
    for (const code of codes) expect(code).toMatch(/^SY(-[0-9A-HJKMNP-TV-Z]{4}){5}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('hashes a code the same however it is typed', () => {
    const { code, codeHash } = generateRechargeCode();
    expect(hashRechargeCode(code.toLowerCase())).toBe(codeHash);
    expect(hashRechargeCode(` ${code.replaceAll('-', ' ')} `)).toBe(codeHash);
    expect(hashRechargeCode(code.replace(/^SY-/, ''))).toBe(codeHash);
    expect(hashRechargeCode(`${code}X`)).not.toBe(codeHash);
  });
});

describe('issueRechargeCodes', () => {
  let directory: string;
  let store: Store;

  beforeEach(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-codes-'));
    store = openSqliteStore(path.join(directory, 'db.sqlite'));
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("charges an agent's wallet for its codes, and exports them as CSV", async () => {
    const agent = await store.accounts.create({ username: 'agent', role: 'agent' });
    await store.wallets.move({
      accountId: agent.id,
      amount: 5_000_000,
      kind: 'topup',
      actorAccountId: null,
      reason: null,
    });
    const batch = await issueRechargeCodes(store, {
      issuerAccountId: agent.id,
      issuerRole: 'agent',
      count: 3,
      amount: 1_500_000,
      expiresAt: Date.UTC(2030, 0, 1),
    });
    expect(batch.codes).toHaveLength(3);
    expect((await store.wallets.find(agent.id))?.balance).toBe(500_000);
    const csv = rechargeCodesCsv(batch).trim().split('\n');
    expect(csv[0]).toBe('code,amount,expires_at,batch_id');
    expect(csv[1]).toBe(
      `${batch.codes[0]?.code},1.500000,2030-01-01T00:00:00.000Z,${batch.batchId}`,
    );

    const user = await store.accounts.create({
      username: 'user',
      role: 'user',
      parentId: agent.id,
    });
    const redeemed = await store.rechargeCodes.redeem({
      codeHash: hashRechargeCode(batch.codes[1]?.code ?? ''),
      accountId: user.id,
      now: Date.UTC(2029, 0, 1),
    });
    expect(redeemed.outcome).toBe('redeemed');
    expect((await store.wallets.find(user.id))?.balance).toBe(1_500_000);
    expect(await store.wallets.verify()).toEqual([]);
  });

  it('issues nothing when the agent cannot pay for the whole batch', async () => {
    const agent = await store.accounts.create({ username: 'poor', role: 'agent' });
    await expect(
      issueRechargeCodes(store, {
        issuerAccountId: agent.id,
        issuerRole: 'agent',
        count: 2,
        amount: 1,
        expiresAt: Date.now() + 1000,
      }),
    ).rejects.toMatchObject({ reason: 'insufficient_funds' });
    expect(await store.rechargeCodes.list({ issuerAccountId: agent.id })).toEqual([]);
  });
});

describe('RedeemThrottle', () => {
  it('blocks after too many failures, for longer each time, and forgets on success', () => {
    let now = 0;
    const throttle = new RedeemThrottle({
      maxFailures: 3,
      blockMilliseconds: 1_000,
      now: () => now,
    });
    throttle.recordFailure(1);
    throttle.recordFailure(1);
    expect(throttle.retryAfter(1)).toBe(0);
    throttle.recordFailure(1);
    expect(throttle.retryAfter(1)).toBe(1_000);
    now = 1_000;
    throttle.recordFailure(1);
    expect(throttle.retryAfter(1)).toBe(2_000);
    expect(throttle.retryAfter(2)).toBe(0);
    throttle.recordSuccess(1);
    expect(throttle.retryAfter(1)).toBe(0);
  });
});
