import { useId, useState } from 'react';
import type { AuditEvent } from '../../../api/api-types';
import { formatDateTime, formatRelative } from '../../../format/dates';
import { changedFields, describeAction, formatValue } from '../audit-diff';

/** One audit event: a line to scan, opening to the fields it changed and the full record. */
export function AuditEntry({ event }: { event: AuditEvent }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const target =
    event.targetId === null ? event.targetType : `${event.targetType} ${event.targetId}`;
  return (
    <li className="admin-audit-entry">
      <button
        type="button"
        className="admin-audit-summary"
        aria-expanded={open}
        aria-controls={detailsId}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="admin-audit-chevron" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        <span className="admin-audit-what">
          <strong>{describeAction(event.action)}</strong>
          <span className="muted small">
            {target} · by {event.actorLabel}
          </span>
        </span>
        <time
          className="small muted"
          dateTime={event.createdAt}
          title={formatDateTime(event.createdAt)}
        >
          {formatRelative(event.createdAt)}
        </time>
      </button>
      {open ? (
        <div id={detailsId} className="admin-audit-details">
          <AuditChanges event={event} />
        </div>
      ) : null}
    </li>
  );
}

function AuditChanges({ event }: { event: AuditEvent }) {
  const changes = changedFields(event.before, event.after);
  return (
    <div className="stack">
      <p className="small muted">
        {formatDateTime(event.createdAt)} · <span className="mono">{event.action}</span> · event{' '}
        {event.id}
      </p>
      {changes.length === 0 ? (
        <p className="small">No field changed.</p>
      ) : (
        <div className="table-scroll">
          <table
            className="data-table admin-diff"
            aria-label={`Changes of audit event ${event.id}`}
          >
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((change) => (
                <tr key={change.field}>
                  <td className="mono small">{change.field}</td>
                  <td className={`mono small${change.added ? '' : ' admin-diff-before'}`}>
                    {change.added ? '—' : formatValue(change.before)}
                  </td>
                  <td className={`mono small${change.removed ? '' : ' admin-diff-after'}`}>
                    {change.removed ? '—' : formatValue(change.after)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <details>
        <summary className="small">Full before and after</summary>
        <div className="admin-json-pair">
          <JsonBlock label="Before" value={event.before} />
          <JsonBlock label="After" value={event.after} />
        </div>
      </details>
    </div>
  );
}

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  return (
    <figure className="admin-json">
      <figcaption className="small muted">{label}</figcaption>
      <pre className="mono small">
        {value === null || value === undefined ? 'none' : JSON.stringify(value, null, 2)}
      </pre>
    </figure>
  );
}
