import type { ReactNode } from 'react';
import { useSubmit } from '../hooks/use-submit';
import { Modal } from './modal';
import { Notice } from './notice';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Destructive actions get a red button. */
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** Asks before doing something that cannot be undone; shows the API's refusal if it fails. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = false,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const submission = useSubmit([]);
  const confirm = async () => {
    if (await submission.run(onConfirm)) onClose();
  };
  return (
    <Modal
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className={`button ${danger ? 'button-danger' : 'button-primary'}`}
            disabled={submission.busy}
            onClick={() => void confirm()}
          >
            {confirmLabel}
          </button>
        </>
      }
    >
      {submission.errors.form ? <Notice tone="error">{submission.errors.form}</Notice> : null}
      {children}
    </Modal>
  );
}
