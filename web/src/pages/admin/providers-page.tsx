import { useState } from 'react';
import { api } from '../../api/api-client';
import type { ListOf } from '../../api/api-types';
import { Badge } from '../../components/badge';
import { DataTable, EmptyState, type Column } from '../../components/data-table';
import { PageHeader } from '../../components/page-header';
import { useToast } from '../../components/toast';
import { formatRelative } from '../../format/dates';
import { useResource } from '../../hooks/use-resource';
import { Link } from '../../router/router';
import type { ConnectionTest, Provider } from './admin-types';
import { ConnectionTestResult, type TestState } from './components/connection-test-result';
import { ProviderFormModal } from './components/provider-form-modal';
import { providerKindOptions } from './provider-form-logic';
import './admin.css';

type Editing = { mode: 'create' } | { mode: 'edit'; provider: Provider } | null;

const kindLabel = (kind: Provider['kind']) =>
  providerKindOptions.find((option) => option.value === kind)?.label ?? kind;

/** Admin: the upstream providers, their secrets (write-only) and a connection test. */
export default function ProvidersPage() {
  const providers = useResource(() => api.get<ListOf<Provider>>('/providers'), []);
  const [editing, setEditing] = useState<Editing>(null);
  const [tests, setTests] = useState<ReadonlyMap<number, TestState>>(new Map());
  const toast = useToast();

  const setTest = (id: number, state: TestState) =>
    setTests((current) => new Map(current).set(id, state));

  const runTest = async (provider: Provider) => {
    setTest(provider.id, { status: 'running' });
    try {
      const result = await api.post<ConnectionTest>(`/providers/${provider.id}/test`);
      setTest(provider.id, { status: 'done', result });
    } catch (error) {
      setTest(provider.id, { status: 'failed', error });
    }
  };

  const saved = (provider: Provider, created: boolean) => {
    setEditing(null);
    providers.reload();
    toast(
      created
        ? `Provider ${provider.name} added. Testing its connection…`
        : `Provider ${provider.name} saved`,
    );
    // A fresh or changed provider is tested at once: a typo in the URL or key shows right away.
    void runTest(provider);
  };

  const columns: Column<Provider>[] = [
    {
      header: 'Provider',
      cell: (provider) => (
        <div className="admin-cell-stack">
          <strong>{provider.name}</strong>
          <span className="muted small">{kindLabel(provider.kind)}</span>
          {/* The connection column is hidden on phones; its result shows here instead. */}
          <span className="admin-phone-only">
            <ConnectionTestResult state={tests.get(provider.id)} />
          </span>
        </div>
      ),
    },
    {
      header: 'Base URL',
      cell: (provider) => <span className="mono small admin-break">{provider.baseUrl}</span>,
      hideOnPhone: true,
    },
    {
      header: 'API key',
      cell: (provider) =>
        provider.hasApiKey ? (
          <Badge tone="success">stored</Badge>
        ) : (
          <Badge tone="neutral">none</Badge>
        ),
      hideOnPhone: true,
    },
    {
      header: 'Extra headers',
      cell: (provider) =>
        provider.headerNames.length > 0 ? (
          <span className="mono small">{provider.headerNames.join(', ')}</span>
        ) : (
          <span className="muted">—</span>
        ),
      hideOnPhone: true,
    },
    {
      header: 'Connection',
      cell: (provider) => <ConnectionTestResult state={tests.get(provider.id)} />,
      hideOnPhone: true,
    },
    {
      header: 'Updated',
      cell: (provider) => <span className="small">{formatRelative(provider.updatedAt)}</span>,
      hideOnPhone: true,
    },
    {
      header: 'Actions',
      cell: (provider) => (
        <div className="admin-actions">
          <button
            type="button"
            className="button button-small"
            aria-label={`Test connection to ${provider.name}`}
            disabled={tests.get(provider.id)?.status === 'running'}
            onClick={() => void runTest(provider)}
          >
            Test
          </button>
          <button
            type="button"
            className="button button-small"
            aria-label={`Edit provider ${provider.name}`}
            onClick={() => setEditing({ mode: 'edit', provider })}
          >
            Edit
          </button>
        </div>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Providers"
        description={
          <>
            The upstream APIs the gateway relays to. API keys are stored encrypted and never shown
            again. Route models to providers on the <Link to="/admin/deployments">Deployments</Link>{' '}
            page.
          </>
        }
        actions={
          <button
            type="button"
            className="button button-primary"
            onClick={() => setEditing({ mode: 'create' })}
          >
            Add provider
          </button>
        }
      />
      <DataTable
        label="Providers"
        columns={columns}
        rows={providers.data?.data}
        rowKey={(provider) => provider.id}
        loading={providers.loading}
        error={providers.error}
        onRetry={providers.reload}
        empty={
          <EmptyState title="No providers yet">
            Add one with its base URL and API key — OpenAI, DeepSeek, Azure, Anthropic, Gemini or
            any OpenAI-compatible server — then route models to it.
          </EmptyState>
        }
      />
      {editing ? (
        <ProviderFormModal
          {...(editing.mode === 'edit' ? { provider: editing.provider } : {})}
          onSaved={(provider) => saved(provider, editing.mode === 'create')}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </>
  );
}
