import { describe, expect, it } from 'vitest';
import type { AuditEventRecord } from './money-records.js';
import { farFuture, useStoreFixture, type StoreHarness } from './store-fixture.case.js';

/** The audit log and dashboard sessions. */
export function auditSessionContractSuite(harness: StoreHarness): void {
  describe(`Store contract: ${harness.name}: audit log and sessions`, () => {
    const fixture = useStoreFixture(harness);

    describe('audit', () => {
      it('appends events and lists them newest first, with before and after as JSON', async () => {
        const actor = await fixture.createAccount('actor', { role: 'admin' });
        const before = { status: 'active', limits: { rpm: 60 }, models: ['a', 'b'], note: null };
        const after = { status: 'disabled', nested: { deep: [1, { x: true }] }, price: 1.25 };
        const events: Omit<AuditEventRecord, 'id' | 'createdAt'>[] = [
          {
            actorAccountId: actor.id,
            actorLabel: actor.username,
            action: 'key.update',
            targetType: 'api_key',
            targetId: fixture.unique('key'),
            before,
            after,
          },
          {
            actorAccountId: null,
            actorLabel: 'admin token',
            action: 'wallet.topup',
            targetType: 'wallet',
            targetId: null,
            before: null,
            after: { balance: 5, text: 'ünïcødé "quoted"' },
          },
          {
            actorAccountId: null,
            actorLabel: 'system',
            action: 'provider.delete',
            targetType: 'provider',
            targetId: fixture.unique('provider'),
            before: ['x'],
            after: null,
          },
        ];
        const startedAt = Date.now();
        for (const event of events) await fixture.store.audit.append(event);

        const listed = await fixture.store.audit.list({ limit: 3 });
        expect(listed).toEqual(
          [...events].reverse().map((event) => ({
            ...event,
            id: expect.any(Number) as number,
            createdAt: expect.any(Number) as number,
          })),
        );
        for (const event of listed) {
          expect(event.createdAt).toBeGreaterThanOrEqual(startedAt);
          expect(event.createdAt).toBeLessThanOrEqual(Date.now());
        }
        const ids = listed.map((event) => event.id);
        expect(ids).toEqual([...ids].sort((left, right) => right - left));
      });

      it('pages with beforeId and stores an absent before or after as null', async () => {
        for (let index = 0; index < 5; index++) {
          await fixture.store.audit.append({
            actorAccountId: null,
            actorLabel: 'test',
            action: `page.${index}`,
            targetType: 'thing',
            targetId: fixture.unique(`t${index}`),
            before: undefined,
            after: index,
          });
        }
        const newest = await fixture.store.audit.list({ limit: 5 });
        expect(newest.map((event) => event.action)).toEqual([
          'page.4',
          'page.3',
          'page.2',
          'page.1',
          'page.0',
        ]);
        expect(newest.map((event) => event.after)).toEqual([4, 3, 2, 1, 0]);
        expect(newest.every((event) => event.before === null)).toBe(true);

        const second = await fixture.store.audit.list({ limit: 2, beforeId: newest[1]?.id });
        expect(second).toEqual(newest.slice(2, 4));
        const last = await fixture.store.audit.list({ limit: 2, beforeId: newest[3]?.id });
        expect(last[0]).toEqual(newest[4]);
        expect((await fixture.store.audit.list()).length).toBeGreaterThanOrEqual(5);
      });
    });

    describe('sessions', () => {
      it('creates, finds and deletes a session', async () => {
        const account = await fixture.createAccount('viewer');
        const session = {
          tokenHash: fixture.unique('token'),
          accountId: account.id,
          csrfToken: fixture.unique('csrf'),
          expiresAt: farFuture,
          createdAt: 1_700_000_000_123,
        };
        await fixture.store.sessions.create(session);
        expect(await fixture.store.sessions.find(session.tokenHash)).toEqual(session);
        expect(await fixture.store.sessions.find(fixture.unique('other'))).toBeUndefined();
        await expect(fixture.store.sessions.create(session)).rejects.toThrow();

        await fixture.store.sessions.delete(session.tokenHash);
        expect(await fixture.store.sessions.find(session.tokenHash)).toBeUndefined();
        await expect(fixture.store.sessions.delete(session.tokenHash)).resolves.toBeUndefined();
      });

      it('deletes expired sessions only', async () => {
        const account = await fixture.createAccount('sessions');
        // Times in 1970: no other test's session has expired this early.
        const expiries = [1_000, 2_000, farFuture];
        for (const [index, expiresAt] of expiries.entries()) {
          await fixture.store.sessions.create({
            tokenHash: fixture.unique(`token-${index}`),
            accountId: account.id,
            csrfToken: 'csrf',
            expiresAt,
            createdAt: 500,
          });
        }
        expect(await fixture.store.sessions.deleteExpired(1_500)).toBe(1);
        expect(await fixture.store.sessions.find(fixture.unique('token-0'))).toBeUndefined();
        expect(await fixture.store.sessions.find(fixture.unique('token-1'))).toBeDefined();
        expect(await fixture.store.sessions.deleteExpired(2_500)).toBe(1);
        expect(await fixture.store.sessions.deleteExpired(2_500)).toBe(0);
        expect((await fixture.store.sessions.find(fixture.unique('token-2')))?.expiresAt).toBe(
          farFuture,
        );
      });
    });
  });
}
