import { useState } from 'react';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { DataTable, EmptyState, type Column } from '../../components/data-table';
import { TextField } from '../../components/form-field';
import { Loading } from '../../components/loading';
import { ErrorNotice, Notice } from '../../components/notice';
import { PageHeader } from '../../components/page-header';
import { useResource } from '../../hooks/use-resource';
import type { Setting, Settings } from './admin-types';
import './admin.css';

const sourceLabels: Readonly<Record<Setting['source'], string>> = {
  default: 'default',
  file: 'switchyard.yaml',
  environment: 'environment',
};

/** A setting's value as text; the API already withholds secrets ("[set]"). */
function SettingValue({ value }: { value: Setting['value'] }) {
  if (value === null) return <span className="muted">not set</span>;
  if (value === '[set]') return <Badge tone="info">secret set</Badge>;
  if (typeof value === 'boolean') return <span>{value ? 'on' : 'off'}</span>;
  return <span className="mono small admin-break">{String(value)}</span>;
}

const columns: Column<Setting>[] = [
  {
    header: 'Setting',
    cell: (setting) => (
      <span className="admin-cell-stack">
        <span className="mono small admin-break">{setting.key}</span>
        {setting.description ? <span className="muted small">{setting.description}</span> : null}
      </span>
    ),
  },
  { header: 'Value', cell: (setting) => <SettingValue value={setting.value} /> },
  {
    header: 'Source',
    cell: (setting) => (
      <span className="admin-cell-stack">
        <Badge tone={setting.source === 'default' ? 'neutral' : 'info'}>
          {sourceLabels[setting.source]}
        </Badge>
        {setting.environmentVariable ? (
          <span className="mono small muted admin-break">{setting.environmentVariable}</span>
        ) : null}
      </span>
    ),
    hideOnPhone: true,
  },
];

/** Admin: the effective configuration, read-only. */
export default function SettingsPage() {
  const settings = useResource(() => api.get<Settings>('/settings'), []);
  const [search, setSearch] = useState('');
  const text = search.trim().toLowerCase();
  const sections = (settings.data?.sections ?? [])
    .map((section) => ({
      ...section,
      settings: section.settings.filter(
        (setting) =>
          text === '' ||
          setting.key.toLowerCase().includes(text) ||
          (setting.environmentVariable ?? '').toLowerCase().includes(text),
      ),
    }))
    .filter((section) => section.settings.length > 0);

  return (
    <>
      <PageHeader title="Settings" description="The configuration this gateway is running with." />
      <Notice tone="info" title="Read-only">
        Settings are changed in <span className="mono">switchyard.yaml</span> or with{' '}
        <span className="mono">SWITCHYARD_*</span> environment variables (an environment variable
        wins over the file), and take effect when the gateway restarts. Every setting is described
        in docs/configuration-reference.md. Secrets are never shown.
      </Notice>
      {settings.error ? <ErrorNotice error={settings.error} onRetry={settings.reload} /> : null}
      {settings.data === undefined ? (
        settings.loading ? (
          <Loading label="Loading the settings…" />
        ) : null
      ) : (
        <>
          <section className="card" aria-label="Gateway">
            <dl className="details-grid">
              <dt>Version</dt>
              <dd className="mono">{settings.data.version}</dd>
              <dt>Database</dt>
              <dd>{settings.data.database.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}</dd>
              <dt>Redis</dt>
              <dd>
                {settings.data.redis.configured
                  ? 'configured'
                  : 'not configured (limits kept in memory)'}
              </dd>
              {settings.data.configFile !== undefined ? (
                <>
                  <dt>Config file</dt>
                  <dd className="mono admin-break">
                    {settings.data.configFile ?? 'none (defaults and environment only)'}
                  </dd>
                </>
              ) : null}
            </dl>
          </section>
          <div className="toolbar">
            <TextField
              label="Find a setting"
              type="search"
              value={search}
              onChange={setSearch}
              placeholder="e.g. port, SWITCHYARD_REDIS_URL"
            />
          </div>
          {sections.length === 0 ? (
            <EmptyState title={text === '' ? 'No settings reported' : 'No setting matches'}>
              {text === ''
                ? 'The gateway reported no settings.'
                : 'Try part of the key or the variable name.'}
            </EmptyState>
          ) : (
            sections.map((section) => (
              <section
                key={section.name}
                className="stack admin-settings"
                aria-label={`${section.name} settings`}
              >
                <h2>{section.name}</h2>
                <DataTable
                  label={`${section.name} settings`}
                  columns={columns}
                  rows={section.settings}
                  rowKey={(setting) => setting.key}
                  empty={null}
                />
              </section>
            ))
          )}
        </>
      )}
    </>
  );
}
