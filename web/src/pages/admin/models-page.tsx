import { useState } from 'react';
import { api } from '../../api/api-client';
import type { ListOf, Model, Prices } from '../../api/api-types';
import { Badge } from '../../components/badge';
import { DataTable, EmptyState, type Column } from '../../components/data-table';
import { PageHeader } from '../../components/page-header';
import { useToast } from '../../components/toast';
import { formatMoney } from '../../format/money';
import { formatTokens } from '../../format/numbers';
import { useResource } from '../../hooks/use-resource';
import { Link } from '../../router/router';
import { KeyAllowlists } from './components/key-allowlists';
import { ModelFormModal } from './components/model-form-modal';
import './admin.css';

type Editing = { mode: 'create' } | { mode: 'edit'; model: Model } | null;

const price = (key: keyof Prices) => (model: Model) => (
  <span className="number">{formatMoney(model.prices[key])}</span>
);

const tokens = (value: number | null) =>
  value === null ? (
    <span className="muted">—</span>
  ) : (
    <span className="number">{formatTokens(value)}</span>
  );

/** Admin: the model catalog with its prices and sizes, and which keys may use which models. */
export default function ModelsPage() {
  const models = useResource(() => api.get<ListOf<Model>>('/models'), []);
  const [editing, setEditing] = useState<Editing>(null);
  const toast = useToast();

  const columns: Column<Model>[] = [
    {
      header: 'Model',
      cell: (model) => (
        <span className="admin-cell-stack">
          <strong className="admin-break">{model.id}</strong>
          {model.kind === 'embedding' ? <Badge tone="info">embedding</Badge> : null}
        </span>
      ),
    },
    { header: 'Input / 1M', cell: price('input'), align: 'end' },
    { header: 'Cached / 1M', cell: price('cachedInput'), align: 'end', hideOnPhone: true },
    { header: 'Output / 1M', cell: price('output'), align: 'end' },
    { header: 'Per request', cell: price('perRequest'), align: 'end', hideOnPhone: true },
    {
      header: 'Context',
      cell: (model) => tokens(model.contextWindow),
      align: 'end',
      hideOnPhone: true,
    },
    {
      header: 'Max output',
      cell: (model) => tokens(model.maxOutputTokens),
      align: 'end',
      hideOnPhone: true,
    },
    {
      header: 'Deployments',
      cell: (model) => {
        const count = model.deployments?.length ?? 0;
        return (
          <Link to={`/admin/deployments?model=${encodeURIComponent(model.id)}`}>
            {count === 0 ? 'none — add one' : `${count} route${count === 1 ? '' : 's'}`}
          </Link>
        );
      },
      hideOnPhone: true,
    },
    {
      header: 'Actions',
      hideOnPhone: true,
      cell: (model) => (
        <div className="admin-actions">
          <button
            type="button"
            className="button button-small"
            aria-label={`Edit model ${model.id}`}
            onClick={() => setEditing({ mode: 'edit', model })}
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
        title="Model catalog"
        description="Prices are in currency units per 1,000,000 tokens, plus an optional fee per request. They are stored exactly, in micro-units; a change applies to requests from then on."
        actions={
          <button
            type="button"
            className="button button-primary"
            onClick={() => setEditing({ mode: 'create' })}
          >
            Add model
          </button>
        }
      />
      <DataTable
        label="Models"
        columns={columns}
        rows={models.data?.data}
        rowKey={(model) => model.id}
        onRowClick={(model) => setEditing({ mode: 'edit', model })}
        loading={models.loading}
        error={models.error}
        onRetry={models.reload}
        empty={
          <EmptyState title="No models yet">
            Add a model with its prices, then route it to a provider on the Deployments page.
          </EmptyState>
        }
      />
      <KeyAllowlists modelIds={(models.data?.data ?? []).map((model) => model.id)} />
      {editing ? (
        <ModelFormModal
          {...(editing.mode === 'edit' ? { model: editing.model } : {})}
          onSaved={(model) => {
            setEditing(null);
            toast(`Model ${model.id} ${editing.mode === 'create' ? 'added' : 'saved'}`);
            models.reload();
          }}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </>
  );
}
