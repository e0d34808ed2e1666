import type { Limits } from '../../api/api-types';
import { formatCount } from '../../format/numbers';
import { formatMoney } from '../../format/money';
import { TextField } from '../../components/form-field';

/** The limits a key form edits, as typed text. */
export interface LimitsText {
  rpm: string;
  tpm: string;
  rpd: string;
  dailySpend: string;
  tokenQuota: string;
  maxConcurrency: string;
}

export const emptyLimitsText: LimitsText = {
  rpm: '',
  tpm: '',
  rpd: '',
  dailySpend: '',
  tokenQuota: '',
  maxConcurrency: '',
};

const fields: readonly { name: keyof LimitsText; label: string }[] = [
  { name: 'rpm', label: 'Requests per minute' },
  { name: 'tpm', label: 'Tokens per minute' },
  { name: 'rpd', label: 'Requests per day' },
  { name: 'dailySpend', label: 'Spend per day' },
  { name: 'tokenQuota', label: 'Token quota (lifetime)' },
  { name: 'maxConcurrency', label: 'Requests in flight' },
];

function ceilingText(name: keyof LimitsText, ceiling: Limits): string {
  if (name === 'dailySpend') {
    return ceiling.dailySpend === undefined ? '' : formatMoney(ceiling.dailySpend);
  }
  const value = ceiling[name];
  return value === undefined ? '' : formatCount(value);
}

/**
 * Turns typed limits into the API's shape; an empty field is left out (inherited). Returns the
 * first field that is not a whole number or amount, to point at.
 */
export function limitsFromText(
  text: LimitsText,
): { ok: true; limits: Limits } | { ok: false; field: keyof LimitsText } {
  const limits: Limits = {};
  for (const { name } of fields) {
    const raw = text[name].trim().replace(/,/g, '');
    if (raw === '') continue;
    if (name === 'dailySpend') {
      if (!/^\d{1,12}(\.\d{1,6})?$/.test(raw)) return { ok: false, field: name };
      limits.dailySpend = raw;
    } else {
      if (!/^[1-9]\d{0,12}$/.test(raw)) return { ok: false, field: name };
      limits[name] = Number(raw);
    }
  }
  return { ok: true, limits };
}

interface LimitsFieldsProps {
  value: LimitsText;
  onChange: (value: LimitsText) => void;
  /** The account's own limits: a key's may be at most these (for the account's own keys). */
  ceiling: Limits;
  /** Admins and agents may set any limit on the keys of accounts they manage. */
  unbounded: boolean;
  error?: string | null | undefined;
}

/** The optional limits of a key, each showing the account's limit it must stay within. */
export function LimitsFields({ value, onChange, ceiling, unbounded, error }: LimitsFieldsProps) {
  return (
    <fieldset>
      <legend className="fieldset-legend">Limits (optional)</legend>
      <p className="field-hint">
        {unbounded
          ? 'Empty fields inherit the account’s limits, then the gateway’s.'
          : 'Empty fields inherit your account’s limits. A key can only tighten them: each value must be at most your account’s, and a limit your account does not have cannot be set here.'}
      </p>
      {error ? <p className="field-error">{error}</p> : null}
      <div className="form-grid">
        {fields.map(({ name, label }) => {
          const limit = ceilingText(name, ceiling);
          const disabled = !unbounded && limit === '';
          return (
            <TextField
              key={name}
              label={label}
              value={value[name]}
              onChange={(text) => onChange({ ...value, [name]: text })}
              inputMode={name === 'dailySpend' ? 'decimal' : 'numeric'}
              disabled={disabled}
              hint={
                limit ? `At most ${limit}` : unbounded ? undefined : 'No account limit to share'
              }
            />
          );
        })}
      </div>
    </fieldset>
  );
}
