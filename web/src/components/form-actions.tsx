interface FormActionsProps {
  submitLabel: string;
  /** Shown on the submit button while the request runs. */
  busyLabel?: string;
  busy: boolean;
  onCancel?: () => void;
}

/** The foot of a form: Cancel and the submit button, which is disabled while busy. */
export function FormActions({ submitLabel, busyLabel, busy, onCancel }: FormActionsProps) {
  return (
    <div className="row form-actions">
      {onCancel ? (
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? (busyLabel ?? 'Working…') : submitLabel}
      </button>
    </div>
  );
}
