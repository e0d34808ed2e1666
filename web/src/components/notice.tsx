import type { ReactNode } from 'react';
import { errorMessage } from '../api/api-error';

export type Tone = 'info' | 'success' | 'warning' | 'error';

interface NoticeProps {
  tone?: Tone;
  title?: string;
  children?: ReactNode;
  /** Extra controls, e.g. a Retry button. */
  action?: ReactNode;
}

/** A message in the page flow. Errors use role=alert so screen readers announce them. */
export function Notice({ tone = 'info', title, children, action }: NoticeProps) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <div className="notice-body">
        {title ? <strong className="notice-title">{title}</strong> : null}
        {children ? <div>{children}</div> : null}
      </div>
      {action ? <div className="notice-action">{action}</div> : null}
    </div>
  );
}

/** An API error's message (written to be actionable), with a Retry button when given. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Notice
      tone="error"
      action={
        onRetry ? (
          <button type="button" className="button button-small" onClick={onRetry}>
            Retry
          </button>
        ) : undefined
      }
    >
      {errorMessage(error)}
    </Notice>
  );
}
