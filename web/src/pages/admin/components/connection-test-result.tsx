import { errorMessage } from '../../../api/api-error';
import { Badge } from '../../../components/badge';
import { formatDuration } from '../../../format/numbers';
import type { ConnectionTest } from '../admin-types';

/** The state of one provider's connection test, kept by the page per provider. */
export type TestState =
  | { status: 'running' }
  | { status: 'done'; result: ConnectionTest }
  | { status: 'failed'; error: unknown };

/** What the last connection test found: ok or failed, and the provider's own words. */
export function ConnectionTestResult({ state }: { state: TestState | undefined }) {
  if (state === undefined) return <span className="muted small">Not tested</span>;
  if (state.status === 'running') {
    return (
      <span className="muted small" role="status">
        Testing…
      </span>
    );
  }
  if (state.status === 'failed') {
    return (
      <span className="admin-test-result" role="alert">
        <Badge tone="error">error</Badge>
        <span className="small">{errorMessage(state.error)}</span>
      </span>
    );
  }
  const { result } = state;
  const details = [
    result.status === null ? null : `HTTP ${result.status}`,
    formatDuration(result.latencyMilliseconds),
    result.models === null ? null : `${result.models} models`,
  ].filter((part): part is string => part !== null);
  return (
    <span className="admin-test-result" role={result.ok ? 'status' : 'alert'}>
      <Badge tone={result.ok ? 'success' : 'error'}>{result.ok ? 'ok' : 'failed'}</Badge>
      <span className="small">
        {result.message}
        <span className="muted"> · {details.join(' · ')}</span>
      </span>
    </span>
  );
}
