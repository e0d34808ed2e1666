import { api } from '../../api/api-client';
import type { LedgerEntry, LedgerKind, PageOf } from '../../api/api-types';
import { formatDateTime } from '../../format/dates';
import { formatMoney } from '../../format/money';
import { useCursorPages } from '../../hooks/use-cursor-pages';
import { DataTable, type Column } from '../data-table';
import { EmptyState } from '../empty-state';
import { LoadMore } from '../load-more';

const kindLabels: Record<LedgerKind, string> = {
  topup: 'Top-up',
  transfer_in: 'Transfer in',
  transfer_out: 'Transfer out',
  charge: 'Request charge',
  refund: 'Refund',
  adjust: 'Adjustment',
};

const columns: readonly Column<LedgerEntry>[] = [
  { header: 'When', cell: (entry) => formatDateTime(entry.createdAt) },
  { header: 'Kind', cell: (entry) => kindLabels[entry.kind] },
  {
    header: 'Amount',
    align: 'end',
    cell: (entry) => (
      <span className={entry.amountMicros < 0 ? 'amount-debit' : 'amount-credit'}>
        {entry.amountMicros > 0 ? '+' : ''}
        {formatMoney(entry.amount)}
      </span>
    ),
  },
  {
    header: 'Balance after',
    align: 'end',
    hideOnPhone: true,
    cell: (entry) => formatMoney(entry.balanceAfter),
  },
  {
    header: 'Detail',
    hideOnPhone: true,
    cell: (entry) =>
      entry.reason ?? entry.reference ?? (entry.requestId ? <code>{entry.requestId}</code> : '—'),
  },
];

/** A wallet's ledger, newest first, a page at a time. */
export function LedgerTable({ accountId, version = 0 }: { accountId: number; version?: number }) {
  const ledger = useCursorPages(
    (cursor) =>
      api.get<PageOf<LedgerEntry>>(`/accounts/${accountId}/wallet/ledger`, { limit: 25, cursor }),
    [accountId, version],
  );
  return (
    <DataTable
      label="Ledger"
      columns={columns}
      rows={ledger.items}
      rowKey={(entry) => entry.id}
      loading={ledger.loading}
      error={ledger.error}
      onRetry={ledger.reload}
      empty={
        <EmptyState title="No ledger entries yet">
          Top-ups, transfers and request charges will be listed here.
        </EmptyState>
      }
      footer={
        <LoadMore
          hasMore={ledger.nextCursor !== null}
          loading={ledger.loading}
          onLoadMore={ledger.loadMore}
          shown={ledger.items.length}
        />
      }
    />
  );
}
