import { ApiError, errorMessage, fieldOfParam } from '../api/api-error';

/** Where a failed submit's message goes: next to one field, or above the form. */
export interface FormErrors {
  fields: Readonly<Record<string, string>>;
  form: string | null;
}

export const noFormErrors: FormErrors = { fields: {}, form: null };

/**
 * Places an error: when the API names a `param` the form has a field for (`limits.rpm` → the
 * `limits` field, `models[2]` → `models`), the message goes under that field; otherwise above the
 * form. `fieldNames` maps API parameter names to the form's own field names when they differ.
 */
export function placeError(
  error: unknown,
  fieldNames: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): FormErrors {
  if (error instanceof ApiError) {
    const param = fieldOfParam(error.param);
    const field = param === null ? null : (aliases[param] ?? param);
    if (field !== null && fieldNames.includes(field)) {
      return { fields: { [field]: error.message }, form: null };
    }
  }
  return { fields: {}, form: errorMessage(error) };
}
