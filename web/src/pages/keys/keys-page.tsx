import { useState } from 'react';
import { api } from '../../api/api-client';
import type { Account, ApiKey, ListOf } from '../../api/api-types';
import { AccountPicker } from '../../components/account-picker';
import { StatusBadge } from '../../components/badge';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { DataTable, type Column } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { PageHeader } from '../../components/page-header';
import { useToast } from '../../components/toast';
import { formatDate, formatDateTime, formatRelative } from '../../format/dates';
import { useAccountScope } from '../../hooks/use-account-scope';
import { useResource } from '../../hooks/use-resource';
import { manages } from '../../session/permissions';
import { useSession } from '../../session/session-context';
import { CreateKeyDialog } from './create-key-dialog';

type Pending = { kind: 'delete' | 'toggle'; key: ApiKey } | null;

function expiryText(key: ApiKey): string {
  if (key.expiresAt === null) return 'never';
  return Date.parse(key.expiresAt) <= Date.now()
    ? `expired ${formatDate(key.expiresAt)}`
    : formatDate(key.expiresAt);
}

/** API keys of an account: create (the secret shown once), disable, enable, delete. */
export default function KeysPage() {
  const session = useSession();
  const toast = useToast();
  const [scope, setScope] = useAccountScope();
  const accountId = scope ?? session.accountId;
  const [creating, setCreating] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const keys = useResource(
    () => api.get<ListOf<ApiKey>>('/keys', { accountId: accountId ?? undefined }),
    [accountId],
  );
  const owner = useResource(
    () => (accountId === null ? Promise.resolve(null) : api.get<Account>(`/accounts/${accountId}`)),
    [accountId],
  );
  const canPick = session.role !== 'user';

  const columns: Column<ApiKey>[] = [
    { header: 'Name', cell: (key) => <strong>{key.name}</strong> },
    { header: 'Key', cell: (key) => <code>{key.prefix}…</code> },
    { header: 'Status', cell: (key) => <StatusBadge status={key.status} /> },
    {
      header: 'Models',
      hideOnPhone: true,
      cell: (key) => (key.models === null ? 'all' : key.models.join(', ')),
    },
    {
      header: 'Last used',
      cell: (key) => (
        <span title={formatDateTime(key.lastUsedAt)}>{formatRelative(key.lastUsedAt)}</span>
      ),
    },
    { header: 'Expires', hideOnPhone: true, cell: expiryText },
    {
      header: 'Actions',
      align: 'end',
      cell: (key) => (
        <span className="row row-end">
          <button
            type="button"
            className="button button-small"
            aria-label={`${key.status === 'active' ? 'Disable' : 'Enable'} key ${key.name}`}
            onClick={() => setPending({ kind: 'toggle', key })}
          >
            {key.status === 'active' ? 'Disable' : 'Enable'}
          </button>
          <button
            type="button"
            className="button button-small"
            aria-label={`Delete key ${key.name}`}
            onClick={() => setPending({ kind: 'delete', key })}
          >
            Delete
          </button>
        </span>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys authenticate requests to the API. Each is paid from its account's wallet."
        actions={
          accountId !== null ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => setCreating(true)}
            >
              Create key
            </button>
          ) : undefined
        }
      />
      {canPick ? (
        <div className="toolbar">
          <AccountPicker
            value={accountId}
            onChange={setScope}
            allowAll={false}
            label="Keys of account"
          />
        </div>
      ) : null}
      <DataTable
        label="API keys"
        columns={columns}
        rows={keys.data?.data}
        rowKey={(key) => key.id}
        loading={keys.loading}
        error={keys.error}
        onRetry={keys.reload}
        empty={
          <EmptyState title="No API keys yet">
            Create a key, then use it as the bearer token with the OpenAI SDK.
          </EmptyState>
        }
      />
      {creating && accountId !== null ? (
        <CreateKeyDialog
          accountId={accountId}
          accountLimits={owner.data?.defaultLimits ?? {}}
          unbounded={owner.data ? manages(session, owner.data) : false}
          onCreated={keys.reload}
          onClose={() => setCreating(false)}
        />
      ) : null}
      {pending?.kind === 'toggle' ? (
        <ConfirmDialog
          title={`${pending.key.status === 'active' ? 'Disable' : 'Enable'} key ${pending.key.name}?`}
          confirmLabel={pending.key.status === 'active' ? 'Disable key' : 'Enable key'}
          danger={pending.key.status === 'active'}
          onClose={() => setPending(null)}
          onConfirm={async () => {
            const status = pending.key.status === 'active' ? 'disabled' : 'active';
            await api.patch<ApiKey>(`/keys/${pending.key.id}`, { status });
            toast(status === 'disabled' ? 'Key disabled.' : 'Key enabled.');
            keys.reload();
          }}
        >
          <p>
            {pending.key.status === 'active'
              ? 'Requests with this key are refused (401) until you enable it again.'
              : 'Requests with this key are accepted again at once.'}
          </p>
        </ConfirmDialog>
      ) : null}
      {pending?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete key ${pending.key.name}?`}
          confirmLabel="Delete key"
          danger
          onClose={() => setPending(null)}
          onConfirm={async () => {
            await api.delete(`/keys/${pending.key.id}`);
            toast('Key deleted.');
            keys.reload();
          }}
        >
          <p>The key stops working at once and cannot be restored. Its usage records stay.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
