import type { ReactNode } from 'react';
import { api } from '../../api/api-client';
import type { UsageRecord } from '../../api/api-types';
import { Badge } from '../../components/badge';
import { CopyButton } from '../../components/copy-button';
import { Loading } from '../../components/loading';
import { ErrorNotice } from '../../components/notice';
import { PageHeader } from '../../components/page-header';
import { formatDateTime } from '../../format/dates';
import { formatMoney } from '../../format/money';
import { formatCount, formatDuration } from '../../format/numbers';
import { useResource } from '../../hooks/use-resource';
import type { PageProps } from '../../router/page-descriptor';
import { Link } from '../../router/router';

function details(record: UsageRecord): readonly [string, ReactNode][] {
  return [
    ['Request id', <code key="id">{record.requestId}</code>],
    ['Time', formatDateTime(record.createdAt)],
    ['Model', <code key="model">{record.model}</code>],
    [
      'Status',
      <Badge key="status" tone={record.status === 200 ? 'success' : 'error'}>
        {record.status}
      </Badge>,
    ],
    ['Error code', record.errorCode ?? '—'],
    ['Cost', formatMoney(record.cost)],
    ['Prompt tokens', formatCount(record.promptTokens)],
    ['Cached prompt tokens', formatCount(record.cachedTokens)],
    ['Completion tokens', formatCount(record.completionTokens)],
    ['Latency', formatDuration(record.latencyMilliseconds)],
    [
      'Time to first token',
      record.firstTokenMilliseconds === null ? '—' : formatDuration(record.firstTokenMilliseconds),
    ],
    ['Streamed', record.stream ? 'yes' : 'no'],
    [
      'Account',
      <Link key="account" to={`/accounts/${record.accountId}`}>
        #{record.accountId}
      </Link>,
    ],
    ['API key', `#${record.keyId}`],
    ...(record.deploymentId === null
      ? []
      : [['Deployment', `#${record.deploymentId}`] as [string, ReactNode]]),
  ];
}

/** One relay request with everything recorded about it. */
export default function RequestPage({ params }: PageProps) {
  const requestId = params.requestId ?? '';
  const record = useResource(
    () => api.get<UsageRecord>(`/usage/records/${encodeURIComponent(requestId)}`),
    [requestId],
  );
  return (
    <>
      <PageHeader
        title="Request"
        description={<Link to="/requests">← Back to the request log</Link>}
        actions={<CopyButton text={requestId} label="Copy request id" />}
      />
      {record.error ? <ErrorNotice error={record.error} onRetry={record.reload} /> : null}
      {record.data ? (
        <section className="card" aria-label="Request details">
          <dl className="details-grid">
            {details(record.data).map(([term, value]) => (
              <div key={term} className="details-row">
                <dt>{term}</dt>
                <dd data-field={term}>{value}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : record.loading ? (
        <Loading />
      ) : null}
    </>
  );
}
