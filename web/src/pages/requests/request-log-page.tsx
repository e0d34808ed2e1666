import { useState } from 'react';
import type { UsageRecord } from '../../api/api-types';
import { Badge } from '../../components/badge';
import { DataTable, type Column } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { LoadMore } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { formatDateTime } from '../../format/dates';
import { formatMoney } from '../../format/money';
import { formatDuration, formatTokens } from '../../format/numbers';
import { useAccountScope } from '../../hooks/use-account-scope';
import { useCursorPages } from '../../hooks/use-cursor-pages';
import { useNavigate } from '../../router/router';
import { useSession } from '../../session/session-context';
import { RequestFilters, type RequestFilterValues } from './request-filters';
import { readRecords } from './request-log-queries';

const columns: readonly Column<UsageRecord>[] = [
  { header: 'Time', cell: (record) => formatDateTime(record.createdAt) },
  { header: 'Model', cell: (record) => <code>{record.model}</code> },
  {
    header: 'Status',
    cell: (record) =>
      record.status === 200 ? (
        <Badge tone="success">200</Badge>
      ) : (
        <Badge tone="error">
          {record.status}
          {record.errorCode ? ` ${record.errorCode}` : ''}
        </Badge>
      ),
  },
  {
    header: 'Tokens in / out',
    align: 'end',
    cell: (record) =>
      `${formatTokens(record.promptTokens)} / ${formatTokens(record.completionTokens)}`,
  },
  { header: 'Cost', align: 'end', cell: (record) => formatMoney(record.cost) },
  {
    header: 'Latency',
    align: 'end',
    hideOnPhone: true,
    cell: (record) => formatDuration(record.latencyMilliseconds),
  },
  { header: 'Key', hideOnPhone: true, cell: (record) => `#${record.keyId}` },
];

/** Every relay request, newest first, a page at a time; a row opens the request. */
export default function RequestLogPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [scope, setScope] = useAccountScope();
  const [filters, setFilters] = useState<Omit<RequestFilterValues, 'accountId'>>({
    keyId: '',
    model: '',
    outcome: '',
  });
  const showAccount = session.role !== 'user';
  const accountId = showAccount ? scope : session.accountId;
  const records = useCursorPages(
    (cursor) =>
      readRecords(
        { ...filters, accountId: showAccount ? (scope ?? undefined) : undefined },
        cursor,
      ),
    [scope, filters.keyId, filters.model, filters.outcome],
  );

  return (
    <>
      <PageHeader
        title="Request log"
        description="One row per API request, newest first. Open a row for all its details."
        actions={
          <button type="button" className="button" onClick={records.reload}>
            Refresh
          </button>
        }
      />
      <RequestFilters
        value={{ ...filters, accountId: scope }}
        showAccount={showAccount}
        keysOf={accountId}
        onChange={({ accountId: nextAccount, ...rest }) => {
          if (nextAccount !== scope) setScope(nextAccount);
          setFilters(rest);
        }}
      />
      <DataTable
        label="Requests"
        columns={columns}
        rows={records.items}
        rowKey={(record) => record.requestId}
        loading={records.loading}
        error={records.error}
        onRetry={records.reload}
        onRowClick={(record) => navigate(`/requests/${encodeURIComponent(record.requestId)}`)}
        empty={
          <EmptyState title="No requests match">
            Requests made with an API key appear here a moment after they finish.
          </EmptyState>
        }
        footer={
          <LoadMore
            hasMore={records.nextCursor !== null}
            loading={records.loading}
            onLoadMore={records.loadMore}
            shown={records.items.length}
          />
        }
      />
    </>
  );
}
