import { api } from '../../api/api-client';
import type { ApiKey, ListOf, Model } from '../../api/api-types';
import { AccountPicker } from '../../components/account-picker';
import { SelectField } from '../../components/form-field';
import { useResource } from '../../hooks/use-resource';

export interface RequestFilterValues {
  /** null: every account the caller can see. */
  accountId: number | null;
  keyId: string;
  model: string;
  outcome: '' | 'ok' | 'error';
}

interface RequestFiltersProps {
  value: RequestFilterValues;
  onChange: (value: RequestFilterValues) => void;
  /** Admins and agents choose an account; users see only their own. */
  showAccount: boolean;
  /** The account whose keys the key filter offers. */
  keysOf: number | null;
}

/** Account, key, model and outcome filters of the request log. */
export function RequestFilters({ value, onChange, showAccount, keysOf }: RequestFiltersProps) {
  const models = useResource(() => api.get<ListOf<Model>>('/models'), []);
  const keys = useResource(
    () =>
      keysOf === null
        ? Promise.resolve({ data: [] })
        : api.get<ListOf<ApiKey>>('/keys', { accountId: keysOf }),
    [keysOf],
  );
  return (
    <div className="toolbar" role="search" aria-label="Filter requests">
      {showAccount ? (
        <AccountPicker
          value={value.accountId}
          onChange={(accountId) => onChange({ ...value, accountId, keyId: '' })}
        />
      ) : null}
      <SelectField
        label="Key"
        value={value.keyId}
        disabled={keysOf === null}
        options={[
          { value: '', label: keysOf === null ? 'Pick an account first' : 'All keys' },
          ...(keys.data?.data ?? []).map((key) => ({
            value: String(key.id),
            label: `${key.name} (${key.prefix}…)`,
          })),
        ]}
        onChange={(keyId) => onChange({ ...value, keyId })}
      />
      <SelectField
        label="Model"
        value={value.model}
        options={[
          { value: '', label: 'All models' },
          ...(models.data?.data ?? []).map((model) => ({ value: model.id, label: model.id })),
        ]}
        onChange={(model) => onChange({ ...value, model })}
      />
      <SelectField
        label="Status"
        value={value.outcome}
        options={[
          { value: '', label: 'All' },
          { value: 'ok', label: 'Succeeded' },
          { value: 'error', label: 'Failed' },
        ]}
        onChange={(outcome) =>
          onChange({ ...value, outcome: outcome as RequestFilterValues['outcome'] })
        }
      />
    </div>
  );
}
