import { useState } from 'react';
import { api } from '../../../api/api-client';
import type { Account, ApiKey, ListOf } from '../../../api/api-types';
import { Badge, StatusBadge } from '../../../components/badge';
import { DataTable, EmptyState, type Column } from '../../../components/data-table';
import { SelectField } from '../../../components/form-field';
import { useToast } from '../../../components/toast';
import { formatRelative } from '../../../format/dates';
import { useResource } from '../../../hooks/use-resource';
import { AllowlistModal } from './allowlist-modal';

/**
 * Any account's keys and the models each may use. GET /keys without an account answers the
 * caller's own keys, so an account is always chosen first.
 */
export function KeyAllowlists({ modelIds }: { modelIds: readonly string[] }) {
  const accounts = useResource(() => api.get<ListOf<Account>>('/accounts'), []);
  const [accountId, setAccountId] = useState<number | null>(null);
  const keys = useResource(
    () =>
      accountId === null
        ? Promise.resolve(undefined)
        : api.get<ListOf<ApiKey>>('/keys', { accountId }),
    [accountId],
  );
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const toast = useToast();

  const columns: Column<ApiKey>[] = [
    {
      header: 'Key',
      cell: (key) => (
        <span className="admin-cell-stack">
          <strong>{key.name}</strong>
          <span className="mono small muted">{key.prefix}…</span>
        </span>
      ),
    },
    { header: 'Status', cell: (key) => <StatusBadge status={key.status} />, hideOnPhone: true },
    {
      header: 'Allowed models',
      cell: (key) =>
        key.models === null ? (
          <Badge tone="neutral">every model</Badge>
        ) : (
          <span className="mono small admin-break">{key.models.join(', ')}</span>
        ),
    },
    {
      header: 'Last used',
      cell: (key) => <span className="small">{formatRelative(key.lastUsedAt)}</span>,
      hideOnPhone: true,
    },
    {
      header: 'Actions',
      hideOnPhone: true,
      cell: (key) => (
        <div className="admin-actions">
          <button
            type="button"
            className="button button-small"
            aria-label={`Edit models of key ${key.name}`}
            onClick={() => setEditing(key)}
          >
            Edit models
          </button>
        </div>
      ),
    },
  ];

  const options = [
    { value: '', label: accounts.loading ? 'Loading accounts…' : 'Choose an account…' },
    ...(accounts.data?.data ?? []).map((account) => ({
      value: String(account.id),
      label: `${account.username} (${account.role})`,
    })),
  ];
  return (
    <section className="stack" aria-labelledby="key-allowlists-title">
      <div className="card-header">
        <div>
          <h2 id="key-allowlists-title">Key allowlists</h2>
          <p className="muted small">
            A key with an allowlist may call only those models; others answer 403 model_not_allowed.
          </p>
        </div>
      </div>
      <div className="toolbar">
        <SelectField
          label="Account"
          value={accountId === null ? '' : String(accountId)}
          options={options}
          onChange={(value) => setAccountId(value === '' ? null : Number(value))}
          error={
            accounts.error ? 'Could not load the accounts. Reload the page to try again.' : null
          }
        />
      </div>
      {accountId === null ? (
        <EmptyState title="Choose an account">
          Its API keys and their allowed models appear here.
        </EmptyState>
      ) : (
        <DataTable
          label="API keys of the chosen account"
          columns={columns}
          rows={keys.data?.data}
          rowKey={(key) => key.id}
          onRowClick={setEditing}
          loading={keys.loading}
          error={keys.error}
          onRetry={keys.reload}
          empty={
            <EmptyState title="This account has no API keys">
              Keys are created by the account itself, its agent, or an admin on the API keys page.
            </EmptyState>
          }
        />
      )}
      {editing ? (
        <AllowlistModal
          apiKey={editing}
          modelIds={modelIds}
          onSaved={(key) => {
            setEditing(null);
            toast(`Allowed models of ${key.name} saved`);
            keys.reload();
          }}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </section>
  );
}
