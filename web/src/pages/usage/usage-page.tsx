import { useState } from 'react';
import { api } from '../../api/api-client';
import type { UsageSummary, UsageSummaryRow } from '../../api/api-types';
import { AccountPicker } from '../../components/account-picker';
import { DataTable, type Column } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { Loading } from '../../components/loading';
import { ErrorNotice } from '../../components/notice';
import { PageHeader } from '../../components/page-header';
import { Stat } from '../../components/stat';
import { utcDaysAgo } from '../../format/dates';
import { formatMoney } from '../../format/money';
import { formatCount, formatTokens } from '../../format/numbers';
import { useAccountScope } from '../../hooks/use-account-scope';
import { useResource } from '../../hooks/use-resource';
import { useSession } from '../../session/session-context';
import { UsageCharts } from './usage-charts';
import { fillDays } from './usage-series';

const ranges = [7, 30] as const;

const modelColumns: readonly Column<UsageSummaryRow>[] = [
  { header: 'Model', cell: (row) => <code>{row.bucket}</code> },
  { header: 'Requests', align: 'end', cell: (row) => formatCount(row.requests) },
  { header: 'Errors', align: 'end', hideOnPhone: true, cell: (row) => formatCount(row.errors) },
  { header: 'Prompt tokens', align: 'end', cell: (row) => formatTokens(row.promptTokens) },
  { header: 'Completion tokens', align: 'end', cell: (row) => formatTokens(row.completionTokens) },
  { header: 'Spend', align: 'end', cell: (row) => formatMoney(row.cost) },
];

/**
 * Spend, tokens and requests per day and per model. Reads the summary endpoint only (two small
 * aggregated answers), never raw records, so it stays fast however long the log grows.
 */
export default function UsagePage() {
  const session = useSession();
  const [scope, setScope] = useAccountScope();
  const [days, setDays] = useState<(typeof ranges)[number]>(7);
  const firstDay = utcDaysAgo(days);
  const accountId = scope ?? undefined;
  const byDay = useResource(
    () => api.get<UsageSummary>('/usage/summary', { groupBy: 'day', from: firstDay, accountId }),
    [firstDay, accountId],
  );
  const byModel = useResource(
    () => api.get<UsageSummary>('/usage/summary', { groupBy: 'model', from: firstDay, accountId }),
    [firstDay, accountId],
  );
  const total = byDay.data?.total;

  return (
    <>
      <PageHeader
        title="Usage"
        description={`Spend, tokens and requests over the last ${days} days (UTC days).`}
        actions={
          <div className="segmented" role="group" aria-label="Period">
            {ranges.map((range) => (
              <button
                key={range}
                type="button"
                aria-pressed={days === range}
                onClick={() => setDays(range)}
              >
                {range} days
              </button>
            ))}
          </div>
        }
      />
      {session.role !== 'user' ? (
        <div className="toolbar">
          <AccountPicker value={scope} onChange={setScope} />
        </div>
      ) : null}
      {byDay.error ? <ErrorNotice error={byDay.error} onRetry={byDay.reload} /> : null}
      {total ? (
        <section className="stat-grid" aria-label="Totals">
          <Stat label="Spend" value={formatMoney(total.cost)} testId="usage-total-spend" />
          <Stat
            label="Requests"
            value={formatCount(total.requests)}
            note={`${formatCount(total.errors)} failed`}
            testId="usage-total-requests"
          />
          <Stat label="Prompt tokens" value={formatTokens(total.promptTokens)} />
          <Stat label="Completion tokens" value={formatTokens(total.completionTokens)} />
        </section>
      ) : null}
      {byDay.data ? (
        <UsageCharts points={fillDays(byDay.data.data, firstDay, days)} />
      ) : byDay.loading ? (
        <Loading />
      ) : null}
      <section className="stack" aria-labelledby="by-model-title">
        <h2 id="by-model-title">By model</h2>
        <DataTable
          label="Usage by model"
          columns={modelColumns}
          rows={byModel.data?.data}
          rowKey={(row) => row.bucket}
          loading={byModel.loading}
          error={byModel.error}
          onRetry={byModel.reload}
          empty={
            <EmptyState title={`No requests in the last ${days} days`}>
              Usage shows up here a moment after requests finish.
            </EmptyState>
          }
        />
      </section>
    </>
  );
}
