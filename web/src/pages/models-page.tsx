import { api } from '../api/api-client';
import type { ListOf, Model } from '../api/api-types';
import { Badge } from '../components/badge';
import { DataTable, type Column } from '../components/data-table';
import { EmptyState } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { formatMoney } from '../format/money';
import { formatCount } from '../format/numbers';
import { useResource } from '../hooks/use-resource';

const columns: readonly Column<Model>[] = [
  { header: 'Model', cell: (model) => <code>{model.id}</code> },
  { header: 'Kind', cell: (model) => <Badge tone="neutral">{model.kind}</Badge> },
  { header: 'Input / 1M', align: 'end', cell: (model) => formatMoney(model.prices.input) },
  { header: 'Output / 1M', align: 'end', cell: (model) => formatMoney(model.prices.output) },
  {
    header: 'Cached input / 1M',
    align: 'end',
    hideOnPhone: true,
    cell: (model) => formatMoney(model.prices.cachedInput),
  },
  {
    header: 'Per request',
    align: 'end',
    hideOnPhone: true,
    cell: (model) => formatMoney(model.prices.perRequest),
  },
  {
    header: 'Context',
    align: 'end',
    hideOnPhone: true,
    cell: (model) => (model.contextWindow === null ? '—' : formatCount(model.contextWindow)),
  },
];

/** The models this gateway serves and what they cost. */
export default function ModelsPage() {
  const models = useResource(() => api.get<ListOf<Model>>('/models'), []);
  return (
    <>
      <PageHeader
        title="Models and prices"
        description="Prices are per 1 million tokens, charged from your wallet after each request by the tokens it really used."
      />
      <DataTable
        label="Models"
        columns={columns}
        rows={models.data?.data}
        rowKey={(model) => model.id}
        loading={models.loading}
        error={models.error}
        onRetry={models.reload}
        empty={
          <EmptyState title="No models are configured">
            An administrator adds providers and models; they appear here with their prices.
          </EmptyState>
        }
      />
    </>
  );
}
