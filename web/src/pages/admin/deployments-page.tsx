import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/api-client';
import type { Deployment, ListOf, Model } from '../../api/api-types';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { DataTable, EmptyState, type Column } from '../../components/data-table';
import { SelectField } from '../../components/form-field';
import { ErrorNotice } from '../../components/notice';
import { PageHeader } from '../../components/page-header';
import { useToast } from '../../components/toast';
import { useResource } from '../../hooks/use-resource';
import { Link, useNavigate, useSearchParams } from '../../router/router';
import type { DeploymentHealth, Provider } from './admin-types';
import { DeploymentFormModal } from './components/deployment-form-modal';
import {
  CooldownCell,
  ErrorRateCell,
  LastErrorCell,
  LatencyCell,
  StateBadge,
} from './components/health-cells';
import { HealthSummary } from './components/health-summary';
import { useNow, useVisibleInterval } from './components/use-visible-interval';
import { deploymentRows, type DeploymentRow } from './deployment-rows';
import './admin.css';

const healthRefreshMilliseconds = 5000;

type Editing = { mode: 'create' } | { mode: 'edit'; deployment: Deployment } | null;

/** Admin: where each model's requests go, and how each route is doing right now. */
export default function DeploymentsPage() {
  const models = useResource(() => api.get<ListOf<Model>>('/models'), []);
  const providers = useResource(() => api.get<ListOf<Provider>>('/providers'), []);
  const health = useResource(() => api.get<ListOf<DeploymentHealth>>('/deployments/health'), []);
  useVisibleInterval(health.reload, healthRefreshMilliseconds);
  const [checkedAt, setCheckedAt] = useState<number | null>(null);
  useEffect(() => {
    if (health.data) setCheckedAt(Date.now());
  }, [health.data]);

  const search = useSearchParams();
  const navigate = useNavigate();
  const modelFilter = search.get('model') ?? '';
  const [editing, setEditing] = useState<Editing>(null);
  const [disabling, setDisabling] = useState<Deployment | null>(null);
  const toast = useToast();

  const allRows = useMemo(
    () => deploymentRows(models.data?.data ?? [], health.data?.data ?? []),
    [models.data, health.data],
  );
  const rows =
    modelFilter === '' ? allRows : allRows.filter((row) => row.deployment.modelId === modelFilter);
  const now = useNow(
    1000,
    rows.some((row) => row.health?.cooldownUntil != null),
  );

  const refresh = () => {
    models.reload();
    health.reload();
  };
  const setEnabled = async (deployment: Deployment, enabled: boolean) => {
    await api.patch<Deployment>(`/deployments/${deployment.id}`, { enabled });
    toast(`${deployment.modelId} → ${deployment.providerName} ${enabled ? 'enabled' : 'disabled'}`);
    refresh();
  };
  const enable = (deployment: Deployment) =>
    setEnabled(deployment, true).catch((error: unknown) =>
      toast(error instanceof Error ? error.message : 'Could not enable the deployment.', 'error'),
    );

  const columns: Column<DeploymentRow>[] = [
    {
      header: 'Route',
      cell: ({ deployment }) => (
        <span className="admin-cell-stack">
          <strong className="admin-nowrap">{deployment.modelId}</strong>
          <span className="muted small">
            → {deployment.providerName}
            {deployment.upstreamModel !== deployment.modelId
              ? ` as ${deployment.upstreamModel}`
              : ''}
          </span>
        </span>
      ),
    },
    {
      header: 'Priority · weight',
      cell: ({ deployment }) => (
        <span className="number">
          {deployment.priority} · {deployment.weight}
        </span>
      ),
      hideOnPhone: true,
    },
    {
      header: 'State',
      cell: (row) => (
        <span className="admin-cell-stack">
          <StateBadge row={row} />
          <CooldownCell row={row} now={now} />
        </span>
      ),
    },
    {
      header: 'Errors',
      cell: (row) => <ErrorRateCell row={row} />,
      align: 'end',
      hideOnPhone: true,
    },
    { header: 'p50', cell: (row) => <LatencyCell row={row} />, align: 'end', hideOnPhone: true },
    {
      header: 'Last error',
      cell: (row) => <LastErrorCell row={row} now={now} />,
      hideOnPhone: true,
    },
    {
      header: 'Actions',
      hideOnPhone: true,
      cell: ({ deployment }) => {
        const name = `${deployment.modelId} on ${deployment.providerName}`;
        return (
          <div className="admin-actions">
            <button
              type="button"
              className="button button-small"
              aria-label={`Edit deployment ${name}`}
              onClick={(event) => {
                event.stopPropagation();
                setEditing({ mode: 'edit', deployment });
              }}
            >
              Edit
            </button>
            {deployment.enabled ? (
              <button
                type="button"
                className="button button-small button-danger"
                aria-label={`Disable deployment ${name}`}
                onClick={(event) => {
                  // The row opens the edit form; this button must not.
                  event.stopPropagation();
                  setDisabling(deployment);
                }}
              >
                Disable
              </button>
            ) : (
              <button
                type="button"
                className="button button-small"
                aria-label={`Enable deployment ${name}`}
                onClick={(event) => {
                  event.stopPropagation();
                  void enable(deployment);
                }}
              >
                Enable
              </button>
            )}
          </div>
        );
      },
    },
  ];

  const catalogReady = models.data !== undefined && providers.data !== undefined;
  const hasProviders = (providers.data?.data.length ?? 0) > 0;
  const hasModels = (models.data?.data.length ?? 0) > 0;
  return (
    <>
      <PageHeader
        title="Deployments & health"
        description={
          <>
            Where each model&apos;s requests go, in the order the router tries them, with each
            circuit breaker&apos;s state. Health refreshes every {healthRefreshMilliseconds / 1000}{' '}
            seconds while this page is open; it is the view of the gateway instance that answers.
          </>
        }
        actions={
          <button
            type="button"
            className="button button-primary"
            disabled={!catalogReady || !hasProviders || !hasModels}
            onClick={() => setEditing({ mode: 'create' })}
          >
            Add deployment
          </button>
        }
      />
      {catalogReady && (!hasProviders || !hasModels) ? (
        <EmptyState title={hasProviders ? 'No models yet' : 'No providers yet'}>
          A deployment routes a model to a provider. First add{' '}
          {hasProviders ? (
            <Link to="/admin/models">a model</Link>
          ) : (
            <Link to="/admin/providers">a provider</Link>
          )}
          .
        </EmptyState>
      ) : null}
      {catalogReady && (!hasProviders || !hasModels) ? null : (
        <>
          <HealthSummary rows={allRows} checkedAt={checkedAt} />
          {health.error ? <ErrorNotice error={health.error} onRetry={health.reload} /> : null}
          <div className="toolbar">
            <SelectField
              label="Model"
              value={modelFilter}
              options={[
                { value: '', label: 'All models' },
                ...(models.data?.data ?? []).map((model) => ({ value: model.id, label: model.id })),
              ]}
              onChange={(model) =>
                navigate(
                  model === ''
                    ? '/admin/deployments'
                    : `/admin/deployments?model=${encodeURIComponent(model)}`,
                  {
                    replace: true,
                  },
                )
              }
            />
          </div>
          <DataTable
            label="Deployments"
            columns={columns}
            rows={rows}
            rowKey={(row) => row.deployment.id}
            // On a phone the actions column is hidden: a tap opens the form, which can also disable.
            onRowClick={({ deployment }) => setEditing({ mode: 'edit', deployment })}
            loading={models.loading && models.data === undefined}
            error={models.error}
            onRetry={models.reload}
            empty={
              <EmptyState
                title={
                  modelFilter === '' ? 'No deployments yet' : `${modelFilter} has no deployments`
                }
              >
                Add a deployment to route the model to a provider; requests for a model without one
                fail with no route.
              </EmptyState>
            }
          />
        </>
      )}
      {editing && models.data && providers.data ? (
        <DeploymentFormModal
          {...(editing.mode === 'edit' ? { deployment: editing.deployment } : {})}
          {...(modelFilter === '' ? {} : { initialModel: modelFilter })}
          models={models.data.data}
          providers={providers.data.data}
          onSaved={(deployment) => {
            setEditing(null);
            toast(`Deployment ${deployment.modelId} → ${deployment.providerName} saved`);
            refresh();
          }}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {disabling ? (
        <ConfirmDialog
          title="Disable this deployment?"
          confirmLabel="Disable deployment"
          danger
          onConfirm={() => setEnabled(disabling, false)}
          onClose={() => setDisabling(null)}
        >
          <p>
            {disabling.modelId} will no longer be sent to {disabling.providerName}. Its other
            deployments take the traffic; if it has none, requests for it fail. You can enable it
            again at any time.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
