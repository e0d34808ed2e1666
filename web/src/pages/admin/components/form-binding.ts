import type { Submission } from '../../../hooks/use-submit';

import type { Checked } from '../input-parsing';

/**
 * The value, change handler and error of one field of a draft, to spread into a TextField or SelectField:
 * `<TextField label="Weight" {...bind('weight')} />`.
 */
export function fieldBinder<Draft extends object>(
  draft: Draft,
  update: (change: Partial<Draft>) => void,
  errors: Readonly<Record<string, string>>,
) {
  return <Name extends keyof Draft & string>(name: Name) => ({
    value: String(draft[name]),
    onChange: (value: string) => update({ [name]: value } as Partial<Draft>),
    error: errors[name],
  });
}

/**
 * Sends a checked form: a failed check shows its message under its field without a request;
 * otherwise `send` runs and the API's refusal is placed by its `param`.
 */
export function submitChecked<Value>(
  submission: Submission,
  checked: Checked<Value>,
  send: (value: Value) => Promise<void>,
): void {
  if (!checked.ok) {
    submission.setErrors({ fields: { [checked.field]: checked.message }, form: null });
    return;
  }
  void submission.run(() => send(checked.value));
}
