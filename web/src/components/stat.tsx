import type { ReactNode } from 'react';

interface StatProps {
  label: string;
  value: ReactNode;
  note?: ReactNode;
  /** For tests that read the number. */
  testId?: string;
}

/** One headline number in a `.stat-grid`. */
export function Stat({ label, value, note, testId }: StatProps) {
  return (
    <div className="stat">
      <p className="stat-label">{label}</p>
      <p className="stat-value" data-testid={testId}>
        {value}
      </p>
      {note ? <p className="stat-note">{note}</p> : null}
    </div>
  );
}
