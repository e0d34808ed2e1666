import type { ReactNode } from 'react';
import type { Tone } from './notice';

/** A short status label: active, disabled, redeemed… */
export function Badge({
  tone = 'info',
  children,
}: {
  tone?: Tone | 'neutral';
  children: ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** The badge of an active/disabled/suspended status. */
export function StatusBadge({ status }: { status: string }) {
  const tone =
    status === 'active' || status === 'ok' ? 'success' : status === 'redeemed' ? 'info' : 'warning';
  return <Badge tone={tone}>{status}</Badge>;
}
