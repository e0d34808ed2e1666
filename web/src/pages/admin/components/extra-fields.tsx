import type { ReactNode, TextareaHTMLAttributes } from 'react';
import { FieldFrame } from '../../../components/form-field';

type TextAreaFieldProps = Omit<
  TextareaHTMLAttributes<HTMLTextAreaElement>,
  'id' | 'onChange' | 'value'
> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string | null | undefined;
};

/** A labelled <textarea>, wired like the foundation's TextField. */
export function TextAreaField({
  label,
  value,
  onChange,
  hint,
  error,
  ...rest
}: TextAreaFieldProps) {
  return (
    <FieldFrame label={label} hint={hint} error={error}>
      {({ inputId, describedBy }) => (
        <textarea
          id={inputId}
          className="input admin-textarea"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          {...rest}
        />
      )}
    </FieldFrame>
  );
}

interface CheckboxFieldProps {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  error?: string | null | undefined;
  disabled?: boolean;
}

/** A checkbox with its label beside it, and a hint or error below. */
export function CheckboxField({
  label,
  checked,
  onChange,
  hint,
  error,
  disabled = false,
}: CheckboxFieldProps) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(event) => onChange(event.target.checked)}
          aria-invalid={error ? true : undefined}
        />
        {label}
      </label>
      {hint ? <p className="field-hint">{hint}</p> : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
