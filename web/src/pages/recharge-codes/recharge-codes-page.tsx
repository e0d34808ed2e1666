import { useState } from 'react';
import { api } from '../../api/api-client';
import type { Account, ListOf, RechargeCode } from '../../api/api-types';
import { StatusBadge } from '../../components/badge';
import { DataTable, type Column } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { PageHeader } from '../../components/page-header';
import { useToast } from '../../components/toast';
import { toCsv, downloadText } from '../../format/csv';
import { formatDate, formatDateTime } from '../../format/dates';
import { formatMoney } from '../../format/money';
import { useResource } from '../../hooks/use-resource';
import { IssueCodesDialog } from './issue-codes-dialog';

/** Recharge codes the caller issued (admins: all), and who redeemed them. */
export default function RechargeCodesPage() {
  const toast = useToast();
  const [issuing, setIssuing] = useState(false);
  const codes = useResource(
    () => api.get<ListOf<RechargeCode>>('/recharge-codes', { limit: 1000 }),
    [],
  );
  const accounts = useResource(() => api.get<ListOf<Account>>('/accounts'), []);
  const names = new Map(
    (accounts.data?.data ?? []).map((account) => [account.id, account.username]),
  );
  const nameOf = (id: number | null) => (id === null ? '' : (names.get(id) ?? `#${id}`));

  const columns: Column<RechargeCode>[] = [
    { header: 'Code', cell: (code) => <code>{code.prefix}…</code> },
    { header: 'Amount', align: 'end', cell: (code) => formatMoney(code.amount) },
    { header: 'Status', cell: (code) => <StatusBadge status={code.status} /> },
    { header: 'Redeemed by', cell: (code) => nameOf(code.redeemedByAccountId) || '—' },
    { header: 'Redeemed', hideOnPhone: true, cell: (code) => formatDateTime(code.redeemedAt) },
    { header: 'Expires', hideOnPhone: true, cell: (code) => formatDate(code.expiresAt) },
    { header: 'Batch', hideOnPhone: true, cell: (code) => <code>{code.batchId.slice(0, 8)}</code> },
  ];

  const exportList = () => {
    const rows = (codes.data?.data ?? []).map((code) => [
      code.prefix,
      code.amount,
      code.status,
      code.batchId,
      nameOf(code.issuerAccountId),
      nameOf(code.redeemedByAccountId),
      code.redeemedAt,
      code.expiresAt,
      code.createdAt,
    ]);
    downloadText(
      'recharge-codes.csv',
      toCsv(
        [
          'prefix',
          'amount',
          'status',
          'batch_id',
          'issuer',
          'redeemed_by',
          'redeemed_at',
          'expires_at',
          'created_at',
        ],
        rows,
      ),
    );
  };

  return (
    <>
      <PageHeader
        title="Recharge codes"
        description="Issue codes in batches and hand them out; whoever redeems one on the Top up page gets its credit."
        actions={
          <>
            <button
              type="button"
              className="button"
              onClick={exportList}
              disabled={!codes.data?.data.length}
            >
              Export list (CSV)
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => setIssuing(true)}
            >
              Issue codes
            </button>
          </>
        }
      />
      <DataTable
        label="Recharge codes"
        columns={columns}
        rows={codes.data?.data}
        rowKey={(code) => code.id}
        loading={codes.loading}
        error={codes.error}
        onRetry={codes.reload}
        empty={
          <EmptyState title="No codes issued yet">
            Issue a batch to sell or give away credit.
          </EmptyState>
        }
      />
      {issuing ? (
        <IssueCodesDialog
          onClose={() => setIssuing(false)}
          onIssued={() => {
            toast('Codes issued.');
            codes.reload();
          }}
        />
      ) : null}
    </>
  );
}
