/** One top-level field of an audited object, before and after the change. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
  /** The field is absent on that side (created, deleted, or a field only one side has). */
  added: boolean;
  removed: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stable text of a value, so objects whose keys come in another order compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * The fields that differ between an audit event's before and after. A create (before null) or a
 * delete (after null) lists every field; values that are not objects compare as one field "value".
 */
export function changedFields(before: unknown, after: unknown): FieldChange[] {
  const left = isRecord(before) ? before : before === null ? {} : { value: before };
  const right = isRecord(after) ? after : after === null ? {} : { value: after };
  const fields = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  return fields
    .filter((field) => canonical(left[field]) !== canonical(right[field]))
    .map((field) => ({
      field,
      before: left[field],
      after: right[field],
      added: !(field in left),
      removed: !(field in right),
    }));
}

/** A field's value on one line: text as is, everything else as compact JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** "api_key.update" → "API key updated", for scanning a long log quickly. */
export function describeAction(action: string): string {
  const [subject = action, verb = ''] = action.split('.');
  const noun = subject.replace(/_/g, ' ').replace(/^api key/, 'API key');
  const verbs: Readonly<Record<string, string>> = {
    create: 'created',
    update: 'updated',
    delete: 'deleted',
    deployment: 'deployment changed',
    issue: 'issued',
    redeem: 'redeemed',
    topup: 'topped up',
    adjust: 'adjusted',
    transfer: 'transfer',
    suspend: 'suspended',
    resume: 'resumed',
  };
  // Sign-ins read better without their subject: "Signed in by alice".
  if (subject === 'session') return verb === 'sign_in' ? 'Signed in' : 'Signed out';
  const done = verbs[verb] ?? verb.replace(/_/g, ' ');
  const sentence = done === '' ? noun : `${noun} ${done}`;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
