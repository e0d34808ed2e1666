import { useState } from 'react';
import { api } from '../../api/api-client';
import type { Account, ListOf } from '../../api/api-types';
import { Badge, StatusBadge } from '../../components/badge';
import { DataTable, type Column } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { PageHeader } from '../../components/page-header';
import { useToast } from '../../components/toast';
import { formatDate } from '../../format/dates';
import { useResource } from '../../hooks/use-resource';
import { useNavigate } from '../../router/router';
import { useSession } from '../../session/session-context';
import { CreateAccountDialog } from './create-account-dialog';

/** Accounts the caller can see: admins every one, agents themselves and their users. */
export default function AccountsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const accounts = useResource(() => api.get<ListOf<Account>>('/accounts'), []);
  const rows = accounts.data?.data;
  const names = new Map((rows ?? []).map((account) => [account.id, account.username]));

  const columns: Column<Account>[] = [
    {
      header: 'Username',
      cell: (account) => (
        <span className="row">
          <strong>{account.username}</strong>
          {account.id === session.accountId ? <Badge tone="neutral">you</Badge> : null}
        </span>
      ),
    },
    { header: 'Role', cell: (account) => account.role },
    { header: 'Status', cell: (account) => <StatusBadge status={account.status} /> },
    {
      header: 'Agent',
      hideOnPhone: true,
      cell: (account) =>
        account.parentId === null ? '—' : (names.get(account.parentId) ?? `#${account.parentId}`),
    },
    { header: 'Email', hideOnPhone: true, cell: (account) => account.email ?? '—' },
    { header: 'Created', hideOnPhone: true, cell: (account) => formatDate(account.createdAt) },
  ];

  return (
    <>
      <PageHeader
        title={session.role === 'agent' ? 'Your users' : 'Accounts'}
        description={
          session.role === 'agent'
            ? 'Create users, fund them from your wallet, suspend or resume them.'
            : 'Every account. Open one to top it up, adjust it, suspend it or reset its password.'
        }
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            New account
          </button>
        }
      />
      <DataTable
        label="Accounts"
        columns={columns}
        rows={rows}
        rowKey={(account) => account.id}
        loading={accounts.loading}
        error={accounts.error}
        onRetry={accounts.reload}
        onRowClick={(account) => navigate(`/accounts/${account.id}`)}
        empty={<EmptyState title="No accounts yet">Create one with New account.</EmptyState>}
      />
      {creating ? (
        <CreateAccountDialog
          onClose={() => setCreating(false)}
          onCreated={(account) => {
            toast(`Account ${account.username} created.`);
            accounts.reload();
          }}
        />
      ) : null}
    </>
  );
}
