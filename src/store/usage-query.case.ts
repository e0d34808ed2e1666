import { describe, expect, it } from 'vitest';
import type { UsageQuery } from './contract.js';
import type { UsageRecord } from './records.js';
import { useStoreFixture, type StoreHarness } from './store-fixture.case.js';

const day = 86_400_000;

/** Reading the request log: filters, cursor paging, summaries and retention. */
export function usageQueryContractSuite(harness: StoreHarness): void {
  describe(`Store contract: ${harness.name}: usage queries`, () => {
    const fixture = useStoreFixture(harness);
    /** Account ids unique to the test (usage records need no account row). */
    let accountBase = 0;
    const account = (offset: number) => accountBase + offset;

    const record = (requestId: string, overrides: Partial<UsageRecord> = {}) =>
      fixture.usage(account(0), requestId, overrides);
    const ids = (records: UsageRecord[]) => records.map((item) => item.requestId);
    const list = async (query: UsageQuery) => ids(await fixture.store.usage.list(query));

    it('filters by a list of accounts, where an empty list matches nothing', async () => {
      accountBase = 3_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
      await fixture.store.usage.insertMany([
        record('a', { accountId: account(0), createdAt: 1 }),
        record('b', { accountId: account(1), createdAt: 2 }),
        record('c', { accountId: account(2), createdAt: 3 }),
      ]);
      expect(await list({ accountIds: [account(0), account(2)] })).toEqual([
        fixture.unique('c'),
        fixture.unique('a'),
      ]);
      expect(await list({ accountIds: [account(1)] })).toEqual([fixture.unique('b')]);
      expect(await list({ accountIds: [] })).toEqual([]);
      expect(await list({ accountIds: [], accountId: account(0) })).toEqual([]);
      expect(await list({ accountIds: [account(0), account(1)], accountId: account(1) })).toEqual([
        fixture.unique('b'),
      ]);
    });

    it('filters by outcome and by a [from, to) time range', async () => {
      accountBase = 3_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
      await fixture.store.usage.insertMany([
        record('ok-1', { createdAt: 1_000 }),
        record('bad-request', { status: 400, errorCode: 'invalid_value', createdAt: 2_000 }),
        record('ok-2', { createdAt: 3_000 }),
        record('upstream', { status: 502, errorCode: 'upstream_unavailable', createdAt: 4_000 }),
      ]);
      const mine = { accountId: account(0) };
      expect(await list({ ...mine, outcome: 'ok' })).toEqual([
        fixture.unique('ok-2'),
        fixture.unique('ok-1'),
      ]);
      expect(await list({ ...mine, outcome: 'error' })).toEqual([
        fixture.unique('upstream'),
        fixture.unique('bad-request'),
      ]);
      expect(await list({ ...mine, from: 2_000, to: 4_000 })).toEqual([
        fixture.unique('ok-2'),
        fixture.unique('bad-request'),
      ]);
      expect(await list({ ...mine, from: 3_001 })).toEqual([fixture.unique('upstream')]);
      expect(await list({ ...mine, to: 1_001 })).toEqual([fixture.unique('ok-1')]);
      expect(await list({ ...mine, from: 2_000, to: 2_000 })).toEqual([]);
      expect(await list({ ...mine, outcome: 'error', from: 3_000 })).toEqual([
        fixture.unique('upstream'),
      ]);
    });

    it('pages with the before cursor over records sharing a time, without gaps or repeats', async () => {
      accountBase = 3_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
      const records: UsageRecord[] = [];
      // 23 records over 4 instants; request ids out of time order.
      for (let index = 0; index < 23; index++) {
        records.push(
          record(`r${(index * 7) % 23}`.padEnd(4, 'x'), { createdAt: 5_000 + (index % 4) }),
        );
      }
      await fixture.store.usage.insertMany(records);
      const everything = await fixture.store.usage.list({ accountId: account(0) });
      expect(everything).toHaveLength(23);

      for (const limit of [1, 4, 5, 23]) {
        const seen: UsageRecord[] = [];
        for (;;) {
          const last = seen[seen.length - 1];
          const page = await fixture.store.usage.list({
            accountId: account(0),
            limit,
            ...(last ? { before: { createdAt: last.createdAt, requestId: last.requestId } } : {}),
          });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(limit);
          seen.push(...page);
        }
        expect(seen).toEqual(everything);
        expect(new Set(ids(seen)).size).toBe(23);
      }
      for (let index = 1; index < everything.length; index++) {
        expect(everything[index - 1]?.createdAt).toBeGreaterThanOrEqual(
          everything[index]?.createdAt ?? Infinity,
        );
      }
    });

    it('finds a record by request id', async () => {
      accountBase = 3_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
      const wanted = record('wanted', {
        status: 499,
        errorCode: 'client_closed',
        firstTokenMilliseconds: null,
        deploymentId: null,
        stream: true,
        cost: 17,
      });
      await fixture.store.usage.insertMany([record('other'), wanted]);
      expect(await fixture.store.usage.findByRequestId(wanted.requestId)).toEqual(wanted);
      expect(await fixture.store.usage.findByRequestId(fixture.unique('missing'))).toBeUndefined();
    });

    it('summarizes by UTC day, model and key', async () => {
      accountBase = 3_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
      const monday = Date.UTC(2025, 2, 3);
      const model = (name: string) => fixture.unique(name);
      await fixture.store.usage.insertMany([
        record('d1-a', {
          createdAt: monday,
          modelId: model('alpha'),
          apiKeyId: 1,
          promptTokens: 10,
          completionTokens: 1,
          cost: 100,
        }),
        record('d1-b', {
          createdAt: monday + day - 1,
          modelId: model('beta'),
          apiKeyId: 2,
          promptTokens: 20,
          completionTokens: 2,
          cost: 200,
          status: 502,
          errorCode: 'upstream_unavailable',
        }),
        record('d2-a', {
          createdAt: monday + day,
          modelId: model('alpha'),
          apiKeyId: 2,
          promptTokens: 30,
          completionTokens: 3,
          cost: 300,
        }),
        record('d4-a', {
          createdAt: monday + 3 * day + 5,
          modelId: model('alpha'),
          apiKeyId: 1,
          promptTokens: 40,
          completionTokens: 4,
          cost: 400,
          status: 429,
        }),
        record('elsewhere', { accountId: account(1), createdAt: monday, cost: 9_999 }),
        record('too-late', { createdAt: monday + 10 * day, cost: 9_999 }),
      ]);
      const query = { accountId: account(0), from: monday, to: monday + 10 * day };

      expect(await fixture.store.usage.summarize({ ...query, groupBy: 'day' })).toEqual([
        {
          bucket: '2025-03-03',
          requests: 2,
          errors: 1,
          promptTokens: 30,
          completionTokens: 3,
          cost: 300,
        },
        {
          bucket: '2025-03-04',
          requests: 1,
          errors: 0,
          promptTokens: 30,
          completionTokens: 3,
          cost: 300,
        },
        {
          bucket: '2025-03-06',
          requests: 1,
          errors: 1,
          promptTokens: 40,
          completionTokens: 4,
          cost: 400,
        },
      ]);

      const byBucket = <T extends { bucket: string }>(rows: T[]) =>
        [...rows].sort((left, right) => left.bucket.localeCompare(right.bucket));
      expect(byBucket(await fixture.store.usage.summarize({ ...query, groupBy: 'model' }))).toEqual(
        byBucket([
          {
            bucket: model('alpha'),
            requests: 3,
            errors: 1,
            promptTokens: 80,
            completionTokens: 8,
            cost: 800,
          },
          {
            bucket: model('beta'),
            requests: 1,
            errors: 1,
            promptTokens: 20,
            completionTokens: 2,
            cost: 200,
          },
        ]),
      );
      expect(byBucket(await fixture.store.usage.summarize({ ...query, groupBy: 'key' }))).toEqual([
        { bucket: '1', requests: 2, errors: 1, promptTokens: 50, completionTokens: 5, cost: 500 },
        { bucket: '2', requests: 2, errors: 1, promptTokens: 50, completionTokens: 5, cost: 500 },
      ]);

      expect(
        await fixture.store.usage.summarize({
          ...query,
          groupBy: 'model',
          apiKeyId: 2,
          modelId: model('alpha'),
        }),
      ).toEqual([
        {
          bucket: model('alpha'),
          requests: 1,
          errors: 0,
          promptTokens: 30,
          completionTokens: 3,
          cost: 300,
        },
      ]);
      expect(
        await fixture.store.usage.summarize({
          from: monday,
          to: monday + day,
          accountIds: [account(0), account(1)],
          groupBy: 'day',
        }),
      ).toEqual([
        {
          bucket: '2025-03-03',
          requests: 3,
          errors: 1,
          promptTokens: 130,
          completionTokens: 23,
          cost: 10_299,
        },
      ]);
      expect(
        await fixture.store.usage.summarize({ ...query, accountIds: [], groupBy: 'key' }),
      ).toEqual([]);
    });

    it('deletes records older than a time and answers how many', async () => {
      accountBase = 3_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
      // Times this early belong to no other test still running; clear any that finished.
      await fixture.store.usage.deleteOlderThan(100);
      await fixture.store.usage.insertMany([
        record('ancient-1', { createdAt: 10 }),
        record('ancient-2', { createdAt: 99 }),
        record('boundary', { createdAt: 100 }),
        record('recent', { createdAt: 200 }),
      ]);
      expect(await fixture.store.usage.deleteOlderThan(100)).toBe(2);
      expect(await list({ accountId: account(0) })).toEqual([
        fixture.unique('recent'),
        fixture.unique('boundary'),
      ]);
      expect(await fixture.store.usage.deleteOlderThan(100)).toBe(0);
    });

    it('pages and summarizes exactly like a scan of every record, for any filter and range', async () => {
      accountBase = 3_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
      // A deterministic spread over 20 days, 5 accounts, 3 keys and 3 models, sparse in places.
      let seed = 12_345;
      const next = (below: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed % below;
      };
      const start = Date.UTC(2025, 5, 1);
      const models = ['m0', 'm1', 'm2'].map((name) => fixture.unique(name));
      const records = Array.from({ length: 400 }, (_, index) =>
        record(`r${index}`, {
          accountId: account(next(5)),
          apiKeyId: 1 + next(3),
          // Model m2 only on a few days: a sparse filter.
          modelId: models[index % 37 === 0 ? 2 : next(2)] ?? 'none',
          status: next(10) === 0 ? 502 : 200,
          promptTokens: next(1000),
          completionTokens: next(100),
          cost: next(10_000),
          // Several records share a time, so paging must break ties by request id.
          createdAt: start + next(20) * day + next(6) * 3_600_000,
        }),
      );
      await fixture.store.usage.insertMany(records);

      type Filter = Omit<UsageQuery, 'limit' | 'before'>;
      const matches = (filter: Filter, item: UsageRecord) =>
        (filter.accountId === undefined || item.accountId === filter.accountId) &&
        (filter.accountIds === undefined || filter.accountIds.includes(item.accountId)) &&
        (filter.apiKeyId === undefined || item.apiKeyId === filter.apiKeyId) &&
        (filter.modelId === undefined || item.modelId === filter.modelId) &&
        (filter.outcome === undefined || (item.status === 200) === (filter.outcome === 'ok')) &&
        (filter.from === undefined || item.createdAt >= filter.from) &&
        (filter.to === undefined || item.createdAt < filter.to);
      const newestFirst = (left: UsageRecord, right: UsageRecord) =>
        right.createdAt - left.createdAt || (left.requestId < right.requestId ? 1 : -1);
      const ours = { accountIds: [0, 1, 2, 3, 4].map(account) };
      const filters: Filter[] = [
        ours,
        { accountIds: [account(3)] },
        { accountIds: [account(1), account(4)], outcome: 'error' },
        { ...ours, modelId: models[2] },
        { ...ours, apiKeyId: 2, outcome: 'ok' },
        { accountId: account(2), from: start + 3 * day + 7_200_000, to: start + 15 * day },
        { ...ours, modelId: fixture.unique('absent') },
      ];
      for (const filter of filters) {
        const expected = records.filter((item) => matches(filter, item)).sort(newestFirst);
        const paged: string[] = [];
        let before: UsageQuery['before'];
        for (let page = 0; page < 100; page += 1) {
          const rows = await fixture.store.usage.list({
            ...filter,
            limit: 7,
            ...(before === undefined ? {} : { before }),
          });
          paged.push(...ids(rows));
          const last = rows.at(-1);
          if (rows.length < 7 || !last) break;
          before = { createdAt: last.createdAt, requestId: last.requestId };
        }
        expect(paged, JSON.stringify(filter)).toEqual(ids(expected));

        // Ranges that start and end inside a day, and ones aligned to whole days.
        for (const [from, to] of [
          [start + 2 * day + 3_600_000, start + 17 * day + 7_200_000],
          [start, start + 20 * day],
          [start + 5 * day + 1, start + 5 * day + 10_800_000],
        ] as const) {
          for (const groupBy of ['day', 'model', 'key'] as const) {
            const inRange = expected.filter(
              (item) => item.createdAt >= from && item.createdAt < to,
            );
            const totals = new Map<string, number[]>();
            for (const item of inRange) {
              const bucket =
                groupBy === 'day'
                  ? new Date(item.createdAt).toISOString().slice(0, 10)
                  : groupBy === 'model'
                    ? item.modelId
                    : String(item.apiKeyId);
              const sums = totals.get(bucket) ?? [0, 0, 0, 0, 0];
              sums[0] = (sums[0] ?? 0) + 1;
              sums[1] = (sums[1] ?? 0) + (item.status === 200 ? 0 : 1);
              sums[2] = (sums[2] ?? 0) + item.promptTokens;
              sums[3] = (sums[3] ?? 0) + item.completionTokens;
              sums[4] = (sums[4] ?? 0) + item.cost;
              totals.set(bucket, sums);
            }
            const summary = await fixture.store.usage.summarize({
              ...filter,
              from: Math.max(from, filter.from ?? from),
              to: Math.min(to, filter.to ?? to),
              groupBy,
            });
            const got = new Map(
              summary.map((row) => [
                row.bucket,
                [row.requests, row.errors, row.promptTokens, row.completionTokens, row.cost],
              ]),
            );
            if (filter.outcome === undefined) {
              expect(got, `${groupBy} ${JSON.stringify(filter)}`).toEqual(totals);
            }
          }
        }
      }
    });
  });
}
