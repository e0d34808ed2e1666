import { useCallback, useState } from 'react';
import { noFormErrors, placeError, type FormErrors } from '../components/form-errors';

export interface Submission {
  busy: boolean;
  errors: FormErrors;
  /** Shows errors found before sending (client-side checks). */
  setErrors: (errors: FormErrors) => void;
  /** Runs `action`; on failure places the error by its `param`. Returns whether it succeeded. */
  run: (action: () => Promise<void>) => Promise<boolean>;
}

const noAliases: Readonly<Record<string, string>> = {};

/** The busy flag and error placement every form needs. */
export function useSubmit(
  fieldNames: readonly string[],
  aliases: Readonly<Record<string, string>> = noAliases,
): Submission {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const fieldKey = fieldNames.join('|');

  const run = useCallback(
    async (action: () => Promise<void>) => {
      setBusy(true);
      setErrors(noFormErrors);
      try {
        await action();
        return true;
      } catch (error) {
        setErrors(placeError(error, fieldKey.split('|'), aliases));
        return false;
      } finally {
        setBusy(false);
      }
    },
    // The names are compared as text so callers may pass fresh arrays each render.
    [fieldKey, aliases],
  );

  return { busy, errors, setErrors, run };
}
