import { useState } from 'react';
import { api } from '../../api/api-client';
import type { AuditEvent, PageOf } from '../../api/api-types';
import { EmptyState } from '../../components/empty-state';
import { SelectField, TextField } from '../../components/form-field';
import { LoadMore } from '../../components/load-more';
import { Loading } from '../../components/loading';
import { ErrorNotice } from '../../components/notice';
import { PageHeader } from '../../components/page-header';
import { useCursorPages } from '../../hooks/use-cursor-pages';
import { AuditEntry } from './components/audit-entry';
import './admin.css';

const pageSizes = ['50', '100', '200'];

/** Whether an event matches the search text: action, target, actor, or a value it recorded. */
function matches(event: AuditEvent, target: string, text: string): boolean {
  if (target !== '' && event.targetType !== target) return false;
  if (text === '') return true;
  const haystack = [event.action, event.targetType, event.targetId ?? '', event.actorLabel]
    .join(' ')
    .toLowerCase();
  return (
    haystack.includes(text) ||
    JSON.stringify([event.before, event.after]).toLowerCase().includes(text)
  );
}

/** Admin: who changed what through the management API, newest first. */
export default function AuditPage() {
  const [pageSize, setPageSize] = useState('50');
  const [target, setTarget] = useState('');
  const [search, setSearch] = useState('');
  const list = useCursorPages(
    (cursor) => api.get<PageOf<AuditEvent>>('/audit', { limit: pageSize, cursor }),
    [pageSize],
  );
  const targets = [...new Set(list.items.map((event) => event.targetType))].sort();
  const text = search.trim().toLowerCase();
  const shown = list.items.filter((event) => matches(event, target, text));
  const filtering = target !== '' || text !== '';

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made through the management API or the CLI, newest first: who, what, and the record before and after. Secrets are never recorded."
      />
      <div className="toolbar">
        <SelectField
          label="What changed"
          value={target}
          options={[
            { value: '', label: 'Everything' },
            ...targets.map((name) => ({ value: name, label: name.replace(/_/g, ' ') })),
          ]}
          onChange={setTarget}
        />
        <TextField
          label="Search"
          type="search"
          value={search}
          onChange={setSearch}
          placeholder="actor, id, value…"
        />
        <SelectField
          label="Page size"
          value={pageSize}
          options={pageSizes.map((size) => ({ value: size, label: `${size} per page` }))}
          onChange={setPageSize}
        />
      </div>
      {filtering ? (
        <p className="small muted" role="status">
          {shown.length} of the {list.items.length} loaded events match.
          {list.nextCursor !== null ? ' Load more to search further back.' : ''}
        </p>
      ) : null}
      <div className="table-card">
        {list.error ? (
          <ErrorNotice
            error={list.error}
            onRetry={list.pages === 0 ? list.reload : list.loadMore}
          />
        ) : null}
        {shown.length > 0 ? (
          <ul className="admin-audit-list" aria-label="Audit events">
            {shown.map((event) => (
              <AuditEntry key={event.id} event={event} />
            ))}
          </ul>
        ) : list.loading && list.pages === 0 ? (
          <Loading label="Loading the audit log…" />
        ) : list.error && list.pages === 0 ? null : filtering ? (
          <EmptyState title="No loaded event matches">
            Change the filters, or load more events.
          </EmptyState>
        ) : (
          <EmptyState title="Nothing has changed yet">
            Creating accounts, keys, providers or models, top-ups and sign-ins are recorded here.
          </EmptyState>
        )}
        <LoadMore
          hasMore={list.nextCursor !== null}
          loading={list.loading}
          onLoadMore={list.loadMore}
          shown={list.items.length}
        />
      </div>
    </>
  );
}
