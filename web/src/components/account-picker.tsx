import { api } from '../api/api-client';
import type { Account, ListOf } from '../api/api-types';
import { useResource } from '../hooks/use-resource';
import { SelectField } from './form-field';

interface AccountPickerProps {
  /** The chosen account id, or null for every account the caller can see. */
  value: number | null;
  onChange: (accountId: number | null) => void;
  label?: string;
  /** Offers "All accounts" (the API's default scope) as well as single accounts. */
  allowAll?: boolean;
}

/**
 * Lets admins and agents choose whose data a page shows. The API lists what the caller may see
 * (an agent: itself and its users), so the choice can never reach beyond that.
 */
export function AccountPicker({
  value,
  onChange,
  label = 'Account',
  allowAll = true,
}: AccountPickerProps) {
  const accounts = useResource(() => api.get<ListOf<Account>>('/accounts'), []);
  const options = [
    ...(allowAll ? [{ value: '', label: 'All accounts' }] : []),
    ...(accounts.data?.data ?? []).map((account) => ({
      value: String(account.id),
      label: `${account.username} (${account.role})`,
    })),
  ];
  // Until the list arrives, keep the chosen id selectable so the control does not jump.
  if (value !== null && !options.some((option) => option.value === String(value))) {
    options.push({ value: String(value), label: `Account ${value}` });
  }
  return (
    <SelectField
      label={label}
      value={value === null ? '' : String(value)}
      options={options}
      onChange={(selected) => onChange(selected === '' ? null : Number(selected))}
      error={accounts.error ? 'Could not load the accounts.' : null}
    />
  );
}
