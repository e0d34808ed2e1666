import { useMemo, useState } from 'react';
import type { UsageSummaryRow } from '../../api/api-types';
import { AccountPicker } from '../../components/account-picker';
import { DataTable, type Column } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { Loading } from '../../components/loading';
import { ErrorNotice } from '../../components/notice';
import { PageHeader } from '../../components/page-header';
import { Stat } from '../../components/stat';
import { formatMoney } from '../../format/money';
import { formatCount, formatTokens } from '../../format/numbers';
import { useAccountScope } from '../../hooks/use-account-scope';
import { useResource } from '../../hooks/use-resource';
import { useSession } from '../../session/session-context';
import { UsageCharts } from './usage-charts';
import { readUsageSummary, usageRanges, usagePeriod, type UsageRange } from './usage-queries';
import { fillDays } from './usage-series';

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
  const [days, setDays] = useState<UsageRange>(usageRanges[0]);
  const period = usagePeriod(days, scope);
  const { firstDay, accountId } = period;
  const byDay = useResource(() => readUsageSummary('day', period), [firstDay, accountId]);
  const byModel = useResource(() => readUsageSummary('model', period), [firstDay, accountId]);
  const total = byDay.data?.total;
  // Kept between renders: a new array would make every chart draw itself again.
  const points = useMemo(
    () => (byDay.data ? fillDays(byDay.data.data, firstDay, days) : undefined),
    [byDay.data, firstDay, days],
  );

  return (
    <>
      <PageHeader
        title="Usage"
        description={`Spend, tokens and requests over the last ${days} days (UTC days).`}
        actions={
          <div className="segmented" role="group" aria-label="Period">
            {usageRanges.map((range) => (
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
      {points ? <UsageCharts points={points} /> : byDay.loading ? <Loading /> : null}
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
