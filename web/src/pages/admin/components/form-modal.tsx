import type { FormEvent, ReactNode } from 'react';
import { Modal } from '../../../components/modal';
import { Notice } from '../../../components/notice';
import type { Submission } from '../../../hooks/use-submit';

interface FormModalProps {
  title: string;
  /** The submit button's text, which is also its accessible name. */
  submitLabel: string;
  /** Its busy flag disables the button; its form-level error shows above the fields. */
  submission: Submission;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}

/**
 * A modal holding one form. The submit button sits in the modal's footer, outside the <form>, so
 * it is tied to it by id; Enter in a field still submits.
 */
export function FormModal({
  title,
  submitLabel,
  submission,
  onSubmit,
  onClose,
  children,
  wide = false,
}: FormModalProps) {
  const formId = `form-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Modal
      title={title}
      onClose={onClose}
      wide={wide}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form={formId}
            className="button button-primary"
            disabled={submission.busy}
          >
            {submission.busy ? 'Saving…' : submitLabel}
          </button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit} noValidate>
        {submission.errors.form ? <Notice tone="error">{submission.errors.form}</Notice> : null}
        {children}
      </form>
    </Modal>
  );
}
